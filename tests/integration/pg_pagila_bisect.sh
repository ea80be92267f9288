#!/bin/bash
# pg_pagila_bisect.sh BIN: pagila's payment table (tests/data/pagila) on one
# server against its copy on another, changed on one side (three payments
# lost, two amounts a cent higher, a timestamp a second later, one payment
# added): strategy = bisect gives the findings, groups and samples of
# strategy = rows while each server sends only the rows of the key ranges
# that differ.
set -euo pipefail
. "$(dirname "$0")/../lib/pg.sh"
pg_setup "$1"
cd "$(dirname "$0")/../.."
DATA=$(cd tests/data/pagila && pwd)
ROWS=$(($(wc -l <"$DATA/payment.csv") - 1))
PG2=$(mktemp -d /tmp/rpg.XXXXXX)
trap 'pg_cleanup; "$PG_LIB_DIR/pg_server.sh" stop "$PG2"' EXIT
"$PG_LIB_DIR/pg_server.sh" start "$PG2"
for host in "$PGDIR" "$PG2"; do
	psql -X -q -v ON_ERROR_STOP=1 -h "$host" -U postgres -d postgres <<SQL
CREATE TABLE payment (payment_id integer PRIMARY KEY, customer_id integer NOT NULL,
	staff_id integer NOT NULL, rental_id integer NOT NULL,
	amount numeric(5,2) NOT NULL, payment_date timestamptz NOT NULL);
\copy payment FROM '$DATA/payment.csv' (FORMAT csv, HEADER)
SQL
done
admin_sql <<'SQL'
DELETE FROM payment WHERE payment_id IN (16050, 17000, 32098);
UPDATE payment SET amount = amount + 0.01 WHERE payment_id IN (16051, 20000);
UPDATE payment SET payment_date = payment_date + interval '1 second' WHERE payment_id = 16052;
INSERT INTO payment VALUES (40000, 599, 1, 1, 0.99, '2022-08-01 10:00:00+00');
SQL
for strategy in rows bisect; do
	cat >"$WORK/$strategy.ini" <<INI
[report]
output_dir = $WORK/$strategy
samples = 10
[source "copy"]
type = postgres
url = host=$PG2 dbname=postgres user=recon_ro password=$PG_PASSWORD options='-c TimeZone=UTC'
[source "db"]
type = postgres
url = host=$PGDIR dbname=postgres user=recon_ro password=$PG_PASSWORD options='-c TimeZone=UTC'
[check "payments"]
kind = compare
left = copy:payment
right = db:payment
key = payment_id
group = customer_id
strategy = $strategy
bisect_rows = 500
INI
	st=0
	"$BIN" run -c "$WORK/$strategy.ini" --date 2026-11-02 -q || st=$?
	expect "exit_$strategy" "$st" 1
done
python3 - "$WORK/rows/2026-11-02.json" "$WORK/bisect/2026-11-02.json" "$ROWS" <<'PY' || exit 1
import json, sys
rows, bis = (json.load(open(p))['checks'][0] for p in sys.argv[1:3])
total = int(sys.argv[3])
if bis['strategy'] != 'bisect':
    sys.exit('FAIL pagila_bisect: strategy %r (%s)' % (bis['strategy'], bis.get('strategy_note')))
streamed = bis['rows_streamed']
if not (0 < streamed['left'] <= total // 5 and 0 < streamed['right'] <= total // 5):
    sys.exit('FAIL pagila_bisect: streamed %s of %d rows' % (streamed, total))
for f in ('strategy', 'strategy_note', 'ranges', 'rows_streamed'):
    bis.pop(f, None)
if rows != bis:
    sys.exit('FAIL pagila_bisect: rows %s\nbisect %s' % (rows, bis))
if rows['findings'] != {'missing': 3, 'extra': 1, 'changed': 3}:
    sys.exit('FAIL pagila_bisect: findings %s' % rows['findings'])
print('ok pagila_bisect: findings, groups and samples of rows, %d and %d of %d rows streamed'
      % (streamed['left'], streamed['right'], total))
PY
