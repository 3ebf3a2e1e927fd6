#!/usr/bin/env bash
# Issue 7's benchmark: starts the stack on local processes (like the integration tests), drives real WebSocket
# clients, prints a Markdown table and writes benchmarks.md, benchmarks.json and benchmarks.svg.
#   scripts/bench.sh            the full run (about 10 minutes), written to docs/
#   scripts/bench.sh --quick    CI's small run (about 3 minutes), written to a temporary folder
#   --output DIR                write the files to DIR instead
#   --only KEY,KEY              run only these cases (keys as in the tables), written to a temporary folder
# Exits non-zero when a case loses frames, times out or meets errors.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/prerequisites.sh

args=()
quick=false
partial=false
output=""
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) quick=true; args+=(--quick); shift ;;
    --output) output="$2"; shift 2 ;;
    --only) args+=(--only "$2"); partial=true; shift 2 ;;
    *) echo "Usage: scripts/bench.sh [--quick] [--only KEY,KEY] [--output DIR]" >&2; exit 2 ;;
  esac
done

if [ -z "$output" ]; then
  if $quick || $partial; then output=$(mktemp -d -t reactiverest-bench-XXXXXX); else output="$PWD/docs"; fi
fi

# 10,000 WebSockets need as many descriptors in the benchmark and in the observers process.
ulimit -n 20000 2>/dev/null || ulimit -n "$(ulimit -Hn)" || true

commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
dotnet build bench/ReactiveRest.Benchmark -c Release -v q -nologo
exec dotnet run --project bench/ReactiveRest.Benchmark -c Release --no-build -- "${args[@]}" --output "$output" --commit "$commit"
