#pragma once

#include <vector>

#include "canvas/node_card.h"
#include "graph/model_graph.h"
#include "shape/validator.h"

namespace loom::ui {

/// A card as the canvas shows it: what it says, where it stands, whether it is drawn (the
/// layers of a collapsed group are not; the group's card stands in for them).
struct CardContent {
    NodeCard card;
    Point position;
    bool hidden = false;
};

/// A wire as the canvas shows it, between cards: a wire that enters or leaves a collapsed
/// group ends at the group's card (groupCardId()) and at the group's port for it.
struct WireContent {
    EdgeId id = 0;
    NodeId from = 0;
    NodeId to = 0;
    int toPort = 0;
    int fromPort = 0;     ///< 0, or a recurrent layer's state port
    bool inside = false;  ///< between two layers of one collapsed group: not drawn
    QString label;        ///< the shape it carries; empty where a parallel wire already says it
    Status status = Status::Ok;
    QString problem;      ///< the worst problem on the port it enters
    QString note;         ///< what hovering it says besides the shape (what "masked" means)
};

/// Everything the canvas draws for a model, as plain values: a card per layer (graph order),
/// a card per collapsed group, a wire per edge. The scene only turns it into items.
struct SceneContent {
    std::vector<CardContent> cards;
    std::vector<CardContent> groupCards;
    std::vector<WireContent> wires;
};

SceneContent sceneContent(const ModelGraph& graph, const Validation& validation);

/// A layer's output shape as the window shows it, on its card and in the Inspector: "(None,
/// 20)", "int32" or "masked" after it where it applies, "? ((None, 32, 64) once fixed)" for a
/// merge of branches that do not fit yet.
QString outputShapeText(const ModelGraph& graph, const Validation& validation, NodeId id);

}  // namespace loom::ui
