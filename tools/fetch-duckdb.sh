#!/bin/sh
# fetch-duckdb.sh DIR: put DuckDB 1.4.4's C library in DIR/lib/libduckdb.so
# and its header in DIR/include/duckdb.h, unless both are there already.
#
# DuckDB is not a Debian 12 package.  Its official build of the C library
# is published in the npm registry: the package
# @duckdb/node-bindings-linux-x64@1.4.4-r.4 holds package/libduckdb.so, and
# duckdb@1.4.4 holds the matching header at
# package/src/duckdb/src/include/duckdb.h.  Both tarballs are fetched with
# curl (or `npm pack` where there is no curl) and checked against the
# sha512 sums pinned below before anything is unpacked.  A mismatch stops
# here and leaves DIR untouched.
set -eu

if [ $# -ne 1 ]; then
	echo "usage: $0 DIR" >&2
	exit 2
fi
dest=$1
if [ -f "$dest/lib/libduckdb.so" ] && [ -f "$dest/include/duckdb.h" ]; then
	exit 0
fi

registry=https://registry.npmjs.org
lib_pkg=@duckdb/node-bindings-linux-x64
lib_ver=1.4.4-r.4
lib_tgz=node-bindings-linux-x64-$lib_ver.tgz
lib_sum=sha512-jBTL/WvfwxLToFa/pVHfT6elMtltJGnc3wSuxZD9OfMltit9YUdVFS37vBFQzXMT1Z8OWjtSjMh+zPKxOwHLHA==
hdr_pkg=duckdb
hdr_ver=1.4.4
hdr_tgz=duckdb-$hdr_ver.tgz
hdr_sum=sha512-hEJJ5hyVF0VLj3dmOLpsWrQR0b3d4Ykqtygm6iUXjHJDDnSqg/USKxcb5qvNrOhFYPgktayU6dXCtgPqcmmpog==

case $(uname -m) in
x86_64 | amd64) ;;
*)
	echo "$0: no pinned DuckDB 1.4.4 build for $(uname -m): unzip DuckDB's release" >&2
	echo "  libduckdb-linux-<arch>.zip into a directory and build with make DUCKDB_PREFIX=DIR" >&2
	exit 1 ;;
esac

mkdir -p "$(dirname "$dest")"
tmp=$(mktemp -d "$dest.fetch.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM

# fetch PACKAGE VERSION TARBALL: download one package's tarball into $tmp.
fetch() {
	echo "fetching $1@$2 from the npm registry" >&2
	if command -v curl > /dev/null 2>&1; then
		curl -fsSL --retry 3 -o "$tmp/$3" "$registry/$1/-/$3" ||
			{ echo "$0: could not download $registry/$1/-/$3" >&2; exit 1; }
	elif command -v npm > /dev/null 2>&1; then
		packed=$(cd "$tmp" && npm pack --silent "$1@$2") ||
			{ echo "$0: npm pack $1@$2 failed" >&2; exit 1; }
		mv "$tmp/$packed" "$tmp/$3"
	else
		echo "$0: needs curl to fetch DuckDB:" >&2
		echo "    sudo apt-get install -y curl ca-certificates" >&2
		exit 1
	fi
}

# verify FILE INTEGRITY: FILE's sha512 must be INTEGRITY (npm's
# "sha512-<base64>" form).  coreutils only: sha512sum, base64, od.
verify() {
	want=$(printf '%s' "${2#sha512-}" | base64 -d | od -An -v -tx1 | tr -d ' \n')
	got=$(sha512sum "$1" | cut -d' ' -f1)
	if [ "$want" != "$got" ]; then
		echo "$0: $(basename "$1"): sha512 mismatch, refusing to use it" >&2
		echo "  expected $2" >&2
		exit 1
	fi
}

fetch "$lib_pkg" "$lib_ver" "$lib_tgz"
verify "$tmp/$lib_tgz" "$lib_sum"
fetch "$hdr_pkg" "$hdr_ver" "$hdr_tgz"
verify "$tmp/$hdr_tgz" "$hdr_sum"

mkdir -p "$tmp/out/lib" "$tmp/out/include" "$tmp/x"
tar -xzf "$tmp/$lib_tgz" -C "$tmp/x" package/libduckdb.so
tar -xzf "$tmp/$hdr_tgz" -C "$tmp/x" package/src/duckdb/src/include/duckdb.h
mv "$tmp/x/package/libduckdb.so" "$tmp/out/lib/libduckdb.so"
mv "$tmp/x/package/src/duckdb/src/include/duckdb.h" "$tmp/out/include/duckdb.h"
chmod 644 "$tmp/out/lib/libduckdb.so" "$tmp/out/include/duckdb.h"
rm -rf "$dest"
mv "$tmp/out" "$dest"
echo "DuckDB $hdr_ver's C library is in $dest" >&2
