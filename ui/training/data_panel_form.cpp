// The Data panel's form: the source, the columns and the windowing, normalising, validation
// and missing-value settings, read from and written to the project's training.data.
#include "training/data_panel.h"

#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QListWidget>
#include <QPushButton>
#include <QSettings>
#include <QSpinBox>
#include <QVBoxLayout>
#include <algorithm>

#include "data/sample_catalogue.h"
#include "data/synthetic.h"
#include "data/synthetic_samples.h"
#include "document/document.h"
#include "service/training_job.h"
#include "training/layer_columns.h"
#include "train/config_json.h"

namespace loom::ui {

void DataPanel::buildForm() {
    m_task->addItem(tr("Reconstruct the input"), "reconstruct");
    m_task->addItem(tr("Forecast"), "forecast");  // the horizon box beside it says the rest
    m_task->addItem(tr("Classify windows"), "classify");
    m_task->setObjectName("dataTask");
    m_task->setToolTip(tr("What the model does with each window: reconstruct it (an autoencoder, for anomaly "
                          "detection), forecast the steps after it, or classify it by a label column. It is part "
                          "of the project: editing the model never changes it, and a model whose output no longer "
                          "does it shows a problem with fixes."));
    m_horizon->setRange(1, static_cast<int>(kMostHorizonSteps));
    m_horizon->setObjectName("dataHorizon");
    m_horizon->setPrefix(tr("next "));
    m_horizon->setSuffix(tr(" steps"));
    m_horizon->setToolTip(tr("How many steps after each window the model forecasts: its output's steps"));
    m_targets->setObjectName("dataTargets");
    m_targets->setToolTip(tr("For samples in a .npy file: a .npy file of their targets, one per sample in "
                             "the same order; without one, each sample is its own target"));
    for (const SampleSeries& s : sampleCatalogue()) {
        m_source->addItem(tr("Sample: %1").arg(QString::fromStdString(s.title)),
                          QString::fromStdString(std::string(kSamplePrefix) + s.file));
    }
    m_source->insertSeparator(m_source->count());
    for (const std::string& name : syntheticNames()) {
        m_source->addItem(tr("Synthetic: %1").arg(QString::fromStdString(name).replace('_', ' ')),
                          QString::fromStdString("synthetic:" + name));
    }
    for (const auto* names : {&syntheticSampleNames(), &syntheticArchiveNames()}) {
        for (const std::string& name : *names) {
            m_source->addItem(tr("Synthetic samples: %1").arg(QString::fromStdString(name)),
                              QString::fromStdString("synthetic:" + name));
        }
    }
    m_source->setToolTip(tr("What to train on: a sample series that ships with LayerLoom, a "
                            "generated one, or your own CSV file (Browse…)"));
    m_browse->setToolTip(tr("Train on a file: a CSV file (one column per feature, one row per time step), or "
                            "samples already cut into windows in a .npy or .npz file (arrays x and y, or one per "
                            "Input and output, named after it)"));
    m_about->setWordWrap(true);
    m_about->setStyleSheet("color: palette(mid)");
    m_columns->setToolTip(tr("The columns that become the model's features, in this order"));
    m_columns->setMaximumHeight(90);
    m_label->setToolTip(tr("For classifiers: the column of class labels (0, 1, ...); each window "
                           "is labelled by its last step"));
    m_steps->setRange(16, 10'000'000);
    m_steps->setObjectName("dataSteps");
    m_steps->setSingleStep(500);
    m_steps->setToolTip(tr("How many time steps the generator makes"));
    m_seed->setRange(0, 1'000'000);
    m_seed->setToolTip(tr("The generator's seed: the same seed gives the same series"));
    m_window->setRange(0, 100'000);
    m_window->setToolTip(tr("Steps per sample. At 0 it takes the length of the model's Input."));
    m_window->setSpecialValueText(tr("the Input's length"));  // what 0 means, said where it shows
    m_window->setObjectName("dataWindow");
    m_normalize->setObjectName("dataNormalize");
    m_browse->setObjectName("dataBrowse");
    m_stride->setRange(1, 100'000);
    m_stride->setToolTip(tr("Steps between the starts of two windows (1: every possible window)"));
    m_normalize->addItem(tr("Z-score (mean 0, deviation 1)"), "zscore");
    m_normalize->addItem(tr("Min-max (0 to 1)"), "minmax");
    m_normalize->addItem(tr("None"), "none");
    m_normalize->setToolTip(tr("Scaling fitted on the training part only; plots show the original units"));
    m_split->setRange(0, 90);
    m_split->setSuffix(" %");
    m_split->setDecimals(0);
    m_split->setToolTip(tr("The last part of the series, in time, validates; nothing leaks "
                           "from the future into training"));
    m_missing->addItem(tr("Refuse (list the gaps)"), "error");
    m_missing->addItem(tr("Skip windows with gaps"), "drop");
    m_missing->addItem(tr("Interpolate linearly"), "interpolate");
    m_missing->setToolTip(tr("What to do with empty or NA cells"));
    // Narrow enough for the dock it shares with the Inspector: the combo boxes shorten their
    // text to fit and show it in full when opened.
    for (QComboBox* box : {m_task, m_source, m_targets, m_label, m_normalize, m_missing}) {
        box->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
        box->setMinimumContentsLength(10);
    }
    m_status->setWordWrap(true);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);

    // The source's description sits under it, in its field: a word-wrapped row of its own
    // loses its height in a form whose other rows show and hide.
    auto* sourceLine = new QHBoxLayout;
    sourceLine->addWidget(m_source, 1);
    sourceLine->addWidget(m_browse);
    // Samples already cut take their targets from a file named under the source; shown and
    // hidden inside the source's field, as a row of the form of its own came out 0 high.
    m_targetsLine = new QWidget(this);
    auto* targetsLine = new QHBoxLayout(m_targetsLine);
    targetsLine->setContentsMargins(0, 0, 0, 0);
    targetsLine->addWidget(new QLabel(tr("Targets:"), m_targetsLine));
    targetsLine->addWidget(m_targets, 1);
    auto* sourceRow = new QVBoxLayout;
    sourceRow->setSpacing(2);
    sourceRow->addLayout(sourceLine);
    sourceRow->addWidget(m_about);
    sourceRow->addWidget(m_targetsLine);
    // One widget, so that the row can be hidden whole.
    auto* taskRow = new QWidget(this);
    auto* taskLine = new QHBoxLayout(taskRow);
    taskLine->setContentsMargins(0, 0, 0, 0);
    taskLine->addWidget(m_task, 1);
    taskLine->addWidget(m_horizon);
    auto* form = m_form = new QFormLayout;
    form->setRowWrapPolicy(QFormLayout::WrapLongRows);  // a narrow dock puts fields under their labels
    form->addRow(tr("Task"), taskRow);
    form->addRow(tr("Source"), sourceRow);
    form->addRow(tr("Columns"), m_columns);
    form->addRow(tr("Columns by layer"), m_layerColumns);
    form->setRowVisible(m_layerColumns, false);
    form->addRow(tr("Labels"), m_label);
    form->addRow(tr("Steps"), m_steps);
    form->addRow(tr("Seed"), m_seed);
    form->addRow(tr("Window"), m_window);
    form->addRow(tr("Stride"), m_stride);
    form->addRow(tr("Normalise"), m_normalize);
    form->addRow(tr("Validation"), m_split);
    form->addRow(tr("Missing values"), m_missing);
}

void DataPanel::chooseFile(const QString& path) {
    QSettings().setValue("lastDataDirectory", QFileInfo(path).absolutePath());
    int index = m_source->findData(path);
    if (index < 0) {
        m_source->addItem(tr("File: %1").arg(QFileInfo(path).fileName()), path);
        index = m_source->count() - 1;
        m_source->setItemData(index, path, Qt::ToolTipRole);
    }
    // The file on show chosen again is read again: it may have been mended in the meantime.
    if (index == m_source->currentIndex()) {
        scheduleRefresh();
        return;
    }
    m_source->setCurrentIndex(index);
}

DataSpec DataPanel::specFromWidgets() const {
    DataSpec spec;
    if (const auto target = parseTaskName(m_task->currentData().toString().toStdString())) {
        spec.task = ModelTask{*target, *target == WindowSpec::Target::Forecast ? m_horizon->value() : 1};
    }
    spec.source = m_source->currentData().toString().toStdString();
    if (holdsCutSamples(spec.source)) spec.target = m_targets->currentData().toString().toStdString();
    for (int i = 0; i < m_columns->count(); ++i) {
        if (m_columns->item(i)->checkState() == Qt::Checked) spec.columns.push_back(m_columns->item(i)->text().toStdString());
    }
    if (m_grouped) spec.layerColumns = m_layerColumns->groups();
    spec.labelColumn = m_label->currentData().toString().toStdString();
    spec.syntheticSteps = m_steps->value();
    spec.seed = static_cast<std::uint64_t>(m_seed->value());
    spec.window = m_window->value();
    spec.stride = m_stride->value();
    const QString norm = m_normalize->currentData().toString();
    spec.normalize = norm == "minmax" ? Normalizer::Kind::MinMax
                     : norm == "none" ? Normalizer::Kind::None
                                      : Normalizer::Kind::ZScore;
    spec.validationSplit = m_split->value() / 100.0;
    const QString missing = m_missing->currentData().toString();
    spec.missing = missing == "drop" ? MissingPolicy::DropWindows
                   : missing == "interpolate" ? MissingPolicy::Interpolate
                                              : MissingPolicy::Error;
    return spec;
}

void DataPanel::storeToDocument() {
    nlohmann::json training = m_document->project().training;
    if (!training.is_object()) training = nlohmann::json::object();
    training["data"] = dataSpecToJson(specFromWidgets());
    m_loadedData = training["data"];
    m_loading = true;
    m_document->setTraining(std::move(training));
    m_loading = false;
    // The document may have added to what was stored (a model made whole by this edit takes
    // the task its shapes suggest): show what the project says now.
    loadFromDocument();
}

void DataPanel::loadFromDocument() {
    const nlohmann::json& training = m_document->project().training;
    // Other training settings (epochs, optimizer ...) leave the data as it is: nothing to read.
    const nlohmann::json choice = training.is_object() ? training.value("data", nlohmann::json()) : nlohmann::json();
    if (m_loadedOnce && choice == m_loadedData) return;
    m_loadedOnce = true;
    m_loadedData = choice;
    DataSpec spec;
    try {
        spec = trainingSettings(training).data;
    } catch (const std::exception&) {
        chooseDefaultData(spec);  // shown as the defaults; Start reports the setting
    }
    m_loading = true;
    // A model with no task yet follows its shapes until it is whole (the document then sets it).
    const int unset = m_task->findData(QString());
    if (spec.task && unset >= 0) m_task->removeItem(unset);
    if (!spec.task && unset < 0) m_task->insertItem(0, tr("Not chosen: from the model's shapes"), QString());
    m_task->setCurrentIndex(spec.task ? m_task->findData(QString::fromUtf8(taskName(spec.task->target).data()))
                                      : m_task->findData(QString()));
    m_horizon->setValue(spec.task ? static_cast<int>(spec.task->horizon) : 1);
    m_horizon->setSuffix(m_horizon->value() == 1 ? tr(" step") : tr(" steps"));
    m_targets->clear();
    m_targets->addItem(tr("None: each sample is its own target"), QString());
    if (!spec.target.empty()) {
        m_targets->addItem(QFileInfo(QString::fromStdString(spec.target)).fileName(), QString::fromStdString(spec.target));
        m_targets->setItemData(1, QString::fromStdString(spec.target), Qt::ToolTipRole);
        m_targets->setCurrentIndex(1);
    }
    m_targets->addItem(tr("Choose a .npy file…"), QStringLiteral("?"));
    const QString source = QString::fromStdString(spec.source);
    int index = m_source->findData(source);
    if (index < 0) {
        m_source->addItem(tr("File: %1").arg(QFileInfo(source).fileName()), source);
        index = m_source->count() - 1;
    }
    m_source->setCurrentIndex(index);
    m_columns->clear();
    for (const std::string& c : spec.columns) {
        auto* item = new QListWidgetItem(QString::fromStdString(c), m_columns);
        item->setCheckState(Qt::Checked);
    }
    // The groups the project holds, until the file's columns are read.
    m_grouped = !spec.layerColumns.empty() || m_ends.several();
    if (m_grouped) {
        std::vector<std::string> columns;
        for (const auto& [layer, names] : spec.layerColumns) {
            for (const std::string& c : names) {
                if (std::find(columns.begin(), columns.end(), c) == columns.end()) columns.push_back(c);
            }
        }
        m_layerColumns->setColumns(columns, m_ends, spec.layerColumns);
    }
    m_label->clear();
    m_label->addItem(tr("None"), QString());
    if (!spec.labelColumn.empty()) {
        m_label->addItem(QString::fromStdString(spec.labelColumn), QString::fromStdString(spec.labelColumn));
        m_label->setCurrentIndex(1);
    }
    m_steps->setValue(static_cast<int>(spec.syntheticSteps));
    m_seed->setValue(static_cast<int>(spec.seed));
    m_window->setValue(static_cast<int>(spec.window));
    m_stride->setValue(static_cast<int>(spec.stride));
    m_normalize->setCurrentIndex(spec.normalize == Normalizer::Kind::MinMax ? 1
                                 : spec.normalize == Normalizer::Kind::None ? 2
                                                                            : 0);
    m_split->setValue(spec.validationSplit * 100.0);
    m_missing->setCurrentIndex(spec.missing == MissingPolicy::DropWindows ? 1
                               : spec.missing == MissingPolicy::Interpolate ? 2
                                                                            : 0);
    m_loading = false;
    refresh();
}

}  // namespace loom::ui
