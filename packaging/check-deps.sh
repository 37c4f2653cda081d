#!/usr/bin/env bash
# Proves that install-deps.sh is enough: everything a configured build found
# must come from a Debian package that install-deps.sh installs, directly or
# through the dependencies apt follows. A package installed by hand on a CI
# machine otherwise hides a missing entry until a user's fresh machine fails.
#
#   packaging/check-deps.sh BUILD_DIR [--test] [--packages "pkg ..."]
#
# BUILD_DIR  a configured build tree (its CMakeCache.txt is read)
# --test     check against the run and test lists (for the test preset)
# --packages check against this list instead of install-deps.sh's (how the
#            check itself is tested: a list without a needed package fails)
#
# What is checked, from the CMake cache:
# - every <Package>_DIR that holds a package config (find_package results);
# - every GOTRIAGE_* program or file the project looked up (ccache, and the
#   tools the tests run: go, prometheus, etcd, xvfb-run ...);
# - the C++ compiler and the zlib, curl, OpenSSL and protobuf libraries (found by Find modules,
#   which leave no package config behind).
# Exit status 0 when all come from the closure, 1 otherwise (each culprit is
# named with the package that owns it), 2 on usage errors.
set -euo pipefail

usage() {
    echo "usage: $0 BUILD_DIR [--test] [--packages \"pkg ...\"]" >&2
    exit 2
}

build_dir=""
list_args=()
packages=""
while [[ $# -gt 0 ]]; do
    case "$1" in
        --test) list_args=(--test) ;;
        --packages) [[ $# -ge 2 ]] || usage; packages="$2"; shift ;;
        -*) usage ;;
        *) [[ -z "$build_dir" ]] || usage; build_dir="$1" ;;
    esac
    shift
done
[[ -n "$build_dir" ]] || usage
cache="$build_dir/CMakeCache.txt"
if [[ ! -f "$cache" ]]; then
    echo "check-deps: $cache not found: configure the build first" >&2
    exit 2
fi

here=$(cd "$(dirname "$0")" && pwd)
list_name="install-deps.sh${list_args[*]:+ ${list_args[*]}}"
if [[ -z "$packages" ]]; then
    packages=$("$here/install-deps.sh" --list "${list_args[@]}")
fi

# The closure: the listed packages and everything apt would pull in for them
# (Depends and Pre-Depends; every alternative and provider is followed, so
# this can only err towards accepting).
declare -A closure=()
while read -r pkg; do
    pkg=${pkg#<}
    pkg=${pkg%>}
    [[ -n "$pkg" ]] && closure[${pkg%%:*}]=1
done < <(apt-cache depends --recurse --no-recommends --no-suggests --no-conflicts --no-breaks \
    --no-replaces --no-enhances $packages 2>/dev/null | grep -v '^ ' || true)
for pkg in $packages; do
    closure[$pkg]=1
done

# Which package owns a path: as given, then with symlinks resolved (the
# compiler is an alternatives link), then in the merged-/usr twin.
owner_of() {
    local path=$1 candidate out
    for candidate in "$path" "$(readlink -f "$path" 2>/dev/null)" "${path#/usr}" "/usr$path"; do
        [[ -n "$candidate" ]] || continue
        if out=$(dpkg -S "$candidate" 2>/dev/null); then
            # "pkg1:amd64, pkg2: /path" -> one owner per line, arch dropped.
            echo "${out%%: /*}" | tr ',' '\n' | sed 's/^ *//; s/:.*//'
            return 0
        fi
    done
    return 1
}

checked=0
failures=()
check_path() {
    local what=$1 path=$2 owners owner
    checked=$((checked + 1))
    if ! owners=$(owner_of "$path"); then
        failures+=("$what = $path: not installed by any Debian package")
        return
    fi
    for owner in $owners; do
        [[ -n "${closure[$owner]:-}" ]] && return
    done
    failures+=("$what = $path: from package $(echo $owners | tr ' ' '/'), which $list_name does not install (add it to its list)")
}

while IFS= read -r line; do
    key=${line%%:*}
    value=${line#*=}
    [[ -n "$value" && "$value" == /* && "$value" != *-NOTFOUND ]] || continue
    case "$key" in
        *_DIR)
            config=$(find "$value" -maxdepth 1 \( -name '*Config.cmake' -o -name '*-config.cmake' \) 2>/dev/null \
                | head -n 1)
            [[ -n "$config" ]] && check_path "$key" "$config"
            ;;
        GOTRIAGE_*|CMAKE_CXX_COMPILER|ZLIB_LIBRARY*|CURL_LIBRARY*|OPENSSL_CRYPTO_LIBRARY|Protobuf_LIBRARY*|Protobuf_PROTOC_EXECUTABLE)
            [[ -e "$value" ]] && check_path "$key" "$value"
            ;;
    esac
done < <(grep -E '^[A-Za-z0-9_]+:(PATH|FILEPATH|STRING)=' "$cache")

# The compiler may be cached as a bare name (clang++): find it on PATH.
compiler=$(sed -n 's/^CMAKE_CXX_COMPILER:[A-Z]*=//p' "$cache")
if [[ -n "$compiler" && "$compiler" != /* ]]; then
    check_path CMAKE_CXX_COMPILER "$(command -v "$compiler" || echo "$compiler")"
fi

if [[ ${#failures[@]} -gt 0 ]]; then
    echo "check-deps: $build_dir found ${#failures[@]} of $checked things outside $list_name:" >&2
    printf '  %s\n' "${failures[@]}" >&2
    exit 1
fi
echo "check-deps: $build_dir: all $checked package configs and tools come from $list_name"
