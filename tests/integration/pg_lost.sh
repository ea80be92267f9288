#!/bin/bash
# pg_lost.sh BIN: a connection dropped mid-sweep makes that check and every
# later check of the source an error ("connection lost"); no crash, no
# hang; the report is written and the exit status is 2.
set -euo pipefail
. "$(dirname "$0")/../lib/pg.sh"
pg_setup "$1"

admin_sql -c "CREATE TABLE t (id int)"
cat >"$WORK/recon.ini" <<INI
[report]
title = pg lost
[source "db"]
type = postgres
url = $ADMIN_URL
[check "a-first"]
source = db
query = SELECT id FROM t
[check "b-drop"]
source = db
query = SELECT pg_terminate_backend(pg_backend_pid())
[check "c-later"]
source = db
query = SELECT id FROM t
[check "d-later"]
kind = value
source = db
query = SELECT count(*) FROM t
INI
rc=0
timeout 60 "$BIN" run -c "$WORK/recon.ini" -o "$WORK/out" --date 2026-11-22 >"$WORK/stdout" 2>"$WORK/stderr" || rc=$?
J="$WORK/out/2026-11-22.json"
expect exit "$rc" 2
[ -f "$J" ] || fail report "no report written"
expect statuses "$(jq_ "$J" "[c['status'] for c in j['checks']]")" "['pass', 'error', 'error', 'error']"
for c in b-drop c-later d-later; do
	jq_ "$J" "[c['error'] for c in j['checks'] if c['id'] == '$c'][0]" | grep -q "^source 'db': connection lost" ||
		fail "$c" "$(jq_ "$J" "[c.get('error') for c in j['checks'] if c['id'] == '$c'][0]")"
done
ok "the dropped check and every later one: \"connection lost\", exit 2, report written"
ok pg_lost
