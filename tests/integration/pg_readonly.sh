#!/bin/bash
# pg_readonly.sh BIN: recon can never write to a PostgreSQL source.  A check
# (or a ready query) whose SQL writes is an error and the table is unchanged;
# the other checks still run.
set -euo pipefail
. "$(dirname "$0")/../lib/pg.sh"
pg_setup "$1"

admin_sql -c "CREATE TABLE ro (id int PRIMARY KEY, v text); INSERT INTO ro VALUES (1, 'a'), (2, 'b'), (3, 'c')"
before=$(admin_sql -At -c "SELECT md5(string_agg(id || ':' || v, ',' ORDER BY id)) FROM ro")

# as the superuser: only the read-only transaction stands in the way
cat >"$WORK/recon.ini" <<INI
[report]
title = pg read-only
[source "db"]
type = postgres
url = $ADMIN_URL
[check "w-insert"]
source = db
query = INSERT INTO ro VALUES (99, 'x') RETURNING id
[check "w-delete"]
source = db
query = DELETE FROM ro
[check "w-delete-returning"]
source = db
query = DELETE FROM ro RETURNING id
[check "w-cte"]
source = db
query = WITH gone AS (DELETE FROM ro RETURNING *) SELECT * FROM gone
[check "w-two-statements"]
source = db
query = SELECT 1 WHERE false; DELETE FROM ro
[check "w-ready"]
source = db
query = SELECT 1 WHERE false
ready = INSERT INTO ro VALUES (98, 'y') RETURNING true
ready_timeout = 2
[check "z-read"]
kind = value
source = db
query = SELECT count(*) FROM ro
expect = 3
INI

rc=0
"$BIN" run -c "$WORK/recon.ini" -o "$WORK/out" --date 2026-11-22 >"$WORK/stdout" 2>"$WORK/stderr" || rc=$?
J="$WORK/out/2026-11-22.json"
expect exit "$rc" 2
ok "writing checks make the run exit 2"
for c in w-insert w-delete w-delete-returning w-cte w-two-statements w-ready; do
	s=$(jq_ "$J" "[c['status'] + ': ' + c.get('error', '') for c in j['checks'] if c['id'] == '$c'][0]")
	case "$s" in
	error:*read-only*|error:*multiple\ commands*) ;;
	*) fail "$c" "$s" ;;
	esac
done
ok "every writing statement is an error saying why ($(jq_ "$J" "[c['error'] for c in j['checks'] if c['id'] == 'w-insert'][0]"))"
expect z-read "$(jq_ "$J" "[c['status'] for c in j['checks'] if c['id'] == 'z-read'][0]")" pass
ok "a later check of the same source still runs"
after=$(admin_sql -At -c "SELECT md5(string_agg(id || ':' || v, ',' ORDER BY id)) FROM ro")
expect unchanged "$after" "$before"
ok "the table is unchanged"
ok pg_readonly
