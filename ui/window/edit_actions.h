#pragma once

#include <QObject>
#include <QPointF>
#include <vector>

#include "graph/ids.h"
#include "graph/model_graph.h"

class QAction;
class QMenu;

namespace loom::ui {

class CanvasView;
class Document;
class GraphScene;

/// The editing commands that work on the selection: add a layer (quick-add), cut, copy, paste,
/// duplicate, and the skip-connection helpers. Each is one undo step; each explains itself in
/// the status bar when it cannot apply.
class EditActions : public QObject {
    Q_OBJECT

public:
    EditActions(Document* document, GraphScene* scene, CanvasView* view, QObject* parent);

    /// Adds the actions to the Edit menu; shortcuts work on the canvas.
    void addTo(QMenu* edit);

    /// Opens the quick-add box at a scene point: after the one selected layer, if any.
    void quickAdd(QPointF scenePos);
    /// Adds a layer of `kind` in the middle of the view (or below the one selected layer,
    /// wired from it) and selects it.
    void addLayer(const QString& kind);
    void copy();
    void cut();
    void paste();
    void duplicate();
    /// Adds a call of the one selected layer beside it: a layer sharing its weights, unwired.
    void callAgain();
    /// Joins the two selected layers with a skip through Add or Concatenate.
    void connectWithSkip(const QString& mergeKind);
    /// Symmetric U-Net skips for the whole autoencoder.
    void symmetricSkips(const QString& mergeKind);

    /// Gathers the selected layers into a collapsed group, asking for its name.
    void groupSelection();
    /// The same with a given name; returns the group's id (0 when nothing is selected).
    std::uint32_t groupSelectionAs(const QString& name);
    /// Dissolves the groups of the selected cards.
    void ungroupSelection();
    void renameGroup(std::uint32_t group);
    /// Saves a group as a block in the palette's My Blocks, asking for its name.
    void saveBlock(std::uint32_t group);
    /// Adds a saved or shipped block with its top at `at`, as a collapsed group; with `after`,
    /// wires that layer into every input the block's entry needs. One undo step.
    void addBlock(const QString& path, loom::Point at, loom::NodeId after = 0);
    /// The same below the one selected layer, wired from it; else in the middle of the view.
    void addBlockAtCentre(const QString& path);

signals:
    /// A short note for the status bar.
    void hint(const QString& text);
    /// A command the user chose could not be carried out: why, in words.
    void failed(const QString& title, const QString& reason);
    /// A block was saved to My Blocks.
    void blocksChanged();

private:
    Document* m_document;
    GraphScene* m_scene;
    CanvasView* m_view;
    int m_pasteCount = 0;  ///< consecutive pastes of one copy step further down-right

    /// Where a new layer goes: below the one selected layer and wired from it, else at
    /// `fallback`.
    /// Where a layer added from the palette or quick-add goes: below the one selected layer,
    /// spliced into the wire to the layer that follows it in the chain (the consumer nearest
    /// below), or wired from it when nothing follows; else at a point.
    struct Placement {
        Point at;
        NodeId after = 0;
        QString afterName;
        EdgeId splice = 0;     ///< the wire the new layer goes into
        QString beforeName;    ///< the layer at that wire's end
        QStringList bypassed;  ///< other layers that keep reading `after` directly (skips)
    };
    Placement placeNewLayer(QPointF fallback) const;
    void addAt(const QString& kind, const Placement& place);

    std::vector<NodeId> selection() const;
    /// The layer a block added now follows (see addBlockAtCentre), or 0.
    NodeId followedLayer() const;
    QAction* action(QMenu* menu, const QString& text, const QKeySequence& key,
                    const QString& tip, void (EditActions::*slot)());
};

}  // namespace loom::ui
