#!/usr/bin/env bash
# The whole test suite, as CI runs it: the pinned Node tools (solc-js, Foundry), formatting, clippy
# (-D warnings), the Foundry side (contract sizes, committed ABI artifacts, forge tests, gas
# snapshot), the benchmark (figures in target/bench.json, measured, never asserted on time), then
# every Rust test in release mode (one profile for tests, demo and bench), including the anvil
# end-to-end test. Ends with one summary line.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p target

echo "== node tools (pinned solc-js shim, Foundry 1.7.1, forge-std)"
./scripts/setup-node-tools.sh
. scripts/foundry-env.sh
# The pinned solc 0.8.30 (the committed verifier and gas figures are its output), whatever solc
# may be on PATH.
export ZKCREDIT_SOLC="$PWD/tools/solc/solc"

echo "== cargo fmt --check"
cargo fmt --all --check

echo "== cargo clippy -D warnings"
cargo clippy --release --locked --workspace --all-targets -- -D warnings

echo "== forge: build --sizes, committed artifacts, fmt --check, test, snapshot --check, Deploy.s.sol (simulated)"
forge build --sizes
node scripts/contract-artifacts.mjs --check
forge fmt --check
forge test
forge snapshot --check
ZKCREDIT_ATTESTER=0x2c7536E3605D9C16a7a3D7b1898e529396a65c23 forge script script/forge/Deploy.s.sol >/dev/null

echo "== zkcredit bench (figures -> target/bench.json)"
cargo run --release --locked -q -p zkcredit -- bench --json target/bench.json

echo "== cargo test (release)"
cargo test --release --locked --workspace 2>&1 | tee target/test.log
awk '/^test result:/ { for (i = 1; i <= NF; i++) { if ($(i+1) ~ /^passed/) p += $i; if ($(i+1) ~ /^failed/) f += $i } }
     END { printf "tests: %d passed, %d failed\n", p, f }' target/test.log
