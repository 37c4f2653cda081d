#!/usr/bin/env bash
# Builds gotriage's .deb from a release build, checks what it holds, installs
# it with apt (so its Depends must resolve on this Debian 12 machine), and
# runs the installed programs: `--version` without a display, the man pages,
# the recording MIME type, and an offscreen screenshot of the demo fleet.
# The package is removed again at the end unless it was installed before.
#
#   packaging/check-package.sh BUILD_DIR [--keep]
#
# BUILD_DIR a built release tree (cmake --preset release && cmake --build
#           --preset release); the .deb is left in it. --keep leaves the
#           package installed. Needs the test packages (install-deps.sh --test).
set -euo pipefail
build=${1:?usage: check-package.sh BUILD_DIR [--keep]}
keep=${2:-}
root=$(cd "$(dirname "$0")/.." && pwd)
sudo=""
[[ $(id -u) -eq 0 ]] || sudo=sudo

fail() { echo "check-package: $*" >&2; exit 1; }

(cd "$build" && cpack -G DEB >/dev/null) || fail "cpack failed in $build"
deb=$(readlink -f "$(ls -t "$build"/gotriage_*.deb | head -n 1)")
echo "check-package: built $(basename "$deb") ($(du -k "$deb" | cut -f1) KiB)"

# What the package holds and says.
contents=$(dpkg-deb -c "$deb" | awk '{print $6}')
for path in ./usr/bin/gotriage ./usr/bin/gotriage-cli \
    ./usr/share/applications/org.gotriage.Gotriage.desktop \
    ./usr/share/metainfo/org.gotriage.Gotriage.metainfo.xml \
    ./usr/share/mime/packages/org.gotriage.Gotriage.xml \
    ./usr/share/icons/hicolor/scalable/apps/org.gotriage.Gotriage.svg \
    ./usr/share/icons/hicolor/48x48/apps/org.gotriage.Gotriage.png \
    ./usr/share/icons/hicolor/256x256/apps/org.gotriage.Gotriage.png \
    ./usr/share/man/man1/gotriage.1.gz ./usr/share/man/man1/gotriage-cli.1.gz \
    ./usr/share/doc/gotriage/examples/fleet.json; do
    grep -qx -- "$path" <<<"$contents" || fail "$deb lacks $path"
done
depends=$(dpkg-deb -f "$deb" Depends)
for lib in libqt6widgets6 libqt6network6 libqt6svg6 libqcustomplot libsqlite3 libprotobuf; do
    grep -q "$lib" <<<"$depends" || fail "$deb does not depend on $lib (Depends: $depends)"
done
echo "check-package: Depends: $depends"
desktop-file-validate "$root/packaging/org.gotriage.Gotriage.desktop" || fail "the .desktop entry is invalid"
appstreamcli validate --no-net "$root/packaging/org.gotriage.Gotriage.metainfo.xml" >/dev/null \
    || fail "the AppStream metainfo is invalid: appstreamcli validate --no-net packaging/org.gotriage.Gotriage.metainfo.xml"

# Install it as a user would, with its dependencies.
was_installed=false
dpkg-query -W -f='${Status}' gotriage 2>/dev/null | grep -q "install ok installed" && was_installed=true
work=$(mktemp -d)
cleanup() {
    rm -rf "$work"
    if [[ $keep != --keep ]] && ! $was_installed; then
        $sudo apt-get purge -y -qq gotriage >/dev/null 2>&1 || true
    fi
}
trap cleanup EXIT
$sudo apt-get install -y -qq --no-install-recommends "$deb" >"$work/apt.log" 2>&1 \
    || { cat "$work/apt.log" >&2; fail "apt could not install $deb"; }

# The installed programs, without a display.
version=$(env -u DISPLAY -u WAYLAND_DISPLAY -u QT_QPA_PLATFORM /usr/bin/gotriage-cli --version)
[[ $version == "gotriage-cli "* ]] || fail "gotriage-cli --version printed '$version'"
gui_version=$(env -u DISPLAY -u WAYLAND_DISPLAY -u QT_QPA_PLATFORM /usr/bin/gotriage --version)
[[ $gui_version == "gotriage "* ]] || fail "gotriage --version printed '$gui_version'"
env -u DISPLAY -u WAYLAND_DISPLAY -u QT_QPA_PLATFORM /usr/bin/gotriage --help | grep -q -- "--config" \
    || fail "gotriage --help does not list --config"
man -w gotriage >/dev/null && man -w gotriage-cli >/dev/null || fail "the man pages are not found by man"
[[ -f /usr/share/mime/application/x-gotriage-recording.xml ]] \
    || fail "the MIME database has no application/x-gotriage-recording (update-mime-database did not run?)"
echo "check-package: $version; $gui_version; man pages and MIME type installed"

# The window, from the installed binary, with its data and settings kept
# in a temporary home.
shot="$work/installed.png"
HOME="$work/home" XDG_DATA_HOME="$work/home/data" XDG_CONFIG_HOME="$work/home/config" \
    XDG_CACHE_HOME="$work/home/cache" QT_QPA_PLATFORM=offscreen \
    timeout 120 /usr/bin/gotriage --demo --no-record --size 1280x800 --screenshot "$shot" \
    >"$work/gui.log" 2>&1 || { tail -20 "$work/gui.log" >&2; fail "the installed gotriage did not take its screenshot"; }
size=$(stat -c %s "$shot")
[[ $(head -c 8 "$shot" | od -An -tx1 | tr -d ' \n') == 89504e470d0a1a0a ]] || fail "$shot is not a PNG"
((size > 20000)) || fail "$shot is only $size bytes: an empty window?"
[[ -z ${PACKAGE_SHOT:-} ]] || cp "$shot" "$PACKAGE_SHOT"
echo "check-package: the installed gotriage drew the demo fleet ($size bytes of PNG)"
