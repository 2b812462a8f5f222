"""The data of this training job as LayerLoom prepared it, and the order its batches take.

LayerLoom did the reading (CSV or NPY), the column choice, the missing-value policy, the
time-ordered validation split and the normalisation fitted on the training part when it
exported the job, with the same code that trains in the window, and wrote the result to data/:
for windowed series the normalised series and the first step of every window, for held samples
the samples themselves. Reading those arrays here cuts exactly the windows LayerLoom cuts, and
overlapping windows share the series' memory as they do in LayerLoom.
"""
import os

import numpy as np
import torch
from torch.utils.data.distributed import DistributedSampler

HERE = os.path.dirname(os.path.abspath(__file__))


def _load(folder, name):
    path = os.path.normpath(os.path.join(folder, name))
    if os.path.commonpath([path, folder]) != folder:
        raise ValueError(f"job.json names a data file outside the job folder: {name}")
    return np.load(path, mmap_mode="r", allow_pickle=False)


class Split:
    """The training or the validation part: samples gathered by index, as (x, y) float32 arrays."""

    def __init__(self, spec, x_shape, y_shape, folder=HERE):
        self.x_shape = tuple(x_shape)
        self.y_shape = tuple(y_shape)
        self.windows = spec["kind"] == "windows"
        if self.windows:
            self.series = _load(folder, spec["series"])
            self.starts = np.asarray(_load(folder, spec["starts"]), dtype=np.int64)
            self.labels = _load(folder, spec["labels"]) if spec.get("labels") else None
            self.length = self.x_shape[0]
            self.y_offset = int(spec["y_offset"])
            features = self.series.shape[1]
            self.y_steps = int(np.prod(self.y_shape)) // features
            last = int(self.starts.max(initial=0)) + max(self.length, self.y_offset + self.y_steps)
            if self.series.ndim != 2 or (len(self.starts) and last > self.series.shape[0]):
                raise ValueError(f"{spec['series']} is shorter than its windows")
        else:
            self.x = _load(folder, spec["x"])
            self.y = _load(folder, spec["y"])
            if self.x.shape[1:] != self.x_shape or self.y.shape[0] != self.x.shape[0]:
                raise ValueError(f"{spec['x']} and {spec['y']} do not hold samples of {self.x_shape}")
        # Each sample's weight in the loss (its sample or class weight), when the run has any.
        self.weights = _load(folder, spec["weights"]) if spec.get("weights") else None
        if self.weights is not None and self.weights.shape != (len(self),):
            raise ValueError(f"{spec['weights']} does not hold one weight per sample")

    def __len__(self):
        return len(self.starts) if self.windows else self.x.shape[0]

    def sample_weights(self, index):
        """The weights of samples `index` as float32, or None when every weight is 1."""
        if self.weights is None:
            return None
        return np.ascontiguousarray(self.weights[np.asarray(index, dtype=np.int64)], dtype=np.float32)

    def gather(self, index):
        """Samples `index` (a sequence of ints) as float32 arrays (len(index), *x_shape) and
        (len(index), *y_shape)."""
        index = np.asarray(index, dtype=np.int64)
        if not self.windows:
            return (np.ascontiguousarray(self.x[index], dtype=np.float32),
                    np.ascontiguousarray(self.y[index], dtype=np.float32).reshape((len(index),) + self.y_shape))
        starts = self.starts[index]
        x = self.series[starts[:, None] + np.arange(self.length)]
        if self.labels is not None:
            y = self.labels[starts + self.length - 1]
        else:
            y = self.series[starts[:, None] + self.y_offset + np.arange(self.y_steps)]
        return (np.ascontiguousarray(x, dtype=np.float32),
                np.ascontiguousarray(y, dtype=np.float32).reshape((len(index),) + self.y_shape))


def load(job, folder=HERE):
    """The training and validation splits of job.json (validation None when there is none)."""
    d = job["data"]
    train = Split(d["train"], d["x_shape"], d["y_shape"], folder)
    validation = Split(d["validation"], d["x_shape"], d["y_shape"], folder) if d.get("validation") else None
    return train, validation


class GlobalBatchSampler(DistributedSampler):
    """Each epoch's samples in global batches of `batch_size`, as one process would train on
    them, and this process's share of every batch: samples rank, rank + world, ... of it.

    torch's DistributedSampler pads the epoch with repeated samples so that every process gets
    as many; that changes the last batch and so the epoch's loss. This sampler keeps every
    global batch exactly as a single process sees it, and the shares may differ by one sample
    (or be empty when a batch holds fewer samples than there are processes); train.py weighs
    each share by its size, so the averaged gradient is the global batch's.

    The order of an epoch follows from the seed and the epoch alone (shuffle on), so a resumed
    job sees the batches the uninterrupted one would have.
    """

    def __init__(self, size, batch_size, num_replicas, rank, shuffle, seed):
        super().__init__(range(size), num_replicas=num_replicas, rank=rank, shuffle=shuffle,
                         seed=seed, drop_last=False)
        self.size = size
        self.batch_size = batch_size

    def order(self):
        if not self.shuffle:
            return torch.arange(self.size)
        generator = torch.Generator()
        generator.manual_seed(self.seed + self.epoch)
        return torch.randperm(self.size, generator=generator)

    def __iter__(self):
        """Yields (samples in the global batch, this process's sample indexes)."""
        order = self.order()
        for start in range(0, self.size, self.batch_size):
            batch = order[start:start + self.batch_size]
            yield len(batch), batch[self.rank::self.num_replicas].tolist()

    def __len__(self):
        return (self.size + self.batch_size - 1) // self.batch_size
