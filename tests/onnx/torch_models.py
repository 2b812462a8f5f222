"""PyTorch models of the kinds PyTorch users share, exported with torch.onnx.export as they
would export them, for LayerLoom's ONNX import test:
    torch_models.py OUT_FOLDER
For each model NAME and opset 13 and 17: NAME-OPSET.onnx; and once per model NAME.x.npy (a
batch of inputs), NAME.y.npy (PyTorch's outputs), NAME.train.npz (x and y to train on) and
NAME.params (PyTorch's parameter count)."""
import os
import sys
import warnings

import numpy as np
import torch
from torch import nn

warnings.filterwarnings("ignore")
torch.manual_seed(3)
out = sys.argv[1]
os.makedirs(out, exist_ok=True)


class LstmStack(nn.Module):
    """Two stacked LSTM layers (batch_first), the last step into a Linear head."""
    def __init__(self):
        super().__init__()
        self.lstm = nn.LSTM(3, 8, num_layers=2, batch_first=True)
        self.head = nn.Linear(8, 2)

    def forward(self, x):
        y, _ = self.lstm(x)
        return self.head(y[:, -1, :])


class GruSequence(nn.Module):
    """A GRU whose every step goes through a Linear layer."""
    def __init__(self):
        super().__init__()
        self.gru = nn.GRU(3, 6, batch_first=True)
        self.out = nn.Linear(6, 3)

    def forward(self, x):
        y, _ = self.gru(x)
        return self.out(y)


class BiLstm(nn.Module):
    """A bidirectional LSTM, both readings of every step into a Linear layer."""
    def __init__(self):
        super().__init__()
        self.lstm = nn.LSTM(3, 5, batch_first=True, bidirectional=True)
        self.out = nn.Linear(10, 1)

    def forward(self, x):
        y, _ = self.lstm(x)
        return self.out(y)


class BiGruStates(nn.Module):
    """A bidirectional GRU's two final states side by side, into a classifier."""
    def __init__(self):
        super().__init__()
        self.gru = nn.GRU(3, 4, batch_first=True, bidirectional=True)
        self.head = nn.Linear(8, 2)

    def forward(self, x):
        _, h = self.gru(x)
        return torch.softmax(self.head(torch.cat([h[-2], h[-1]], dim=1)), dim=-1)


class ConvEncoder(nn.Module):
    """Conv1d layers over (batch, channels, time), pooled into a Linear head."""
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv1d(3, 8, 3, padding=1)
        self.pool = nn.MaxPool1d(2)
        self.conv2 = nn.Conv1d(8, 4, 3)
        self.gap = nn.AdaptiveAvgPool1d(1)
        self.head = nn.Linear(4, 2)

    def forward(self, x):
        x = x.transpose(1, 2)
        x = self.pool(torch.relu(self.conv1(x)))
        x = torch.relu(self.conv2(x))
        return self.head(self.gap(x).flatten(1))


class Residual(nn.Module):
    """An LSTM whose sequence is added to its input: a skip connection."""
    def __init__(self):
        super().__init__()
        self.lstm = nn.LSTM(3, 3, batch_first=True)
        self.out = nn.Linear(3, 3)

    def forward(self, x):
        y, _ = self.lstm(x)
        return self.out(torch.tanh(y + x))


class RnnLast(nn.Module):
    """A tanh RNN's final state into a Linear head."""
    def __init__(self):
        super().__init__()
        self.rnn = nn.RNN(3, 4, batch_first=True)
        self.head = nn.Linear(4, 1)

    def forward(self, x):
        _, h = self.rnn(x)
        return self.head(h[-1])


class ConvDecoder(nn.Module):
    """A decoder: Conv1d, ReLU, BatchNorm1d, nearest upsampling, ConvTranspose1d, then LayerNorm."""
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv1d(3, 4, 3, padding=1)
        self.norm = nn.BatchNorm1d(4)
        self.up = nn.Upsample(scale_factor=2, mode="nearest")
        self.deconv = nn.ConvTranspose1d(4, 3, 4, stride=2, padding=1)
        self.layer_norm = nn.LayerNorm(3)

    def forward(self, x):
        # The normalisation after the activation, where the export cannot fold it into the convolution.
        x = self.norm(torch.relu(self.conv(x.transpose(1, 2))))
        return self.layer_norm(self.deconv(self.up(x)).transpose(1, 2))


class LstmAutoencoder(nn.Module):
    """The LSTM autoencoder of PyTorch tutorials: the encoder's last state repeated over the
    steps (unsqueeze, then repeat) and decoded back into the series."""
    def __init__(self, steps):
        super().__init__()
        self.steps = steps
        self.encoder = nn.LSTM(3, 8, batch_first=True)
        self.decoder = nn.LSTM(8, 8, batch_first=True)
        self.out = nn.Linear(8, 3)

    def forward(self, x):
        _, (h, _) = self.encoder(x)
        y, _ = self.decoder(h[-1].unsqueeze(1).repeat(1, self.steps, 1))
        return self.out(y)


models = {"lstm_stack": LstmStack(), "gru_sequence": GruSequence(), "bilstm": BiLstm(),
          "bigru_states": BiGruStates(), "conv_encoder": ConvEncoder(), "residual": Residual(),
          "rnn_last": RnnLast(), "conv_decoder": ConvDecoder(), "lstm_autoencoder": LstmAutoencoder(10),
          "fixed_batch": LstmStack()}
# Exported for batches of 4 only: the zero states' shapes are then constants.
fixed_batch = {"fixed_batch"}
steps = 10
# Moving statistics other than BatchNorm's initial ones.
with torch.no_grad():
    models["conv_decoder"].norm.running_mean.uniform_(-0.5, 0.5)
    models["conv_decoder"].norm.running_var.uniform_(0.5, 1.5)
for name, model in models.items():
    model.eval()
    x = torch.randn(4, steps, 3)
    with torch.no_grad():
        y = model(x)
    for opset in (13, 17):
        axes = None if name in fixed_batch else {"series": {0: "batch"}, "y": {0: "batch"}}
        torch.onnx.export(model, x, os.path.join(out, f"{name}-{opset}.onnx"), opset_version=opset,
                          input_names=["series"], output_names=["y"], dynamic_axes=axes)
    np.save(os.path.join(out, f"{name}.x.npy"), x.numpy())
    np.save(os.path.join(out, f"{name}.y.npy"), y.numpy())
    train_x = torch.randn(64, steps, 3)
    with torch.no_grad():
        train_y = model(train_x)
    np.savez(os.path.join(out, f"{name}.train.npz"), x=train_x.numpy(), y=train_y.numpy())
    with open(os.path.join(out, f"{name}.params"), "w") as f:
        f.write(str(sum(p.numel() for p in model.parameters())))
