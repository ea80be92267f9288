#!/bin/bash
# pg_cluster_bisect.sh BIN: strategy = bisect against strategy = rows on the
# sharded test cluster (tests/lib/pg_cluster.sh): every table of
# tests/parity/compare_bisect.py's random pairs partitioned by hash into
# three postgres_fdw shards, recon connected to the coordinator only, one
# snapshot per source.  Byte-identical JSON apart from the strategy's
# fields.  What reaches the shards: whole aggregates per partition, and a
# later level's many ranges as queries of a few ranges each.
set -euo pipefail
[ -n "${1:-}" ] || { echo "usage: $0 RECON_BINARY" >&2; exit 2; }
BIN=$(realpath "$1")
LIB=$(cd "$(dirname "$0")/../lib" && pwd)
. "$LIB/pg.sh"
cd "$(dirname "$0")/../.."
CLUSTER=$(mktemp -d /tmp/rpc.XXXXXX)
WORK=$(mktemp -d /tmp/recon-it.XXXXXX)
trap '"$LIB/pg_cluster.sh" stop "$CLUSTER"; rm -rf "$WORK"' EXIT
"$LIB/pg_cluster.sh" start "$CLUSTER"
export REF_CLUSTER=$CLUSTER
export REF_PG_URL="host=$CLUSTER/c dbname=postgres user=recon_ro password=$PG_PASSWORD"
export REF_PSQL="-h $CLUSTER/c -U postgres -d postgres"
python3 tests/parity/compare_bisect.py "$BIN" "$WORK/parity" 40 23 sharded

# what reaches the shards: each partition's bucket sums and totals as
# whole aggregates (a shard's log holds the GROUP BY postgres_fdw sent),
# for keys and columns of the types whose hashes postgres_fdw ships
# (integers, text, numeric, dates)
c() { psql -X -q -At -v ON_ERROR_STOP=1 -h "$CLUSTER/c" -U postgres -d postgres "$@"; }
"$LIB/pg_cluster.sh" shard "$CLUSTER" pa "id bigint, t text, n numeric(12,2), d date" id
"$LIB/pg_cluster.sh" shard "$CLUSTER" pb "id bigint, t text, n numeric(12,2), d date" id
c -c "INSERT INTO pa SELECT i, 't' || (i % 7), i / 4.0, DATE '2020-01-01' + i % 900 FROM generate_series(1, 30000) i" \
	-c "INSERT INTO pb SELECT * FROM pa WHERE id <> 777" \
	-c "UPDATE pb SET n = 0 WHERE id = 20000" -c "ANALYZE pa" -c "ANALYZE pb"
for i in 1 2 3; do
	psql -X -q -h "$CLUSTER/s$i" -U postgres -d postgres -c "ALTER SYSTEM SET log_statement = 'all'" \
		-c "SELECT pg_reload_conf()" >/dev/null
	: >"$CLUSTER/s$i/data/server.log"
done
cat >"$WORK/shards.ini" <<INI
[report]
output_dir = $WORK/out-shards
[source "db"]
type = postgres
url = env:REF_PG_URL
[check "sharded"]
kind = compare
left = db:pa
right = db:pb
key = id
strategy = bisect
INI
"$BIN" run -c "$WORK/shards.ini" --date 2026-11-22 -q || true
J=$WORK/out-shards/2026-11-22.json
expect shards_strategy "$(jq_ "$J" "j['checks'][0]['strategy']")" bisect
expect shards_findings "$(jq_ "$J" "j['checks'][0]['findings']")" "{'missing': 1, 'extra': 0, 'changed': 1}"
expect shards_cut "$(jq_ "$J" "j['checks'][0]['cut']")" "per shard"
grep -q "^Read per shard: each shard's rows are from its own snapshot, not one instant.$" \
	"$WORK/out-shards/2026-11-22.md" || fail shards_cut "no line in the report"
ok bisect_says_the_cut_is_per_shard
for i in 1 2 3; do
	log=$CLUSTER/s$i/data/server.log
	grep -q 'SELECT (CASE WHEN (id IS NULL) THEN (-1) ELSE width_bucket(id, .*count(\*), sum(.* GROUP BY 1' "$log" ||
		fail bucket_sums_pushed_down "shard $i: $(grep -c DECLARE "$log") cursors, no bucket sums"
	grep -q 'SELECT NULL::integer, id FROM public.p[ab] GROUP BY 2 HAVING ((count(\*) > 1))' "$log" ||
		fail duplicates_pushed_down "shard $i: no search for duplicate keys"
done
ok bisect_pushed_down_to_shards

# a later level of more ranges than a query holds, yet few for the table
# (one per 2048 rows or fewer): each shard gets queries of a few ranges,
# whose bounds its planner sees (an index scan), never a filter of every
# row by arrays of bounds; the findings are those of the rows strategy
"$LIB/pg_cluster.sh" shard "$CLUSTER" pc "id bigint, t text, n numeric(12,2), d date" id
"$LIB/pg_cluster.sh" shard "$CLUSTER" pd "id bigint, t text, n numeric(12,2), d date" id
c -c "INSERT INTO pc SELECT i, 't' || (i % 7), i / 4.0, DATE '2020-01-01' + i % 900 FROM generate_series(1, 100000) i" \
	-c "INSERT INTO pd SELECT * FROM pc WHERE id <> 777" \
	-c "UPDATE pd SET n = n + 1 WHERE id % 4000 = 250" -c "ANALYZE pc" -c "ANALYZE pd"
for i in 1 2 3; do : >"$CLUSTER/s$i/data/server.log"; done
sed -e "s|out-shards|out-many|" -e "s|db:pa|db:pc|" -e "s|db:pb|db:pd|" "$WORK/shards.ini" >"$WORK/many.ini"
sed -e "s|out-many|out-many-rows|" -e "s|^strategy = bisect|strategy = rows|" "$WORK/many.ini" \
	>"$WORK/many-rows.ini"
"$BIN" run -c "$WORK/many.ini" --date 2026-11-22 -q || true
"$BIN" run -c "$WORK/many-rows.ini" --date 2026-11-22 -q || true
J=$WORK/out-many/2026-11-22.json
expect many_findings "$(jq_ "$J" "j['checks'][0]['findings']")" "{'missing': 1, 'extra': 0, 'changed': 25}"
python3 - "$J" "$WORK/out-many-rows/2026-11-22.json" <<'PY' || fail many_ranges_like_rows "the findings differ"
import json, sys
strip = lambda c: {k: v for k, v in c.items() if k not in ('strategy', 'strategy_note', 'ranges', 'rows_streamed', 'cut')}
a, b = (json.load(open(f))['checks'][0] for f in sys.argv[1:])
sys.exit(strip(a) != strip(b) or a['strategy'] != 'bisect')
PY
for i in 1 2 3; do
	log=$CLUSTER/s$i/data/server.log
	grep -q 'ELSE ([0-9]* + width_bucket(id, ' "$log" ||
		fail many_ranges_per_shard "shard $i: no sums of a few ranges"
	if grep -q "CAST('{[ft],[ft]" "$log" || grep -q "'{[ft],[ft]" "$log"; then
		fail many_ranges_per_shard "shard $i: a filter of every row"
	fi
done
ok many_ranges_per_shard
