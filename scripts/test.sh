#!/usr/bin/env bash
# Sets up what the tests need (OpenBLAS, datasets, NuGet; not the PyTorch peer) and runs the whole suite.
# --fast runs only the unit tests (no class marked [Trait("Category", "Slow")] or "Package"); CI runs everything.
# Ends with one plain line "N passed, N failed, N skipped" computed from the TRX results, and exits
# non-zero if any test failed or none ran.
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
filter=()
if [ "${1:-}" = "--fast" ]; then
  shift
  filter=(--filter "Category!=Slow&Category!=Package")
fi
"$root/scripts/setup.sh" --no-torch || { echo "test.sh: setup failed" >&2; exit 1; }

# The code style (.editorconfig) is checked with the whole suite; --fast skips it. A failed check counts as one failure.
format_failed=0
if [ ${#filter[@]} -eq 0 ]; then
  if ! dotnet format "$root/MuSharp.slnx" --verify-no-changes --no-restore --verbosity quiet; then
    echo "test.sh: dotnet format --verify-no-changes found changes; run 'dotnet format MuSharp.slnx' and commit them" >&2
    format_failed=1
  fi
fi

results="$root/artifacts/test-results"
rm -rf "$results"
dotnet test "$root/MuSharp.slnx" -c Release --nologo --verbosity quiet \
  --logger "trx;LogFileName=results.trx" --results-directory "$results" "${filter[@]}" "$@"
status=$?

passed=0; failed=$format_failed; skipped=0
shopt -s nullglob
for trx in "$results"/*.trx "$results"/*/*.trx; do
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -n 1)
  get() { echo "$counters" | sed -n "s/.* $1=\"\([0-9]*\)\".*/\1/p"; }
  p=$(get passed); f=$(get failed); t=$(get total); e=$(get executed)
  passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0}))
  skipped=$((skipped + ${t:-0} - ${e:-0}))
done
if [ $((passed + failed)) -eq 0 ]; then
  echo "test.sh: no test results found (build failure?)" >&2
  failed=1
fi
echo "$passed passed, $failed failed, $skipped skipped"
[ $status -eq 0 ] && [ $failed -eq 0 ]
