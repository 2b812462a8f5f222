#pragma once

#include <limits>
#include <memory>

#include "engine/kernel.h"
#include "layers/window1d.h"

namespace loom {

/// Layers that move whole steps of a sequence without changing them: UpSampling1D, ZeroPadding1D
/// and Cropping1D. Output step t of every sample is input step source(t), or zeros where
/// source(t) < 0; backward adds each output step's gradient onto the step it came from.
template <class S>
class StepMapKernel : public Kernel<S> {
public:
    /// `sources[t]`: the input step output step t copies, -1 for zeros.
    StepMapKernel(const KernelSetup& s, std::vector<std::int64_t> sources)
        : m_steps(s.inputs.front()[0]), m_features(s.output[1]), m_sources(std::move(sources)) {}

    void forward(KernelIO<S>& io) override {
        const auto out = static_cast<Eigen::Index>(m_sources.size());
        ConstMatMap<S> x(io.in[0], io.batch * m_steps, m_features);
        MatMap<S> y(io.out, io.batch * out, m_features);
        for (Eigen::Index b = 0; b < io.batch; ++b) {
            for (Eigen::Index t = 0; t < out; ++t) {
                const std::int64_t src = m_sources[static_cast<std::size_t>(t)];
                if (src < 0) {
                    y.row(b * out + t).setZero();
                } else {
                    y.row(b * out + t) = x.row(b * m_steps + src);
                }
            }
        }
    }
    void backward(KernelIO<S>& io) override {
        if (!io.dIn[0]) return;
        const auto out = static_cast<Eigen::Index>(m_sources.size());
        ConstMatMap<S> dy(io.dOut, io.batch * out, m_features);
        MatMap<S> dx(io.dIn[0], io.batch * m_steps, m_features);
        for (Eigen::Index b = 0; b < io.batch; ++b) {
            for (Eigen::Index t = 0; t < out; ++t) {
                const std::int64_t src = m_sources[static_cast<std::size_t>(t)];
                if (src >= 0) dx.row(b * m_steps + src) += dy.row(b * out + t);
            }
        }
    }

private:
    Eigen::Index m_steps, m_features;
    std::vector<std::int64_t> m_sources;
};

/// Keras UpSampling1D(size): every step repeated `size` times.
inline std::vector<std::int64_t> upSamplingSources(std::int64_t steps, std::int64_t size) {
    std::vector<std::int64_t> s;
    for (std::int64_t t = 0; t < steps * size; ++t) s.push_back(t / size);
    return s;
}

template <class S>
class UpSampling1dKernel final : public StepMapKernel<S> {
public:
    explicit UpSampling1dKernel(const KernelSetup& s)
        : StepMapKernel<S>(s, upSamplingSources(s.inputs.front()[0], s.node.param<std::int64_t>("size"))) {}
};

/// Output step t of a sequence padded with `before` steps (cropped, when negative): input step
/// t - before, or zeros outside the input.
inline std::vector<std::int64_t> shiftedSources(const KernelSetup& s, std::int64_t before) {
    const std::int64_t steps = s.inputs.front()[0];
    std::vector<std::int64_t> out;
    for (std::int64_t t = 0; t < s.output[0]; ++t) {
        const std::int64_t src = t - before;
        out.push_back(src >= 0 && src < steps ? src : -1);
    }
    return out;
}

/// Keras ZeroPadding1D((before, after)): zero steps added at either end.
template <class S>
class ZeroPadding1dKernel final : public StepMapKernel<S> {
public:
    explicit ZeroPadding1dKernel(const KernelSetup& s)
        : StepMapKernel<S>(s, shiftedSources(s, s.node.param<std::int64_t>("pad_before"))) {}
};

/// Keras Cropping1D((before, after)): steps taken away from either end.
template <class S>
class Cropping1dKernel final : public StepMapKernel<S> {
public:
    explicit Cropping1dKernel(const KernelSetup& s)
        : StepMapKernel<S>(s, shiftedSources(s, -s.node.param<std::int64_t>("crop_before"))) {}
};

/// Keras MaxPooling1D and AveragePooling1D: the largest, or the mean, of each window of steps,
/// per feature. Padding ("same") takes no part: a window's maximum and mean are over the steps
/// inside the input, as TensorFlow computes them. Backward: the gradient goes to the step that
/// held the maximum, or is shared evenly by the window's steps.
/// GlobalMaxPooling1D and GlobalAveragePooling1D are the window of the whole sequence.
template <class S>
class Pooling1dKernel : public Kernel<S> {
public:
    Pooling1dKernel(const KernelSetup& s, Window1D window, bool max)
        : m_steps(s.inputs.front()[0]),
          m_features(s.inputs.front()[1]),
          m_outSteps(s.output.size() == 2 ? s.output[0] : 1),
          m_window(window),
          m_pad(window.padBefore(m_steps)),
          m_max(max) {}

    void forward(KernelIO<S>& io) override {
        const Eigen::Index out = io.batch * m_outSteps;
        ConstMatMap<S> x(io.in[0], io.batch * m_steps, m_features);
        MatMap<S> y(io.out, out, m_features);
        // A prediction keeps no argmax for a backward pass: each window's largest values at once.
        const bool argmax = m_max && io.keep;
        if (argmax) m_argmax.resize(static_cast<std::size_t>(out * m_features));
        for (Eigen::Index b = 0; b < io.batch; ++b) {
            for (Eigen::Index t = 0; t < m_outSteps; ++t) {
                const auto [first, last] = range(t);
                const Eigen::Index row = b * m_outSteps + t;
                if (m_max && !argmax) {
                    auto best = y.row(row).array();
                    best = x.row(b * m_steps + first).array();
                    for (Eigen::Index i = first + 1; i < last; ++i) {
                        const auto candidate = x.row(b * m_steps + i).array();
                        best = (candidate > best).select(candidate, best);  // as the argmax's comparison
                    }
                    continue;
                }
                if (!m_max) {
                    y.row(row) = x.middleRows(b * m_steps + first, last - first).colwise().sum() /
                                 static_cast<S>(last - first);
                    continue;
                }
                for (Eigen::Index f = 0; f < m_features; ++f) {
                    Eigen::Index best = first;
                    for (Eigen::Index i = first + 1; i < last; ++i) {
                        if (x(b * m_steps + i, f) > x(b * m_steps + best, f)) best = i;
                    }
                    y(row, f) = x(b * m_steps + best, f);
                    m_argmax[static_cast<std::size_t>(row * m_features + f)] = b * m_steps + best;
                }
            }
        }
    }

    void backward(KernelIO<S>& io) override {
        if (!io.dIn[0]) return;
        ConstMatMap<S> dy(io.dOut, io.batch * m_outSteps, m_features);
        MatMap<S> dx(io.dIn[0], io.batch * m_steps, m_features);
        for (Eigen::Index b = 0; b < io.batch; ++b) {
            for (Eigen::Index t = 0; t < m_outSteps; ++t) {
                const Eigen::Index row = b * m_outSteps + t;
                if (m_max) {
                    for (Eigen::Index f = 0; f < m_features; ++f) {
                        dx(m_argmax[static_cast<std::size_t>(row * m_features + f)], f) += dy(row, f);
                    }
                    continue;
                }
                const auto [first, last] = range(t);
                const S share = S(1) / static_cast<S>(last - first);
                for (Eigen::Index i = first; i < last; ++i) dx.row(b * m_steps + i) += share * dy.row(row);
            }
        }
    }

private:
    /// The input steps [first, last) of output step t's window, padding left out.
    std::pair<Eigen::Index, Eigen::Index> range(Eigen::Index t) const {
        const Eigen::Index start = t * m_window.stride - m_pad;
        return {std::max<Eigen::Index>(start, 0), std::min<Eigen::Index>(start + m_window.size, m_steps)};
    }

    Eigen::Index m_steps, m_features, m_outSteps;
    Window1D m_window;
    Eigen::Index m_pad;
    bool m_max;
    std::vector<Eigen::Index> m_argmax;
};

template <class S>
class MaxPooling1dKernel final : public Pooling1dKernel<S> {
public:
    explicit MaxPooling1dKernel(const KernelSetup& s) : Pooling1dKernel<S>(s, poolingWindow(s.node), true) {}
};

template <class S>
class AveragePooling1dKernel final : public Pooling1dKernel<S> {
public:
    explicit AveragePooling1dKernel(const KernelSetup& s) : Pooling1dKernel<S>(s, poolingWindow(s.node), false) {}
};

/// GlobalMaxPooling1D and GlobalAveragePooling1D: one window over the whole sequence.
template <class S, bool Max>
class GlobalPooling1dKernel final : public Pooling1dKernel<S> {
public:
    explicit GlobalPooling1dKernel(const KernelSetup& s)
        : Pooling1dKernel<S>(s, Window1D{s.inputs.front()[0], s.inputs.front()[0], 1, Window1D::Padding::Valid}, Max) {}
};

/// The global poolings with data_format="channels_first", which Keras reads as (channels,
/// steps): each step's mean or largest value over its features, a vector of the steps. The
/// largest value's gradient is shared among the features that reach it, as TensorFlow's
/// reduce_max shares it.
template <class S, bool Max>
class FeaturePoolingKernel final : public Kernel<S> {
public:
    explicit FeaturePoolingKernel(const KernelSetup& s) : m_steps(s.inputs.front()[0]), m_features(s.inputs.front()[1]) {}

    void forward(KernelIO<S>& io) override {
        ConstMatMap<S> x(io.in[0], io.batch * m_steps, m_features);
        Eigen::Map<Eigen::Matrix<S, Eigen::Dynamic, 1>> y(io.out, io.batch * m_steps);
        if constexpr (Max) {
            y = x.rowwise().maxCoeff();
        } else {
            y = x.rowwise().mean();
        }
    }

    void backward(KernelIO<S>& io) override {
        if (!io.dIn[0]) return;
        ConstMatMap<S> x(io.in[0], io.batch * m_steps, m_features);
        Eigen::Map<const Eigen::Matrix<S, Eigen::Dynamic, 1>> y(io.out, io.batch * m_steps);
        Eigen::Map<const Eigen::Matrix<S, Eigen::Dynamic, 1>> dy(io.dOut, io.batch * m_steps);
        MatMap<S> dx(io.dIn[0], io.batch * m_steps, m_features);
        for (Eigen::Index r = 0; r < x.rows(); ++r) {
            if constexpr (Max) {
                const auto top = (x.row(r).array() == y[r]).template cast<S>().eval();
                dx.row(r).array() += top * (dy[r] / top.sum());
            } else {
                dx.row(r).array() += dy[r] / static_cast<S>(m_features);
            }
        }
    }

private:
    Eigen::Index m_steps, m_features;
};

/// GlobalMaxPooling1D: each feature's largest value over the steps (channels_last), or each
/// step's over the features (channels_first).
template <class S>
class GlobalMaxPooling1dKernel final : public Kernel<S> {
public:
    explicit GlobalMaxPooling1dKernel(const KernelSetup& s) {
        if (s.node.param<std::string>("data_format") == "channels_first") {
            m_kernel = std::make_unique<FeaturePoolingKernel<S, true>>(s);
        } else {
            m_kernel = std::make_unique<GlobalPooling1dKernel<S, true>>(s);
        }
    }
    void forward(KernelIO<S>& io) override { m_kernel->forward(io); }
    void backward(KernelIO<S>& io) override { m_kernel->backward(io); }

private:
    std::unique_ptr<Kernel<S>> m_kernel;
};
/// GlobalAveragePooling1D: each feature's mean over the steps; with a step mask, over the real
/// steps only, as Keras's. A sample that is padding throughout averages to zero (Keras divides
/// 0 by 0 there). With data_format="channels_first", each step's mean over its features.
template <class S>
class GlobalAveragePooling1dKernel final : public Kernel<S> {
public:
    explicit GlobalAveragePooling1dKernel(const KernelSetup& s)
        : m_steps(s.inputs.front()[0]), m_features(s.inputs.front()[1]) {
        if (s.node.param<std::string>("data_format") == "channels_first") {
            m_overFeatures = std::make_unique<FeaturePoolingKernel<S, false>>(s);
        }
    }

    void forward(KernelIO<S>& io) override {
        if (m_overFeatures) return m_overFeatures->forward(io);
        ConstMatMap<S> x(io.in[0], io.batch * m_steps, m_features);
        MatMap<S> y(io.out, io.batch, m_features);
        m_share.resize(io.batch * m_steps);
        for (Eigen::Index b = 0; b < io.batch; ++b) {
            auto share = m_share.segment(b * m_steps, m_steps);
            if (io.inMask) {
                for (Eigen::Index t = 0; t < m_steps; ++t) share[t] = io.inMask[b * m_steps + t] ? S(1) : S(0);
                const S real = share.sum();
                if (real > S(0)) share /= real;
            } else {
                share.setConstant(S(1) / static_cast<S>(m_steps));
            }
            y.row(b).noalias() = share.transpose() * x.middleRows(b * m_steps, m_steps);
        }
    }

    void backward(KernelIO<S>& io) override {
        if (m_overFeatures) return m_overFeatures->backward(io);
        if (!io.dIn[0]) return;
        ConstMatMap<S> dy(io.dOut, io.batch, m_features);
        MatMap<S> dx(io.dIn[0], io.batch * m_steps, m_features);
        for (Eigen::Index b = 0; b < io.batch; ++b) {
            dx.middleRows(b * m_steps, m_steps).noalias() += m_share.segment(b * m_steps, m_steps) * dy.row(b);
        }
    }

private:
    Eigen::Index m_steps, m_features;
    Eigen::Matrix<S, Eigen::Dynamic, 1> m_share;  ///< each step's weight in its sample's mean
    std::unique_ptr<Kernel<S>> m_overFeatures;    ///< channels_first
};

}  // namespace loom
