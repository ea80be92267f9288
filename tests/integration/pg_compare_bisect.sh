#!/bin/bash
# pg_compare_bisect.sh BIN: strategy = bisect against strategy = rows on one
# PostgreSQL server (tests/parity/compare_bisect.py: 400 random pairs,
# text and typed, byte-identical JSON apart from the strategy's fields,
# duplicate keys left to the rows strategy's error), and what the report
# says of the strategy: the ranges compared, the rows streamed per side,
# and why a check whose column cannot be normalised in SQL was compared
# by rows; strategy = auto bisects tables larger than 10 ranges until the
# previous report's drift of the check reaches 1% of the rows.
set -euo pipefail
. "$(dirname "$0")/../lib/pg.sh"
pg_setup "$1"
cd "$(dirname "$0")/../.."
. tests/lib/skip.sh
export REF_PG_URL=$RO_URL REF_PSQL="-h $PGDIR -U postgres -d postgres"
python3 tests/parity/compare_bisect.py "$BIN" "$WORK/parity" 200 22

admin_sql <<'SQL'
CREATE TABLE a (id int PRIMARY KEY, v numeric, addr inet);
CREATE TABLE b (id int PRIMARY KEY, v numeric, addr inet);
INSERT INTO a SELECT i, i * 1.5, '10.0.0.1' FROM generate_series(1, 20000) i;
INSERT INTO b SELECT i, CASE WHEN i = 777 THEN 0 ELSE i * 1.50 END, '10.0.0.1' FROM generate_series(2, 20000) i;
CREATE TABLE drifty (id int PRIMARY KEY, v numeric, addr inet);
INSERT INTO drifty SELECT i, CASE WHEN i % 40 = 0 THEN 0 ELSE i * 1.5 END FROM generate_series(1, 20000) i;
CREATE TABLE small_a (id int, v int);
CREATE TABLE small_b (id int, v int);
INSERT INTO small_a SELECT i, i FROM generate_series(1, 500) i;
INSERT INTO small_b SELECT i, i FROM generate_series(1, 500) i;
ANALYZE;
SQL
cat >"$WORK/recon.ini" <<INI
[report]
output_dir = $WORK/out
[source "db"]
type = postgres
url = env:REF_PG_URL
[check "narrow"]
kind = compare
left = db:a
right = db:b
key = id
columns = v
strategy = bisect
bisect_rows = 100
[check "auto"]
kind = compare
left = db:a
right = db:b
key = id
columns = v
strategy = auto
bisect_rows = 100
[check "auto-drift"]
kind = compare
left = db:a
right = db:drifty
key = id
columns = v
strategy = auto
bisect_rows = 100
[check "auto-small"]
kind = compare
left = db:small_a
right = db:small_b
key = id
strategy = auto
[check "inet"]
kind = compare
left = db:a
right = db:b
key = id
strategy = bisect
INI
st=0
"$BIN" run -c "$WORK/recon.ini" --date 2026-11-22 -q || st=$?
expect exit_status "$st" 1
J=$WORK/out/2026-11-22.json
c() { jq_ "$J" "[c for c in j['checks'] if c['id'] == '$1'][0]$2"; }
expect bisect_findings "$(c narrow "['findings']")" "{'missing': 1, 'extra': 0, 'changed': 1}"
expect bisect_strategy "$(c narrow "['strategy']")" bisect
left=$(c narrow "['rows_streamed']['left']")
right=$(c narrow "['rows_streamed']['right']")
[ "$left" -le 200 ] && [ "$right" -le 200 ] && [ "$left" -ge 2 ] ||
	fail bisect_streams_the_differing_ranges "streamed $left and $right of 20000 rows"
ranges=$(c narrow "['ranges']")
[ "$ranges" -gt 2 ] || fail bisect_ranges "ranges $ranges"
ok bisect_streams_the_differing_ranges
# a bisected side's samples and changed rows are read again from its
# ranges, not by a filter over the whole table (the server's log)
sed -n '1,/^\[check "auto"\]/p' "$WORK/recon.ini" | sed '$d' >"$WORK/narrow.ini"
sed -i "s|^output_dir = .*|output_dir = $WORK/out-narrow|" "$WORK/narrow.ini"
echo "ALTER SYSTEM SET log_statement = 'all'; SELECT pg_reload_conf();" | admin_sql >/dev/null
lines=$(wc -l <"$PGDIR/data/server.log")
st=0
"$BIN" run -c "$WORK/narrow.ini" --date 2026-11-22 -q || st=$?
echo "ALTER SYSTEM RESET log_statement; SELECT pg_reload_conf();" | admin_sql >/dev/null
expect narrow_only_exit "$st" 1
tail -n +"$((lines + 1))" "$PGDIR/data/server.log" >"$WORK/narrow.log"
grep -q 'FROM "b" WHERE (NOT ("id" IS NULL' "$WORK/narrow.log" ||
	fail bisect_reads_its_ranges_again "no read of b's ranges in the server log"
# the keys wanted again, among the ranges' rows only
grep -q 'FROM (SELECT \* FROM (SELECT \* FROM "b" WHERE (NOT ("id" IS NULL.*) AS q OFFSET 0) AS r WHERE CAST("id" AS text) = ANY' \
	"$WORK/narrow.log" || fail bisect_reads_its_ranges_again "no read of keys among b's ranges"
if grep -q 'FROM "b" WHERE CAST("id" AS text) = ANY' "$WORK/narrow.log"; then
	fail bisect_reads_its_ranges_again "a filter over the whole table"
fi
ok bisect_reads_its_ranges_again
# JIT compiling is for the first level, which reads every row: a query of
# a few ranges (later levels, the rows streamed) is planned without, its
# compilation costing many times the query (auto_explain's plans, every
# query's cost above jit_above_cost).  The keys read again among the
# ranges' rows are filtered after the ranges' own plan, never pushed into
# it, where the filter would be a scan of the whole table.
jit=$(echo 'SELECT pg_jit_available()' | admin_sql -At)
admin_sql >/dev/null <<'SQL'
ALTER SYSTEM SET session_preload_libraries = 'auto_explain';
LOAD 'auto_explain';
ALTER SYSTEM SET auto_explain.log_min_duration = 0;
ALTER SYSTEM SET jit_above_cost = 0;
SELECT pg_reload_conf();
SQL
lines=$(wc -l <"$PGDIR/data/server.log")
st=0
"$BIN" run -c "$WORK/narrow.ini" --date 2026-11-22 -q || st=$?
admin_sql >/dev/null <<'SQL'
ALTER SYSTEM RESET session_preload_libraries;
ALTER SYSTEM RESET auto_explain.log_min_duration;
ALTER SYSTEM RESET jit_above_cost;
SELECT pg_reload_conf();
SQL
expect plans_run_exit "$st" 1
tail -n +"$((lines + 1))" "$PGDIR/data/server.log" | python3 -c '
import re, sys
plans = re.split(r"\n(?=\S)", sys.stdin.read())
plans = [p for p in plans if "Query Text:" in p and "recon_q" not in p]
ranges = [p for p in plans if "NOT (\"id\" IS NULL) AND" in p]
first = [p for p in plans if "count(*)" in p and "GROUP BY 1" in p and "NOT (\"id\" IS NULL) AND" not in p]
within = [p for p in plans if ") AS r WHERE CAST(" in p]
pushed = 0
for p in within:
    node = ""
    for line in p.split("\n"):
        if "(cost=" in line:
            node = line
        elif "::text = ANY" in line and "Subquery Scan on r" not in node:
            pushed += 1
print(len(ranges), sum("JIT:" in p for p in ranges), len(first), sum("JIT:" in p for p in first),
      len(within), pushed)
' >"$WORK/plans.txt"
read -r nranges jitted nfirst fjitted nwithin pushed <"$WORK/plans.txt"
if [ "$jit" = t ]; then
	[ "$nranges" -ge 4 ] && [ "$jitted" = 0 ] ||
		fail bisect_ranges_without_jit "$jitted of $nranges plans of ranges compiled"
	[ "$nfirst" -ge 2 ] && [ "$fjitted" = "$nfirst" ] ||
		fail bisect_ranges_without_jit "$fjitted of $nfirst first levels compiled"
	ok bisect_ranges_without_jit
else
	skip bisect_ranges_without_jit "this PostgreSQL has no JIT (pg_jit_available() is false)"
fi
[ "$nwithin" -ge 1 ] && [ "$pushed" = 0 ] ||
	fail bisect_keys_among_ranges "$pushed of $nwithin reads of keys filter the table itself"
ok bisect_keys_among_ranges
expect fallback_strategy "$(c inet "['strategy']")" rows
expect fallback_note "$(c inet "['strategy_note']")" "column 'addr' (inet) cannot be normalised in SQL"
expect fallback_streams_everything "$(c inet "['rows_streamed']")" "{'left': 20000, 'right': 19999}"
expect fallback_findings "$(c inet "['findings']")" "{'missing': 1, 'extra': 0, 'changed': 1}"
ok bisect_falls_back_to_rows

# auto: no previous report, so every analysed table large enough bisects
expect auto_first_run "$(c auto "['strategy']") $(c auto-drift "['strategy']")" "bisect bisect"
expect auto_small "$(c auto-small "['strategy']"): $(c auto-small "['strategy_note']")" "rows: auto: small tables"
expect auto_findings "$(c auto "['findings']")" "{'missing': 1, 'extra': 0, 'changed': 1}"
expect auto_drift_findings "$(c auto-drift "['drift']")" 500
# the next day: 2 of 20000 rows drifted (bisect again), 500 of 20000 (rows)
st=0
"$BIN" run -c "$WORK/recon.ini" --date 2026-11-23 -q || st=$?
J=$WORK/out/2026-11-23.json
expect auto_small_drift "$(c auto "['strategy']")" bisect
expect auto_large_drift "$(c auto-drift "['strategy']"): $(c auto-drift "['strategy_note']")" \
	"rows: auto: the previous drift (500) is 1% or more of the rows"
expect auto_large_drift_findings "$(c auto-drift "['drift']")" 500
ok strategy_auto

# values whose hashes PostgreSQL's own hash functions confuse: numeric's
# hash gives NaN and both infinities one value and ignores the sign, and
# a date's infinities hash apart from every day; each row below changes
# only such a value, in a range of its own
admin_sql <<'SQL'
CREATE TABLE sa (id int PRIMARY KEY, n numeric, d date);
CREATE TABLE sb (id int PRIMARY KEY, n numeric, d date);
INSERT INTO sa SELECT i, i, DATE '2020-01-01' + i FROM generate_series(1, 5000) i;
INSERT INTO sb SELECT * FROM sa;
UPDATE sa SET n = 'NaN' WHERE id = 1000;
UPDATE sb SET n = 'Infinity' WHERE id = 1000;
UPDATE sa SET n = 7 WHERE id = 2000;
UPDATE sb SET n = -7 WHERE id = 2000;
UPDATE sa SET d = 'infinity' WHERE id = 3000;
UPDATE sb SET d = '-infinity' WHERE id = 3000;
UPDATE sa SET n = '-Infinity' WHERE id = 4000;
UPDATE sb SET n = 'Infinity' WHERE id = 4000;
ANALYZE sa;
ANALYZE sb;
SQL
cat >"$WORK/special.ini" <<INI
[report]
output_dir = $WORK/out-special
[source "db"]
type = postgres
url = env:REF_PG_URL
[check "special"]
kind = compare
left = db:sa
right = db:sb
key = id
strategy = bisect
bisect_rows = 10
INI
"$BIN" run -c "$WORK/special.ini" --date 2026-11-22 -q || true
J=$WORK/out-special/2026-11-22.json
expect special_values_strategy "$(jq_ "$J" "j['checks'][0]['strategy']")" bisect
expect special_values_changed "$(jq_ "$J" "j['checks'][0]['findings']")" \
	"{'missing': 0, 'extra': 0, 'changed': 4}"
ok bisect_hashes_special_values

# on a terminal, a line says how far the bisection has come, then goes
on_tty() { RECON_PROGRESS_DELAY=0 script -qec "$*" /dev/null | tr '\r' '\n'; }
rm -rf "$WORK/out-special"
on_tty "$BIN" run -c "$WORK/special.ini" --date 2026-11-22 >"$WORK/tty.txt" || true
grep -q '^bisecting special: level [0-9]*, [0-9]* ranges compared, [0-9]* to stream' "$WORK/tty.txt" ||
	fail bisect_progress "no progress line: $(cat -v "$WORK/tty.txt")"
"$BIN" run -c "$WORK/special.ini" --date 2026-11-22 >"$WORK/notty.txt" 2>&1 || true
! grep -q bisecting "$WORK/notty.txt" || fail bisect_progress "a progress line off a terminal"
ok bisect_progress
