#!/usr/bin/python3
"""PyTorch reference timings for bench/README.md: the same six models as layerloom-bench,
full training steps (forward, loss, backward, Adam) at batch 32, mean of 5 steps after a
warm-up. Run with Debian's python3-torch and libopenblas0-openmp installed:

    /usr/bin/python3 bench/pytorch_reference.py [--only LETTERS]
"""
import sys
import time

import torch
import torch.nn as nn

torch.set_num_threads(2)
torch.manual_seed(1)
B, T = 32, 32


class KerasLSTM(nn.Module):
    """Keras's LSTM cell (gates i, f, c, o; `activation` on the candidate and the cell output)
    as a Python loop, for activations nn.LSTM does not offer (selu)."""

    def __init__(self, inp, units, act, sequences):
        super().__init__()
        self.units, self.act, self.sequences = units, act, sequences
        self.kernel = nn.Parameter(torch.randn(inp, 4 * units) * 0.05)
        self.recurrent = nn.Parameter(torch.randn(units, 4 * units) * 0.05)
        self.bias = nn.Parameter(torch.zeros(4 * units))

    def forward(self, x):
        u = self.units
        xw = x @ self.kernel + self.bias
        h = x.new_zeros(x.shape[0], u)
        c = x.new_zeros(x.shape[0], u)
        out = []
        for t in range(x.shape[1]):
            z = xw[:, t] + h @ self.recurrent
            i, f = torch.sigmoid(z[:, :u]), torch.sigmoid(z[:, u:2 * u])
            g, o = self.act(z[:, 2 * u:3 * u]), torch.sigmoid(z[:, 3 * u:])
            c = f * c + i * g
            h = o * self.act(c)
            out.append(h)
        return torch.stack(out, 1) if self.sequences else h


class Seq(nn.Module):
    """nn.LSTM or nn.GRU (which applies the reset gate after its product, as Keras's
    reset_after does) returning the sequence or the last step."""

    def __init__(self, inp, units, sequences, kind=nn.LSTM):
        super().__init__()
        self.rnn, self.sequences = kind(inp, units, batch_first=True), sequences

    def forward(self, x):
        y, _ = self.rnn(x)
        return y if self.sequences else y[:, -1]


def lstm(inp, units, sequences, keras_selu):
    return KerasLSTM(inp, units, torch.selu, sequences) if keras_selu else Seq(inp, units, sequences)


def gru(inp, units, sequences, _keras_selu):
    return Seq(inp, units, sequences, nn.GRU)


class ChainAutoencoder(nn.Module):
    def __init__(self, selu, use_gru=False):
        super().__init__()
        layer = gru if use_gru else lstm
        self.e1, self.e2, self.e3 = layer(1, 512, True, selu), layer(512, 256, True, selu), layer(256, 20, False, selu)
        self.d1, self.d2, self.d3 = layer(20, 20, True, selu), layer(20, 256, True, selu), layer(256, 512, True, selu)
        self.out = nn.Linear(512, 1)

    def forward(self, x):
        z = self.e3(self.e2(self.e1(x)))
        z = z.unsqueeze(1).repeat(1, T, 1)
        return self.out(self.d3(self.d2(self.d1(z))))


class SkipAutoencoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.e1, self.e2, self.e3 = Seq(1, 512, True), Seq(512, 256, True), Seq(256, 20, False)
        self.d1, self.d2, self.d3 = Seq(20, 20, True), Seq(276, 256, True), Seq(768, 512, True)
        self.out = nn.Linear(512, 1)

    def forward(self, x):
        a = self.e1(x)
        b = self.e2(a)
        z = self.e3(b).unsqueeze(1).repeat(1, T, 1)
        d = self.d1(z)
        d = self.d2(torch.cat([d, b], -1))
        d = self.d3(torch.cat([d, a], -1))
        return self.out(d)


class ResidualClassifier(nn.Module):
    def __init__(self):
        super().__init__()
        self.first = Seq(8, 32, True)
        self.blocks = nn.ModuleList()
        for inp, u in ((32, 64), (64, 128)):
            self.blocks.append(nn.ModuleList([Seq(inp, u, True), Seq(inp, u, True), Seq(u, u, True), Seq(u, u, True)]))
        self.last = Seq(128, 256, False)
        self.head = nn.Sequential(nn.Linear(256, 512), nn.ReLU(), nn.Linear(512, 128), nn.ReLU(), nn.Linear(128, 2))

    def forward(self, x):
        a = self.first(x)
        for x1, proj, x2, x3 in self.blocks:
            a = proj(a) + x3(x2(x1(a)))
        return torch.softmax(self.head(self.last(a)), -1)


class ConvUNet(nn.Module):
    """conv1d_unet.loom: Conv1D (same, relu) and MaxPooling1D down, UpSampling1D and Conv1D up,
    Concatenate skips, in PyTorch's channels-first layout."""

    def __init__(self):
        super().__init__()
        conv = lambda i, o, k=3: nn.Conv1d(i, o, k, padding="same")
        self.c1, self.c2, self.c3 = conv(1, 16), conv(16, 32), conv(32, 64)
        self.c4, self.c5, self.c6 = conv(96, 32), conv(48, 16), conv(16, 1, 1)
        self.pool, self.up = nn.MaxPool1d(2), nn.Upsample(scale_factor=2, mode="nearest")

    def forward(self, x):
        x = x.transpose(1, 2)
        a = torch.relu(self.c1(x))
        b = torch.relu(self.c2(self.pool(a)))
        c = torch.relu(self.c3(self.pool(b)))
        d = torch.relu(self.c4(torch.cat([self.up(c), b], 1)))
        e = torch.relu(self.c5(torch.cat([self.up(d), a], 1)))
        return self.c6(e).transpose(1, 2)


class TransformerBlock(nn.Module):
    """keras.io's transformer_encoder: MultiHeadAttention(key_dim 256, 4 heads, dropout 0.25) of the
    sequence with itself, Dropout, LayerNormalization and a residual Add; two Conv1D of kernel 1
    (4 filters with relu, then back to the input's width) with Dropout, LayerNormalization and a
    second Add. nn.MultiheadAttention cannot take it: its heads split the query's width (1 here),
    where Keras's project it to num_heads x key_dim. The attention is therefore Keras's, written
    with PyTorch's matmul, softmax and dropout."""

    def __init__(self, features=1, heads=4, key_dim=256, ff=4, dropout=0.25):
        super().__init__()
        self.heads, self.key_dim = heads, key_dim
        self.q, self.k, self.v = (nn.Linear(features, heads * key_dim) for _ in range(3))
        self.o = nn.Linear(heads * key_dim, features)
        self.drop = nn.Dropout(dropout)
        self.norm1, self.norm2 = nn.LayerNorm(features, eps=1e-6), nn.LayerNorm(features, eps=1e-6)
        self.ff1, self.ff2 = nn.Linear(features, ff), nn.Linear(ff, features)

    def forward(self, x):
        b, t, _ = x.shape
        split = lambda y: y.view(b, t, self.heads, self.key_dim).transpose(1, 2)
        q, k, v = split(self.q(x)) / self.key_dim ** 0.5, split(self.k(x)), split(self.v(x))
        weights = nn.functional.dropout(torch.softmax(q @ k.transpose(-1, -2), -1), 0.25, self.training)
        a = self.o((weights @ v).transpose(1, 2).reshape(b, t, -1))
        res = self.norm1(self.drop(a)) + x
        f = self.ff2(self.drop(torch.relu(self.ff1(res))))  # Conv1D with kernel_size 1
        return self.norm2(f) + res


class TransformerClassifier(nn.Module):
    def __init__(self):
        super().__init__()
        self.blocks = nn.Sequential(*(TransformerBlock() for _ in range(4)))
        self.head = nn.Sequential(nn.Linear(1, 128), nn.ReLU(), nn.Dropout(0.4), nn.Linear(128, 2))

    def forward(self, x):
        return torch.softmax(self.head(self.blocks(x).mean(1)), -1)


def measure(label, model, x, loss_fn, target, steps=5):
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)

    def step():
        opt.zero_grad()
        loss = loss_fn(model(x), target)
        loss.backward()
        opt.step()

    step()
    start = time.perf_counter()
    for _ in range(steps):
        step()
    seconds = (time.perf_counter() - start) / steps
    batch = x.shape[0]
    print(f"{label:36s} batch {batch:3d}  {batch / seconds:8.1f} samples/s  {seconds * 1e3:8.2f} ms/step")


def main():
    a = torch.randn(2048, 2048)
    start = time.perf_counter()
    for _ in range(5):
        a @ a
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, "
          f"torch.mm peak (2048^3): {2 * 2048 ** 3 * 5 / (time.perf_counter() - start) / 1e9:.1f} GFLOP/s")
    only = sys.argv[sys.argv.index("--only") + 1] if "--only" in sys.argv else "abcdef"
    x = torch.randn(B, T, 1)
    if "a" in only:
        measure("(a) chain autoencoder, nn.LSTM tanh", ChainAutoencoder(False), x, nn.MSELoss(), x)
        measure("(a) chain autoencoder, Keras cell selu", ChainAutoencoder(True), x, nn.MSELoss(), x)
    if "b" in only:
        measure("(b) U-Net skip autoencoder", SkipAutoencoder(), x, nn.MSELoss(), x)
    if "c" in only:
        xc = torch.randn(B, 64, 8)
        labels = torch.arange(B) % 2
        nll = lambda p, y: nn.functional.nll_loss(torch.log(p + 1e-7), y)
        measure("(c) residual LSTM classifier", ResidualClassifier(), xc, nll, labels)
    if "d" in only:
        # A step of the small convolutional U-Net takes well under a millisecond: many more steps.
        measure("(d) 1-D conv U-Net", ConvUNet(), x, nn.MSELoss(), x, steps=500)
        xb = torch.randn(256, T, 1)
        measure("(d) 1-D conv U-Net", ConvUNet(), xb, nn.MSELoss(), xb, steps=100)
    if "e" in only:
        measure("(e) chain autoencoder, nn.GRU", ChainAutoencoder(False, use_gru=True), x, nn.MSELoss(), x)
    if "f" in only:
        xf = torch.randn(B, 500, 1)
        labels = torch.arange(B) % 2
        nll = lambda p, y: nn.functional.nll_loss(torch.log(p + 1e-7), y)
        measure("(f) Transformer classifier", TransformerClassifier(), xf, nll, labels)

if __name__ == "__main__":
    main()
