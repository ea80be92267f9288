#!/bin/sh
# make install puts the binary, its own copy of libduckdb.so and the man
# pages under DESTDIR/PREFIX, and the installed binary finds that copy
# wherever the tree is unpacked (its run path is $ORIGIN-relative);
# make uninstall removes exactly those files.
set -eu
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

make --no-print-directory install DESTDIR="$t/stage" PREFIX=/opt/recon > "$t/log" 2>&1 ||
	{ cat "$t/log"; fail "make install"; }
find "$t/stage" -type f | sed "s|^$t/stage||" | sort > "$t/got"
{
	echo /opt/recon/bin/recon
	echo /opt/recon/lib/recon/libduckdb.so
	for m in recon.1 man/*.1 man/*.5 man/*.7; do
		[ -f "$m" ] && echo "/opt/recon/share/man/man${m##*.}/${m##*/}"
	done
} | sort > "$t/want"
diff -u "$t/want" "$t/got" || fail "installed files differ from the list above"
cmp -s deps/duckdb-1.4.4/lib/libduckdb.so "$t/stage/opt/recon/lib/recon/libduckdb.so" ||
	[ -n "${DUCKDB_PREFIX:-}" ] || fail "libduckdb.so is not DuckDB's"

# The staged tree works where it lies: moved elsewhere, recon still runs
# and, once it links DuckDB, finds the copy beside it.
mv "$t/stage/opt/recon" "$t/moved"
bin=$t/moved/bin/recon
readelf -d "$bin" | grep -q 'RUNPATH.*\[\$ORIGIN/../lib/recon\]' || fail "run path: $(readelf -d "$bin" | grep PATH)"
"$bin" --version > /dev/null 2>&1 || "$bin" --help > /dev/null 2>&1 || fail "installed recon does not start"
if readelf -d "$bin" | grep -q 'NEEDED.*libduckdb'; then
	ldd "$bin" | grep -q "libduckdb.so => $t/moved/bin/../lib/recon/libduckdb.so" ||
		{ ldd "$bin"; fail "installed recon does not find its libduckdb.so"; }
else
	echo "SKIP DuckDB lookup of the installed binary: recon does not link DuckDB yet"
fi
mv "$t/moved" "$t/stage/opt/recon"

# Other directories: BINDIR and MANDIR apart from PREFIX.
make --no-print-directory install DESTDIR="$t/s2" PREFIX=/usr BINDIR=/usr/sbin MANDIR=/usr/man > "$t/log" 2>&1 ||
	{ cat "$t/log"; fail "make install BINDIR MANDIR"; }
[ -x "$t/s2/usr/sbin/recon" ] || fail "BINDIR not honoured"
[ -f "$t/s2/usr/man/man1/recon.1" ] || [ ! -f recon.1 ] || fail "MANDIR not honoured"
readelf -d "$t/s2/usr/sbin/recon" | grep -q 'RUNPATH.*\[\$ORIGIN/../lib/recon\]' || fail "run path from /usr/sbin"

# Uninstall leaves no file behind, and nothing of others': a file that
# install did not put there stays.
touch "$t/stage/opt/recon/bin/other"
make --no-print-directory uninstall DESTDIR="$t/stage" PREFIX=/opt/recon > "$t/log" 2>&1 ||
	{ cat "$t/log"; fail "make uninstall"; }
left=$(find "$t/stage" -type f | sed "s|^$t/stage||")
[ "$left" = /opt/recon/bin/other ] || fail "after uninstall: $left"
[ ! -d "$t/stage/opt/recon/lib/recon" ] || fail "empty lib/recon left"
echo "ok install: $(wc -l < "$t/want") files installed, all removed by uninstall"
