#!/usr/bin/env bash
# The README's main job: set everything up, then train the MLP on Fashion-MNIST for one epoch
# and print its test accuracy. Extra arguments are passed to `musharp train` (e.g. --name other).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
scripts/setup.sh --no-torch
name="mlp-fashion-$(date +%Y%m%d-%H%M%S)"
exec ./musharp train --config src/MuSharp.Cli/configs/mlp-fashion.json --name "$name" "$@"
