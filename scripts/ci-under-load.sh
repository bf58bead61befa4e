#!/usr/bin/env bash
# Run CI's command the way CI does, but harder: in a fresh clone of HEAD, with an empty HOME
# (so no ~/.docker, no ~/.cache: every cache the suite keeps starts empty) and CPU-bound
# processes keeping the machine busy, RUNS times in a row. Each run's log and exit code are
# kept; the script exits non-zero if any run failed.
#
#   scripts/ci-under-load.sh [RUNS] [HOGS]      # defaults: 3 runs, 2 busy loops
#
# KEEP_TARGET=1: every clone is made at the same path and the first run's cargo target dir is
# moved into the next clone (the build is then incremental; the tests, HOME and every cache
# the suite keeps under HOME still start fresh). The first run is always a clean build.
#
# The toolchain and the crates.io download cache stay where rustup and cargo keep them
# (CARGO_HOME, RUSTUP_HOME): they are the machine's, not the user's cache.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-3}
hogs=${2:-2}
src=$PWD
work=$(mktemp -d /tmp/ci-under-load.XXXXXX)
export CARGO_HOME=${CARGO_HOME:-$HOME/.cargo}
export RUSTUP_HOME=${RUSTUP_HOME:-$HOME/.rustup}

pids=()
stop_hogs() { [ "${#pids[@]}" -eq 0 ] || kill "${pids[@]}" 2>/dev/null || true; }
trap stop_hogs EXIT
for _ in $(seq "$hogs"); do
  sh -c 'while :; do :; done' &
  pids+=($!)
done

failed=0
for i in $(seq "$runs"); do
  if [ "${KEEP_TARGET:-0}" = 1 ]; then clone=$work/clone; else clone=$work/run$i; fi
  git clone -q "$src" "$clone"
  [ ! -d "$work/target" ] || mv "$work/target" "$clone/target"
  mkdir -p "$work/home$i"
  start=$SECONDS
  rc=0
  (cd "$clone" && env -i PATH="$PATH" HOME="$work/home$i" CARGO_HOME="$CARGO_HOME" \
    RUSTUP_HOME="$RUSTUP_HOME" CI=true TERM=dumb bash .ci/run </dev/null) \
    >"$work/run$i.log" 2>&1 || rc=$?
  echo "run $i: exit $rc in $((SECONDS - start)) s, with $hogs busy loops; last line: $(tail -n 1 "$work/run$i.log")"
  [ "$rc" -eq 0 ] || failed=1
  # The clone's build is large; keep only the log (and, with KEEP_TARGET, the target dir).
  [ "${KEEP_TARGET:-0}" != 1 ] || [ ! -d "$clone/target" ] || mv "$clone/target" "$work/target"
  rm -rf "$clone"
done
echo "logs in $work"
exit "$failed"
