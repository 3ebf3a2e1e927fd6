#!/usr/bin/env bash
# Makes sure this machine can run ReactiveRest without containers: the .NET SDK, redis-server and the PostgreSQL
# server binaries; Node.js and npm, which build the TypeScript client the live board page uses; Debian's chromium,
# which the browser tests drive (nothing downloads a browser at run time). Installs what is missing with apt-get
# when run as root; otherwise says exactly what to install.
#   scripts/prerequisites.sh          everything the tests and the benchmark need
#   scripts/prerequisites.sh --run    what running the system and the README's walkthrough need: no browser
set -euo pipefail

for_tests=true
if [ "${1:-}" = "--run" ]; then
  for_tests=false
fi

missing_packages=()
command -v redis-server >/dev/null 2>&1 || missing_packages+=(redis-server)
if ! command -v postgres >/dev/null 2>&1 && ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then
  missing_packages+=(postgresql)
fi
command -v node >/dev/null 2>&1 || missing_packages+=(nodejs)
# The README's walkthrough takes tokens and ids with curl and jq.
command -v curl >/dev/null 2>&1 || missing_packages+=(curl)
command -v jq >/dev/null 2>&1 || missing_packages+=(jq)
command -v npm >/dev/null 2>&1 || missing_packages+=(npm)
# Liberation fonts, so that pages render text (chromium only recommends fonts).
if $for_tests; then
  [ -x /usr/bin/chromium ] || missing_packages+=(chromium fonts-liberation)
fi

if [ ${#missing_packages[@]} -gt 0 ]; then
  if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "Installing ${missing_packages[*]} with apt-get..."
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing_packages[@]}" >/dev/null
  else
    echo "ReactiveRest needs: ${missing_packages[*]}." >&2
    echo "Install them, e.g.: sudo apt-get install ${missing_packages[*]}" >&2
    echo "(or start Docker/Podman so that the AppHost runs Redis and PostgreSQL as containers)." >&2
    exit 1
  fi
fi

# Debian 12's Node.js 18 is the oldest that works (the client's test runner adapts its flags to the version).
node_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if [ "$node_major" -lt 18 ]; then
  echo "ReactiveRest needs Node.js 18 or later; this machine has $(node --version 2>/dev/null || echo none)." >&2
  echo "On Debian 12: sudo apt-get install nodejs npm (18.x); on older systems, a Node.js 18+ from your distribution's backports or nodejs.org." >&2
  exit 1
fi

if ! command -v dotnet >/dev/null 2>&1; then
  echo "ReactiveRest needs the .NET 10 SDK (https://dot.net); 'dotnet' is not on PATH." >&2
  exit 1
fi

# Restores the repository's local tools (dotnet-ef) for migrations.
dotnet tool restore >/dev/null

# The TypeScript client's build and test tools (TypeScriptClientTests runs its tests), from its package-lock.json.
typescript_client="$(cd "$(dirname "$0")/.." && pwd)/clients/typescript"
if [ ! -d "$typescript_client/node_modules" ]; then
  if command -v npm >/dev/null 2>&1; then
    npm ci --prefix "$typescript_client" --no-audit --no-fund >/dev/null
  else
    echo "The TypeScript client's tests need Node.js 18 or later with npm (e.g. sudo apt-get install nodejs npm)." >&2
  fi
fi
