#pragma once

#include <QString>

namespace loom::ui {

class GraphScene;

/// Writes the whole canvas (every card and wire, with a margin) to a PNG, SVG or PDF file,
/// chosen by the file's extension. `scale` multiplies the PNG's pixel size (1 = 100% zoom).
/// Selection highlights are left out. Returns false with a reason in `error`.
bool exportCanvas(GraphScene* scene, const QString& path, double scale, QString* error);

}  // namespace loom::ui
