#pragma once

#include <Eigen/Core>
#include <cstdint>
#include <string>
#include <vector>

#include "engine/named_tensor.h"

namespace loom {

/// Row-major matrices over float or double. Activations are matrices with one row per sample
/// (vectors) or per sample and step (sequences, rows b * T + t), and the features as columns.
template <class S>
using Mat = Eigen::Matrix<S, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
template <class S>
using MatMap = Eigen::Map<Mat<S>>;
template <class S>
using ConstMatMap = Eigen::Map<const Mat<S>>;
/// A view of part of a matrix (a block of columns, every T-th row, ...).
template <class S>
using MatRef = Eigen::Ref<Mat<S>, 0, Eigen::OuterStride<>>;
template <class S>
using ConstMatRef = Eigen::Ref<const Mat<S>, 0, Eigen::OuterStride<>>;
template <class S>
using StridedMap = Eigen::Map<Mat<S>, 0, Eigen::OuterStride<>>;
template <class S>
using ConstStridedMap = Eigen::Map<const Mat<S>, 0, Eigen::OuterStride<>>;

/// Storage Eigen's vectorised kernels see at the same alignment on every run, which keeps
/// results bit for bit repeatable (reductions peel differently on differently aligned data).
template <class S>
using AlignedVector = std::vector<S, Eigen::aligned_allocator<S>>;

}  // namespace loom
