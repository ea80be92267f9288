#!/bin/bash
# pg_cut.sh BIN: every check of a PostgreSQL source sees one consistent cut.
# While a concurrent session inserts and deletes rows in a loop, two checks
# that read the same count (with a slow check between them) always agree
# within one run, over several runs.
set -euo pipefail
. "$(dirname "$0")/../lib/pg.sh"
pg_setup "$1"

admin_sql -c "CREATE TABLE churn (id serial PRIMARY KEY, v int)"
# the churn: one server-side loop, committing every few milliseconds,
# bounded by its own statement_timeout
bg psql -X -q -h "$PGDIR" -U postgres -d postgres -c "SET statement_timeout = '120s'" -c '
DO $$
BEGIN
	LOOP
		INSERT INTO churn (v) SELECT g FROM generate_series(1, 1 + (random() * 20)::int) g;
		COMMIT;
		PERFORM pg_sleep(0.002);
		DELETE FROM churn WHERE id IN (SELECT id FROM churn ORDER BY random() LIMIT 10);
		COMMIT;
	END LOOP;
END $$;'

# control: without a cut, two reads a moment apart do differ (read again
# for up to 5 s: on a busy machine the churn may stall for a moment)
sleep 0.5
a=$(admin_sql -At -c "SELECT count(*) FROM churn")
for _ in $(seq 50); do
	sleep 0.1
	b=$(admin_sql -At -c "SELECT count(*) FROM churn")
	[ "$a" = "$b" ] || break
done
[ "$a" != "$b" ] || fail control "the churn does not change the count ($a, for 5 s)"
ok "control: the count changes between two separate reads ($a, $b)"

cat >"$WORK/recon.ini" <<INI
[report]
title = pg cut
[source "db"]
type = postgres
url = $ADMIN_URL
[check "a-count"]
kind = value
source = db
query = SELECT count(*) FROM churn
min = 0
[check "b-slow"]
source = db
query = SELECT 1 FROM pg_sleep(0.4) WHERE false
[check "c-count"]
kind = value
source = db
query = SELECT count(*) FROM churn
min = 0
[check "d-sum"]
kind = value
source = db
query = SELECT count(*) FROM (SELECT id FROM churn ORDER BY id) s
min = 0
INI

seen=""
for run in 1 2 3 4 5; do
	rc=0
	"$BIN" run -c "$WORK/recon.ini" -o "$WORK/out" --date 2026-11-22 >"$WORK/stdout" 2>"$WORK/stderr" || rc=$?
	expect "run $run exit" "$rc" 0
	v=$(jq_ "$WORK/out/2026-11-22.json" "' '.join('%g' % c['value'] for c in j['checks'] if c['kind'] == 'value')")
	set -- $v
	[ "$1" = "$2" ] && [ "$2" = "$3" ] || fail "run $run" "counts disagree within one run: $v"
	seen="$seen $1"
done
ok "three reads of the count agree within each of 5 runs (counts:$seen)"
ok pg_cut
