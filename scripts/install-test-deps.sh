#!/usr/bin/env bash
# Install what the integration tests need: the CNCF Distribution registry (`docker-registry`,
# run by the tests on 127.0.0.1 with their own config), `skopeo` and the `docker` CLI (peers
# that read what we push and share our store; `docker manifest` needs no engine), and tmux
# (a real terminal emulator for the TUI's panic test).
# Idempotent: does nothing when both are present. Leaves no registry service on port 5000.
set -euo pipefail

missing=()
command -v docker-registry >/dev/null 2>&1 || [ -x /usr/bin/docker-registry ] || missing+=(docker-registry)
command -v skopeo >/dev/null 2>&1 || missing+=(skopeo)
command -v docker >/dev/null 2>&1 || missing+=(docker.io)
command -v tmux >/dev/null 2>&1 || missing+=(tmux)
# man -l renders the generated man page (tests/exit_codes.rs); man-db pulls in groff-base.
command -v man >/dev/null 2>&1 || missing+=(man-db)

stop_packaged_service() {
    # The Debian package starts a `docker-registry` service on :5000; the tests start their own.
    if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
        systemctl stop docker-registry.service >/dev/null 2>&1 || true
        systemctl disable docker-registry.service >/dev/null 2>&1 || true
    fi
    if command -v service >/dev/null 2>&1; then
        service docker-registry stop >/dev/null 2>&1 || true
    fi
    if [ -x /etc/init.d/docker-registry ]; then
        /etc/init.d/docker-registry stop >/dev/null 2>&1 || true
    fi
}

if [ "${#missing[@]}" -eq 0 ]; then
    echo "install-test-deps: docker-registry, skopeo, docker and tmux are installed"
    stop_packaged_service
    exit 0
fi

if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "install-test-deps: installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    # Keep the package's service from being started during installation, where possible.
    policy=/usr/sbin/policy-rc.d
    created_policy=0
    if [ ! -e "$policy" ]; then
        printf '#!/bin/sh\nexit 101\n' > "$policy" && chmod +x "$policy" && created_policy=1
    fi
    status=0
    { apt-get update -q && apt-get install -y -q --no-install-recommends "${missing[@]}"; } || status=$?
    if [ "$created_policy" -eq 1 ]; then rm -f "$policy"; fi
    stop_packaged_service
    if [ "$status" -ne 0 ]; then
        echo "install-test-deps: apt-get failed (exit $status)" >&2
        exit "$status"
    fi
    echo "install-test-deps: done"
    exit 0
fi

echo "install-test-deps: missing: ${missing[*]}" >&2
echo "Install them (Debian/Ubuntu, as root):" >&2
echo "    apt-get update && apt-get install -y ${missing[*]}" >&2
echo "or set MANIFEST_TUI_REGISTRY_BIN to a Distribution 2.8 registry binary." >&2
exit 1
