#!/usr/bin/env python3
"""Trains this job's model as LayerLoom's trainer does, on one process or many.

    python3 train.py                                           # one process
    torchrun --standalone --nproc_per_node=N train.py          # N processes on this machine
    torchrun --nnodes=M --nproc_per_node=N --rdzv-backend=c10d \\
             --rdzv-endpoint=HOST:29500 --rdzv-id=JOB train.py  # on M machines

The processes share each global batch (job.json's batch size) and DistributedDataParallel
averages their gradients, so the result is that of one process with the same batch: the same
loss, the same optimizer update rules (Keras's, as LayerLoom applies them), learning-rate
schedule, gradient clipping and early stopping. Each epoch ends with a checkpoint
(checkpoint.pt) and a LayerLoom run folder (run/: weights.llw, history.csv, run.json) that
`layerloom-cli evaluate|predict|export --run run` and the window's Training > Import Run read.
`--resume` continues from the checkpoint exactly as if the job had never stopped.
"""
import argparse
import datetime
import json
import math
import os
import shutil
import signal
import struct
import sys
import time

import numpy as np
import torch
import torch.distributed as dist
import torch.nn.functional as F
from torch.nn.parallel import DistributedDataParallel

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import data as job_data  # noqa: E402
import metrics as job_metrics  # noqa: E402
from model import Model, load_weights  # noqa: E402

KERAS_EPSILON = 1e-7  # Keras's backend epsilon, for clipping probabilities


def per_sample_losses(name, pred, target, rows, cols, from_logits=False):
    """Each sample's loss, as LayerLoom's loss averages it over the sample's values (or rows).
    With from_logits the cross-entropies take logits and apply the sigmoid or softmax
    themselves, exactly."""
    b = pred.shape[0]
    p = pred.reshape(b, rows, cols)
    if from_logits and name == "binary_crossentropy":
        t = target.reshape(b, rows, cols)
        return F.binary_cross_entropy_with_logits(p, t, reduction="none").mean(dim=(1, 2))
    if from_logits:
        log_q = F.log_softmax(p, dim=-1)
        if name == "categorical_crossentropy":
            v = -(target.reshape(b, rows, cols) * log_q).sum(dim=-1)
        else:  # sparse: a label outside the classes counts as probability Keras's epsilon
            labels = target.reshape(b, rows, 1).long()
            inside = (labels >= 0) & (labels < cols)
            picked = log_q.gather(-1, labels.clamp(0, cols - 1))
            v = -torch.where(inside, picked, torch.full_like(picked, math.log(KERAS_EPSILON))).squeeze(-1)
        return v.mean(dim=1)
    if name in ("mse", "mae", "huber", "binary_crossentropy"):
        t = target.reshape(b, rows, cols)
        d = p - t
        if name == "mse":
            v = d * d
        elif name == "mae":
            v = d.abs()
        elif name == "huber":
            a = d.abs()
            v = torch.where(a <= 1.0, 0.5 * d * d, a - 0.5)
        else:
            q = p.clamp(KERAS_EPSILON, 1.0 - KERAS_EPSILON)
            v = -(t * q.log() + (1.0 - t) * (1.0 - q).log())
        return v.mean(dim=(1, 2))
    q = p / p.sum(dim=-1, keepdim=True)  # Keras rescales each row to sum to 1, then clips
    if name == "categorical_crossentropy":
        t = target.reshape(b, rows, cols)
        v = -(t * q.clamp(KERAS_EPSILON, 1.0 - KERAS_EPSILON).log()).sum(dim=-1)
    else:  # sparse_categorical_crossentropy: one class index per row
        labels = target.reshape(b, rows, 1).long()
        inside = (labels >= 0) & (labels < cols)
        picked = q.gather(-1, labels.clamp(0, cols - 1)) * inside
        v = -picked.clamp(KERAS_EPSILON, 1.0 - KERAS_EPSILON).log().squeeze(-1)
    return v.mean(dim=1)


def correct_counts(name, pred, target, rows, cols, from_logits=False):
    """Right answers per sample (rows, or values for binary crossentropy), as LayerLoom counts."""
    b = pred.shape[0]
    p = pred.reshape(b, rows, cols)
    if name == "binary_crossentropy":
        threshold = 0.0 if from_logits else 0.5
        return ((p > threshold) == (target.reshape(b, rows, cols) > 0.5)).sum(dim=(1, 2))
    best = p.argmax(dim=-1)
    if name == "sparse_categorical_crossentropy":
        truth = target.reshape(b, rows).long()
    else:
        truth = target.reshape(b, rows, cols).argmax(dim=-1)
    return (best == truth).sum(dim=1)


class KerasOptimizer:
    """Keras's update rules as LayerLoom applies them, one step per batch: clipvalue, then
    clipnorm per tensor, then weight decay, then SGD (momentum, Nesterov), Adam, AdamW (with
    AMSGrad) or RMSprop."""

    def __init__(self, params, config):
        self.params = params
        self.c = config
        self.lr = config["learning_rate"]
        self.iterations = 0
        self.amsgrad = config["name"] in ("adam", "adamw") and bool(config.get("amsgrad"))
        self.m = [torch.zeros_like(p) for p in params]
        self.v = [torch.zeros_like(p) for p in params]
        self.v_max = [torch.zeros_like(p) for p in params] if self.amsgrad else []

    def state(self):
        return {"iterations": self.iterations, "m": [t.cpu() for t in self.m], "v": [t.cpu() for t in self.v],
                "v_max": [t.cpu() for t in self.v_max]}

    def restore(self, state):
        if len(state["m"]) != len(self.params) or len(state.get("v_max", [])) != len(self.v_max):
            raise SystemExit("the checkpoint's optimizer state does not fit the model")
        self.iterations = state["iterations"]
        self.m = [t.to(p.device) for t, p in zip(state["m"], self.params)]
        self.v = [t.to(p.device) for t, p in zip(state["v"], self.params)]
        self.v_max = [t.to(p.device) for t, p in zip(state.get("v_max", []), self.params)]

    @torch.no_grad()
    def step(self):
        c = self.c
        self.iterations += 1
        t = float(self.iterations)
        lr = self.lr
        decay = c.get("weight_decay") or 0.0
        for k, (w, m, v) in enumerate(zip(self.params, self.m, self.v)):
            g = w.grad
            if c.get("clipvalue") is not None:
                g = g.clamp(-c["clipvalue"], c["clipvalue"])
            if c.get("clipnorm") is not None:
                norm = math.sqrt(float(g.double().square().sum()))
                if norm > c["clipnorm"]:
                    g = g * (c["clipnorm"] / norm)
            if decay > 0.0:
                w.sub_(w * (decay * lr))
            kind = c["name"]
            if kind == "sgd":
                mu = c["momentum"]
                if mu == 0.0:
                    w.sub_(lr * g)
                else:
                    m.copy_(mu * m - lr * g)
                    w.add_(mu * m - lr * g if c["nesterov"] else m)
            elif kind in ("adam", "adamw"):
                alpha = lr * math.sqrt(1.0 - c["beta_2"] ** t) / (1.0 - c["beta_1"] ** t)
                m.add_((g - m) * (1.0 - c["beta_1"]))
                v.add_((g * g - v) * (1.0 - c["beta_2"]))
                if self.amsgrad:
                    torch.maximum(self.v_max[k], v, out=self.v_max[k])
                    w.sub_(alpha * m / (self.v_max[k].sqrt() + c["epsilon"]))
                else:
                    w.sub_(alpha * m / (v.sqrt() + c["epsilon"]))
            else:  # rmsprop
                rho = c["rho"]
                v.copy_(rho * v + (1.0 - rho) * (g * g))
                inc = lr * g / (v.sqrt() + c["epsilon"])
                if c["momentum"] > 0.0:
                    m.copy_(c["momentum"] * m + inc)
                    w.sub_(m)
                else:
                    w.sub_(inc)


def batch_means(batch_sums, counts, penalties):
    """Each batch's loss as LayerLoom reports it: the mean over its samples, plus the penalty."""
    return [s / c + p for s, c, p in zip(batch_sums.tolist(), counts, penalties)]


def write_weights_llw(path, tensors):
    """A LayerLoom weights file: `LLWEIGHT`, a JSON header, then little-endian float32 values."""
    entries, offset = [], 0
    for name, values in tensors:
        entries.append({"name": name, "shape": list(values.shape), "offset": offset})
        offset += values.size * 4
    header = json.dumps({"format": "layerloom-weights", "version": 1, "tensors": entries},
                        separators=(",", ":")).encode()
    with open(path, "wb") as f:
        f.write(b"LLWEIGHT")
        f.write(struct.pack("<I", len(header)))
        f.write(header)
        for _, values in tensors:
            f.write(np.ascontiguousarray(values, dtype="<f4").tobytes())


def cell(v):
    return "" if v < 0 else "%.9g" % v


def history_csv(history):
    # The metrics follow the fixed columns, each beside its validation value, by name.
    # Keras's "accuracy" of a model that is no classifier goes into the accuracy columns.
    names = sorted({k for e in history for k in e.get("metrics", {}) if not k.startswith("val_") and k != "accuracy"})
    lines = [",".join(["epoch,loss,val_loss,accuracy,val_accuracy,learning_rate,seconds"] +
                      [f"{n},val_{n}" for n in names])]
    for e in history:
        m = e.get("metrics", {})
        acc, val_acc = e["accuracy"], e["val_accuracy"]
        lines.append(",".join([str(e["epoch"]), cell(e["loss"]), cell(e["val_loss"]),
                               cell(acc) if acc >= 0 or "accuracy" not in m else cell(m["accuracy"]),
                               cell(val_acc) if val_acc >= 0 or "val_accuracy" not in m else cell(m["val_accuracy"]),
                               cell(e["learning_rate"]), cell(e["seconds"])] +
                              [cell(m[k]) if k in m else "" for n in names for k in (n, "val_" + n)]))
    return "\n".join(lines) + "\n"


def replace_folder(staged, target):
    """Puts the folder `staged` in place of `target` so that a job killed at any moment leaves
    the old run folder or the new one (or the old one beside it as .NAME.previous, which
    LayerLoom reads), never a mix."""
    if not os.path.exists(target):
        os.rename(staged, target)
        return
    previous = os.path.join(os.path.dirname(target), "." + os.path.basename(target) + ".previous")
    shutil.rmtree(previous, ignore_errors=True)
    os.rename(target, previous)
    os.rename(staged, target)
    shutil.rmtree(previous, ignore_errors=True)


def save_atomically(obj, path):
    temporary = path + ".saving"
    torch.save(obj, temporary)
    os.replace(temporary, path)


def dropout_seed(seed, epoch, rank):
    """Each epoch's dropout stream on each process follows from the seed, the epoch and the
    rank alone, so that a resumed job draws what the uninterrupted one would have."""
    return (((seed * 6364136223846793005 + epoch) % 2**64) * 1442695040888963407 + rank) % 2**63


class Job:
    def __init__(self, args):
        with open(os.path.join(HERE, "job.json")) as f:
            self.job = json.load(f)
        if self.job.get("format") != "layerloom-pytorch-job" or self.job.get("version", 0) > 1:
            raise SystemExit("job.json is not a LayerLoom PyTorch job this train.py reads")
        self.args = args
        self.training = self.job["training"]
        if args.epochs:
            self.training["epochs"] = args.epochs
        self.loss_name = self.training["loss"]
        self.from_logits = bool(self.training.get("from_logits"))
        self.classification = self.loss_name.endswith("crossentropy")
        self.rows = self.job["output"]["rows_per_sample"]
        self.cols = self.job["output"]["cols"]
        self.metric_names = self.training.get("metrics", [])
        self.monitor = self.training.get("monitor") or {"quantity": "loss", "mode": "auto"}

        self.distributed = "RANK" in os.environ and "WORLD_SIZE" in os.environ
        cuda = torch.cuda.is_available() and args.device != "cpu"
        if self.distributed:
            dist.init_process_group(backend="nccl" if cuda else "gloo")
            self.rank, self.world = dist.get_rank(), dist.get_world_size()
        else:
            self.rank, self.world = 0, 1
        local = int(os.environ.get("LOCAL_RANK", "0"))
        self.device = torch.device(f"cuda:{local}" if cuda else "cpu")
        if cuda:
            torch.cuda.set_device(self.device)

        self.model = load_weights(Model(), HERE).to(self.device)
        named = dict(self.model.named_parameters())
        named.update(dict(self.model.named_buffers()))
        self.weights = self.job["weights"]  # LayerLoom's order: names, torch names, layers
        for w in self.weights:
            if w["module"] not in named:
                raise SystemExit(f"model.py has no {w['module']} for {w['name']}")
        self.tensor = {w["name"]: named[w["module"]] for w in self.weights}
        self.trainable = [w for w in self.weights if w["trainable"]]
        self.regularized = [(self.tensor[w["name"]], w["l1"], w["l2"]) for w in self.weights
                            if w.get("l1", 0) or w.get("l2", 0)]
        self.net = (DistributedDataParallel(self.model, device_ids=[self.device] if cuda else None)
                    if self.distributed else self.model)
        self.optimizer = KerasOptimizer([self.tensor[w["name"]] for w in self.trainable],
                                        self.training["optimizer"])

        try:
            self.train_split, self.val_split = job_data.load(self.job)
        except (OSError, ValueError, KeyError) as e:
            raise SystemExit(f"cannot read the job's data: {e}; export the job again from LayerLoom")
        self.batch_size = self.training["batch_size"]
        self.sampler = job_data.GlobalBatchSampler(len(self.train_split), self.batch_size, self.world,
                                                   self.rank, self.training["shuffle"], self.training["seed"])
        self.out = os.path.abspath(args.out)
        self.checkpoint = os.path.abspath(args.checkpoint)
        self.stop_requested = False

    def say(self, text):
        if self.rank == 0:
            print(text, flush=True)

    # -- the numbers of one batch ---------------------------------------------------------------

    def penalty(self):
        total = torch.zeros((), device=self.device)
        for w, l1, l2 in self.regularized:
            if l1:
                total = total + l1 * w.abs().sum()
            if l2:
                total = total + l2 * (w * w).sum()
        return total

    def tensors(self, split, index):
        x, y = split.gather(index)
        return torch.from_numpy(x).to(self.device), torch.from_numpy(y).to(self.device)

    def losses(self, split, index, pred, y):
        """Each sample's loss, times its sample or class weight where the run has them (Keras
        multiplies each sample's loss and still divides by the sample count)."""
        losses = per_sample_losses(self.loss_name, pred, y, self.rows, self.cols, self.from_logits)
        w = split.sample_weights(index)
        return losses if w is None else losses * torch.from_numpy(w).to(losses.device, losses.dtype)

    def metric_set(self):
        return job_metrics.MetricSet(self.metric_names, self.loss_name, self.classification, self.from_logits,
                                     self.rows, self.cols, self.device)

    def evaluate(self, split):
        """Loss, accuracy and metrics over a split in inference mode, shared out among the processes."""
        self.model.eval()
        n = len(split)
        share = np.array_split(np.arange(n), self.world)[self.rank]
        sums = torch.zeros(2, dtype=torch.float64, device=self.device)
        metrics = self.metric_set()
        with torch.no_grad():
            for start in range(0, len(share), self.batch_size):
                index = share[start:start + self.batch_size]
                x, y = self.tensors(split, index)
                pred = self.model(x)
                sums[0] += self.losses(split, index, pred, y).double().sum()
                if self.classification:
                    sums[1] += correct_counts(self.loss_name, pred, y, self.rows, self.cols, self.from_logits).sum()
                metrics.update(pred, y)
            penalty = float(self.penalty())
        if self.distributed:
            dist.all_reduce(sums)
            metrics.all_reduce(dist)
        loss = float(sums[0]) / n + penalty
        return loss, (float(sums[1]) / (n * self.per_sample_count()) if self.classification else -1.0), metrics.results()

    def per_sample_count(self):
        return self.rows * self.cols if self.loss_name == "binary_crossentropy" else self.rows

    # -- the run ------------------------------------------------------------------------------

    def fresh_state(self):
        return {"epochs_done": 0, "history": [], "batch_losses": [], "batches_per_epoch": len(self.sampler),
                "lr": self.training["optimizer"]["learning_rate"], "best": math.inf, "best_epoch": 0,
                "since_best": 0, "plateau_best": math.inf, "since_plateau": 0, "best_weights": None,
                "started": datetime.datetime.now().strftime("%Y-%m-%dT%H:%M:%S")}

    def resume(self):
        if not os.path.exists(self.checkpoint):
            raise SystemExit(f"--resume: no checkpoint at {self.checkpoint}")
        saved = torch.load(self.checkpoint, map_location="cpu")
        if saved.get("job") != self.job["fingerprint"]:
            raise SystemExit(f"--resume: {self.checkpoint} belongs to another job")
        with torch.no_grad():
            for w in self.weights:
                self.tensor[w["name"]].copy_(saved["weights"][w["name"]])
        self.optimizer.restore(saved["optimizer"])
        state = saved["state"]
        if state["epochs_done"] >= self.training["epochs"]:
            raise SystemExit(f"--resume: the job has finished {state['epochs_done']} of "
                             f"{self.training['epochs']} epochs; ask for more with --epochs N")
        return state

    def snapshot(self):
        return {w["name"]: self.tensor[w["name"]].detach().cpu().clone() for w in self.weights}

    def restore(self, weights):
        with torch.no_grad():
            for w in self.weights:
                self.tensor[w["name"]].copy_(weights[w["name"]])

    def save_checkpoint(self, state):
        """checkpoint.pt: the weights, the optimizer and where the run stands; process 0 only."""
        if self.rank == 0:
            save_atomically({"job": self.job["fingerprint"], "weights": self.snapshot(),
                             "optimizer": self.optimizer.state(), "state": state}, self.checkpoint)

    def write_run(self, state, ending, outcome, complete, weights=None):
        """The LayerLoom run folder, replaced as one; process 0 only."""
        if self.rank != 0:
            return
        weights = weights if weights is not None else self.snapshot()
        record = json.loads(json.dumps(self.job["run"]))
        record["complete"] = complete
        run = record["run"]
        run["started"] = state["started"]
        run["history"] = state["history"]
        losses, every = state["batch_losses"], 1
        if len(losses) > 5000:  # as LayerLoom thins them
            every = (len(losses) + 4999) // 5000
            losses = losses[::every]
        run["batch_losses"] = losses
        run["batch_loss_every"] = every
        run["batches_per_epoch"] = state["batches_per_epoch"]
        run["ending"] = ending
        run["outcome"] = outcome
        run["training"]["epochs"] = self.training["epochs"]
        parent = os.path.dirname(self.out)
        os.makedirs(parent, exist_ok=True)
        staged = os.path.join(parent, "." + os.path.basename(self.out) + ".saving")
        shutil.rmtree(staged, ignore_errors=True)
        os.makedirs(staged)
        write_weights_llw(os.path.join(staged, "weights.llw"),
                          [(w["name"], weights[w["name"]].numpy()) for w in self.weights])
        with open(os.path.join(staged, "history.csv"), "w") as f:
            f.write(history_csv(state["history"]))
        with open(os.path.join(staged, "run.json"), "w") as f:
            json.dump(record, f, indent=1)
            f.write("\n")
        replace_folder(staged, self.out)

    def learning_rate(self, epoch, state):
        s = self.training["schedule"]
        base = self.training["optimizer"]["learning_rate"]
        lr = state["lr"]
        if s["kind"] == "step":
            lr = base * s["factor"] ** ((epoch - 1) // max(1, s["every_epochs"]))
        elif s["kind"] == "cosine":
            epochs = self.training["epochs"]
            progress = (epoch - 1.0) / (epochs - 1.0) if epochs > 1 else 0.0
            lr = s["min_learning_rate"] + 0.5 * (base - s["min_learning_rate"]) * (1.0 + math.cos(math.pi * progress))
        return max(lr, s["min_learning_rate"])

    def run(self):
        state = self.resume() if self.args.resume else self.fresh_state()
        epochs = self.training["epochs"]
        early = self.training.get("early_stopping", {"enabled": False})
        schedule = self.training["schedule"]
        layers, by_layer = [], {}
        for w in self.trainable:
            if w["layer"] not in by_layer:
                layers.append(w["layer"])
                by_layer[w["layer"]] = []
            by_layer[w["layer"]].append(self.tensor[w["name"]])
        n = len(self.train_split)
        if state["epochs_done"]:
            self.say(f"resuming after epoch {state['epochs_done']} of {epochs}")
        self.say(f"{n} training and {len(self.val_split) if self.val_split else 0} validation samples, "
                 f"{self.world} process{'es' if self.world > 1 else ''} on {self.device.type}, "
                 f"global batch {self.batch_size}, {epochs} epochs")
        if state["epochs_done"] == 0:
            self.save_checkpoint(state)
            self.write_run(state, "stopped", "The job started; no epoch has finished yet.", False)
        earlier = state["history"][-1]["seconds"] if state["history"] else 0.0
        start = time.perf_counter()
        steps = 0
        for epoch in range(state["epochs_done"] + 1, epochs + 1):
            lr = self.learning_rate(epoch, state)
            state["lr"] = lr
            self.optimizer.lr = lr
            self.sampler.set_epoch(epoch)
            torch.manual_seed(dropout_seed(self.training["seed"], epoch, self.rank))
            self.model.train()
            epoch_start = time.perf_counter()
            right = torch.zeros((), dtype=torch.float64, device=self.device)  # right answers
            metrics = self.metric_set()
            batch_sums = torch.zeros(len(self.sampler), dtype=torch.float64, device=self.device)
            counts, penalties = [], []  # each global batch's samples and regularisation penalty
            grad_sums = torch.zeros(len(layers), dtype=torch.float64, device=self.device)
            for b, (count, share) in enumerate(self.sampler):
                index = share if share else [0]
                x, y = self.tensors(self.train_split, index)
                pred = self.net(x)
                losses = self.losses(self.train_split, index, pred, y)
                if not share:  # nothing to learn from here this batch; still take part
                    losses = losses * 0.0
                local = losses.sum()
                penalty = self.penalty()
                objective = local * (self.world / count) + penalty
                for t in self.optimizer.params:
                    t.grad = None
                objective.backward()
                if share:
                    batch_sums[b] = local.detach().double()
                    if self.classification:
                        right += correct_counts(self.loss_name, pred.detach(), y, self.rows, self.cols, self.from_logits).sum()
                    metrics.update(pred, y)
                counts.append(count)
                penalties.append(float(penalty))
                # Computed where the tensors are, then read once: a non-finite loss or gradient
                # on any process, and a stop asked of any process.
                finite = torch.isfinite(objective.detach())
                for t in self.optimizer.params:
                    finite = finite & torch.isfinite(t.grad).all()
                flags = torch.stack([(~finite).to(torch.float32),
                                     torch.tensor(1.0 if self.stop_requested else 0.0, device=self.device)])
                if self.distributed:
                    dist.all_reduce(flags)
                nonfinite, stop = flags.tolist()
                if nonfinite > 0:
                    return self.end_non_finite(state, epoch, b + 1)
                for k, layer in enumerate(layers):
                    grad_sums[k] += sum(t.grad.double().square().sum() for t in by_layer[layer])
                self.optimizer.step()
                steps += 1
                if stop > 0 or (self.args.steps and steps >= self.args.steps):
                    return self.end_stopped(state, epoch, b + 1, batch_sums[:b + 1], counts, penalties)
            if self.distributed:
                dist.all_reduce(right)
                dist.all_reduce(batch_sums)
                metrics.all_reduce(dist)
            state["batch_losses"] += batch_means(batch_sums, counts, penalties)
            report = {"epoch": epoch,
                      "loss": (float(batch_sums.sum()) + sum(p * c for p, c in zip(penalties, counts))) / n,
                      "accuracy": float(right) / (n * self.per_sample_count()) if self.classification else -1.0,
                      "val_loss": -1.0, "val_accuracy": -1.0, "learning_rate": lr, "metrics": metrics.results()}
            if self.val_split is not None:
                report["val_loss"], report["val_accuracy"], val_metrics = self.evaluate(self.val_split)
                report["metrics"].update({"val_" + k: v for k, v in val_metrics.items()})
            now = time.perf_counter()
            report["seconds"] = earlier + now - start
            report["samples_per_second"] = n / max(1e-9, now - epoch_start)
            report["gradients"] = {layer: math.sqrt(g) / len(self.sampler) for layer, g in zip(layers, grad_sums.tolist())}
            state["history"].append(report)
            self.print_epoch(report, epochs)
            validating = self.val_split is not None
            if not math.isfinite(report["val_loss"] if validating else report["loss"]):
                state["epochs_done"] = epoch
                message = f"The validation loss became NaN or infinite at epoch {epoch}. Training stopped."
                self.write_run(state, "non_finite", message, True)
                self.say(message)
                return 1
            # Lower is better for what is compared: a quantity where higher is better is negated.
            sign = -1.0 if job_metrics.higher_is_better(self.monitor) else 1.0
            monitored = sign * job_metrics.watched_value(report, self.monitor["quantity"], validating)
            if monitored < state["best"] - early.get("min_delta", 0.0):
                state["best"], state["best_epoch"], state["since_best"] = monitored, epoch, 0
                if early["enabled"] and early.get("restore_best_weights", True):
                    state["best_weights"] = self.snapshot()
            else:
                state["since_best"] += 1
            if schedule["kind"] == "plateau":
                if monitored < state["plateau_best"]:
                    state["plateau_best"], state["since_plateau"] = monitored, 0
                else:
                    state["since_plateau"] += 1
                    if state["since_plateau"] >= schedule["patience"]:
                        state["lr"] = max(schedule["min_learning_rate"], state["lr"] * schedule["factor"])
                        state["since_plateau"] = 0
            state["epochs_done"] = epoch
            if early["enabled"] and state["since_best"] >= early["patience"]:
                kept = state["best_weights"]
                if kept is not None:
                    self.restore(kept)
                message = (f"Stopped early after epoch {epoch}: no {'validation ' if validating else ''}"
                           f"{self.monitor['quantity']} improvement for {early['patience']} epochs" +
                           (f"; kept the weights of epoch {state['best_epoch']}." if kept is not None else "."))
                self.write_run(state, "early_stopped", message, True)
                self.say(message)
                return 0
            self.save_checkpoint(state)  # also after the last epoch: --epochs N --resume goes on
            if epoch < epochs:
                self.write_run(state, "stopped", f"Epoch {epoch} finished; the run goes on.", False)
        message = f"Trained {epochs} epoch{'s' if epochs != 1 else ''}."
        self.write_run(state, "finished", message, True)
        self.say(message)
        self.say(f"run folder: {self.out}")
        return 0

    def print_epoch(self, r, epochs):
        text = f"epoch {r['epoch']}/{epochs}  loss {r['loss']:.6g}"
        if r["accuracy"] >= 0:
            text += f"  accuracy {r['accuracy']:.4g}"
        for name, value in sorted(r["metrics"].items()):  # Keras's order: training, then validation
            if not name.startswith("val_"):
                text += f"  {name} {value:.4g}"
        if r["val_loss"] >= 0:
            text += f"  val_loss {r['val_loss']:.6g}"
        if r["val_accuracy"] >= 0:
            text += f"  val_accuracy {r['val_accuracy']:.4g}"
        for name, value in sorted(r["metrics"].items()):
            if name.startswith("val_"):
                text += f"  {name} {value:.4g}"
        self.say(text + f"  lr {r['learning_rate']:.3g}  {r['seconds']:.1f}s")

    def kept_weights(self):
        """The weights of the last finished epoch, as the checkpoint holds them."""
        if os.path.exists(self.checkpoint):
            return torch.load(self.checkpoint, map_location="cpu")["weights"]
        return None

    def end_non_finite(self, state, epoch, batch):
        message = (f"The loss or its gradients became NaN or infinite at epoch {epoch}, batch {batch}. "
                   f"Training stopped; {self.out} keeps the weights of the last finished epoch "
                   f"({state['epochs_done']}). A lower learning rate, gradient clipping or normalised data "
                   "usually help.")
        self.write_run(state, "non_finite", message, True, self.kept_weights() if self.rank == 0 else None)
        self.say(message)
        return 1

    def end_stopped(self, state, epoch, batch, batch_sums, counts, penalties):
        if self.distributed:
            dist.all_reduce(batch_sums)
        losses = state["batch_losses"] + batch_means(batch_sums, counts, penalties)
        message = (f"Stopped at epoch {epoch}, batch {batch}. {self.out} keeps {state['epochs_done']} finished "
                   f"epoch{'s' if state['epochs_done'] != 1 else ''}; continue with: "
                   f"{'torchrun ... ' if self.distributed else 'python3 '}train.py --resume")
        stopped = dict(state, batch_losses=losses)
        self.write_run(stopped, "stopped", message, True, self.kept_weights() if self.rank == 0 else None)
        self.say(message)
        return 130 if self.stop_requested else 0  # --steps asked for it


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", default=os.path.join(HERE, "run"),
                        help="the LayerLoom run folder to write (default: run/ beside train.py)")
    parser.add_argument("--checkpoint", default=os.path.join(HERE, "checkpoint.pt"),
                        help="the checkpoint written after every epoch (default: checkpoint.pt beside train.py)")
    parser.add_argument("--resume", action="store_true", help="continue from the checkpoint")
    parser.add_argument("--epochs", type=int, help="train to this many epochs instead of job.json's")
    parser.add_argument("--steps", type=int,
                        help="stop after this many batches (a quick check of a new set-up)")
    parser.add_argument("--device", choices=["auto", "cpu"], default="auto",
                        help="cpu: train on the CPU (gloo) even where CUDA is present")
    args = parser.parse_args()
    if args.epochs is not None and args.epochs < 1:
        parser.error("--epochs must be at least 1")
    job = Job(args)

    def stop(signum, frame):
        job.stop_requested = True
    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    code = job.run()
    if job.distributed:
        # Every process waits for process 0's last run folder: gloo aborts a process that
        # leaves while another still works.
        dist.barrier()
        dist.destroy_process_group()
    sys.exit(code)


if __name__ == "__main__":
    main()
