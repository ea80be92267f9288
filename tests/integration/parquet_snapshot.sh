#!/bin/bash
# parquet_snapshot.sh BIN: a snapshot directory of Parquet files, written by
# DuckDB from the demo's CSV files with the same column types, gives the same
# report as the CSV files themselves, day after day (only the inputs'
# digests differ: they are other files), its compare check included; a
# compare of a Parquet side with a CSV side finds what the CSV sides find.
# And T.csv beside T.parquet is an error of the checks that read T, naming
# both files.
set -eu
bin=$(realpath "$1")
cd "$(dirname "$0")/../.."
duck=${DUCKDB_DIR:-deps/duckdb-1.4.4}
if [ ! -f "$duck/include/duckdb.h" ]; then
	echo "SKIP parquet_snapshot: no DuckDB in $duck"
	exit 0
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cc -std=c11 -O1 -o "$work/parquet_copy" tests/integration/parquet_copy.c \
	-isystem "$duck/include" -L"$duck/lib" -lduckdb -Wl,-rpath,"$(realpath "$duck/lib")"

# the demo's checks, its compare of two tables too (a Parquet table side is
# read by DuckDB, a CSV one streamed from its file)
for kind in csv parquet; do
	mkdir -p "$work/$kind/snapshots"
	cp fixtures/demo/recon.ini "$work/$kind/recon.ini"
done
for day in $(ls fixtures/demo/snapshots | grep -E '^[0-9]{4}-' | sort); do
	rm -rf "$work/csv/snapshots/current" "$work/parquet/snapshots/current"
	cp -R "fixtures/demo/snapshots/$day" "$work/csv/snapshots/current"
	mkdir "$work/parquet/snapshots/current"
	"$work/parquet_copy" "fixtures/demo/snapshots/$day" "$work/parquet/snapshots/current"
	for kind in csv parquet; do
		rc=0
		"$bin" run -c "$work/$kind/recon.ini" -o "$work/$kind/out" --date "$day" -q || rc=$?
		[ "$rc" -le 1 ] || { echo "FAIL parquet_snapshot: $kind $day: exit $rc"; exit 1; }
	done
done
python3 - "$work/csv/out" "$work/parquet/out" <<'PY'
import json, os, re, sys
a, b = sys.argv[1], sys.argv[2]
hexes = re.compile(r"[0-9a-f]{64}")
bad = 0
for name in sorted(os.listdir(a)):
    x = open(os.path.join(a, name)).read()
    y = open(os.path.join(b, name)).read()
    if name.endswith(".json"):
        jx, jy = json.loads(x), json.loads(y)
        for j in (jx, jy):
            for i in j.get("inputs", []):
                i.pop("sha256", None)
        same = jx == jy and len(jx.get("inputs", [])) > 0
    else:
        same = hexes.sub("H", x) == hexes.sub("H", y)
    if not same:
        print("FAIL parquet_snapshot: %s differs" % name)
        bad += 1
sys.exit(1 if bad else 0)
PY
echo "ok a Parquet snapshot gives the CSV snapshot's reports on all demo days"

# one side Parquet, the other CSV: the compare's findings, groups and
# samples are the all-CSV ones (the days before are not there: no "since")
day=2026-11-05
mkdir -p "$work/mixed/snapshots/current"
cp fixtures/demo/recon.ini "$work/mixed/recon.ini"
"$work/parquet_copy" "fixtures/demo/snapshots/$day" "$work/mixed/snapshots/current"
rm "$work/mixed/snapshots/current/org_units.parquet"
cp "fixtures/demo/snapshots/$day/org_units.csv" "$work/mixed/snapshots/current/"
rc=0
"$bin" run -c "$work/mixed/recon.ini" -o "$work/mixed/out" --date "$day" -q || rc=$?
[ "$rc" -le 1 ] || { echo "FAIL parquet_snapshot: mixed $day: exit $rc"; exit 1; }
python3 - "$work/csv/out/$day.json" "$work/mixed/out/$day.json" <<'PY'
import json, sys
def check(path):
    j = json.load(open(path))
    c = [c for c in j["checks"] if c["id"] == "org-units-compare"][0]
    for g in c.get("groups", []):
        g.pop("since", None)
    return {k: c.get(k) for k in ("status", "drift", "findings", "groups", "samples",
                                  "columns_changed", "error")}
a, b = check(sys.argv[1]), check(sys.argv[2])
if a != b or not a["drift"]:
    print("FAIL parquet_snapshot: a Parquet side against a CSV side:\n %s\n %s" % (a, b))
    sys.exit(1)
PY
echo "ok a compare of a Parquet side with a CSV side finds what two CSV sides find"

# T.csv and T.parquet at once: the checks reading T fail, naming both
cp fixtures/demo/snapshots/2026-11-05/ledger.csv "$work/parquet/snapshots/current/"
rc=0
"$bin" run -c "$work/parquet/recon.ini" --check ledger-balanced > "$work/both.out" 2>&1 || rc=$?
if [ "$rc" != 2 ] || ! grep -q "ledger.csv and .*ledger.parquet: two files for table ledger" "$work/both.out"; then
	echo "FAIL parquet_snapshot: T.csv beside T.parquet (exit $rc):"
	cat "$work/both.out"
	exit 1
fi
echo "ok T.csv beside T.parquet is an error of the checks that read T"
