#!/bin/sh
# Runs a test inside a private D-Bus session with Debian's gnome-keyring as
# the Secret Service, its keyring in a throwaway HOME, unlocked with a
# throwaway password; the daemon is stopped and the HOME removed at the end.
#   keychain-session.sh TEST-BINARY [ARGS...]
set -eu
if [ "${GOTRIAGE_IN_KEYCHAIN_SESSION:-}" != 1 ]; then
    export GOTRIAGE_IN_KEYCHAIN_SESSION=1
    exec dbus-run-session -- "$0" "$@"
fi
home=$(mktemp -d)
keyring=""
cleanup() {
    [ -n "$keyring" ] && kill "$keyring" 2>/dev/null || true
    rm -rf "$home"
}
trap cleanup EXIT
export HOME="$home" XDG_DATA_HOME="$home/share" XDG_CONFIG_HOME="$home/config" XDG_RUNTIME_DIR="$home/run"
mkdir -p "$XDG_RUNTIME_DIR" && chmod 700 "$XDG_RUNTIME_DIR"
printf 'throwaway' | gnome-keyring-daemon --foreground --unlock --components=secrets >"$home/keyring.log" 2>&1 &
keyring=$!
# Ready once it owns the Secret Service's name on this bus.
for _ in $(seq 100); do
    if dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
        org.freedesktop.DBus.NameHasOwner string:org.freedesktop.secrets 2>/dev/null | grep -q 'boolean true'; then
        break
    fi
    sleep 0.1
done
"$@"
