#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "engine/isa/isa_table.h"

namespace loom::isa {

/// The table the numerics use: chosen once, the highest level this processor runs among those
/// built in. LAYERLOOM_ISA=x86-64-v2 (or v2, v3, v4) in the environment asks for a lower one.
const Table& active();

/// The levels built into this program that this processor runs, lowest first.
std::vector<std::string> supportedLevels();

/// How many threads the matrix products use: Eigen's own, here and in the active table, and
/// OpenBLAS's for products started from the calling thread (it takes OpenMP's count there).
void setThreads(int threads);

/// Makes `level` ("x86-64-v3" or "v3") the active table, for benchmarks and the tests that
/// compare levels. Returns false, changing nothing, when it is not built in or not supported.
bool select(std::string_view level);

}  // namespace loom::isa
