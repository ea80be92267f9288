# recon: the developer's menu.
#   make            build build/recon (never installs anything: a missing
#                   library stops the build with the command that installs it)
#   make deps       install what is missing: Debian packages (apt-get, as
#                   root) and DuckDB's C library in deps/ (DEPS=build|check|bench)
#   make demo       deps, then the nightly sequence over fixtures/demo into reports/
#   make check      deps, then every test with -Werror: unit, golden,
#                   integration, browser, build, asan, valgrind, fuzz-regress
#   make asan       every test against an ASan+UBSan build in build-asan/
#   make tsan       compare's threads under ThreadSanitizer (clang), in build-tsan/
#   make valgrind   the golden tests under valgrind memcheck
#   make fuzz       each libFuzzer target for FUZZ_SECONDS (default 60)
#   make fuzz-regress  each fuzz corpus once (a regression test)
#   make bench      deps, then benchmarks against peers, side by side
#   make install    PREFIX=/usr/local DESTDIR= BINDIR= MANDIR= LIBDIR=
#   make uninstall  remove what make install put there
#   make fresh-test make demo and make check in a clean Debian 12 chroot
#   make clean      remove the build directories (deps/ stays)
#   make distclean  clean, and remove deps/

.DEFAULT_GOAL := all

PREFIX  ?= /usr/local
BINDIR  ?= $(PREFIX)/bin
MANDIR  ?= $(PREFIX)/share/man
LIBDIR  ?= $(PREFIX)/lib
PKGLIBDIR = $(LIBDIR)/recon
BUILD   ?= build
CC      ?= cc
DEPS    ?= build
DUCKDB_PREFIX ?=
WARN     = -Wall -Wextra -Wpedantic -Wshadow -Wvla -Wformat=2 -Wstrict-prototypes
WERROR  ?=
OPT     ?= -O2 -g
CFLAGS  ?=
LDFLAGS ?=

# Targets that run before, or without, the library discovery: they read
# no config.mk (demo, check and bench run `make deps` first, then make
# again for the rest).
NOCONFIG_GOALS = deps demo check bench clean distclean uninstall fresh-test
ifeq ($(MAKECMDGOALS),)
NEED_CONFIG = yes
else ifneq ($(filter-out $(NOCONFIG_GOALS),$(MAKECMDGOALS)),)
NEED_CONFIG = yes
endif

ifdef NEED_CONFIG
# The flags of every library, found by tools/configure.sh; make remakes
# config.mk, then restarts, when the script, the Makefile, CC or
# DUCKDB_PREFIX change.
include $(BUILD)/config.mk
endif

$(BUILD)/config.mk: tools/configure.sh Makefile $(BUILD)/config.args
	@CC='$(CC)' DUCKDB_PREFIX='$(DUCKDB_PREFIX)' ./tools/configure.sh $(BUILD)

# write-if-changed NAME,TEXT: a recipe that rewrites file NAME only when
# its content would change, so what depends on it is rebuilt only then.
write-if-changed = @$(shell mkdir -p $(dir $(1)))$(file >$(1).new,$(2)) \
	if cmp -s $(1).new $(1); then rm -f $(1).new; else mv $(1).new $(1); fi

$(BUILD)/config.args: FORCE
	$(call write-if-changed,$@,CC=$(CC) DUCKDB_PREFIX=$(DUCKDB_PREFIX))

ALL_CFLAGS = -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE $(OPT) $(WARN) $(WERROR) \
	$(PKG_CFLAGS) $(DUCKDB_CFLAGS) -Isrc -I$(BUILD) $(CFLAGS)
LIBS     = $(PKG_LIBS) $(DUCKDB_LIBS)

# Objects are rebuilt when the compiler or its flags change (-Werror on or
# off, another CC), as git does with GIT-CFLAGS.
$(BUILD)/cflags: FORCE
	$(call write-if-changed,$@,$(CC) $(ALL_CFLAGS))

SRC      = $(filter-out src/main.c,$(wildcard src/*.c))
OBJ      = $(SRC:src/%.c=$(BUILD)/%.o) $(BUILD)/templates_builtin.o
UNIT     = $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(wildcard tests/unit/test_*.c))

.PHONY: all deps demo check unit golden integration browser build-tests docs bench asan tsan tsan-run valgrind \
	fuzz fuzz-regress install uninstall fresh-test clean distclean FORCE

all: $(BUILD)/recon

deps:
	@./tools/bootstrap.sh $(DEPS)

$(BUILD)/recon: $(OBJ) $(BUILD)/main.o
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS)

$(BUILD)/%.o: src/%.c src/*.h $(BUILD)/cflags
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

# The HTML shell and CSS are compiled into the binary: an installed recon
# needs no data files.
$(BUILD)/templates_builtin.c: templates/shell.html templates/style.css tools/embed.sh | $(BUILD)
	./tools/embed.sh templates/shell.html templates/style.css > $@
$(BUILD)/templates_builtin.o: $(BUILD)/templates_builtin.c $(BUILD)/cflags
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD) $(BUILD)/tests:
	mkdir -p $(BUILD)/tests

# The unit tests' library (check) comes with `make deps DEPS=check`; its
# flags are read when a test is linked, not when make starts.
$(BUILD)/tests/%: tests/unit/%.c $(OBJ) | $(BUILD)/tests
	@pkg-config --exists check || { echo "unit tests need check: sudo apt-get install -y check (or make deps DEPS=check)" >&2; exit 1; }
	$(CC) $(ALL_CFLAGS) $$(pkg-config --cflags check) -o $@ $< $(OBJ) $(LIBS) $$(pkg-config --libs check)

demo:
	@$(MAKE) --no-print-directory deps
	@$(MAKE) --no-print-directory all
	./tests/demo.sh $(BUILD)/recon

unit: all $(UNIT)
	@set -e; for t in $(UNIT); do echo "== $$t"; CK_FORK=yes $$t; done

golden: all
	./tests/golden/run.sh $(BUILD)/recon

integration: all
	./tests/integration/run.sh $(BUILD)/recon

# The generated pages in headless Chromium (DOM, console, no network), tidy.
browser: all
	./tests/browser/run.sh $(BUILD)/recon

# Developers' builds turn warnings into errors.
# Every skipped test appends "SKIP NAME: REASON" to $(SKIP_LOG)
# (tests/lib/skip.sh); check ends by counting and listing them.
SKIP_LOG = $(CURDIR)/build/skipped.log
export RECON_SKIP_LOG = $(SKIP_LOG)

check:
	@$(MAKE) --no-print-directory deps DEPS=check
	@mkdir -p build && rm -f $(SKIP_LOG) build/check-times.log && touch $(SKIP_LOG)
	$(MAKE) WERROR=-Werror all
	@for t in unit golden integration browser build-tests docs asan tsan valgrind fuzz-regress; do \
		t0=$$(date +%s); \
		$(MAKE) WERROR=-Werror $$t || exit 1; \
		echo "make check: $$t took $$(($$(date +%s) - t0)) s" | tee -a build/check-times.log; \
	done
	@n=$$(wc -l < $(SKIP_LOG)); cat $(SKIP_LOG) build/check-times.log; \
	echo "make check: all tests passed, $$n skipped"

# The manual pages lint-clean, README.md within its size, nothing that
# points outside the repository.
docs:
	./tests/docs/man_lint.sh

# The build itself: configure's messages, the DuckDB fetch's checks,
# install and uninstall, the README's CI recipe and cron line.
build-tests: all
	./tests/build/run.sh $(BUILD)/recon

# Sanitizers: the whole suite against build-asan/recon, built with ASan and
# UBSan and an arena that mallocs each allocation.  Every sanitizer report
# goes to a log file too, so one is caught even where a test ignores exit
# statuses; any log fails the target.  The unit tests' time limits are five times
# check's default there: sanitized code runs several times slower.
SAN      = -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
SAN_LOGS = $(CURDIR)/build-asan/sanitizer-logs
asan:
	@rm -rf $(SAN_LOGS) && mkdir -p $(SAN_LOGS)
	@st=0; \
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:log_path=$(SAN_LOGS)/asan \
	UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1:log_path=$(SAN_LOGS)/ubsan \
	RECON_SANITIZER=asan CK_TIMEOUT_MULTIPLIER=5 \
	$(MAKE) -k BUILD=build-asan OPT="-O1 -g $(SAN)" CFLAGS=-DRECON_ARENA_MALLOC WERROR=-Werror \
		LDFLAGS="$(SAN)" unit golden integration || st=$$?; \
	if [ -n "$$(ls $(SAN_LOGS))" ]; then \
		echo "asan: sanitizer reports:"; cat $(SAN_LOGS)/*; exit 1; fi; \
	[ $$st = 0 ] && echo "asan: all tests passed, no sanitizer report"; exit $$st

# ThreadSanitizer (clang): compare reads its two sides on two threads into
# one striped key table, with spin locks and lock-free prefetches.  Its
# unit suites (the compare's, and the key table's with two inserting
# threads) and the two-connection PostgreSQL compare run against
# build-tsan/; any report fails the target, as in asan.
TSAN_CC   ?= clang
TSAN       = -fsanitize=thread -fno-omit-frame-pointer
TSAN_LOGS  = $(CURDIR)/build-tsan/sanitizer-logs
tsan:
	@rm -rf $(TSAN_LOGS) && mkdir -p $(TSAN_LOGS)
	@st=0; \
	TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1:log_path=$(TSAN_LOGS)/tsan:suppressions=$(CURDIR)/tests/lib/tsan.supp \
	RECON_SANITIZER=tsan \
	$(MAKE) BUILD=build-tsan CC=$(TSAN_CC) OPT="-O1 -g $(TSAN)" WERROR=-Werror \
		LDFLAGS="$(TSAN)" tsan-run || st=$$?; \
	if [ -n "$$(ls $(TSAN_LOGS))" ]; then \
		echo "tsan: sanitizer reports:"; cat $(TSAN_LOGS)/*; exit 1; fi; \
	[ $$st = 0 ] && echo "tsan: compare's threads ran clean"; exit $$st

tsan-run: all $(BUILD)/tests/test_compare $(BUILD)/tests/test_compare_table
	CK_FORK=no $(BUILD)/tests/test_compare
	CK_FORK=no $(BUILD)/tests/test_compare_table
	./tests/integration/pg_compare_cut.sh $(BUILD)/recon

# valgrind memcheck over the golden tests: the runner is handed a wrapper
# that execs valgrind on $(BUILD)/recon.  Each case runs in its own
# scratch directory, so two runners take every other case each, one per
# core: valgrind runs one thread at a time and is the slowest stage.
VALGRIND_CASES = $(sort $(patsubst tests/golden/%/runs,%,$(wildcard tests/golden/*/runs)))
valgrind: all
	@export RECON_REAL=$(CURDIR)/$(BUILD)/recon; \
	./tests/golden/run.sh tests/robustness/valgrind-recon.sh \
		$(shell echo $(VALGRIND_CASES) | tr ' ' '\n' | awk 'NR % 2') > $(BUILD)/valgrind-1.log 2>&1 & \
	p=$$!; \
	./tests/golden/run.sh tests/robustness/valgrind-recon.sh \
		$(shell echo $(VALGRIND_CASES) | tr ' ' '\n' | awk 'NR % 2 == 0') > $(BUILD)/valgrind-2.log 2>&1; \
	s2=$$?; wait $$p; s1=$$?; \
	cat $(BUILD)/valgrind-1.log $(BUILD)/valgrind-2.log; \
	[ $$s1 = 0 ] && [ $$s2 = 0 ] && echo "valgrind: $(words $(VALGRIND_CASES)) golden cases clean"

# libFuzzer targets (clang): each harness links the sources it needs from a
# static library built with the fuzzer, ASan and UBSan instrumentation.
FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 60
FUZZ_DIR      = build-asan/fuzz
FUZZ_FLAGS    = -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -g -O1 \
		-fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all \
		$(WARN) -Werror -DRECON_ARENA_MALLOC $(PKG_CFLAGS) $(DUCKDB_CFLAGS) -Isrc -I$(FUZZ_DIR)
FUZZERS       = csv config history
FUZZ_OBJ      = $(SRC:src/%.c=$(FUZZ_DIR)/obj/%.o) $(FUZZ_DIR)/obj/templates_builtin.o
FUZZ_ENV      = ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
		UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1

$(FUZZ_DIR)/obj/%.o: src/%.c src/*.h
	@mkdir -p $(FUZZ_DIR)/obj
	$(FUZZ_CC) $(FUZZ_FLAGS) -fsanitize=fuzzer-no-link -c -o $@ $<
$(FUZZ_DIR)/templates_builtin.c: templates/shell.html templates/style.css tools/embed.sh
	@mkdir -p $(FUZZ_DIR)
	./tools/embed.sh templates/shell.html templates/style.css > $@
$(FUZZ_DIR)/obj/templates_builtin.o: $(FUZZ_DIR)/templates_builtin.c
	@mkdir -p $(FUZZ_DIR)/obj
	$(FUZZ_CC) $(FUZZ_FLAGS) -c -o $@ $<
$(FUZZ_DIR)/librecon.a: $(FUZZ_OBJ)
	rm -f $@ && ar rcs $@ $^
$(FUZZ_DIR)/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZ_DIR)/librecon.a
	$(FUZZ_CC) $(FUZZ_FLAGS) -fsanitize=fuzzer -o $@ $< $(FUZZ_DIR)/librecon.a $(LIBS)

# Each target for FUZZ_SECONDS; new inputs go to $(FUZZ_DIR)/corpus-NAME
# (seeded from tests/fuzz/corpus/NAME), crashes to $(FUZZ_DIR)/.
fuzz: $(FUZZERS:%=$(FUZZ_DIR)/fuzz_%)
	@set -e; for f in $(FUZZERS); do \
		mkdir -p $(FUZZ_DIR)/corpus-$$f; \
		echo "== fuzz_$$f for $(FUZZ_SECONDS) s"; \
		$(FUZZ_ENV) $(FUZZ_DIR)/fuzz_$$f -max_total_time=$(FUZZ_SECONDS) -timeout=10 \
			-rss_limit_mb=2048 -max_len=65536 -print_final_stats=1 \
			-artifact_prefix=$(FUZZ_DIR)/findings-$$f- \
			$(FUZZ_DIR)/corpus-$$f tests/fuzz/corpus/$$f 2>&1 | \
			grep -E '^(stat::|#[0-9]+ +DONE|==[0-9]+==|SUMMARY|Done)' || true; \
		if ls $(FUZZ_DIR)/findings-$$f-* >/dev/null 2>&1; then \
			echo "fuzz_$$f: findings in $(FUZZ_DIR)/findings-$$f-*"; exit 1; fi; \
	done

# Every seed once, under the sanitizers: a regression test.
fuzz-regress: $(FUZZERS:%=$(FUZZ_DIR)/fuzz_%)
	@set -e; for f in $(FUZZERS); do \
		n=$$(ls tests/fuzz/corpus/$$f | wc -l); \
		$(FUZZ_ENV) $(FUZZ_DIR)/fuzz_$$f -timeout=30 tests/fuzz/corpus/$$f/* \
			> $(FUZZ_DIR)/regress-$$f.log 2>&1 || \
			{ tail -40 $(FUZZ_DIR)/regress-$$f.log; echo "FAIL fuzz_$$f"; exit 1; }; \
		echo "ok fuzz_$$f: $$n inputs"; \
	done

bench:
	@$(MAKE) --no-print-directory deps DEPS=bench
	@$(MAKE) --no-print-directory all
	./tests/bench/run.sh $(BUILD)/recon

# The installed binary finds libduckdb.so in $(PKGLIBDIR) through an
# $$ORIGIN-relative run path (so a DESTDIR tree works where it is unpacked),
# or, with DUCKDB_PREFIX, in that copy's own directory.  It is relinked for
# that: build/recon keeps its run path into deps/ and runs in place.
MANPAGES = $(wildcard recon.1 man/*.1 man/*.5 man/*.7)
ifeq ($(DUCKDB_BUNDLED),yes)
INSTALL_RPATH = $$ORIGIN/$(shell realpath -m --relative-to=$(BINDIR) $(PKGLIBDIR))
else
INSTALL_RPATH = $(DUCKDB_LIBDIR)
endif
INSTALL_LIBS = $(PKG_LIBS) -L$(DUCKDB_LIBDIR) -Wl,-rpath,'$(INSTALL_RPATH)' -lduckdb

$(BUILD)/install/ldflags: FORCE
	$(call write-if-changed,$@,$(CC) $(LDFLAGS) $(INSTALL_LIBS))
$(BUILD)/install/recon: $(OBJ) $(BUILD)/main.o $(BUILD)/install/ldflags
	$(CC) $(LDFLAGS) -o $@ $(OBJ) $(BUILD)/main.o $(INSTALL_LIBS)

install: all $(BUILD)/install/recon
	install -d $(DESTDIR)$(BINDIR)
	install -m 755 $(BUILD)/install/recon $(DESTDIR)$(BINDIR)/recon
ifeq ($(DUCKDB_BUNDLED),yes)
	install -d $(DESTDIR)$(PKGLIBDIR)
	install -m 644 $(DUCKDB_LIBDIR)/libduckdb.so $(DESTDIR)$(PKGLIBDIR)/libduckdb.so
endif
	@set -e; for m in $(MANPAGES); do \
		s=$${m##*.}; \
		echo "install -m 644 $$m $(DESTDIR)$(MANDIR)/man$$s/$${m##*/}"; \
		install -d $(DESTDIR)$(MANDIR)/man$$s; \
		install -m 644 $$m $(DESTDIR)$(MANDIR)/man$$s/$${m##*/}; \
	done

# Exactly what install put there; the directories stay unless recon's own
# ($(PKGLIBDIR)) is left empty.
uninstall:
	rm -f $(DESTDIR)$(BINDIR)/recon $(DESTDIR)$(PKGLIBDIR)/libduckdb.so
	@rmdir $(DESTDIR)$(PKGLIBDIR) 2>/dev/null || true
	@set -e; for m in $(MANPAGES); do \
		s=$${m##*.}; \
		echo "rm -f $(DESTDIR)$(MANDIR)/man$$s/$${m##*/}"; \
		rm -f $(DESTDIR)$(MANDIR)/man$$s/$${m##*/}; \
	done

# make demo, then make check, in a clean Debian 12 chroot holding a clone
# of this repository (slow: debootstrap and every package; needs root).
fresh-test:
	./tests/build/fresh_debian.sh

clean:
	rm -rf $(BUILD) build-asan build-tsan

distclean: clean
	rm -rf deps

FORCE:
