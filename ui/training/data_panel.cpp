// The Data panel's reading: the data is read off the window's thread after each change, and
// its status, summary and preview shown when the read is done.
#include "training/data_panel.h"

#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QLabel>
#include <QListWidget>
#include <QLocale>
#include <QProgressBar>
#include <QPushButton>
#include <QSettings>
#include <QSpinBox>
#include <QStandardItemModel>
#include <QTabWidget>
#include <QTableView>
#include <QVBoxLayout>
#include <QtCharts/QChart>
#include <QtCharts/QChartView>

#include <algorithm>

#include "data/csv_reader.h"
#include "data/data_preview.h"
#include "data/sample_catalogue.h"
#include "data/synthetic_samples.h"
#include "train/token_ids.h"
#include "document/document.h"
#include "document/start_folder.h"
#include "training/layer_columns.h"
#include "training/sample_data.h"
#include "service/training_job.h"
#include "train/session.h"

namespace loom::ui {

DataPanel::DataPanel(Document* document, QWidget* parent)
    : QWidget(parent),
      m_document(document),
      m_task(new QComboBox(this)),
      m_horizon(new QSpinBox(this)),
      m_source(new QComboBox(this)),
      m_browse(new QPushButton(tr("Browse…"), this)),
      m_targets(new QComboBox(this)),
      m_about(new QLabel(this)),
      m_columns(new QListWidget(this)),
      m_layerColumns(new LayerColumnsTable(this)),
      m_label(new QComboBox(this)),
      m_steps(new QSpinBox(this)),
      m_seed(new QSpinBox(this)),
      m_window(new QSpinBox(this)),
      m_stride(new QSpinBox(this)),
      m_normalize(new QComboBox(this)),
      m_split(new QDoubleSpinBox(this)),
      m_missing(new QComboBox(this)),
      m_previewTabs(new QTabWidget(this)),
      m_chart(new QChart),
      m_chartView(new QChartView(m_chart, this)),
      m_table(new QStandardItemModel(this)),
      m_tableView(new QTableView(this)),
      m_status(new QLabel(this)),
      m_progress(new QProgressBar(this)) {
    buildForm();
    buildPreview();
    // The plot first, where it is seen without scrolling, what it shows said under it, then
    // the choices: the plot takes no more height than leaves the form in sight.
    auto* layout = new QVBoxLayout(this);
    m_previewTabs->setMaximumHeight(320);
    layout->addWidget(m_previewTabs, 1);
    layout->addWidget(m_status);
    m_progress->setVisible(false);
    m_progress->setTextVisible(false);
    m_progress->setMaximumHeight(6);
    layout->addWidget(m_progress);
    layout->addLayout(m_form);
    layout->addStretch(0);

    m_refresh.setSingleShot(true);
    m_refresh.setInterval(120);
    connect(&m_refresh, &QTimer::timeout, this, &DataPanel::refresh);
    connect(&m_reader, &BackgroundTask::progressed, this, [this](double fraction) {
        if (!m_busy) return;
        m_progress->setRange(0, 1000);
        m_progress->setValue(static_cast<int>(fraction * 1000));
    });
    connect(&m_reader, &BackgroundTask::failed, this, [this](const QString& why) {
        DataPreview failed;
        failed.problem = why.toStdString();
        showPreview(failed, specFromWidgets(), false);
    });
    auto edited = [this] {
        if (m_loading) return;
        storeToDocument();
        scheduleRefresh();
    };
    connect(m_source, &QComboBox::currentIndexChanged, this, [this, edited] {
        if (m_loading) return;
        // A new source: its own columns, no labels until chosen.
        m_columns->clear();  // the columns by layer stay: files of one layout share them
        const QSignalBlocker quiet(m_label);
        m_label->setCurrentIndex(0);
        const QSignalBlocker quietTargets(m_targets);
        m_targets->setCurrentIndex(0);
        edited();
    });
    connect(m_browse, &QPushButton::clicked, this, [this] {
        const QString start = startFolder(QSettings().value("lastDataDirectory").toString());
        const QString path = QFileDialog::getOpenFileName(
            this, tr("Train on a File"), start,
            tr("Data files (*.csv *.tsv *.txt *.npy *.npz);;CSV files (*.csv *.tsv *.txt);;"
               "Samples already cut (*.npy *.npz);;All files (*)"));
        if (!path.isEmpty()) chooseFile(path);
    });
    connect(m_task, &QComboBox::currentIndexChanged, this, [this, edited] {
        m_horizon->setVisible(m_task->currentData().toString() == "forecast");
        if (m_task->currentData().toString() != "classify") {
            const QSignalBlocker quiet(m_label);
            m_label->setCurrentIndex(0);  // labels only classify
        }
        edited();
    });
    connect(m_horizon, &QSpinBox::valueChanged, this, [this, edited](int steps) {
        m_horizon->setSuffix(steps == 1 ? tr(" step") : tr(" steps"));  // "next 1 step"
        edited();
    });
    connect(m_targets, &QComboBox::currentIndexChanged, this, [this, edited] {
        if (m_loading) return;
        if (m_targets->currentData().toString() == "?") {
            chooseTargets();
            return;
        }
        edited();
    });
    connect(m_columns, &QListWidget::itemChanged, this, edited);
    connect(m_layerColumns, &LayerColumnsTable::edited, this, edited);
    connect(m_label, &QComboBox::currentIndexChanged, this, edited);
    for (QSpinBox* box : {m_steps, m_seed, m_window, m_stride}) connect(box, &QSpinBox::valueChanged, this, edited);
    connect(m_split, &QDoubleSpinBox::valueChanged, this, edited);
    connect(m_normalize, &QComboBox::currentIndexChanged, this, edited);
    connect(m_missing, &QComboBox::currentIndexChanged, this, edited);
    connect(m_document, &Document::trainingChanged, this, [this] {
        if (!m_loading) loadFromDocument();
    });
    // The model's Input and output decide what fits.
    connect(m_document, &Document::changed, this, [this] {
        // Only a new Input or output shape changes what fits (moving or renaming does not).
        QString shapes;
        try {
            const ModelEnds ends = modelEnds(m_document->graph(), m_document->validation());
            if (ends.several()) {
                for (const auto* named : {&ends.inputs, &ends.outputs}) {
                    for (const std::string& name : *named) shapes += QString::fromStdString(name + " ");
                }
                for (const auto* dims : {&ends.inputDims, &ends.outputDims}) {
                    for (const Dims& d : *dims) shapes += QString::fromStdString(formatShape(d));
                }
            } else {
                const auto [input, output] = trainingDims(m_document->graph(), m_document->validation(), m_window->value());
                shapes = QString::fromStdString(formatShape(input) + formatShape(output));
            }
            // The table that reads token ids decides which ids fit, too.
            if (const auto ids = tokenIdReader(m_document->graph())) {
                shapes += QString::fromStdString(" " + ids->name + " " + std::to_string(ids->inputDim));
            }
        } catch (const std::exception& e) {
            shapes = QString::fromStdString(e.what());
        }
        if (shapes == m_modelShapes) return;
        m_modelShapes = shapes;
        scheduleRefresh();
    });
    loadFromDocument();
}

void DataPanel::scheduleRefresh() {
    // What shows is out of date from now until the refresh has read the data again: a reading
    // still going is of the settings before, and its result must neither show nor end the wait.
    m_reader.cancel();
    if (!m_busy) {
        m_busy = true;
        emit statusChanged();
    }
    m_refresh.start();
}

DataPanel::~DataPanel() {
    // Stop the reading and wait for it: it reports to this panel.
    m_reader.stopAndWait(false);
}

void DataPanel::refresh() {
    m_refresh.stop();
    DataSpec spec = specFromWidgets();
    const QString source = QString::fromStdString(spec.source);
    const bool synthetic = source.startsWith("synthetic:");
    m_form->setRowVisible(m_steps, synthetic);
    m_form->setRowVisible(m_seed, synthetic);
    const bool cut = holdsCutSamples(spec.source);
    // A generated sample set counts samples; a generated series, steps.
    const bool sampleSet = isSyntheticSampleSet(spec.source);
    if (auto* label = qobject_cast<QLabel*>(m_form->labelForField(m_steps))) label->setText(sampleSet ? tr("Samples") : tr("Steps"));
    m_steps->setToolTip(sampleSet ? tr("How many samples the generator makes") : tr("How many time steps the generator makes"));
    ModelEnds ends;
    try {
        ends = modelEnds(m_document->graph(), m_document->validation());
    } catch (const std::exception&) {
        // The model's problems are said below.
    }
    // A series feeds several Inputs or outputs by the columns ticked for each.
    m_grouped = !cut && (ends.several() || !spec.layerColumns.empty());
    if (m_grouped && !m_layerColumns->showsEnds(ends)) {
        // Other Inputs or outputs (or the same, renamed): the groups the project holds for them.
        const QSignalBlocker quiet(m_layerColumns);
        std::vector<std::string> columns = m_layerColumns->columns();
        for (int i = 0; columns.empty() && i < m_columns->count(); ++i) {
            columns.push_back(m_columns->item(i)->text().toStdString());
        }
        LayerColumnsTable::Groups stored;
        try {
            stored = trainingSettings(m_document->project().training).data.layerColumns;
        } catch (const std::exception&) {
            // Settings that do not read are reported when training starts.
        }
        m_layerColumns->setColumns(columns, ends, stored);
        spec.layerColumns = m_layerColumns->groups();
    }
    m_ends = ends;
    m_form->setRowVisible(m_columns, !synthetic && !cut && !m_grouped);
    m_form->setRowVisible(m_layerColumns, m_grouped);
    // Labels only classify; a label column chosen before the task changed still shows.
    m_form->setRowVisible(m_label, !synthetic && !cut &&
                                       (m_task->currentData().toString() == "classify" || m_label->currentIndex() > 0));
    m_targetsLine->setVisible(cut && !spec.source.ends_with(".npz") && !sampleSet);
    // Samples already cut have no windows to make, and their targets say the task; they are
    // taken as they are, not normalised.
    for (QWidget* row : {m_task->parentWidget(), static_cast<QWidget*>(m_window), static_cast<QWidget*>(m_stride),
                         static_cast<QWidget*>(m_normalize), static_cast<QWidget*>(m_missing)}) {
        m_form->setRowVisible(row, !cut);
    }
    m_horizon->setVisible(m_task->currentData().toString() == "forecast");
    QString about;
    if (const SampleSeries* sample = findSample(spec.source)) about = QString::fromStdString(sample->about);
    if (!isSampleSource(spec.source) && !synthetic) about = source;
    m_about->setText(about);
    m_about->setVisible(!about.isEmpty());
    spec.source = readableSource(spec.source);
    std::optional<std::pair<Dims, Dims>> dims;
    std::string modelProblem;
    try {
        // A model with several Inputs or outputs reads an array for each from an .npz archive,
        // or its columns of a series.
        if (ends.several()) throw PlanError(severalEndsText(ends));
        // Samples already cut give a free time axis their own length.
        dims = trainingDims(m_document->graph(), m_document->validation(), spec.window, cut);
    } catch (const std::exception& e) {
        modelProblem = e.what();
    }

    // The file is read once, on a worker thread, while the window stays responsive; a newer
    // refresh supersedes this one, whose reading then stops at its next progress report.
    const bool storeColumns = !m_loading;
    m_busy = true;
    m_progress->setRange(0, 0);
    m_progress->setVisible(true);
    m_status->setStyleSheet(QString());
    if (synthetic) {
        m_status->setText(tr("Generating the series…"));
    } else {
        const QFileInfo file(QString::fromStdString(spec.source));
        m_status->setText(file.size() >= (1 << 20) ? tr("Reading %1 (%2)…").arg(file.fileName(), QLocale().formattedDataSize(file.size()))
                                                   : tr("Reading %1…").arg(file.fileName()));
    }
    // Another source's series does not stay on show while this one is read.
    if (spec.source != m_shownSource) {
        showSeries(DataPreview{});
        m_shownSource.clear();
    }
    emit statusChanged();
    // Token ids are checked against the Embedding that reads them, before Start is offered.
    const std::optional<TokenIdReader> ids = tokenIdReader(m_document->graph());
    m_reader.start([this, spec, dims, modelProblem, storeColumns, ids, ends](TaskContext& task) {
        auto preview = std::make_shared<const DataPreview>(previewData(
            spec, dims, modelProblem,
            [&task](double fraction) {
                task.progress(fraction);
                return !task.stopRequested();
            },
            ids, ends));
        task.post([this, preview, spec, storeColumns] { showPreview(*preview, spec, storeColumns); });
    });
}

void DataPanel::showPreview(const DataPreview& preview, const DataSpec& spec, bool storeColumns) {
    m_busy = false;
    m_progress->setVisible(false);
    if (m_grouped) {
        // Each layer's columns of the file (or of the generated series), ticked as the data says.
        const QSignalBlocker quiet(m_layerColumns);
        std::vector<std::string> columns = preview.numericColumns.empty() ? preview.series.names : preview.numericColumns;
        std::erase(columns, spec.labelColumn);
        if (!columns.empty()) m_layerColumns->setColumns(columns, m_ends, spec.layerColumns);
    }
    if (!preview.numericColumns.empty()) {
        // The columns the file offers (numeric ones), checked as they train.
        const QSignalBlocker quiet(m_columns);
        const QSignalBlocker quietLabel(m_label);
        m_columns->clear();
        const QString label = QString::fromStdString(spec.labelColumn);
        m_label->clear();
        m_label->addItem(tr("None"), QString());
        for (const std::string& c : preview.numericColumns) {
            const QString name = QString::fromStdString(c);
            m_label->addItem(name, name);
            if (name == label) {
                m_label->setCurrentIndex(m_label->count() - 1);
                continue;  // the labels are not a feature
            }
            auto* item = new QListWidgetItem(name, m_columns);
            const bool chosen = std::find(preview.features.begin(), preview.features.end(), c) != preview.features.end();
            item->setCheckState(chosen ? Qt::Checked : Qt::Unchecked);
        }
        // The list now says what trains (a label column is no longer a feature): the project
        // must say the same, once it holds a data choice at all.
        const nlohmann::json& training = m_document->project().training;
        if (storeColumns && !m_grouped && training.is_object() && training.contains("data") && training["data"].contains("source") &&
            training["data"].value("columns", nlohmann::json::array()) != nlohmann::json(preview.features)) {
            storeToDocument();
        }
    }
    showSeries(preview);
    m_shownSource = spec.source;
    if (!preview.problem.empty()) {
        setStatus(QString::fromStdString(preview.problem), QString());
        return;
    }
    if (preview.sampleDims) {
        const auto shape = [](const Dims& d) {
            QStringList sizes;
            for (std::int64_t n : d) sizes << QString::number(n);
            return "(" + sizes.join(", ") + (d.size() == 1 ? ",)" : ")");
        };
        QString text = tr("%L1 samples of %2, targets of %3: %L4 training and %L5 validation samples")
                           .arg(preview.trainWindows + preview.validationWindows)
                           .arg(shape(*preview.sampleDims), shape(*preview.targetDims))
                           .arg(preview.trainWindows)
                           .arg(preview.validationWindows);
        // A model with several Inputs or outputs: each array by the layer it feeds or scores.
        if (!preview.inputsText.empty()) {
            text = tr("%L1 samples for %2; targets for %3: %L4 training and %L5 validation samples")
                       .arg(preview.trainWindows + preview.validationWindows)
                       .arg(QString::fromStdString(preview.inputsText), QString::fromStdString(preview.targetsText))
                       .arg(preview.trainWindows)
                       .arg(preview.validationWindows);
        }
        setStatus(QString(), text);
        return;
    }
    const Series& series = preview.series;
    QString text = tr("%L1 steps of %2: %L3 training and %L4 validation windows of %L5 steps")
                       .arg(series.steps)
                       .arg(series.features == 1 ? tr("1 feature") : tr("%1 features").arg(series.features))
                       .arg(preview.trainWindows)
                       .arg(preview.validationWindows)
                       .arg(preview.window.length);
    if (preview.window.target == WindowSpec::Target::Forecast) {
        text += preview.window.horizon == 1 ? tr(", forecasting the next step")
                                            : tr(", forecasting the next %L1 steps").arg(preview.window.horizon);
    }
    if (preview.window.target == WindowSpec::Target::Classification) text += tr(", classified by '%1'").arg(QString::fromStdString(spec.labelColumn));
    for (const std::string& note : preview.notes) text += "\n" + QString::fromStdString(note);
    setStatus(QString(), text);
}

void DataPanel::chooseTargets() {
    const QString start = startFolder(QSettings().value("lastDataDirectory").toString());
    const QString path = QFileDialog::getOpenFileName(this, tr("Targets for the Samples"), start,
                                                      tr("NumPy arrays (*.npy);;All files (*)"));
    const QSignalBlocker quiet(m_targets);
    if (path.isEmpty()) {
        // Back to what it was: the project's targets.
        const QString was = m_loadedData.is_object() ? QString::fromStdString(m_loadedData.value("target", std::string()))
                                                     : QString();
        m_targets->setCurrentIndex(std::max(0, m_targets->findData(was)));
        return;
    }
    int index = m_targets->findData(path);
    if (index < 0) {
        index = m_targets->count() - 1;  // before "Choose a .npy file…"
        m_targets->insertItem(index, QFileInfo(path).fileName(), path);
        m_targets->setItemData(index, path, Qt::ToolTipRole);
    }
    m_targets->setCurrentIndex(index);
    storeToDocument();
    scheduleRefresh();
}

void DataPanel::setStatus(const QString& problem, const QString& summary) {
    m_problem = problem;
    m_summary = summary;
    if (problem.isEmpty()) {
        m_status->setStyleSheet(QString());
        m_status->setText(summary);
    } else {
        m_status->setStyleSheet("color: #b3261e");
        m_status->setText(tr("Cannot train on this: %1").arg(problem));
    }
    emit statusChanged();
}

QString DataPanel::summary() const { return m_summary; }

}  // namespace loom::ui
