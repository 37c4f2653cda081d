#!/usr/bin/env bash
# Benchmark: the GUI process watching N demo services that run in a process
# of their own, at a 1 s interval. Prints the GUI's CPU use (% of one core,
# averaged over the run) and how long its GUI thread stalled at worst, then
# the store's memory per service per hour of 1 s history.
#
#   tests/bench/watch-bench.sh [BUILD_DIR] [SERVICES] [SECONDS]
#   defaults: build/release 200 60
set -euo pipefail
build=${1:-build/release}
services=${2:-200}
seconds=${3:-60}
work=$(mktemp -d)
trap 'kill "$demo" 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$work"' EXIT

"$build/app/cli/gotriage-cli" demo-fleet --services "$services" --fleet-out "$work/fleet.json" 2>"$work/demo.log" &
demo=$!
for _ in $(seq 100); do [[ -s "$work/fleet.json" ]] && break; sleep 0.1; done
[[ -s "$work/fleet.json" ]] || { echo "watch-bench: the demo fleet did not start" >&2; cat "$work/demo.log" >&2; exit 1; }

echo "watch-bench: $services demo services (separate process), 1 s interval, ${seconds} s, $(nproc) cores"
QT_QPA_PLATFORM=${QT_QPA_PLATFORM:-offscreen} "$build/app/gui/gotriage" --config "$work/fleet.json" --measure "$seconds" 2>/dev/null
