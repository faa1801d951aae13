#!/bin/sh
# `make soak [SOAK_SECONDS=N]`: tests/soak under ThreadSanitizer, under
# AddressSanitizer + UBSan + LeakSanitizer, and uninstrumented, N seconds
# each (default 120): many threads loading, unloading, looking up and
# instantiating plugins. Zero sanitizer reports, zero leaks, and memory flat
# in the uninstrumented run (sanitizer runtimes keep per-dlopen metadata), or
# it fails. Each build also runs the reload stress test long: 1000 reloads
# (SOAK_RELOADS) of a plugin under eight calling threads.
set -u
cd "$(dirname "$0")/.."
umask 022
seconds=${1:-120}
reloads=${SOAK_RELOADS:-1000}
status=0
run() { # name, extra env, meson options...
    dir=$1
    shift
    if [ ! -f "$dir/build.ninja" ]; then
        CC=clang meson setup "$dir" -Dtsan_only=true -Db_lundef=false -Dbuildtype=debug \
            -Doptimization=1 "$@" >"$dir.setup.log" 2>&1 || { cat "$dir.setup.log"; return 1; }
        rm -f "$dir.setup.log"
    fi
    ninja -C "$dir" >"$dir.ninja.log" 2>&1 || { cat "$dir.ninja.log"; return 1; }
    rm -f "$dir.ninja.log"
}
echo "== soak under ThreadSanitizer, ${seconds}s"
if run build-soak-tsan -Db_sanitize=thread; then
    TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1 build-soak-tsan/tests/soak/soak \
        --seconds "$seconds" || status=1
    echo "== $reloads reloads under ThreadSanitizer"
    TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1 TENON_RELOAD_COUNT=$reloads \
        build-soak-tsan/tests/unit/test_reload_stress || status=1
else
    status=1
fi
echo "== soak under AddressSanitizer + UBSan + LeakSanitizer, ${seconds}s"
if run build-soak-asan -Db_sanitize=address,undefined; then
    ASAN_OPTIONS=detect_leaks=1:quarantine_size_mb=16:abort_on_error=1 \
        UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
        build-soak-asan/tests/soak/soak --seconds "$seconds" || status=1
    echo "== $reloads reloads under AddressSanitizer + UBSan + LeakSanitizer"
    ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
        TENON_RELOAD_COUNT=$reloads build-soak-asan/tests/unit/test_reload_stress || status=1
else
    status=1
fi
echo "== soak without instrumentation (memory must stay flat), ${seconds}s"
if run build-soak-plain; then
    build-soak-plain/tests/soak/soak --seconds "$seconds" || status=1
    echo "== $reloads reloads without instrumentation"
    TENON_RELOAD_COUNT=$reloads build-soak-plain/tests/unit/test_reload_stress || status=1
else
    status=1
fi
[ $status -eq 0 ] && echo "soak passed" || echo "soak FAILED"
exit $status
