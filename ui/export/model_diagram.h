#pragma once

#include <QImage>
#include <QSize>
#include <QString>

#include "graph/model_graph.h"
#include "shape/validator.h"

namespace loom::ui {

/// Writes the Keras `plot_model(show_shapes=True)`-style diagram of a model: a box per layer
/// with its name, kind, input and output shapes, laid out in layers top to bottom with arrows
/// for the wires (skips bow out beside the column). The format follows the extension: .png
/// (`pngScale` times 1 px per unit), .svg, .pdf, or .dot (Graphviz source, see diagramDot).
/// Layers with problems are drawn in red. Returns false with a reason in `error`. All but DOT
/// need a QGuiApplication (the offscreen platform will do).
bool exportModelDiagram(const ModelGraph& graph, const Validation& validation,
                        const QString& title, const QString& path, double pngScale,
                        QString* error);

/// The same diagram as an image no larger than `bound` (device-independent pixels), to scale
/// (never enlarged), for previews such as the template gallery; null for a model without
/// layers.
QImage modelDiagramImage(const ModelGraph& graph, const Validation& validation, QSize bound, qreal pixelRatio = 1.0);

}  // namespace loom::ui
