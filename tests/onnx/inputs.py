"""Checks an ONNX file LayerLoom wrote with ONNX's own checker (full_check: types and shapes
inferred through every node) and writes inputs for it, seeded:
    inputs.py MODEL.onnx OUT_PREFIX
OUT_PREFIX.json holds every input by name for ONNX Runtime ({type, dims, data}); OUT_PREFIX.npy
(one Input) or OUT_PREFIX.npz (several) the same numbers for layerloom-cli predict."""
import json
import sys

import numpy as np
import onnx

model = onnx.load(sys.argv[1])
onnx.checker.check_model(model, full_check=True)
prefix = sys.argv[2]
rng = np.random.default_rng(11)
# A free time axis gets a length of its own per Input: the export must not tie them.
free = {}
feeds, arrays = {}, {}
for value in model.graph.input:
    tensor = value.type.tensor_type
    dims = []
    for d in tensor.shape.dim:
        if d.dim_param == "batch":
            dims.append(3)
        elif d.dim_param:
            dims.append(free.setdefault(d.dim_param, 7 + 2 * len(free)))
        else:
            dims.append(d.dim_value)
    if tensor.elem_type == onnx.TensorProto.INT32:
        x = rng.integers(0, 2, size=dims).astype(np.int32)
        kind = "int32"
    else:
        x = rng.normal(size=dims).astype(np.float32)
        kind = "float32"
    feeds[value.name] = {"type": kind, "dims": dims, "data": x.reshape(-1).tolist()}
    arrays[value.name] = x.astype(np.float32)
with open(prefix + ".json", "w") as f:
    json.dump(feeds, f)
if len(arrays) == 1:
    np.save(prefix + ".npy", next(iter(arrays.values())))
else:
    np.savez(prefix + ".npz", **arrays)
