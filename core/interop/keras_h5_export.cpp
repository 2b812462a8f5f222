// Keras's .h5 model file, as tf.keras 2 writes it (keras/saving/legacy/hdf5_format.py).
#include <map>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "engine/loss.h"
#include "engine/plan.h"
#include "interop/hdf5_file.h"
#include "interop/keras_export.h"
#include "interop/keras_topology.h"
#include "shape/validator.h"
#include "train/config_json.h"

namespace loom {

using nlohmann::json;

namespace {

/// tf.keras 2's name of a weight: a recurrent layer's belong to its cell.
std::string tfKerasWeightName(const Node& node, const std::string& param) {
    if (node.kind == "LSTM") return node.name + "/lstm_cell/" + param + ":0";
    if (node.kind == "GRU") return node.name + "/gru_cell/" + param + ":0";
    return node.name + "/" + param + ":0";
}

/// The project's loss and optimizer as tf.keras 2's training_config.
json trainingConfig(const nlohmann::json& training) {
    const TrainConfig c = trainConfigFromJson(training);
    static const std::map<std::string, std::string> classes{{"adam", "Adam"}, {"adamw", "AdamW"}, {"sgd", "SGD"}, {"rmsprop", "RMSprop"}};
    const std::string name = c.optimizer.name();
    const auto cls = classes.find(name);
    json optimizer = {{"name", cls != classes.end() ? cls->second : name}, {"learning_rate", c.optimizer.learningRate}};
    if (name == "adam" || name == "adamw") {
        optimizer["beta_1"] = c.optimizer.beta1;
        optimizer["beta_2"] = c.optimizer.beta2;
        optimizer["epsilon"] = c.optimizer.epsilon;
        optimizer["amsgrad"] = false;
    }
    if (name == "adamw") optimizer["weight_decay"] = c.optimizer.weightDecay;
    if (name == "sgd") {
        optimizer["momentum"] = c.optimizer.momentum;
        optimizer["nesterov"] = c.optimizer.nesterov;
    }
    if (name == "rmsprop") {
        optimizer["rho"] = c.optimizer.rho;
        optimizer["epsilon"] = c.optimizer.epsilon;
    }
    return {{"loss", lossName(c.loss)},
            {"metrics", nullptr},
            {"weighted_metrics", nullptr},
            {"loss_weights", nullptr},
            {"optimizer_config", {{"class_name", cls != classes.end() ? cls->second : name}, {"config", optimizer}}}};
}

}  // namespace

void exportKerasH5(const Project& project, const std::vector<NamedTensor>& weights, const std::filesystem::path& file) {
    const ModelGraph& graph = project.graph;
    const json config = kerasModelConfig(graph, project.name.empty() ? "model" : project.name, KerasLayerOrder::Keras);
    std::map<std::string, const NamedTensor*> byName;
    for (const NamedTensor& t : weights) byName[t.name] = &t;
    std::map<std::string, std::vector<const NamedTensor*>> ofLayer;
    for (const NamedShape& needed : parameterShapes(graph)) {
        const auto it = byName.find(needed.name);
        if (it == byName.end()) throw std::invalid_argument("no weights for " + needed.name);
        if (it->second->shape != needed.shape) throw std::invalid_argument("the weights of " + needed.name + " do not fit its layer");
        ofLayer[needed.name.substr(0, needed.name.find('/'))].push_back(it->second);
    }

    Hdf5Writer h5 = Hdf5Writer::create(file);
    h5.text("", "keras_version", "2.15.0");
    h5.text("", "backend", "tensorflow");
    h5.text("", "model_config", config.dump());
    h5.text("", "training_config", trainingConfig(project.training).dump());
    std::vector<std::string> layers;
    for (const json& l : config["config"]["layers"]) layers.push_back(l["name"].get<std::string>());
    h5.names("model_weights", "layer_names", layers);
    h5.text("model_weights", "backend", "tensorflow");
    h5.text("model_weights", "keras_version", "2.15.0");
    for (const std::string& layer : layers) {
        const Node& node = *graph.nodeByName(layer);
        const std::string group = "model_weights/" + layer;
        std::vector<std::string> names;
        for (const NamedTensor* t : ofLayer[layer]) names.push_back(tfKerasWeightName(node, t->name.substr(t->name.rfind('/') + 1)));
        h5.names(group, "weight_names", names);
        for (std::size_t i = 0; i < names.size(); ++i) h5.floats(group + "/" + names[i], ofLayer[layer][i]->shape, ofLayer[layer][i]->values);
    }
    h5.close();
}

}  // namespace loom
