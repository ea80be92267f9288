#!/bin/bash
# pg_compare_reference.sh BIN: tests/parity/compare_reference.py with the
# sides in a real PostgreSQL server (each file loaded as text with psql's
# \copy): sides whose sampled rows are read again by key, through SQL built
# from text key values that hold quotes, backslashes, newlines and
# non-ASCII; first the right sides only (the left ones CSV files), then both
# (two table sides on one source, read at once over two connections in one
# snapshot).  300 random pairs each, fixed seeds.
set -euo pipefail
. "$(dirname "$0")/../lib/pg.sh"
pg_setup "$1"
cd "$(dirname "$0")/../.."
export REF_PG_URL=$RO_URL REF_PSQL="-h $PGDIR -U postgres -d postgres"
python3 tests/parity/compare_reference.py "$BIN" "$WORK/run" 300 20261123 postgres
python3 tests/parity/compare_reference.py "$BIN" "$WORK/both" 300 13 postgres-both
ok pg_compare_reference
