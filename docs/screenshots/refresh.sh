#!/usr/bin/env bash
# Refreshes the walkthrough's screenshots in docs/screenshots/ (shown in the
# README and docs/guide.md): tst_walkthrough run under Xvfb, at 1080p
# (1920x1080, scale 1) into 1080p/, and at 4K scale (3840x2160,
# QT_SCALE_FACTOR=2, the same layout at twice the pixels) into 4k/.
#
#   docs/screenshots/refresh.sh [BUILD_DIR]    (default: build/asan)
#
# Needs xvfb-run (install-deps.sh --test) and a built tst_walkthrough.
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${1:-build/asan}
walkthrough=$build/tests/auto/tst_walkthrough
if [[ ! -x $walkthrough ]]; then
    echo "refresh.sh: build $walkthrough first (cmake --build --preset asan)" >&2
    exit 2
fi
command -v xvfb-run >/dev/null || { echo "refresh.sh: xvfb-run is missing (install-deps.sh --test)" >&2; exit 2; }

shoot() { # FOLDER SCREEN SCALE
    local folder=docs/screenshots/$1
    rm -rf "$folder.new"
    mkdir -p "$folder.new"
    echo "refresh.sh: $1 (screen $2, scale $3)"
    GOTRIAGE_WALKTHROUGH_DIR=$PWD/$folder.new QT_QPA_PLATFORM=xcb QT_SCALE_FACTOR=$3 \
        LSAN_OPTIONS=suppressions=$PWD/tests/lsan.supp \
        xvfb-run -a -s "-screen 0 $2x24" "$walkthrough" -silent
    # Replaced only once the whole walkthrough passed.
    rm -rf "$folder"
    mv "$folder.new" "$folder"
}

shoot 1080p 1920x1080 1
shoot 4k 3840x2160 2
ls -l docs/screenshots/1080p docs/screenshots/4k
