#pragma once

#include <QString>

namespace loom::ui {

/// "1 layer", "3 layers": a count with its noun for messages. (Qt's %n plural forms need a
/// translation file even for English; LayerLoom's messages are English.)
inline QString counted(qsizetype n, const QString& noun) {
    return QString::number(n) + " " + (n == 1 ? noun : noun + "s");
}

}  // namespace loom::ui
