#!/usr/bin/env bash
# The whole test suite, as CI runs it: installs the registry and the peers when missing,
# then formatting, lints and every test (unit, snapshot, real-registry integration, and
# real-terminal end-to-end tests of the release binary).
set -euo pipefail
cd "$(dirname "$0")/.."
log=$(mktemp)
# A step that stops the run early (set -e) still ends it with a closing line that says so.
closed=
trap 'rc=$?; rm -f "$log"; [ "$rc" -eq 0 ] || [ -n "$closed" ] || echo "tests: the run FAILED at: $step (exit $rc)"' EXIT
step="installing the test dependencies"

bash scripts/install-test-deps.sh

step="cargo fmt --check"
echo "== cargo fmt --check"
cargo fmt --check

step="cargo clippy"
echo "== cargo clippy --all-targets -- -D warnings"
cargo clippy --all-targets -- -D warnings
# The panic tests' hooks are a feature the app ships without (tests/tui_panic.rs needs it).
cargo clippy --all-targets --features panic-hooks -- -D warnings

echo "== cargo test --release (all targets)"
# Release mode: the end-to-end tests drive the release binary in a pseudo-terminal, and one
# profile means one build. Four test threads: most tests wait on a registry or a pty, and each
# registry test starts its own registry process on its own port.
step="cargo test"
status=0
RUST_TEST_THREADS=4 cargo test --release --all-targets --features panic-hooks --no-fail-fast 2>&1 | tee "$log" || status=$?

echo "== fuzz smoke (reference, manifest, store, challenge, sync file parsers)"
step="the fuzz smoke"
fuzz_status=0
bash scripts/fuzz.sh smoke || fuzz_status=$?

# One closing line for the whole run, summed over every test binary. A count of passed and
# failed tests only means something when everything was built and every test binary ran to
# its `test result:` line, so a build failure or a binary that died says so instead.
closed=1
# (`|| true`: no `test result:` line at all is a finding, not a reason to stop here.)
passed=$({ grep -Eo '^test result: .* ([0-9]+) passed' "$log" || true; } | grep -Eo '[0-9]+ passed' | awk '{s+=$1} END {print s+0}' || true)
failed=$({ grep -Eo '^test result: .* ([0-9]+) failed' "$log" || true; } | grep -Eo '[0-9]+ failed' | awk '{s+=$1} END {print s+0}' || true)
# A binary cargo reports as failed (`error: test failed, to rerun pass `--test X``) that
# printed no `test result:` line since it started (`Running ...`) died on its way: a signal,
# an abort, an exit in the middle of the run.
died=$(awk '
  /^ +Running / { done = 0; next }
  /^test result: / { done = 1; next }
  /^error: test failed, to rerun pass / && !done {
    sub(/^error: test failed, to rerun pass /, ""); gsub(/`/, ""); print
  }
' "$log")
closed=1
problems=()
if grep -Eq '^error(\[E[0-9]+\])?: could not compile|^error: failed to (compile|run custom build|load)' "$log"; then
  problems+=("the build FAILED (see the first 'error' above)")
fi
if [ -n "$died" ]; then
  problems+=("test binaries CRASHED without a result: $(echo "$died" | tr '\n' ' ')")
fi
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ] && [ "${#problems[@]}" -eq 0 ]; then
  problems+=("cargo test exited with status $status")
fi
if [ "$fuzz_status" -ne 0 ]; then
  problems+=("the fuzz smoke FAILED (see above)")
fi
if [ "${#problems[@]}" -gt 0 ]; then
  for p in "${problems[@]}"; do
    echo "tests: $p"
  done
  echo "tests: ${passed} passed, ${failed} failed in the binaries that ran; the run FAILED"
  exit 1
fi
echo "tests: ${passed} passed, ${failed} failed"
[ "$failed" -eq 0 ] || exit 1
