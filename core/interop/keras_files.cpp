// Keras's own model files: .h5 (tf.keras 2, and Keras 3's legacy format) and .keras (Keras 3).
#include <algorithm>
#include <chrono>
#include <cctype>
#include <map>
#include <optional>

#include <nlohmann/json.hpp>

#include "engine/loss.h"
#include "engine/optimizer.h"
#include "engine/plan.h"
#include "interop/hdf5_file.h"
#include "interop/keras_export.h"
#include "interop/keras_model.h"
#include "interop/keras_topology.h"
#include "interop/zip_archive.h"
#include "io/isolated.h"
#include "io/json_input.h"
#include "io/message_text.h"
#include "layers/layer_registry.h"

namespace loom {

using nlohmann::json;

namespace {

/// The most bytes of a configuration, and of a .keras archive's weights file (read into
/// memory): far beyond any model LayerLoom trains.
constexpr std::uint64_t kMaxConfigBytes = std::uint64_t{64} << 20;
constexpr std::uint64_t kMaxArchivedWeightsBytes = std::uint64_t{4} << 30;

/// The weights a layer holds, in the order Keras creates them, as its kind names them.
std::vector<std::string> weightNamesOf(const ModelGraph& graph, const std::string& layer) {
    const Node* node = graph.nodeByName(layer);
    const LayerSpec* spec = node ? findLayer(node->kind) : nullptr;
    return spec ? spec->weightNames(*node) : std::vector<std::string>{};
}

/// Keeps a count of the bytes read against kMaxKerasWeightBytes.
class WeightBudget {
public:
    std::uint64_t left() const { return (kMaxKerasWeightBytes - m_used) / 4; }
    void take(const Hdf5File::Floats& f) { m_used += f.values.size() * 4; }

private:
    std::uint64_t m_used = 0;
};

/// The shapes the model's layers need, by weight name (none when the graph has errors: those
/// are shown on their own); a weight of another shape is refused where it is read.
class ShapeCheck {
public:
    explicit ShapeCheck(const ModelGraph& graph) {
        try {
            for (NamedShape& s : parameterShapes(graph)) m_needed.emplace(s.name, std::move(s.shape));
        } catch (const std::exception&) {
            // The validator says what is wrong with the graph.
        }
    }
    void check(const std::string& name, const std::vector<std::int64_t>& shape, const std::string& where) const {
        if (m_needed.empty()) return;
        const auto it = m_needed.find(name);
        if (it == m_needed.end()) {
            throw KerasImportError(where + ": weight '" + printableExcerpt(name, 60) + "' belongs to no weight of the model's layers");
        }
        if (it->second != shape) {
            throw KerasImportError(where + ": weight '" + printableExcerpt(name, 60) + "' has shape " + shapeText(shape) +
                                   "; the layer needs " + shapeText(it->second));
        }
    }

private:
    static std::string shapeText(const std::vector<std::int64_t>& shape) {
        std::string out = "(";
        for (std::size_t i = 0; i < shape.size(); ++i) {
            if (i) out += ", ";
            out += std::to_string(shape[i]);
        }
        return out + (shape.size() == 1 ? ",)" : ")");
    }
    std::map<std::string, std::vector<std::int64_t>> m_needed;
};

/// The training settings Keras saved with the model (loss, optimizer, learning rate), where
/// LayerLoom has them; what it leaves out goes into `notes`.
/// A Keras optimizer's config as the project's optimizer settings: the numbers LayerLoom's
/// update rules take (None meaning Keras's default), and a note for each that it cannot honour.
json optimizerSettings(const std::string& name, const json& config, std::vector<std::string>& notes) {
    json opt = {{"name", name}, {"amsgrad", false}};
    if (!config.is_object()) return opt;
    if (config.contains("learning_rate")) {
        if (config["learning_rate"].is_number()) {
            opt["learning_rate"] = config["learning_rate"];
        } else if (!config["learning_rate"].is_null()) {
            notes.push_back("the learning-rate schedule saved with the model is not imported; the optimizer's default rate is used");
        }
    }
    for (const char* key : {"beta_1", "beta_2", "epsilon", "rho", "momentum", "weight_decay", "clipnorm", "clipvalue"}) {
        if (config.contains(key) && config[key].is_number()) opt[key] = config[key];
    }
    for (const char* key : {"amsgrad", "nesterov"}) {
        if (config.contains(key) && config[key].is_boolean()) opt[key] = config[key];
    }
    if (config.contains("global_clipnorm") && config["global_clipnorm"].is_number()) {
        notes.push_back("global_clipnorm is not imported: LayerLoom clips each gradient by its own norm (clipnorm)");
    }
    if (config.contains("use_ema") && config["use_ema"] == true) notes.push_back("the optimizer's use_ema is not imported");
    if (config.contains("centered") && config["centered"] == true) notes.push_back("RMSprop's centered=True is not imported; it trains uncentred");
    return opt;
}

/// Keras's compile metrics as the project's: a list of names or metric objects, for tf.keras 2
/// also nested per output ([["mae"]]). What LayerLoom does not compute is named in `notes`.
json metricSettings(const json& metrics, std::vector<std::string>& notes) {
    json names = json::array();
    const auto take = [&](const json& entry) {
        std::string why;
        if (const auto metric = metricFromKeras(entry, why)) {
            if (std::find(names.begin(), names.end(), metricName(*metric)) == names.end()) names.push_back(metricName(*metric));
        } else {
            notes.push_back(why + "; it is left out");
        }
    };
    if (!metrics.is_array()) {
        if (!metrics.is_null()) take(metrics);
        return names;
    }
    for (const json& entry : metrics) {
        if (!entry.is_array()) {
            take(entry);
            continue;
        }
        for (const json& inner : entry) take(inner);
    }
    return names;
}

/// One loss as Keras saved it (a name or a loss object) into `into`'s "loss" and "from_logits".
void readLoss(const json& loss, json& into, std::vector<std::string>& notes) {
    if (loss.is_string()) {
        if (parseLoss(loss.get<std::string>())) {
            into["loss"] = loss;
        } else {
            notes.push_back("the loss '" + printableExcerpt(loss.get<std::string>()) + "' is not one LayerLoom trains with; mse is used");
        }
    } else if (loss.is_object() && loss.contains("class_name") && loss["class_name"].is_string()) {
        // A loss object: keras.losses.BinaryCrossentropy(from_logits=True), say.
        static const std::map<std::string, std::string> names{
            {"MeanSquaredError", "mse"},
            {"MeanAbsoluteError", "mae"},
            {"Huber", "huber"},
            {"BinaryCrossentropy", "binary_crossentropy"},
            {"CategoricalCrossentropy", "categorical_crossentropy"},
            {"SparseCategoricalCrossentropy", "sparse_categorical_crossentropy"}};
        const std::string cls = loss["class_name"].get<std::string>();
        const auto it = names.find(cls);
        const json& config = loss.contains("config") && loss["config"].is_object() ? loss["config"] : json::object();
        if (it == names.end()) {
            notes.push_back("the loss " + printableExcerpt(cls) + " is not one LayerLoom trains with; mse is used");
        } else {
            into["loss"] = it->second;
            if (config.contains("from_logits") && config["from_logits"] == true) into["from_logits"] = true;
            if (config.contains("label_smoothing") && config["label_smoothing"].is_number() && config["label_smoothing"] != 0) {
                notes.push_back("the loss's label_smoothing is not imported; it trains without");
            }
            if (cls == "Huber" && config.contains("delta") && config["delta"].is_number() && config["delta"] != 1.0) {
                notes.push_back("Huber's delta " + jsonExcerpt(config["delta"], 20) + " is not imported; LayerLoom's Huber has delta 1");
            }
        }
    } else if (!loss.is_null()) {
        notes.push_back("the saved loss " + jsonExcerpt(loss, 50) + " is not a loss's name; mse is used");
    }
}

/// Whether `j` maps output names to their settings (a dict, not a Keras object).
bool byOutput(const json& j) { return j.is_object() && !j.contains("class_name") && !j.empty(); }

json trainingSettings(const json& loss, const json& optimizer, const json& metrics, const json& lossWeights,
                      std::vector<std::string>& notes) {
    json training = json::object();
    if (byOutput(metrics)) {
        // A model with several outputs: each output's metrics under its name.
        for (const auto& [name, list] : metrics.items()) {
            if (const json names = metricSettings(list, notes); !names.empty()) training["outputs"][name]["metrics"] = names;
        }
    } else if (const json names = metricSettings(metrics, notes); !names.empty()) {
        training["metrics"] = names;
    }
    if (byOutput(loss)) {
        for (const auto& [name, each] : loss.items()) {
            json into = json::object();
            readLoss(each, into, notes);
            for (const auto& [key, value] : into.items()) training["outputs"][name][key] = value;
        }
    } else {
        readLoss(loss, training, notes);
    }
    if (byOutput(lossWeights)) {
        for (const auto& [name, weight] : lossWeights.items()) {
            if (weight.is_number() && weight.get<double>() >= 0) {
                training["outputs"][name]["loss_weight"] = weight;
            } else {
                notes.push_back("the loss weight " + jsonExcerpt(weight, 20) + " of " + printableExcerpt(name) + " is not imported");
            }
        }
    } else if (lossWeights.is_array() && !lossWeights.empty()) {
        notes.push_back("loss weights given as a list are not imported; every output's loss weighs 1");
    }
    if (optimizer.is_object()) {
        std::string name = optimizer.value("class_name", std::string());
        std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        const json& config = optimizer.value("config", json::object());
        if (OptimizerConfig::defaultsFor(name)) {
            training["optimizer"] = optimizerSettings(name, config, notes);
        } else if (!name.empty()) {
            notes.push_back("the optimizer " + printableExcerpt(name) + " is not one LayerLoom has; Adam is used");
        }
    }
    notes.push_back("the optimizer's state is not imported; training starts its own");
    return training;
}

KerasImport readH5(const std::filesystem::path& path) {
    const Hdf5File file = Hdf5File::open(path);
    const std::string where = path.string();
    const std::optional<std::string> config = file.text("", "model_config");
    if (!config) {
        if (file.exists("layer_names") || file.texts("", "layer_names")) {
            throw KerasImportError(where + ": holds weights only (model.save_weights); LayerLoom opens whole models, "
                                           "saved with model.save(\"model.h5\")");
        }
        throw KerasImportError(where + ": not a Keras model: the file has no model_config");
    }
    if (config->size() > kMaxConfigBytes) throw KerasImportError(where + ": model_config is too large");
    const std::string version = file.text("", "keras_version").value_or("");
    const KerasProducer producer = producerOfVersion(version);
    KerasImport result;
    {
        KerasTopology topology = readKerasTopology(parseKerasJson(*config, where + ": model_config"), producer, where + ": model_config");
        result.project = std::move(topology.project);
        result.notes = std::move(topology.notes);
    }
    const ModelGraph& graph = result.project.graph;

    if (const std::optional<std::string> training = file.text("", "training_config")) {
        const json t = parseKerasJson(*training, where + ": training_config");
        if (t.is_object()) {
            result.project.training = trainingSettings(t.value("loss", json()), t.value("optimizer_config", json()),
                                                       t.value("metrics", json()), t.value("loss_weights", json()), result.notes);
        }
    }

    if (!file.isGroup("model_weights")) {
        result.notes.push_back("the file holds no weights: the layers start from new ones");
        return result;
    }
    const std::vector<std::string> layers = file.texts("model_weights", "layer_names").value_or(std::vector<std::string>{});
    WeightBudget budget;
    const ShapeCheck shapes(graph);
    for (const std::string& layer : layers) {
        const std::string group = "model_weights/" + layer;
        const std::optional<std::vector<std::string>> names = file.texts(group, "weight_names");
        if (!names) throw KerasImportError(where + ": " + group + ": the layer's weight_names are missing");
        if (names->empty()) continue;
        if (!graph.nodeByName(layer)) {
            throw KerasImportError(where + ": weights for layer '" + printableExcerpt(layer, 40) + "', which the model does not have");
        }
        const std::vector<std::string> params = weightNamesOf(graph, layer);
        for (const std::string& name : *names) {
            // tf.keras 2: "lstm_1/lstm_cell_1/kernel:0"; Keras 3: "lstm_1/lstm_cell/kernel".
            const std::string param = layerLoomWeightName(name.starts_with(layer + "/") ? name.substr(layer.size() + 1) : name);
            if (std::find(params.begin(), params.end(), param) == params.end()) {
                std::string list;
                for (const std::string& p : params) list += (list.empty() ? "" : ", ") + p;
                throw KerasImportError(where + ": " + group + ": weight '" + printableExcerpt(name) + "' is none of the weights of layer '" +
                                       printableExcerpt(layer, 40) + "' (" + list + ")");
            }
            Hdf5File::Floats values = file.floats(group + "/" + name, budget.left());
            budget.take(values);
            shapes.check(layer + "/" + param, values.shape, where + ": /" + group + "/" + name);
            result.weights.push_back({layer + "/" + param, std::move(values.shape), std::move(values.values)});
        }
    }
    return result;
}

KerasImport readArchive(const std::filesystem::path& path) {
    const std::string where = path.string();
    const ZipReader zip = ZipReader::open(path);
    if (!zip.has("config.json")) {
        throw KerasImportError(where + ": not a Keras model archive: it has no config.json");
    }
    KerasProducer producer = KerasProducer::Keras3;
    if (zip.has("metadata.json")) {
        const json metadata = parseKerasJson(zip.read("metadata.json", kMaxConfigBytes), where + ": metadata.json");
        if (metadata.is_object() && metadata.contains("keras_version") && metadata["keras_version"].is_string()) {
            producer = producerOfVersion(metadata["keras_version"].get<std::string>());
        }
    }
    const json config = parseKerasJson(zip.read("config.json", kMaxConfigBytes), where + ": config.json");
    KerasImport result;
    const KerasTopology topology = readKerasTopology(config, producer, where + ": config.json");
    result.project = topology.project;
    result.notes = topology.notes;
    if (config.is_object() && config.contains("compile_config") && config["compile_config"].is_object()) {
        const json& compiled = config["compile_config"];
        result.project.training = trainingSettings(compiled.value("loss", json()), compiled.value("optimizer", json()),
                                                   compiled.value("metrics", json()), compiled.value("loss_weights", json()),
                                                   result.notes);
    }

    if (!zip.has("model.weights.h5")) {
        if (zip.has("model.weights.npz")) {
            throw KerasImportError(where + ": the weights are in .npz form (weights_format=\"npz\"); LayerLoom reads "
                                           "the default, model.weights.h5");
        }
        throw KerasImportError(where + ": the archive has no model.weights.h5");
    }
    const Hdf5File weights = Hdf5File::fromMemory(zip.read("model.weights.h5", kMaxArchivedWeightsBytes), where + ": model.weights.h5");
    // Keras's saving_lib names each layer's place after its class, numbered per class in the
    // order of the model's layers: layers/lstm, layers/lstm_1, layers/time_distributed; a
    // recurrent layer's weights are its cell's, a TimeDistributed's its inner layer's.
    std::map<std::string, int> used;
    WeightBudget budget;
    const ShapeCheck shapes(result.project.graph);
    for (const KerasLayer& layer : topology.layers) {
        std::string key = kerasSnakeCase(layer.className);
        if (const auto [it, fresh] = used.try_emplace(key, 0); !fresh) {
            key += '_';
            key += std::to_string(++it->second);
        }
        const std::vector<std::string> params = weightNamesOf(result.project.graph, layer.name);
        if (params.empty()) continue;
        // The weights of each object that holds some (the layer, its cell, a wrapper's inner
        // layer), numbered in the order that object creates them.
        const Node& node = *result.project.graph.nodeByName(layer.name);
        const LayerSpec& spec = *findLayer(node.kind);
        std::vector<std::pair<std::string, std::vector<std::string>>> owners;
        for (const std::string& param : params) {
            const std::string owner = spec.kerasWeightPlace(node, {param, {}}).keras3Owner;
            auto it = std::find_if(owners.begin(), owners.end(), [&](const auto& o) { return o.first == owner; });
            if (it == owners.end()) it = owners.insert(owners.end(), {owner, {}});
            it->second.push_back(param);
        }
        for (const auto& [owner, names] : owners) {
            std::string vars = "layers/" + key + (owner.empty() ? "" : "/" + owner) + "/vars";
            // Keras 3 before its public query_dense, ... reached them by the private names.
            if (!owner.empty() && !weights.isGroup(vars) && weights.isGroup("layers/" + key + "/_" + owner + "/vars")) {
                vars = "layers/" + key + "/_" + owner + "/vars";
            }
            if (!weights.isGroup(vars)) {
                throw KerasImportError(weights.name() + ": no weights for layer '" + printableExcerpt(layer.name, 40) + "' (at " + vars + ")");
            }
            const std::vector<std::string> present = weights.members(vars);
            if (present.size() != names.size()) {
                throw KerasImportError(weights.name() + ": /" + vars + ": holds " + std::to_string(present.size()) + " weights; layer '" +
                                       printableExcerpt(layer.name, 40) + "' needs " + std::to_string(names.size()));
            }
            for (std::size_t i = 0; i < names.size(); ++i) {
                const std::string at = vars + "/" + std::to_string(i);
                if (!weights.exists(at)) throw KerasImportError(weights.name() + ": " + at + " is missing");
                Hdf5File::Floats values = weights.floats(at, budget.left());
                budget.take(values);
                shapes.check(layer.name + "/" + names[i], values.shape, weights.name() + ": /" + at);
                result.weights.push_back({layer.name + "/" + names[i], std::move(values.shape), std::move(values.values)});
            }
        }
    }
    return result;
}

}  // namespace

namespace {

/// Reads an .h5 or .keras file in this process, every failure a KerasImportError.
KerasImport readHere(const std::filesystem::path& file, KerasFileKind kind) {
    try {
        return kind == KerasFileKind::H5 ? readH5(file) : readArchive(file);
    } catch (const Hdf5Error& e) {
        throw KerasImportError(e.what());
    } catch (const ZipError& e) {
        throw KerasImportError(e.what());
    } catch (const json::exception&) {
        throw KerasImportError(file.string() + ": not a Keras model description: a value in it is of another kind "
                                               "(text, number, list, object) than Keras writes there");
    }
}

}  // namespace

KerasImport importKerasFile(const std::filesystem::path& file, std::chrono::seconds limit, std::stop_token stop) {
    const KerasFileKind kind = kerasFileKind(file);
    if (kind == KerasFileKind::LayersJson) return importKerasModel(file);
    if (kind == KerasFileKind::None) throw KerasImportError(file.string() + ": not a Keras model file (.keras, .h5 or a TF.js model.json)");
    // libhdf5 can loop for ever or crash on a damaged file: the reading happens in a child
    // process, which hands back the model as a project text (weights included) and the notes;
    // that text is read again here by the project reader, which takes nothing on trust.
    std::string answer;
    try {
        answer = runIsolated(
            [&] {
                KerasImport read = readHere(file, kind);
                read.project.weights = std::move(read.weights);
                return json{{"notes", read.notes}}.dump() + "\n" + serializeProject(read.project);
            },
            limit, file.string(), stop);
    } catch (const IsolatedError& e) {
        throw KerasImportError(e.what());
    }
    const std::size_t split = answer.find('\n');
    KerasImport result;
    try {
        if (split == std::string::npos) throw std::runtime_error("no notes");
        result.notes = json::parse(answer.substr(0, split)).at("notes").get<std::vector<std::string>>();
        result.project = parseProject(std::string_view(answer).substr(split + 1), file.string());
    } catch (const std::exception& e) {
        throw KerasImportError(file.string() + ": the reader's answer cannot be read (" + e.what() + ")");
    }
    result.weights = std::move(result.project.weights);
    result.project.weights.clear();
    return result;
}

}  // namespace loom
