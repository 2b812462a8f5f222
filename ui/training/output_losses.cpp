#include "training/output_losses.h"

#include <QComboBox>
#include <QDoubleSpinBox>
#include <QHeaderView>
#include <algorithm>

#include "engine/loss.h"

namespace loom::ui {

OutputLossTable::OutputLossTable(QWidget* parent) : QTableWidget(0, 3, parent) {
    setObjectName("outputLosses");
    setHorizontalHeaderLabels({tr("Output"), tr("Loss"), tr("Weight")});
    horizontalHeader()->setSectionResizeMode(0, QHeaderView::ResizeToContents);
    horizontalHeader()->setSectionResizeMode(1, QHeaderView::Stretch);
    horizontalHeader()->setSectionResizeMode(2, QHeaderView::ResizeToContents);
    verticalHeader()->hide();
    setSelectionMode(QAbstractItemView::NoSelection);
    setEditTriggers(QAbstractItemView::NoEditTriggers);
    setSizeAdjustPolicy(QAbstractScrollArea::AdjustToContents);
    setVerticalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    setToolTip(tr("Each output's loss and its weight in the run's loss, which is their weighted sum (Keras's "
                  "loss and loss_weights by output). The Loss dock draws each output's loss beside it."));
}

std::vector<std::pair<QString, QString>> OutputLossTable::lossChoices() {
    return {{"mse", tr("Mean squared error")},
            {"mae", tr("Mean absolute error")},
            {"huber", tr("Huber")},
            {"binary_crossentropy", tr("Binary cross-entropy")},
            {"categorical_crossentropy", tr("Categorical cross-entropy")},
            {"sparse_categorical_crossentropy", tr("Sparse categorical cross-entropy")}};
}

void OutputLossTable::setOutputs(const std::vector<std::string>& outputs, const TrainConfig& config) {
    m_filling = true;
    if (outputs == m_outputs && rowCount() == static_cast<int>(outputs.size())) {
        // The same outputs: the rows take the values in place, so that a field being typed
        // into keeps its focus.
        for (int row = 0; row < rowCount(); ++row) {
            const OutputLoss o = config.lossOf(outputs[static_cast<std::size_t>(row)], outputs.size());
            auto* loss = qobject_cast<QComboBox*>(cellWidget(row, 1));
            auto* weight = qobject_cast<QDoubleSpinBox*>(cellWidget(row, 2));
            if (loss) loss->setCurrentIndex(std::max(0, loss->findData(QString::fromStdString(lossName(o.loss)))));
            if (weight && weight->value() != o.weight) weight->setValue(o.weight);
        }
        m_filling = false;
        return;
    }
    m_outputs = outputs;
    setRowCount(static_cast<int>(outputs.size()));
    for (int row = 0; row < rowCount(); ++row) {
        const std::string& name = outputs[static_cast<std::size_t>(row)];
        const OutputLoss o = config.lossOf(name, outputs.size());
        auto* item = new QTableWidgetItem(QString::fromStdString(name));
        item->setToolTip(tr("The output layer %1; its targets are the data's array named %1 (or y, y_1, ...), or the columns of a series ticked for it")
                             .arg(QString::fromStdString(name)));
        setItem(row, 0, item);
        auto* loss = new QComboBox(this);
        loss->setObjectName(QString("outputLoss_%1").arg(row));
        for (const auto& [key, text] : lossChoices()) loss->addItem(text, key);
        loss->setCurrentIndex(std::max(0, loss->findData(QString::fromStdString(lossName(o.loss)))));
        loss->setToolTip(tr("What training minimises for %1").arg(QString::fromStdString(name)));
        setCellWidget(row, 1, loss);
        auto* weight = new QDoubleSpinBox(this);
        weight->setObjectName(QString("outputWeight_%1").arg(row));
        weight->setRange(0.0, 1000.0);
        weight->setDecimals(3);
        weight->setSingleStep(0.1);
        weight->setValue(o.weight);
        weight->setKeyboardTracking(false);  // stored once typed, not at every key
        weight->setToolTip(tr("How much %1's loss counts in the run's loss (0 leaves it untrained)").arg(QString::fromStdString(name)));
        setCellWidget(row, 2, weight);
        connect(loss, &QComboBox::currentIndexChanged, this, [this] {
            if (!m_filling) emit edited();
        });
        connect(weight, &QDoubleSpinBox::valueChanged, this, [this] {
            if (!m_filling) emit edited();
        });
    }
    resizeRowsToContents();
    // As tall as its rows: the panel scrolls, the table does not.
    int height = horizontalHeader()->sizeHint().height() + 2 * frameWidth();
    for (int row = 0; row < rowCount(); ++row) height += rowHeight(row);
    setFixedHeight(height);
    m_filling = false;
}

std::vector<OutputLoss> OutputLossTable::entries(const TrainConfig& before, const TrainConfig& config) const {
    std::vector<OutputLoss> out;
    for (int row = 0; row < rowCount(); ++row) {
        const auto* loss = qobject_cast<const QComboBox*>(cellWidget(row, 1));
        const auto* weight = qobject_cast<const QDoubleSpinBox*>(cellWidget(row, 2));
        if (!loss || !weight) continue;
        OutputLoss o;
        o.output = m_outputs[static_cast<std::size_t>(row)];
        // A row that shows the run's loss follows it when it changes.
        const Loss chosen = parseLoss(loss->currentData().toString().toStdString()).value_or(before.loss);
        o.loss = chosen == before.loss ? config.loss : chosen;
        o.weight = weight->value();
        // What the row does not show stays as it was when it was the output's own (from a
        // Keras file): its metrics, and whether it reads logits while its loss stays.
        const OutputLoss was = before.lossOf(o.output, m_outputs.size());
        o.metrics = was.metrics == before.metrics ? config.metrics : was.metrics;
        const bool ownLogits = was.fromLogits != before.fromLogits && o.loss == was.loss;
        o.fromLogits = (ownLogits ? was.fromLogits : config.fromLogits) && isClassification(o.loss);
        if (o.loss != config.loss || o.weight != 1.0 || o.metrics != config.metrics || o.fromLogits != config.fromLogits) {
            out.push_back(std::move(o));
        }
    }
    for (const OutputLoss& kept : before.outputLosses) {
        if (std::find(m_outputs.begin(), m_outputs.end(), kept.output) == m_outputs.end()) out.push_back(kept);
    }
    return out;
}

}  // namespace loom::ui
