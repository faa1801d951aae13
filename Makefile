# The Makefile only wraps Meson. Every target installs missing Debian
# packages first (scripts/deps.sh), so a fresh Debian 12 machine needs only
# `make demo` or `make test`.

BUILD      ?= build
ASAN_BUILD ?= build-asan
TSAN_BUILD ?= build-tsan
PREFIX     ?= /usr/local
MESON_OPTS ?=

# Plugins must not be writable by group or others, or libtenon refuses them.
SHELL := /bin/sh

.PHONY: all deps build demo test test-quick install clean fuzz soak bench difftest format

all: build

deps:
	@scripts/deps.sh

$(BUILD)/build.ninja: | deps
	@umask 022; meson setup $(BUILD) --prefix=$(PREFIX) $(MESON_OPTS) >/dev/null

build: deps $(BUILD)/build.ninja
	@umask 022; ninja -C $(BUILD)

demo: build
	@umask 022; scripts/demo.sh $(BUILD)

# The whole suite: the normal build, an ASan+UBSan build, and the
# ThreadSanitizer suite. Prints "N passed, N failed" at the end.
test: deps
	@umask 022; scripts/test.sh

# Only the normal build's suite, for quick iteration.
test-quick: build
	@umask 022; meson test -C $(BUILD) --print-errorlogs

# PREFIX applies even to a build folder configured earlier with another one.
# Only what is installed is built (not the tests, fuzzers and benchmarks):
# scripts/installed_targets.py asks Meson which targets those are.
install: deps $(BUILD)/build.ninja
	@umask 022; meson configure $(BUILD) --prefix=$(PREFIX) >/dev/null && \
	    ninja -C $(BUILD) $$(scripts/installed_targets.py $(BUILD)) >/dev/null
	@umask 022; meson install -C $(BUILD) --no-rebuild --destdir "$(DESTDIR)" >/dev/null
	@echo "installed into $(DESTDIR)$(PREFIX)"

# fio against tenon-io on SEEDS random job files (tests/io/diff), from
# seed DIFFTEST_FIRST; each mismatch prints the command that reruns it.
SEEDS         ?= 100
DIFFTEST_FIRST ?= 1
difftest: build
	@umask 022; python3 tests/io/diff/difftest.py $(BUILD)/io/tenon-io --first $(DIFFTEST_FIRST) --seeds $(SEEDS)

# Rewrites the tracked C and C++ files in the style of .clang-format
# (`make test` checks it with scripts/format.sh --check).
format: deps
	@scripts/format.sh

fuzz: deps
	@umask 022; scripts/fuzz.sh $(FUZZ_SECONDS)

soak: deps
	@umask 022; scripts/soak.sh $(SOAK_SECONDS)

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(TSAN_BUILD) build-fuzz build-soak-*
