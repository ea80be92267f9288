#!/bin/bash
# pg_signal.sh BIN: a SIGTERM during a run cancels recon's query on the
# server (pg_stat_activity shows it no more), leaves no temporary file in
# the report directory or beside the metrics file, writes no report, and
# recon ends killed by the signal (status 143).
set -euo pipefail
. "$(dirname "$0")/../lib/pg.sh"
pg_setup "$1"

cat >"$WORK/recon.ini" <<INI
[report]
title = pg signal
[source "db"]
type = postgres
url = $ADMIN_URL
[check "fast"]
source = db
query = SELECT 1 WHERE false
[check "sleeps"]
source = db
query = SELECT 1 AS one FROM pg_sleep(60)
INI
mkdir -p "$WORK/metrics"
active() {
	admin_sql -qAt -c "SELECT count(*) FROM pg_stat_activity WHERE query LIKE '%pg_sleep(60)%' AND state = 'active' AND pid <> pg_backend_pid()"
}
"$BIN" run -c "$WORK/recon.ini" -o "$WORK/out" --date 2026-11-22 --metrics "$WORK/metrics/recon.prom" -q 2>"$WORK/stderr" &
run=$!
for i in $(seq 1 100); do
	[ "$(active)" = 1 ] && break
	sleep 0.1
done
expect running "$(active)" 1
kill -TERM "$run"
rc=0
wait "$run" || rc=$?
expect exit "$rc" 143
# the cancel is sent before recon dies: the server stops the query at once
for i in $(seq 1 20); do
	[ "$(active)" = 0 ] && break
	sleep 0.1
done
expect cancelled "$(active)" 0
left=$(find "$WORK/out" "$WORK/metrics" -name '*.tmp-*' | wc -l)
expect temporaries "$left" 0
[ ! -e "$WORK/out/2026-11-22.json" ] || fail report "a report was written"
[ ! -e "$WORK/metrics/recon.prom" ] || fail metrics "metrics were written"
ok "SIGTERM: the server's query cancelled, no temporary file, no report, status 143"
ok pg_signal
