#!/usr/bin/env bash
# Run the demo: a real local registry seeded with sample multi-arch images, and the TUI on it.
# Installs the registry (Debian package docker-registry) when it is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v docker-registry >/dev/null 2>&1 && [ -z "${MANIFEST_TUI_REGISTRY_BIN:-}" ]; then
  bash scripts/install-test-deps.sh
fi
cargo build --release --bin manifest-tui
exec target/release/manifest-tui demo "$@"
