#!/bin/bash
# pg_pagila_compare.sh BIN: compare across three systems, on data no one here
# wrote: pagila's payment table as PostgreSQL exported it (CSV, read in place
# from tests/data/pagila), the same file loaded into a real PostgreSQL
# table with pagila's own column types (numeric(5,2), timestamptz), and into
# a SQLite file.  The three agree row for row (16,049 rows); after changes on
# the PostgreSQL side only, recon's findings, per kind and per group, equal
# what PostgreSQL itself computes (anti-joins and a join) against a second
# copy of the export; a tolerance keeps amount changes of a cent within it;
# and the session's TimeZone is part of a timestamp's text (README: values
# read as PostgreSQL prints them), so a session in another zone changes every
# row.  Last, the same check SQL, written for PostgreSQL (casts, FILTER,
# DISTINCT ON, date_trunc, EXTRACT, string functions), runs on the export
# and on the server and gives the same JSON.
set -euo pipefail
. "$(dirname "$0")/../lib/pg.sh"
pg_setup "$1"
cd "$(dirname "$0")/../.."
DATA=$(cd tests/data/pagila && pwd)
ROWS=$(($(wc -l <"$DATA/payment.csv") - 1))

admin_sql <<SQL
CREATE TABLE payment (payment_id integer PRIMARY KEY, customer_id integer NOT NULL,
	staff_id integer NOT NULL, rental_id integer NOT NULL,
	amount numeric(5,2) NOT NULL, payment_date timestamptz NOT NULL);
CREATE TABLE payment_export (LIKE payment);
CREATE TABLE customer (customer_id integer PRIMARY KEY, store_id smallint NOT NULL,
	first_name text NOT NULL, last_name text NOT NULL, email text, active integer);
\copy payment FROM '$DATA/payment.csv' (FORMAT csv, HEADER)
\copy customer FROM '$DATA/customer.csv' (FORMAT csv, HEADER)
\copy payment_export FROM '$DATA/payment.csv' (FORMAT csv, HEADER)
SQL
python3 tests/parity/load_sqlite.py "$DATA" "$WORK/pagila.db"

cat >"$WORK/recon.ini" <<INI
[report]
title = pagila payments in three systems
output_dir = $WORK/out
gate_days = 1
window_days = 1
samples = 10
[source "export"]
type = csv
path = $DATA
[source "db"]
type = postgres
url = env:PAGILA_URL
[source "lite"]
type = sqlite
path = $WORK/pagila.db
[check "csv-pg"]
kind = compare
left = export:payment
right = db:payment
key = payment_id
group = customer_id
[check "csv-pg-cent"]
kind = compare
left = export:payment
right = db:payment
key = payment_id
tolerance = 0.01
[check "csv-sqlite"]
kind = compare
left = export:payment
right = lite:payment
key = payment_id
[check "pg-sqlite"]
kind = compare
left = db
left_query = SELECT payment_id, customer_id, staff_id, rental_id, amount, payment_date FROM payment
right = lite:payment
key = payment_id
INI

run() {	# run DATE TIMEZONE: the report of DATE, its JSON in $J
	PAGILA_URL="$RO_URL options='-c TimeZone=$2'" "$BIN" run -c "$WORK/recon.ini" \
		--date "$1" -q 2>"$WORK/stderr" || true
	J="$WORK/out/$1.json"
	[ -f "$J" ] || fail report "no report for $1: $(cat "$WORK/stderr")"
	[ ! -s "$WORK/stderr" ] || fail stderr "$1: $(cat "$WORK/stderr")"
}
ck() { jq_ "$J" "[c for c in j['checks'] if c['id'] == '$1'][0]$2"; }
findings() { jq_ "$J" "(lambda c: (c['status'], c['findings']['missing'], c['findings']['extra'], c['findings']['changed']))([c for c in j['checks'] if c['id'] == '$1'][0])"; }

run 2026-11-01 UTC
for id in csv-pg csv-pg-cent csv-sqlite pg-sqlite; do
	expect "$id" "$(findings $id)" "('pass', 0, 0, 0)"
done
expect rows "$(jq_ "$J" "[i['rows'] for i in j['inputs'] if i['source'] == 'export']")" "[$ROWS]"
ok "the export, PostgreSQL and SQLite agree on all $ROWS payments"

# changes on the PostgreSQL side only: three payments lost, two amounts a
# cent higher, one timestamp a second later, one payment that the export
# never had
admin_sql <<'SQL'
DELETE FROM payment WHERE payment_id IN (16050, 17000, 32098);
UPDATE payment SET amount = amount + 0.01 WHERE payment_id IN (16051, 20000);
UPDATE payment SET payment_date = payment_date + interval '1 second' WHERE payment_id = 16052;
INSERT INTO payment VALUES (40000, 599, 1, 1, 0.99, '2022-08-01 10:00:00+00');
SQL
run 2026-11-02 UTC
expect csv-pg "$(findings csv-pg)" "('fail', 3, 1, 3)"
expect csv-pg-cent "$(findings csv-pg-cent)" "('fail', 3, 1, 1)"
expect csv-sqlite "$(findings csv-sqlite)" "('pass', 0, 0, 0)"
expect pg-sqlite "$(findings pg-sqlite)" "('fail', 1, 3, 3)"
ok "changes on one side: missing, extra and changed from every pair that involves it"

# the same findings, per group, as PostgreSQL computes them
truth=$(admin_sql -At -F ' ' <<'SQL'
WITH f AS (
	SELECT l.customer_id AS g, 'm' AS k FROM payment_export l
	WHERE NOT EXISTS (SELECT 1 FROM payment r WHERE r.payment_id = l.payment_id)
	UNION ALL
	SELECT r.customer_id, 'e' FROM payment r
	WHERE NOT EXISTS (SELECT 1 FROM payment_export l WHERE l.payment_id = r.payment_id)
	UNION ALL
	SELECT l.customer_id, 'c' FROM payment_export l JOIN payment r USING (payment_id)
	WHERE (l.customer_id, l.staff_id, l.rental_id, l.amount, l.payment_date)
	      IS DISTINCT FROM (r.customer_id, r.staff_id, r.rental_id, r.amount, r.payment_date))
SELECT g, count(*), count(*) FILTER (WHERE k = 'm'), count(*) FILTER (WHERE k = 'e'),
       count(*) FILTER (WHERE k = 'c')
FROM f GROUP BY g ORDER BY g::text
SQL
)
got=$(ck csv-pg "['groups']" | python3 -c 'import ast, sys
for g in ast.literal_eval(sys.stdin.read()):
	print(g["group"], g["drift"], g["missing"], g["extra"], g["changed"])')
[ -n "$truth" ] || fail truth "PostgreSQL found no difference"
expect groups "$got" "$truth"
ok "per-group findings equal PostgreSQL's own joins ($(echo "$truth" | wc -l) customers)"

# samples: each finding's key, and for a changed row the column with the
# left value (the export's text, read again from the file) and the right one
# (PostgreSQL's numeric, normalised: 1.00 reads 1)
expect samples "$(ck csv-pg "['samples']")" "[['missing', '16050', None, None, None], \
['missing', '17000', None, None, None], ['missing', '32098', None, None, None], \
['extra', '40000', None, None, None], ['changed', '16051', 'amount', '0.99', '1'], \
['changed', '16052', 'payment_date', '2022-06-26 22:37:21.783785+00', '2022-06-26 22:37:22.783785+00'], \
['changed', '20000', 'amount', '4.99', '5']]"
ok "samples: the keys, and for a changed row the column with both values"

# the changed rows explained: per column, and no time-zone shift at the
# right zone
expect columns "$(ck csv-pg "['columns_changed']")" \
	"{'customer_id': 0, 'staff_id': 0, 'rental_id': 0, 'amount': 2, 'payment_date': 1}"
expect classes "$(ck csv-pg "['change_classes']")" \
	"{'whitespace': 0, 'case': 0, 'scale': 0, 'null_empty': 0, 'timezone': 0, 'other': 3}"
expect offsets "$(ck csv-pg "['timezone_offsets']")" "{}"
expect compared "$(ck csv-pg "['compared']")" "$((ROWS + 1))"
ok "changed rows per column, none of them a time-zone shift, of $((ROWS + 1)) rows compared"

# the session's TimeZone is part of a timestamptz's text
run 2026-11-03 America/New_York
expect csv-pg "$(findings csv-pg)" "('fail', 3, 1, $((ROWS - 3)))"
ok "a session in another time zone prints every timestamp differently"
# New York is -05:00 in winter and -04:00 in summer: not one shift
expect offsets "$(ck csv-pg "['timezone_offsets']")" "{}"
expect ny-classes "$(ck csv-pg "['change_classes']['timezone']")" "0"
ok "a zone with daylight saving time moves timestamps by two offsets: not one shift"

# a session at a fixed +02:00: every timestamp moves by one offset, which
# the report names; the amounts and the second later stay real changes
run 2026-11-04 Etc/GMT-2
expect csv-pg "$(findings csv-pg)" "('fail', 3, 1, $((ROWS - 3)))"
expect offsets "$(ck csv-pg "['timezone_offsets']")" "{'payment_date': '+02:00'}"
expect classes "$(ck csv-pg "['change_classes']")" \
	"{'whitespace': 0, 'case': 0, 'scale': 0, 'null_empty': 0, 'timezone': $((ROWS - 4)), 'other': 3}"
expect date-column "$(ck csv-pg "['columns_changed']['payment_date']")" "$((ROWS - 3))"
line="$((ROWS - 3)) changed: in payment_date ($((ROWS - 3))), amount (2); $((ROWS - 4)) shifted by +02:00 (time zone), 3 other."
grep -qF "$line" "$WORK/out/2026-11-04.md" || fail leading-line "no '$line' in the report"
ok "a session at +02:00: one constant shift on payment_date, named in the report's leading line"

# the same SQL checks, in PostgreSQL's own idiom, on the export (DuckDB) and
# on the server: the same JSON, on pagila's data as PostgreSQL holds it
# (the payments it lost and gained above are put back first).  A decimal
# shown in a sample is cast to text: a PostgreSQL source shows a numeric
# without its fraction's trailing zeros, a snapshot a DECIMAL with its scale.
admin_sql <<'SQL'
TRUNCATE payment;
INSERT INTO payment SELECT * FROM payment_export;
SQL
sqlini() {	# sqlini TYPE LOCATION OUT: the checks over source "pagila"
	cat <<INI
[report]
title = pagila in PostgreSQL's SQL
output_dir = $WORK/sql-$3
samples = 10
[source "pagila"]
type = $1
$2
[check "big-months"]
kind = rows
description = A customer's month with more than 60 paid, its large payments counted
source = pagila
query = SELECT customer_id,
         date_trunc('month', payment_date::timestamptz AT TIME ZONE 'UTC')::date AS month,
         count(*) AS payments, count(*) FILTER (WHERE amount >= 5) AS large,
         sum(amount)::text AS total
  FROM payment
  GROUP BY customer_id, month
  HAVING sum(amount) > 60
  ORDER BY customer_id, month
group = customer_id
[check "top-payment"]
kind = rows
description = Each customer's largest payment above 10.50, and its month
source = pagila
query = SELECT DISTINCT ON (customer_id) customer_id, payment_id, amount::text AS amount,
         EXTRACT(month FROM payment_date::timestamptz AT TIME ZONE 'UTC') AS month
  FROM payment
  WHERE amount::numeric > 10.5
  ORDER BY customer_id, amount DESC, payment_id
group = customer_id
[check "names"]
kind = rows
description = Customers named MA... who never paid more than 11, their names reshaped
source = pagila
query = SELECT c.customer_id,
         upper(left(c.first_name, 1)) || lower(substr(c.first_name, 2)) AS first,
         split_part(c.email, '@', 2) AS domain, length(c.last_name) AS letters,
         position('.' IN c.email) AS dot, c.store_id::text || '/' || c.active AS store
  FROM customer c
  WHERE c.last_name LIKE 'MA%'
    AND NOT EXISTS (SELECT 1 FROM payment p
                    WHERE p.customer_id = c.customer_id AND p.amount > 11)
  ORDER BY c.customer_id
[check "paid-2022"]
kind = value
description = The payments of 2022, summed exactly
source = pagila
query = SELECT sum(amount)::numeric(12,2) FROM payment
  WHERE EXTRACT(year FROM payment_date::timestamptz AT TIME ZONE 'UTC') = 2022
expect = 67416.51
INI
}
sqlini csv "path = $DATA" csv >"$WORK/sql-csv.ini"
sqlini postgres "url = env:PAGILA_URL" pg >"$WORK/sql-pg.ini"
"$BIN" run -c "$WORK/sql-csv.ini" --date 2026-11-01 -q 2>"$WORK/stderr" || true
[ ! -s "$WORK/stderr" ] || fail sql-csv "$(cat "$WORK/stderr")"
PAGILA_URL="$RO_URL options='-c TimeZone=America/New_York'" \
	"$BIN" run -c "$WORK/sql-pg.ini" --date 2026-11-01 -q 2>"$WORK/stderr" || true
[ ! -s "$WORK/stderr" ] || fail sql-pg "$(cat "$WORK/stderr")"
J=$WORK/sql-csv/2026-11-01.json
for id in big-months top-payment names paid-2022; do
	[ "$(ck "$id" ".get('error')")" = None ] || fail "$id" "$(ck "$id" ".get('error')")"
done
expect drift "$(jq_ "$J" "[(c['id'], c['status'], c['drift']) for c in j['checks']]")" \
	"[('big-months', 'fail', 2), ('names', 'fail', 18), ('paid-2022', 'pass', 0), ('top-payment', 'fail', 107)]"
python3 tests/parity/same_results.py "$J" "$WORK/sql-pg/2026-11-01.json" ||
	fail sql "the same SQL gives another JSON on PostgreSQL than on the export"
ok "SQL written for PostgreSQL gives the same JSON on the export and on the server"
ok "pg_pagila_compare"
