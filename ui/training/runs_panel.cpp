#include "training/runs_panel.h"

#include <QDateTime>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QSettings>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLocale>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSplitter>
#include <QTableWidget>
#include <QVBoxLayout>

#include "canvas/canvas_style.h"
#include "document/document.h"
#include "document/start_folder.h"
#include "service/training_job.h"
#include "train/config_json.h"
#include "train/run_folder.h"
#include "train/warm_start.h"

namespace loom::ui {

namespace {

QString endingText(StopReason r) {
    switch (r) {
        case StopReason::Cancelled: return QObject::tr("stopped");
        case StopReason::EarlyStopped: return QObject::tr("stopped early");
        case StopReason::NonFinite: return QObject::tr("failed");
        case StopReason::InvalidData: return QObject::tr("bad data");
        case StopReason::Finished: break;
    }
    return QObject::tr("finished");
}

QString startedFromText(const TrainingRun& r) {
    return r.startedFrom.empty() ? QObject::tr("not recorded") : QString::fromStdString(r.startedFrom);
}

}  // namespace

RunsPanel::RunsPanel(Document* document, QWidget* parent)
    : QWidget(parent),
      m_document(document),
      m_table(new QTableWidget(0, 8, this)),
      m_details(new QPlainTextEdit(this)),
      m_restore(new QPushButton(tr("Restore Graph"), this)),
      m_delete(new QPushButton(tr("Delete Run"), this)),
      m_import(new QPushButton(tr("Import Run..."), this)) {
    m_table->setHorizontalHeaderLabels({tr("overlay"), tr("run"), tr("started"), tr("epochs"),
                                        tr("best loss"), tr("ending"), tr("parameters"), tr("metrics")});
    m_table->verticalHeader()->hide();
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->setToolTip(tr("Tick runs to lay their loss curves over the chart; select two "
                           "(Ctrl+click) to compare them"));
    m_details->setReadOnly(true);
    m_details->setFont(style::monoFont(9.0));
    m_details->setPlaceholderText(tr("Select a run to see its settings, or two runs to compare them."));
    m_restore->setToolTip(tr("Put the selected run's architecture back into the editor (one undo step)"));
    m_delete->setToolTip(tr("Remove the selected runs from the list"));
    m_import->setToolTip(tr("Add a run folder written by layerloom-cli train or a PyTorch training "
                            "job (File > Export Training Job) to the list, with its weights"));

    auto* buttons = new QHBoxLayout;
    buttons->addWidget(m_restore);
    buttons->addWidget(m_delete);
    buttons->addStretch(1);
    buttons->addWidget(m_import);
    auto* left = new QWidget(this);
    auto* leftLayout = new QVBoxLayout(left);
    leftLayout->setContentsMargins(0, 0, 0, 0);
    leftLayout->addWidget(m_table, 1);
    leftLayout->addLayout(buttons);
    auto* split = new QSplitter(this);
    split->addWidget(left);
    split->addWidget(m_details);
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 2);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(2, 2, 2, 2);
    layout->addWidget(split);

    connect(m_document, &Document::runsChanged, this, &RunsPanel::reload);
    connect(m_table, &QTableWidget::itemSelectionChanged, this, &RunsPanel::selectionChanged);
    connect(m_table, &QTableWidget::itemChanged, this, [this](QTableWidgetItem* item) {
        if (item->column() == 0) emitOverlays();
    });
    connect(m_restore, &QPushButton::clicked, this, [this] {
        const QList<int> rows = selectedRows();
        if (rows.size() != 1) return;
        const TrainingRun& run = m_runs[rows.front()];
        if (m_document->replaceGraph(run.graph, tr("Restore the graph of run %1").arg(run.number))) {
            emit hint(tr("Restored the graph of run %1; Ctrl+Z takes it back").arg(run.number));
        }
    });
    connect(m_delete, &QPushButton::clicked, this, [this] {
        QList<int> rows = selectedRows();
        if (rows.isEmpty()) return;
        std::sort(rows.begin(), rows.end(), std::greater<>());
        nlohmann::json runs = m_document->project().runs;
        for (int r : rows) {
            if (r < static_cast<int>(runs.size())) runs.erase(runs.begin() + r);
        }
        m_document->setRuns(std::move(runs));
    });
    connect(m_import, &QPushButton::clicked, this, &RunsPanel::importRunDialog);
    reload();
}

QString RunsPanel::importRun(const QString& dir) {
    if (!m_document->structureLock().isEmpty()) {
        throw std::runtime_error(tr("a training run is going; import runs when it has ended").toStdString());
    }
    // A training job's folder holds its run in run/.
    const QString runDir = !QFileInfo::exists(dir + "/run.json") && QFileInfo::exists(dir + "/run/run.json")
                               ? dir + "/run" : dir;
    const RunFolder folder = readRunFolder(runDir.toStdString());
    TrainingRun run = folder.record.run;
    run.number = m_document->nextRunNumber();
    if (run.outcome.empty()) run.outcome = "Imported from " + dir.toStdString();
    const bool fits = !folder.weights.empty() && matchWeights(m_document->graph(), folder.weights).all();
    // The weights first: the new run's reconstructions are computed from the model's weights.
    if (fits) m_document->setWeights(folder.weights, runWeightsText(run.number));
    nlohmann::json runs = m_document->project().runs;
    runs.push_back(runToJson(run));
    m_document->setRuns(std::move(runs));
    const QString name = QDir::toNativeSeparators(runDir);
    return fits ? tr("Imported %1 as run %2; its weights are the model's now").arg(name).arg(run.number)
                : tr("Imported %1 as run %2 with its curves; its weights do not fit this model's layers, "
                     "so the model keeps its own (Restore Graph puts the run's architecture back)")
                      .arg(name).arg(run.number);
}

void RunsPanel::importRunDialog() {
    QSettings settings;
    const QString start = startFolder(settings.value("lastRunDirectory").toString());
    const QString dir = QFileDialog::getExistingDirectory(this, tr("Import Run: a run folder, or a training job's folder"), start);
    if (dir.isEmpty()) return;
    try {
        const QString done = importRun(dir);
        settings.setValue("lastRunDirectory", QFileInfo(dir).absolutePath());
        emit hint(done);
    } catch (const std::exception& e) {
        QMessageBox::warning(this, tr("Import Run"), tr("Cannot import %1: %2").arg(QDir::toNativeSeparators(dir),
                                                                                   QString::fromStdString(e.what())));
    }
}

void RunsPanel::reload() {
    m_runs.clear();
    m_loadError.clear();
    for (const nlohmann::json& j : m_document->project().runs) {
        try {
            m_runs.append(runFromJson(j));
        } catch (const std::exception& e) {
            m_loadError = QString::fromStdString(e.what());  // the rest still show
        }
    }
    const QSignalBlocker quiet(m_table);
    m_table->setRowCount(static_cast<int>(m_runs.size()));
    for (int row = 0; row < m_runs.size(); ++row) {
        const TrainingRun& r = m_runs[row];
        auto* overlay = new QTableWidgetItem;
        overlay->setFlags(Qt::ItemIsUserCheckable | Qt::ItemIsEnabled | Qt::ItemIsSelectable);
        overlay->setCheckState(Qt::Unchecked);
        m_table->setItem(row, 0, overlay);
        m_table->setItem(row, 1, new QTableWidgetItem(QString::number(r.number)));
        const QDateTime started = QDateTime::fromString(QString::fromStdString(r.started), Qt::ISODate);
        m_table->setItem(row, 2, new QTableWidgetItem(QLocale().toString(started, QLocale::ShortFormat)));
        m_table->setItem(row, 3, new QTableWidgetItem(QString::number(r.history.size())));
        const double best = r.bestLoss();
        m_table->setItem(row, 4, new QTableWidgetItem(best < 0 ? QString("-") : QString::number(best, 'g', 4)));
        auto* ending = new QTableWidgetItem(endingText(r.reason));
        ending->setToolTip(QString::fromStdString(r.outcome));
        m_table->setItem(row, 5, ending);
        m_table->setItem(row, 6, new QTableWidgetItem(QLocale().toString(static_cast<qlonglong>(r.parameters))));
        auto* metrics = new QTableWidgetItem(r.history.empty() ? QString() : QString::fromStdString(metricsLine(r.history.back())));
        metrics->setToolTip(tr("The last epoch's metrics, on the validation data where there is any"));
        m_table->setItem(row, 7, metrics);
    }
    m_details->setPlainText(m_loadError.isEmpty() ? QString() : tr("Some saved runs could not be read: %1").arg(m_loadError));
    selectionChanged();
    emitOverlays();
}

QList<int> RunsPanel::selectedRows() const {
    QList<int> rows;
    for (const QModelIndex& i : m_table->selectionModel()->selectedRows()) rows << i.row();
    std::sort(rows.begin(), rows.end());
    return rows;
}

void RunsPanel::setOverlaid(int row, bool on) {
    if (QTableWidgetItem* item = m_table->item(row, 0)) item->setCheckState(on ? Qt::Checked : Qt::Unchecked);
}

void RunsPanel::emitOverlays() {
    QList<TrainingRun> runs;
    for (int row = 0; row < m_table->rowCount(); ++row) {
        if (m_table->item(row, 0)->checkState() == Qt::Checked) runs << m_runs[row];
    }
    emit overlaysChanged(runs);
}

void RunsPanel::selectionChanged() {
    const QList<int> rows = selectedRows();
    m_restore->setEnabled(rows.size() == 1);
    m_delete->setEnabled(!rows.isEmpty());
    if (rows.size() == 1) {
        const TrainingRun& r = m_runs[rows.front()];
        QStringList lines;
        lines << tr("Run %1: %2").arg(r.number).arg(QString::fromStdString(r.outcome));
        if (!r.history.empty()) {
            const EpochReport& e = r.history.back();
            const QString metrics = QString::fromStdString(metricsLine(e));
            lines << tr("Last epoch %1: loss %2%3%4").arg(e.epoch).arg(e.loss, 0, 'g', 5)
                         .arg(e.valLoss >= 0 ? tr(", val_loss %1").arg(e.valLoss, 0, 'g', 5) : QString())
                         .arg(metrics.isEmpty() ? QString() : ", " + metrics);
        }
        lines << tr("Started from: %1").arg(startedFromText(r));
        lines << QString() << tr("Settings:");
        for (const std::string& line : settingsLines(r.training)) lines << "  " + QString::fromStdString(line);
        m_details->setPlainText(lines.join("\n"));
        emit runSelected(r);
    } else if (rows.size() == 2) {
        const TrainingRun& a = m_runs[rows[0]];
        const TrainingRun& b = m_runs[rows[1]];
        QStringList lines;
        lines << tr("From run %1 to run %2").arg(a.number).arg(b.number) << QString();
        lines << tr("Architecture:");
        const std::vector<std::string> changes = architectureChanges(a.graph, b.graph);
        if (changes.empty()) lines << tr("  the same layers and wires");
        for (const std::string& c : changes) lines << "  " + QString::fromStdString(c);
        const QString before = QLocale().toString(static_cast<qlonglong>(a.parameters));
        const QString after = QLocale().toString(static_cast<qlonglong>(b.parameters));
        lines << (a.parameters == b.parameters ? (a.parameters == 1 ? tr("  1 parameter in both")
                                                                    : tr("  %1 parameters in both").arg(before))
                                               : tr("  parameters %1 -> %2").arg(before, after));
        lines << QString() << tr("Settings:");
        const std::vector<std::string> settings = settingsChanges(a.training, b.training);
        if (settings.empty()) lines << tr("  the same");
        for (const std::string& s : settings) lines << "  " + QString::fromStdString(s);
        lines << QString() << tr("Started from:");
        for (const TrainingRun* r : {&a, &b}) lines << tr("  run %1: %2").arg(r->number).arg(startedFromText(*r));
        lines << QString() << tr("Results:");
        for (const TrainingRun* r : {&a, &b}) {
            lines << tr("  run %1: best loss %2 after %3 epochs (%4)")
                         .arg(r->number)
                         .arg(r->bestLoss() < 0 ? QString("-") : QString::number(r->bestLoss(), 'g', 5))
                         .arg(r->history.size())
                         .arg(endingText(r->reason));
        }
        m_details->setPlainText(lines.join("\n"));
    } else if (m_loadError.isEmpty()) {
        m_details->clear();
    }
}

}  // namespace loom::ui
