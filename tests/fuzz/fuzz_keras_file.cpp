// Keras's own model files: the first byte chooses the kind (even: .h5, odd: .keras), the rest
// is the file, read as an HDF5 file or a zip archive holding one.
#include <cstddef>
#include <cstdint>
#include <fstream>
#include <string_view>

#include "fuzz_support.h"
#include "interop/keras_model.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 1) return 0;
    const std::string_view all(reinterpret_cast<const char*>(data), size);
    const auto folder = loom::fuzz::scratchFolder();
    const auto file = folder / (data[0] % 2 == 0 ? "model.h5" : "model.keras");
    std::ofstream(file, std::ios::binary).write(all.data() + 1, static_cast<std::streamsize>(size - 1));
    // Read in a child process (libhdf5 can hang or crash on a damaged file), given 5 s here.
    loom::fuzz::expectCleanRefusal(all, [&] { (void)loom::importKerasFile(file, std::chrono::seconds(5)); });
    return 0;
}
