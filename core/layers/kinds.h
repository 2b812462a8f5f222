#pragma once

// Every layer kind LayerLoom knows, in palette order. Adding a kind is its file pair in
// core/layers/ (and its kernel in engine/kernels/), its #include here, and one line in the list
// below: the registry builds its specs from the list, and every instruction-set copy of the
// engine (engine/isa/isa_kernels.cpp) its kernel factories.
#include "layers/add.h"
#include "layers/concatenate.h"
#include "layers/dense.h"
#include "layers/dropout.h"
#include "layers/gru.h"
#include "layers/input.h"
#include "layers/lstm.h"
#include "layers/repeat_vector.h"

#define LAYERLOOM_LAYER_KINDS(KIND) \
    KIND(InputSpec)                 \
    KIND(LstmSpec)                  \
    KIND(GruSpec)                   \
    KIND(DenseSpec)                 \
    KIND(TimeDistributedSpec)       \
    KIND(RepeatVectorSpec)          \
    KIND(AddSpec)                   \
    KIND(ConcatenateSpec)           \
    KIND(DropoutSpec)
