#!/usr/bin/env bash
# Install the Node tools the tests need, from the npm registry, pinned by package-lock.json files:
# - solc-js 0.8.30 behind the `tools/solc/solc` shim (no native solc exists in reachable registries);
# - Foundry 1.7.1 (forge, anvil, cast: the native binaries of the @foundry-rs/*-linux-amd64
#   packages) and forge-std 1.9.7 (from @layerzerolabs/toolbox-foundry; `forge install` needs GitHub).
# Prints where the binaries are; scripts/foundry-env.sh puts them on PATH.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v node >/dev/null || { echo "node is required (Debian: apt-get install nodejs npm)" >&2; exit 1; }
if [ ! -d tools/solc/node_modules/solc ]; then
  npm ci --prefix tools/solc --no-audit --no-fund --loglevel=error
fi
tools/solc/solc --version | tail -1
if [ ! -d tools/foundry/node_modules/@layerzerolabs/toolbox-foundry/lib/forge-std ]; then
  npm ci --prefix tools/foundry --no-audit --no-fund --loglevel=error
fi
for tool in forge anvil cast; do
  bin="tools/foundry/node_modules/@foundry-rs/$tool-linux-amd64/bin/$tool"
  if [ ! -x "$bin" ]; then
    echo "$bin is missing: npm did not install @foundry-rs/$tool-linux-amd64 (this project pins the linux-amd64 binaries)" >&2
    exit 1
  fi
  "$bin" --version | head -1
done
