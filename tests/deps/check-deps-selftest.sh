#!/usr/bin/env bash
# The dependency check must be able to fail: against install-deps.sh's list
# it passes, and against the same list without qt6-websockets-dev (the gap a
# fresh Debian 12 machine once hit) it fails and names that package.
#
#   check-deps-selftest.sh BUILD_DIR
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
build=${1:?usage: check-deps-selftest.sh BUILD_DIR}

if ! "$repo/packaging/check-deps.sh" "$build" --test; then
    echo "selftest: the check fails against install-deps.sh --test itself" >&2
    exit 1
fi

without=$("$repo/packaging/install-deps.sh" --list --test | grep -vx 'qt6-websockets-dev' | tr '\n' ' ')
output=$("$repo/packaging/check-deps.sh" "$build" --packages "$without" 2>&1)
status=$?
echo "$output"
if [[ $status -ne 1 ]]; then
    echo "selftest: without qt6-websockets-dev the check exited $status, expected 1" >&2
    exit 1
fi
if ! grep -q 'Qt6WebSockets_DIR.*qt6-websockets-dev' <<<"$output"; then
    echo "selftest: the failure does not name Qt6WebSockets_DIR and qt6-websockets-dev" >&2
    exit 1
fi
echo "selftest: the check passes with the list and fails without qt6-websockets-dev"
