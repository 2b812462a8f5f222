#pragma once

#include <cstdint>

#include <QString>
#include <string>
#include <string_view>
#include <vector>

namespace loom::ui {

/// Text from the core (UTF-8, often a string_view into a layer's schema) as a QString.
inline QString qText(std::string_view text) {
    return QString::fromUtf8(text.data(), static_cast<qsizetype>(text.size()));
}

/// "1 layer", "3 layers": a count with its noun for messages. (Qt's %n plural forms need a
/// translation file even for English; LayerLoom's messages are English.)
inline QString counted(qsizetype n, const QString& noun) {
    return QString::number(n) + " " + (n == 1 ? noun : noun + "s");
}

/// "lstm_1", "lstm_1 and dense_2", "lstm_1, lstm_2 and dense_2"; past `most` names,
/// "lstm_1, lstm_2, lstm_3, lstm_4 and 3 more".
inline QString listed(const std::vector<std::string>& names, std::size_t most = SIZE_MAX) {
    QString out;
    const std::size_t shown = names.size() > most ? most : names.size();
    for (std::size_t i = 0; i < shown; ++i) {
        if (i > 0) out += i + 1 == shown && shown == names.size() ? " and " : ", ";
        out += QString::fromStdString(names[i]);
    }
    if (shown < names.size()) out += QString(" and %1 more").arg(names.size() - shown);
    return out;
}

}  // namespace loom::ui
