#!/bin/bash
# The committed reports/ are exactly what the demo produces: golden test of
# the whole pipeline over twelve days, plus determinism (two runs, same
# bytes) and idempotency (re-running one date changes only that date's
# files and the index, and changes them back to the same bytes).
set -euo pipefail
bin=$1
cd "$(dirname "$0")/../.."
a=$(mktemp -d) b=$(mktemp -d)
trap 'rm -rf "$a" "$b"' EXIT

./tests/demo.sh "$bin" "$a" > /dev/null
diff -r reports "$a" > "$a.diff" || {
	echo "FAIL: demo output differs from the committed reports/"; head -40 "$a.diff"; exit 1; }
rm -f "$a.diff"
echo "ok demo output equals committed reports/"

./tests/demo.sh "$bin" "$b" > /dev/null
diff -r "$a" "$b" > /dev/null || { echo "FAIL: two demo runs differ"; exit 1; }
echo "ok two runs give identical bytes"

# re-run a middle date: same bytes for everything
(cd "$b" && sha256sum -- * > ../before.$$)
ln -sfn 2026-11-06 fixtures/demo/snapshots/current
set +e
"$bin" run -c fixtures/demo/recon.ini -o "$b" --date 2026-11-06 -q
set -e
rm -f fixtures/demo/snapshots/current
(cd "$b" && sha256sum -c --quiet ../before.$$) || { echo "FAIL: re-run changed bytes"; exit 1; }
echo "ok re-running a date is idempotent"

# a different result for one date touches only that date and the index
cp fixtures/demo/recon.ini "$b.ini"
(cd "$b" && sha256sum -- * > ../before.$$)
sed -i 's/^samples = 5/samples = 2/' "$b.ini"
ln -sfn 2026-11-06 fixtures/demo/snapshots/current
set +e
"$bin" run -c "$b.ini" -o "$b" --date 2026-11-06 -q 2>/dev/null
set -e
rm -f fixtures/demo/snapshots/current "$b.ini"
changed=$(cd "$b" && sha256sum -c ../before.$$ 2>/dev/null | grep -v ': OK$' | sed 's/: FAILED$//' | sort | tr "\n" " " || true)
rm -f "$(dirname "$b")/before.$$"
case "$changed" in
"2026-11-06.html 2026-11-06.json 2026-11-06.md "|"2026-11-06.html 2026-11-06.json 2026-11-06.md index.html index.md ")
	echo "ok re-running a date changes only that date's files (and the index)" ;;
*) echo "FAIL: re-run changed: $changed"; exit 1 ;;
esac
