#!/usr/bin/env bash
# The Go incident lab: real Go services with injected faults.
#
#   lab.sh build                     build labsvc (once; again when its sources change)
#   lab.sh start DIR SPEC...         start one labsvc per SPEC on free loopback ports,
#                                    write DIR/fleet.json for gotriage, record DIR/pids
#   lab.sh stop DIR                  stop exactly the processes `start DIR` started
#
# SPEC is NAME:FAULTS[:FLAGS], e.g. leak-1:leak:-leak-per-sec=50
# or healthy-1:none:"-rich -load=50" (FLAGS are labsvc flags, space separated).
# FAULTS is a comma list of leak, memcreep, gcfrenzy, contention, slowdeps, none.
#
# Builds offline in GOPATH mode against Debian's golang-go and
# golang-github-prometheus-client-golang-dev. LAB_BUILD sets where the binary
# and Go's build cache go (default: build/lab in the repository).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
build=${LAB_BUILD:-$repo/build/lab}
bin=$build/labsvc

build_labsvc() {
    command -v go >/dev/null || { echo "lab.sh: no Go toolchain (packaging/install-deps.sh --test installs it)" >&2; exit 1; }
    mkdir -p "$build"
    if [[ -x "$bin" && -z "$(find "$here/service" -newer "$bin" -name '*.go' | head -n 1)" ]]; then
        return
    fi
    # A GOPATH of our own holding the service as package "labsvc", so stack
    # traces and profiles say labsvc/main.go rather than a build-machine path.
    mkdir -p "$build/gopath/src"
    ln -sfn "$here/service" "$build/gopath/src/labsvc"
    (cd "$build/gopath/src/labsvc" && GOPATH="$build/gopath:/usr/share/gocode" GO111MODULE=off GOPROXY=off GOFLAGS= \
        GOCACHE="$build/.gocache" go build -trimpath -o "$bin" .)
}

start_lab() {
    local dir=$1
    shift
    [[ $# -gt 0 ]] || { echo "lab.sh: start needs at least one SPEC" >&2; exit 2; }
    build_labsvc
    mkdir -p "$dir"
    if [[ -s "$dir/pids" ]]; then
        echo "lab.sh: $dir already has a running lab; stop it first" >&2
        exit 2
    fi
    : > "$dir/pids"
    local entries=()
    for spec in "$@"; do
        IFS=: read -r name faults flags <<<"$spec"
        [[ -n "$name" && -n "$faults" ]] || { echo "lab.sh: bad SPEC '$spec' (NAME:FAULTS[:FLAGS])" >&2; stop_lab "$dir"; exit 2; }
        rm -f "$dir/$name.port"
        # shellcheck disable=SC2086 # FLAGS are meant to split
        "$bin" -fault "$faults" -port-file "$dir/$name.port" $flags >"$dir/$name.log" 2>&1 &
        echo "$! $name" >>"$dir/pids"
    done
    for spec in "$@"; do
        IFS=: read -r name faults flags <<<"$spec"
        for _ in $(seq 100); do [[ -s "$dir/$name.port" ]] && break; sleep 0.1; done
        if [[ ! -s "$dir/$name.port" ]]; then
            echo "lab.sh: $name did not start:" >&2
            cat "$dir/$name.log" >&2
            stop_lab "$dir"
            exit 1
        fi
        entries+=("$(printf '{"name": "%s", "url": "http://127.0.0.1:%s", "labels": {"lab": "%s"}, "request_counter": "http_requests_total", "latency_histogram": "http_request_duration_seconds"}' \
            "$name" "$(cat "$dir/$name.port")" "$faults")")
    done
    local joined
    joined=$(IFS=,; echo "${entries[*]}")
    printf '{"services": [%s]}\n' "$joined" >"$dir/fleet.json.tmp"
    mv "$dir/fleet.json.tmp" "$dir/fleet.json"
    echo "lab.sh: $# services running; fleet file $dir/fleet.json"
}

stop_lab() {
    local dir=$1
    [[ -f "$dir/pids" ]] || return 0
    local pids=()
    while read -r pid name; do
        # Only a process that is still our labsvc: a pid may have been reused.
        if [[ -r /proc/$pid/cmdline ]] && tr '\0' ' ' </proc/"$pid"/cmdline | grep -q "labsvc"; then
            kill -TERM "$pid" 2>/dev/null || true
            pids+=("$pid")
        fi
    done <"$dir/pids"
    for pid in "${pids[@]}"; do
        for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$pid" 2>/dev/null || true
    done
    rm -f "$dir/pids"
    echo "lab.sh: stopped ${#pids[@]} services"
}

case "${1:-}" in
    build) build_labsvc; echo "$bin" ;;
    start) shift; start_lab "$@" ;;
    stop) stop_lab "${2:?usage: lab.sh stop DIR}" ;;
    *) sed -n '2,16p' "$0" >&2; exit 2 ;;
esac
