#pragma once

#include <string>
#include <vector>

namespace loom {

/// Activation names as Keras spells them, in the order the inspector lists them.
const std::vector<std::string>& activationNames();

}  // namespace loom
