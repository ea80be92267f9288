# recon: the developer's menu.
#   make            build build/recon
#   make demo       run the nightly sequence over fixtures/demo into reports/
#   make check      every test: unit, golden, integration (installs what is missing),
#                   then asan, valgrind and fuzz-regress
#   make asan       every test against an ASan+UBSan build in build-asan/
#   make valgrind   the golden tests under valgrind memcheck
#   make fuzz       each libFuzzer target for FUZZ_SECONDS (default 60)
#   make fuzz-regress  each fuzz corpus once (a regression test)
#   make bench      benchmarks against peers, side by side
#   make install    PREFIX=/usr/local DESTDIR=

PREFIX  ?= /usr/local
BINDIR  ?= $(PREFIX)/bin
MANDIR  ?= $(PREFIX)/share/man
BUILD   ?= build
CC      ?= cc
PKGS     = sqlite3 libpq libcmark-gfm jansson inih libcrypto
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lcmark-gfm-extensions -lcsv -lpthread -lm
# DuckDB's C library, the engine of snapshot directories (deps/ holds it).
DUCKDB_DIR    ?= deps/duckdb-1.4.4
DUCKDB_CFLAGS ?= -isystem $(DUCKDB_DIR)/include
DUCKDB_LIBS   ?= -L$(DUCKDB_DIR)/lib -lduckdb -Wl,-rpath,$(abspath $(DUCKDB_DIR))/lib
PKG_CFLAGS += $(DUCKDB_CFLAGS)
PKG_LIBS   += $(DUCKDB_LIBS)
WARN     = -Wall -Wextra -Wpedantic -Wshadow -Wvla -Wformat=2 -Wstrict-prototypes -Werror
OPT     ?= -O2 -g
CFLAGS  ?=
ALL_CFLAGS = -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE $(OPT) $(WARN) $(PKG_CFLAGS) -Isrc -I$(BUILD) $(CFLAGS)
LDFLAGS ?=

SRC      = $(filter-out src/main.c,$(wildcard src/*.c))
OBJ      = $(SRC:src/%.c=$(BUILD)/%.o) $(BUILD)/templates_builtin.o
UNIT     = $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(wildcard tests/unit/test_*.c))

.PHONY: all deps demo check unit golden integration browser bench asan valgrind fuzz fuzz-regress install clean

all: deps $(BUILD)/recon

deps:
	@./tools/bootstrap.sh build

$(BUILD)/recon: $(OBJ) $(BUILD)/main.o
	$(CC) $(LDFLAGS) -o $@ $^ $(PKG_LIBS)

$(BUILD)/%.o: src/%.c src/*.h | $(BUILD)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

# The HTML shell and CSS are compiled into the binary: an installed recon
# needs no data files.
$(BUILD)/templates_builtin.c: templates/shell.html templates/style.css tools/embed.sh | $(BUILD)
	./tools/embed.sh templates/shell.html templates/style.css > $@
$(BUILD)/templates_builtin.o: $(BUILD)/templates_builtin.c
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD) $(BUILD)/tests:
	mkdir -p $(BUILD)/tests

$(BUILD)/tests/%: tests/unit/%.c $(OBJ) | $(BUILD)/tests
	$(CC) $(ALL_CFLAGS) $(shell pkg-config --cflags check) -o $@ $< $(OBJ) $(PKG_LIBS) $(shell pkg-config --libs check)

demo: all
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

check: deps
	@./tools/bootstrap.sh check
	$(MAKE) all
	$(MAKE) unit golden integration browser
	$(MAKE) asan valgrind fuzz-regress
	@echo "make check: all tests passed"

# Sanitizers: the whole suite against build-asan/recon, built with ASan and
# UBSan and an arena that mallocs each allocation.  Every sanitizer report
# goes to a log file too, so one is caught even where a test ignores exit
# statuses; any log fails the target.
SAN      = -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
SAN_LOGS = $(CURDIR)/build-asan/sanitizer-logs
asan: deps
	@rm -rf $(SAN_LOGS) && mkdir -p $(SAN_LOGS)
	@st=0; \
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:log_path=$(SAN_LOGS)/asan \
	UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1:log_path=$(SAN_LOGS)/ubsan \
	RECON_SANITIZER=asan \
	$(MAKE) -k BUILD=build-asan OPT="-O1 -g $(SAN)" CFLAGS=-DRECON_ARENA_MALLOC \
		LDFLAGS="$(SAN)" unit golden integration || st=$$?; \
	if [ -n "$$(ls $(SAN_LOGS))" ]; then \
		echo "asan: sanitizer reports:"; cat $(SAN_LOGS)/*; exit 1; fi; \
	[ $$st = 0 ] && echo "asan: all tests passed, no sanitizer report"; exit $$st

# valgrind memcheck over the golden tests: the runner is handed a wrapper
# that execs valgrind on $(BUILD)/recon.
valgrind: all
	RECON_REAL=$(CURDIR)/$(BUILD)/recon ./tests/golden/run.sh tests/robustness/valgrind-recon.sh

# libFuzzer targets (clang): each harness links the sources it needs from a
# static library built with the fuzzer, ASan and UBSan instrumentation.
FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 60
FUZZ_DIR      = build-asan/fuzz
FUZZ_FLAGS    = -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -g -O1 \
		-fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all \
		-DRECON_ARENA_MALLOC $(PKG_CFLAGS) -Isrc -I$(FUZZ_DIR)
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
	$(FUZZ_CC) $(FUZZ_FLAGS) -fsanitize=fuzzer -o $@ $< $(FUZZ_DIR)/librecon.a $(PKG_LIBS)

# Each target for FUZZ_SECONDS; new inputs go to $(FUZZ_DIR)/corpus-NAME
# (seeded from tests/fuzz/corpus/NAME), crashes to $(FUZZ_DIR)/.
fuzz: deps $(FUZZERS:%=$(FUZZ_DIR)/fuzz_%)
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
fuzz-regress: deps $(FUZZERS:%=$(FUZZ_DIR)/fuzz_%)
	@set -e; for f in $(FUZZERS); do \
		n=$$(ls tests/fuzz/corpus/$$f | wc -l); \
		$(FUZZ_ENV) $(FUZZ_DIR)/fuzz_$$f -timeout=30 tests/fuzz/corpus/$$f/* \
			> $(FUZZ_DIR)/regress-$$f.log 2>&1 || \
			{ tail -40 $(FUZZ_DIR)/regress-$$f.log; echo "FAIL fuzz_$$f"; exit 1; }; \
		echo "ok fuzz_$$f: $$n inputs"; \
	done

bench: all
	./tests/bench/run.sh $(BUILD)/recon

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1
	install -m 755 $(BUILD)/recon $(DESTDIR)$(BINDIR)/recon
	install -m 644 recon.1 $(DESTDIR)$(MANDIR)/man1/recon.1

clean:
	rm -rf $(BUILD) build-asan
