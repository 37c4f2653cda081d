#!/usr/bin/env bash
# The recording survives kill -9: records the demo fleet with gotriage-cli,
# kills it at a random moment, and checks that the file opens and holds
# data up to at most ~1 s (the commit interval) plus one scrape interval
# before the kill. Repeats ROUNDS times.
#   tests/record/crash.sh GOTRIAGE_CLI ROUNDS [SERVICES]
set -euo pipefail
cli=$1
rounds=$2
services=${3:-12}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
worst=0
for ((i = 1; i <= rounds; i++)); do
    file=$work/round-$i.gotriage
    "$cli" record --demo --services "$services" --duration 120 --out "$file" 2>/dev/null &
    pid=$!
    # 2.5 to 6 s in: after the first commits, anywhere within a second.
    sleep "$(awk -v s="$RANDOM" 'BEGIN { srand(s); printf "%.3f", 2.5 + rand() * 3.5 }')"
    killed_ms=$(date +%s%3N)
    kill -9 "$pid"
    wait "$pid" 2>/dev/null || true
    if ! info=$("$cli" recording info "$file" --json); then
        echo "round $i: $file does not open after kill -9" >&2
        exit 1
    fi
    last_ms=$(sed -n 's/.*"last_ms":\([0-9]*\).*/\1/p' <<<"$info")
    samples=$(sed -n 's/.*"samples":\([0-9]*\).*/\1/p' <<<"$info")
    lost=$((killed_ms - last_ms))
    ((lost > worst)) && worst=$lost
    # The newest sample may be one scrape interval (1 s) old when the last
    # commit (at most 1 s before the kill) took it: 2 s, plus scheduling.
    if ((samples == 0 || lost > 2500)); then
        echo "round $i: newest sample ${lost} ms before the kill ($samples samples): more than the last second lost" >&2
        exit 1
    fi
    rm -f "$file" "$file-wal" "$file-shm"
done
echo "crash: $rounds kills, every file opened; newest sample at most ${worst} ms before the kill"
