#!/usr/bin/env bash
# The whole test suite, as CI runs it: the pinned Node tools, formatting, clippy (-D warnings), every Rust test in release
# mode (one profile for tests, demo and bench), then the benchmark, whose figures land in
# target/bench.json (measured, never asserted on time). Ends with one summary line.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p target

echo "== node tools (pinned solc-js shim)"
./scripts/setup-node-tools.sh

echo "== cargo fmt --check"
cargo fmt --all --check

echo "== cargo clippy -D warnings"
cargo clippy --release --locked --workspace --all-targets -- -D warnings

echo "== zkcredit bench (figures -> target/bench.json)"
cargo run --release --locked -q -p zkcredit -- bench --json target/bench.json

echo "== cargo test (release)"
cargo test --release --locked --workspace 2>&1 | tee target/test.log
awk '/^test result:/ { for (i = 1; i <= NF; i++) { if ($(i+1) ~ /^passed/) p += $i; if ($(i+1) ~ /^failed/) f += $i } }
     END { printf "tests: %d passed, %d failed\n", p, f }' target/test.log
