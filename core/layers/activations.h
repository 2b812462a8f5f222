#pragma once

#include <string>
#include <vector>

namespace loom {

/// Activation names as Keras spells them, in the order the inspector lists them.
const std::vector<std::string>& activationNames();

/// The name LayerLoom lists for one Keras also spells otherwise: Keras 3 writes swish as
/// "silu", and takes "hard_swish" for hard_silu. Other names come back as they are.
std::string canonicalActivation(const std::string& name);

/// Whether TF.js (4.x) computes the activation of this name: it lacks Keras 3's leaky_relu
/// and hard_silu.
bool tfjsHasActivation(const std::string& name);

}  // namespace loom
