#!/bin/bash
# pg_ready.sh BIN: a ready query is polled outside the consistent cut until
# it holds, so a lagging side is read once it has caught up; one that never
# holds within ready_timeout is an error "not ready" (exit 2), never a fail.
set -euo pipefail
. "$(dirname "$0")/../lib/pg.sh"
pg_setup "$1"

admin_sql -c "CREATE TABLE marker (id int); CREATE TABLE facts (id int)"
cat >"$WORK/recon.ini" <<INI
[report]
title = pg ready
[source "db"]
type = postgres
url = $ADMIN_URL
[check "caught-up"]
kind = value
source = db
query = SELECT count(*) FROM facts
expect = 5
ready = SELECT EXISTS (SELECT 1 FROM marker)
ready_timeout = 20
INI
# the lagging side catches up after a second: facts first, then the marker
bg bash -c "sleep 1; psql -X -q -h '$PGDIR' -U postgres -d postgres -c 'INSERT INTO facts SELECT generate_series(1, 5)' -c 'INSERT INTO marker VALUES (1)'"
start=$(date +%s)
rc=0
"$BIN" run -c "$WORK/recon.ini" -o "$WORK/out" --date 2026-11-22 >"$WORK/stdout" 2>"$WORK/stderr" || rc=$?
took=$(( $(date +%s) - start ))
expect exit "$rc" 0
expect caught-up "$(jq_ "$WORK/out/2026-11-22.json" "j['checks'][0]['status']")" pass
[ "$took" -ge 1 ] || fail caught-up "the run did not wait ($took s)"
ok "the check waited for the ready query ($took s) and read the caught-up data in its cut"

cat >"$WORK/never.ini" <<INI
[report]
title = pg ready
[source "db"]
type = postgres
url = $ADMIN_URL
[check "never"]
kind = value
source = db
query = SELECT count(*) FROM facts
expect = 5
ready = SELECT EXISTS (SELECT 1 FROM marker WHERE id = 42)
ready_timeout = 2
[check "other"]
source = db
query = SELECT id FROM facts WHERE id > 5
INI
start=$(date +%s)
rc=0
"$BIN" run -c "$WORK/never.ini" -o "$WORK/out2" --date 2026-11-22 >"$WORK/stdout" 2>"$WORK/stderr" || rc=$?
took=$(( $(date +%s) - start ))
J="$WORK/out2/2026-11-22.json"
expect exit "$rc" 2
s=$(jq_ "$J" "[c['status'] + ': ' + c.get('error', '') for c in j['checks'] if c['id'] == 'never'][0]")
case "$s" in error:\ not\ ready*) ;; *) fail never "$s" ;; esac
expect other "$(jq_ "$J" "[c['status'] for c in j['checks'] if c['id'] == 'other'][0]")" pass
[ "$took" -le 6 ] || fail never "the run took $took s for a 2 s budget"
ok "a ready query that never holds: error \"not ready\" after its budget ($took s), exit 2; the rest runs"
ok pg_ready
