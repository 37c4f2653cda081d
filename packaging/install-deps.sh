#!/usr/bin/env bash
# Installs the Debian 12 packages gotriage needs.
#
#   packaging/install-deps.sh                 build and run gotriage
#   packaging/install-deps.sh --test          also everything the test suite needs
#   packaging/install-deps.sh --list [--test] print the package list, install nothing
#                                             (packaging/check-deps.sh reads it)
#
# Idempotent: when every package is already installed it touches nothing (and
# needs no network). Uses sudo when not root. Packages are installed with
# --no-install-recommends, and no system service is started or left running.
set -euo pipefail

# Build and run: the compiler toolchain and the libraries gotriage links.
run_packages=(
    cmake ninja-build g++ ccache pkg-config
    # qt6-httpserver-dev needs Qt6WebSockets' CMake config but does not
    # depend on its -dev package (packaging/check-deps.sh catches such gaps).
    qt6-base-dev qt6-httpserver-dev qt6-websockets-dev libgl-dev libqcustomplot-dev
    # Charts exported as SVG.
    qt6-svg-dev
    nlohmann-json3-dev zlib1g-dev libcurl4-openssl-dev
    # libcurl's TLS library, whose per-thread state our threads release.
    libssl-dev
    libprotobuf-dev protobuf-compiler
    # Action credentials from the desktop keychain (Secret Service).
    qtkeychain-qt6-dev
    # Recordings: one SQLite file.
    libsqlite3-dev
    # The desktop icon's PNG sizes, rendered from its SVG at build time, and
    # the man pages compressed (gzip is always there; listed because the
    # build looks it up).
    librsvg2-bin gzip
)
# Test only: the sanitizer toolchain, a headless X server, the Go toolchain
# and Prometheus' Go libraries for the lab, and real Go servers nobody here
# wrote that the integration tests watch (Prometheus, etcd, node-exporter).
test_packages=(
    clang libclang-rt-14-dev
    xvfb xauth openssl
    golang-go golang-github-prometheus-common-dev golang-github-prometheus-client-golang-dev
    prometheus etcd-server etcd-client prometheus-node-exporter
    # A real Secret Service for the keychain test, in a private D-Bus session.
    dbus-bin gnome-keyring libsecret-tools
    # ip: the dead-fleet test blackholes an address range in its own network namespace.
    iproute2
    # The .deb (packaging/check-package.sh): dpkg-shlibdeps for its Depends,
    # the desktop entry and AppStream validators, man and the MIME database
    # the installed package is checked against.
    dpkg-dev desktop-file-utils appstream man-db shared-mime-info
)

want=("${run_packages[@]}")
list_only=false
for arg in "$@"; do
    case "$arg" in
        --test) want+=("${test_packages[@]}") ;;
        --list) list_only=true ;;
        *) echo "usage: $0 [--list] [--test]" >&2; exit 2 ;;
    esac
done
if $list_only; then
    printf '%s\n' "${want[@]}"
    exit 0
fi

missing=()
for pkg in "${want[@]}"; do
    status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
    [[ "$status" == "install ok installed" ]] || missing+=("$pkg")
done
if [[ ${#missing[@]} -eq 0 ]]; then
    echo "install-deps: all ${#want[@]} packages present"
    exit 0
fi

sudo=()
if [[ $(id -u) -ne 0 ]]; then
    sudo=(sudo)
fi

# Forbid maintainer scripts from starting services (Prometheus, etcd ...)
# for the duration of the install; restore whatever policy was there before.
policy=/usr/sbin/policy-rc.d
saved_policy=""
if [[ -e $policy ]]; then
    saved_policy=$(mktemp)
    "${sudo[@]}" cp -p "$policy" "$saved_policy"
fi
restore_policy() {
    if [[ -n "$saved_policy" ]]; then
        "${sudo[@]}" mv "$saved_policy" "$policy"
    else
        "${sudo[@]}" rm -f "$policy"
    fi
}
trap restore_policy EXIT
printf '#!/bin/sh\nexit 101\n' | "${sudo[@]}" tee "$policy" >/dev/null
"${sudo[@]}" chmod 755 "$policy"

echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
