#!/usr/bin/env bash
# Builds expfmt-bench offline in GOPATH mode against Debian's Go packages
# (golang-go, golang-github-prometheus-common-dev).
#   build.sh [OUTPUT]   default OUTPUT: ./expfmt-bench beside this script
# Prints the binary's path.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=$(realpath -m "${1:-$here/expfmt-bench}")
command -v go >/dev/null || { echo "build.sh: no Go toolchain (packaging/install-deps.sh --test installs it)" >&2; exit 1; }
cd "$here"
GOPATH=/usr/share/gocode GO111MODULE=off GOPROXY=off GOFLAGS= GOCACHE="${GOCACHE:-$(dirname "$out")/.gocache}" \
    go build -trimpath -o "$out" . >&2
echo "$out"
