#!/usr/bin/env bash
# Install every program the tests run, on a fresh Debian/Ubuntu machine: the CNCF
# Distribution registry (`docker-registry`, run by the tests on 127.0.0.1 with their own
# config), `skopeo` and the `docker` CLI (peers that read what we push and share our store;
# `docker manifest` needs no engine), tmux (a real terminal emulator for the TUI's panic
# test) and the plain tools the tests call (curl, tar and gzip, find, env, sleep, bash, sh, and man,
# which renders the generated man page in tests/exit_codes.rs).
# Each command is checked on its own and the package that provides it installed when it is
# missing: the table below is the list (one line per command; add a line for a new tool).
# Idempotent: does nothing when everything is present. Leaves no registry service on port 5000.
set -euo pipefail

# command          Debian package
DEPS='
docker-registry    docker-registry
skopeo             skopeo
docker             docker.io
tmux               tmux
curl               curl
tar                tar
gzip               gzip
find               findutils
env                coreutils
sleep              coreutils
bash               bash
sh                 dash
man                man-db
'

have() {
    # docker-registry lives in /usr/bin, which a restricted PATH may lack.
    command -v "$1" >/dev/null 2>&1 || [ -x "/usr/bin/$1" ] || [ -x "/usr/sbin/$1" ]
}

missing=()
missing_commands=()
while read -r cmd pkg; do
    [ -n "${cmd:-}" ] || continue
    if ! have "$cmd"; then
        missing_commands+=("$cmd")
        [[ " ${missing[*]:-} " == *" $pkg "* ]] || missing+=("$pkg")
    fi
done <<<"$DEPS"

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
    echo "install-test-deps: every command the tests run is installed ($(awk 'NF {printf "%s%s", sep, $1; sep=", "}' <<<"$DEPS"))"
    stop_packaged_service
    exit 0
fi

if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "install-test-deps: missing ${missing_commands[*]}; installing ${missing[*]}"
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
    still=()
    for c in "${missing_commands[@]}"; do have "$c" || still+=("$c"); done
    if [ "${#still[@]}" -gt 0 ]; then
        echo "install-test-deps: still missing after installing: ${still[*]}" >&2
        exit 1
    fi
    echo "install-test-deps: done"
    exit 0
fi

echo "install-test-deps: missing commands: ${missing_commands[*]} (packages: ${missing[*]})" >&2
echo "Install them (Debian/Ubuntu, as root):" >&2
echo "    apt-get update && apt-get install -y ${missing[*]}" >&2
echo "or set MANIFEST_TUI_REGISTRY_BIN to a Distribution 2.8 registry binary." >&2
exit 1
