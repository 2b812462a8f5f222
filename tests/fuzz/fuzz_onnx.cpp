// The .onnx reader and import: the bytes as a model (its external data looked for in a scratch
// folder), then as a LayerLoom project, by its own metadata or by its operators.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz_support.h"
#include "interop/onnx/onnx_import.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view all(reinterpret_cast<const char*>(data), size);
    const auto folder = loom::fuzz::scratchFolder();
    loom::fuzz::writeFile(folder / "weights.bin", all.substr(0, all.size() / 2));
    loom::fuzz::expectCleanRefusal(all, [&] {
        const loom::OnnxGraph graph = loom::parseOnnxModel(all, folder);
        (void)loom::importOnnx(graph);
    });
    return 0;
}
