#!/usr/bin/env bash
# bench_bisect.sh BIN [N]: compare of two N-row PostgreSQL tables on one
# server, with 0.01% of the rows drifted (changed, missing and extra), by
# strategy = rows and strategy = bisect in the same run, beside a count(*)
# of both tables.  For each: the wall time and the rows each side sent
# (rows_streamed; all of them for rows) with the bytes they hold as text
# (rows times the table's mean row text, the bulk of what the server
# sends; bisect's range checksums add a few hundred bytes per range).
# BISECT_ROWS sets bisect_rows (default: recon's).  Targets: bisect reads at most 1% of the bytes
# of rows, takes no longer, and is within 2x of the count(*); both give the
# same findings.  DRIFT (percent, default 0.01) and RUNS (default 3).
set -euo pipefail
export LC_ALL=C
BIN=$(realpath "$1")
N=${2:-10000000}
DRIFT=${DRIFT:-0.01}
RUNS=${RUNS:-3}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
WORK=$(mktemp -d /tmp/recon-bbis.XXXXXX)
PGDIR=$(mktemp -d /tmp/rpg.XXXXXX)
cleanup() { "$ROOT/tests/lib/pg_server.sh" stop "$PGDIR" || true; rm -rf "$WORK"; }
trap cleanup EXIT
"$ROOT/tests/lib/pg_server.sh" start "$PGDIR"
psql_() { psql -X -q -At -v ON_ERROR_STOP=1 -h "$PGDIR" -U postgres -d postgres "$@"; }
every=$(awk -v d="$DRIFT" 'BEGIN { printf "%d", 100 / d }')
echo "== loading $N rows per side, one in $every drifted" >&2
psql_ <<SQL
CREATE TABLE a (id bigint PRIMARY KEY, tenant text, amount numeric(12,2), note text, day date);
INSERT INTO a SELECT i, 't-' || (i % 97), (i % 100000) / 100.0, 'note ' || md5(i::text), DATE '2026-01-01' + (i % 300)::int
	FROM generate_series(1, $N) i;
CREATE TABLE b AS SELECT * FROM a;
ALTER TABLE b ADD PRIMARY KEY (id);
UPDATE b SET amount = amount + 1 WHERE id % $every = 0;
DELETE FROM b WHERE id % $every = 7;
INSERT INTO b SELECT id + $N, tenant, amount, note, day FROM a WHERE id % $every = 3;
VACUUM ANALYZE a;
VACUUM ANALYZE b;
SQL
for strategy in rows bisect; do
	cat >"$WORK/$strategy.ini" <<INI
[report]
output_dir = $WORK/out-$strategy
[source "db"]
type = postgres
url = host=$PGDIR dbname=postgres user=postgres
[check "pair"]
kind = compare
left = db:a
right = db:b
key = id
group = tenant
strategy = $strategy
${BISECT_ROWS:+bisect_rows = $BISECT_ROWS}
INI
done
now() { date +%s.%N; }
# measure NAME CMD...: append "seconds bytes" of one run to $WORK/NAME
measure() {
	local name=$1 t0 t1 bytes
	shift
	t0=$(now)
	"$@" >/dev/null 2>&1 || true
	t1=$(now)
	echo "$(echo "$t1 - $t0" | bc)" >>"$WORK/$name"
}
for i in $(seq "$RUNS"); do
	measure count psql -X -q -At -h "$PGDIR" -U postgres -d postgres \
		-c "SELECT (SELECT count(*) FROM a) + (SELECT count(*) FROM b)"
	measure rows "$BIN" run -c "$WORK/rows.ini" --date 2026-11-22 -q
	measure bisect "$BIN" run -c "$WORK/bisect.ini" --date 2026-11-22 -q
done
rowbytes=$(psql_ -c "SELECT avg(octet_length(a::text)) FROM a")
counts=$(psql_ -c "SELECT (SELECT count(*) FROM a), (SELECT count(*) FROM b)")
python3 - "$WORK" "$rowbytes" "$counts" <<'PY'
import json, os, statistics, sys
w, rowbytes = sys.argv[1], float(sys.argv[2])
na, nb = (int(x) for x in sys.argv[3].split('|'))
strip = lambda c: {k: v for k, v in c.items() if k not in ('strategy', 'strategy_note', 'ranges', 'rows_streamed')}
r, b = (json.load(open(os.path.join(w, 'out-%s' % s, '2026-11-22.json')))['checks'][0] for s in ('rows', 'bisect'))
sent = {'rows': {'left': na, 'right': nb}, 'bisect': b['rows_streamed']}
t = {n: statistics.median(float(l) for l in open(os.path.join(w, n))) for n in ('count', 'rows', 'bisect')}
print('count(*) %8.2f s' % t['count'])
for n in ('rows', 'bisect'):
    rows = sent[n]['left'] + sent[n]['right']
    print('%-8s %8.2f s  %10d rows sent  ~%d bytes' % (n, t[n], rows, rows * rowbytes))
print('bisect: %s ranges compared' % b.get('ranges'))
print('same findings, groups and samples: %s' % (strip(r) == strip(b)))
rb = sent['bisect']['left'] + sent['bisect']['right']
rr = sent['rows']['left'] + sent['rows']['right']
print('bisect / rows: %.4f of the bytes, %.2fx the time; bisect / count(*): %.2fx the time'
      % (rb / rr, t['bisect'] / t['rows'], t['bisect'] / t['count']))
PY
