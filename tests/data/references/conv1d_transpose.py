"""Keras's Conv1DTranspose in float64 NumPy, written from its definition rather than from
LayerLoom's code: the transposed convolution is the adjoint of the forward convolution that
maps a sequence of the output's length back to the input's (TensorFlow's conv1d_transpose), with
that convolution's own padding rule (SAME: ceil(L / s) steps, the padding's odd step after), and
the output's length from keras.src.utils.conv_utils.deconv_output_length.

    python3 conv1d_transpose.py CASES.json    exits 1 when a case differs from LayerLoom by more than 1e-9
"""
import json
import sys

import numpy as np


def deconv_output_length(length, kernel_size, padding, output_padding, stride, dilation):
    kernel_size = kernel_size + (kernel_size - 1) * (dilation - 1)
    if output_padding is None:
        if padding == "valid":
            return length * stride + max(kernel_size - stride, 0)
        return length * stride  # same
    pad = kernel_size // 2 if padding == "same" else 0
    return (length - 1) * stride + kernel_size - 2 * pad + output_padding


def forward_conv_taps(out_length, in_length, kernel_size, stride, dilation, padding):
    """taps[t, j] = the step of a length-`out_length` sequence that tap j of the forward
    convolution's step t reads (-1 in the padding); the forward convolution makes `in_length` steps."""
    span = dilation * (kernel_size - 1) + 1
    if padding == "same":
        assert -(-out_length // stride) == in_length
        before = max((in_length - 1) * stride + span - out_length, 0) // 2
    else:
        assert (out_length - span) // stride + 1 == in_length
        before = 0
    taps = np.full((in_length, kernel_size), -1)
    for t in range(in_length):
        for j in range(kernel_size):
            at = t * stride - before + j * dilation
            if 0 <= at < out_length:
                taps[t, j] = at
    return taps


def conv1d_transpose(x, kernel, bias, stride, padding, output_padding, dilation, activation):
    batch, steps, _ = x.shape
    size, filters, _ = kernel.shape
    length = deconv_output_length(steps, size, padding, output_padding, stride, dilation)
    taps = forward_conv_taps(length, steps, size, stride, dilation, padding)
    # The forward convolution z[t] = sum_j y[taps[t, j]] @ kernel[j]; its adjoint sends x[t]
    # through every kernel[j] to y[taps[t, j]].
    y = np.zeros((batch, length, filters))
    for t in range(steps):
        for j in range(size):
            if taps[t, j] >= 0:
                y[:, taps[t, j], :] += x[:, t, :] @ kernel[j].T
    if bias is not None:
        y += bias
    return np.tanh(y) if activation == "tanh" else y


def main():
    cases = json.load(open(sys.argv[1]))
    worst = 0.0
    for case in cases:
        x = np.array(case["x"], dtype=np.float64)
        kernel = np.array(case["kernel"], dtype=np.float64).reshape(case["kernel_shape"])
        bias = np.array(case["bias"], dtype=np.float64) if case["bias"] is not None else None
        p = case["params"]
        want = conv1d_transpose(x, kernel, bias, p["strides"], p["padding"],
                                None if p["output_padding"] < 0 else p["output_padding"], p["dilation_rate"],
                                p["activation"])
        got = np.array(case["y"], dtype=np.float64)
        if got.shape != want.shape:
            print(f"{case['name']}: LayerLoom's output is {got.shape}, the reference's {want.shape}")
            return 1
        worst = max(worst, float(np.max(np.abs(got - want))))
        print(f"{case['name']}: largest difference {np.max(np.abs(got - want)):.3g}")
    return 0 if worst <= 1e-9 else 1


if __name__ == "__main__":
    sys.exit(main())
