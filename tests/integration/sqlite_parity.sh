#!/bin/bash
# Parity: every day of the demo, its snapshot loaded into a SQLite file and
# read through a `type = sqlite` source, gives the same checks, statuses,
# drift, groups and samples as the CSV snapshot run.  The SQLite file is
# opened read-only: its bytes do not change.
set -euo pipefail
bin=$1
cd "$(dirname "$0")/../.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
sed -e 's/^type = csv$/type = sqlite/' \
    -e 's|^path = snapshots/current$|path = '"$work"'/snapshot.db|' \
    -e 's|^output_dir = .*|output_dir = '"$work"'/sqlite-out|' \
    fixtures/demo/recon.ini > fixtures/demo/.parity-sqlite.ini
trap 'rm -rf "$work" fixtures/demo/.parity-sqlite.ini' EXIT
grep -q '^type = sqlite$' fixtures/demo/.parity-sqlite.ini
./tests/demo.sh "$bin" "$work/csv-out" > /dev/null
n=0
for dir in fixtures/demo/snapshots/2026-*; do
	day=$(basename "$dir")
	python3 tests/parity/load_sqlite.py "$dir" "$work/snapshot.db"
	before=$(sha256sum < "$work/snapshot.db")
	"$bin" run -c fixtures/demo/.parity-sqlite.ini --date "$day" -q 2>/dev/null || true
	[ "$(sha256sum < "$work/snapshot.db")" = "$before" ] || { echo "FAIL: $day: the SQLite file changed"; exit 1; }
	python3 tests/parity/same_results.py "$work/csv-out/$day.json" "$work/sqlite-out/$day.json" ||
		{ echo "FAIL: $day: SQLite source differs from CSV snapshot"; exit 1; }
	n=$((n + 1))
done
python3 - "$work/sqlite-out/2026-11-05.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
ins = r['inputs']
assert len(ins) == 1 and ins[0]['table'] is None and len(ins[0]['sha256']) == 64, ins
PY
echo "ok SQLite source gives the CSV snapshot's results on all $n demo days"

# a check that writes is refused by the read-only connection
cat > "$work/w.ini" <<INI
[report]
output_dir = $work/w-out
[source "db"]
type = sqlite
path = $work/snapshot.db
[check "writer"]
source = db
query = DELETE FROM tenants RETURNING id
INI
before=$(sha256sum < "$work/snapshot.db")
set +e
"$bin" run -c "$work/w.ini" --date 2026-11-22 -q 2> "$work/w.err"
rc=$?
set -e
[ "$rc" = 2 ] || { echo "FAIL: writing check exit $rc"; exit 1; }
grep -q "read-only\|readonly" "$work/w.err" || { echo "FAIL: no read-only error: $(cat "$work/w.err")"; exit 1; }
[ "$(sha256sum < "$work/snapshot.db")" = "$before" ] || { echo "FAIL: database changed"; exit 1; }
echo "ok a writing check on a SQLite source is an error and changes nothing"
