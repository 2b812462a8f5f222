#include "training/loss_chart.h"
#include "training/chart_util.h"

#include <QCheckBox>
#include <QComboBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QMessageBox>
#include <QPushButton>
#include <QSaveFile>
#include <QSettings>
#include <QSignalBlocker>
#include <QToolTip>
#include <QVBoxLayout>
#include <QtCharts/QChart>
#include <QtCharts/QChartView>
#include <QtCharts/QLineSeries>
#include <QtCharts/QLogValueAxis>
#include <QtCharts/QValueAxis>

#include "export/paint_file.h"
#include "engine/metrics.h"
#include "train/trainer.h"
#include "training/decimate.h"

namespace loom::ui {

namespace {

const QColor kTrain(31, 119, 180), kVal(214, 39, 40), kBatch(31, 119, 180, 110), kAcc(44, 160, 44);
const QColor kOverlay[] = {QColor(148, 103, 189), QColor(140, 86, 75), QColor(227, 119, 194),
                           QColor(127, 127, 127), QColor(188, 189, 34), QColor(23, 190, 207)};

QString number(double v) { return QString::number(v, 'g', 5); }

/// One output's own loss in a run of a model with several ("dense_1_loss", "val_dense_1_loss").
bool isOutputLoss(const std::string& name) { return name.ends_with("_loss") && name != "val_loss"; }

}  // namespace

LossChart::LossChart(QWidget* parent)
    : QWidget(parent),
      m_chart(new QChart),
      m_view(new QChartView(m_chart, this)),
      m_log(new QCheckBox(tr("Log scale"), this)),
      m_metric(new QComboBox(this)),
      m_png(new QPushButton(tr("Export PNG…"), this)),
      m_csv(new QPushButton(tr("Export CSV…"), this)) {
    m_view->setRenderHint(QPainter::Antialiasing);
    m_view->setMinimumHeight(kMinimumPlotHeight);  // a squeezed dock keeps readable axes
    m_chart->legend()->setAlignment(Qt::AlignBottom);
    m_chart->setMargins(QMargins(4, 4, 4, 4));
    m_log->setToolTip(tr("A logarithmic loss axis shows late, small improvements"));
    m_png->setToolTip(tr("Save the chart as an image"));
    m_csv->setToolTip(tr("Save the per-epoch history as CSV"));
    m_metric->setObjectName("chartMetric");
    m_metric->setToolTip(tr("The metric drawn against the right axis, for the training data (solid) and the "
                            "validation data (dotted)"));
    m_metric->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    m_metric->hide();
    auto* bar = new QHBoxLayout;
    bar->addWidget(m_log);
    bar->addWidget(m_metric);
    bar->addStretch(1);
    bar->addWidget(m_png);
    bar->addWidget(m_csv);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(2, 2, 2, 2);
    layout->addLayout(bar);
    layout->addWidget(m_view, 1);
    connect(m_log, &QCheckBox::toggled, this, &LossChart::setLogScale);
    connect(m_metric, &QComboBox::currentIndexChanged, this, [this] {
        m_userMetric = m_metricChoice = m_metric->currentData().toString();
        m_metricChosen = true;
        rebuild();
    });
    m_log->setChecked(QSettings().value("training/logScale", false).toBool());
    auto ask = [this](const QString& title, const QString& suffix) {
        const QString dir = QSettings().value("lastDirectory").toString();
        const QString base = QFileInfo(dir).absolutePath() + QString("/run_%1_loss.%2").arg(m_run.number).arg(suffix);
        return QFileDialog::getSaveFileName(this, title, base, suffix.toUpper() + " (*." + suffix + ")");
    };
    connect(m_png, &QPushButton::clicked, this, [this, ask] {
        const QString path = ask(tr("Export Loss Chart"), "png");
        QString error;
        if (!path.isEmpty() && !exportPng(path, &error)) QMessageBox::warning(this, tr("Export Loss Chart"), error);
    });
    connect(m_csv, &QPushButton::clicked, this, [this, ask] {
        const QString path = ask(tr("Export Loss History"), "csv");
        QString error;
        if (!path.isEmpty() && !exportCsv(path, &error)) QMessageBox::warning(this, tr("Export Loss History"), error);
    });
    rebuild();
}

void LossChart::setRun(const TrainingRun& run) {
    m_run = run;
    refreshMetricList();
    rebuild();
}

void LossChart::refreshMetricList() {
    QStringList names;
    if (!m_run.history.empty() && m_run.history.front().accuracy >= 0) names << "accuracy";
    if (!m_run.history.empty()) {
        for (const auto& [name, value] : m_run.history.front().metrics) {
            // Each output's loss is drawn beside the run's, not picked as a metric.
            if (!name.starts_with("val_") && !isOutputLoss(name)) names << QString::fromStdString(name);
        }
    }
    QStringList shown, wanted{QString()};
    wanted << names;
    for (int i = 0; i < m_metric->count(); ++i) shown << m_metric->itemData(i).toString();
    const QSignalBlocker quiet(m_metric);
    if (shown != wanted) {
        m_metric->clear();
        m_metric->addItem(tr("no metric"), QString());
        for (const QString& name : names) m_metric->addItem(name, name);
    }
    // The user's choice while the run has it; else the first metric, as before the choice.
    // The user's pick while the run has it (a run goes without metrics until its first epoch
    // ends: the pick is kept for when they come); else the first metric.
    const QString first = names.isEmpty() ? QString() : names.front();
    if (!m_metricChosen) m_metricChoice = first;
    else m_metricChoice = m_userMetric.isEmpty() || names.contains(m_userMetric) ? m_userMetric : first;
    m_metric->setCurrentIndex(std::max(0, m_metric->findData(m_metricChoice)));
    m_metric->setVisible(!names.isEmpty());
}

void LossChart::setOverlays(const QList<TrainingRun>& runs) {
    m_overlays = runs;
    rebuild();
}

void LossChart::setLogScale(bool on) {
    m_logScale = on;
    QSettings().setValue("training/logScale", on);
    if (m_log->isChecked() != on) m_log->setChecked(on);
    rebuild();
}

QLineSeries* LossChart::series(const QString& name) const {
    for (QAbstractSeries* s : m_chart->series()) {
        if (s->name() == name) return qobject_cast<QLineSeries*>(s);
    }
    return nullptr;
}

namespace {

struct Curve {
    QString name;
    QList<QPointF> points;
    QColor color;
    qreal width = 2.0;
    Qt::PenStyle style = Qt::SolidLine;
    bool markers = false;
    bool right = false;  ///< a metric, on the axis at the right
};

/// Metrics between 0 and 1 share a fixed 0..1 axis; errors (mae, mse, ...) get their range.
bool boundedMetric(const QString& name) {
    const auto metric = quantityMetric(name.toStdString());
    return metric && higherIsBetter(*metric);
}

QList<QPointF> metricCurve(const TrainingRun& run, const std::string& name) {
    QList<QPointF> points;
    for (const EpochReport& e : run.history) {
        if (const auto found = e.metrics.find(name); found != e.metrics.end()) points.append(QPointF(e.epoch, found->second));
    }
    return points;
}

QList<QPointF> epochCurve(const TrainingRun& run, double EpochReport::*field) {
    QList<QPointF> points;
    for (const EpochReport& e : run.history) {
        if (e.*field >= 0) points.append(QPointF(e.epoch, e.*field));
    }
    return points;
}

}  // namespace

void LossChart::rebuild() {
    // The curves to draw, in drawing order (later ones on top).
    QList<Curve> curves;
    for (int i = 0; i < m_overlays.size(); ++i) {
        const TrainingRun& r = m_overlays[i];
        if (r.number > 0 && r.number == m_run.number) continue;  // drawn in full below
        const bool val = !r.history.empty() && r.history.front().valLoss >= 0;
        curves.append({tr("run %1 %2").arg(r.number).arg(val ? "val_loss" : "loss"),
                       epochCurve(r, val ? &EpochReport::valLoss : &EpochReport::loss),
                       kOverlay[i % std::size(kOverlay)], 2.0, Qt::DashLine, false, false});
    }
    if (!m_run.batchLosses.empty() && m_run.batchesPerEpoch > 0) {
        const double dx = static_cast<double>(m_run.batchLossEvery) / m_run.batchesPerEpoch;
        curves.append({tr("batch loss (smoothed)"), decimated(smoothed(m_run.batchLosses), dx, dx), kBatch, 1.0,
                       Qt::SolidLine, false, false});
    }
    const bool markers = m_run.history.size() <= 60;
    curves.append({"loss", epochCurve(m_run, &EpochReport::loss), kTrain, 2.0, Qt::SolidLine, markers, false});
    if (!m_run.history.empty() && m_run.history.front().valLoss >= 0) {
        curves.append({"val_loss", epochCurve(m_run, &EpochReport::valLoss), kVal, 2.0, Qt::SolidLine, markers, false});
    }
    // A model with several outputs: each output's loss beside the run's, thinner, in its own colour.
    if (!m_run.history.empty()) {
        int k = 0;
        for (const auto& [name, value] : m_run.history.front().metrics) {
            if (!isOutputLoss(name) || name.starts_with("val_")) continue;
            const QColor color = kOverlay[k++ % std::size(kOverlay)];
            const QString label = QString::fromStdString(name);
            curves.append({label, metricCurve(m_run, name), color, 1.5, Qt::SolidLine, false, false});
            if (m_run.history.front().metrics.count("val_" + name)) {
                curves.append({"val_" + label, metricCurve(m_run, "val_" + name), color, 1.5, Qt::DotLine, false, false});
            }
        }
    }
    if (m_metricChoice == "accuracy" && !m_run.history.empty() && m_run.history.front().accuracy >= 0) {
        curves.append({"accuracy", epochCurve(m_run, &EpochReport::accuracy), kAcc, 2.0, Qt::SolidLine, false, true});
        if (m_run.history.front().valAccuracy >= 0) {
            curves.append({"val_accuracy", epochCurve(m_run, &EpochReport::valAccuracy), kAcc, 2.0, Qt::DotLine, false, true});
        }
    } else if (!m_metricChoice.isEmpty() && !m_run.history.empty()) {
        const std::string name = m_metricChoice.toStdString();
        if (m_run.history.front().metrics.count(name)) {
            curves.append({m_metricChoice, metricCurve(m_run, name), kAcc, 2.0, Qt::SolidLine, false, true});
        }
        if (m_run.history.front().metrics.count("val_" + name)) {
            curves.append({"val_" + m_metricChoice, metricCurve(m_run, "val_" + name), kAcc, 2.0, Qt::DotLine, false, true});
        }
    }
    const bool boundedRight = m_metricChoice == "accuracy" || boundedMetric(m_metricChoice);

    // The same curves as last time (the usual case while a run goes): new points only, no new
    // series or axes, which keeps a live redraw to a few milliseconds.
    QStringList names;
    for (const Curve& c : curves) names << c.name + (c.markers ? "*" : "");
    const QString layout = names.join('|') + (m_logScale ? "|log" : "|linear") + (boundedRight ? "|bounded" : "");
    const bool reuse = layout == m_layout;
    if (!reuse) {
        m_layout = layout;
        clearChart(m_chart);
        auto* x = new QValueAxis;
        x->setTitleText(tr("epoch"));
        x->setLabelFormat("%g");
        m_chart->addAxis(x, Qt::AlignBottom);
        QAbstractAxis* y = nullptr;
        if (m_logScale) {
            auto* log = new QLogValueAxis;
            log->setBase(10);
            log->setLabelFormat("%g");
            log->setMinorTickCount(-1);
            y = log;
        } else {
            auto* lin = new QValueAxis;
            lin->setLabelFormat("%.3g");
            y = lin;
        }
        y->setTitleText(tr("loss"));
        m_chart->addAxis(y, Qt::AlignLeft);
        QValueAxis* acc = nullptr;
        for (const Curve& c : curves) {
            auto* s = new QLineSeries;
            s->setName(c.name);
            QPen pen(c.color);
            pen.setWidthF(c.width);
            pen.setStyle(c.style);
            s->setPen(pen);
            s->setPointsVisible(c.markers);
            m_chart->addSeries(s);
            s->attachAxis(x);
            if (c.right && !acc) {
                acc = new QValueAxis;
                acc->setRange(0, 1);
                acc->setLabelFormat("%.3g");
                acc->setTitleText(m_metricChoice);
                m_chart->addAxis(acc, Qt::AlignRight);
            }
            s->attachAxis(c.right ? static_cast<QAbstractAxis*>(acc) : y);
            const QString name = c.name;
            connect(s, &QLineSeries::hovered, this, [this, name](const QPointF& p, bool state) {
                if (!state) {
                    QToolTip::hideText();
                    return;
                }
                QToolTip::showText(QCursor::pos(), tr("%1\nepoch %2: %3").arg(name, number(p.x()), number(p.y())), m_view);
            });
        }
    }

    double lo = INFINITY, hi = -INFINITY, xMax = 1;
    double rightLo = INFINITY, rightHi = -INFINITY;
    const QList<QAbstractSeries*> series = m_chart->series();
    for (int k = 0; k < curves.size() && k < series.size(); ++k) {
        QList<QPointF> kept;
        kept.reserve(curves[k].points.size());
        for (const QPointF& p : curves[k].points) {
            if (!std::isfinite(p.y()) || (!curves[k].right && m_logScale && p.y() <= 0)) continue;
            kept.append(p);
            xMax = std::max(xMax, p.x());
            if (curves[k].right) {
                rightLo = std::min(rightLo, p.y());
                rightHi = std::max(rightHi, p.y());
                continue;
            }
            lo = std::min(lo, p.y());
            hi = std::max(hi, p.y());
        }
        static_cast<QLineSeries*>(series[k])->replace(kept);
    }
    const QList<QAbstractAxis*> xs = m_chart->axes(Qt::Horizontal);
    const QList<QAbstractAxis*> ys = m_chart->axes(Qt::Vertical);
    if (!xs.isEmpty()) {
        auto* x = static_cast<QValueAxis*>(xs.front());
        setEpochAxis(x, xMax);
    }
    if (ys.size() > 1 && !boundedRight && rightLo <= rightHi) {
        auto* right = static_cast<QValueAxis*>(ys.back());
        const auto [from, to] = lossAxisRange(rightLo, rightHi);
        right->setRange(from, to);
        right->applyNiceNumbers();
    }
    if (!ys.isEmpty()) {
        QAbstractAxis* y = ys.front();
        if (lo <= hi) {
            if (m_logScale) {
                y->setRange(lo / 1.5, hi * 1.5);
            } else {
                const auto [from, to] = lossAxisRange(lo, hi);
                y->setRange(from, to);
                static_cast<QValueAxis*>(y)->applyNiceNumbers();  // ticks at 0.2, 0.4, ... not 0.269
            }
        } else {
            y->setRange(m_logScale ? 0.01 : 0.0, 1.0);
        }
    }
    m_chart->setTitle(m_run.number > 0 ? tr("Run %1").arg(m_run.number) : QString());
    m_png->setEnabled(!m_run.history.empty() || !m_run.batchLosses.empty());
    m_csv->setEnabled(!m_run.history.empty());
}

bool LossChart::exportPng(const QString& path, QString* error) const {
    const QPixmap pixmap = m_view->grab();
    QSaveFile file(path);
    if (!openToSave(file, error)) return false;
    if (!pixmap.save(&file, "PNG") || !file.commit()) {
        *error = tr("Could not write %1: %2").arg(path, file.errorString());
        return false;
    }
    return true;
}

bool LossChart::exportCsv(const QString& path, QString* error) const {
    const QByteArray csv = QByteArray::fromStdString(historyCsv(m_run.history));
    QSaveFile file(path);
    if (!openToSave(file, error)) return false;
    if (file.write(csv) != csv.size() || !file.commit()) {
        *error = tr("Could not write %1: %2").arg(path, file.errorString());
        return false;
    }
    return true;
}

}  // namespace loom::ui
