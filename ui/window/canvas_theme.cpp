#include "window/canvas_theme.h"

#include <QActionGroup>
#include <QApplication>
#include <QEvent>
#include <QMenu>
#include <QPalette>
#include <QSettings>

#include "canvas/canvas_style.h"
#include "canvas/graph_scene.h"

namespace loom::ui {

namespace {

const char* key(CanvasTheme::Choice c) {
    switch (c) {
        case CanvasTheme::Choice::Light: return "light";
        case CanvasTheme::Choice::Dark: return "dark";
        case CanvasTheme::Choice::System: break;
    }
    return "system";
}

}  // namespace

CanvasTheme::CanvasTheme(GraphScene* scene, QMenu* viewMenu, QObject* parent)
    : QObject(parent), m_scene(scene), m_group(new QActionGroup(this)) {
    QMenu* menu = viewMenu->addMenu(tr("&Theme"));
    menu->setObjectName("themeMenu");
    for (const auto& [choice, label, tip] :
         {std::tuple{Choice::System, tr("Follow the &Desktop"), tr("Light or dark canvas as the desktop's colours are")},
          std::tuple{Choice::Light, tr("&Light"), tr("A light canvas whatever the desktop's colours")},
          std::tuple{Choice::Dark, tr("&Dark"), tr("A dark canvas whatever the desktop's colours")}}) {
        QAction* a = menu->addAction(label);
        a->setCheckable(true);
        a->setStatusTip(tip);
        a->setData(static_cast<int>(choice));
        m_group->addAction(a);
        connect(a, &QAction::triggered, this, [this, c = choice] { choose(c); });
    }
    const QString saved = QSettings().value("canvas/theme", "system").toString();
    for (Choice c : {Choice::System, Choice::Light, Choice::Dark}) {
        if (saved == key(c)) m_choice = c;
    }
    qApp->installEventFilter(this);
    apply();
}

void CanvasTheme::choose(Choice choice) {
    m_choice = choice;
    QSettings().setValue("canvas/theme", key(choice));
    apply();
}

bool CanvasTheme::eventFilter(QObject* watched, QEvent* event) {
    if (watched == qApp && event->type() == QEvent::ApplicationPaletteChange && m_choice == Choice::System) apply();
    return QObject::eventFilter(watched, event);
}

void CanvasTheme::apply() {
    for (QAction* a : m_group->actions()) a->setChecked(a->data().toInt() == static_cast<int>(m_choice));
    style::Theme theme = style::Theme::Dark;
    if (m_choice == Choice::Light) {
        theme = style::Theme::Light;
    } else if (m_choice == Choice::System) {
        const QPalette palette = QApplication::palette();
        theme = palette.color(QPalette::Window).lightness() >= 128 ? style::Theme::Light : style::Theme::Dark;
    }
    if (theme == style::currentTheme()) return;
    style::setTheme(theme);
    m_scene->invalidate(m_scene->sceneRect(), QGraphicsScene::AllLayers);
    m_scene->update();
}

}  // namespace loom::ui
