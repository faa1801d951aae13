#!/bin/sh
# tenon list, check and cache against a registry cache in a private
# XDG_CACHE_HOME: a failure is listed with its reason until its file
# changes, show/rebuild/clear work, and a damaged cache gives one warning.
# usage: cli.sh TENON FIXTURE_DIR
set -eu
tenon=$1
fixtures=$2
work=$(mktemp -d /tmp/tenon-cache-cli.XXXXXX)
trap 'rm -rf "$work"' EXIT
chmod 755 "$work"
mkdir -m 755 "$work/plugins"
export XDG_CACHE_HOME="$work/xdg"
export TENON_PLUGIN_PATH=
for f in good_basic bad_magic bad_initcrash; do
    cp "$fixtures/$f.so" "$work/plugins/"
    chmod 755 "$work/plugins/$f.so"
done
cache="$XDG_CACHE_HOME/tenon/tenon.cache"
search="--no-env --no-default -p $work/plugins"

fail() { echo "FAIL: $*" >&2; exit 1; }
expect() { # text pattern what
    printf '%s\n' "$1" | grep -q -- "$2" || { printf '%s\n' "$1" >&2; fail "$3"; }
}

sleep 0.2 # files younger than a timestamp tick are not cached
"$tenon" list $search >/dev/null
[ -f "$cache" ] || fail "tenon list wrote no cache"
[ "$(stat -c %a "$cache")" = 600 ] || fail "the cache is not 0600"
out=$("$tenon" cache show)
expect "$out" "3 entries\|4 entries" "cache show: entry count"
expect "$out" "broken .*bad_magic.so" "cache show: the broken file"
expect "$out" "reason: scan: descriptor magic" "cache show: the reason"
expect "$out" "key: dev" "cache show: the key"

# A check that crashes is remembered, and listed, until the file changes.
"$tenon" check --no-env --no-default "$work/plugins" >/dev/null 2>&1 && fail "check passed"
out=$("$tenon" list $search)
expect "$out" "broken: plugin bad_initcrash crashed with signal" "list: the cached crash"
out=$("$tenon" info $search bad_initcrash) || true # a broken plugin is a failure
expect "$out" "crashed with signal" "info: the cached crash"
out=$("$tenon" cache show --json)
expect "$out" '"check_error"' "cache show --json"
chmod 750 "$work/plugins/bad_initcrash.so"
out=$("$tenon" list $search)
printf '%s\n' "$out" | grep -q "crashed" && fail "the crash was not forgotten after chmod"
out=$("$tenon" list $search --no-cache)
expect "$out" "bad_initcrash" "list --no-cache"

# A damaged cache: one warning, the listing is right, the cache rebuilt.
printf 'garbage' >"$cache"
chmod 600 "$cache"
err=$("$tenon" list $search 2>&1 >/dev/null)
[ "$(printf '%s\n' "$err" | grep -c "ignoring the registry cache")" = 1 ] ||
    { printf '%s\n' "$err" >&2; fail "expected one warning about the damaged cache"; }
out=$("$tenon" cache show)
expect "$out" "registry cache $cache" "cache show after the rebuild"

out=$("$tenon" cache rebuild $search)
expect "$out" "rebuilt $cache: 3 plugin files read" "cache rebuild"
out=$("$tenon" cache clear)
expect "$out" "removed $cache" "cache clear"
[ ! -e "$cache" ] || fail "the cache is still there"
out=$("$tenon" cache show)
expect "$out" "no registry cache at $cache" "cache show with no cache"
"$tenon" cache frob >/dev/null 2>&1 && fail "an unknown action was accepted"
"$tenon" cache show --cache "$work/other.cache" | grep -q "no registry cache at $work/other.cache" ||
    fail "--cache FILE"
echo ok
