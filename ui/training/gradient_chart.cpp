#include "training/gradient_chart.h"
#include "training/chart_util.h"

#include <QToolTip>
#include <QVBoxLayout>
#include <QtCharts/QChart>
#include <QtCharts/QChartView>
#include <QtCharts/QLineSeries>
#include <QtCharts/QLogValueAxis>
#include <QtCharts/QValueAxis>
#include <cmath>
#include <map>

namespace loom::ui {

GradientChart::GradientChart(QWidget* parent)
    : QWidget(parent), m_chart(new QChart), m_view(new QChartView(m_chart, this)) {
    m_view->setRenderHint(QPainter::Antialiasing);
    m_view->setMinimumHeight(kMinimumPlotHeight);  // a squeezed dock keeps readable axes
    m_chart->legend()->setAlignment(Qt::AlignRight);
    m_chart->setMargins(QMargins(4, 4, 4, 4));
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(2, 2, 2, 2);
    layout->addWidget(m_view);
    setToolTip(tr("Mean gradient norm of each layer's weights per epoch. Layers whose gradients "
                  "are orders of magnitude below the others barely learn."));
}

void GradientChart::setRun(const TrainingRun& run) {
    clearChart(m_chart);
    auto* x = new QValueAxis;
    x->setTitleText(tr("epoch"));
    x->setLabelFormat("%d");
    auto* y = new QLogValueAxis;
    y->setTitleText(tr("gradient norm"));
    y->setLabelFormat("%g");
    y->setMinorTickCount(-1);
    m_chart->addAxis(x, Qt::AlignBottom);
    m_chart->addAxis(y, Qt::AlignLeft);
    // Layers in model order (as the first epoch lists them).
    std::vector<std::string> layers;
    std::map<std::string, QList<QPointF>> points;
    double lo = INFINITY, hi = -INFINITY;
    for (const EpochReport& e : run.history) {
        for (const LayerGradient& g : e.gradients) {
            if (!points.contains(g.layer)) layers.push_back(g.layer);
            auto& list = points[g.layer];
            if (g.norm > 0 && std::isfinite(g.norm)) {
                list.append(QPointF(e.epoch, g.norm));
                lo = std::min(lo, g.norm);
                hi = std::max(hi, g.norm);
            }
        }
    }
    // Ten distinct colours (matplotlib's tab10): deep models have many layers.
    static const QColor palette[] = {{31, 119, 180}, {255, 127, 14}, {44, 160, 44}, {214, 39, 40},
                                     {148, 103, 189}, {140, 86, 75}, {227, 119, 194}, {127, 127, 127},
                                     {188, 189, 34}, {23, 190, 207}};
    int index = 0;
    for (const std::string& layer : layers) {
        auto* s = new QLineSeries;
        s->setName(QString::fromStdString(layer));
        QPen pen(palette[index++ % std::size(palette)]);
        pen.setWidthF(2.0);
        s->setPen(pen);
        s->replace(points[layer]);
        s->setPointsVisible(run.history.size() < 60);
        m_chart->addSeries(s);
        s->attachAxis(x);
        s->attachAxis(y);
        connect(s, &QLineSeries::hovered, this, [this, layer](const QPointF& p, bool state) {
            if (state) {
                QToolTip::showText(QCursor::pos(), tr("%1\nepoch %2: %3").arg(QString::fromStdString(layer)).arg(p.x()).arg(p.y(), 0, 'g', 4), m_view);
            }
        });
    }
    setEpochAxis(x, static_cast<double>(run.history.size()));
    if (lo <= hi) y->setRange(lo / 2, hi * 2);
    m_chart->setTitle(run.history.empty() ? tr("Gradient flow appears after the first epoch") : QString());
}

}  // namespace loom::ui
