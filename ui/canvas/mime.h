#pragma once

namespace loom::ui {

/// Drag-and-drop payload of a palette entry: the layer kind ("LSTM"), as UTF-8.
inline constexpr char kLayerKindMime[] = "application/x-layerloom-layer-kind";
/// Drag-and-drop payload of a saved block in the palette: the block file's path, as UTF-8.
inline constexpr char kBlockMime[] = "application/x-layerloom-block";
/// Clipboard payload of copied layers: a LayerLoom project holding just them.
inline constexpr char kLayersMime[] = "application/x-layerloom-layers";

}  // namespace loom::ui
