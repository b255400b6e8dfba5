#!/usr/bin/env bash
# The demo on a fresh machine: install the pinned Node tools (solc-js and Foundry), build,
# and run `zkcredit demo` on the bundled German Credit model. Artifacts land in ${1:-zkcredit-demo};
# further arguments go to `zkcredit demo` (e.g. --rpc-url URL).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup-node-tools.sh
out="${1:-zkcredit-demo}"
shift || true
cargo run --release --locked -q -p zkcredit -- demo --out "$out" "$@"
