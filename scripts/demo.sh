#!/usr/bin/env bash
# The demo on a fresh machine: install the pinned Node tools (solc-js, for the on-chain step), build,
# and run `zkcredit demo` on the bundled German Credit model. Artifacts land in ${1:-zkcredit-demo}.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup-node-tools.sh
cargo run --release --locked -q -p zkcredit -- demo --out "${1:-zkcredit-demo}"
