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
# pages (the copy sits beside recon.ini: its relative paths stay the same)
ini=fixtures/demo/.idempotency.ini
sed 's/^samples = 5/samples = 2/' fixtures/demo/recon.ini > "$ini"
trap 'rm -rf "$a" "$b" "$ini"' EXIT
(cd "$b" && sha256sum -- * > ../before.$$)
ln -sfn 2026-11-06 fixtures/demo/snapshots/current
set +e
"$bin" run -c "$ini" -o "$b" --date 2026-11-06 -q 2> "$b.err"
rc=$?
set -e
rm -f fixtures/demo/snapshots/current "$ini"
[ "$rc" = 1 ] && [ ! -s "$b.err" ] || { echo "FAIL: re-run with samples = 2: exit $rc: $(cat "$b.err")"; exit 1; }
rm -f "$b.err"
changed=$(cd "$b" && sha256sum -c ../before.$$ 2>/dev/null | grep -v ': OK$' | sed 's/: FAILED$//' | sort | tr "\n" " " || true)
rm -f "$(dirname "$b")/before.$$"
case "$changed" in
"2026-11-06.html 2026-11-06.json 2026-11-06.md "*)
	rest=${changed#"2026-11-06.html 2026-11-06.json 2026-11-06.md "}
	for f in $rest; do
		case $f in index.md|index.html|index-2026.md|index-2026.html) ;;
		*) echo "FAIL: re-run changed $f"; exit 1 ;;
		esac
	done
	echo "ok re-running a date changes only that date's files (and the index)" ;;
*) echo "FAIL: re-run changed: $changed"; exit 1 ;;
esac
