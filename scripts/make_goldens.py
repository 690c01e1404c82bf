"""Golden forward/backward values from PyTorch for MuSharp's MLP and GPT (tests/MuSharp.Tests/Golden).

Run with Debian's interpreter, which sees python3-torch (the python3 first on PATH does not):

    /usr/bin/python3 scripts/make_goldens.py

Each case writes two files into tests/MuSharp.Tests/Golden/:

  <case>.json  manifest: {"format": 1, "case", "kind", "config", "arrays": [{"name", "dtype", "shape", "offset"}]}
               dtype is "float32" or "int32"; offset is in bytes from the start of <case>.bin.
  <case>.bin   the arrays back to back, little-endian, row-major.

Array names: "input.x" / "input.ids" / "input.targets" (inputs), "output.logits", "output.loss" (shape [1]),
"param.<name>" (the value MuSharp must load) and "grad.<name>" (d loss / d param), where <name> is exactly the
MuSharp Parameter.Name. Parameters are kept in MuSharp's layout: a Linear weight is [fanIn, fanOut] and
y = x @ W + b, i.e. the transpose of torch.nn.Linear.weight. The models below mirror src/MuSharp/Nn by hand
(Linear.cs, MlpClassifier.cs, Gpt.cs, Block.cs, CausalSelfAttention.cs, Norms.cs); everything is float32.
"""

import json
import math
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F

OUT_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "MuSharp.Tests", "Golden")

# Pre-activations (ReLU inputs) closer than this to 0 would make the golden gradient depend on rounding.
KINK_MARGIN = 1e-4


def matrix(gen, fan_in, fan_out, std):
    return torch.randn(fan_in, fan_out, generator=gen) * std


def gain(gen, n):
    return 1.0 + 0.3 * torch.randn(n, generator=gen)


def bias(gen, n):
    return 0.2 * torch.randn(n, generator=gen)


def linear(x, params, name):
    y = x @ params[name + ".weight"]
    b = params.get(name + ".bias")
    return y if b is None else y + b


def evaluate(forward, params, targets):
    """Logits, mean cross-entropy and parameter gradients in float32, checked against a float64 rerun.

    The float64 rerun bounds the rounding noise in the golden itself, which must stay far below the
    1e-4 tolerance of GoldenTests.cs; params are left holding their float32 .grad.
    """
    results = {}
    for dtype in (torch.float64, torch.float32):
        leaves = {n: p.detach().to(dtype).requires_grad_(True) for n, p in params.items()}
        logits = forward(leaves)
        loss = F.cross_entropy(logits, targets)
        loss.backward()
        results[dtype] = (logits, loss, {n: p.grad for n, p in leaves.items()})
    logits, loss, grads = results[torch.float32]
    ref_logits, ref_loss, ref_grads = results[torch.float64]
    pairs = [("logits", logits, ref_logits), ("loss", loss, ref_loss)]
    pairs += [("grad " + n, grads[n], ref_grads[n]) for n in params]
    for what, got, ref in pairs:
        if got is None:
            sys.exit(f"make_goldens: {what} is missing (parameter unused?)")
        rel = (got.double() - ref).abs().max().item() / max(ref.abs().max().item(), 1e-6)
        if rel > 1e-5:
            sys.exit(f"make_goldens: float32 {what} is {rel:.2e} from float64; the golden would be too noisy")
    for n, p in params.items():
        p.grad = grads[n]
    return logits.detach(), loss.detach()


# ---------------------------------------------------------------- MLP


def mlp_params(gen, sizes):
    params = {}
    for i in range(len(sizes) - 1):
        params[f"layer{i}.weight"] = matrix(gen, sizes[i], sizes[i + 1], 0.2)
        params[f"layer{i}.bias"] = bias(gen, sizes[i + 1])
    return params


def mlp_forward(params, x, layers):
    for i in range(layers):
        x = linear(x, params, f"layer{i}")
        if i + 1 < layers:
            if x.detach().abs().min().item() < KINK_MARGIN:
                sys.exit(f"make_goldens: layer{i} pre-activation within {KINK_MARGIN} of the ReLU kink; change the seed")
            x = F.relu(x)
    return x


def mlp_case():
    sizes, batch = [20, 32, 32, 5], 8
    gen = torch.Generator().manual_seed(1234)
    params = mlp_params(gen, sizes)
    x = torch.randn(batch, sizes[0], generator=gen)
    labels = torch.randint(0, sizes[-1], (batch,), generator=gen)
    logits, loss = evaluate(lambda ps: mlp_forward(ps, x.to(ps["layer0.weight"].dtype), len(sizes) - 1), params, labels)

    # Cross-check the hand-written layers against torch.nn.Linear (weight transposed).
    layers = []
    for i in range(len(sizes) - 1):
        lin = torch.nn.Linear(sizes[i], sizes[i + 1])
        with torch.no_grad():
            lin.weight.copy_(params[f"layer{i}.weight"].T)
            lin.bias.copy_(params[f"layer{i}.bias"])
        layers += [lin, torch.nn.ReLU()]
    with torch.no_grad():
        assert torch.allclose(torch.nn.Sequential(*layers[:-1])(x), logits, atol=1e-6)

    config = {"sizes": sizes, "batch": batch}
    inputs = [("input.x", x), ("input.targets", labels)]
    return "mlp", "mlp", config, inputs, logits, loss, params


# ---------------------------------------------------------------- GPT


def layer_norm(x, params, name):
    c = x.shape[-1]
    return F.layer_norm(x, (c,), params[name + ".gain"], params[name + ".bias"], eps=1e-5)


def rms_norm(x, params, name):
    return x / torch.sqrt((x * x).mean(dim=-1, keepdim=True) + 1e-6) * params[name + ".gain"]


def rope(x, heads, theta):
    """Rotate-half RoPE per head; x is [B, T, C], head h owns columns [h·Dh, (h+1)·Dh)."""
    b, t, c = x.shape
    dh = c // heads
    half = dh // 2
    i = torch.arange(half, dtype=x.dtype)
    freq = theta ** (-2.0 * i / dh)  # [Dh/2]
    angle = torch.arange(t, dtype=x.dtype)[:, None] * freq[None, :]  # [T, Dh/2]
    cos, sin = torch.cos(angle)[None, :, None, :], torch.sin(angle)[None, :, None, :]
    xh = x.view(b, t, heads, dh)
    x1, x2 = xh[..., :half], xh[..., half:]
    return torch.cat([x1 * cos - x2 * sin, x1 * sin + x2 * cos], dim=-1).reshape(b, t, c)


def attention(q, k, v, heads, scale):
    """Causal softmax(scale · q kᵀ) v per head; q, k, v and the result are [B, T, C]."""
    b, t, c = q.shape
    dh = c // heads
    qh, kh, vh = (z.view(b, t, heads, dh).transpose(1, 2) for z in (q, k, v))  # [B, H, T, Dh]
    scores = scale * (qh @ kh.transpose(-1, -2))  # [B, H, T, T]
    mask = torch.triu(torch.ones(t, t, dtype=torch.bool), diagonal=1)
    weights = torch.softmax(scores.masked_fill(mask, float("-inf")), dim=-1)
    return (weights @ vh).transpose(1, 2).reshape(b, t, c)


def gpt_params(gen, cfg):
    c, v, hidden = cfg["d_model"], cfg["vocab"], cfg["mlp_ratio"] * cfg["d_model"]
    norm_names = [".gain", ".bias"] if cfg["norm"] == "LayerNorm" else [".gain"]

    def norm(name):
        for suffix in norm_names:
            params[name + suffix] = gain(gen, c) if suffix == ".gain" else bias(gen, c)

    # Insertion order follows Gpt.Parameters() (Block.cs, CausalSelfAttention.cs, Norms.cs).
    params = {"embed.tokens": torch.randn(v, c, generator=gen) * 0.5}
    if cfg["positions"] == "Learned":
        params["embed.positions"] = torch.randn(cfg["context"], c, generator=gen) * 0.5
    for layer in range(cfg["layers"]):
        p = f"block{layer}"
        norm(p + ".norm1")
        for w in ("q", "k", "v", "proj"):
            params[f"{p}.attn.{w}.weight"] = matrix(gen, c, c, 0.3)
        norm(p + ".norm2")
        params[p + ".mlp.up.weight"] = matrix(gen, c, hidden, 0.3)
        params[p + ".mlp.down.weight"] = matrix(gen, hidden, c, 0.2)
    norm("norm")
    if not cfg["tied_head"]:
        params["head.weight"] = matrix(gen, c, v, 0.3)
    return params


def gpt_forward(params, cfg, ids, batch, time):
    norm = layer_norm if cfg["norm"] == "LayerNorm" else rms_norm
    c, heads = cfg["d_model"], cfg["heads"]
    dh = c // heads
    scale = cfg["attention_multiplier"] / (dh if cfg["attention_scale_inv_dh"] else math.sqrt(dh))
    x = params["embed.tokens"][ids]  # [B·T, C]
    if cfg["positions"] == "Learned":
        x = x + params["embed.positions"][torch.arange(batch * time) % time]
    x = x.view(batch, time, c)
    for layer in range(cfg["layers"]):
        p = f"block{layer}"
        h = norm(x, params, p + ".norm1")
        q, k, v = (linear(h, params, f"{p}.attn.{w}") for w in ("q", "k", "v"))
        if cfg["positions"] == "Rope":
            q, k = rope(q, heads, cfg["rope_theta"]), rope(k, heads, cfg["rope_theta"])
        x = x + linear(attention(q, k, v, heads, scale), params, p + ".attn.proj")
        h = F.gelu(linear(norm(x, params, p + ".norm2"), params, p + ".mlp.up"), approximate="tanh")
        x = x + linear(h, params, p + ".mlp.down")
    x = norm(x, params, "norm").reshape(batch * time, c)
    return x @ (params["embed.tokens"].T if cfg["tied_head"] else params["head.weight"])  # [B·T, V]


def gpt_case(case, cfg, seed):
    batch, time = 3, 8
    gen = torch.Generator().manual_seed(seed)
    params = gpt_params(gen, cfg)
    ids = torch.randint(0, cfg["vocab"], (batch * time,), generator=gen)
    targets = torch.randint(0, cfg["vocab"], (batch * time,), generator=gen)
    logits, loss = evaluate(lambda ps: gpt_forward(ps, cfg, ids, batch, time), params, targets)
    config = dict(cfg, batch=batch, time=time)
    inputs = [("input.ids", ids), ("input.targets", targets)]
    return case, "gpt", config, inputs, logits, loss, params


BASE_GPT = {
    "vocab": 11, "context": 8, "d_model": 16, "layers": 2, "heads": 2, "mlp_ratio": 4,
    "positions": "Learned", "norm": "LayerNorm", "tied_head": False,
    "attention_scale_inv_dh": False, "attention_multiplier": 1.0, "rope_theta": 10000.0,
}


def self_test():
    """Checks rope() and attention() against independent loop formulations from the brief."""
    gen = torch.Generator().manual_seed(7)
    b, t, c, heads, theta, scale = 2, 5, 12, 3, 100.0, 0.7
    dh = c // heads
    x = torch.randn(b, t, c, generator=gen, dtype=torch.float64)
    want = x.clone()
    for pos in range(t):
        for h in range(heads):
            for i in range(dh // 2):
                a = pos * theta ** (-2.0 * i / dh)
                x1, x2 = x[:, pos, h * dh + i], x[:, pos, h * dh + i + dh // 2]
                want[:, pos, h * dh + i] = x1 * math.cos(a) - x2 * math.sin(a)
                want[:, pos, h * dh + i + dh // 2] = x1 * math.sin(a) + x2 * math.cos(a)
    assert torch.allclose(rope(x, heads, theta), want, atol=1e-12), "rope self-test"

    q, k, v = (torch.randn(b, t, c, generator=gen, dtype=torch.float64) for _ in range(3))
    want = torch.zeros(b, t, c, dtype=torch.float64)
    for n in range(b):
        for h in range(heads):
            cols = slice(h * dh, (h + 1) * dh)
            for i in range(t):
                s = torch.stack([scale * (q[n, i, cols] * k[n, j, cols]).sum() for j in range(i + 1)])
                w = torch.exp(s - s.max())
                w = w / w.sum()
                want[n, i, cols] = sum(w[j] * v[n, j, cols] for j in range(i + 1))
    assert torch.allclose(attention(q, k, v, heads, scale), want, atol=1e-12), "attention self-test"


# ---------------------------------------------------------------- output


def write_case(case, kind, config, inputs, logits, loss, params):
    arrays = list(inputs) + [("output.logits", logits), ("output.loss", loss.reshape(1))]
    arrays += [("param." + n, p) for n, p in params.items()]
    for n, p in params.items():
        if p.grad is None:
            sys.exit(f"make_goldens: {case}: parameter {n} received no gradient")
        arrays.append(("grad." + n, p.grad))
    entries, blobs, offset = [], [], 0
    for name, t in arrays:
        t = t.detach()
        if t.dtype == torch.int64:
            data, dtype = t.numpy().astype("<i4"), "int32"
        elif t.dtype == torch.float32:
            data, dtype = t.numpy().astype("<f4"), "float32"
        else:
            sys.exit(f"make_goldens: {case}: array {name} has unexpected dtype {t.dtype}")
        raw = np.ascontiguousarray(data).tobytes()
        entries.append({"name": name, "dtype": dtype, "shape": list(t.shape), "offset": offset})
        blobs.append(raw)
        offset += len(raw)
    manifest = {"format": 1, "case": case, "kind": kind, "config": config,
                "torch": torch.__version__, "arrays": entries}
    with open(os.path.join(OUT_DIR, case + ".bin"), "wb") as f:
        f.write(b"".join(blobs))
    body = json.dumps({k: v for k, v in manifest.items() if k != "arrays"}, indent=1)[:-2]
    lines = ",\n  ".join(json.dumps(e) for e in entries)
    with open(os.path.join(OUT_DIR, case + ".json"), "w") as f:
        f.write(f'{body},\n "arrays": [\n  {lines}\n ]\n}}\n')
    print(f"{case}: loss {loss.item():.6f}, {len(params)} parameters, {offset} bytes")


def main():
    torch.set_default_dtype(torch.float32)
    torch.manual_seed(0)
    torch.set_num_threads(1)
    self_test()
    os.makedirs(OUT_DIR, exist_ok=True)
    write_case(*mlp_case())
    write_case(*gpt_case("gpt_a", BASE_GPT, 2024))
    cfg_b = dict(BASE_GPT, positions="Rope", norm="RmsNorm", tied_head=True,
                 attention_scale_inv_dh=True, attention_multiplier=1.5)
    write_case(*gpt_case("gpt_b", cfg_b, 2025))


if __name__ == "__main__":
    main()
