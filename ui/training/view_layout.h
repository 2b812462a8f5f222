#pragma once

#include <QBoxLayout>
#include <QLabel>
#include <QSplitter>
#include <QWidget>
#include <initializer_list>
#include <utility>

namespace loom::ui {

/// A column of widgets (with their stretch factors) in a new widget without margins.
inline QWidget* column(QWidget* parent, std::initializer_list<std::pair<QWidget*, int>> widgets) {
    auto* box = new QWidget(parent);
    auto* layout = new QVBoxLayout(box);
    layout->setContentsMargins(0, 0, 0, 0);
    for (const auto& [widget, stretch] : widgets) layout->addWidget(widget, stretch);
    return box;
}

/// The layout of the views that show a trained model's answer (Anomalies, Forecast): in
/// `content`, the tool bar over the plots beside a side column (the plots take what the side
/// does not need); under it, the note that says why nothing is shown or what is going on.
/// Returns the plots and the side column together, without the tool bar: what a PNG shows.
inline QWidget* layOutAnswerView(QWidget* view, QWidget* content, QLayout* bar, QWidget* plots, QWidget* side, QLabel* note) {
    auto* split = new QSplitter(Qt::Horizontal, content);
    split->addWidget(plots);
    split->addWidget(side);
    split->setStretchFactor(0, 1);
    split->setStretchFactor(1, 0);
    split->setSizes({800, 440});
    auto* contentLayout = new QVBoxLayout(content);
    contentLayout->setContentsMargins(0, 0, 0, 0);
    contentLayout->addLayout(bar);
    contentLayout->addWidget(split, 1);
    auto* layout = new QVBoxLayout(view);
    layout->setContentsMargins(2, 2, 2, 2);
    layout->addWidget(content, 1);
    layout->addWidget(note);
    return split;
}

}  // namespace loom::ui
