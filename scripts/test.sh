#!/bin/sh
# The whole test suite, as `make test` runs it:
#   build       gcc, the normal build, every suite
#   build-asan  clang with AddressSanitizer + UndefinedBehaviorSanitizer, every suite
#   build-tsan  clang with ThreadSanitizer, the concurrency suite
#   format      every tracked C and C++ file as .clang-format has it
# Ends with "N passed, N failed" and a non-zero status on any failure.
set -u
cd "$(dirname "$0")/.."
umask 022

status=0
builds=""

# Warnings are errors here, not in the project's defaults: a user's newer
# compiler must not break their build, but the suite holds the code to
# warning-free. A build folder made earlier (by `make build`) is switched.
setup() { # dir, meson options...
    dir=$1
    shift
    if [ -f "$dir/build.ninja" ]; then
        meson configure "$dir" -Dwerror=true >"$dir.setup.log" 2>&1
    else
        meson setup "$dir" -Dwerror=true "$@" >"$dir.setup.log" 2>&1
    fi || {
        cat "$dir.setup.log" >&2
        echo "test: meson setup of $dir failed" >&2
        return 1
    }
    rm -f "$dir.setup.log"
}

suite() { # dir, meson test options...
    dir=$1
    shift
    echo "==> $dir" >&2
    if ! ninja -C "$dir" >"$dir.ninja.log" 2>&1; then
        cat "$dir.ninja.log" >&2
        echo "test: build of $dir failed" >&2
        status=1
        return
    fi
    rm -f "$dir.ninja.log"
    if ! grep -q -e '-Werror' "$dir/compile_commands.json"; then
        echo "test: $dir compiles without -Werror" >&2
        status=1
        return
    fi
    rm -f "$dir/meson-logs/testlog.json"
    meson test -C "$dir" --print-errorlogs --num-processes 2 "$@" >&2 || status=1
    builds="$builds $dir"
}

# The tracked C and C++ files must be as clang-format leaves them.
echo "==> format" >&2
format_msg="test: files are not formatted as .clang-format says (listed after ==> format);
      run \`make format\` and commit the result"
format_ok=true
if ! scripts/format.sh --check >&2; then
    echo "$format_msg" >&2
    format_ok=false
    status=1
fi

setup build && suite build
CC=clang CXX=clang++ setup build-asan -Db_sanitize=address,undefined -Db_lundef=false \
    -Dbuildtype=debug -Doptimization=1 && \
    ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
    suite build-asan --suite unit --suite plugins --suite cli --suite io --suite config --suite cache --suite cxx --suite fuzz-replay
CC=clang CXX=clang++ setup build-tsan -Db_sanitize=thread -Db_lundef=false -Dtsan_only=true \
    -Dbuildtype=debug -Doptimization=1 && \
    TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1 suite build-tsan --suite tsan

python3 scripts/test_summary.py $builds
summary=$?
$format_ok || echo "$format_msg" >&2
[ "$status" -eq 0 ] && [ "$summary" -eq 0 ] || exit 1
