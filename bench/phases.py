#!/usr/bin/python3
"""Splits a perf profile of layerloom-bench's training steps into the phases of an LSTM
training step (bench/README.md, "Where a training step's time goes"). Reads `perf script -F comm,pid,tid,ip,sym,dso`
output of a `perf record --call-graph dwarf` run; samples outside the training steps (start-up,
initialisation, the GEMM peak) are left out. Run it through bench/profile.sh."""
import collections
import re
import sys

PHASES = [
    "input projections (x W + b)",
    "recurrent products, forward (h U per step)",
    "gate math, forward (activations, cell update)",
    "recurrent products, backward (dz U^T per step)",
    "element-wise backward through time",
    "weight and input gradient products",
    "packing the recurrent kernels",
    "other layers (Dense, RepeatVector, merges)",
    "loss",
    "optimizer (Adam)",
    "plan: zeroing gradients, copies",
    "threads: waiting and hand-overs",
]


def frames(sample):
    """The sample's symbols, leaf first, with the library each comes from."""
    out = []
    for line in sample[1:]:
        m = re.match(r"\s*[0-9a-f]+ (.*) \((.*)\)$", line)
        if m:
            out.append((m.group(1), m.group(2)))
    return out


def is_blas(symbol, dso):
    return "openblas" in dso or "blas" in dso or re.match(r"[sd]gemm|cblas_", symbol) is not None


def classify(stack, helper):
    names = [s for s, _ in stack]
    text = "\n".join(names)
    leaf, leaf_dso = stack[0]
    in_step = any(k in text for k in ("Plan<float>::forward", "Plan<float>::backward", "Optimizer::step",
                                       "computeLoss", "Plan<float>::zeroGrad"))
    if not in_step and not helper:
        return None  # start-up, initialisation, the GEMM peak
    if helper:
        # A helper thread (OpenMP, OpenBLAS): by what it runs; its caller is not on its stack.
        if "libgomp" in leaf_dso or "futex" in leaf or "sched_yield" in text or "schedule" in leaf:
            return "threads: waiting and hand-overs"
        if "PackedRhs" in text:
            return "recurrent products (second thread)"
        if is_blas(leaf, leaf_dso):
            return "matrix products (second thread)"
        if any(k in text for k in ("::gates", "::gateGradients", "act::", "inRowChunks")):
            return "gate math, forward and backward (second thread)"
        if "updateParameter" in text:
            return "optimizer (second thread)"
        return "other work (second thread)"
    if "libgomp" in leaf_dso or "futex" in leaf:
        return "threads: waiting and hand-overs"
    if "Optimizer::step" in text or "updateParameter" in text:
        return "optimizer (Adam)"
    if "computeLoss" in text:
        return "loss"
    if "PackedRhs<float>::pack" in text:
        return "packing the recurrent kernels"
    lstm = next((n for n in names if "LstmKernel" in n), None)
    if lstm is None:
        if any("Kernel<float>::" in n and "LstmKernel" not in n for n in names if "Kernel" in n):
            return "other layers (Dense, RepeatVector, merges)"
        return "plan: zeroing gradients, copies"
    # The pass: the kernel's forward or backward frame, wherever helpers sit below it.
    forward = any(re.search(r"LstmKernel<float>::forward\b", n) for n in names)
    if "PackedRhs" in text:
        return "recurrent products, forward (h U per step)" if forward else "recurrent products, backward (dz U^T per step)"
    if is_blas(leaf, leaf_dso):
        return "input projections (x W + b)" if forward else "weight and input gradient products"
    return "gate math, forward (activations, cell update)" if forward else "element-wise backward through time"


def main():
    counts = collections.Counter()
    sample = []
    for line in list(sys.stdin) + [""]:
        if line.strip():
            sample.append(line.rstrip("\n"))
            continue
        if sample:
            stack = frames(sample)
            ids = re.search(r" (\d+)/(\d+)", sample[0])
            if stack and ids:
                phase = classify(stack, helper=ids.group(1) != ids.group(2))
                if phase:
                    counts[phase] += 1
        sample = []
    total = sum(counts.values())
    if total == 0:
        sys.exit("phases.py: no samples of training steps in the profile")
    order = PHASES + sorted(k for k in counts if k not in PHASES)
    print(f"{'phase':52} {'share':>7}")
    for phase in order:
        if counts[phase]:
            print(f"{phase:52} {100.0 * counts[phase] / total:6.1f}%")
    print(f"{'(samples)':52} {total:7d}")


if __name__ == "__main__":
    main()
