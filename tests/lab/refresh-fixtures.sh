#!/usr/bin/env bash
# Captures fresh payloads from the lab into tests/data/lab/: /metrics (text
# and OpenMetrics), /debug/vars, the pprof index, goroutine dumps
# (debug=0/1/2), and CPU, heap, allocs, block and mutex profiles. Paths are
# trimmed (labsvc is built with -trimpath; its own path is replaced).
#
#   tests/lab/refresh-fixtures.sh [OUT_DIR]     default: tests/data/lab
#
# Needs curl and the lab's Go packages (packaging/install-deps.sh --test).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-$here/../data/lab}
run=$(mktemp -d)
trap '"$here/lab.sh" stop "$run" >/dev/null; rm -rf "$run"' EXIT
mkdir -p "$out"

"$here/lab.sh" start "$run" \
    "leak:leak:-leak-per-sec=100 -load=20" \
    "memcreep:memcreep:-load=20" \
    "frenzy:gcfrenzy,contention:-load=20" \
    "rich:none:-rich -load=50"
port() { cat "$run/$1.port"; }
get() { curl -fsS --max-time 30 "$@"; }
bin=$(cd "$here/../.." && pwd)/build/lab/labsvc
trim() { sed "s#$bin#/usr/local/bin/labsvc#g"; }

sleep 8 # let faults build up and the load driver fill the counters
get "http://127.0.0.1:$(port leak)/metrics" >"$out/metrics_default_leak.txt"
get "http://127.0.0.1:$(port memcreep)/metrics" >"$out/metrics_default_memcreep.txt"
get "http://127.0.0.1:$(port rich)/metrics" >"$out/metrics_rich.txt"
get -H 'Accept: application/openmetrics-text; version=0.0.1' "http://127.0.0.1:$(port rich)/metrics" >"$out/openmetrics_rich.txt"
get "http://127.0.0.1:$(port leak)/debug/vars" | trim >"$out/vars_leak.json"
get "http://127.0.0.1:$(port frenzy)/debug/vars" | trim >"$out/vars_gcfrenzy.json"
get "http://127.0.0.1:$(port leak)/debug/pprof/" >"$out/pprof_index_leak.html"
for level in 0 1 2; do
    suffix=$([[ $level == 0 ]] && echo ".pb.gz" || echo "_debug$level.txt")
    get "http://127.0.0.1:$(port leak)/debug/pprof/goroutine?debug=$level" >"$out/goroutine_leak$suffix"
done
get "http://127.0.0.1:$(port frenzy)/debug/pprof/goroutine?debug=2" >"$out/goroutine_contention_debug2.txt"
get "http://127.0.0.1:$(port frenzy)/debug/pprof/profile?seconds=3" >"$out/cpu_contention_gcfrenzy.pb.gz"
get "http://127.0.0.1:$(port memcreep)/debug/pprof/heap" >"$out/heap_memcreep.pb.gz"
get "http://127.0.0.1:$(port frenzy)/debug/pprof/allocs" >"$out/allocs_gcfrenzy.pb.gz"
get "http://127.0.0.1:$(port frenzy)/debug/pprof/block" >"$out/block_contention.pb.gz"
get "http://127.0.0.1:$(port frenzy)/debug/pprof/mutex" >"$out/mutex_contention.pb.gz"
echo "refresh-fixtures: wrote $(ls "$out" | wc -l) files to $out"
