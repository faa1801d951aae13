#!/bin/sh
# Installs the build into a temporary root and uses it as a developer
# outside the tree would: builds examples/external-plugin with pkg-config and
# with CMake, checks it with the installed `tenon`, runs it under the
# installed tenon-io as ioengine=external:..., builds a static and a dynamic
# plugin and their host with the CMake package (tests/install/cmake-plugins),
# and builds and checks a `tenon new plugin` skeleton with CMake and with
# Meson.
#
# usage: install_test.sh BUILD_DIR PREFIX LIBDIR SOURCE_DIR
set -eu
build=$1 prefix=$2 libdir=$3 src=$4
work=$(mktemp -d "${TMPDIR:-/tmp}/tenon-install.XXXXXX")
trap 'rm -rf "$work"' EXIT
umask 022

step() { echo "== $*"; }

step "meson install --destdir"
meson install -C "$build" --no-rebuild --destdir "$work/root" >"$work/install.log" 2>&1 || {
    cat "$work/install.log"; exit 1; }
root="$work/root$prefix"
lib="$root/$libdir"
# The installed programs look for libtenon in PREFIX; here it is under the
# temporary root. The library finds its plugin folder beside itself.
export LD_LIBRARY_PATH="$lib"
export PKG_CONFIG_PATH="$lib/pkgconfig"
export PKG_CONFIG_SYSROOT_DIR="$work/root"
unset TENON_PLUGIN_PATH

test -e "$lib/libtenon.so.1" || { echo "FAIL: no libtenon.so.1 (SONAME with the ABI major)"; exit 1; }
test -e "$lib/libtenon.a" || { echo "FAIL: no static library"; exit 1; }
test -e "$lib/cmake/tenon/tenonConfigVersion.cmake" || { echo "FAIL: no CMake package"; exit 1; }
grep -q SameMajorVersion "$lib/cmake/tenon/tenonConfigVersion.cmake" 2>/dev/null ||
    grep -q 'PACKAGE_VERSION_COMPATIBLE' "$lib/cmake/tenon/tenonConfigVersion.cmake"
test -e "$root/share/man/man1/tenon.1" && test -e "$root/share/man/man3/tenon.3"
# One page per public function, found by man; the guides beside them.
MANPATH="$root/share/man" man -w tenon_registry_new >/dev/null ||
    { echo "FAIL: man tenon_registry_new finds no page"; exit 1; }
test -e "$root/share/man/man3/tenon_values_check.3" || { echo "FAIL: no tenon_values_check(3)"; exit 1; }
for md in "$src"/docs/*.md; do
    test -e "$root/share/doc/tenon/${md##*/}" ||
        { echo "FAIL: ${md##*/} is not installed under share/doc/tenon (docs/meson.build)"; exit 1; }
done
ls "$lib/tenon-io/plugins/"*.so >/dev/null
soname=$(objdump -p "$lib/libtenon.so.1" | awk '/SONAME/ {print $2}')
[ "$soname" = "libtenon.so.1" ] || { echo "FAIL: SONAME is $soname"; exit 1; }

step "external plugin with pkg-config"
cp -r "$src/examples/external-plugin" "$work/pc"
make -s -C "$work/pc" >/dev/null
step "external plugin with CMake"
cp -r "$src/examples/external-plugin" "$work/cm"
cmake -S "$work/cm" -B "$work/cm/build" -DCMAKE_PREFIX_PATH="$root" >"$work/cmake.log" 2>&1 || {
    cat "$work/cmake.log"; exit 1; }
cmake --build "$work/cm/build" >>"$work/cmake.log" 2>&1 || { cat "$work/cmake.log"; exit 1; }

for so in "$work/pc/ramdisk.so" "$work/cm/build/ramdisk.so"; do
    step "tenon check $so"
    "$root/bin/tenon" check "$so"
    step "tenon-io ioengine=external:$so"
    "$root/bin/tenon-io" --eta=never --name=ram --ioengine="external:$so" \
        --filename=ram://16m --rw=randwrite --bs=4k --verify=crc32c --output-format=json \
        >"$work/ram.json"
    python3 - "$work/ram.json" <<'PY'
import json, sys
job = json.load(open(sys.argv[1]))["jobs"][0]
assert job["error"] == 0, job
assert job["write"]["io_bytes"] == 16 << 20, job["write"]["io_bytes"]
assert job["read"]["io_bytes"] == 16 << 20, "verify pass missing"
print("ok: wrote and verified", job["write"]["io_bytes"], "bytes")
PY
done

step "CMake: a static and a dynamic plugin with tenon_add_plugin, and their host"
cp -r "$src/tests/install/cmake-plugins" "$work/cp"
# A sanitizer build's library links only into programs built with the same
# sanitizer: then the plugins are built, not the host.
targets=""
if nm -D "$lib/libtenon.so.1" | grep -q ' U __asan_'; then
    targets="--target loud quiet"
fi
(cmake -S "$work/cp" -B "$work/cp/build" -DCMAKE_PREFIX_PATH="$root" &&
    cmake --build "$work/cp/build" $targets && cmake --install "$work/cp/build") \
    >"$work/cmake-plugins.log" 2>&1 || { cat "$work/cmake-plugins.log"; exit 1; }
# tenon_install_plugin put the dynamic one in the host's own default folder.
test -f "$lib/echo-host/plugins/loud.so" || { echo "FAIL: loud.so not in $lib/echo-host/plugins"; exit 1; }
"$root/bin/tenon" check "$lib/echo-host/plugins/loud.so"
"$root/bin/tenon" info "$lib/echo-host/plugins/loud.so" | grep -q "test.echo version 1"
[ -n "$targets" ] || "$work/cp/build/echo-host"
# No object of the static plugin is left out: it is not a shared object.
test ! -e "$work/cp/build/quiet.so" && test ! -e "$work/cp/build/libquiet.a"

step "tenon new plugin skel (CMake)"
"$root/bin/tenon" new plugin skel --dir "$work"
cmake -S "$work/skel" -B "$work/skel/build-cmake" -DCMAKE_PREFIX_PATH="$root" >"$work/skel.log" 2>&1 &&
    cmake --build "$work/skel/build-cmake" >>"$work/skel.log" 2>&1 || { cat "$work/skel.log"; exit 1; }
"$root/bin/tenon" check "$work/skel/build-cmake/skel.so"
step "tenon new plugin skel (Meson)"
(cd "$work/skel" && meson setup build-meson >"$work/skel-meson.log" 2>&1 &&
    ninja -C build-meson >>"$work/skel-meson.log" 2>&1) || { cat "$work/skel-meson.log"; exit 1; }
"$root/bin/tenon" check "$work/skel/build-meson/skel.so"
"$root/bin/tenon" info "$work/skel/build-meson/skel.so" | grep -q "skel.api version 1"
echo "install test passed"
