#!/usr/bin/env bash
# Soak: gotriage's GUI watches the demo fleet (its own process, with a
# service that crash-loops every 45 s and a target that never answers) for
# SECONDS, recording as it always does, and prints its own RSS, open fds,
# threads and GUI-thread stalls every 5 s. At the end, the slope of each
# (least squares over the run after its first quarter) and the worst p99.
#
#   tests/bench/soak/soak.sh BUILD_DIR SECONDS [SERVICES] [--check]
#
# --check (CI, a 2-minute run): fail unless fds and threads stay flat and RSS
# grows less than 64 MiB over the second half. It checks bounds, not speed.
# Figures of the 1-hour run: docs/reliability.md. SOAK_LOG=FILE keeps the
# 5-second samples there (the temporary folder is removed at the end).
# SOAK_GUI_ARGS adds options to the GUI's command line, e.g. "--history-mib 2"
# for a history budget that fills within the first quarter, so that what
# RSS does after it is not the history growing as designed. SOAK_WRAP runs
# the GUI under a tool, e.g. "heaptrack -o /tmp/soak" to see what grows.
set -euo pipefail
build=${1:?usage: soak.sh BUILD_DIR SECONDS [SERVICES] [--check]}
seconds=${2:?usage: soak.sh BUILD_DIR SECONDS [SERVICES] [--check]}
services=20
check=0
for arg in "${@:3}"; do
    case $arg in
        --check) check=1 ;;
        *) services=$arg ;;
    esac
done
work=$(mktemp -d)
demo=
trap '[[ -n $demo ]] && kill "$demo" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"' EXIT

"$build/app/cli/gotriage-cli" demo-fleet --services "$services" --fleet-out "$work/demo.json" 2>"$work/demo.log" &
demo=$!
for _ in $(seq 200); do [[ -s "$work/demo.json" ]] && break; sleep 0.1; done
[[ -s "$work/demo.json" ]] || { echo "soak: the demo fleet did not start" >&2; cat "$work/demo.log" >&2; exit 1; }
# One more target that never answers (port 9 is discard; nothing listens there).
sed 's/"services": *\[/"services":[{"name":"gone","url":"http:\/\/127.0.0.1:9"},/' "$work/demo.json" >"$work/fleet.json"

echo "soak: the GUI watching $services demo services and 1 dead target for ${seconds} s, recording; $(nproc) cores"
# Its recording and settings go to the temporary folder.
# shellcheck disable=SC2086 # SOAK_WRAP and SOAK_GUI_ARGS are meant to split
XDG_DATA_HOME=$work/data XDG_CONFIG_HOME=$work/config XDG_CACHE_HOME=$work/cache \
    QT_QPA_PLATFORM=${QT_QPA_PLATFORM:-offscreen} \
    ${SOAK_WRAP:-} "$build/app/gui/gotriage" --config "$work/fleet.json" --measure "$seconds" --measure-every 5 ${SOAK_GUI_ARGS:-} \
    >"$work/soak.log" 2>"$work/gui.log" || { echo "soak: gotriage failed" >&2; tail -20 "$work/gui.log" >&2; exit 1; }
[[ -z ${SOAK_LOG:-} ]] || cp "$work/soak.log" "$SOAK_LOG"
grep '^soak:' "$work/soak.log" | tail -n 3
awk -v check="$check" '
    /^soak:/ {
        for (i = 2; i <= NF; ++i) { split($i, kv, "="); v[kv[1]] = kv[2] }
        n++; t[n] = v["t"]; rss[n] = v["rss_mib"]; fds[n] = v["fds"]; thr[n] = v["threads"]; p99[n] = v["p99_ms"]; mx[n] = v["max_ms"]
        sq[n] = v["sqlite_mib"]; rest[n] = rss[n] - sq[n]
        if (p99[n] > 16) over++
    }
    function slope(y,   i, st, sy, stt, sty, m, from) {
        from = int(n / 4) + 1; m = 0; st = sy = stt = sty = 0
        for (i = from; i <= n; ++i) { m++; st += t[i]; sy += y[i]; stt += t[i] * t[i]; sty += t[i] * y[i] }
        if (m < 2 || m * stt - st * st == 0) return 0
        return (m * sty - st * sy) / (m * stt - st * st) * 3600 # per hour
    }
    function spread(y,   i, lo, hi, from) {
        from = int(n / 4) + 1; lo = hi = y[from]
        for (i = from; i <= n; ++i) { if (y[i] < lo) lo = y[i]; if (y[i] > hi) hi = y[i] }
        return hi - lo
    }
    END {
        if (n < 4) { print "soak: too few samples (" n ")"; exit 1 }
        worst99 = 0; worst = 0
        for (i = 1; i <= n; ++i) { if (p99[i] > worst99) worst99 = p99[i]; if (mx[i] > worst) worst = mx[i] }
        half = int(n / 2) + 1
        printf "soak: %d samples over %.0f s; slopes per hour after the first quarter: rss %+.1f MiB, fds %+.1f, threads %+.1f\n", n, t[n], slope(rss), slope(fds), slope(thr)
        printf "soak: rss %.1f -> %.1f MiB, fds %d -> %d (spread %d), threads %d -> %d (spread %d); gui stall p99 worst window %.2f ms, max %.1f ms\n", rss[1], rss[n], fds[1], fds[n], spread(fds), thr[1], thr[n], spread(thr), worst99, worst
        printf "soak: sqlite %.1f -> %.1f MiB (slope %+.1f MiB per hour); rss without it: slope %+.1f MiB per hour; windows with p99 over 16 ms: %d of %d\n", sq[1], sq[n], slope(sq), slope(rest), over, n
        if (check) {
            bad = 0
            if (spread(fds) > 8) { print "soak: FAIL: open fds are not flat"; bad = 1 }
            if (spread(thr) > 4) { print "soak: FAIL: threads are not flat"; bad = 1 }
            if (rss[n] - rss[half] > 64) { print "soak: FAIL: RSS grew more than 64 MiB over the second half"; bad = 1 }
            if (!bad) print "soak: bounds hold"
            exit bad
        }
    }' "$work/soak.log"
