#pragma once

#include <QColor>
#include <QFont>
#include <QString>
#include <algorithm>

#include "layers/layer_registry.h"

namespace loom::ui::style {

// Geometry of node cards and wires, in scene units (1 unit = 1 pixel at 100% zoom).
inline constexpr double kCardWidth = 230.0;
inline constexpr double kHeaderHeight = 26.0;
inline constexpr double kLineHeight = 18.0;
inline constexpr double kPortRadius = 5.5;
inline constexpr double kCornerRadius = 7.0;
/// How near a port a press or a dragged wire's end must be to take it, in screen pixels.
inline constexpr double kPortGrab = 12.0;
/// kPortGrab in scene units at a zoom factor: ports stay easy to hit when zoomed out.
inline double portGrab(double zoom) { return kPortGrab / std::min(1.0, std::max(zoom, 0.05)); }
/// Below this zoom, cards are drawn compact (name and kind in text of a readable size) and
/// wires without their shapes: the cards' own text would be too small to read, and drawing it
/// is most of the cost of a frame.
inline constexpr double kDetailZoom = 0.5;
/// The vertical distance between layers in a column of the examples and of auto-layout.
inline constexpr double kRowPitch = 120.0;

/// The canvas's colours: dark (the default on a dark desktop) or light. Cards' coloured
/// headers with white text read on both.
enum class Theme { Dark, Light };
/// The theme the canvas draws with now; setTheme() changes it (then redraw).
inline Theme& currentTheme() {
    static Theme theme = Theme::Dark;
    return theme;
}
inline void setTheme(Theme theme) { currentTheme() = theme; }
inline bool light() { return currentTheme() == Theme::Light; }

inline QColor canvasBackground() { return light() ? QColor(0xf3, 0xf4, 0xf6) : QColor(0x23, 0x25, 0x2a); }
inline QColor gridDot() { return light() ? QColor(0xcf, 0xd3, 0xda) : QColor(0x38, 0x3b, 0x42); }
inline QColor cardBody() { return light() ? QColor(0xff, 0xff, 0xff) : QColor(0x32, 0x35, 0x3c); }
inline QColor cardBorder() { return light() ? QColor(0xbd, 0xc2, 0xcb) : QColor(0x4a, 0x4e, 0x57); }
inline QColor selection() { return light() ? QColor(0x1f, 0x5f, 0xc8) : QColor(0xf0, 0xf0, 0xf0); }
inline QColor textPrimary() { return light() ? QColor(0x1d, 0x1f, 0x23) : QColor(0xec, 0xed, 0xef); }
inline QColor textSecondary() { return light() ? QColor(0x55, 0x5a, 0x64) : QColor(0xa9, 0xad, 0xb6); }
inline QColor shapeText() { return light() ? QColor(0x0b, 0x5c, 0xad) : QColor(0x9f, 0xd8, 0xff); }
inline QColor wire() { return light() ? QColor(0x7d, 0x83, 0x8e) : QColor(0x8d, 0x93, 0x9e); }
inline QColor error() { return light() ? QColor(0xd3, 0x2f, 0x2f) : QColor(0xf0, 0x4c, 0x4c); }
inline QColor warning() { return light() ? QColor(0xc0, 0x73, 0x00) : QColor(0xf5, 0xb0, 0x3c); }
inline QColor accept() { return light() ? QColor(0x2e, 0x9d, 0x57) : QColor(0x4c, 0xc9, 0x7a); }
/// The tint over the part of the model the minimap's frame shows.
inline QColor frameTint() { return light() ? QColor(0x1f, 0x5f, 0xc8, 24) : QColor(255, 255, 255, 28); }

/// Header colour per palette group, so that a glance tells recurrent from merge layers: the
/// layer kinds' own (LayerCategory), and teal for collapsed groups and saved blocks ("Group").
inline QColor categoryColor(const QString& category) {
    if (category == "Group") return {0x1f, 0x8a, 0x8a};
    for (const LayerSpec* spec : allLayers()) {
        const LayerCategory c = spec->category();
        if (category == QLatin1String(c.name.data(), static_cast<qsizetype>(c.name.size()))) {
            return QColor::fromRgb(c.color);
        }
    }
    return QColor::fromRgb(category::kCore.color);
}

inline QFont monoFont(double pointSize = 8.5) {
    QFont f(QStringLiteral("DejaVu Sans Mono"));
    f.setStyleHint(QFont::Monospace);
    f.setPointSizeF(pointSize);
    return f;
}

inline QFont uiFont(double pointSize = 9.0, bool bold = false) {
    QFont f(QStringLiteral("DejaVu Sans"));
    f.setPointSizeF(pointSize);
    f.setBold(bold);
    return f;
}

}  // namespace loom::ui::style
