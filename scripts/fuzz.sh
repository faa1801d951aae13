#!/bin/sh
# `make fuzz [FUZZ_SECONDS=N]`: builds the libFuzzer targets (clang, ASan +
# UBSan) in build-fuzz and runs each for N seconds (default 60), starting
# from a copy of its checked-in corpus. A crash leaves its input in
# fuzz/crash-* (and the run fails): fix the parser, then add the input to
# fuzz/corpus/TARGET/ so the suite replays it forever. fuzz/TARGET.dict, if
# there is one, lists the words (option names) libFuzzer splices in.
# Prints "N passed, N failed" (one per target).
set -u
cd "$(dirname "$0")/.."
umask 022
seconds=${1:-60}
dir=build-fuzz
# Warnings are errors in this build (not in the project's defaults), also
# in a build folder made before that rule.
if [ -f "$dir/build.ninja" ]; then
    meson configure "$dir" -Dwerror=true >"$dir.setup.log" 2>&1
else
    CC=clang CFLAGS="-fsanitize=fuzzer-no-link" meson setup "$dir" -Dfuzz=true -Dwerror=true \
        -Db_sanitize=address,undefined -Db_lundef=false -Dbuildtype=debugoptimized \
        >"$dir.setup.log" 2>&1
fi || { cat "$dir.setup.log"; exit 1; }
rm -f "$dir.setup.log"
targets=$(ls fuzz/corpus)
for t in $targets; do
    ninja -C "$dir" "fuzz-target-$t" >"$dir.ninja.log" 2>&1 || { cat "$dir.ninja.log"; exit 1; }
done
rm -f "$dir.ninja.log"
passed=0
failed=0
for t in $targets; do
    work=$(mktemp -d)
    cp -r "fuzz/corpus/$t/." "$work/" 2>/dev/null
    echo "== fuzz-$t for ${seconds}s" >&2
    dict=
    [ -f "fuzz/$t.dict" ] && dict="-dict=fuzz/$t.dict"
    if UBSAN_OPTIONS=halt_on_error=1 ASAN_OPTIONS=detect_leaks=1 \
        "$dir/fuzz/fuzz-$t" $dict -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
        -artifact_prefix="fuzz/crash-$t-" "$work" >"$work.log" 2>&1; then
        passed=$((passed + 1))
        tail -n 1 "$work.log" >&2
    else
        failed=$((failed + 1))
        tail -n 40 "$work.log" >&2
        echo "fuzz-$t FAILED: the input is in fuzz/crash-$t-*" >&2
    fi
    rm -rf "$work" "$work.log"
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
