#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace loom {

/// Keras's losses. Each is averaged Keras's way: per sample (and step) over the last axis, then
/// over every sample and step of the batch.
enum class Loss {
    MeanSquaredError,
    MeanAbsoluteError,
    Huber,  ///< delta = 1
    BinaryCrossentropy,
    CategoricalCrossentropy,
    SparseCategoricalCrossentropy,  ///< targets hold one class index per row
};

/// Accepts Keras's names and aliases: `mse`, `mean_squared_error`, `mae`, `huber`,
/// `binary_crossentropy`, `categorical_crossentropy`, `sparse_categorical_crossentropy`.
std::optional<Loss> parseLoss(std::string_view name);
std::string lossName(Loss loss);
bool isClassification(Loss loss);

/// Columns a target row has for an output row of `features` columns.
inline std::int64_t targetColumns(Loss loss, std::int64_t features) {
    return loss == Loss::SparseCategoricalCrossentropy ? 1 : features;
}

/// How a loss is taken besides its kind, as Keras's loss objects and fit() arguments say.
template <class S>
struct LossOptions {
    /// Cross-entropies: the outputs are logits, not probabilities (Keras's from_logits). The
    /// loss applies the sigmoid (binary) or softmax (categorical, sparse) itself, exactly.
    bool fromLogits = false;
    /// One weight per row (each sample's class or sample weight, repeated over its steps), or
    /// null. Keras multiplies each row's loss by it and still divides by the row count.
    const S* rowWeights = nullptr;
};

/// The loss over `rows` rows of `cols` predictions; when `grad` is given, writes dLoss/dy there.
template <class S>
double computeLoss(Loss loss, const S* y, const S* target, std::int64_t rows, std::int64_t cols,
                   S* grad, const LossOptions<S>& options = {});

/// Fraction of rows classified right: argmax (categorical, sparse) or y > 0.5 (binary; with
/// logits, y > 0, the same decision).
template <class S>
double accuracy(Loss loss, const S* y, const S* target, std::int64_t rows, std::int64_t cols,
                bool fromLogits = false);

}  // namespace loom
