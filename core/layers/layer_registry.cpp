#include "layers/layer_registry.h"

#include <memory>
#include <unordered_map>

#include "layers/add.h"
#include "layers/concatenate.h"
#include "layers/dense.h"
#include "layers/dropout.h"
#include "layers/gru.h"
#include "layers/input.h"
#include "layers/lstm.h"
#include "layers/repeat_vector.h"

namespace loom {

namespace {

struct Registry {
    std::vector<std::unique_ptr<LayerSpec>> owned;
    std::vector<const LayerSpec*> ordered;
    std::unordered_map<std::string_view, const LayerSpec*> byKind;

    template <class Spec>
    void add() {
        owned.push_back(std::make_unique<Spec>());
        ordered.push_back(owned.back().get());
        byKind.emplace(owned.back()->kind(), owned.back().get());
    }
};

const Registry& registry() {
    static const Registry r = [] {
        Registry reg;
        // One line per layer kind, in palette order.
        reg.add<InputSpec>();
        reg.add<LstmSpec>();
        reg.add<GruSpec>();
        reg.add<DenseSpec>();
        reg.add<TimeDistributedSpec>();
        reg.add<RepeatVectorSpec>();
        reg.add<AddSpec>();
        reg.add<ConcatenateSpec>();
        reg.add<DropoutSpec>();
        return reg;
    }();
    return r;
}

}  // namespace

const LayerSpec* findLayer(std::string_view kind) {
    const auto& map = registry().byKind;
    auto it = map.find(kind);
    return it == map.end() ? nullptr : it->second;
}

const std::vector<const LayerSpec*>& allLayers() { return registry().ordered; }

}  // namespace loom
