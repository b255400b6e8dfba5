#!/usr/bin/env bash
# Install the Node tools the tests need, from the npm registry, pinned by package-lock.json:
# solc-js 0.8.30 behind the `tools/solc/solc` shim (no native solc exists in reachable registries).
set -euo pipefail
cd "$(dirname "$0")/.."
command -v node >/dev/null || { echo "node is required (Debian: apt-get install nodejs npm)" >&2; exit 1; }
if [ ! -d tools/solc/node_modules/solc ]; then
  npm ci --prefix tools/solc --no-audit --no-fund --loglevel=error
fi
tools/solc/solc --version | tail -1
