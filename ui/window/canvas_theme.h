#pragma once

#include <QObject>

class QActionGroup;
class QMenu;

namespace loom::ui {

class GraphScene;

/// View > Theme: the canvas in dark or light colours, or following the desktop (the
/// default): light on a light desktop palette, dark on a dark one, and again when the desktop
/// switches. The choice is kept in QSettings (`canvas/theme`: system, light or dark).
class CanvasTheme : public QObject {
    Q_OBJECT

public:
    enum class Choice { System, Light, Dark };

    CanvasTheme(GraphScene* scene, QMenu* viewMenu, QObject* parent);

    Choice choice() const { return m_choice; }
    void choose(Choice choice);

protected:
    bool eventFilter(QObject* watched, QEvent* event) override;

private:
    GraphScene* m_scene;
    QActionGroup* m_group;
    Choice m_choice = Choice::System;

    void apply();
};

}  // namespace loom::ui
