#!/usr/bin/env bash
# Runs every fuzz target (or the ones named) for SECONDS each, seeded from
# tests/data/. A crash, leak or timeout fails the run; the input that caused
# it is kept in OUT/<target>/ for a regression test.
#
#   tests/fuzz/run.sh BUILD_DIR SECONDS [TARGET ...]
#   BUILD_DIR: a configured and built `fuzz` preset (build/fuzz)
set -euo pipefail
build=${1:?usage: run.sh BUILD_DIR SECONDS [TARGET ...]}
seconds=${2:?usage: run.sh BUILD_DIR SECONDS [TARGET ...]}
shift 2
here=$(cd "$(dirname "$0")" && pwd)
data=$here/../data
targets=("$@")
[[ ${#targets[@]} -gt 0 ]] || targets=(fuzz_metrics fuzz_expvar fuzz_pprofindex fuzz_fleetconfig fuzz_gzip fuzz_capture fuzz_findingjson fuzz_profile fuzz_goroutinedump fuzz_triagefiles fuzz_recording fuzz_promquery fuzz_promtargets)
out=${FUZZ_OUT:-$build/fuzz-out}
status=0
for target in "${targets[@]}"; do
    corpus=$out/$target/corpus
    mkdir -p "$corpus" "$out/$target/artifacts"
    case $target in
        fuzz_metrics) seeds=("$data"/go1.19/*.txt "$data"/peers/*.txt "$data"/handmade/*.txt) ;;
        fuzz_expvar) seeds=("$data"/go1.19/*.json) ;;
        fuzz_pprofindex) seeds=("$data"/go1.19/*.html) ;;
        fuzz_fleetconfig) seeds=("$data"/fleet/*.json) ;;
        fuzz_gzip) seeds=("$data"/lab/*.gz) ;;
        fuzz_capture) seeds=("$data"/capture/*.jsonl) ;;
        fuzz_findingjson) seeds=("$data"/findings/*.json) ;;
        fuzz_profile) seeds=("$data"/lab/*.pb.gz) ;;
        fuzz_goroutinedump) seeds=("$data"/lab/goroutine_*debug2.txt) ;;
        fuzz_triagefiles) seeds=("$data"/triage/*) ;;
        fuzz_recording) seeds=("$data"/record/*.block) ;;
        fuzz_promquery) seeds=("$data"/peers/prometheus_*query*.json) ;;
        fuzz_promtargets) seeds=("$data"/peers/prometheus_*targets*.json "$data"/handmade/*.promql) ;;
        *) echo "run.sh: unknown target $target" >&2; exit 2 ;;
    esac
    # Inputs that once crashed a target stay in its seeds (tests/data/fuzz/<name>/).
    regressions=("$data/fuzz/${target#fuzz_}"/*)
    [[ -e "${regressions[0]}" ]] && seeds+=("${regressions[@]}")
    cp -n "${seeds[@]}" "$corpus/" 2>/dev/null || true
    echo "run.sh: $target for ${seconds} s"
    if ! "$build/tests/fuzz/$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=1048576 \
        -artifact_prefix="$out/$target/artifacts/" -print_final_stats=1 "$corpus" 2>"$out/$target/log"; then
        echo "run.sh: $target FAILED; input kept in $out/$target/artifacts/" >&2
        tail -n 30 "$out/$target/log" >&2
        status=1
    else
        grep -E "stat::number_of_executed_units|stat::peak_rss_mb" "$out/$target/log" | sed "s/^/  $target /"
    fi
done
exit $status
