#!/usr/bin/env bash
# The whole test suite, as CI runs it: formatting, clippy (-D warnings), every Rust test in release
# mode (one profile for tests, demo and bench), then the benchmark, whose figures land in
# target/bench.json (measured, never asserted on time).
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== cargo fmt --check"
cargo fmt --all --check

echo "== cargo clippy -D warnings"
cargo clippy --release --locked --workspace --all-targets -- -D warnings

echo "== cargo test (release)"
cargo test --release --locked --workspace

echo "== zkcredit bench (figures -> target/bench.json)"
cargo run --release --locked -q -p zkcredit -- bench --json target/bench.json
