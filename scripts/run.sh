#!/usr/bin/env bash
# Runs the whole system: the Aspire dashboard, the API, the observers, Redis and PostgreSQL.
# Prints the dashboard's login URL (…/login?t=<token>) once it listens; stop with Ctrl+C.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/prerequisites.sh --run
exec dotnet run --project ReactiveRest.AppHost --launch-profile http "$@"
