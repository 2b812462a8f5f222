#pragma once

#include <stdexcept>
#include <string>

#include "engine/kernel.h"
#include "engine/kernels/embedding_kernel.h"

namespace loom {

/// Adds (or writes) rows 0 .. T-1 of a position table (sequence_length, features) to every
/// sample of a batch of T steps, and collects the table's gradient: the sum over the batch of
/// the output gradients at each step. Shared by PositionEmbedding and TokenAndPositionEmbedding.
template <class S>
class PositionRows {
public:
    PositionRows(const KernelSetup& s, std::int64_t steps, std::int64_t width)
        : m_steps(steps), m_width(width), m_rows(s.node.param<std::int64_t>("sequence_length")) {
        // The shape rule says so first; this guards a plan compiled for a longer free length.
        if (m_steps > m_rows) {
            throw std::invalid_argument(s.node.name + " has positions for sequence_length=" + std::to_string(m_rows) +
                                        " steps, but its input has " + std::to_string(m_steps));
        }
    }

    /// y (batch * T rows of `width`) = y + positions, or = positions when `add` is false.
    void forward(const S* table, S* out, int batch, bool add) const {
        const auto rows = ConstMatMap<S>(table, m_rows, m_width).topRows(m_steps);
        for (int b = 0; b < batch; ++b) {
            auto y = MatMap<S>(out, static_cast<Eigen::Index>(batch) * m_steps, m_width).middleRows(b * m_steps, m_steps);
            if (add) {
                y += rows;
            } else {
                y = rows;
            }
        }
    }

    void backward(const S* dOut, S* dTable, int batch) const {
        auto d = MatMap<S>(dTable, m_rows, m_width).topRows(m_steps);
        ConstMatMap<S> dy(dOut, static_cast<Eigen::Index>(batch) * m_steps, m_width);
        for (int b = 0; b < batch; ++b) d += dy.middleRows(b * m_steps, m_steps);
    }

private:
    Eigen::Index m_steps, m_width, m_rows;
};

/// keras_hub's PositionEmbedding: the first T rows of its trained table (sequence_length,
/// features), the same for every sample; the input gives only its shape, and has no gradient.
template <class S>
class PositionEmbeddingKernel final : public Kernel<S> {
public:
    explicit PositionEmbeddingKernel(const KernelSetup& s)
        : m_rows(s, s.inputs.front()[0], s.inputs.front()[1]) {}

    void forward(KernelIO<S>& io) override { m_rows.forward(io.params[0], io.out, io.batch, false); }
    void backward(KernelIO<S>& io) override { m_rows.backward(io.dOut, io.dParams[0], io.batch); }

private:
    PositionRows<S> m_rows;
};

/// keras_hub's TokenAndPositionEmbedding: each step's token id picks its row of the token
/// table (vocabulary_size, embedding_dim), and row t of the position table is added at step t.
/// Weights: the token table, the unused reverse projection when tie_weights is off, the
/// position table.
template <class S>
class TokenAndPositionEmbeddingKernel final : public Kernel<S> {
public:
    explicit TokenAndPositionEmbeddingKernel(const KernelSetup& s)
        : m_tokens(s, "vocabulary_size", "embedding_dim"),
          m_rows(s, s.inputs.front()[0], s.node.param<std::int64_t>("embedding_dim")),
          m_position(s.node.param<bool>("tie_weights") ? 1 : 2) {}

    void forward(KernelIO<S>& io) override {
        m_tokens.forward(io);
        m_rows.forward(io.params[m_position], io.out, io.batch, true);
    }
    void backward(KernelIO<S>& io) override {
        m_tokens.backward(io);
        m_rows.backward(io.dOut, io.dParams[m_position], io.batch);
    }

private:
    EmbeddingKernel<S> m_tokens;
    PositionRows<S> m_rows;
    std::size_t m_position;  ///< the position table's index among the weights
};

}  // namespace loom
