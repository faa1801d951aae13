#!/bin/sh
# Installs the Debian packages the build and the tests need, and only those
# that are missing. Silent and instant when nothing is missing.
set -eu

PACKAGES="
meson ninja-build pkg-config gcc g++ clang lld
libelf-dev libjansson-dev libinih-dev liburing-dev libaio-dev libnbd-dev
libsodium-dev libcmocka-dev libclang-rt-14-dev
nbdkit fio graphviz valgrind util-linux python3 cmake chromium strace
nettle-dev libxxhash-dev zlib1g-dev libnuma-dev libopenmpi-dev openmpi-bin clang-format
python3-scipy python3-statsmodels python3-pandas gnuplot-nox
"

missing=""
for pkg in $PACKAGES; do
    status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
    case "$status" in
        *"ok installed"*) ;;
        *) missing="$missing $pkg" ;;
    esac
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" -eq 0 ]; then
    as_root=""
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    as_root="sudo"
else
    echo "tenon: these Debian packages are missing:$missing" >&2
    echo "tenon: install them as root:  apt-get install$missing" >&2
    exit 1
fi

echo "tenon: installing missing packages:$missing" >&2
export DEBIAN_FRONTEND=noninteractive
# Package lists may be absent on a fresh machine, or stale; refresh once and retry.
if ! $as_root apt-get install -y -q --no-install-recommends $missing >/dev/null 2>&1; then
    $as_root apt-get update -q >/dev/null
    $as_root apt-get install -y -q --no-install-recommends $missing
fi
