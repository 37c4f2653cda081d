#!/usr/bin/env bash
# Proves the committed golden files are what prometheus/common's expfmt really
# says about each fixture: rebuilds expfmt-bench and diffs its output.
#   check-golden.sh WORKDIR          compare
#   check-golden.sh WORKDIR --write  regenerate the golden files
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
work=${1:?usage: check-golden.sh WORKDIR [--write]}
mkdir -p "$work"
bin=$("$here/build.sh" "$work/expfmt-bench")
data="$here/../../data/go1.19"
status=0
for golden in "$data"/*.expfmt.jsonl; do
    payload=${golden%.expfmt.jsonl}
    if [[ "${2:-}" == --write ]]; then
        "$bin" -json "$payload" > "$golden"
        echo "wrote $golden"
    elif ! "$bin" -json "$payload" | diff -q - "$golden" >/dev/null; then
        echo "MISMATCH: $(basename "$golden") differs from expfmt's output for $(basename "$payload")"
        status=1
    else
        echo "ok: $(basename "$golden") ($(wc -l < "$golden") samples)"
    fi
done
exit $status
