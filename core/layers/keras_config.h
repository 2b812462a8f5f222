#pragma once

// What layer kinds share when they read and write Keras's configurations: the two dialects,
// initialisers, regularizers and the schema's parameters under Keras's names.
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "layers/layer_spec.h"

namespace loom {

/// A Keras object as Keras 3 serializes one of its public classes.
nlohmann::json kerasObject(std::string_view module, std::string_view className, nlohmann::json config);
/// A layer's own part of every config: name and trainable, and Keras 3's dtype policy.
nlohmann::json kerasBaseConfig(const std::string& name, KerasFormat format);
/// An initialiser as `format` writes it: Keras 3's class (GlorotUniform, RandomNormal, ...), or
/// for tf.keras 2 and TF.js the VarianceScaling that Glorot, He and LeCun stand for.
nlohmann::json kerasInitializer(const Initializer& init, KerasFormat format);
/// The initialiser a Keras config names (a name such as "he_normal", or an object with its
/// class and config); empty `why` on success, else what LayerLoom does not have.
Initializer initializerFromKeras(const nlohmann::json& value, std::string& why);
nlohmann::json kerasRegularizer(const Regularizer& r, KerasFormat format);
/// The schema's parameters of `node` under Keras's names, Shape parameters left out.
nlohmann::json kerasParams(const LayerSpec& spec, const Node& node, KerasFormat format);
/// Reads the schema's parameters that `config` holds into `params`; returns the first that
/// does not fit ("units is \"x\", which LSTM cannot take"), or "".
std::string readKerasParams(const LayerSpec& spec, const nlohmann::json& config, ParamMap& params);
/// `config[key]` as a T, or `fallback` where the key is absent or None (null): Keras's
/// constructors read None as the default. Throws nlohmann::json's type_error for another type.
template <class T>
T kerasValue(const nlohmann::json& config, const char* key, T fallback) {
    if (!config.is_object() || !config.contains(key) || config[key].is_null()) return fallback;
    return config[key].get<T>();
}

/// What `config` (a layer's) names as initialisers that LayerLoom does not have, one note each
/// for the import to show: those parameters keep the layer's default.
std::vector<std::string> initializerNotes(const LayerSpec& spec, const nlohmann::json& config, const std::string& layer);

/// Keras writes window sizes as one-element lists (`[3]`), TF.js and hand-written configs as
/// numbers: turns the lists under `keys` into numbers; returns what does not fit, or "".
std::string unlistSizes(nlohmann::json& config, std::initializer_list<const char*> keys);
/// "" for channels_last (or none said), else why LayerLoom cannot take the data_format.
std::string channelsLastProblem(const nlohmann::json& config);
/// The Keras Python arguments of `node`'s parameters that apply to it, under Keras's names:
/// `units=64, activation="tanh", ...` (Shape parameters left out).
std::string kerasPythonArguments(const LayerSpec& spec, const Node& node);
/// The constraint and regularizer options LayerLoom does not have, stated as null.
void nullKerasOptions(nlohmann::json& config, std::initializer_list<const char*> keys);

}  // namespace loom
