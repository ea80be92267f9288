#!/bin/sh
# bootstrap.sh build|check|bench: make sure what that step needs is
# installed: the Debian packages, then DuckDB 1.4.4's C library in
# deps/duckdb-1.4.4 (tools/fetch-duckdb.sh; skipped when DUCKDB_PREFIX names
# an installed copy).  As root it installs missing packages with apt-get;
# otherwise it prints the one command that would, and fails.  `make deps`,
# `make demo`, `make check` and `make bench` run it; plain `make` never does.
set -eu
cd "$(dirname "$0")/.."

# curl and ca-certificates fetch DuckDB.
build="gcc make pkg-config curl ca-certificates libcsv-dev libsqlite3-dev libpq-dev
 libcmark-gfm-dev libcmark-gfm-extensions-dev libjansson-dev libssl-dev"
check="$build check postgresql-15 postgresql-client-15 sqlite3 tidy python3 chromium
 nodejs clang libclang-rt-14-dev valgrind strace time groff mandoc"
bench="$check hyperfine npm bc"

case "${1:-build}" in
build) want=$build ;;
check) want=$check ;;
bench) want=$bench ;;
*) echo "usage: $0 build|check|bench" >&2; exit 2 ;;
esac

if ! command -v dpkg-query >/dev/null 2>&1; then
	# shellcheck disable=SC2086
	echo "bootstrap: no dpkg here; install the equivalents of these Debian packages:" $want >&2
	want=
fi

missing=
for p in $want; do
	# a node already on the PATH (from any source) serves the browser tests
	if [ "$p" = nodejs ] && command -v node >/dev/null 2>&1; then
		continue
	fi
	if [ "$p" = npm ] && command -v npm >/dev/null 2>&1; then
		continue
	fi
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
		missing="$missing $p"
	fi
done
if [ -z "$missing" ]; then
	:
elif [ "$(id -u)" = 0 ]; then
	echo "installing:$missing" >&2
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq >&2
	# shellcheck disable=SC2086
	apt-get install -y -qq --no-install-recommends $missing >&2
else
	echo "recon needs these Debian packages:$missing" >&2
	echo "install them with:" >&2
	echo "  sudo apt-get install -y$missing" >&2
	exit 1
fi

if [ -z "${DUCKDB_PREFIX:-}" ]; then
	./tools/fetch-duckdb.sh deps/duckdb-1.4.4
fi
