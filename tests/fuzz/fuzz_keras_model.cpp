// The Keras / TF.js layers-format importer: model.json, then its weights file, then a
// prediction input (nested JSON arrays), separated as fuzz_support.h says.
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "fuzz_support.h"
#include "interop/keras_model.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view all(reinterpret_cast<const char*>(data), size);
    const std::vector<std::string> files = loom::fuzz::splitFiles(data, size, 3);
    const auto folder = loom::fuzz::scratchFolder();
    loom::fuzz::writeFiles(folder, files, {"model.json", "weights.bin", "input.json"});
    loom::fuzz::expectCleanRefusal(all, [&] { (void)loom::importKerasModel(folder / "model.json"); });
    if (files.size() > 2) {
        loom::fuzz::expectCleanRefusal(all, [&] {
            std::vector<std::int64_t> shape;
            (void)loom::readJsonArray(folder / "input.json", shape);
        });
    }
    return 0;
}
