# SPDX-License-Identifier: GPL-2.0
#
# faultbench build.  Two targets matter to a user on a fresh Debian machine:
#   make run    install what is missing (as root), build, run the quick suite
#   make check  build, run the unit and end-to-end tests, then again under ASan+UBSan
#               with every fuzz corpus file replayed
# one to install it as a tool (PREFIX=/usr/local, DESTDIR for packaging):
#   make install   the binary and fb-exec-helper, man pages, bash completion,
#                  configs and scripts under share/faultbench
# and some to a developer:
#   make fuzz   libFuzzer (clang) on each fuzz target for FUZZ_SECONDS (default 600)
#   make check-vm-long  the slow qemu tests: the 64-vCPU guest, bisect-step booting two kernels
#   make store-bench  the results store over 100,000 synthetic results (docs/store.md)
#
# Sources are found by wildcard: a new file in one of SRC_DIRS needs no edit here.
# The folders are the architecture (docs/hacking.md): lib/ small shared helpers,
# engine/ the run engine, bench/ one file per benchmark, stress/ the race
# reproducers, analysis/ what reads result files, store/ the results store
# (SQLite, PostgreSQL), vm/ the qemu guest runner, cmd/ one file per subcommand.

PKGS      := hwloc jansson cmocka inih gsl liburing zlib sqlite3 libpq libcrypto
DEB_PKGS  := build-essential pkg-config libhwloc-dev hwloc libnuma-dev libjansson-dev \
             libcmocka-dev libinih-dev libgsl-dev liburing-dev zlib1g-dev gnuplot-nox \
             libpfm4-dev linux-perf qemu-system-x86 busybox-static cpio e2fsprogs xz-utils zstd \
             python3 clang clang-format libclang-rt-14-dev chromium libsqlite3-dev sqlite3 libpq-dev postgresql sysbench
VERSION   := $(shell git describe --always --dirty --tags 2>/dev/null || echo unknown)

CC        ?= cc
O         ?= build
CFLAGS    ?= -O2 -g
WARN      := -Wall -Wextra -Wshadow -Wno-unused-parameter -Wmissing-prototypes \
             -Wstrict-prototypes -Wformat=2 -Wvla -Wno-missing-field-initializers
SRC_DIRS  := lib engine bench stress analysis store vm cmd
CPPFLAGS  += -D_GNU_SOURCE $(SRC_DIRS:%=-I%) \
             $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
LDLIBS    += $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lnuma -lpthread -lm -lpfm

LIB_SRC   := $(sort $(foreach d,lib engine stress analysis store vm,$(wildcard $(d)/*.c)))
BENCH_SRC := $(sort $(wildcard bench/*.c))
CMD_SRC   := $(sort $(wildcard cmd/*.c))
UNIT_SRC  := $(sort $(wildcard tests/unit/test_*.c))

LIB_OBJ   := $(LIB_SRC:%.c=$(O)/%.o) $(O)/version.o
BENCH_OBJ := $(BENCH_SRC:%.c=$(O)/%.o)
CMD_OBJ   := $(CMD_SRC:%.c=$(O)/%.o)
UNIT_BIN  := $(UNIT_SRC:tests/unit/%.c=$(O)/tests/%)
HELPERS   := $(O)/fb-exec-helper

SAN       := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined

# Fuzz targets (tests/fuzz/fuzz_NAME.c) and their seed corpora (tests/fuzz/corpus/NAME/).
FUZZ_TARGETS := opt cpulist config result selector kimage monitor profile noise document \
		campaign kneeds interference walk sysinfo smaps benchout kmsg topoxml pguri \
		vmopt guestcopy
FUZZ_SECONDS ?= 600
FUZZ_SAN  := -fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer \
             -fno-sanitize-recover=undefined
FUZZ_COMMON := tests/fuzz/fuzz_common.c

# Where make install puts things; DESTDIR is prepended (staged installs, packages).
PREFIX    ?= /usr/local
BINDIR    ?= $(PREFIX)/bin
DATADIR   ?= $(PREFIX)/share
MANDIR    ?= $(DATADIR)/man
BASHCOMPDIR ?= $(DATADIR)/bash-completion/completions

.PHONY: all run check check-vm-long deps test layers unit e2e san clean format format-check tidy FORCE replay \
	fuzz fuzz-bins man install uninstall store-bench
.DELETE_ON_ERROR:

all: faultbench man

faultbench: $(O)/faultbench
	@ln -sf $(O)/faultbench $@

$(O)/faultbench: $(CMD_OBJ) $(BENCH_OBJ) $(LIB_OBJ) | $(HELPERS)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# The man pages come from the options tables the binary is built from: they cannot drift.
man: $(O)/man/faultbench.1

$(O)/man/faultbench.1: $(O)/faultbench
	@rm -rf $(O)/man.tmp && $(O)/faultbench help --man-dir $(O)/man.tmp && \
		rm -rf $(O)/man && mv $(O)/man.tmp $(O)/man

# fb-exec-helper goes beside the binary: aim9, stress and vm look for it there.
# The directories install creates (and their missing parents) are listed in
# DATADIR/faultbench/created-dirs: uninstall removes those, when empty, and no other.
INSTALL_DIRS = $(BINDIR) $(MANDIR)/man1 $(BASHCOMPDIR) $(DATADIR)/faultbench/configs \
	$(DATADIR)/faultbench/scripts $(DATADIR)/faultbench/vm
install: $(O)/faultbench man
	@for d in $(INSTALL_DIRS); do while [ "$$d" != / ] && [ ! -d "$(DESTDIR)$$d" ]; do echo "$$d"; \
		d=$$(dirname "$$d"); done; done | sort -u >$(O)/created-dirs
	install -d $(addprefix $(DESTDIR),$(INSTALL_DIRS))
	install -m 644 $(O)/created-dirs $(DESTDIR)$(DATADIR)/faultbench/created-dirs
	install -m 755 $(O)/faultbench $(O)/fb-exec-helper $(DESTDIR)$(BINDIR)/
	install -m 644 $(O)/man/*.1 $(DESTDIR)$(MANDIR)/man1/
	install -m 644 scripts/faultbench.bash $(DESTDIR)$(BASHCOMPDIR)/faultbench
	install -m 644 configs/*.ini $(DESTDIR)$(DATADIR)/faultbench/configs/
	install -m 755 scripts/nightly.sh scripts/faultbench-bisect-step \
		$(DESTDIR)$(DATADIR)/faultbench/scripts/
	install -m 755 scripts/vm/* $(DESTDIR)$(DATADIR)/faultbench/vm/

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/faultbench $(DESTDIR)$(BINDIR)/fb-exec-helper \
		$(DESTDIR)$(MANDIR)/man1/faultbench.1 $(DESTDIR)$(MANDIR)/man1/faultbench-*.1 \
		$(DESTDIR)$(BASHCOMPDIR)/faultbench
	@cp $(DESTDIR)$(DATADIR)/faultbench/created-dirs $(O)/uninstall-dirs 2>/dev/null || \
		: >$(O)/uninstall-dirs
	rm -rf $(DESTDIR)$(DATADIR)/faultbench
	@sort -r $(O)/uninstall-dirs | while read -r d; do \
		rmdir "$(DESTDIR)$$d" 2>/dev/null || true; done

# The exec benchmark needs a tiny static program that does nothing but exit.
$(O)/fb-exec-helper: bench/helper/exec_helper.c
	@mkdir -p $(dir $@)
	$(CC) -O2 -static -nostdlib -fno-stack-protector -o $@ $< 2>/dev/null || \
		$(CC) -O2 -static -o $@ $<

# Rewritten only when git describe changes, so results never carry a stale version.
$(O)/version.c: FORCE
	@mkdir -p $(dir $@)
	@echo 'const char fb_version[] = "$(VERSION)";' >$@.tmp
	@cmp -s $@.tmp $@ && rm -f $@.tmp || mv $@.tmp $@

$(O)/version.o: $(O)/version.c
	$(CC) $(CFLAGS) -c -o $@ $<

$(O)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(WARN) -MMD -MP -c -o $@ $<

# Tests and fuzz targets link an archive, so each pulls in only the objects it
# uses: a test of the analysis side links no benchmark code.
$(O)/libfaultbench.a: $(LIB_OBJ) $(BENCH_OBJ)
	@rm -f $@
	$(AR) rcs $@ $^

$(O)/tests/%: tests/unit/%.c $(O)/libfaultbench.a
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(WARN) -Wno-missing-prototypes -o $@ $^ $(LDLIBS)

# A fuzz target with a main() that replays files: gcc, no libFuzzer needed.
$(O)/fuzz/replay_%: tests/fuzz/fuzz_%.c $(FUZZ_COMMON) tests/fuzz/replay.c $(O)/libfaultbench.a
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) -Itests/fuzz $(CFLAGS) $(WARN) -Wno-missing-prototypes $(LDFLAGS) -o $@ $^ $(LDLIBS)

# The same target as a libFuzzer binary (make fuzz builds these with clang).
$(O)/fuzz/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZ_COMMON) $(O)/libfaultbench.a
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) -Itests/fuzz $(CFLAGS) $(WARN) -Wno-missing-prototypes $(LDFLAGS) \
		-fsanitize=fuzzer -o $@ $^ $(LDLIBS)

-include $(shell find $(O) -name '*.d' 2>/dev/null)

# Installs what is missing when root, otherwise prints the command and stops.
deps:
	@scripts/deps.sh $(DEB_PKGS)

unit: $(UNIT_BIN)
	@scripts/run-unit.sh $(UNIT_BIN)

e2e: $(O)/faultbench
	@FAULTBENCH=$(CURDIR)/$(O)/faultbench scripts/run-e2e.sh

# The architecture as a test: which folder includes and links which, every
# folder has a rule, no include circles (tests/tools/layers.py).
layers: $(O)/faultbench
	@O=$(O) tests/tools/layers.sh

# The tree as its own .clang-format has it (tests/tools/format-check.sh).
format-check:
	@tests/tools/format-check.sh

test: layers unit e2e

# Slow qemu tests left out of make check (tests/vm-long): scripts/faultbench-bisect-step
# booting two prebuilt kernels in faultbench vm, several minutes under TCG.
check-vm-long: $(O)/faultbench
	@FAULTBENCH=$(CURDIR)/$(O)/faultbench FB_VM_BIG=1 FB_E2E=test_vm scripts/run-e2e.sh
	@FAULTBENCH=$(CURDIR)/$(O)/faultbench FB_E2E_DIR=tests/vm-long scripts/run-e2e.sh

# Every corpus file once through its target: each past finding stays fixed.
replay: $(FUZZ_TARGETS:%=$(O)/fuzz/replay_%)
	@for t in $(FUZZ_TARGETS); do $(O)/fuzz/replay_$$t tests/fuzz/corpus/$$t || exit 1; done

# The same tests built with AddressSanitizer and UBSan, in their own build tree.
san:
	@$(MAKE) --no-print-directory O=build-san CFLAGS="-O1 -g $(SAN)" LDFLAGS="$(SAN)" \
		FB_SANITIZED=1 replay test

fuzz-bins: $(FUZZ_TARGETS:%=$(O)/fuzz/fuzz_%)

# libFuzzer on each target in turn, FUZZ_SECONDS each; new inputs go to
# build-fuzz/corpus/NAME (copy the interesting ones to tests/fuzz/corpus/NAME),
# a finding to build-fuzz/crash-NAME-*, and the run stops there.  A finding
# exits 77 (crash) or 70 (timeout) and keeps its input; a run stopped
# otherwise (Ctrl-C, kill) leaves no empty crash file behind.
fuzz:
	@command -v clang >/dev/null || { echo "make fuzz needs clang: apt-get install clang libclang-rt-14-dev" >&2; exit 2; }
	@$(MAKE) --no-print-directory O=build-fuzz CC=clang CFLAGS="-O1 -g $(FUZZ_SAN)" \
		LDFLAGS="$(FUZZ_SAN)" fuzz-bins
	@trap 'find build-fuzz -maxdepth 1 -name "crash-*" -empty -delete; exit 130' INT TERM; \
	for t in $(FUZZ_TARGETS); do \
		mkdir -p build-fuzz/corpus/$$t && \
		echo "fuzz $$t: $(FUZZ_SECONDS) s" && \
		build-fuzz/fuzz/fuzz_$$t -max_total_time=$(FUZZ_SECONDS) -timeout=20 -rss_limit_mb=2048 \
			-error_exitcode=77 -timeout_exitcode=70 \
			-print_final_stats=1 -artifact_prefix=build-fuzz/crash-$$t- \
			build-fuzz/corpus/$$t tests/fuzz/corpus/$$t; rc=$$?; \
		[ $$rc = 77 ] || [ $$rc = 70 ] || \
			find build-fuzz -maxdepth 1 -name "crash-$$t-*" -empty -delete; \
		[ $$rc = 0 ] || exit 1; \
	done

# The results store with 100,000 synthetic results: import and history times
# (docs/store.md).  Minutes and about 2 GB in /tmp: not part of make check.
store-bench: $(O)/faultbench
	@FAULTBENCH=$(CURDIR)/$(O)/faultbench scripts/store-bench.sh $(STORE_BENCH_N)

check: deps
	@$(MAKE) --no-print-directory all
	@$(MAKE) --no-print-directory format-check
	@$(MAKE) --no-print-directory test
	@$(MAKE) --no-print-directory san

run: deps
	@$(MAKE) --no-print-directory all
	@scripts/quick-run.sh

format:
	clang-format -i $$(git ls-files '*.c' '*.h' | grep -v '^tests/fuzz/corpus/')

tidy:
	clang-tidy $(LIB_SRC) $(BENCH_SRC) $(CMD_SRC) -- $(CPPFLAGS)

clean:
	rm -rf build build-san build-fuzz faultbench
