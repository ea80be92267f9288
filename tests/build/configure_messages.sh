#!/bin/sh
# What a newcomer sees when a library is missing: configure names the
# header or library it lacks and prints one command that installs it;
# make stops before compiling anything, writes no config.mk, and never runs
# apt-get or sudo itself.  DUCKDB_PREFIX takes both layouts of an installed
# DuckDB.  Missing libraries are simulated with a pkg-config that hides
# some modules and with a DUCKDB_PREFIX without DuckDB.
set -eu
top=$(pwd)
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

# A pkg-config that hides the modules named in HIDE.
mkdir -p "$t/bin"
cat > "$t/bin/pkg-config" <<'PC'
#!/bin/sh
for a in "$@"; do
	for h in $HIDE; do [ "$a" = "$h" ] && exit 1; done
done
exec /usr/bin/pkg-config "$@"
PC
# apt-get and sudo that leave a trace if anything calls them.
for p in apt-get sudo; do
	printf '#!/bin/sh\necho "$0 $*" >> %s/called\nexit 1\n' "$t" > "$t/bin/$p"
done
chmod +x "$t/bin/"*

# 1. libpq hidden: its header is named, with the package and `make deps`.
if HIDE=libpq PKG_CONFIG="$t/bin/pkg-config" ./tools/configure.sh "$t/b1" 2> "$t/err1"; then
	fail "configure passed without libpq"
fi
grep -q "missing libpq-fe.h" "$t/err1" || { cat "$t/err1"; fail "libpq-fe.h not named"; }
grep -Eq "^    (sudo )?apt-get install -y libpq-dev$" "$t/err1" || { cat "$t/err1"; fail "no install command for libpq-dev"; }
grep -q "make deps" "$t/err1" || fail "make deps not offered"
[ ! -e "$t/b1/config.mk" ] || fail "config.mk written despite a missing library"

# 2. Two libraries hidden: still one command, naming both packages.
HIDE="jansson libcrypto" PKG_CONFIG="$t/bin/pkg-config" ./tools/configure.sh "$t/b2" 2> "$t/err2" && fail "configure passed without jansson, libcrypto"
[ "$(grep -c 'apt-get install' "$t/err2")" = 1 ] || fail "not exactly one install command"
grep -Eq "apt-get install -y libjansson-dev libssl-dev$" "$t/err2" || { cat "$t/err2"; fail "wrong packages"; }

# 3. No pkg-config at all: the package pkg-config is what is missing.
PKG_CONFIG="$t/no-such-pkg-config" ./tools/configure.sh "$t/b3" 2> "$t/err3" && fail "configure passed without pkg-config"
grep -Eq "apt-get install -y pkg-config$" "$t/err3" || { cat "$t/err3"; fail "pkg-config not asked for"; }

# 4. DuckDB missing: make deps (which fetches it) or DUCKDB_PREFIX.
mkdir -p "$t/empty"
DUCKDB_PREFIX="$t/empty" ./tools/configure.sh "$t/b4" 2> "$t/err4" && fail "configure passed without DuckDB"
grep -q "missing duckdb.h" "$t/err4" || { cat "$t/err4"; fail "duckdb.h not named"; }
grep -q "DUCKDB_PREFIX must hold include/duckdb.h and lib/libduckdb.so" "$t/err4" || fail "layout not explained"

# 5. DUCKDB_PREFIX, both layouts: the include and lib directories used.
duck=$top/deps/duckdb-1.4.4
if [ -f "$duck/lib/libduckdb.so" ]; then
	mkdir -p "$t/flat" "$t/tree/include" "$t/tree/lib"
	ln -s "$duck/include/duckdb.h" "$t/flat/duckdb.h"
	ln -s "$duck/lib/libduckdb.so" "$t/flat/libduckdb.so"
	ln -s "$duck/include/duckdb.h" "$t/tree/include/duckdb.h"
	ln -s "$duck/lib/libduckdb.so" "$t/tree/lib/libduckdb.so"
	DUCKDB_PREFIX="$t/flat" ./tools/configure.sh "$t/b5"
	grep -Eqx "DUCKDB_CFLAGS = (-I|-isystem )$t/flat" "$t/b5/config.mk" || fail "flat layout: $(cat "$t/b5/config.mk")"
	grep -qx "DUCKDB_BUNDLED = no" "$t/b5/config.mk" || fail "flat layout counted as bundled"
	DUCKDB_PREFIX="$t/tree" ./tools/configure.sh "$t/b6"
	grep -qx "DUCKDB_LIBS = -L$t/tree/lib -Wl,-rpath,$t/tree/lib -lduckdb" "$t/b6/config.mk" || fail "tree layout: $(cat "$t/b6/config.mk")"
else
	echo "SKIP DUCKDB_PREFIX layouts: no deps/duckdb-1.4.4 (make deps)"
fi

# 6. make itself: stops at configure, compiles nothing, runs no apt-get.
if PATH="$t/bin:$PATH" HIDE=libpq make --no-print-directory BUILD="$t/b7" > "$t/out7" 2>&1; then
	fail "make passed without libpq"
fi
grep -q "missing libpq-fe.h" "$t/out7" || { cat "$t/out7"; fail "make did not say what is missing"; }
[ -z "$(find "$t/b7" -name '*.o')" ] || fail "make compiled before discovery"
[ ! -e "$t/called" ] || fail "make ran $(cat "$t/called")"
echo "ok configure: missing libraries named, one install command, nothing run"
