#!/usr/bin/env bash
# The README's main job: the μTransfer demo on Fashion-MNIST. Sets everything up, runs a coordinate check
# (Adam; SP, μP and spectral; widths 64…2048), then the stored sweep of configs/transfer-mlp-adam.json
# (SP vs μP vs spectral × widths 128…1024 × 8 learning rates, 300 Adam steps each, on every core), and ends with
# the summary table and the path of the HTML report. Rerunning it continues the stored sweep instead of redoing it.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
scripts/setup.sh --no-torch
run=runs/mutransfer-fashion
./musharp coord-check --widths 64,128,256,512,1024,2048 --seeds 1 --steps 3 --optimizers adamw --out "$run/coord-check"
echo "coord check: 'vs prediction' compares each slope with the parametrization's prediction (matches: within ±0.1)."
echo "  Spectral's activations rising with slope ≈ +0.30 are predicted: the input layer's scale √d_out/(√d_in + √d_out) grows with width from the fixed 784 inputs."
exec ./musharp transfer --config src/MuSharp.Cli/configs/transfer-mlp-adam.json "$@"
