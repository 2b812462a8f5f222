// The .npy and .npz readers: a .npy as bytes, and the same bytes as an .npz archive file.
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <string>

#include "data/npy.h"
#include "fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view all(reinterpret_cast<const char*>(data), size);
    const std::string bytes(reinterpret_cast<const char*>(data), size);
    loom::fuzz::expectCleanRefusal(all, [&] { (void)loom::parseNpy(bytes, "fuzz.npy"); });
    const auto folder = loom::fuzz::scratchFolder();
    loom::fuzz::writeFile(folder / "arrays.npz", bytes);
    loom::fuzz::expectCleanRefusal(all, [&] { (void)loom::readNpz(folder / "arrays.npz"); });
    return 0;
}
