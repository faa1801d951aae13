#!/bin/sh
# The library's exported symbols are exactly tests/abi/symbols.txt, each
# carries the tenon_ prefix, and each is documented in tenon(3). Adding a
# function to the ABI is then always a deliberate act (docs/abi.md).
#
# usage: check_symbols.sh LIBTENON.so SYMBOLS.txt TENON.3 LIBTENON.map
set -eu
lib=$1 list=$2 man=$3 map=$4
actual=$(mktemp)
trap 'rm -f "$actual"' EXIT
nm -D --defined-only "$lib" | awk '$2 ~ /^[TDBRVW]$/ {print $3}' | sed 's/@.*//' |
    grep -v '^TENON_' | sort -u >"$actual"
status=0
if ! diff -u "$list" "$actual"; then
    echo "FAIL: the exported symbols differ from $list (+ exported, - listed)."
    echo "      Update the list on purpose, with tenon(3), and see docs/abi.md."
    status=1
fi
bad=$(grep -v '^tenon_' "$actual" || true)
if [ -n "$bad" ]; then
    echo "FAIL: exported without the tenon_ prefix: $bad"
    status=1
fi
for sym in $(cat "$actual"); do
    if ! grep -qw "$sym" "$man"; then
        echo "FAIL: $sym is exported but not documented in tenon(3)"
        status=1
    fi
done
# The version nodes: each function keeps the node of the release that added
# it, the names the map lists under TENON_1.1 there, every other in TENON_1
# (docs/abi.md), so hosts built against 1.0 keep finding theirs.
versioned=$(nm -D --defined-only "$lib")
new=$(awk '/^TENON_1\.1 /{on=1; next} on && /^}/{on=0} on && /tenon_/{gsub(/[ ;]/, ""); print}' "$map")
for sym in $(cat "$actual"); do
    want=TENON_1
    if printf '%s\n' $new | grep -qx "$sym"; then
        want=TENON_1.1
    fi
    if ! printf '%s\n' "$versioned" | grep -q " $sym@@$want\$"; then
        echo "FAIL: $sym is not in the version node $want"
        status=1
    fi
done
[ $status -eq 0 ] && echo "$(wc -l <"$actual") exported symbols, all listed, prefixed and documented"
exit $status
