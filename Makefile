# recon: the developer's menu.
#   make            build build/recon
#   make demo       run the nightly sequence over fixtures/demo into reports/
#   make check      every test: unit, golden, integration (installs what is missing)
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
WARN     = -Wall -Wextra -Wpedantic -Wshadow -Wvla -Wformat=2 -Wstrict-prototypes -Werror
OPT     ?= -O2 -g
CFLAGS  ?=
ALL_CFLAGS = -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE $(OPT) $(WARN) $(PKG_CFLAGS) -Isrc -I$(BUILD) $(CFLAGS)
LDFLAGS ?=

SRC      = $(filter-out src/main.c,$(wildcard src/*.c))
OBJ      = $(SRC:src/%.c=$(BUILD)/%.o) $(BUILD)/templates_builtin.o
UNIT     = $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(wildcard tests/unit/test_*.c))

.PHONY: all deps demo check unit golden integration bench asan fuzz install clean

all: deps $(BUILD)/recon

deps:
	@./tests/bootstrap.sh build

$(BUILD)/recon: $(OBJ) $(BUILD)/main.o
	$(CC) $(LDFLAGS) -o $@ $^ $(PKG_LIBS)

$(BUILD)/%.o: src/%.c src/*.h | $(BUILD)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

# The HTML shell and CSS are compiled into the binary: an installed recon
# needs no data files.
$(BUILD)/templates_builtin.c: templates/shell.html templates/style.css tests/embed.sh | $(BUILD)
	./tests/embed.sh templates/shell.html templates/style.css > $@
$(BUILD)/templates_builtin.o: $(BUILD)/templates_builtin.c
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD):
	mkdir -p $(BUILD)/tests

$(BUILD)/tests/%: tests/unit/%.c $(OBJ) | $(BUILD)
	$(CC) $(ALL_CFLAGS) $(shell pkg-config --cflags check) -o $@ $< $(OBJ) $(PKG_LIBS) $(shell pkg-config --libs check)

demo: all
	./tests/demo.sh $(BUILD)/recon

unit: all $(UNIT)
	@set -e; for t in $(UNIT); do echo "== $$t"; CK_FORK=yes $$t; done

golden: all
	./tests/golden/run.sh $(BUILD)/recon

integration: all
	./tests/integration/run.sh $(BUILD)/recon

check: deps
	@./tests/bootstrap.sh check
	$(MAKE) all
	$(MAKE) unit golden integration
	@echo "make check: all tests passed"

bench: all
	./tests/bench/run.sh $(BUILD)/recon

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1
	install -m 755 $(BUILD)/recon $(DESTDIR)$(BINDIR)/recon
	install -m 644 recon.1 $(DESTDIR)$(MANDIR)/man1/recon.1

clean:
	rm -rf $(BUILD) build-asan
