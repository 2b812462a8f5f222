#pragma once

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

/// "lstm_1", "lstm_1 and dense_2", "lstm_1, lstm_2 and dense_2".
inline QString listed(const std::vector<std::string>& names) {
    QString out;
    for (std::size_t i = 0; i < names.size(); ++i) {
        if (i > 0) out += i + 1 == names.size() ? " and " : ", ";
        out += QString::fromStdString(names[i]);
    }
    return out;
}

}  // namespace loom::ui
