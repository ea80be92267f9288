#!/bin/bash
# pg_cluster_bisect.sh BIN: strategy = bisect against strategy = rows on the
# sharded test cluster (tests/lib/pg_cluster.sh): every table of
# tests/parity/compare_bisect.py's random pairs partitioned by hash into
# three postgres_fdw shards, recon connected to the coordinator only, one
# snapshot per source.  Byte-identical JSON apart from the strategy's
# fields.
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
