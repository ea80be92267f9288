#!/bin/sh
# configure.sh BUILDDIR: find the compiler flags of every library recon
# links, and write them to BUILDDIR/config.mk, which the Makefile includes
# (and remakes, then restarts on, when this script, the Makefile, CC or
# DUCKDB_PREFIX change).  Nothing is installed or downloaded here: when
# something is missing, this says which header or library, prints the one
# command that installs it, and fails without writing config.mk.
#
# Environment: CC (default cc), PKG_CONFIG (default pkg-config),
# DUCKDB_PREFIX (a DuckDB 1.4.4 C library installed elsewhere: DIR/include/
# duckdb.h and DIR/lib/libduckdb.so, or both files directly in DIR as in
# DuckDB's release zip; default: deps/duckdb-1.4.4, where `make deps` puts it).
set -eu

if [ $# -ne 1 ]; then
	echo "usage: $0 BUILDDIR" >&2
	exit 2
fi
cd "$(dirname "$0")/.."
top=$(pwd)
build=$1
CC=${CC:-cc}
PKG_CONFIG=${PKG_CONFIG:-pkg-config}
DUCKDB_PREFIX=${DUCKDB_PREFIX:-}
DUCKDB_VERSION=1.4.4

mkdir -p "$build"
tmp=$(mktemp -d "$build/configure.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM

missing_pkgs=	# Debian packages that would supply what is missing
missing_duckdb=	# non-empty when DuckDB's C library is missing
lacks() {	# $1: what is missing, $2: Debian package
	echo "configure: missing $1" >&2
	case " $missing_pkgs " in
	*" $2 "*) ;;
	*) missing_pkgs="$missing_pkgs $2" ;;
	esac
}

# try_link HEADER CFLAGS LIBS [CALL]: does a program including HEADER
# compile and link?  The compiler's complaint is kept in $tmp/log.
try_link() {
	printf '#include <%s>\nint main(void) { %s; return 0; }\n' "$1" "${4:-}" > "$tmp/t.c"
	# shellcheck disable=SC2086
	$CC $2 -o "$tmp/t" "$tmp/t.c" $3 > "$tmp/log" 2>&1
}

if ! printf 'int main(void) { return 0; }\n' > "$tmp/cc.c" ||
   ! $CC -o "$tmp/cc" "$tmp/cc.c" > "$tmp/log" 2>&1; then
	echo "configure: the C compiler '$CC' does not work:" >&2
	sed 's/^/  /' "$tmp/log" >&2
	if [ "$CC" = cc ] || [ "$CC" = gcc ]; then
		lacks "a C compiler (gcc)" gcc
	else
		echo "configure: install $CC, or build with make CC=gcc" >&2
		exit 1
	fi
fi

have_pkg_config=yes
if ! command -v "$PKG_CONFIG" > /dev/null 2>&1; then
	have_pkg_config=
	lacks "pkg-config (the program that finds the libraries' flags)" pkg-config
fi

# The libraries with a pkg-config file: module, a header it provides, the
# Debian package, and the flags to try when pkg-config itself is missing
# (only to name every missing package in one go).
pkg_cflags=
pkg_libs=
while read -r module header package fallback_cflags fallback_libs; do
	[ -n "$module" ] || continue
	cflags=$fallback_cflags
	libs=$fallback_libs
	[ "$cflags" = - ] && cflags=
	if [ -n "$have_pkg_config" ]; then
		if ! "$PKG_CONFIG" --exists "$module"; then
			lacks "$header (pkg-config module $module)" "$package"
			continue
		fi
		cflags=$("$PKG_CONFIG" --cflags "$module")
		libs=$("$PKG_CONFIG" --libs "$module")
	fi
	if ! try_link "$header" "$cflags" "$libs"; then
		lacks "$header or its library ($libs)" "$package"
		continue
	fi
	pkg_cflags="$pkg_cflags $cflags"
	pkg_libs="$pkg_libs $libs"
done <<EOF
sqlite3      sqlite3.h                   libsqlite3-dev     -                       -lsqlite3
libpq        libpq-fe.h                  libpq-dev          -I/usr/include/postgresql -lpq
libcmark-gfm cmark-gfm.h                 libcmark-gfm-dev   -                       -lcmark-gfm
jansson      jansson.h                   libjansson-dev     -                       -ljansson
libcrypto    openssl/evp.h               libssl-dev         -                       -lcrypto
EOF

# Libraries without a pkg-config file on Debian.
while read -r header package libs; do
	[ -n "$header" ] || continue
	if try_link "$header" "$pkg_cflags" "$libs"; then
		case " $pkg_libs " in
		*" $libs "*) ;;	# libcmark-gfm.pc already links its extensions
		*) pkg_libs="$pkg_libs $libs" ;;
		esac
	else
		lacks "$header or its library ($libs)" "$package"
	fi
done <<EOF
csv.h                         libcsv-dev                    -lcsv
cmark-gfm-core-extensions.h   libcmark-gfm-extensions-dev   -lcmark-gfm-extensions
EOF
pkg_libs="$pkg_libs -lpthread -lm"

# DuckDB's C library: not a Debian 12 package.
if [ -n "$DUCKDB_PREFIX" ]; then
	prefix=$(cd "$DUCKDB_PREFIX" 2> /dev/null && pwd) || {
		echo "configure: DUCKDB_PREFIX=$DUCKDB_PREFIX: no such directory" >&2
		exit 1
	}
	if [ -f "$prefix/include/duckdb.h" ]; then
		duck_inc=$prefix/include
		duck_lib=$prefix/lib
	else
		duck_inc=$prefix
		duck_lib=$prefix
	fi
	bundled=no
else
	duck_inc=$top/deps/duckdb-$DUCKDB_VERSION/include
	duck_lib=$top/deps/duckdb-$DUCKDB_VERSION/lib
	bundled=yes
fi
# -isystem: duckdb.h declares functions with empty parameter lists, which
# -Wstrict-prototypes would report in every file that includes it.
duck_cflags="-isystem $duck_inc"
duck_libs="-L$duck_lib -Wl,-rpath,$duck_lib -lduckdb"
if [ ! -f "$duck_inc/duckdb.h" ]; then
	echo "configure: missing duckdb.h (DuckDB $DUCKDB_VERSION's C library, looked for $duck_inc/duckdb.h)" >&2
	missing_duckdb=yes
elif [ ! -f "$duck_lib/libduckdb.so" ]; then
	echo "configure: missing libduckdb.so (DuckDB $DUCKDB_VERSION's C library, looked for $duck_lib/libduckdb.so)" >&2
	missing_duckdb=yes
elif ! try_link duckdb.h "$duck_cflags" "$duck_libs" "(void)duckdb_library_version()"; then
	echo "configure: duckdb.h and libduckdb.so in $duck_lib do not link:" >&2
	sed 's/^/  /' "$tmp/log" >&2
	missing_duckdb=yes
fi

if [ -n "$missing_pkgs$missing_duckdb" ]; then
	sudo=sudo\ 
	[ "$(id -u)" = 0 ] && sudo=
	if [ -n "$missing_duckdb" ] && [ -n "$DUCKDB_PREFIX" ]; then
		echo "configure: DUCKDB_PREFIX must hold include/duckdb.h and lib/libduckdb.so, or duckdb.h and libduckdb.so" >&2
	fi
	if [ -n "$missing_pkgs" ] && [ -z "$missing_duckdb$DUCKDB_PREFIX" ]; then
		echo "configure: install what is missing with:" >&2
		echo "    ${sudo}apt-get install -y$missing_pkgs" >&2
		echo "configure: (or run 'make deps', which installs everything recon needs)" >&2
	elif [ -n "$missing_pkgs" ]; then
		echo "configure: install what is missing with:" >&2
		echo "    ${sudo}apt-get install -y$missing_pkgs" >&2
	elif [ -z "$DUCKDB_PREFIX" ]; then
		echo "configure: fetch it (from the npm registry, checked against pinned sha512 sums) with:" >&2
		echo "    make deps" >&2
		echo "configure: (or point DUCKDB_PREFIX at an installed copy: make DUCKDB_PREFIX=DIR)" >&2
	fi
	exit 1
fi

# shellcheck disable=SC2086
set -- $pkg_cflags; pkg_cflags=$*
# shellcheck disable=SC2086
set -- $pkg_libs; pkg_libs=$*
cat > "$tmp/config.mk" <<EOF
# Generated by tools/configure.sh for CC=$CC DUCKDB_PREFIX=$DUCKDB_PREFIX.
# Do not edit: make remakes this file when its inputs change.
CONFIG_CC = $CC
CONFIG_DUCKDB_PREFIX = $DUCKDB_PREFIX
PKG_CFLAGS = $pkg_cflags
PKG_LIBS = $pkg_libs
DUCKDB_CFLAGS = $duck_cflags
DUCKDB_LIBS = $duck_libs
DUCKDB_LIBDIR = $duck_lib
DUCKDB_BUNDLED = $bundled
EOF
mv "$tmp/config.mk" "$build/config.mk"
