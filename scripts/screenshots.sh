#!/usr/bin/env bash
# Regenerate screenshots/*.png from the real app against a real demo registry.
set -euo pipefail
cd "$(dirname "$0")/.."
need=()
command -v rsvg-convert >/dev/null 2>&1 || need+=(librsvg2-bin)
[ -e /usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf ] || need+=(fonts-dejavu-core)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
  else
    echo "screenshots need: apt-get install ${need[*]}" >&2
    exit 1
  fi
fi
command -v docker-registry >/dev/null 2>&1 || bash scripts/install-test-deps.sh
cargo build --release --bin manifest-tui
cargo run --release --example screenshots -- screenshots
