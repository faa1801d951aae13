#!/bin/sh
# Records the offsets fio 3.33 gives for each case of cases.txt into
# data/NAME.txt (its --debug=io "fill" lines: offset, length, direction),
# the reference dist_test.py holds tenon-io to. Run from this folder with
# fio 3.33 as /usr/bin/fio (or FIO=...); cases whose file is there already
# are kept unless FORCE=1.
set -eu
FIO=${FIO:-/usr/bin/fio}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
grep -v '^#' cases.txt | while read -r name opts; do
    [ -n "$name" ] || continue
    out=data/$name.txt
    if [ -e "$out" ] && [ "${FORCE:-0}" != 1 ]; then continue; fi
    # shellcheck disable=SC2086
    (cd "$work" && "$FIO" --debug=io --name=j --ioengine=null $opts) 2>&1 |
        sed -n 's/.* fill: io_u [^:]*: off=\(0x[0-9a-f]*\),len=\(0x[0-9a-f]*\),ddir=\([0-9]\).*/\1 \2 \3/p' >"$out"
    echo "$name: $(wc -l <"$out") IOs"
done
