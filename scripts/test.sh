#!/usr/bin/env bash
# The whole test suite, as CI runs it: installs the registry and the peers when missing,
# then formatting, lints and every test (unit, snapshot, real-registry integration, and
# real-terminal end-to-end tests of the release binary).
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-test-deps.sh

echo "== cargo fmt --check"
cargo fmt --check

echo "== cargo clippy --all-targets -- -D warnings"
cargo clippy --all-targets -- -D warnings

echo "== cargo test --release (all targets)"
# Release mode: the end-to-end tests drive the release binary in a pseudo-terminal, and one
# profile means one build. Four test threads: most tests wait on a registry or a pty, and each
# registry test starts its own registry process on its own port.
log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0
RUST_TEST_THREADS=4 cargo test --release --all-targets --no-fail-fast 2>&1 | tee "$log" || status=$?

echo "== fuzz smoke (reference, manifest, store, challenge parsers)"
bash scripts/fuzz.sh smoke

# One closing line for the whole run, summed over every test binary.
passed=$(grep -Eo '^test result: .* ([0-9]+) passed' "$log" | grep -Eo '[0-9]+ passed' | awk '{s+=$1} END {print s+0}')
failed=$(grep -Eo '^test result: .* ([0-9]+) failed' "$log" | grep -Eo '[0-9]+ failed' | awk '{s+=$1} END {print s+0}')
echo "tests: ${passed} passed, ${failed} failed"
exit "$status"
