#!/usr/bin/env bash
# Makes docs/live-board.png (see live-board.mjs) while scripts/run.sh runs in another terminal. Needs node, npm and
# /usr/bin/chromium (scripts/prerequisites.sh installs them); playwright-core is installed into a temporary folder, no
# browser download.
set -euo pipefail
cd "$(dirname "$0")/../.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp scripts/screenshots/live-board.mjs "$work/"
(cd "$work" && npm init -y >/dev/null && npm install --silent playwright-core@1.56 >/dev/null)
node "$work/live-board.mjs" "$PWD/docs/live-board.png"
