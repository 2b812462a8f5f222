#include "canvas/minimap.h"

#include <QMouseEvent>
#include <QPainter>
#include <QScrollBar>

#include "canvas/canvas_style.h"
#include "canvas/canvas_view.h"
#include "canvas/graph_scene.h"

namespace loom::ui {

namespace {
constexpr int kWidth = 200;
constexpr int kHeight = 150;
constexpr int kMargin = 12;
}  // namespace

Minimap::Minimap(GraphScene* scene, CanvasView* view)
    : QWidget(view->viewport()), m_scene(scene), m_view(view) {
    setObjectName("minimap");
    resize(kWidth, kHeight);
    setCursor(Qt::PointingHandCursor);
    setToolTip(tr("Overview: click or drag to move the view"));
    m_redraw.setSingleShot(true);
    m_redraw.setInterval(100);
    connect(&m_redraw, &QTimer::timeout, this, &Minimap::redraw);
    connect(m_scene, &QGraphicsScene::changed, this, [this] {
        if (!m_redraw.isActive()) m_redraw.start();
    });
    const auto follow = [this] {
        refreshVisibility();
        update();
    };
    connect(m_view->horizontalScrollBar(), &QScrollBar::valueChanged, this, follow);
    connect(m_view->verticalScrollBar(), &QScrollBar::valueChanged, this, follow);
    connect(m_view, &CanvasView::zoomChanged, this, follow);
    view->viewport()->installEventFilter(this);
    place();
    redraw();
}

void Minimap::setEnabledByUser(bool on) {
    m_wanted = on;
    refreshVisibility();
}

bool Minimap::eventFilter(QObject* watched, QEvent* event) {
    if (watched == m_view->viewport() && event->type() == QEvent::Resize) {
        place();
        refreshVisibility();
    }
    return QWidget::eventFilter(watched, event);
}

void Minimap::place() {
    const QRect area = m_view->viewport()->rect();
    move(area.right() - kWidth - kMargin, area.bottom() - kHeight - kMargin);
}

void Minimap::refreshVisibility() {
    place();
    const QRectF visible = m_view->mapToScene(m_view->viewport()->rect()).boundingRect();
    const QRectF content = m_scene->contentRect();
    const bool needed = !visible.contains(content);
    // On a small canvas it would cover what it gives an overview of.
    const QSize area = m_view->viewport()->size();
    setVisible(m_wanted && needed && area.width() > 3 * kWidth && area.height() > 5 * kHeight / 2);
}

void Minimap::redraw() {
    m_source = m_scene->contentRect();
    QPixmap picture(size() * devicePixelRatioF());
    picture.setDevicePixelRatio(devicePixelRatioF());
    picture.fill(Qt::transparent);
    QPainter p(&picture);
    p.setRenderHint(QPainter::Antialiasing);
    const QRectF target = pictureRect();
    m_scene->render(&p, target, m_source, Qt::KeepAspectRatio);
    p.end();
    m_picture = picture;
    refreshVisibility();
    update();
}

QRectF Minimap::pictureRect() const {
    // The content, scaled to fit inside the widget with a small border, centred.
    const QRectF box = QRectF(rect()).adjusted(6, 6, -6, -6);
    if (m_source.isEmpty()) return box;
    const double scale = std::min(box.width() / m_source.width(), box.height() / m_source.height());
    const QSizeF size = m_source.size() * scale;
    return QRectF(box.center() - QPointF(size.width(), size.height()) / 2, size);
}

void Minimap::paintEvent(QPaintEvent*) {
    QPainter p(this);
    p.setRenderHint(QPainter::Antialiasing);
    QColor panel = style::cardBody();
    panel.setAlpha(230);
    p.setPen(QPen(style::cardBorder(), 1.0));
    p.setBrush(panel);
    p.drawRoundedRect(QRectF(rect()).adjusted(0.5, 0.5, -0.5, -0.5), 6, 6);
    p.drawPixmap(0, 0, m_picture);
    if (m_source.isEmpty()) return;
    // The part the canvas shows now.
    const QRectF target = pictureRect();
    const double scale = target.width() / m_source.width();
    const QRectF visible = m_view->mapToScene(m_view->viewport()->rect()).boundingRect();
    const QRectF frame((visible.left() - m_source.left()) * scale + target.left(),
                       (visible.top() - m_source.top()) * scale + target.top(),
                       visible.width() * scale, visible.height() * scale);
    p.setPen(QPen(style::selection(), 1.5));
    p.setBrush(style::frameTint());
    p.drawRect(frame.intersected(QRectF(rect()).adjusted(1, 1, -1, -1)));
}

void Minimap::moveViewTo(QPointF widgetPos) {
    if (m_redraw.isActive()) {  // the picture is about to change: go by the new one
        m_redraw.stop();
        redraw();
    }
    const QRectF target = pictureRect();
    if (m_source.isEmpty() || target.isEmpty()) return;
    const double scale = target.width() / m_source.width();
    const QPointF scenePos((widgetPos.x() - target.left()) / scale + m_source.left(),
                           (widgetPos.y() - target.top()) / scale + m_source.top());
    m_view->centerOn(scenePos);
}

void Minimap::mousePressEvent(QMouseEvent* event) {
    if (event->button() == Qt::LeftButton) moveViewTo(event->position());
    event->accept();
}

void Minimap::mouseMoveEvent(QMouseEvent* event) {
    if (event->buttons() & Qt::LeftButton) moveViewTo(event->position());
    event->accept();
}

}  // namespace loom::ui
