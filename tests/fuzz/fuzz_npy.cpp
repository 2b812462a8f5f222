// The .npy and .npz readers: a .npy as bytes, and the same bytes as an .npz archive file, read
// as arrays and as the samples of a model with several Inputs and outputs.
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <string>

#include "data/data_source.h"
#include "data/npy.h"
#include "fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view all(reinterpret_cast<const char*>(data), size);
    const std::string bytes(reinterpret_cast<const char*>(data), size);
    loom::fuzz::expectCleanRefusal(all, [&] { (void)loom::parseNpy(bytes, "fuzz.npy"); });
    const auto folder = loom::fuzz::scratchFolder();
    loom::fuzz::writeFile(folder / "arrays.npz", bytes);
    loom::fuzz::expectCleanRefusal(all, [&] { (void)loom::readNpz(folder / "arrays.npz"); });
    // The same archive as the samples of a model with two Inputs and two outputs, whose arrays
    // are matched by name or place and split.
    loom::DataSpec spec;
    spec.source = (folder / "arrays.npz").string();
    spec.validationSplit = 0.5;
    std::int64_t steps = 0;
    const loom::ModelEnds ends{{"a", "b"}, {"out", "y"}, {}, {}};
    loom::fuzz::expectCleanRefusal(all, [&] { (void)loom::readCutSamples(spec, steps, {}, ends); });
    return 0;
}
