#pragma once

#include <cmath>
#include <stdexcept>
#include <string>

#include "engine/kernel.h"

namespace loom {

/// Embedding: every step's token id picks one row of `embeddings` (input_dim, output_dim).
/// Ids arrive as numbers and are cast to whole numbers as Keras casts them (toward zero); an
/// id outside [0, input_dim) stops the pass with a message, never a read out of bounds.
/// Backward: each row's gradient is the sum of the output gradients of the steps that picked
/// it; ids have no gradient.
template <class S>
class EmbeddingKernel final : public Kernel<S> {
public:
    explicit EmbeddingKernel(const KernelSetup& s) : EmbeddingKernel(s, "input_dim", "output_dim") {}
    /// The table's rows and width as the layer's parameters `vocab` and `width` say.
    EmbeddingKernel(const KernelSetup& s, const char* vocab, const char* width)
        : m_vocab(s.node.param<std::int64_t>(vocab)),
          m_width(s.node.param<std::int64_t>(width)),
          m_vocabParam(vocab),
          m_steps(s.inputs.front().empty() ? 1 : s.inputs.front().front()),
          m_name(s.node.name) {}

    void forward(KernelIO<S>& io) override {
        const Eigen::Index rows = io.batch * m_steps;
        m_ids.resize(rows);
        ConstMatMap<S> table(io.params[0], m_vocab, m_width);
        MatMap<S> y(io.out, rows, m_width);
        for (Eigen::Index r = 0; r < rows; ++r) {
            const S value = io.in[0][r];
            if (!(value > S(-1)) || !(value < static_cast<S>(m_vocab))) outOfRange(value, r);
            m_ids[r] = static_cast<Eigen::Index>(value);  // toward zero, as Keras's cast
            y.row(r) = table.row(m_ids[r]);
            if (io.outMask) io.outMask[r] = m_ids[r] != 0;  // mask_zero: id 0 is padding
        }
    }

    void backward(KernelIO<S>& io) override {
        const Eigen::Index rows = io.batch * m_steps;
        ConstMatMap<S> dy(io.dOut, rows, m_width);
        MatMap<S> dTable(io.dParams[0], m_vocab, m_width);
        for (Eigen::Index r = 0; r < rows; ++r) dTable.row(m_ids[r]) += dy.row(r);
    }

private:
    [[noreturn]] void outOfRange(S value, Eigen::Index row) const {
        const double v = static_cast<double>(value);
        std::string what = std::isfinite(v) ? std::to_string(static_cast<long long>(std::trunc(v)))
                                            : std::string(std::isnan(v) ? "NaN" : "infinite");
        throw std::out_of_range(m_name + " was given token id " + what + " at step " +
                                std::to_string(row % m_steps + 1) + " of sample " +
                                std::to_string(row / m_steps + 1) + " of a batch, outside 0 to " +
                                std::to_string(m_vocab - 1) + " (its " + m_vocabParam + " is " +
                                std::to_string(m_vocab) + ")");
    }

    std::int64_t m_vocab, m_width;
    std::string m_vocabParam;
    std::int64_t m_steps;
    std::string m_name;
    Eigen::Matrix<Eigen::Index, Eigen::Dynamic, 1> m_ids;
};

}  // namespace loom
