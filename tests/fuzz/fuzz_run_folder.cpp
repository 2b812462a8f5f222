// The run-folder reader (evaluate --run, predict --run, train --resume): run.json, weights.llw
// and state.llw, separated as fuzz_support.h says; a resumable state is placed into the
// plan of the model the record holds, as train --resume does.
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "engine/plan.h"
#include "fuzz_support.h"
#include "train/run_folder.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view all(reinterpret_cast<const char*>(data), size);
    const std::vector<std::string> files = loom::fuzz::splitFiles(data, size, 3);
    const auto folder = loom::fuzz::scratchFolder();
    loom::fuzz::writeFiles(folder, files, {"run.json", "weights.llw", "state.llw"});
    loom::fuzz::expectCleanRefusal(all, [&] {
        const loom::RunFolder run = loom::readRunFolder(folder);
        if (!run.record.state) return;
        // Only models of a size a test can hold: the size checks of validate are not what
        // this target is about.
        const auto shapes = loom::parameterShapes(run.record.run.graph);
        std::uint64_t values = 0;
        for (const auto& s : shapes) values += *loom::valueCount(s.shape);
        if (values > (1u << 20)) return;
        const loom::Plan<float> plan = loom::Plan<float>::compile(run.record.run.graph, 1, 8);
        (void)loom::takeState(run, plan);
    });
    return 0;
}
