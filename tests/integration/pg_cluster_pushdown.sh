#!/bin/bash
# pg_cluster_pushdown.sh BIN: the sharded test cluster (tests/lib/pg_cluster.sh,
# a coordinator and three postgres_fdw shards) holds a table partitioned by
# hash of its key, one partition per shard: rows inserted on the coordinator
# land on the shards, a count(*) and a sum over the partitioned table are
# right, and what postgres_fdw sends to each shard is what the plan says:
# a sum grouped by the partition key runs on the shards (Remote SQL holds
# the aggregate), and a key range's WHERE goes to the shards with only the
# columns the aggregate reads (PostgreSQL 15 finishes an aggregate that is
# not grouped by the partition key on the coordinator).
set -euo pipefail
[ -n "${1:-}" ] || { echo "usage: $0 RECON_BINARY" >&2; exit 2; }
LIB=$(cd "$(dirname "$0")/../lib" && pwd)
. "$LIB/pg.sh"
CLUSTER=$(mktemp -d /tmp/rpc.XXXXXX)
trap '"$LIB/pg_cluster.sh" stop "$CLUSTER"' EXIT
"$LIB/pg_cluster.sh" start "$CLUSTER"
"$LIB/pg_cluster.sh" shard "$CLUSTER" t "id int, g int, v numeric" id
c() { psql -X -q -At -v ON_ERROR_STOP=1 -h "$CLUSTER/c" -U postgres -d postgres "$@"; }
s() { psql -X -q -At -v ON_ERROR_STOP=1 -h "$CLUSTER/s$1" -U postgres -d postgres -c "$2"; }

c -c "INSERT INTO t SELECT i, i % 7, i * 1.5 FROM generate_series(1, 30000) i" -c "ANALYZE t"
total=0
for i in 1 2 3; do
	n=$(s $i "SELECT count(*) FROM t")
	[ "$n" -gt 5000 ] || fail shards_hold_rows "shard $i holds $n rows"
	total=$((total + n))
done
expect shards_hold_rows "$total" 30000
ok shards_hold_rows
expect count_over_shards "$(c -c "SELECT count(*), sum(v) FROM t")" "30000|675022500.0"
ok count_over_shards

plan=$(c -c "SET enable_partitionwise_aggregate = on" \
	-c "EXPLAIN VERBOSE SELECT id, count(*), sum(hash_numeric_extended(v, 1)) FROM t GROUP BY id")
n=$(grep -c 'Remote SQL: SELECT id, count(\*), sum(hash_numeric_extended(v, 1::bigint)) FROM public.t GROUP BY 1' <<<"$plan" || true)
[ "$n" = 3 ] || fail grouped_sum_pushed_down "$plan"
ok grouped_sum_pushed_down

plan=$(c -c "EXPLAIN VERBOSE SELECT count(*), sum(hash_numeric_extended(v, 1)) FROM t WHERE id >= 100 AND id < 2000")
n=$(grep -c 'Remote SQL: SELECT v FROM public.t WHERE ((id >= 100)) AND ((id < 2000))' <<<"$plan" || true)
[ "$n" = 3 ] || fail range_pushed_down "$plan"
ok range_pushed_down
