#!/usr/bin/env bash
# Real Go servers that nobody here wrote, from Debian's packages, for
# gotriage's integration tests and screenshots: Prometheus 2.42, etcd 3.4 and
# node-exporter 1.5 (all go1.19), each on a free loopback port with its own
# data folder under DIR. Nothing is installed or started system-wide.
#
#   peers.sh start DIR    start them, wait until each answers, write
#                         DIR/fleet.json (the three as a gotriage fleet),
#                         DIR/<name>.url and DIR/<name>.pid
#   peers.sh stop DIR     stop exactly the processes `start DIR` started,
#                         and remove their data folders
#
# packaging/install-deps.sh --test installs the packages.
set -euo pipefail

# A port nothing listens on now. Bash's /dev/tcp connect is the probe, so no
# extra tool is needed; a port taken between the probe and the start makes
# that server fail to start, which start_peers reports.
free_port() {
    local port
    for _ in $(seq 200); do
        port=$((20000 + RANDOM % 40000))
        if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
            echo "$port"
            return 0
        fi
    done
    echo "peers.sh: no free port found" >&2
    return 1
}

need() {
    command -v "$1" >/dev/null || { echo "peers.sh: $1 not found (packaging/install-deps.sh --test installs it)" >&2; exit 1; }
}

# Waits until URL answers 200, or the process died, or 20 s passed.
wait_ready() {
    local name=$1 pid=$2 url=$3 dir=$4
    for _ in $(seq 200); do
        if ! kill -0 "$pid" 2>/dev/null; then
            echo "peers.sh: $name exited during start:" >&2
            tail -n 20 "$dir/$name.log" >&2
            return 1
        fi
        # A listening socket is not yet a ready server: ask for its metrics.
        if timeout 2 bash -c "exec 4<>/dev/tcp/127.0.0.1/${url##*:} && \
            printf 'GET /metrics HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n' >&4 && head -c 12 <&4" 2>/dev/null \
            | grep -q ' 200'; then
            return 0
        fi
        sleep 0.1
    done
    echo "peers.sh: $name did not answer on $url within 20 s" >&2
    return 1
}

start_one() {
    local dir=$1 name=$2 url=$3
    shift 3
    "$@" >"$dir/$name.log" 2>&1 &
    local pid=$!
    echo "$pid" >"$dir/$name.pid"
    echo "$url" >"$dir/$name.url"
    wait_ready "$name" "$pid" "$url" "$dir"
}

start_peers() {
    local dir=$1
    need prometheus
    need etcd
    need prometheus-node-exporter
    mkdir -p "$dir"
    dir=$(cd "$dir" && pwd)
    if ls "$dir"/*.pid >/dev/null 2>&1; then
        echo "peers.sh: $dir already has running peers; stop them first" >&2
        exit 2
    fi
    local prom etcd_client etcd_peer node
    prom=$(free_port)
    etcd_client=$(free_port)
    etcd_peer=$(free_port)
    node=$(free_port)

    mkdir -p "$dir/prometheus-data" "$dir/etcd-data"
    # Prometheus scrapes itself, so its own request counter moves.
    cat >"$dir/prometheus.yml" <<EOF
global:
  scrape_interval: 5s
scrape_configs:
  - job_name: prometheus
    static_configs:
      - targets: ["127.0.0.1:$prom"]
EOF
    trap 'stop_peers "$dir"' ERR
    start_one "$dir" prometheus "http://127.0.0.1:$prom" \
        prometheus --config.file="$dir/prometheus.yml" --storage.tsdb.path="$dir/prometheus-data" \
        --web.listen-address="127.0.0.1:$prom"
    start_one "$dir" etcd "http://127.0.0.1:$etcd_client" \
        etcd --name peers-etcd --data-dir "$dir/etcd-data" \
        --listen-client-urls "http://127.0.0.1:$etcd_client" --advertise-client-urls "http://127.0.0.1:$etcd_client" \
        --listen-peer-urls "http://127.0.0.1:$etcd_peer" --initial-advertise-peer-urls "http://127.0.0.1:$etcd_peer" \
        --initial-cluster "peers-etcd=http://127.0.0.1:$etcd_peer" --metrics extensive
    # Only the collectors that read this process's own view of the host;
    # node-exporter's defaults also probe systemd and hardware.
    start_one "$dir" node-exporter "http://127.0.0.1:$node" \
        prometheus-node-exporter --web.listen-address="127.0.0.1:$node" --collector.disable-defaults \
        --collector.cpu --collector.meminfo --collector.loadavg --collector.filesystem
    trap - ERR

    # The fleet gotriage watches: the three as they are, no paths configured,
    # as a new user would first point gotriage at them.
    cat >"$dir/fleet.json.tmp" <<EOF
{
  "services": [
    { "name": "prometheus", "url": "http://127.0.0.1:$prom", "tier": "core", "limits": { "memory_bytes": 2147483648 } },
    { "name": "etcd", "url": "http://127.0.0.1:$etcd_client", "tier": "core" },
    { "name": "node-exporter", "url": "http://127.0.0.1:$node" }
  ]
}
EOF
    mv "$dir/fleet.json.tmp" "$dir/fleet.json"
    echo "peers.sh: prometheus, etcd and node-exporter running; fleet file $dir/fleet.json"
}

stop_peers() {
    local dir=$1 stopped=0
    for pidfile in "$dir"/*.pid; do
        [[ -f "$pidfile" ]] || continue
        local pid name
        pid=$(cat "$pidfile")
        name=$(basename "$pidfile" .pid)
        # Only a process that is still the one we started: a pid may be reused.
        local exe
        exe=$(readlink "/proc/$pid/exe" 2>/dev/null || true)
        case "$exe" in
            */prometheus|*/etcd|*/prometheus-node-exporter)
                kill -TERM "$pid" 2>/dev/null || true
                for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
                kill -KILL "$pid" 2>/dev/null || true
                stopped=$((stopped + 1)) ;;
        esac
        rm -f "$pidfile"
    done
    rm -rf "$dir/prometheus-data" "$dir/etcd-data"
    echo "peers.sh: stopped $stopped servers"
}

case "${1:-}" in
    start) start_peers "${2:?usage: peers.sh start DIR}" ;;
    stop) stop_peers "${2:?usage: peers.sh stop DIR}" ;;
    *) sed -n '2,13p' "$0" >&2; exit 2 ;;
esac
