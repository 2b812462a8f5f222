#pragma once

// Every layer kind LayerLoom knows, in palette order. Adding a kind is its file pair in
// core/layers/ (and its kernel in engine/kernels/), its #include here, and one line in the list
// below: the registry builds its specs from the list, and every instruction-set copy of the
// engine (engine/isa/isa_kernels.cpp) its kernel factories.
#include "layers/activation_layers.h"
#include "layers/attention.h"
#include "layers/bidirectional.h"
#include "layers/concatenate.h"
#include "layers/conv1d.h"
#include "layers/conv1d_transpose.h"
#include "layers/dense.h"
#include "layers/dropout.h"
#include "layers/elementwise_merge.h"
#include "layers/embedding.h"
#include "layers/gru.h"
#include "layers/input.h"
#include "layers/lstm.h"
#include "layers/masking.h"
#include "layers/noise_layers.h"
#include "layers/normalization.h"
#include "layers/pooling.h"
#include "layers/position_embedding.h"
#include "layers/repeat_vector.h"
#include "layers/reshaping.h"
#include "layers/simple_rnn.h"
#include "layers/time_steps.h"

#define LAYERLOOM_LAYER_KINDS(KIND) \
    KIND(InputSpec)                 \
    KIND(LstmSpec)                  \
    KIND(GruSpec)                   \
    KIND(SimpleRnnSpec)             \
    KIND(BidirectionalSpec)         \
    KIND(MultiHeadAttentionSpec)    \
    KIND(PositionEmbeddingSpec)     \
    KIND(TokenAndPositionEmbeddingSpec) \
    KIND(DenseSpec)                 \
    KIND(TimeDistributedSpec)       \
    KIND(EmbeddingSpec)             \
    KIND(MaskingSpec)               \
    KIND(Conv1dSpec)                \
    KIND(Conv1dTransposeSpec)       \
    KIND(MaxPooling1dSpec)          \
    KIND(AveragePooling1dSpec)      \
    KIND(GlobalMaxPooling1dSpec)    \
    KIND(GlobalAveragePooling1dSpec) \
    KIND(UpSampling1dSpec)          \
    KIND(ZeroPadding1dSpec)         \
    KIND(Cropping1dSpec)            \
    KIND(FlattenSpec)               \
    KIND(ReshapeSpec)               \
    KIND(PermuteSpec)               \
    KIND(RepeatVectorSpec)          \
    KIND(AddSpec)                   \
    KIND(SubtractSpec)              \
    KIND(MultiplySpec)              \
    KIND(AverageSpec)               \
    KIND(MaximumSpec)               \
    KIND(ConcatenateSpec)           \
    KIND(LayerNormalizationSpec)    \
    KIND(BatchNormalizationSpec)    \
    KIND(DropoutSpec)               \
    KIND(SpatialDropout1dSpec)      \
    KIND(GaussianNoiseSpec)         \
    KIND(GaussianDropoutSpec)       \
    KIND(AlphaDropoutSpec)          \
    KIND(ActivationSpec)            \
    KIND(ReluSpec)                  \
    KIND(LeakyReluSpec)             \
    KIND(PReluSpec)                 \
    KIND(EluSpec)                   \
    KIND(SoftmaxSpec)
