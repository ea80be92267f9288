#!/bin/bash
# pg_params.sh BIN: recon never binds SQL parameters.  On PostgreSQL a $N
# (reported by the described statement), and a :name, ? or @name (which
# PostgreSQL refuses to parse), in a query, precondition, ready query or
# compare side query make that check an error naming the parameter, with
# ${date} suggested for :date; a ::date cast and a $1 inside a
# dollar-quoted body are not parameters.  The same for a SQLite source and
# a snapshot directory, where @name is a parameter too (on PostgreSQL it
# is the absolute value operator).
set -euo pipefail
. "$(dirname "$0")/../lib/pg.sh"
pg_setup "$1"

admin_sql -c "CREATE TABLE t (id int, day date); INSERT INTO t VALUES (1, '2026-11-22')"
sqlite3 "$WORK/t.db" "CREATE TABLE t (id INTEGER, day TEXT); INSERT INTO t VALUES (1, '2026-11-22');"
mkdir -p "$WORK/snap"
printf 'id,day\n1,2026-11-22\n' >"$WORK/snap/t.csv"

# checks SOURCE: the same checks on one source
checks() {
	cat <<INI
[check "a-colon-date"]
source = $1
query = SELECT id FROM t WHERE day = :date
[check "b-question"]
source = $1
query = SELECT id FROM t WHERE id = ?
$([ "$1" = db ] || printf '[check "c-at"]\nsource = %s\nquery = SELECT id FROM t WHERE id = @id\n' "$1")
[check "d-dollar"]
kind = value
source = $1
query = SELECT count(*) FROM t WHERE id = \$1
[check "e-precondition"]
source = $1
query = SELECT id FROM t WHERE id = 0
precondition = SELECT count(*) FROM t WHERE day = :date
[check "f-ready"]
source = $1
query = SELECT id FROM t WHERE id = 0
ready = SELECT count(*) > 0 FROM t WHERE id = ?1
ready_timeout = 1
[check "g-left-query"]
kind = compare
left = $1
left_query = SELECT id, day FROM t WHERE day = :date
right = $1
right_query = SELECT id, day FROM t
key = id
INI
}

cat >"$WORK/recon.ini" <<INI
[report]
title = pg params
[source "db"]
type = postgres
url = $ADMIN_URL
statement_timeout = 10
$(checks db)
[check "h-cast-and-dollar-quote"]
source = db
query = SELECT id FROM t WHERE day <> '2026-11-22'::date AND length(\$fn\$ SELECT \$1 \$fn\$) > 0 AND \$\$:date ?\$\$ <> ''
INI
rc=0
"$BIN" run -c "$WORK/recon.ini" -o "$WORK/out" --date 2026-11-22 -q 2>"$WORK/stderr" || rc=$?
expect exit "$rc" 2
J="$WORK/out/2026-11-22.json"
err() { jq_ "$J" "[c['status'] + ': ' + c.get('error', '') for c in j['checks'] if c['id'] == '$1'][0]"; }
DATE_HINT="which recon never binds; write \${date} for the report's date"
OTHER="which recon never binds; write its value in the SQL"
expect pg-colon-date "$(err a-colon-date)" "error: query has a bind parameter :date, $DATE_HINT"
expect pg-question "$(err b-question)" "error: query has a bind parameter ?, $OTHER"
expect pg-dollar "$(err d-dollar)" "error: query has a bind parameter \$1, $OTHER"
expect pg-precondition "$(err e-precondition)" "error: precondition has a bind parameter :date, $DATE_HINT"
expect pg-ready "$(err f-ready)" "error: ready query has a bind parameter ?1, $OTHER"
expect pg-left-query "$(err g-left-query)" "error: left_query has a bind parameter :date, $DATE_HINT"
expect pg-cast "$(err h-cast-and-dollar-quote)" "pass: "
grep -q "check a-colon-date: query has a bind parameter :date" "$WORK/stderr" || fail pg-stderr "$(cat "$WORK/stderr")"
ok "PostgreSQL: \$1, :date, ?, ?1 in query, precondition, ready and left_query are errors naming them; ::date and \$\$ \$1 \$\$ are not"

for kind in sqlite csv; do
	path=$WORK/t.db
	[ "$kind" = sqlite ] || path=$WORK/snap
	cat >"$WORK/$kind.ini" <<INI
[report]
title = params
[source "s"]
type = $kind
path = $path
$(checks s)
INI
	rc=0
	"$BIN" run -c "$WORK/$kind.ini" -o "$WORK/out-$kind" --date 2026-11-22 -q 2>/dev/null || rc=$?
	expect "$kind-exit" "$rc" 2
	J="$WORK/out-$kind/2026-11-22.json"
	expect "$kind-colon-date" "$(err a-colon-date)" "error: query has a bind parameter :date, $DATE_HINT"
	expect "$kind-question" "$(err b-question)" "error: query has a bind parameter ?, $OTHER"
	expect "$kind-at" "$(err c-at)" "error: query has a bind parameter @id, $OTHER"
	expect "$kind-dollar" "$(err d-dollar)" "error: query has a bind parameter \$1, $OTHER"
	expect "$kind-precondition" "$(err e-precondition)" "error: precondition has a bind parameter :date, $DATE_HINT"
	expect "$kind-ready" "$(err f-ready)" "error: ready query has a bind parameter ?1, $OTHER"
	expect "$kind-left-query" "$(err g-left-query)" "error: left_query has a bind parameter :date, $DATE_HINT"
	ok "$kind: :date, ?, @id, \$1, ?1 in query, precondition, ready and left_query are errors naming them"
done
ok pg_params
