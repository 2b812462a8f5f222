#pragma once

#include <QList>
#include <QString>

namespace loom::ui {

/// A model shipped inside the application (resources/examples).
struct Example {
    QString title;
    QString resource;  ///< Qt resource path, `:/examples/NAME.loom`
};

/// The built-in examples, in menu order; the first is the one the app opens with.
const QList<Example>& builtInExamples();

}  // namespace loom::ui
