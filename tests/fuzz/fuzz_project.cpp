// The .loom project reader, and what the CLI's validate and summary do with what it read.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz_support.h"
#include "graph/project_file.h"
#include "report/summary.h"
#include "shape/validator.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view all(reinterpret_cast<const char*>(data), size);
    loom::fuzz::expectCleanRefusal(all, [&] {
        const loom::Project p =
            loom::parseProject(std::string_view(reinterpret_cast<const char*>(data), size), "fuzz.loom");
        const loom::Validation v = loom::validate(p.graph);
        (void)loom::formatSummary(loom::summarize(p.graph, v, p.name));
        (void)loom::serializeProject(p);
    });
    return 0;
}
