"""Keras's metrics as LayerLoom computes them over an epoch (core/engine/metrics), for train.py.

Each metric keeps sums in one float64 tensor (totals and counts, or confusion counts per
threshold), so that the processes of a distributed job add theirs up with one all_reduce and
every process reads the same value. The metrics read probabilities: a model that outputs
logits has them turned into probabilities first, as LayerLoom does.
"""
import math

import torch

KERAS_EPSILON = 1e-7
AUC_THRESHOLDS = 200
TOP_K = 5

HIGHER_IS_BETTER = {"accuracy", "binary_accuracy", "categorical_accuracy", "sparse_categorical_accuracy",
                    "top_k_categorical_accuracy", "sparse_top_k_categorical_accuracy", "precision", "recall",
                    "auc", "pr_auc"}


def reported(names, classification):
    """The metrics a run computes itself: each once, and a classifier's accuracy left to its own
    accuracy column, which holds the same value."""
    out = []
    for name in names:
        if (name == "accuracy" and classification) or name in out:
            continue
        out.append(name)
    return out


def probabilities(loss, pred, from_logits):
    """pred (samples, rows, cols) as the metrics read it."""
    if not from_logits:
        return pred
    if loss == "binary_crossentropy":
        return torch.sigmoid(pred.double()).float()
    return torch.softmax(pred.double(), dim=-1).float()


class Metric:
    def __init__(self, name, cols, target_cols, device):
        self.name = name
        if name == "accuracy":  # resolved from the shapes, as Keras's compile does
            name = ("binary_accuracy" if cols == 1 else
                    "sparse_categorical_accuracy" if target_cols == 1 else "categorical_accuracy")
        self.kind = name
        size = 2 * AUC_THRESHOLDS if name in ("auc", "pr_auc") else 4 if name in ("precision", "recall") else 2
        self.sums = torch.zeros(size, dtype=torch.float64, device=device)

    def update(self, p, t):
        """p: (rows, cols) probabilities; t: (rows, target columns)."""
        k, s = self.kind, self.sums
        p64, t64 = p.double(), t.double()
        if k in ("mae", "mse", "mape"):
            d = p64 - t64
            v = (d.abs() if k == "mae" else d * d if k == "mse"
                 else 100.0 * d.abs() / t64.abs().clamp(min=KERAS_EPSILON))
            s[0] += v.mean(dim=1).sum()
            s[1] += p.shape[0]
        elif k == "root_mean_squared_error":
            d = p64 - t64
            s[0] += (d * d).sum()
            s[1] += p.numel()
        elif k == "binary_accuracy":
            s[0] += ((p > 0.5).to(t.dtype) == t).double().mean(dim=1).sum()
            s[1] += p.shape[0]
        elif k == "categorical_accuracy":
            s[0] += (p.argmax(dim=1) == t.argmax(dim=1)).sum()
            s[1] += p.shape[0]
        elif k == "sparse_categorical_accuracy":
            s[0] += (p.argmax(dim=1).to(t.dtype) == t[:, 0]).sum()
            s[1] += p.shape[0]
        elif k in ("top_k_categorical_accuracy", "sparse_top_k_categorical_accuracy"):
            if k == "top_k_categorical_accuracy":
                target = t.argmax(dim=1)
            else:
                label = t[:, 0]
                usable = torch.isfinite(label) & (label.abs() < 1e9)
                target = torch.where(usable, label, torch.full_like(label, -1)).long()
            inside = (target >= 0) & (target < p.shape[1])
            score = p.gather(1, target.clamp(0, p.shape[1] - 1)[:, None])
            above = (p > score).sum(dim=1)
            s[0] += (inside & torch.isfinite(score[:, 0]) & (above < TOP_K)).sum()
            s[1] += p.shape[0]
        elif k in ("precision", "recall"):
            positive, label = p > 0.5, t != 0
            s[0] += (positive & label).sum()
            s[1] += (positive & ~label).sum()
            s[2] += (~positive & label).sum()
            s[3] += (~positive & ~label).sum()
        else:  # auc, pr_auc: counts per bucket of Keras's evenly spaced thresholds
            q = p.clamp(0.0, 1.0)
            bucket = (torch.ceil(q * float(AUC_THRESHOLDS - 1)) - 1.0).clamp(min=0.0)
            bucket = torch.where(torch.isnan(q), torch.zeros_like(bucket), bucket).long().flatten()
            label = (t != 0).flatten()
            s[:AUC_THRESHOLDS] += torch.bincount(bucket[label], minlength=AUC_THRESHOLDS).double()
            s[AUC_THRESHOLDS:] += torch.bincount(bucket[~label], minlength=AUC_THRESHOLDS).double()

    def result(self):
        s = self.sums.tolist()
        k = self.kind
        if k == "root_mean_squared_error":
            return math.sqrt(ratio(s[0], s[1]))
        if k == "precision":
            return ratio(s[0], s[0] + s[1])
        if k == "recall":
            return ratio(s[0], s[0] + s[2])
        if k in ("auc", "pr_auc"):
            return area(k, s[:AUC_THRESHOLDS], s[AUC_THRESHOLDS:])
        return ratio(s[0], s[1])


def ratio(a, b):
    return a / b if b > 0 else 0.0  # Keras's divide_no_nan


def area(kind, tp_buckets, fp_buckets):
    n = len(tp_buckets)
    tp, fp = [0.0] * n, [0.0] * n
    tp_above = fp_above = 0.0
    for i in range(n - 1, -1, -1):  # the counts at each threshold: every bucket at or above it
        tp_above += tp_buckets[i]
        fp_above += fp_buckets[i]
        tp[i], fp[i] = tp_above, fp_above
    positives, negatives = tp[0], fp[0]
    total = 0.0
    for i in range(n - 1):
        if kind == "auc":  # the ROC curve with midpoint heights
            dx = ratio(fp[i], negatives) - ratio(fp[i + 1], negatives)
            total += dx * (ratio(tp[i], positives) + ratio(tp[i + 1], positives)) / 2.0
            continue
        # Precision-recall, interpolated as Keras's interpolate_pr_auc.
        dtp = tp[i] - tp[i + 1]
        p_a, p_b = tp[i] + fp[i], tp[i + 1] + fp[i + 1]
        slope = ratio(dtp, max(p_a - p_b, 0.0))
        intercept = tp[i + 1] - slope * p_b
        p_ratio = ratio(p_a, max(p_b, 0.0)) if p_a > 0 and p_b > 0 else 1.0
        total += ratio(slope * (dtp + intercept * math.log(p_ratio)), positives)
    return total


class MetricSet:
    """The chosen metrics of one epoch or one evaluation."""

    def __init__(self, names, loss, classification, from_logits, rows, cols, device):
        target_cols = 1 if loss == "sparse_categorical_crossentropy" else cols
        self.loss, self.from_logits, self.rows, self.cols, self.target_cols = loss, from_logits, rows, cols, target_cols
        self.metrics = [Metric(n, cols, target_cols, device) for n in reported(names, classification)]

    def update(self, pred, target):
        if not self.metrics:
            return
        b = pred.shape[0]
        p = probabilities(self.loss, pred.detach().reshape(b, self.rows, self.cols), self.from_logits)
        p = p.reshape(b * self.rows, self.cols)
        t = target.reshape(b * self.rows, self.target_cols)
        for m in self.metrics:
            m.update(p, t)

    def all_reduce(self, dist):
        for m in self.metrics:
            dist.all_reduce(m.sums)

    def results(self, prefix=""):
        return {prefix + m.name: m.result() for m in self.metrics}


def watched_value(report, quantity, validation):
    """The value early stopping and the plateau watch in an epoch's report (train.py's dict)."""
    if quantity == "loss":
        return report["val_loss"] if validation else report["loss"]
    key = ("val_" if validation else "") + quantity
    if key in report["metrics"]:
        return report["metrics"][key]
    if quantity == "accuracy":
        return report["val_accuracy"] if validation else report["accuracy"]
    return math.nan


def higher_is_better(monitor):
    mode = monitor.get("mode", "auto")
    if mode != "auto":
        return mode == "max"
    return monitor.get("quantity", "loss") in HIGHER_IS_BETTER
