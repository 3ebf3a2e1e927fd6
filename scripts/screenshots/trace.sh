#!/usr/bin/env bash
# Makes docs/trace.png (see trace.mjs) while `ASPIRE_DASHBOARD_UNSECURED_ALLOW_ANONYMOUS=true scripts/run.sh` runs in
# another terminal (only for the screenshot: the dashboard otherwise asks for its login token). Needs node, npm and
# /usr/bin/chromium (apt-get install chromium); playwright-core is installed into a temporary folder, no browser download.
set -euo pipefail
cd "$(dirname "$0")/../.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp scripts/screenshots/trace.mjs "$work/"
(cd "$work" && npm init -y >/dev/null && npm install --silent playwright-core@1.56 ws@8 >/dev/null)
node "$work/trace.mjs" "$PWD/docs/trace.png"
