#!/bin/sh
# The library's exported symbols are exactly tests/abi/symbols.txt, each
# carries the tenon_ prefix, and each is documented in tenon(3). Adding a
# function to the ABI is then always a deliberate act (docs/abi.md).
#
# usage: check_symbols.sh LIBTENON.so SYMBOLS.txt TENON.3
set -eu
lib=$1 list=$2 man=$3
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
# The version node: everything is in TENON_1 (docs/abi.md).
if nm -D --defined-only "$lib" | grep ' tenon_' | grep -qv '@@TENON_1'; then
    echo "FAIL: a symbol is outside the TENON_1 version node"
    status=1
fi
[ $status -eq 0 ] && echo "$(wc -l <"$actual") exported symbols, all listed, prefixed and documented"
exit $status
