#include "training/training_panel.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <optional>

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QProgressBar>
#include <QPushButton>
#include <QSpinBox>
#include <QToolButton>
#include <QVBoxLayout>

#include "document/document.h"
#include "document/wording.h"
#include "train/config_json.h"
#include "train/warm_start.h"
#include "training/data_panel.h"
#include "training/output_losses.h"
#include "training/training_controller.h"

namespace loom::ui {

namespace {

QDoubleSpinBox* rateBox(QWidget* parent, double lo, double hi, int decimals, double step) {
    auto* box = new QDoubleSpinBox(parent);
    box->setRange(lo, hi);
    box->setDecimals(decimals);
    box->setSingleStep(step);
    return box;
}

/// "0: 1, 1: 4.5" as class weights; nullopt (and `problem` says why) when the text is not
/// that. Empty text: no class weights.
std::optional<std::map<std::int64_t, double>> parseClassWeights(const QString& text, QString& problem) {
    std::map<std::int64_t, double> weights;
    for (const QString& item : text.split(',', Qt::SkipEmptyParts)) {
        if (item.trimmed().isEmpty()) continue;
        const QStringList pair = item.split(':');
        bool classOk = false, weightOk = false;
        const qlonglong cls = pair.size() == 2 ? pair[0].trimmed().toLongLong(&classOk) : -1;
        const double weight = pair.size() == 2 ? pair[1].trimmed().toDouble(&weightOk) : -1;
        if (!classOk || cls < 0 || cls > 999'999'999) {
            problem = TrainingPanel::tr("'%1' is not a class and its weight: write them as 0: 1, 1: 4.5").arg(item.trimmed());
            return std::nullopt;
        }
        if (!weightOk || !std::isfinite(weight) || weight < 0) {
            problem = TrainingPanel::tr("Class %1's weight must be a number of at least 0").arg(cls);
            return std::nullopt;
        }
        weights[cls] = weight;
    }
    return weights;
}

QString classWeightText(const std::map<std::int64_t, double>& weights) {
    QStringList items;
    for (const auto& [cls, weight] : weights) {
        items << QString("%1: %2").arg(cls).arg(QString::number(weight, 'g', QLocale::FloatingPointShortest));
    }
    return items.join(", ");
}

}  // namespace

TrainingPanel::TrainingPanel(Document* document, TrainingController* controller, DataPanel* dataPanel,
                             QWidget* parent)
    : QWidget(parent),
      m_document(document),
      m_controller(controller),
      m_data(dataPanel),
      m_loss(new QComboBox(this)),
      m_optimizer(new QComboBox(this)),
      m_lr(rateBox(this, 1e-6, 10.0, 6, 0.0005)),
      m_momentum(rateBox(this, 0, 0.999, 3, 0.05)),
      m_beta1(rateBox(this, 0, 0.9999, 4, 0.01)),
      m_beta2(rateBox(this, 0, 0.99999, 5, 0.001)),
      m_weightDecay(rateBox(this, 0, 10, 6, 0.001)),
      m_amsgrad(new QCheckBox(tr("AMSGrad"), this)),
      m_fromLogits(new QCheckBox(tr("The output holds logits"), this)),
      m_classWeight(new QLineEdit(this)),
      m_clipNorm(rateBox(this, 0, 1000, 3, 0.5)),
      m_schedule(new QComboBox(this)),
      m_factor(rateBox(this, 0.01, 0.99, 2, 0.05)),
      m_every(new QSpinBox(this)),
      m_epochs(new QSpinBox(this)),
      m_batch(new QSpinBox(this)),
      m_seed(new QSpinBox(this)),
      m_shuffle(new QCheckBox(tr("Shuffle the samples every epoch"), this)),
      m_early(new QCheckBox(tr("Stop early when it stops improving"), this)),
      m_patience(new QSpinBox(this)),
      m_restoreBest(new QCheckBox(tr("Keep the best epoch's weights"), this)),
      m_metrics(new QToolButton(this)),
      m_monitor(new QComboBox(this)),
      m_monitorMode(new QComboBox(this)),
      m_watchRow(new QWidget(this)),
      m_start(new QPushButton(tr("Start"), this)),
      m_pause(new QPushButton(tr("Pause"), this)),
      m_stop(new QPushButton(tr("Stop"), this)),
      m_progress(new QProgressBar(this)),
      m_progressText(new QLabel(this)),
      m_blocked(new QLabel(this)),
      m_weights(new QLabel(this)),
      m_settings(new QWidget(this)),
      m_outputLosses(new OutputLossTable(this)) {
    for (const auto& [key, text] : OutputLossTable::lossChoices()) m_loss->addItem(text, key);
    m_loss->setToolTip(tr("What training minimises (Keras's name in the project file); for a model with several "
                          "outputs, the loss of each output that does not choose its own"));
    for (const char* name : {"adam", "adamw", "rmsprop", "sgd"}) {
        m_optimizer->addItem(QString(name) == "sgd" ? "SGD" : name == QString("rmsprop") ? "RMSprop"
                                                      : name == QString("adamw") ? "AdamW" : "Adam",
                             QString(name));
    }
    m_optimizer->setToolTip(tr("The update rule, with Keras's defaults when you switch"));
    m_lr->setToolTip(tr("Step size of the optimizer"));
    m_momentum->setToolTip(tr("SGD and RMSprop: momentum"));
    m_beta1->setToolTip(tr("Adam: decay of the first moment"));
    m_beta2->setToolTip(tr("Adam: decay of the second moment"));
    m_weightDecay->setToolTip(tr("Shrinks every weight by weight decay x learning rate before each update, "
                                 "as Keras 3 does for every optimizer (0: off)"));
    m_weightDecay->setSpecialValueText(tr("off"));
    m_loss->setObjectName("loss");
    m_weightDecay->setObjectName("weightDecay");
    m_amsgrad->setObjectName("amsgrad");
    m_fromLogits->setObjectName("fromLogits");
    m_classWeight->setObjectName("classWeight");
    m_classWeight->setPlaceholderText(tr("none, e.g. 0: 1, 1: 4"));
    m_classWeight->setClearButtonEnabled(true);
    m_amsgrad->setToolTip(tr("Adam's AMSGrad variant: divide by the largest second moment so far"));
    m_fromLogits->setToolTip(tr("The last layer has no sigmoid or softmax: the loss applies it itself "
                                "(Keras's from_logits=True), which is more stable"));
    m_clipNorm->setSpecialValueText(tr("off"));
    m_clipNorm->setToolTip(tr("Clip each gradient to this norm; helps deep LSTM stacks that diverge"));
    m_schedule->addItem(tr("Constant"), "constant");
    m_schedule->addItem(tr("Step decay"), "step");
    m_schedule->addItem(tr("Cosine"), "cosine");
    m_schedule->addItem(tr("Reduce on plateau"), "plateau");
    m_schedule->setToolTip(tr("How the learning rate changes over the epochs"));
    m_factor->setToolTip(tr("Multiply the learning rate by this at each step down"));
    m_every->setRange(1, 10000);
    m_every->setToolTip(tr("Step decay: epochs between steps; plateau: epochs without improvement"));
    m_epochs->setRange(1, 100000);
    m_epochs->setToolTip(tr("Passes over the training windows"));
    m_batch->setRange(1, 65536);
    m_batch->setToolTip(tr("Windows per gradient step"));
    m_seed->setRange(0, 1'000'000'000);
    m_seed->setToolTip(tr("Initial weights, shuffling and dropout: the same seed trains the same way"));
    m_patience->setRange(1, 10000);
    m_patience->setSuffix(tr(" epochs"));
    m_patience->setToolTip(tr("How many epochs without improvement to wait"));
    m_early->setObjectName("earlyStopping");
    m_metrics->setObjectName("metrics");
    m_metrics->setPopupMode(QToolButton::InstantPopup);
    m_metrics->setToolButtonStyle(Qt::ToolButtonTextOnly);
    m_metrics->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
    auto* metricMenu = new QMenu(m_metrics);
    for (Metric m : allMetrics()) {
        QAction* action = metricMenu->addAction(QString("%1  (%2)").arg(QString::fromStdString(metricTitle(m)),
                                                                        QString::fromStdString(metricName(m))));
        action->setCheckable(true);
        action->setData(QString::fromStdString(metricName(m)));
    }
    m_metrics->setMenu(metricMenu);
    m_monitor->setObjectName("monitor");
    m_monitor->setToolTip(tr("What early stopping and the plateau schedule watch: the loss or a metric, "
                             "on the validation data when there is any"));
    m_monitorMode->setObjectName("monitorMode");
    m_monitorMode->addItem(tr("lower is better"), "min");
    m_monitorMode->addItem(tr("higher is better"), "max");
    m_monitorMode->setToolTip(tr("Which way counts as an improvement; set for you when you choose what to watch"));
    auto* watch = new QHBoxLayout(m_watchRow);
    watch->setContentsMargins(0, 0, 0, 0);
    watch->addWidget(m_monitor, 1);
    watch->addWidget(m_monitorMode, 1);

    // Narrow enough for the dock it shares with the Inspector: the combo boxes shorten their
    // text to fit, and a narrow dock puts fields under their labels.
    for (QComboBox* box : {m_loss, m_optimizer, m_schedule, m_monitor, m_monitorMode}) {
        box->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
        box->setMinimumContentsLength(10);
    }
    auto* form = new QFormLayout;
    form->setRowWrapPolicy(QFormLayout::WrapLongRows);
    form->addRow(tr("Loss"), m_loss);
    form->addRow(tr("Each output"), m_outputLosses);
    form->addRow(QString(), m_fromLogits);
    form->addRow(tr("Class weights"), m_classWeight);
    form->addRow(tr("Metrics"), m_metrics);
    form->addRow(tr("Optimizer"), m_optimizer);
    form->addRow(tr("Learning rate"), m_lr);
    form->addRow(tr("Momentum"), m_momentum);
    form->addRow(tr("Beta 1"), m_beta1);
    form->addRow(tr("Beta 2"), m_beta2);
    form->addRow(QString(), m_amsgrad);
    form->addRow(tr("Weight decay"), m_weightDecay);
    form->addRow(tr("Clip norm"), m_clipNorm);
    form->addRow(tr("Schedule"), m_schedule);
    form->addRow(tr("Factor"), m_factor);
    form->addRow(tr("Every / patience"), m_every);
    form->addRow(tr("Epochs"), m_epochs);
    form->addRow(tr("Batch size"), m_batch);
    form->addRow(tr("Seed"), m_seed);
    form->addRow(QString(), m_shuffle);
    form->addRow(QString(), m_early);
    form->addRow(tr("Watch"), m_watchRow);
    form->addRow(tr("Patience"), m_patience);
    form->addRow(QString(), m_restoreBest);
    m_settings->setLayout(form);
    form->setContentsMargins(0, 0, 0, 0);

    m_start->setToolTip(tr("Train the model on the chosen data (F5)"));
    m_pause->setToolTip(tr("Pause or resume after the current batch (F6)"));
    m_stop->setToolTip(tr("Stop after the current batch and keep what was trained (Shift+F5)"));
    m_start->setDefault(true);
    auto* buttons = new QHBoxLayout;
    buttons->addWidget(m_start);
    buttons->addWidget(m_pause);
    buttons->addWidget(m_stop);
    m_progress->setRange(0, 1000);
    m_progress->setTextVisible(false);
    m_progressText->setWordWrap(true);
    m_weights->setWordWrap(true);
    m_weights->setTextInteractionFlags(Qt::TextSelectableByMouse);

    m_blocked->setWordWrap(true);
    m_blocked->setObjectName("trainingBlocked");
    m_blocked->setStyleSheet("color: #b8860b;");
    m_blocked->hide();

    auto* layout = new QVBoxLayout(this);
    layout->addLayout(buttons);
    layout->addWidget(m_blocked);
    layout->addWidget(m_progress);
    layout->addWidget(m_progressText);
    layout->addWidget(m_weights);
    layout->addWidget(m_settings);
    layout->addStretch(1);

    auto edited = [this] {
        if (!m_loading) storeToDocument();
    };
    connect(m_optimizer, &QComboBox::currentIndexChanged, this, [this] {
        if (m_loading) return;
        // Keras's defaults for the new optimizer, as a Keras user expects.
        if (auto d = OptimizerConfig::defaultsFor(m_optimizer->currentData().toString().toStdString())) {
            m_loading = true;
            m_lr->setValue(d->learningRate);
            m_momentum->setValue(d->momentum);
            m_beta1->setValue(d->beta1);
            m_beta2->setValue(d->beta2);
            m_weightDecay->setValue(d->weightDecay);
            m_amsgrad->setChecked(d->amsgrad);
            m_loading = false;
        }
        showOptimizerFields();
        storeToDocument();
    });
    // The loss is stored by its own handler below, once the watch list follows it.
    connect(m_schedule, &QComboBox::currentIndexChanged, this, edited);
    connect(m_loss, &QComboBox::currentIndexChanged, this, &TrainingPanel::showOptimizerFields);
    connect(m_loss, &QComboBox::currentIndexChanged, this, [this] {
        // Logits and class weights belong to the cross-entropies: a loss of values clears
        // them, so that coming back does not bring back settings the user no longer sees.
        const auto loss = parseLoss(m_loss->currentData().toString().toStdString());
        if (m_loading || (loss && isClassification(*loss))) return;
        m_loading = true;
        m_fromLogits->setChecked(false);
        m_classWeight->clear();
        markClassWeights();
        m_loading = false;
    });
    connect(m_schedule, &QComboBox::currentIndexChanged, this, &TrainingPanel::showOptimizerFields);
    connect(metricMenu, &QMenu::triggered, this, [this] {
        refreshMetricChoices(m_monitor->currentData().toString().toStdString());
        if (!m_loading) storeToDocument();
    });
    connect(m_loss, &QComboBox::currentIndexChanged, this, [this] {
        if (m_loading) return;
        // A regression loss has no accuracy to watch: the watch list follows the loss.
        refreshMetricChoices(m_monitor->currentData().toString().toStdString());
        storeToDocument();
    });
    connect(m_monitor, &QComboBox::currentIndexChanged, this, [this] {
        if (m_loading) return;
        // The direction that fits what is watched, as Keras's mode="auto" picks it.
        Monitor watched;
        watched.quantity = m_monitor->currentData().toString().toStdString();
        m_loading = true;
        m_monitorMode->setCurrentIndex(watched.higherIsBetter() ? 1 : 0);
        m_loading = false;
        showOptimizerFields();
        storeToDocument();
    });
    connect(m_monitorMode, &QComboBox::currentIndexChanged, this, edited);
    for (QDoubleSpinBox* box : {m_lr, m_momentum, m_beta1, m_beta2, m_weightDecay, m_clipNorm, m_factor}) {
        connect(box, &QDoubleSpinBox::valueChanged, this, edited);
    }
    for (QSpinBox* box : {m_every, m_epochs, m_batch, m_seed, m_patience}) connect(box, &QSpinBox::valueChanged, this, edited);
    for (QCheckBox* box : {m_shuffle, m_early, m_restoreBest, m_amsgrad, m_fromLogits}) {
        connect(box, &QCheckBox::toggled, this, edited);
    }
    connect(m_early, &QCheckBox::toggled, this, &TrainingPanel::showOptimizerFields);
    connect(m_classWeight, &QLineEdit::editingFinished, this, edited);
    connect(m_classWeight, &QLineEdit::textEdited, this, &TrainingPanel::markClassWeights);
    markClassWeights();
    connect(m_start, &QPushButton::clicked, this, &TrainingPanel::startRequested);
    connect(m_pause, &QPushButton::clicked, this, &TrainingPanel::pauseRequested);
    connect(m_stop, &QPushButton::clicked, this, &TrainingPanel::stopRequested);

    connect(m_document, &Document::trainingChanged, this, [this] {
        if (!m_loading) loadFromDocument();
        refreshButtons();  // the metrics may no longer fit the output
    });
    connect(m_document, &Document::changed, this, &TrainingPanel::refreshButtons);
    // A model that gains or loses an output shows a row for each.
    connect(m_document, &Document::changed, this, [this] {
        if (modelOutputs() == m_outputLosses->outputs()) return;
        const bool loading = m_loading;
        m_loading = true;
        loadFromDocument();
        m_loading = loading;
    });
    connect(m_outputLosses, &OutputLossTable::edited, this, [this] {
        if (m_loading) return;
        refreshMetricChoices(m_monitor->currentData().toString().toStdString());
        storeToDocument();
    });
    // Whether the weights still fit is worked out shortly after a burst of edits, not on each.
    m_weightsTimer.setSingleShot(true);
    m_weightsTimer.setInterval(150);
    connect(&m_weightsTimer, &QTimer::timeout, this, &TrainingPanel::refreshWeights);
    connect(m_document, &Document::changed, this, [this] {
        if (!m_document->weights().empty()) m_weightsTimer.start();
    });
    connect(m_document, &Document::weightsChanged, this, &TrainingPanel::refreshWeights);
    connect(m_data, &DataPanel::statusChanged, this, &TrainingPanel::refreshButtons);
    connect(m_document, &Document::changed, this, &TrainingPanel::refreshButtons);
    connect(m_controller, &TrainingController::stateChanged, this, &TrainingPanel::refreshButtons);
    connect(m_controller, &TrainingController::progressChanged, this, [this] {
        m_progress->setValue(m_controller->progressPermille());
        m_progressText->setText(m_controller->progressText());
        m_progressText->setToolTip(m_controller->progressToolTip());
    });
    connect(m_controller, &TrainingController::prepared, this, &TrainingPanel::refreshWeights);
    connect(m_controller, &TrainingController::stateChanged, this, &TrainingPanel::refreshWeights);
    loadFromDocument();
    refreshButtons();
    refreshWeights();
}

QString TrainingPanel::blocker() const {
    if (QString why = modelBlocker(); !why.isEmpty()) return why;
    if (m_data->busy()) return tr("Reading the data…");
    if (!m_data->ready()) return tr("The data does not fit: %1").arg(m_data->problem());
    return QString();
}

QString TrainingPanel::modelBlocker() const {
    if (m_controller->busy()) return tr("A run is going");
    if (m_document->validation().hasErrors()) return tr("The model has problems; see the Problems panel");
    const ModelGraph& graph = m_document->graph();
    const auto inputs = std::count_if(graph.nodes().begin(), graph.nodes().end(), [](const Node& n) { return n.isInput(); });
    const std::vector<NodeId>& outputs = m_document->validation().outputs;
    if (inputs == 0 || outputs.empty()) {
        return tr("Training takes a model with an Input and an output; this one has %1 and %2.")
            .arg(counted(static_cast<qsizetype>(inputs), "Input"), counted(static_cast<qsizetype>(outputs.size()), "output"));
    }
    // Metrics the outputs' shapes do not allow, said before Start rather than when it fails.
    std::vector<OutputColumns> columns;
    for (NodeId id : outputs) {
        const auto& output = m_document->validation().of(graph, id).output;
        if (!output || output->features().size <= 0) return QString();
        columns.push_back({graph.node(id)->name, output->features().size});
    }
    try {
        const TrainConfig c = trainConfigFromJson(m_document->project().training);
        if (const std::string problem = metricsProblem(c, columns); !problem.empty()) {
            return tr("Training cannot start: %1. Change the Metrics, the outputs' losses or what early stopping watches.")
                .arg(QString::fromStdString(problem));
        }
    } catch (const std::exception&) {
        // A damaged training section is the project check's to report.
    }
    return QString();
}

void TrainingPanel::refreshButtons() {
    using State = TrainingController::State;
    const State s = m_controller->state();
    const QString why = blocker();
    m_start->setEnabled(why.isEmpty());
    m_start->setToolTip(why.isEmpty() ? tr("Train the model on the chosen data (F5)") : why);
    // Why Start is off, where the user looks; not while a run goes (the progress says that).
    m_blocked->setText(s == State::Idle ? why : QString());
    m_blocked->setVisible(!m_blocked->text().isEmpty());
    m_pause->setEnabled(s == State::Running || s == State::Paused || s == State::Preparing);
    m_pause->setText(s == State::Paused ? tr("Resume") : tr("Pause"));
    m_stop->setEnabled(s != State::Idle && s != State::Stopping);
    m_settings->setEnabled(s == State::Idle);
}

void TrainingPanel::refreshWeights() {
    const auto& weights = m_document->weights();
    QString text;
    if (m_controller->busy()) {
        const WeightMatch& m = m_controller->weightMatch();
        text = m.kept.empty() ? tr("Weights: being trained from Keras's initialisers; they join the model when the run ends.")
                              : tr("Weights: training goes on from the model's own weights of %1; they join the model "
                                   "when the run ends.")
                                    .arg(counted(static_cast<qsizetype>(m.kept.size()), "layer"));
    } else if (weights.empty()) {
        text = tr("Weights: untrained. Training starts from Keras's initialisers.");
    } else {
        try {
            const WeightMatch m = matchWeights(m_document->graph(), weights);
            if (m.all()) {
                text = tr("Weights: trained, and they fit every layer. Training continues from them.");
            } else if (m.none()) {
                text = tr("Weights: trained for another architecture; none fit these layers any more. "
                          "Training starts afresh.");
            } else {
                QStringList reasons;
                for (const std::string& r : m.reasons) reasons << QString::fromStdString(r);
                text = tr("Weights: trained; %1 keep them, %2 start afresh since the layers changed (%3).")
                           .arg(listed(m.kept), listed(m.fresh), reasons.join("; "));
            }
        } catch (const std::exception&) {
            text = tr("Weights: trained; whether they fit is known once the model's problems are fixed.");
        }
    }
    m_weights->setText(text);
}

void TrainingPanel::markClassWeights() {
    QString problem;
    const bool fine = parseClassWeights(m_classWeight->text(), problem).has_value();
    m_classWeight->setStyleSheet(fine ? QString() : QString("QLineEdit { border: 1px solid #c0392b; }"));
    m_classWeight->setToolTip(fine ? tr("Keras's class_weight: each training sample's loss is multiplied by its "
                                 "class's weight (1 for classes not named). Helps when one class is rare.") : problem);
}

std::vector<Metric> TrainingPanel::chosenMetrics() const {
    std::vector<Metric> chosen;
    for (const QAction* action : m_metrics->menu()->actions()) {
        if (!action->isChecked()) continue;
        if (const auto m = parseMetric(action->data().toString().toStdString())) chosen.push_back(*m);
    }
    return chosen;
}

void TrainingPanel::refreshMetricChoices(const std::string& watched, bool keepMissing) {
    const std::vector<Metric> chosen = chosenMetrics();
    QStringList names;
    for (Metric m : chosen) names << QString::fromStdString(metricName(m));
    // Elided, so that long names do not widen the dock; the tooltip lists them all.
    const QString list = names.isEmpty() ? tr("none") : names.join(", ");
    m_metrics->setText(m_metrics->fontMetrics().elidedText(list, Qt::ElideRight, 170));
    m_metrics->setToolTip(tr("%1\n\nKeras's metrics, computed beside the loss on the training and validation data each "
                             "epoch and shown in the Loss dock, the Runs table and history.csv").arg(list));
    const auto loss = parseLoss(m_loss->currentData().toString().toStdString());
    const bool loading = m_loading;
    m_loading = true;
    m_monitor->clear();
    m_monitor->addItem(tr("loss"), "loss");
    const std::vector<std::string>& outputs = m_outputLosses->outputs();
    if (!outputs.empty()) {
        // A model with several outputs reports each one's loss and metrics, as the panel shows
        // them now: what training will accept.
        TrainConfig stored;
        try {
            stored = trainConfigFromJson(m_document->project().training);
        } catch (const std::exception&) {
        }
        TrainConfig shown = stored;
        shown.loss = loss.value_or(stored.loss);
        shown.metrics = chosen;
        shown.outputLosses = m_outputLosses->entries(stored, shown);
        for (const std::string& name : watchableQuantities(shown, outputs)) {
            const QString item = QString::fromStdString(name);
            if (m_monitor->findData(item) < 0) m_monitor->addItem(item, item);
        }
    } else {
        // A classifier's accuracy is always computed, so it can always be watched.
        if (loss && isClassification(*loss)) m_monitor->addItem(tr("accuracy"), "accuracy");
        for (Metric m : chosen) {
            const QString item = QString::fromStdString(metricName(m));
            if (m_monitor->findData(item) < 0) m_monitor->addItem(item, item);
        }
    }
    // A quantity the project watches but the run does not compute (from a file written
    // elsewhere) stays on show, so that the panel says what the file says; Start then says why
    // it cannot train, and choosing another item is a change.
    const bool missing = !watched.empty() && m_monitor->findData(QString::fromStdString(watched)) < 0;
    if (missing && keepMissing) {
        m_monitor->addItem(tr("%1 (not computed)").arg(QString::fromStdString(watched)), QString::fromStdString(watched));
    }
    m_monitor->setCurrentIndex(std::max(0, m_monitor->findData(QString::fromStdString(watched))));
    // What was watched is gone (the user dropped the metric or chose a loss without it): the
    // loss is watched, lower being better.
    if (missing && !keepMissing) m_monitorMode->setCurrentIndex(0);
    m_loading = loading;
    showOptimizerFields();
}

void TrainingPanel::showOptimizerFields() {
    auto* form = static_cast<QFormLayout*>(m_settings->layout());
    const QString o = m_optimizer->currentData().toString();
    form->setRowVisible(m_momentum, o == "sgd" || o == "rmsprop");
    form->setRowVisible(m_beta1, o == "adam" || o == "adamw");
    form->setRowVisible(m_beta2, o == "adam" || o == "adamw");
    form->setRowVisible(m_amsgrad, o == "adam" || o == "adamw");
    const auto loss = parseLoss(m_loss->currentData().toString().toStdString());
    form->setRowVisible(m_outputLosses, !m_outputLosses->outputs().empty());
    form->setRowVisible(m_fromLogits, loss && isClassification(*loss));
    form->setRowVisible(m_classWeight, loss && isClassification(*loss));
    const QString s = m_schedule->currentData().toString();
    form->setRowVisible(m_factor, s == "step" || s == "plateau");
    form->setRowVisible(m_every, s == "step" || s == "plateau");
    form->setRowVisible(m_patience, m_early->isChecked());
    form->setRowVisible(m_watchRow, m_early->isChecked() || s == "plateau");
    m_early->setToolTip(tr("Stop when the %1 has not improved for the patience's epochs (Keras's EarlyStopping)")
                            .arg(m_monitor->currentText().isEmpty() ? tr("loss") : m_monitor->currentText()));
    form->setRowVisible(m_restoreBest, m_early->isChecked());
}

void TrainingPanel::loadFromDocument() {
    TrainConfig c;
    try {
        c = trainConfigFromJson(m_document->project().training);
    } catch (const std::exception&) {
        c = TrainConfig{};
    }
    m_loading = true;
    m_loss->setCurrentIndex(std::max(0, m_loss->findData(QString::fromStdString(lossName(c.loss)))));
    m_optimizer->setCurrentIndex(std::max(0, m_optimizer->findData(QString::fromStdString(c.optimizer.name()))));
    m_lr->setValue(c.optimizer.learningRate);
    m_momentum->setValue(c.optimizer.momentum);
    m_beta1->setValue(c.optimizer.beta1);
    m_beta2->setValue(c.optimizer.beta2);
    m_weightDecay->setValue(c.optimizer.weightDecay);
    m_amsgrad->setChecked(c.optimizer.amsgrad);
    m_fromLogits->setChecked(c.fromLogits);
    m_classWeight->setText(classWeightText(c.classWeight));
    markClassWeights();
    m_clipNorm->setValue(c.optimizer.clipNorm.value_or(0.0));
    const char* kinds[] = {"constant", "step", "cosine", "plateau"};
    m_schedule->setCurrentIndex(std::max(0, m_schedule->findData(QString(kinds[static_cast<int>(c.schedule.kind)]))));
    m_factor->setValue(c.schedule.factor);
    m_every->setValue(c.schedule.kind == LearningRateSchedule::Kind::ReduceOnPlateau ? c.schedule.patience
                                                                                     : c.schedule.everyEpochs);
    m_epochs->setValue(c.epochs);
    m_batch->setValue(c.batchSize);
    m_seed->setValue(static_cast<int>(c.seed));
    m_shuffle->setChecked(c.shuffle);
    m_early->setChecked(c.earlyStopping.enabled);
    m_patience->setValue(c.earlyStopping.patience);
    m_restoreBest->setChecked(c.earlyStopping.restoreBestWeights);
    for (QAction* action : m_metrics->menu()->actions()) {
        const auto m = parseMetric(action->data().toString().toStdString());
        action->setChecked(m && std::find(c.metrics.begin(), c.metrics.end(), *m) != c.metrics.end());
    }
    m_outputLosses->setOutputs(modelOutputs(), c);
    refreshMetricChoices(c.monitor.quantity, true);
    m_monitorMode->setCurrentIndex(c.monitor.higherIsBetter() ? 1 : 0);
    m_loading = false;
    showOptimizerFields();
}

std::vector<std::string> TrainingPanel::modelOutputs() const {
    std::vector<std::string> names;
    for (NodeId id : m_document->validation().outputs) {
        if (const Node* n = m_document->graph().node(id)) names.push_back(n->name);
    }
    // One output takes the run's loss: no table.
    if (names.size() < 2) names.clear();
    return names;
}

void TrainingPanel::storeToDocument() {
    nlohmann::json training = m_document->project().training;
    if (!training.is_object()) training = nlohmann::json::object();
    TrainConfig c;
    try {
        c = trainConfigFromJson(training);  // keeps what this panel does not show (epsilon, ...)
    } catch (const std::exception&) {
        c = TrainConfig{};
    }
    const TrainConfig before = c;
    c.loss = parseLoss(m_loss->currentData().toString().toStdString()).value_or(Loss::MeanSquaredError);
    const std::string optimizer = m_optimizer->currentData().toString().toStdString();
    if (c.optimizer.name() != optimizer) c.optimizer = OptimizerConfig::defaultsFor(optimizer).value_or(OptimizerConfig{});
    c.optimizer.learningRate = m_lr->value();
    c.optimizer.momentum = m_momentum->value();
    c.optimizer.beta1 = m_beta1->value();
    c.optimizer.beta2 = m_beta2->value();
    c.optimizer.weightDecay = m_weightDecay->value();
    c.optimizer.amsgrad = m_amsgrad->isChecked();
    c.fromLogits = m_fromLogits->isChecked() && isClassification(c.loss);
    QString problem;
    // Text that is not class weights yet keeps the weights saved before (the field says why).
    if (const auto weights = parseClassWeights(m_classWeight->text(), problem)) c.classWeight = *weights;
    if (!isClassification(c.loss)) c.classWeight.clear();  // shown (and kept) for the classifiers only
    c.optimizer.clipNorm = m_clipNorm->value() > 0 ? std::optional<double>(m_clipNorm->value()) : std::nullopt;
    const QString s = m_schedule->currentData().toString();
    c.schedule.kind = s == "step"      ? LearningRateSchedule::Kind::StepDecay
                      : s == "cosine"  ? LearningRateSchedule::Kind::Cosine
                      : s == "plateau" ? LearningRateSchedule::Kind::ReduceOnPlateau
                                       : LearningRateSchedule::Kind::Constant;
    c.schedule.factor = m_factor->value();
    if (c.schedule.kind == LearningRateSchedule::Kind::ReduceOnPlateau) {
        c.schedule.patience = m_every->value();
    } else {
        c.schedule.everyEpochs = m_every->value();
    }
    c.epochs = m_epochs->value();
    c.batchSize = m_batch->value();
    c.seed = static_cast<std::uint64_t>(m_seed->value());
    c.shuffle = m_shuffle->isChecked();
    c.earlyStopping.enabled = m_early->isChecked();
    c.earlyStopping.patience = m_patience->value();
    c.earlyStopping.restoreBestWeights = m_restoreBest->isChecked();
    c.metrics = chosenMetrics();
    c.monitor.quantity = m_monitor->currentData().toString().toStdString();
    if (c.monitor.quantity.empty()) c.monitor.quantity = "loss";
    // Mode auto when the chosen direction is the one auto gives, so files say only what differs.
    c.monitor.mode = Monitor::Mode::Auto;
    const bool higher = m_monitorMode->currentData().toString() == "max";
    if (higher != c.monitor.higherIsBetter()) c.monitor.mode = higher ? Monitor::Mode::Max : Monitor::Mode::Min;
    if (!m_outputLosses->outputs().empty()) c.outputLosses = m_outputLosses->entries(before, c);
    nlohmann::json updated = trainConfigToJson(c);
    if (training.contains("data")) updated["data"] = training["data"];
    m_loading = true;
    m_document->setTraining(std::move(updated));
    // Outputs without a loss of their own follow the run's.
    if (!m_outputLosses->outputs().empty()) m_outputLosses->setOutputs(m_outputLosses->outputs(), c);
    m_loading = false;
}

}  // namespace loom::ui
