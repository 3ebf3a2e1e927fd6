#!/usr/bin/env bash
# Runs every test: fast unit and property tests, and integration tests that start the real AppHost with throwaway
# redis-server and postgres processes. Ends with one summary line: "Tests: N passed, N failed, N skipped".
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/prerequisites.sh

log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0
dotnet test --solution ReactiveRest.sln "$@" 2>&1 | tee "$log" || status=$?

# The names of failed tests, last, where a long log would otherwise bury them.
grep -E '^\s*failed ' "$log" | sed 's/^\s*/Failed test: /' || true
summary() { grep -E "^\s+$1:" "$log" | tail -1 | grep -oE '[0-9]+' || echo 0; }
echo "Tests: $(summary succeeded) passed, $(summary failed) failed, $(summary skipped) skipped"
exit "$status"
