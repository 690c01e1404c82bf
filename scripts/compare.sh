#!/usr/bin/env bash
# Times the same train steps in MuSharp and in PyTorch on this machine, same threads and OpenBLAS core,
# prints a table and rewrites docs/benchmarks.md.
#
#   scripts/compare.sh [--rounds N] [--no-doc] [--cases "mlp-sgd:fp32 gpt:bf16 ..."]
#
# Environment: COMPARE_THREADS (default 2), COMPARE_CORETYPE (OpenBLAS core for both sides, default SkylakeX),
# COMPARE_OMP_WAIT_POLICY (torch's OpenMP pool, default PASSIVE; "" keeps libgomp's spinning default).
# Cases are CASE:PRECISION. An fp32 case runs PyTorch fp32 and MuSharp fp32; a bf16 case runs PyTorch bf16 autocast
# and MuSharp bf16 (its PyTorch fp32 figure comes from the fp32 case). Each run is its own process (so peak RSS is
# that case's), interleaved torch, musharp, torch, musharp... over N rounds (default 5); the table gives, per side,
# the median of the rounds' medians and the minimum over all steps, and the load average of every round.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

rounds=5
write_doc=1
cases=(mlp-sgd:fp32 mlp-adamw:fp32 gpt:fp32 gpt512:fp32 mlp-sgd:bf16 gpt:bf16 gpt512:bf16)
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) rounds="$2"; shift 2 ;;
    --no-doc) write_doc=0; shift ;;
    --cases) read -r -a cases <<< "$2"; shift 2 ;;
    -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
    *) echo "compare.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done

threads="${COMPARE_THREADS:-2}"
core="${COMPARE_CORETYPE:-SkylakeX}"
omp_wait_policy="${COMPARE_OMP_WAIT_POLICY-PASSIVE}"
torch_python=/usr/bin/python3   # Debian's interpreter: the only one that sees python3-torch

if ! "$torch_python" -c 'import torch' 2>/dev/null; then
  echo "compare.sh: PyTorch not importable by $torch_python; install it with: apt-get install -y --no-install-recommends python3-torch python3-numpy" >&2
  exit 1
fi

# Same threads and the same OpenBLAS kernels on both sides. MuSharp picks its core itself (libc setenv
# before OpenBLAS loads); MUSHARP_OPENBLAS_CORETYPE makes the choice explicit.
export OPENBLAS_CORETYPE="$core" MUSHARP_OPENBLAS_CORETYPE="$core"
export OPENBLAS_NUM_THREADS="$threads" OMP_NUM_THREADS="$threads" MUSHARP_THREADS="$threads"

echo "compare.sh: building MuSharp.Benchmarks (Release)" >&2
dotnet build benchmarks/MuSharp.Benchmarks -c Release --nologo -v quiet >&2
bench_dll="$root/benchmarks/MuSharp.Benchmarks/bin/Release/net10.0/MuSharp.Benchmarks.dll"
[ -f "$bench_dll" ] || { echo "compare.sh: $bench_dll not found after the build" >&2; exit 1; }

results="$(mktemp /tmp/musharp-compare.XXXXXX)"
trap 'rm -f "$results"' EXIT
load_start="$(cut -d' ' -f1-3 /proc/loadavg)"

# One JSON line per run; a failed run records its error so the table shows it instead of aborting.
run_case() { # side case command...
  local side="$1" name="$2"; shift 2
  local out
  if out="$("$@" 2>/tmp/musharp-compare-err.$$)" && [ -n "$out" ]; then
    echo "$out" | tail -n 1 | tee -a "$results" >&2
  else
    local err
    err="$(grep -v '^\s*at ' /tmp/musharp-compare-err.$$ | head -n 3 | tr '\n"\\' '   ')"
    echo "{\"side\": \"$side\", \"case\": \"$name\", \"error\": \"$err\"}" | tee -a "$results" >&2
  fi
  rm -f /tmp/musharp-compare-err.$$
}

round_loads=()
for round in $(seq 1 "$rounds"); do
  round_loads+=("$(cut -d' ' -f1 /proc/loadavg)")
  for spec in "${cases[@]}"; do
    name="${spec%%:*}" precision="${spec##*:}"
    echo "compare.sh: round $round/$rounds, $name $precision" >&2
    run_case torch "$name" "$torch_python" scripts/compare_torch.py "$name" --precision "$precision" --threads "$threads" \
      --coretype "$core" --omp-wait-policy "$omp_wait_policy"
    run_case musharp "$name" dotnet "$bench_dll" compare "$name" --precision "$precision"
  done
done
load_end="$(cut -d' ' -f1-3 /proc/loadavg)"

machine="$(lscpu | sed -n 's/^Model name:[[:space:]]*//p' | head -n 1)"
cpus="$(nproc)"
doc_path=""
[ "$write_doc" -eq 1 ] && doc_path="$root/docs/benchmarks.md"

CASES="${cases[*]}" ROUND_LOADS="${round_loads[*]}" RESULTS="$results" MACHINE="$machine" CPUS="$cpus" THREADS="$threads" CORE="$core" ROUNDS="$rounds" \
LOAD_START="$load_start" LOAD_END="$load_end" DOC="$doc_path" "$torch_python" - <<'PY'
import datetime
import json
import os
import statistics

rows = [json.loads(line) for line in open(os.environ["RESULTS"]) if line.strip()]
specs = [tuple(c.split(":")) for c in os.environ["CASES"].split()]
labels = {"mlp-sgd": "MLP 784-1024-1024-10, SGD m=0.9, batch 256",
          "mlp-adamw": "MLP 784-1024-1024-10, AdamW, batch 256",
          "gpt": "GPT d256 L4 H4 T128, AdamW, batch 16",
          "gpt512": "GPT d512 L4 H8 T256, AdamW, batch 8"}


def runs(side, case, precision):
    return [r for r in rows if r["side"] == side and r["case"] == case and r.get("precision", "fp32") == precision]


def summary(side, case, precision):
    """Median of the rounds' step medians and the fastest step of all rounds; None when no run succeeded."""
    ok = [r for r in runs(side, case, precision) if "median_ms" in r]
    if not ok:
        return None
    return statistics.median(r["median_ms"] for r in ok), min(r["min_ms"] for r in ok), len(ok)


def ms(s):
    return f"{s[0]:.1f} / {s[1]:.1f}" if s else "failed"


def ratio(m, t):
    return f"{m[0] / t[0]:.2f}x / {m[1] / t[1]:.2f}x" if m and t else "n/a"


table = ["| Case | precision | PyTorch fp32 ms, median / min | PyTorch bf16 autocast ms | MuSharp ms | "
         "MuSharp / PyTorch fp32 (median / min) | MuSharp / PyTorch bf16 (median / min) |",
         "|---|---|---:|---:|---:|---:|---:|"]
for case, precision in specs:
    t32 = summary("torch", case, "fp32")
    tb = summary("torch", case, "bf16") if precision == "bf16" else None
    m = summary("musharp", case, precision)
    table.append(f"| {labels[case]} | {precision} | {ms(t32)} | {ms(tb) if precision == 'bf16' else ''} | {ms(m)} | "
                 f"{ratio(m, t32)} | {ratio(m, tb) if precision == 'bf16' else ''} |")

memory = ["| Case | Side | RSS before first step (MiB) | Peak RSS (MiB) | Peak - before (MiB) | MuSharp / PyTorch peak |",
          "|---|---|---:|---:|---:|---:|"]
for case in [c for c in ("gpt", "gpt512") if (c, "fp32") in specs]:
    peaks = {}
    for side, title in [("torch", "PyTorch"), ("musharp", "MuSharp")]:
        ok = [r for r in runs(side, case, "fp32") if "peak_rss_mib" in r]
        if ok:
            r = max(ok, key=lambda r: r["peak_rss_mib"])  # the largest peak seen over the rounds
            peaks[side] = r["peak_rss_mib"]
            rel = f"{peaks['musharp'] / peaks['torch']:.2f}x" if side == "musharp" and "torch" in peaks else ""
            memory.append(f"| {labels[case]} | {title} | {r['rss_before_mib']:.0f} | {r['peak_rss_mib']:.0f} | "
                          f"{r['peak_rss_mib'] - r['rss_before_mib']:.0f} | {rel} |")
        else:
            memory.append(f"| {labels[case]} | {title} | failed | failed | | |")


def describe(side, precision):
    r = next((r for r in rows if r["side"] == side and r.get("precision", "fp32") == precision and "core" in r), None)
    if r is None:
        return "no successful run"
    omp = f", OMP_WAIT_POLICY {r['omp_wait_policy']}" if "omp_wait_policy" in r else ""
    return f"{r['backend']} (framework threads {r['threads']}{omp}), {r['version']}"


errors = [f"- {r['side']} {r['case']}: {r['error']}" for r in rows if "error" in r]
cores = [f"- PyTorch {p}: {describe('torch', p)}" for p in ("fp32", "bf16")] + \
        [f"- MuSharp {p}: {describe('musharp', p)}" for p in ("fp32", "bf16")]
loads = os.environ["ROUND_LOADS"].split()

print()
print("\n".join(table))
print()
print("Load average (1 min) at the start of each round: " + ", ".join(loads))
print()
print("GPT step memory:")
print("\n".join(memory))
print()
print("\n".join(cores))
if errors:
    print("Failed runs:")
    print("\n".join(errors))

doc = os.environ["DOC"]
if doc:
    now = datetime.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")
    os.makedirs(os.path.dirname(doc), exist_ok=True)
    # Measurements the script does not make (the step ledger, the GEMM table) live below a marker and are kept.
    marker = "<!-- compare.sh keeps everything below this line -->"
    kept = ""
    if os.path.exists(doc):
        old = open(doc).read()
        if marker in old:
            kept = old[old.index(marker):]
    with open(doc, "w") as f:
        f.write(f"""# MuSharp vs PyTorch: train-step benchmarks

Generated by `scripts/compare.sh` on {now}. Do not edit by hand; rerun the script.

- Machine: {os.environ['MACHINE']}, {os.environ['CPUS']} cores; both sides use {os.environ['THREADS']} threads and the OpenBLAS core type {os.environ['CORE']}.
{chr(10).join(cores)}
- Load average (1, 5, 15 min) at start: {os.environ['LOAD_START']}; at end: {os.environ['LOAD_END']}; 1-minute load at the
  start of each round: {", ".join(loads)}. This machine is shared with builds and tests of other work, so single
  runs are noisy: each case ran {os.environ['ROUNDS']} times per side, interleaved (PyTorch, MuSharp, PyTorch, MuSharp, ...).

## Time per train step

A step is forward + backward + optimizer step + zero grad (gradient buffers are cleared, not freed, on both sides).
Each run times its steps after warmup (MLP: 5 warmup, 30 timed; GPT: 5 warmup, 10 timed). "median" is the median
over the rounds of each run's median step; "min" is the fastest single step of all rounds. A wide gap between the two
means contention from other processes (or a side's own threads and garbage collector). Lower is better; a ratio above
1 means MuSharp is slower. bf16 rows: PyTorch under `torch.autocast("cpu", dtype=torch.bfloat16)` (its oneDNN bf16
GEMMs), MuSharp with `Precision.Bf16` (oneDNN `dnnl_gemm_bf16bf16f32`); both keep fp32 weights, optimizer state and
loss; the PyTorch fp32 column repeats that case's fp32 figure. MuSharp's forward runs inside `Tape.ReuseActivations()`
(op outputs recycled across steps, docs/engine.md); `compare CASE --no-reuse` turns that off.

{chr(10).join(table)}

## Peak memory of the GPT steps (fp32)

Each side's GPT case runs in its own process. "Before" is the resident set after building the model, optimizer and
data, before the first step; "peak" is VmHWM from `/proc/self/status` at the end (both sides read the same field).
The PyTorch process includes the interpreter and libtorch; the MuSharp one the .NET runtime and a GC heap.

{chr(10).join(memory)}
{("## Failed runs" + chr(10) + chr(10) + chr(10).join(errors) + chr(10)) if errors else ""}
## What is compared

Identical shapes, data sizes and optimizer settings on both sides (fixed seeds, random inputs and labels):

1. MLP 784-1024-1024-10 with ReLU and biases, batch 256, mean cross-entropy. SGD (lr 0.01, momentum 0.9) and
   AdamW (lr 1e-3, weight decay 0.01 on matrices only) timed separately.
2. Character GPT: vocabulary 96, d_model 256, 4 layers, 4 heads, context 128, batch 16; pre-norm LayerNorm, learned
   positions, untied head, GELU (tanh form) MLP with ratio 4, bias-free q/k/v/proj/up/down linears; AdamW
   (lr 3e-4, weight decay 0.01 on matrices and embeddings, none on gains and biases).
3. The same GPT at d_model 512, 8 heads, context 256, batch 8 (also 2048 tokens per step), where GEMMs dominate.

The PyTorch models (`scripts/compare_torch.py`) mirror `src/MuSharp/Nn`: weights are stored [fan_in, fan_out] and
applied as `x @ W` (`torch.addmm` where there is a bias). PyTorch 1.13 has no fused scaled-dot-product attention,
so its attention is written out on [B, H, T, Dh] views: `scores = q @ k.transpose(-2, -1) * scale`, then
`scores.masked_fill(mask, -inf)` above the diagonal, `F.softmax(scores, -1) @ v`. MuSharp uses its `Ops.CausalSelfAttention`. PyTorch's own element-wise
kernels run with its AVX2 code path (`torch.__config__.show()`). PyTorch's fp32 GEMMs go to OpenBLAS; MuSharp's to
the backend it picks by default (oneDNN `dnnl_sgemm` when `libdnnl2` is installed, named in the list above).

PyTorch runs with `OMP_WAIT_POLICY=PASSIVE` (`COMPARE_OMP_WAIT_POLICY` changes it). Debian's torch has its own
OpenMP pool beside OpenBLAS's pthreads; with libgomp's default spinning policy the idle OpenMP threads compete with
OpenBLAS for the 2 cores and every step takes about twice as long (measured here: GPT 900-980 ms against 450 ms,
MLP SGD 52-56 ms against 21 ms). The table uses the faster setting so the peer is not handicapped.

MuSharp's peak RSS is mostly garbage-collector headroom, not live data: the .NET GC (workstation, default
settings) lets the heap grow before collecting. With `DOTNET_GCHeapHardLimit=0x20000000` (512 MiB) the same GPT step
peaked at 562 MiB at unchanged speed (measured once, not part of the table).

## Reproduce

```sh
apt-get install -y --no-install-recommends python3-torch python3-numpy   # PyTorch peer, Debian's /usr/bin/python3
scripts/compare.sh                 # 5 interleaved rounds of every case, rewrites this file
scripts/compare.sh --rounds 8      # more rounds on a busy machine
scripts/compare.sh --no-doc --rounds 3 --cases "gpt:fp32 gpt:bf16"   # a subset, table only
COMPARE_CORETYPE=Haswell scripts/compare.sh --no-doc   # both sides on the AVX2 kernels, table only
```

Single cases: `/usr/bin/python3 scripts/compare_torch.py gpt512 --precision bf16` and
`dotnet run -c Release --project benchmarks/MuSharp.Benchmarks -- compare gpt512 --precision bf16` (one JSON line each).
BenchmarkDotNet versions of the MuSharp steps, with allocation counts: `TrainStepBenchmarks` (MLP SGD step,
GPT AdamW step) and `AttentionBenchmarks` (causal attention forward, and forward + backward at B=16, T=128,
C=256, H=4) in `benchmarks/MuSharp.Benchmarks`.
""")
        if kept:
            f.write("\n" + kept)
    print(f"\nwrote {doc}")
PY
