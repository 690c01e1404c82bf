#!/usr/bin/env bash
# docs/tune.md, "Depth drift": the char GPT (Brown, d128 fixed, 4 heads, T 64, batch 16, AdamW, 20 warm-up steps then
# cosine) under μP with base depth 2, an lr sweep 2^-10 … 2^-3 (seed 1) at L = 2 and at L = 4 and 8 under each depth
# rule (none, sqrt, complete). Each is an ordinary stored `musharp transfer` sweep under runs/depthSTEPS-RULE-LL/;
# rerunning continues. About 40 minutes on 2 cores at 1,000 steps. Usage: scripts/transfer-depth.sh [STEPS (1000)]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
steps="${1:-1000}"
dir="$(mktemp -d)"
trap 'rm -rf "$dir"' EXIT
sweep() { # rule layers
  local name="depth$steps-$1-L$2"
  cat > "$dir/$name.json" <<JSON
{
  "name": "$name",
  "base": { "task": "gpt", "dataset": "brown", "contextLength": 64, "layers": $2, "baseDepth": 2, "depth": "$1", "heads": 4,
    "optimizer": "adamw", "batchSize": 16, "decay": "cosine", "warmupSteps": 20, "logEvery": 50, "evalEvery": 100000,
    "evalBatches": 10, "finalEvalBatches": 20, "checkpointEvery": 100000 },
  "widths": [128],
  "baseWidth": 64,
  "lrGrid": { "min": 0.0009765625, "max": 0.125, "factor": 2 },
  "seeds": [1],
  "parametrizations": ["mup"],
  "steps": $steps,
  "workers": 0
}
JSON
  ./musharp transfer --config "$dir/$name.json" | grep -v '^\['
}
sweep none 2 # at the base depth every rule is the same model
for rule in none sqrt complete; do
  for layers in 4 8; do sweep "$rule" "$layers"; done
done
