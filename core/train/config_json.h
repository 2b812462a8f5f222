#pragma once

#include <nlohmann/json.hpp>

#include "data/data_source.h"
#include "train/trainer.h"

namespace loom {

/// The project file's `training` section: {"loss", "optimizer": {...}, "epochs", ...,
/// "data": {...}}. Reading takes defaults for what is missing and throws std::runtime_error
/// naming the key that holds a wrong value.
TrainConfig trainConfigFromJson(const nlohmann::json& training);
nlohmann::json trainConfigToJson(const TrainConfig& config);

DataSpec dataSpecFromJson(const nlohmann::json& data);
nlohmann::json dataSpecToJson(const DataSpec& spec);

nlohmann::json normalizerToJson(const Normalizer& n);
Normalizer normalizerFromJson(const nlohmann::json& j);

}  // namespace loom
