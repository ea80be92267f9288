#!/bin/bash
# pg_basic.sh BIN: rows, value and compare checks against tables in a real
# PostgreSQL server give the right status, drift, groups, samples and
# provenance; numbers read as they would from the CSV export of the same data.
set -euo pipefail
. "$(dirname "$0")/../lib/pg.sh"
pg_setup "$1"

admin_sql <<'SQL'
CREATE TABLE accounts (id int PRIMARY KEY, tenant text, amount numeric(10,2), rate float8,
                       active boolean, note text, opened timestamp);
INSERT INTO accounts VALUES
  (1, 't-001', 3.50, 0.1, true, 'Zürich ✓', '2026-11-01 08:00:00'),
  (2, 't-001', 1000.00, 2, false, NULL, '2026-11-02 09:30:00'),
  (3, 't-002', -12.25, 1e20, false, '', NULL),
  (4, 't-003', 0.00, 0.5, true, 'a "quoted", field', '2026-11-03 00:00:00');
SQL
mkdir -p "$WORK/snap"
admin_sql -c "\\copy accounts TO '$WORK/snap/accounts.csv' (FORMAT csv, HEADER)"

cat >"$WORK/recon.ini" <<INI
[report]
title = pg basic
[source "db"]
type = postgres
url = $ADMIN_URL
statement_timeout = 30
[source "snap"]
type = csv
path = snap
[check "inactive"]
source = db
query = SELECT id, tenant, amount, rate, note FROM accounts WHERE NOT active ORDER BY id
group = tenant
recovery = reprocess
target = accounts
[check "total"]
kind = value
source = db
query = SELECT sum(amount) FROM accounts
expect = 991.25
[check "too-many"]
kind = value
source = db
query = SELECT count(*) FROM accounts
max = 3
[check "none"]
source = db
query = SELECT id FROM accounts WHERE amount > 5000
[check "skipped"]
source = db
query = SELECT id FROM accounts
precondition = SELECT count(*) > 10 FROM accounts
[check "parity"]
kind = compare
left = db
left_query = SELECT id, tenant, amount, rate, active, note, opened FROM accounts
right = snap
right_query = SELECT id, tenant, amount, rate, active, note, opened FROM accounts
key = id
[check "rows-pg"]
source = db
query = SELECT id, tenant, amount, rate, active, note, opened FROM accounts ORDER BY id
[check "rows-csv"]
source = snap
query = SELECT id, tenant, amount, rate, active, note, opened FROM accounts ORDER BY id
[check "parity-exact"]
source = db
query = SELECT id FROM accounts WHERE amount::text = '3.50'
[target "accounts"]
INI

rc=0
"$BIN" run -c "$WORK/recon.ini" -o "$WORK/out" --date 2026-11-22 >"$WORK/stdout" 2>"$WORK/stderr" || rc=$?
J="$WORK/out/2026-11-22.json"
[ -f "$J" ] || { cat "$WORK/stderr" >&2; fail report "no JSON report"; }
expect exit "$rc" 1
ok "exit status 1 when a gating check fails"

st() { jq_ "$J" "[c for c in j['checks'] if c['id'] == '$1'][0]['$2']"; }
expect inactive "$(st inactive status) $(st inactive drift)" "fail 2"
expect groups "$(jq_ "$J" "[(g['group'], g['drift']) for g in [c for c in j['checks'] if c['id'] == 'inactive'][0]['groups']]")" \
	"[('t-001', 1), ('t-002', 1)]"
expect samples "$(st inactive samples)" "[['2', 't-001', '1000', '2', None], ['3', 't-002', '-12.25', '1e+20', '']]"
expect columns "$(st inactive columns)" "['id', 'tenant', 'amount', 'rate', 'note']"
ok "rows check: status, drift, groups, samples (numbers normalised, NULL and empty kept apart)"
expect total "$(st total status) $(st total value)" "pass 991.25"
expect too-many "$(st too-many status) $(st too-many drift) $(jq_ "$J" "'%g' % [c for c in j['checks'] if c['id'] == 'too-many'][0]['value']")" "fail 1 4"
ok "value checks: pass within, fail outside"
expect none "$(st none status) $(st none drift)" "pass 0"
expect skipped "$(st skipped status)" "skipped"
ok "empty result passes; false precondition skips"
expect rows-pg "$(st rows-pg drift)" 4
# the same values: the snapshot engine keeps a DECIMAL column's scale
# (3.50, 2.0) where PostgreSQL's text is normalised (3.5, 2), so numbers
# are compared by value
num_norm='[[str(__import__("decimal").Decimal(v).normalize()) if v not in (None, "") and __import__("re").fullmatch(r"-?[0-9.]+(e[+-]?[0-9]+)?", v) else v for v in r] for r in'
expect rows-parity "$(jq_ "$J" "$num_norm [c for c in j['checks'] if c['id'] == 'rows-pg'][0]['samples']]")" \
	"$(jq_ "$J" "$num_norm [c for c in j['checks'] if c['id'] == 'rows-csv'][0]['samples']]")"
ok "every value reads as in the table's COPY (FORMAT csv, HEADER) export"
expect parity "$(st parity status) $(st parity drift)" "pass 0"
ok "compare of the table against its COPY (FORMAT csv) export finds no difference"
expect parity-exact "$(st parity-exact drift)" "1"
ok "SQL runs in PostgreSQL's dialect on the server's own values"
snap=$(jq_ "$J" "[i for i in j['inputs'] if i['source'] == 'db'][0]")
echo "$snap" | grep -Eq "'table': None, .*'snapshot': '[0-9]+:[0-9]+:[0-9,]*'" ||
	fail provenance "$snap"
ok "provenance records the snapshot of the cut"
grep -q "SQL error" "$WORK/stderr" && fail stderr "$(cat "$WORK/stderr")"
ok "pg_basic"
