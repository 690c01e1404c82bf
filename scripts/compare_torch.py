#!/usr/bin/python3
"""PyTorch side of the MuSharp comparison (scripts/compare.sh runs it).

Times one train step (forward + backward + optimizer step + zero grad) of the same models that
benchmarks/MuSharp.Benchmarks/Compare.cs builds in MuSharp, and prints one JSON line per case:

    {"side": "torch", "case": "mlp-sgd", "median_ms": ..., "min_ms": ..., "warmup": 5, "steps": 30,
     "threads": 2, "blas_threads": 2, "core": "SkylakeX", "backend": "OpenBLAS 0.3.21 SkylakeX, 2 threads", "rss_before_mib": ..., "peak_rss_mib": ..., ...}

Usage: /usr/bin/python3 scripts/compare_torch.py CASE [--precision fp32|bf16] [--threads N] [--coretype NAME]
                                                       [--omp-wait-policy P]
CASE is mlp-sgd, mlp-adamw, gpt (d256 L4 H4 T128 b16) or gpt512 (d512 L4 H8 T256 b8). Run each case in its own
process so peak RSS belongs to that case. --precision bf16 runs the forward (and so the backward) under
torch.autocast("cpu", dtype=torch.bfloat16): GEMMs in bf16 through PyTorch's oneDNN, fp32 master weights, the loss
in fp32, as MuSharp's Precision.Bf16.
Debian's python3-torch 1.13 is only visible to Debian's interpreter, hence /usr/bin/python3.
"""

import argparse
import ctypes
import json
import math
import os
import statistics
import sys
import time


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("case", choices=["mlp-sgd", "mlp-adamw", "gpt", "gpt512"])
    parser.add_argument("--precision", choices=["fp32", "bf16"], default="fp32")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--coretype", default="SkylakeX", help="OPENBLAS_CORETYPE to force (default SkylakeX)")
    parser.add_argument("--omp-wait-policy", default="PASSIVE",
                        help="OMP_WAIT_POLICY for torch's OpenMP pool (default PASSIVE, see below)")
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--steps", type=int, default=0, help="timed steps (default 30 for MLP, 10 for GPT)")
    return parser.parse_args()


ARGS = parse_args()

# OpenBLAS reads these once, when the library loads, so they must be set before importing torch.
os.environ["OPENBLAS_CORETYPE"] = ARGS.coretype
os.environ["OPENBLAS_NUM_THREADS"] = str(ARGS.threads)
os.environ["OMP_NUM_THREADS"] = str(ARGS.threads)
# torch runs its own OpenMP pool beside OpenBLAS's pthreads. With libgomp's default (spinning) wait policy the
# idle OpenMP threads keep both cores busy while OpenBLAS works, and every step takes about twice as long on
# 2 cores (measured: GPT 900-980 ms vs 450 ms, MLP SGD 52-56 ms vs 21 ms). PASSIVE makes them sleep.
if ARGS.omp_wait_policy:
    os.environ["OMP_WAIT_POLICY"] = ARGS.omp_wait_policy

import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

torch.set_num_threads(ARGS.threads)


def proc_status_mib(field):
    """VmRSS / VmHWM (peak RSS) of this process in MiB, from /proc/self/status."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024.0
    return float("nan")


def openblas_core():
    """The OpenBLAS kernel set torch's BLAS actually loaded, read from the library itself."""
    with open("/proc/self/maps") as f:
        paths = {line.split()[-1] for line in f if "libopenblas" in line}
    for path in sorted(paths):
        try:
            lib = ctypes.CDLL(path)
            lib.openblas_get_corename.restype = ctypes.c_char_p
            lib.openblas_get_config.restype = ctypes.c_char_p
            lib.openblas_get_num_threads.restype = ctypes.c_int
            version = " ".join(lib.openblas_get_config().decode().split()[:2])
            return lib.openblas_get_corename().decode(), lib.openblas_get_num_threads(), version
        except (OSError, AttributeError):
            continue
    return "unknown", 0, "OpenBLAS not found"


# Modules mirroring src/MuSharp/Nn: weights stored [fan_in, fan_out], y = x @ W (+ b).

class Linear(torch.nn.Module):
    def __init__(self, fan_in, fan_out, bias=True, std=None):
        super().__init__()
        std = 1.0 / math.sqrt(fan_in) if std is None else std
        self.weight = torch.nn.Parameter(torch.randn(fan_in, fan_out) * std)
        self.bias = torch.nn.Parameter(torch.zeros(fan_out)) if bias else None

    def forward(self, x):
        if self.bias is None:
            return x @ self.weight
        if x.dim() == 2:
            return torch.addmm(self.bias, x, self.weight)
        return x @ self.weight + self.bias


class Mlp(torch.nn.Module):
    """784-1024-1024-10 with ReLU between layers, as MuSharp.Nn.MlpClassifier."""

    def __init__(self, sizes):
        super().__init__()
        self.layers = torch.nn.ModuleList(Linear(a, b) for a, b in zip(sizes[:-1], sizes[1:]))

    def forward(self, x):
        for i, layer in enumerate(self.layers):
            x = layer(x)
            if i + 1 < len(self.layers):
                x = F.relu(x)
        return x


class LayerNorm(torch.nn.Module):
    def __init__(self, dim, eps=1e-5):
        super().__init__()
        self.gain = torch.nn.Parameter(torch.ones(dim))
        self.bias = torch.nn.Parameter(torch.zeros(dim))
        self.eps = eps

    def forward(self, x):
        return F.layer_norm(x, (x.shape[-1],), self.gain, self.bias, self.eps)


class CausalSelfAttention(torch.nn.Module):
    """Explicit attention (torch 1.13 has no fused SDPA): softmax(scale q kᵀ + causal mask) v per head."""

    def __init__(self, d_model, heads):
        super().__init__()
        self.heads = heads
        self.scale = 1.0 / math.sqrt(d_model // heads)
        self.q = Linear(d_model, d_model, bias=False)
        self.k = Linear(d_model, d_model, bias=False)
        self.v = Linear(d_model, d_model, bias=False)
        self.proj = Linear(d_model, d_model, bias=False)

    def forward(self, x):  # [B, T, C]
        b, t, c = x.shape
        h, dh = self.heads, c // self.heads

        def split(y):  # [B, T, C] -> [B, H, T, Dh]
            return y.view(b, t, h, dh).transpose(1, 2)

        q, k, v = split(self.q(x)), split(self.k(x)), split(self.v(x))
        scores = (q @ k.transpose(-2, -1)) * self.scale  # [B, H, T, T]
        mask = torch.ones(t, t, dtype=torch.bool).triu(1)
        scores = scores.masked_fill(mask, float("-inf"))
        y = F.softmax(scores, dim=-1) @ v  # [B, H, T, Dh]
        y = y.transpose(1, 2).reshape(b, t, c)
        return self.proj(y)


class Block(torch.nn.Module):
    def __init__(self, d_model, heads, mlp_ratio):
        super().__init__()
        self.norm1 = LayerNorm(d_model)
        self.attn = CausalSelfAttention(d_model, heads)
        self.norm2 = LayerNorm(d_model)
        self.up = Linear(d_model, mlp_ratio * d_model, bias=False)
        self.down = Linear(mlp_ratio * d_model, d_model, bias=False)

    def forward(self, x):
        x = x + self.attn(self.norm1(x))
        return x + self.down(F.gelu(self.up(self.norm2(x)), approximate="tanh"))


class Gpt(torch.nn.Module):
    """Pre-norm GPT as MuSharp.Nn.Gpt: learned positions, LayerNorm, untied head, bias-free linears."""

    def __init__(self, vocab, context, d_model, layers, heads, mlp_ratio):
        super().__init__()
        self.tokens = torch.nn.Parameter(torch.randn(vocab, d_model) * 0.02)
        self.positions = torch.nn.Parameter(torch.randn(context, d_model) * 0.02)
        self.blocks = torch.nn.ModuleList(Block(d_model, heads, mlp_ratio) for _ in range(layers))
        self.norm = LayerNorm(d_model)
        self.head = Linear(d_model, vocab, bias=False, std=0.02)

    def forward(self, ids):  # [B, T] -> logits [B·T, V]
        b, t = ids.shape
        x = F.embedding(ids, self.tokens) + self.positions[:t]
        for block in self.blocks:
            x = block(x)
        x = self.norm(x).reshape(b * t, -1)
        return self.head(x)


def adamw(model, lr):
    """AdamW with decay on matrices and embeddings only, as MuSharp's Optimizer.Decays."""
    decay = [p for p in model.parameters() if p.dim() >= 2]
    no_decay = [p for p in model.parameters() if p.dim() < 2]
    return torch.optim.AdamW([{"params": decay, "weight_decay": 0.01},
                              {"params": no_decay, "weight_decay": 0.0}], lr=lr)


def build(case):
    """Model, optimizer and a closure computing the loss on fixed random data."""
    gen = torch.Generator().manual_seed(0)
    torch.manual_seed(0)
    if case.startswith("mlp"):
        model = Mlp([784, 1024, 1024, 10])
        x = torch.randn(256, 784, generator=gen)
        labels = torch.randint(0, 10, (256,), generator=gen)
        opt = (torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9) if case == "mlp-sgd"
               else adamw(model, 1e-3))
        return model, opt, lambda: F.cross_entropy(model(x), labels)
    d_model, heads, context, batch = (256, 4, 128, 16) if case == "gpt" else (512, 8, 256, 8)
    model = Gpt(vocab=96, context=context, d_model=d_model, layers=4, heads=heads, mlp_ratio=4)
    ids = torch.randint(0, 96, (batch, context), generator=gen)
    targets = torch.randint(0, 96, (batch * context,), generator=gen)
    return model, adamw(model, 3e-4), lambda: F.cross_entropy(model(ids), targets)


def main():
    case = ARGS.case
    steps = ARGS.steps or (10 if case.startswith("gpt") else 30)
    model, opt, loss_fn = build(case)
    core, blas_threads, blas_version = openblas_core()
    rss_before = proc_status_mib("VmRSS")

    def step():
        if ARGS.precision == "bf16":
            with torch.autocast("cpu", dtype=torch.bfloat16):
                loss = loss_fn()
        else:
            loss = loss_fn()
        loss.backward()
        opt.step()
        opt.zero_grad(set_to_none=False)  # keep the buffers, as MuSharp's ZeroGrad does
        return loss.item()

    for _ in range(ARGS.warmup):
        step()
    times = []
    loss = float("nan")
    for _ in range(steps):
        start = time.perf_counter()
        loss = step()
        times.append((time.perf_counter() - start) * 1000.0)

    print(json.dumps({
        "side": "torch",
        "case": case,
        "precision": ARGS.precision,
        "median_ms": round(statistics.median(times), 3),
        "min_ms": round(min(times), 3),
        "warmup": ARGS.warmup,
        "steps": steps,
        "threads": torch.get_num_threads(),
        "blas_threads": blas_threads,
        "core": core,
        "omp_wait_policy": os.environ.get("OMP_WAIT_POLICY", "default"),
        "backend": (f"oneDNN (torch.autocast bf16, mkldnn {torch.backends.mkldnn.is_available()})"
                    if ARGS.precision == "bf16" else
                    f"{blas_version} {core}, {blas_threads} thread{'s' if blas_threads != 1 else ''}"),
        "rss_before_mib": round(rss_before, 1),
        "peak_rss_mib": round(proc_status_mib("VmHWM"), 1),
        "params": sum(p.numel() for p in model.parameters()),
        "loss": round(loss, 4),
        "loadavg": open("/proc/loadavg").read().split()[:3],
        "version": "torch " + torch.__version__,
    }))
    sys.stdout.flush()


if __name__ == "__main__":
    main()
