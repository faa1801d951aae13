#!/bin/sh
# `make demo`: runs jobs/demo.fio (4k random reads with psync, io_uring and
# null) on a temporary file, prints the report and a side-by-side summary,
# and removes the file. Takes about half a minute.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-build}
case "$build" in /*) ;; *) build="$root/$build" ;; esac
tio="$build/io/tenon-io"
tenon="$build/tools/tenon/tenon"

dir=$(mktemp -d "${TMPDIR:-/tmp}/tenon-demo.XXXXXX")
trap 'rm -rf "$dir"' EXIT INT TERM
export DEMO_FILE="$dir/demo.dat"

echo "== libtenon: an example host with one static and two dynamic plugins"
"$build/examples/example-host" "$build/examples/plugins"
echo
echo "== tenon-io engines (plugins, listed from their descriptors without loading them)"
"$tio" --enghelp
echo
echo "== the plugins, as the tenon tool sees them"
"$tenon" list --no-env --path "$build/lib/tenon-io/plugins"
echo
echo "== jobs/demo.fio: 4k random reads, psync vs io_uring (iodepth 32) vs null"
"$tio" --eta=never --output-format=json --output="$dir/demo.json" "$root/jobs/demo.fio"
"$tio" --eta=never "$root/jobs/demo.fio" >"$dir/demo.txt" || true
python3 - "$dir/demo.json" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
print(f"{'engine':<10} {'IOPS':>12} {'MiB/s':>10} {'clat p50':>10} {'clat p99':>10}")
base = None
for job in doc["jobs"]:
    r = job["read"]
    iops = r["iops"]
    base = base or iops
    pct = r["clat_ns"].get("percentile", {})
    p50 = pct.get("50.000000", 0) / 1000
    p99 = pct.get("99.000000", 0) / 1000
    print(f"{job['jobname']:<10} {iops:>12,.0f} {r['bw']/1024:>10.1f} {p50:>8.1f}us {p99:>8.1f}us"
          f"   {iops/base:5.2f}x psync")
PY
echo
echo "(the full fio-style report of the same jobs follows)"
cat "$dir/demo.txt"
