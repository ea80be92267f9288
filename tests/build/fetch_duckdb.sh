#!/bin/sh
# tools/fetch-duckdb.sh unpacks nothing whose sha512 differs from the
# pinned one, and lays out what it verified as deps/duckdb-1.4.4 expects:
# lib/libduckdb.so and include/duckdb.h.  The registry is replaced by a
# curl that serves local tarballs, with the pins rewritten to their sums.
set -eu
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

# Two tarballs shaped like the npm packages.
mkdir -p "$t/pkg/lib/package" "$t/pkg/hdr/package/src/duckdb/src/include" "$t/serve" "$t/bin"
echo "not really a library" > "$t/pkg/lib/package/libduckdb.so"
echo "/* header */" > "$t/pkg/hdr/package/src/duckdb/src/include/duckdb.h"
tar -czf "$t/serve/node-bindings-linux-x64-1.4.4-r.4.tgz" -C "$t/pkg/lib" package
tar -czf "$t/serve/duckdb-1.4.4.tgz" -C "$t/pkg/hdr" package
integrity() { printf 'sha512-%s' "$(openssl dgst -sha512 -binary "$1" | base64 -w0)"; }
lib_sum=$(integrity "$t/serve/node-bindings-linux-x64-1.4.4-r.4.tgz")
hdr_sum=$(integrity "$t/serve/duckdb-1.4.4.tgz")

# curl -fsSL --retry 3 -o FILE URL: copy the served file named by URL.
cat > "$t/bin/curl" <<CURL
#!/bin/sh
while [ \$# -gt 3 ]; do shift; done
[ "\$1" = -o ] || exit 2
shift
cp "$t/serve/\${2##*/}" "\$1"
CURL
chmod +x "$t/bin/curl"

# Pins swapped for the local tarballs' sums: fetched and laid out.
sed -e "s|^lib_sum=.*|lib_sum=$lib_sum|" -e "s|^hdr_sum=.*|hdr_sum=$hdr_sum|" \
	tools/fetch-duckdb.sh > "$t/fetch.sh"
PATH="$t/bin:$PATH" sh "$t/fetch.sh" "$t/deps/duckdb-1.4.4" 2> "$t/err" || { cat "$t/err"; fail "good tarballs refused"; }
cmp -s "$t/deps/duckdb-1.4.4/lib/libduckdb.so" "$t/pkg/lib/package/libduckdb.so" || fail "lib/libduckdb.so"
cmp -s "$t/deps/duckdb-1.4.4/include/duckdb.h" "$t/pkg/hdr/package/src/duckdb/src/include/duckdb.h" || fail "include/duckdb.h"
[ -z "$(ls "$t/deps" | grep -v '^duckdb-1.4.4$')" ] || fail "left over: $(ls "$t/deps")"

# With the real pins, the same tarballs are refused and nothing appears.
PATH="$t/bin:$PATH" sh tools/fetch-duckdb.sh "$t/real/duckdb-1.4.4" 2> "$t/err" && fail "a tarball with another sum was used"
grep -q "sha512 mismatch, refusing to use it" "$t/err" || { cat "$t/err"; fail "no mismatch message"; }
[ -z "$(ls "$t/real")" ] || fail "something unpacked despite the mismatch: $(ls "$t/real")"

# One byte changed in the header's tarball: refused too.
printf x >> "$t/serve/duckdb-1.4.4.tgz"
PATH="$t/bin:$PATH" sh "$t/fetch.sh" "$t/d2/duckdb-1.4.4" 2> "$t/err" && fail "a changed tarball was used"
grep -q "duckdb-1.4.4.tgz: sha512 mismatch" "$t/err" || { cat "$t/err"; fail "changed header tarball not named"; }
[ ! -e "$t/d2/duckdb-1.4.4" ] || fail "unpacked despite the mismatch"
echo "ok fetch-duckdb: verified before unpacking, laid out as deps/duckdb-1.4.4"
