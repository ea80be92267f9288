#!/bin/bash
# sqlite_faults.sh BIN: rules a SQLite source (no server needed) shows.
#  - A query that fails after streaming 600 rows is an error with drift 0,
#    no groups and no samples: nothing it counted reaches the summary.
#  - A ready query that never holds polls for its whole ready_timeout: the
#    check errors "not ready" no earlier than the budget.
#  - A run dated another day than today warns on stderr (not with -q)
#    that a live source is read as it is now; a snapshot directory, or
#    today's date, gives no warning.
set -euo pipefail
BIN=$(realpath "$1")
WORK=$(mktemp -d /tmp/recon-sqlite.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
ok() { echo "ok $1"; }
fail() { echo "FAIL $1: $2" >&2; exit 1; }
expect() { [ "$2" = "$3" ] || fail "$1" "got '$2', want '$3'"; }
jq_() {
	python3 -c 'import json, sys
j = json.load(open(sys.argv[1]))
print(eval(sys.argv[2]))' "$1" "$2"
}

sqlite3 "$WORK/t.db" "CREATE TABLE t (x INTEGER, g TEXT);
WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < 1000)
INSERT INTO t SELECT i, 'g' || (i % 3) FROM c;"

# abs() of the smallest integer overflows: rows 1..600 stream, row 601 fails
cat >"$WORK/mid.ini" <<INI
[report]
title = sqlite faults
[source "f"]
type = sqlite
path = $WORK/t.db
[check "breaks-mid-stream"]
source = f
query = SELECT CASE WHEN x > 600 THEN abs(-9223372036854775808) ELSE x END AS v, g FROM t
group = g
[check "counts"]
kind = value
source = f
query = SELECT count(*) FROM t
expect = 1000
INI
rc=0
"$BIN" run -c "$WORK/mid.ini" -o "$WORK/out" --date 2026-11-22 --metrics "$WORK/m.prom" -q 2>"$WORK/stderr" || rc=$?
J="$WORK/out/2026-11-22.json"
expect exit "$rc" 2
expect status "$(jq_ "$J" "j['checks'][0]['status']")" error
expect error "$(jq_ "$J" "j['checks'][0]['error']")" "SQL error: integer overflow"
expect drift "$(jq_ "$J" "j['checks'][0]['drift']")" 0
expect groups "$(jq_ "$J" "j['checks'][0]['groups']")" "[]"
expect samples "$(jq_ "$J" "j['checks'][0]['samples']")" "[]"
expect summary "$(jq_ "$J" "(j['summary']['drift'], j['summary']['tenants_with_drift'])")" "(0, 0)"
expect window "$(jq_ "$J" "j['window'][-1]['drift']")" 0
grep -q '^recon_check_drift{check="breaks-mid-stream",.*} 0$' "$WORK/m.prom" ||
	fail metrics "$(grep breaks-mid-stream "$WORK/m.prom")"
ok "a query failing after 600 rows: error, drift 0, no groups, no samples, nothing in the summary or metrics"

cat >"$WORK/ready.ini" <<INI
[report]
title = sqlite faults
[source "f"]
type = sqlite
path = $WORK/t.db
[check "never-ready"]
kind = value
source = f
query = SELECT count(*) FROM t
expect = 1000
ready = SELECT 0
ready_timeout = 2
INI
took=$(python3 - "$BIN" "$WORK" <<'PY'
import subprocess, sys, time
bin, work = sys.argv[1], sys.argv[2]
t0 = time.monotonic()
rc = subprocess.run([bin, "run", "-c", work + "/ready.ini", "-o", work + "/out2",
                     "--date", "2026-11-22", "-q"], stderr=subprocess.DEVNULL).returncode
print("%.3f %d" % (time.monotonic() - t0, rc))
PY
)
set -- $took
expect ready-exit "$2" 2
python3 -c "import sys; t = float(sys.argv[1]); sys.exit(0 if 2.0 <= t <= 2.6 else 1)" "$1" ||
	fail ready "ready_timeout = 2 errored after $1 s (want 2.0 to 2.6 s)"
case "$(jq_ "$WORK/out2/2026-11-22.json" "j['checks'][0].get('error', '')")" in
"not ready"*) ;;
*) fail ready "$(jq_ "$WORK/out2/2026-11-22.json" "j['checks'][0]")" ;;
esac
ok "ready_timeout = 2: polled to the deadline, \"not ready\" after $1 s"
today=$(date -u +%F)
rc=0
"$BIN" run -c "$WORK/mid.ini" -o "$WORK/out3" --date 2026-11-22 >/dev/null 2>"$WORK/stderr" || rc=$?
grep -qx "recon: warning: --date 2026-11-22 is not today ($today): source 'f' is read as it is now, and its data is reported as of 2026-11-22" "$WORK/stderr" ||
	fail backfill "$(cat "$WORK/stderr")"
"$BIN" run -c "$WORK/mid.ini" -o "$WORK/out4" --date "$today" >/dev/null 2>"$WORK/stderr" || true
grep -q "warning" "$WORK/stderr" && fail backfill-today "$(cat "$WORK/stderr")"
mkdir -p "$WORK/snap"
printf 'x\n1\n' >"$WORK/snap/t.csv"
sed -e 's/^type = sqlite$/type = csv/' -e "s|^path = .*|path = $WORK/snap|" "$WORK/ready.ini" >"$WORK/snap.ini"
"$BIN" run -c "$WORK/snap.ini" -o "$WORK/out5" --date 2026-11-22 >/dev/null 2>"$WORK/stderr" || true
grep -q "warning" "$WORK/stderr" && fail backfill-snapshot "$(cat "$WORK/stderr")"
"$BIN" run -c "$WORK/mid.ini" -o "$WORK/out6" --date 2026-11-22 -q 2>"$WORK/stderr" || true
grep -q "warning" "$WORK/stderr" && fail backfill-quiet "$(cat "$WORK/stderr")"
ok "--date of another day on a live source: warned on stderr; not for today, a snapshot, or with -q"
ok sqlite_faults
