#!/bin/bash
# pg_validate.sh BIN: `recon validate --sources` opens every source and
# prepares every query without running it: in one run it lists a wrong
# group column, a wrong key, a wrong compared column, a missing table (with
# a "did you mean" hint), a bind parameter and an unreachable source (for
# each check that uses it), over PostgreSQL, SQLite and a snapshot
# directory; it exits 2 and writes nothing.  A configuration without a
# problem exits 0.
set -euo pipefail
. "$(dirname "$0")/../lib/pg.sh"
pg_setup "$1"

admin_sql -c "CREATE TABLE org_units (tenant_id text, unit_id text, name text)" \
	-c "CREATE TABLE slow (id int)"
sqlite3 "$WORK/feeds.db" "CREATE TABLE feed (tenant_id TEXT, unit_id TEXT, name TEXT);"
mkdir -p "$WORK/snap"
printf 'tenant_id,unit_id,name\nt1,u1,A\n' >"$WORK/snap/departments.csv"

cat >"$WORK/good.ini" <<INI
[report]
title = validate
output_dir = out
[source "app"]
type = postgres
url = $ADMIN_URL
[source "feeds"]
type = sqlite
path = feeds.db
[source "legacy"]
type = csv
path = snap
[tenants]
source = legacy
query = SELECT DISTINCT tenant_id FROM departments
[check "a-rows"]
source = app
query = SELECT tenant_id, unit_id FROM org_units WHERE name IS NULL
group = tenant_id
precondition = SELECT count(*) > 0 FROM org_units
[check "b-compare"]
kind = compare
left = legacy:departments
right = app:org_units
key = tenant_id, unit_id
columns = name
group = tenant_id
[check "c-compare-queries"]
kind = compare
left = feeds
left_query = SELECT tenant_id, unit_id, name FROM feed
right = app
right_query = SELECT tenant_id, unit_id, name AS title FROM org_units
key = tenant_id, unit_id
ready = SELECT true
[check "d-value"]
kind = value
source = feeds
query = SELECT count(*) FROM feed
INI
rc=0
(cd "$WORK" && "$BIN" validate -c good.ini --sources) >"$WORK/stdout" 2>"$WORK/stderr" || rc=$?
expect good-exit "$rc" 0
[ ! -s "$WORK/stderr" ] || fail good "$(cat "$WORK/stderr")"
grep -q "good.ini: ok" "$WORK/stdout" || fail good "$(cat "$WORK/stdout")"
ok "a configuration that fits its sources: exit 0, nothing on stderr"

sed -e 's/^group = tenant_id$/group = tenant/' \
    -e 's/^key = tenant_id, unit_id$/key = tenant_id, unit/' \
    -e 's/^columns = name$/columns = nmae/' \
    -e 's/FROM feed$/FROM feeds/' \
    -e "s|^url = .*|url = host=$WORK/no-server dbname=postgres user=postgres connect_timeout=2|" \
    "$WORK/good.ini" >"$WORK/bad.ini"
# the unreachable source: every check that reads app; the rest: feeds and legacy
cat >>"$WORK/bad.ini" <<INI
[check "e-legacy-group"]
source = legacy
query = SELECT tenant_id, unit_id FROM departments WHERE name IS NULL
group = tenant
[check "f-feeds-table"]
source = feeds
query = SELECT tenant_id FROM feeds
[check "g-compare-key"]
kind = compare
left = legacy:departments
right = feeds:feed
key = tenant_id, unit
columns = nmae
[check "h-param"]
source = feeds
query = SELECT tenant_id FROM feed WHERE name = :date
INI
rc=0
(cd "$WORK" && "$BIN" validate -c bad.ini --sources) >"$WORK/stdout" 2>"$WORK/stderr" || rc=$?
expect bad-exit "$rc" 2
cat "$WORK/stderr"
want() {
	grep -qF -- "$1" "$WORK/stderr" || fail "$2" "no line '$1' in the output above"
}
for c in a-rows b-compare c-compare-queries; do
	want "recon: check $c: source 'app': cannot connect: " "unreachable-$c"
done
want "recon: check d-value: SQL error: no such table: feeds (did you mean 'feed'?)" missing-table
want "recon: check e-legacy-group: query: no group column 'tenant' (did you mean 'tenant_id'?)" wrong-group
want "recon: check f-feeds-table: SQL error: no such table: feeds (did you mean 'feed'?)" missing-table-2
want "recon: check g-compare-key: left side legacy:departments: no key column 'unit' (did you mean 'unit_id'?)" wrong-key-left
want "recon: check g-compare-key: right side feeds:feed: no key column 'unit' (did you mean 'unit_id'?)" wrong-key-right
want "recon: check g-compare-key: left side legacy:departments: no compared column 'nmae' (did you mean 'name'?)" wrong-column
want "recon: check h-param: query has a bind parameter :date, which recon never binds; write \${date} for the report's date" param
want "recon: bad.ini: 11 problems with the sources" count
[ ! -e "$WORK/out" ] || fail writes "validate created $WORK/out"
[ ! -s "$WORK/stdout" ] || fail stdout "$(cat "$WORK/stdout")"
ok "a wrong group, key and compared column, missing tables and an unreachable source: all listed, exit 2, nothing written"

# a missing PostgreSQL table and a wrong column of a PostgreSQL query side
cat >"$WORK/pg.ini" <<INI
[report]
title = validate
output_dir = out
[source "app"]
type = postgres
url = $ADMIN_URL
[check "a-typo"]
source = app
query = SELECT * FROM org_unit
[check "b-query-side"]
kind = compare
left = app
left_query = SELECT tenant_id, unit_id, name FROM org_units
right = app
right_query = SELECT tenant_id, unit_id AS unit, name FROM org_units
key = tenant_id, unit_id
[check "c-sleeps"]
kind = value
source = app
query = SELECT count(*) FROM slow, pg_sleep(30)
INI
rc=0
start=$(date +%s)
(cd "$WORK" && timeout 20 "$BIN" validate -c pg.ini --sources) >"$WORK/stdout" 2>"$WORK/stderr" || rc=$?
expect pg-exit "$rc" 2
cat "$WORK/stderr"
want "recon: check a-typo: SQL error: relation \"org_unit\" does not exist (SQLSTATE 42P01) (did you mean 'org_units'?)" pg-missing-table
want "recon: check b-query-side: right_query: no key column 'unit_id' (did you mean 'unit'?)" pg-wrong-key
grep -q c-sleeps "$WORK/stderr" && fail pg-sleeps "a valid query was reported"
[ $(( $(date +%s) - start )) -lt 10 ] || fail pg-prepare-only "validate ran the pg_sleep query"
[ ! -e "$WORK/out" ] || fail pg-writes "validate created $WORK/out"
ok "PostgreSQL: a missing table with a hint, a wrong key of a query side; queries prepared, never run"
ok pg_validate
