#!/bin/bash
# pg_faults.sh BIN: what a PostgreSQL source says when the server does not
# go along, each within a bound:
#  - a DBA's pg_cancel_backend is reported with the server's reason, not as
#    a statement timeout;
#  - a lock another session holds makes the check a "lock timeout" error
#    after half the statement_timeout (the default bound on locks);
#  - a backend that stops answering (SIGSTOP) makes the check an error
#    "server stopped answering" once the client's deadline (statement_timeout
#    plus as much again) has passed;
#  - a backend terminated while rows stream keeps nothing of what the check
#    counted: error, drift 0, no groups, no samples.
set -euo pipefail
. "$(dirname "$0")/../lib/pg.sh"
pg_setup "$1"

admin_sql -c "CREATE TABLE locked (id int); INSERT INTO locked VALUES (1)"

# backend_of PATTERN: the pid of recon's backend running a query like PATTERN
backend_of() {
	local i pid
	for i in $(seq 1 100); do
		pid=$(psql -X -qAt -h "$PGDIR" -U postgres -d postgres -c \
			"SELECT pid FROM pg_stat_activity WHERE application_name = 'recon' AND state = 'active' AND query LIKE '$1' AND pid <> pg_backend_pid() LIMIT 1")
		if [ -n "$pid" ]; then
			echo "$pid"
			return 0
		fi
		sleep 0.1
	done
	return 1
}

# config NAME TIMEOUT QUERY [GROUP]: one rows check "c" on the server
config() {
	cat >"$WORK/$1.ini" <<INI
[report]
title = pg faults
[source "db"]
type = postgres
url = $ADMIN_URL
statement_timeout = $2
[check "c"]
source = db
query = $3
${4:+group = $4}
INI
}
# elapsed: seconds since $t0 (monotonic enough for a bound of seconds)
elapsed() { python3 -c "import sys, time; print('%.1f' % (time.monotonic() - float(sys.argv[1])))" "$t0"; }
now() { python3 -c 'import time; print(time.monotonic())'; }
error_of() { jq_ "$WORK/$1/2026-11-22.json" "j['checks'][0]['status'] + ': ' + j['checks'][0].get('error', '')"; }

# 1. pg_cancel_backend from another session
config cancel 60 "SELECT 1 AS one FROM pg_sleep(30)"
rc=0
"$BIN" run -c "$WORK/cancel.ini" -o "$WORK/cancel" --date 2026-11-22 -q 2>/dev/null &
run=$!
pid=$(backend_of '%pg_sleep(30)%') || fail cancel "recon's query never showed up"
admin_sql -qAt -c "SELECT pg_cancel_backend($pid)" >/dev/null
wait "$run" || rc=$?
expect cancel-exit "$rc" 2
expect cancel "$(error_of cancel)" "error: SQL error: canceling statement due to user request (SQLSTATE 57014)"
ok "pg_cancel_backend: the server's reason, not a statement timeout"

# 2. a lock held by another session
bg psql -X -q -h "$PGDIR" -U postgres -d postgres -c "BEGIN" \
	-c "LOCK TABLE locked IN ACCESS EXCLUSIVE MODE" -c "SELECT pg_sleep(60)"
for i in $(seq 1 50); do
	[ -n "$(admin_sql -qAt -c "SELECT 1 FROM pg_locks WHERE relation = 'locked'::regclass AND mode = 'AccessExclusiveLock' AND granted")" ] && break
	sleep 0.1
done
config lock 4 "SELECT id FROM locked"
t0=$(now)
rc=0
timeout 30 "$BIN" run -c "$WORK/lock.ini" -o "$WORK/lock" --date 2026-11-22 -q 2>/dev/null || rc=$?
took=$(elapsed)
expect lock-exit "$rc" 2
case "$(error_of lock)" in
"error: lock timeout (2 s): "*) ;;
*) fail lock "$(error_of lock)" ;;
esac
python3 -c "import sys; sys.exit(0 if float(sys.argv[1]) < 4 else 1)" "$took" || fail lock "took $took s"
ok "a lock held elsewhere: \"lock timeout (2 s)\" after $took s, within statement_timeout = 4"

# 3. a backend that stops answering
config frozen 2 "SELECT 1 AS one FROM pg_sleep(1.5)"
t0=$(now)
rc=0
timeout 30 "$BIN" run -c "$WORK/frozen.ini" -o "$WORK/frozen" --date 2026-11-22 -q 2>/dev/null &
run=$!
pid=$(backend_of '%pg_sleep(1.5)%') || fail frozen "recon's query never showed up"
kill -STOP "$pid"
wait "$run" || rc=$?
took=$(elapsed)
kill -CONT "$pid"
expect frozen-exit "$rc" 2
case "$(error_of frozen)" in
"error: source 'db': server stopped answering: nothing received for 4 s"*) ;;
*) fail frozen "$(error_of frozen)" ;;
esac
python3 -c "import sys; sys.exit(0 if float(sys.argv[1]) < 7 else 1)" "$took" || fail frozen "took $took s"
ok "a frozen backend: \"server stopped answering\" after $took s (deadline 4 s after the last reply)"

# 4. a backend terminated while its rows stream
config terminated 60 "SELECT g, g % 5 AS grp FROM generate_series(1, 400000) g WHERE pg_sleep(0.00002) IS NOT NULL" grp
rc=0
"$BIN" run -c "$WORK/terminated.ini" -o "$WORK/terminated" --date 2026-11-22 -q 2>/dev/null &
run=$!
pid=$(backend_of '%generate_series(1, 400000)%') || fail terminated "recon's query never showed up"
sleep 1.5
admin_sql -qAt -c "SELECT pg_terminate_backend($pid)" >/dev/null
wait "$run" || rc=$?
J="$WORK/terminated/2026-11-22.json"
expect terminated-exit "$rc" 2
case "$(error_of terminated)" in
"error: source 'db': connection lost"*) ;;
*) fail terminated "$(error_of terminated)" ;;
esac
expect terminated-kept "$(jq_ "$J" "(j['checks'][0]['drift'], j['checks'][0]['groups'], j['checks'][0]['samples'], j['summary']['drift'], j['summary']['tenants_with_drift'])")" "(0, [], [], 0, 0)"
ok "a backend terminated mid-stream: error, drift 0, no groups, no samples"
ok pg_faults
