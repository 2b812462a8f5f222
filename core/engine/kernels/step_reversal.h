#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

#include "engine/kernel.h"

namespace loom {

/// Each sample's steps in reverse order: (batch * steps) x cols rows from `src` into `dst`.
template <class S>
void reverseSteps(const S* src, Eigen::Index batch, Eigen::Index steps, Eigen::Index cols, Mat<S>& dst) {
    dst.resize(batch * steps, cols);
    ConstMatMap<S> x(src, batch * steps, cols);
    for (Eigen::Index b = 0; b < batch; ++b) {
        dst.middleRows(b * steps, steps) = x.middleRows(b * steps, steps).colwise().reverse();
    }
}

/// A step mask (batch x steps) with each sample's steps in reverse order, into `dst`; returns
/// dst's data, or null for no mask.
inline const std::uint8_t* reverseStepMask(const std::uint8_t* mask, Eigen::Index batch, Eigen::Index steps,
                                           std::vector<std::uint8_t>& dst) {
    if (!mask) return nullptr;
    dst.resize(static_cast<std::size_t>(batch * steps));
    for (Eigen::Index b = 0; b < batch; ++b) {
        std::reverse_copy(mask + b * steps, mask + (b + 1) * steps, dst.begin() + b * steps);
    }
    return dst.data();
}

/// A recurrent layer with Keras's go_backwards: `Inner` reads each sample's steps from the last
/// to the first (its step mask reversed alike), and its outputs stay in that reading order, as
/// Keras returns them: with return_sequences, output step 0 is the reading of the input's last
/// step. Without go_backwards the inner kernel runs on the input as it is.
template <class Inner, class S>
class ReadingOrderKernel final : public Kernel<S> {
public:
    explicit ReadingOrderKernel(const KernelSetup& s)
        : m_inner(s), m_backwards(s.node.param<bool>("go_backwards")), m_steps(s.inputs.front()[0]),
          m_in(s.inputs.front()[1]) {}

    void forward(KernelIO<S>& io) override {
        if (!m_backwards) return m_inner.forward(io);
        reverseSteps(io.in[0], io.batch, m_steps, m_in, m_xr);
        KernelIO<S> reversed = io;  // the starting states, if any, stay as they are
        reversed.in[0] = m_xr.data();
        reversed.inMask = reverseStepMask(io.inMask, io.batch, m_steps, m_maskR);
        if (!reversed.inMasks.empty()) reversed.inMasks[0] = reversed.inMask;
        m_inner.forward(reversed);
    }

    void backward(KernelIO<S>& io) override {
        if (!m_backwards) return m_inner.backward(io);
        KernelIO<S> reversed = io;
        reversed.in[0] = m_xr.data();
        reversed.inMask = io.inMask ? m_maskR.data() : nullptr;
        if (!reversed.inMasks.empty()) reversed.inMasks[0] = reversed.inMask;
        if (io.dIn[0]) {
            m_dxr.setZero(io.batch * m_steps, m_in);
            reversed.dIn[0] = m_dxr.data();
        }
        m_inner.backward(reversed);
        if (io.dIn[0]) {
            reverseSteps(m_dxr.data(), io.batch, m_steps, m_in, m_tmp);
            MatMap<S>(io.dIn[0], io.batch * m_steps, m_in) += m_tmp;
        }
    }

private:
    Inner m_inner;
    bool m_backwards;
    Eigen::Index m_steps, m_in;
    Mat<S> m_xr, m_dxr, m_tmp;
    std::vector<std::uint8_t> m_maskR;
};

}  // namespace loom
