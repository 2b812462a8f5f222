#include "layers/layer_registry.h"

#include <memory>
#include <unordered_map>

#include "layers/kinds.h"

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
#define LAYERLOOM_ADD_KIND(Spec) reg.add<Spec>();
        LAYERLOOM_LAYER_KINDS(LAYERLOOM_ADD_KIND)
#undef LAYERLOOM_ADD_KIND
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
