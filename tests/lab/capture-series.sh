#!/usr/bin/env bash
# Captures labelled series from the lab for the accuracy harness
# (`gotriage-cli bench detect --lab FILE`): a slow goroutine leak, slow
# memory creep, and two healthy services with a busy GC sawtooth, scraped
# once a second with `gotriage-cli scrape --json`. Service names carry the
# label (leak*, memcreep*, healthy*).
#
#   tests/lab/capture-series.sh [SECONDS] [OUT]
#   defaults: 540 and tests/data/lab/series_lab.jsonl; needs a release build.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
seconds=${1:-540}
out=${2:-$repo/tests/data/lab/series_lab.jsonl}
run=$(mktemp -d)
trap '"$here/lab.sh" stop "$run" >/dev/null; rm -rf "$run"' EXIT
"$here/lab.sh" start "$run" "leak-1:leak:-leak-per-sec=2 -load=20" \
    "memcreep-1:memcreep:-creep-bytes-per-sec=65536 -load=20" \
    "healthy-1:none:-load=50" "healthy-2:none:-load=200"
"$repo/build/release/app/cli/gotriage-cli" scrape --config "$run/fleet.json" --duration "$seconds" --json >"$run/raw.jsonl"
# Smaller, same content: drop unknown vitals and per-scrape bookkeeping,
# keep four decimals.
sed -E -e 's/"[a-z_0-9]+":null,?//g' -e 's/,"duration_ms":[0-9]+,"bytes":[0-9]+//' \
    -e 's/(\.[0-9]{4})[0-9]+/\1/g' -e 's/,\}/}/g' "$run/raw.jsonl" >"$out"
echo "capture-series: $(wc -l <"$out") scrapes in $out"
