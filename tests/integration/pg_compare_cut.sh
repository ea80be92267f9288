#!/bin/bash
# pg_compare_cut.sh BIN: the two sides of a compare on one PostgreSQL source
# are read at once, over two connections, and still in one consistent cut.
# While a concurrent session writes the same rows to two tables in each of
# its transactions (inserts, updates, deletes), a compare of the two tables
# finds no drift, over several runs; two reads a moment apart outside one
# snapshot do differ (the control).  The two sides really are two
# connections (different backend pids) with the same snapshot, and a
# compare of two PostgreSQL sides still finds what it should.
set -euo pipefail
. "$(dirname "$0")/../lib/pg.sh"
pg_setup "$1"

N=200000
admin_sql <<SQL
CREATE TABLE pa (id bigint PRIMARY KEY, v int, note text);
CREATE TABLE pb (id bigint PRIMARY KEY, v int, note text);
INSERT INTO pa SELECT g, g % 97, 'row ' || g FROM generate_series(1, $N) g;
INSERT INTO pb SELECT * FROM pa;
CREATE SEQUENCE pid_seq START $((N + 1));
CREATE TABLE small_l (k int, v text);
CREATE TABLE small_r (k int, v text);
INSERT INTO small_l VALUES (1, 'a'), (2, 'b'), (3, 'c'), (5, 'e');
INSERT INTO small_r VALUES (1, 'a'), (2, 'B'), (4, 'd'), (5, 'e');
CREATE TABLE text_l (who text, n int, v text);
CREATE TABLE text_r (who text, n int, v text);
INSERT INTO text_l SELECT 'p-' || g, g % 3, 'v' || g FROM generate_series(1, 5000) g;
INSERT INTO text_r SELECT * FROM text_l;
INSERT INTO text_l VALUES ('O''Brien "x" a\b', 1, 'l'), (NULL, 2, 'n'), ('only-left', 7, 'x');
INSERT INTO text_r VALUES ('O''Brien "x" a\b', 1, 'r'), (NULL, 2, 'n2'), ('10', 5, 'num');
INSERT INTO text_l VALUES ('q', NULL, 'l2');
INSERT INTO text_r VALUES ('q', NULL, 'r2');
UPDATE text_r SET v = 'changed' WHERE who IN ('p-17', 'p-4000');
SQL

# the writer: every transaction changes both tables alike, then commits
bg psql -X -q -h "$PGDIR" -U postgres -d postgres -c "SET statement_timeout = '300s'" -c '
DO $$
DECLARE lo bigint;
BEGIN
	LOOP
		lo := nextval($q$pid_seq$q$);
		PERFORM setval($q$pid_seq$q$, lo + 50);
		INSERT INTO pa SELECT g, g % 97, $q$new $q$ || g FROM generate_series(lo, lo + 49) g;
		INSERT INTO pb SELECT g, g % 97, $q$new $q$ || g FROM generate_series(lo, lo + 49) g;
		UPDATE pa SET v = v + 1 WHERE id % 1000 = lo % 1000;
		UPDATE pb SET v = v + 1 WHERE id % 1000 = lo % 1000;
		DELETE FROM pa WHERE id IN (SELECT id FROM pa ORDER BY id LIMIT 20);
		DELETE FROM pb WHERE id IN (SELECT id FROM pb ORDER BY id LIMIT 20);
		COMMIT;
		PERFORM pg_sleep(0.001);
	END LOOP;
END $$;'
sleep 0.5

# control: the same two tables read one after the other, each in its own
# snapshot, differ (tried up to 10 times: on a busy machine the writer may
# stall for a moment)
for _ in $(seq 10); do
	admin_sql -At -c "COPY pa TO STDOUT" | sort >"$WORK/pa.txt"
	admin_sql -At -c "COPY pb TO STDOUT" | sort >"$WORK/pb.txt"
	cmp -s "$WORK/pa.txt" "$WORK/pb.txt" || break
done
! cmp -s "$WORK/pa.txt" "$WORK/pb.txt" || fail control "two separate reads agree: the writer is not writing"
ok "control: two separate reads differ ($(wc -l <"$WORK/pa.txt") and $(wc -l <"$WORK/pb.txt") rows, $(comm -3 "$WORK/pa.txt" "$WORK/pb.txt" | wc -l) lines apart)"

cat >"$WORK/recon.ini" <<INI
[report]
title = pg compare cut
samples = 5
[source "db"]
type = postgres
url = $ADMIN_URL
[check "a-tables"]
kind = compare
left = db:pa
right = db:pb
key = id
[check "b-queries"]
kind = compare
left_query = SELECT id, v, note FROM pa WHERE id % 3 = 0
right_query = SELECT id, v, note FROM pb WHERE id % 3 = 0
left = db
right = db
key = id
[check "c-same-snapshot"]
kind = compare
left_query = SELECT 1 AS k, pg_current_snapshot()::text AS snap
right_query = SELECT 1 AS k, pg_current_snapshot()::text AS snap
left = db
right = db
key = k
[check "d-two-connections"]
kind = compare
left_query = SELECT 1 AS k, pg_backend_pid() AS pid
right_query = SELECT 1 AS k, pg_backend_pid() AS pid
left = db
right = db
key = k
[check "e-findings"]
kind = compare
left = db:small_l
right = db:small_r
key = k
group = k
[check "f-text-keys"]
kind = compare
left = db:text_l
right = db:text_r
key = who, n
group = n
INI

for run in 1 2 3 4 5; do
	rc=0
	"$BIN" run -c "$WORK/recon.ini" -o "$WORK/out" --date 2026-11-22 >"$WORK/stdout" 2>"$WORK/stderr" || rc=$?
	expect "run $run exit" "$rc" 1
	J=$WORK/out/2026-11-22.json
	got=$(jq_ "$J" "' '.join('%s=%s/%s' % (c['id'], c['status'], c.get('drift')) for c in j['checks'])")
	want="a-tables=pass/0 b-queries=pass/0 c-same-snapshot=pass/0 d-two-connections=fail/1 e-findings=fail/3 f-text-keys=fail/7"
	[ "$got" = "$want" ] || fail "run $run" "got: $got; want: $want"
	f=$(jq_ "$J" "[c for c in j['checks'] if c['id'] == 'e-findings'][0]['findings']")
	[ "$f" = "{'missing': 1, 'extra': 1, 'changed': 1}" ] || fail "run $run" "e-findings: $f"
done
ok "5 runs under the writer: both compares find no drift, one snapshot, two connections"
cp "$J" "$WORK/concurrent.json"

# the findings, groups and samples of a compare of two PostgreSQL sides
# equal those of the same tables exported to CSV (read by the CSV path)
mkdir -p "$WORK/csv"
for t in small_l small_r text_l text_r; do
	admin_sql -c "\\copy $t TO '$WORK/csv/$t.csv' (FORMAT csv, HEADER)"
done
cat >"$WORK/seq.ini" <<INI
[report]
title = pg compare cut
samples = 5
[source "db"]
type = csv
path = $WORK/csv
[check "e-findings"]
kind = compare
left = db:small_l
right = db:small_r
key = k
group = k
[check "f-text-keys"]
kind = compare
left = db:text_l
right = db:text_r
key = who, n
group = n
INI
rc=0
"$BIN" run -c "$WORK/seq.ini" -o "$WORK/seq" --date 2026-11-22 >/dev/null 2>&1 || rc=$?
expect "single check exit" "$rc" 1
for id in e-findings f-text-keys; do
	q="json.dumps([{k: c[k] for k in c if k not in ('duration_ms',)} for c in j['checks'] if c['id'] == '$id'], sort_keys=True)"
	a=$(jq_ "$WORK/concurrent.json" "$q")
	b=$(jq_ "$WORK/seq/2026-11-22.json" "$q")
	[ "$a" = "$b" ] || fail "parity $id" "$a != $b"
	case $a in *'"samples": [[]'*|*'"samples": []'*) fail "parity $id" "no samples: $a" ;; esac
done
ok "e-findings, f-text-keys: same findings, groups and samples as on the CSV export"

# Sample rows of a table side are read again by key: through one hashed
# = ANY (ARRAY[...]) on the key fields that are text in every wanted key,
# else on those that are numbers (their canonical text), else (a NULL in
# each field, here) through a chain of ORs; a view side the same way.  The server's statement log shows which query
# ran.  Findings, groups and samples equal the CSV export's in each case,
# and a duplicate key names both rows.
admin_sql <<SQL
CREATE TABLE dup_l (k int, v text);
CREATE TABLE dup_r (k int, v text);
INSERT INTO dup_l VALUES (1, 'a'), (2, 'b'), (1, 'c');
INSERT INTO dup_r VALUES (1, 'a');
CREATE VIEW text_lv AS SELECT * FROM text_l;
CREATE TABLE tx_l (who text, v text);
CREATE TABLE tx_r (who text, v text);
INSERT INTO tx_l SELECT 'w ' || g, 'same' FROM generate_series(1, 3000) g;
INSERT INTO tx_r SELECT * FROM tx_l;
INSERT INTO tx_l VALUES ('O''Brien, "x"', 'y'), ('k,1', 'z');
INSERT INTO tx_r VALUES ('O''Brien, "x"', 'Y'), ('new', 'w');
SQL
sed -e 's/^left = db:text_l$/left = db:text_lv/' -e 's/^type = csv$/type = postgres/' \
	-e "s|^path = .*|url = $ADMIN_URL|" "$WORK/seq.ini" >"$WORK/view.ini"
cat >>"$WORK/view.ini" <<INI
[check "g-dup"]
kind = compare
left = db:dup_l
right = db:dup_r
key = k
[check "h-text-key"]
kind = compare
left = db:tx_l
right = db:tx_r
key = who
INI
grep -q 'left = db:text_lv' "$WORK/view.ini" || fail "view config" "no view side"
rc=0
LOG=$PGDIR/data/server.log
lines=$(wc -l <"$LOG")
PGOPTIONS="-c log_statement=all" "$BIN" run -c "$WORK/view.ini" -o "$WORK/view" --date 2026-11-22 \
	>/dev/null 2>&1 || rc=$?
expect "view run exit" "$rc" 1
tail -n +"$((lines + 1))" "$LOG" >"$WORK/view.log"
grep -qF "FROM \"tx_l\" WHERE CAST(\"who\" AS text) = ANY (ARRAY[E'O''Brien, \"x\"', E'k,1'])" \
	"$WORK/view.log" || fail "h-text-key" "no hashed = ANY re-read of tx_l in the server log"
grep -F 'FROM "text_lv" WHERE (' "$WORK/view.log" | grep -qF '("who" IS NULL)' ||
	fail "f-text-keys" "no OR chain re-read of text_lv in the server log"
msg=$(jq_ "$WORK/view/2026-11-22.json" "[c for c in j['checks'] if c['id'] == 'g-dup'][0]['error']")
case $msg in
*"duplicate key (k=1) in rows 1 and 3"*) ;;
*) fail "g-dup" "$msg" ;;
esac
got=$(jq_ "$WORK/view/2026-11-22.json" "[c for c in j['checks'] if c['id'] == 'h-text-key'][0]['samples']")
want="[['missing', 'k,1', None, None, None], ['extra', 'new', None, None, None], ['changed', 'O\\'Brien, \"x\"', 'v', 'y', 'Y']]"
[ "$got" = "$want" ] || fail "h-text-key samples" "got: $got; want: $want"
for id in e-findings f-text-keys; do
	q="json.dumps([{k: c[k] for k in c if k not in ('duration_ms',)} for c in j['checks'] if c['id'] == '$id'], sort_keys=True)"
	a=$(jq_ "$WORK/view/2026-11-22.json" "$q")
	b=$(jq_ "$WORK/seq/2026-11-22.json" "$q")
	[ "$a" = "$b" ] || fail "view $id" "$a != $b"
done
ok "samples read again by key (hashed, ORs, through a view) equal the CSV export's; a duplicate names both rows"
ok pg_compare_cut
