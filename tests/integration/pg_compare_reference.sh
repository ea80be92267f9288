#!/bin/bash
# pg_compare_reference.sh BIN: tests/parity/compare_reference.py with the
# right sides in a real PostgreSQL server (each right file loaded as text
# with psql's \copy): a query side whose sampled rows are read again by key,
# through SQL built from text key values that hold quotes, backslashes,
# newlines and non-ASCII.  300 random pairs, a fixed seed.
set -euo pipefail
. "$(dirname "$0")/../pg/lib.sh"
pg_setup "$1"
cd "$(dirname "$0")/../.."
export REF_PG_URL=$RO_URL REF_PSQL="-h $PGDIR -U postgres -d postgres"
python3 tests/parity/compare_reference.py "$BIN" "$WORK/run" 300 20261123 postgres
ok pg_compare_reference
