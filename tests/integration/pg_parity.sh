#!/bin/bash
# Parity: the demo's data loaded into a real PostgreSQL server, and a copy
# of the demo configuration whose source points at it (the demo's checks are
# written in SQL both SQLite and PostgreSQL accept), give the same checks,
# statuses, drift, groups and samples in the JSON as the CSV snapshot run,
# for every day of the demo.  recon connects as the read-only role.
set -euo pipefail
. "$(dirname "$0")/../lib/pg.sh"
pg_setup "$1"
cd "$(dirname "$0")/../.."

ini=fixtures/demo/.parity-pg.ini
sed -e 's/^type = csv$/type = postgres/' \
    -e "s|^path = snapshots/current\$|url = env:RECON_PARITY_URL|" \
    -e "s|^output_dir = .*|output_dir = $WORK/pg-out|" \
    fixtures/demo/recon.ini > "$ini"
trap 'rm -f fixtures/demo/.parity-pg.ini; pg_cleanup' EXIT
grep -q '^type = postgres$' "$ini" || fail pg_parity "demo source not rewritten"
export RECON_PARITY_URL=$RO_URL

./tests/demo.sh "$BIN" "$WORK/csv-out" > /dev/null
n=0
for dir in fixtures/demo/snapshots/2026-*; do
	day=$(basename "$dir")
	python3 tests/parity/pg_schema.py "$dir" | admin_sql > /dev/null
	"$BIN" run -c "$ini" --date "$day" -q 2> "$WORK/err" || true
	[ ! -s "$WORK/err" ] || fail pg_parity "$day: $(cat "$WORK/err")"
	python3 tests/parity/same_results.py "$WORK/csv-out/$day.json" "$WORK/pg-out/$day.json" ||
		fail pg_parity "$day: PostgreSQL source differs from the CSV snapshot"
	n=$((n + 1))
done
snap=$(jq_ "$WORK/pg-out/2026-11-05.json" "j['inputs'][0]['snapshot']")
[ -n "$snap" ] && [ "$snap" != None ] || fail pg_parity "no snapshot in provenance"
ok "PostgreSQL source gives the CSV snapshot's results on all $n demo days"
