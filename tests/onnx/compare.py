"""Compares ONNX Runtime's outputs with LayerLoom's:
    compare.py ORT.json LOOM.(npy|npz|json) TOLERANCE
Every output by name (one output: the only array); |ort - loom| <= tolerance * max(1, |loom|)."""
import json
import sys

import numpy as np

with open(sys.argv[1]) as f:
    ort = {k: np.array(v["data"], dtype=np.float64).reshape(v["dims"]) for k, v in json.load(f).items()}
path, tolerance = sys.argv[2], float(sys.argv[3])
if path.endswith(".npz"):
    loom = dict(np.load(path))
elif path.endswith(".npy"):
    loom = {next(iter(ort)): np.load(path)}
else:
    with open(path) as f:
        data = json.load(f)
    loom = {k: np.array(v) for k, v in data.items()} if isinstance(data, dict) else {next(iter(ort)): np.array(data)}
if sorted(ort) != sorted(loom):
    sys.exit(f"{sys.argv[1]}: ONNX Runtime gives {sorted(ort)}, LayerLoom {sorted(loom)}")
worst = 0.0
for name, y in ort.items():
    expected = loom[name].astype(np.float64)
    if y.shape != expected.shape:
        sys.exit(f"{name}: ONNX Runtime's shape {y.shape}, LayerLoom's {expected.shape}")
    error = np.abs(y - expected) / np.maximum(1.0, np.abs(expected))
    worst = max(worst, float(error.max()) if error.size else 0.0)
    if not np.all(np.isfinite(y)) or error.max() > tolerance:
        at = np.unravel_index(int(np.nanargmax(error)), error.shape)
        sys.exit(f"{name}: ONNX Runtime gives {y[at]} at {at}, LayerLoom {expected[at]} (tolerance {tolerance})")
print(f"{sys.argv[1]}: {sum(v.size for v in ort.values())} numbers agree, worst {worst:.2e}")
