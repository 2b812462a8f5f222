// The LayerLoom weights file (.llw) reader.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "engine/weights_file.h"
#include "fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view all(reinterpret_cast<const char*>(data), size);
    const auto folder = loom::fuzz::scratchFolder();
    loom::fuzz::writeFile(folder / "weights.llw", std::string_view(reinterpret_cast<const char*>(data), size));
    loom::fuzz::expectCleanRefusal(all, [&] { (void)loom::loadWeights(folder / "weights.llw"); });
    return 0;
}
