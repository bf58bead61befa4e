#!/usr/bin/env bash
# Fuzz the parsers that read untrusted input (cargo-fuzz / libFuzzer).
#
#   scripts/fuzz.sh smoke                 # CI: every target over its committed corpus (the
#                                         # same inputs every run), then FUZZ_SMOKE_RUNS
#                                         # (30000) new inputs each from the fixed seed
#                                         # FUZZ_SEED (1), in a fresh work corpus: the same
#                                         # inputs on every machine and every run, however
#                                         # busy (a count, not a time)
#   scripts/fuzz.sh replay [TARGET...]    # only the committed corpus, each input once
#   scripts/fuzz.sh long [SECONDS] [TARGET...]
#                                         # every (or the named) target for SECONDS each
#                                         # (default 600 = 10 min)
#   scripts/fuzz.sh build                 # only build the targets
#   scripts/fuzz.sh coverage TARGET       # line/region coverage of the core crate reached by the kept
#                                         # corpus (needs `rustup component add llvm-tools`)
#   scripts/fuzz.sh list                  # the target names
#
# Targets: reference, manifest, store_entry, challenge, sync_file (see fuzz/fuzz_targets/).
# Seeds come from fuzz/corpus/<target>/ (committed, never written to). What `long` finds grows
# in $FUZZ_WORK/corpus/<target>/ and is kept between runs (open-ended fuzzing); `smoke` writes
# what it finds to a temp dir removed afterwards, so no earlier run changes what it does. A
# crash stops the run with a non-zero exit, prints the input, and leaves it in
# fuzz/artifacts/<target>/.
#
# Only a stable toolchain is needed: cargo-fuzz's nightly flags are enabled with
# RUSTC_BOOTSTRAP=1. cargo-fuzz is installed (cargo install --locked) when missing.
# The build is cached outside the work tree ($FUZZ_TARGET_DIR, default
# ~/.cache/manifest-tui/fuzz-target) so a fresh clone on the same machine does not rebuild
# every dependency with coverage instrumentation.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

TARGETS=(reference manifest store_entry challenge sync_file)
MODE=${1:-smoke}
CACHE=${XDG_CACHE_HOME:-$HOME/.cache}/manifest-tui
export CARGO_TARGET_DIR=${FUZZ_TARGET_DIR:-$CACHE/fuzz-target}
FUZZ_WORK=${FUZZ_WORK:-$CACHE/fuzz-work}
export RUSTC_BOOTSTRAP=1
# -s none: the code under test is safe Rust (no sanitizer needed to see its bugs); it builds
# and runs much faster. -a: debug assertions and overflow checks stay on.
BUILD_FLAGS=(-O -a -s none --codegen-units 16)

die() {
  echo "fuzz.sh: $*" >&2
  exit 1
}

ensure_cargo_fuzz() {
  if ! cargo fuzz --version >/dev/null 2>&1; then
    echo "== installing cargo-fuzz (cargo install --locked cargo-fuzz)"
    cargo install --locked cargo-fuzz || die "could not install cargo-fuzz"
  fi
}

build() {
  ensure_cargo_fuzz
  # Resolve the fuzz workspace with the same dependency versions as the main crate.
  cp Cargo.lock fuzz/Cargo.lock
  echo "== building fuzz targets (target dir $CARGO_TARGET_DIR)"
  local t0=$SECONDS
  cargo fuzz build "${BUILD_FLAGS[@]}" || die "building the fuzz targets failed"
  echo "== built in $((SECONDS - t0)) s"
}

# run TARGET WORK_DIR LIMIT...: fuzz TARGET over its seeds, new inputs saved in WORK_DIR, for
# the libFuzzer LIMIT flags (-max_total_time=S for `long`; -seed=N -runs=M for `smoke`).
run() {
  local target=$1 work=$2
  shift 2
  local seeds="fuzz/corpus/$target"
  local log="$FUZZ_WORK/logs/$target.log"
  [ -d "$seeds" ] || die "no seed corpus $seeds"
  mkdir -p "$work" "$(dirname "$log")" "fuzz/artifacts/$target"
  echo "== fuzz $target ($*; seeds $seeds, corpus $work, log $log)"
  local rc=0
  # The first directory is where libFuzzer saves new inputs; the seeds stay read-only.
  cargo fuzz run "${BUILD_FLAGS[@]}" "$target" "$work" "$seeds" -- \
    "$@" -max_len=65536 -timeout=60 -rss_limit_mb=2048 \
    -print_final_stats=1 -artifact_prefix="$ROOT/fuzz/artifacts/$target/" \
    >"$log" 2>&1 || rc=$?
  # Progress: the last status line, and the final stats.
  grep -E '^#[0-9]+' "$log" | tail -n 1 || true
  grep -E '^stat::(number_of_executed_units|average_exec_per_sec|new_units_added|peak_rss_mb)' "$log" || true
  if [ "$rc" -ne 0 ]; then
    echo "!! fuzz target $target FAILED (exit $rc); the end of its log:" >&2
    tail -n 60 "$log" >&2
    ls -1 "fuzz/artifacts/$target/" >&2 || true
    echo "!! reproduce: RUSTC_BOOTSTRAP=1 cargo fuzz run ${BUILD_FLAGS[*]} $target fuzz/artifacts/$target/<file>" >&2
    echo "!! (this run: $*, from an empty work corpus plus $seeds)" >&2
    return 1
  fi
}

# replay TARGET: run every input of the committed corpus once, no mutation (-runs=0), so the
# outcome is the same on every machine and every run. The corpus is only read.
replay() {
  local target=$1
  local seeds="fuzz/corpus/$target"
  local log="$FUZZ_WORK/logs/$target.replay.log"
  [ -d "$seeds" ] || die "no seed corpus $seeds"
  mkdir -p "$(dirname "$log")" "fuzz/artifacts/$target"
  local n
  n=$(find "$seeds" -maxdepth 1 -type f | wc -l)
  echo "== replay $target: the $n committed inputs of $seeds (log $log)"
  local rc=0
  cargo fuzz run "${BUILD_FLAGS[@]}" "$target" "$seeds" -- \
    -runs=0 -max_len=65536 -timeout=60 -rss_limit_mb=2048 \
    -artifact_prefix="$ROOT/fuzz/artifacts/$target/" >"$log" 2>&1 || rc=$?
  grep -E '^#[0-9]+[[:space:]]+(INITED|DONE)' "$log" | tail -n 1 || true
  if [ "$rc" -ne 0 ]; then
    echo "!! fuzz target $target FAILED on its committed corpus (exit $rc); the end of its log:" >&2
    tail -n 60 "$log" >&2
    echo "!! reproduce: RUSTC_BOOTSTRAP=1 cargo fuzz run ${BUILD_FLAGS[*]} $target $seeds -- -runs=0" >&2
    return 1
  fi
}

# smoke TARGET...: build; replay each committed corpus; then FUZZ_SMOKE_RUNS inputs per target
# from the fixed seed FUZZ_SEED, new inputs kept in a fresh temp dir (removed at the end).
smoke() {
  local runs=${FUZZ_SMOKE_RUNS:-30000} seed=${FUZZ_SEED:-1} t failed=0
  [[ "$runs" =~ ^[0-9]+$ ]] || die "FUZZ_SMOKE_RUNS must be a number, got '$runs'"
  [[ "$seed" =~ ^[0-9]+$ ]] && [ "$seed" -gt 0 ] || die "FUZZ_SEED must be a positive number, got '$seed'"
  build
  for t in "$@"; do
    replay "$t" || failed=1
  done
  SMOKE_WORK=$(mktemp -d "${TMPDIR:-/tmp}/manifest-tui-fuzz-smoke.XXXXXX")
  trap 'rm -rf "$SMOKE_WORK"' EXIT
  for t in "$@"; do
    run "$t" "$SMOKE_WORK/$t" -seed="$seed" -runs="$runs" || failed=1
  done
  [ "$failed" -eq 0 ] || die "a fuzz target crashed (see above)"
  echo "== fuzz smoke: $* ran $runs inputs each from seed $seed without a crash"
}

# long SECONDS TARGET...: build, fuzz each target for SECONDS over the kept corpus in
# $FUZZ_WORK, fail if any of them crashed.
long() {
  local secs=$1 t failed=0
  shift
  build
  for t in "$@"; do
    run "$t" "$FUZZ_WORK/corpus/$t" -max_total_time="$secs" || failed=1
  done
  [ "$failed" -eq 0 ] || die "a fuzz target crashed (see above)"
  echo "== fuzz long: $* ran ${secs}s each without a crash"
}

case "$MODE" in
  list)
    printf '%s\n' "${TARGETS[@]}"
    ;;
  build)
    build
    ;;
  replay)
    shift
    chosen=("$@")
    [ ${#chosen[@]} -gt 0 ] || chosen=("${TARGETS[@]}")
    build
    failed=0
    for t in "${chosen[@]}"; do
      [[ " ${TARGETS[*]} " == *" $t "* ]] || die "unknown target '$t' (targets: ${TARGETS[*]})"
      replay "$t" || failed=1
    done
    [ "$failed" -eq 0 ] || die "a fuzz target crashed on its committed corpus (see above)"
    ;;
  smoke)
    smoke "${TARGETS[@]}"
    ;;
  long)
    secs=${2:-600}
    [[ "$secs" =~ ^[0-9]+$ ]] || die "long: SECONDS must be a number, got '$secs'"
    shift $(($# < 2 ? $# : 2))
    chosen=("$@")
    [ ${#chosen[@]} -gt 0 ] || chosen=("${TARGETS[@]}")
    for t in "${chosen[@]}"; do
      [[ " ${TARGETS[*]} " == *" $t "* ]] || die "unknown target '$t' (targets: ${TARGETS[*]})"
    done
    long "$secs" "${chosen[@]}"
    ;;
  coverage)
    t=${2:-}
    [[ " ${TARGETS[*]} " == *" $t "* ]] || die "coverage: name a target (${TARGETS[*]})"
    ensure_cargo_fuzz
    sysroot=$(rustc --print sysroot)
    llvm_cov=$(find "$sysroot/lib/rustlib" -name llvm-cov -type f | head -n 1)
    [ -n "$llvm_cov" ] || die "coverage needs llvm-cov: rustup component add llvm-tools"
    cp Cargo.lock fuzz/Cargo.lock
    cov_target="$CACHE/fuzz-cov"
    mkdir -p "$FUZZ_WORK/corpus/$t"
    echo "== coverage of $t over $FUZZ_WORK/corpus/$t and fuzz/corpus/$t"
    cargo fuzz coverage "${BUILD_FLAGS[@]}" --target-dir "$cov_target" "$t" \
      "$FUZZ_WORK/corpus/$t" "fuzz/corpus/$t" >"$FUZZ_WORK/logs/$t.coverage.log" 2>&1 ||
      die "coverage run failed; see $FUZZ_WORK/logs/$t.coverage.log"
    bin=$(find "$cov_target" -path "*/release/$t" -type f | head -n 1)
    # The files of this crate the target reaches: regions, missed regions, cover, ...
    # (llvm-cov's columns; TOTAL counts every crate linked in).
    "$llvm_cov" report "$bin" -instr-profile="fuzz/coverage/$t/coverage.profdata" |
      awk -v root="$ROOT/crates/manifest-core/src/" 'NR <= 2 || (index("/" $1, root) == 1 && $4 != "0.00%") || $1 == "TOTAL"'
    echo "== per function: $llvm_cov report -show-functions $bin -instr-profile=fuzz/coverage/$t/coverage.profdata $ROOT/crates/manifest-core/src/FILE.rs"
    ;;
  *)
    die "usage: scripts/fuzz.sh smoke | replay [TARGET...] | long [SECONDS] [TARGET...] | coverage TARGET | build | list"
    ;;
esac
