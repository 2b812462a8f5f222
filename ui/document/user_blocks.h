#pragma once

#include <QList>
#include <QString>
#include <cstdint>

#include "graph/model_graph.h"

namespace loom::ui {

/// Blocks users saved from groups ("residual LSTM block") to reuse from the palette. Each is a
/// small LayerLoom project holding the group's layers, inner wires and the group itself, in
/// the application's data folder.
struct UserBlock {
    QString name;
    QString path;
    QString description;  ///< what a shipped block is; empty for the user's own
};

/// The blocks LayerLoom ships (Transformer encoders), compiled in under ":/blocks".
QList<UserBlock> builtInBlocks();

class UserBlocks {
public:
    static QString directory();
    /// Every saved block, by name.
    static QList<UserBlock> list();
    /// Saves `group` of `graph` as a block called `name` (replacing one of the same name);
    /// returns its path. Throws std::runtime_error with the reason.
    static QString save(const ModelGraph& graph, std::uint32_t group, const QString& name);
    /// The block's layers, positioned as when saved (a saved or a shipped block). Throws
    /// ProjectError when it is unreadable.
    static ModelGraph load(const QString& path);
    static bool remove(const QString& path);
};

}  // namespace loom::ui
