#pragma once

#include <string_view>
#include <vector>

#include "layers/layer_spec.h"

namespace loom {

/// The layer kind registered under a Keras class name, or null.
const LayerSpec* findLayer(std::string_view kind);
/// Every registered kind, in palette order.
const std::vector<const LayerSpec*>& allLayers();

}  // namespace loom
