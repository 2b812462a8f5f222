"""Keras's MultiHeadAttention in float64 NumPy, written from its definition rather than from
LayerLoom's code (keras.layers.MultiHeadAttention with attention_axes None): EinsumDense
projections "abc,cde->abde" of query, key and value, the query scaled by 1 / sqrt(key_dim),
scores "aecd,abcd->acbe", the attention mask built as _compute_attention_mask ANDs the query's,
value's and key's step masks, the attention_mask tensor (cast to bool) and the causal mask, Softmax adding -1e9 where the mask is 0, the
combination "acbe,aecd->abcd" and the output EinsumDense "abcd,cde->abe"; the attention scores
(return_attention_scores) are the softmax's output, before dropout.

Where the shapes allow it (query width = num_heads x key_dim = the output's, value_dim = key_dim,
no step masks), each case is also computed by PyTorch's nn.MultiheadAttention with the weights
mapped to its layout.

    python3 multi_head_attention.py CASES.json    exits 1 when a case differs from LayerLoom by more than 1e-9
"""
import json
import sys

import numpy as np


def project(x, kernel, bias):
    y = np.einsum("abc,cde->abde", x, kernel)
    return y if bias is None else y + bias


def multi_head_attention(query, value, key, w, key_dim, causal, query_mask, value_mask, key_mask, attention_mask=None):
    if key is None:
        key = value
    q = project(query, w["query/kernel"], w.get("query/bias"))
    k = project(key, w["key/kernel"], w.get("key/bias"))
    v = project(value, w["value/kernel"], w.get("value/bias"))
    q = q * (1.0 / np.sqrt(float(key_dim)))
    scores = np.einsum("aecd,abcd->acbe", k, q)  # (batch, heads, T, S)
    mask = None
    t, s = query.shape[1], value.shape[1]
    if query_mask is not None:
        mask = query_mask[:, :, None]
    if value_mask is not None:
        mask = value_mask[:, None, :] if mask is None else mask & value_mask[:, None, :]
    if key_mask is not None:
        mask = key_mask[:, None, :] if mask is None else mask & key_mask[:, None, :]
    if attention_mask is not None:  # cast to bool, as Keras does
        given = attention_mask != 0.0
        mask = given if mask is None else mask & given
    if causal:
        lower = np.tril(np.ones((1, t, s), dtype=bool))
        mask = lower if mask is None else mask & lower
    if mask is not None:
        scores = scores + (1.0 - mask[:, None, :, :].astype(np.float64)) * -1e9
    scores = scores - scores.max(axis=-1, keepdims=True)
    weights = np.exp(scores)
    weights = weights / weights.sum(axis=-1, keepdims=True)
    heads = np.einsum("acbe,aecd->abcd", weights, v)
    y = np.einsum("abcd,cde->abe", heads, w["attention_output/kernel"])
    bias = w.get("attention_output/bias")
    return (y if bias is None else y + bias), weights


def torch_attention(query, value, key, w, heads, causal, attention_mask=None):
    """nn.MultiheadAttention with the Keras weights: each (features, heads, dim) kernel is
    PyTorch's projection matrix transposed, heads in the same order."""
    import torch

    if key is None:
        key = value
    fq = query.shape[-1]
    bias = "query/bias" in w
    mha = torch.nn.MultiheadAttention(fq, heads, bias=bias, batch_first=True, kdim=key.shape[-1],
                                      vdim=value.shape[-1], dtype=torch.float64)
    t = lambda a: torch.tensor(a, dtype=torch.float64)
    with torch.no_grad():
        q = t(w["query/kernel"].reshape(fq, -1).T)
        k = t(w["key/kernel"].reshape(key.shape[-1], -1).T)
        v = t(w["value/kernel"].reshape(value.shape[-1], -1).T)
        if mha._qkv_same_embed_dim:  # one packed matrix when all widths agree
            mha.in_proj_weight.copy_(torch.cat([q, k, v]))
        else:
            mha.q_proj_weight.copy_(q)
            mha.k_proj_weight.copy_(k)
            mha.v_proj_weight.copy_(v)
        mha.out_proj.weight.copy_(t(w["attention_output/kernel"].reshape(-1, fq).T))
        if bias:
            mha.in_proj_bias.copy_(t(np.concatenate([w["query/bias"].ravel(), w["key/bias"].ravel(),
                                                     w["value/bias"].ravel()])))
            mha.out_proj.bias.copy_(t(w["attention_output/bias"]))
    mask = None  # PyTorch's boolean attn_mask is True where a query step may not attend
    if causal:
        mask = ~torch.ones(query.shape[1], value.shape[1], dtype=torch.bool).tril()
    if attention_mask is not None:
        given = torch.tensor(attention_mask == 0.0).repeat_interleave(heads, dim=0)  # (batch x heads, T, S)
        mask = given if mask is None else given | mask
    y, _ = mha(t(query), t(key), t(value), attn_mask=mask, need_weights=False)
    return y.detach().numpy()


def main():
    cases = json.load(open(sys.argv[1]))
    worst = 0.0
    compared = 0
    for case in cases:
        arrays = {name: np.array(case[name], dtype=np.float64) if case.get(name) is not None else None
                  for name in ("query", "value", "key")}
        w = {name: np.array(t["values"], dtype=np.float64).reshape(t["shape"]) for name, t in case["weights"].items()}
        p = case["params"]
        masks = {}
        for name in ("query", "value", "key"):
            # Behind Masking(0): a step is real where any of its features is not 0.
            masked = name in case["masked"] and arrays[name] is not None
            masks[name] = np.any(arrays[name] != 0.0, axis=-1) if masked else None
        given = np.array(case["attention_mask"], dtype=np.float64) if "attention_mask" in case else None
        want, want_scores = multi_head_attention(arrays["query"], arrays["value"], arrays["key"], w, p["key_dim"],
                                    p["use_causal_mask"], masks["query"], masks["value"], masks["key"], given)
        got = np.array(case["y"], dtype=np.float64)
        if got.shape != want.shape:
            print(f"{case['name']}: LayerLoom's output is {got.shape}, the reference's {want.shape}")
            return 1
        worst = max(worst, float(np.max(np.abs(got - want))))
        print(f"{case['name']}: largest difference {np.max(np.abs(got - want)):.3g}")
        if "scores" in case:  # return_attention_scores: (batch, heads, T, S), before dropout
            scores = np.array(case["scores"]["values"], dtype=np.float64)
            if list(case["scores"]["shape"]) != list(want_scores.shape) or scores.size != want_scores.size:
                print(f"{case['name']}: LayerLoom's scores are {case['scores']['shape']}, the reference's "
                      f"{want_scores.shape}")
                return 1
            scores = scores.reshape(want_scores.shape)
            worst = max(worst, float(np.max(np.abs(scores - want_scores))))
            print(f"{case['name']}: largest difference in the attention scores {np.max(np.abs(scores - want_scores)):.3g}")
        heads, key_dim = w["query/kernel"].shape[1], p["key_dim"]
        fits = (arrays["query"].shape[-1] == heads * key_dim == want.shape[-1]
                and w["value/kernel"].shape[-1] == key_dim and not case["masked"])
        if fits:
            theirs = torch_attention(arrays["query"], arrays["value"], arrays["key"], w, heads, p["use_causal_mask"], given)
            worst = max(worst, float(np.max(np.abs(got - theirs))))
            compared += 1
            print(f"{case['name']}: largest difference from PyTorch's nn.MultiheadAttention "
                  f"{np.max(np.abs(got - theirs)):.3g}")
    if compared == 0:
        print("no case had shapes that PyTorch's nn.MultiheadAttention takes")
        return 1
    return 0 if worst <= 1e-9 else 1


if __name__ == "__main__":
    sys.exit(main())
