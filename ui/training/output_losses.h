#pragma once

#include <QTableWidget>
#include <string>
#include <vector>

#include "train/trainer.h"

namespace loom::ui {

/// The losses of a model with several outputs, one row each: the output layer, its loss and
/// its weight in the run's loss (Keras's compile(loss={...}, loss_weights={...})). An output
/// whose row says the run's loss with weight 1 needs no entry of its own.
class OutputLossTable : public QTableWidget {
    Q_OBJECT
public:
    explicit OutputLossTable(QWidget* parent = nullptr);

    /// The losses a row may choose: Keras's name and the words shown.
    static std::vector<std::pair<QString, QString>> lossChoices();

    /// Shows a row per output of `outputs`, as `config` trains it. Emits nothing.
    void setOutputs(const std::vector<std::string>& outputs, const TrainConfig& config);
    /// The entries the rows make for a run of `after` (its loss, logits and metrics), the rows
    /// having been shown for `before`: a row showing `before`'s loss follows the run's loss to
    /// `after`'s; one entry per output whose loss or weight then differs from the run's, then
    /// the entries for layers not shown, which are kept.
    std::vector<OutputLoss> entries(const TrainConfig& before, const TrainConfig& after) const;
    const std::vector<std::string>& outputs() const { return m_outputs; }

signals:
    void edited();

private:
    std::vector<std::string> m_outputs;
    bool m_filling = false;
};

}  // namespace loom::ui
