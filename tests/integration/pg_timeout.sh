#!/bin/bash
# pg_timeout.sh BIN: a query that outlives statement_timeout is an error
# naming the timeout; the other checks of the source still run.
set -euo pipefail
. "$(dirname "$0")/../lib/pg.sh"
pg_setup "$1"

admin_sql -c "CREATE TABLE t (id int); INSERT INTO t VALUES (1), (2)"
cat >"$WORK/recon.ini" <<INI
[report]
title = pg timeout
[source "db"]
type = postgres
url = $ADMIN_URL
statement_timeout = 1
[check "a-before"]
kind = value
source = db
query = SELECT count(*) FROM t
expect = 2
[check "b-slow"]
source = db
query = SELECT pg_sleep(3)
[check "c-after"]
source = db
query = SELECT id FROM t WHERE id > 5
INI
start=$(date +%s)
rc=0
"$BIN" run -c "$WORK/recon.ini" -o "$WORK/out" --date 2026-11-22 >"$WORK/stdout" 2>"$WORK/stderr" || rc=$?
took=$(( $(date +%s) - start ))
J="$WORK/out/2026-11-22.json"
expect exit "$rc" 2
s=$(jq_ "$J" "[c['status'] + ': ' + c.get('error', '') for c in j['checks'] if c['id'] == 'b-slow'][0]")
expect b-slow "$s" "error: statement timeout (1 s): the query was cancelled"
grep -q "statement timeout (1 s)" "$WORK/stderr" || fail stderr "$(cat "$WORK/stderr")"
ok "the slow check is an error naming the timeout, exit 2"
expect others "$(jq_ "$J" "[c['status'] for c in j['checks'] if c['id'] != 'b-slow']")" "['pass', 'pass']"
ok "the checks before and after it still run"
[ "$took" -lt 3 ] || fail duration "the run took $took s: the timeout did not cut the query"
ok "the query was cut at the timeout ($took s)"
ok pg_timeout
