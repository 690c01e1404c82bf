#!/usr/bin/env bash
# docs/tune.md, "Transfer across training length and batch size": the char GPT (Brown, d128 L2 H4 T64, AdamW, cosine,
# 20 warm-up steps) under μP, an lr sweep 2^-11 … 2^-4 (2 seeds) at 250, 1,000 and 4,000 steps (batch 16), and at
# batch 8, 16 and 32 (1,000 steps). Each is an ordinary stored `musharp transfer` sweep under runs/; rerunning continues.
# About 30 minutes on 2 cores. Usage: scripts/transfer-length-batch.sh
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
dir="$(mktemp -d)"
trap 'rm -rf "$dir"' EXIT
sweep() { # name steps batch
  cat > "$dir/$1.json" <<JSON
{
  "name": "$1",
  "base": { "task": "gpt", "dataset": "brown", "contextLength": 64, "layers": 2, "heads": 4, "optimizer": "adamw",
    "batchSize": $3, "decay": "cosine", "warmupSteps": 20, "logEvery": 50, "evalEvery": 100000, "evalBatches": 10,
    "finalEvalBatches": 20, "checkpointEvery": 100000 },
  "widths": [128], "baseWidth": 64,
  "lrGrid": { "min": 0.00048828125, "max": 0.0625, "factor": 2 },
  "seeds": [1, 2], "parametrizations": ["mup"], "steps": $2, "workers": 0
}
JSON
  ./musharp transfer --config "$dir/$1.json" | grep -v '^\['
}
for steps in 250 1000 4000; do sweep "length-gpt-brown-s$steps" "$steps" 16; done
for batch in 8 16 32; do sweep "batch-gpt-brown-b$batch" 1000 "$batch"; done
