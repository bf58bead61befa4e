#!/usr/bin/env bash
# The speed benchmark: manifest-tui against `docker manifest` through a TCP delay
# proxy (25 ms one way by default) in front of a local Distribution registry.
#
#   scripts/bench.sh                      # 5 runs per tool and operation, table on stdout
#   scripts/bench.sh --runs 3 --delay-ms 50
#   scripts/bench.sh --json > bench.json  # every run, counters and request log
#   scripts/bench.sh --help
#
# Needs the registry binary (`apt-get install docker-registry`, or MANIFEST_TUI_REGISTRY_BIN);
# the docker CLI is optional (without it only manifest-tui is measured).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --bins >&2
exec target/release/mt-bench "$@"
