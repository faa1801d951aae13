#!/bin/sh
# Captures the fio reference runs that test_fio_compat replays: for each case,
# fio's JSON+ output (the input numbers, with the full latency histograms) and
# fio's normal output of the same run (the expected text). Run it by hand with
# fio 3.33 installed; the captured files are checked in, so the tests never run
# fio themselves.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
file="$tmp/data"

capture() {
    name=$1; shift
    mkdir -p "$here/$name"
    fio "$@" --output-format=normal,json+ --output="$tmp/out" >/dev/null 2>&1 || true
    # The JSON document sits between the first "{" line and the first "}" line;
    # the results text follows it.
    sed -n '/^{$/,/^}$/p' "$tmp/out" > "$here/$name/fio.json"
    sed -n '/^}$/,$p' "$tmp/out" | sed 1d > "$here/$name/fio.txt"
    printf 'fio' > "$here/$name/cmd"
    for a in "$@"; do printf ' %s' "$a" | sed "s|$tmp|\$TMP|g" >> "$here/$name/cmd"; done
    printf '\n' >> "$here/$name/cmd"
}

capture psync-randrw-fsync --name=t --filename="$file" --size=16m --rw=randrw \
    --ioengine=psync --time_based --runtime=2 --fsync=4
capture libaio-randrw-qd8 --name=t --filename="$file" --size=64m --rw=randrw \
    --ioengine=libaio --iodepth=8 --time_based --runtime=3
capture psync-read-1m --name=t --filename="$file" --size=64m --bs=1m --rw=read \
    --ioengine=psync --time_based --runtime=2
capture null-group-reporting --name=a --ioengine=null --size=1g --rw=randread \
    --numjobs=2 --time_based --runtime=2 --group_reporting
capture null-two-jobs --name=a --ioengine=null --size=256m --rw=randrw \
    --numjobs=2 --time_based --runtime=1
capture error-devfull --name=e --filename=/dev/full --rw=write --size=1m --ioengine=psync
cat > "$tmp/groups.fio" <<'JOB'
[global]
ioengine=null
size=256m
rw=randread
group_reporting

[j1]
numjobs=2

[j2]
stonewall
rw=randwrite
JOB
capture two-groups "$tmp/groups.fio"
