#!/usr/bin/env bash
# bench_bisect.sh BIN [N]: compare of two N-row PostgreSQL tables by
# strategy = rows, strategy = bisect and strategy = auto, interleaved in the
# same run with a count(*) of both tables, for each drift of DRIFTS
# (percent of the rows changed, missing and extra; default "0.01 1 10").
# SHARDED=1 puts both tables on the sharded test cluster
# (tests/lib/pg_cluster.sh: partitioned on a coordinator, one postgres_fdw
# foreign partition on each of three shards) and connects recon to the
# coordinator; otherwise one server.
#
# Per drift: one cold run of each (every server restarted with its files
# out of the page cache: tests/lib/pg_server.sh cold), the median wall
# time of RUNS (default 3) warm runs of each, the
# bytes the server sent recon for each strategy (every COPY recon ran,
# taken from the server's log of one more run and run again through psql
# into wc -c: COPY's text, without the protocol's 5 bytes a row), whether
# rows and bisect gave the same findings, groups and samples, and what auto
# chose on its second run (the first has no previous drift and bisects).
# The first level's time on the server (its two sums of every range, run
# at once; the logged run's) shows the part no plan avoids: every row read
# and hashed.
# Targets: at 0.01% drift bisect sends at most 1% of the bytes of rows,
# takes no longer, and is within 2x of the count(*).  BISECT_ROWS sets
# bisect_rows (default: recon's).  Runs niced: the machine is shared.
set -euo pipefail
export LC_ALL=C
BIN=$(realpath "$1")
N=${2:-10000000}
DRIFTS=${DRIFTS:-0.01 1 10}
RUNS=${RUNS:-3}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
WORK=$(mktemp -d /tmp/recon-bbis.XXXXXX)
PGDIR=$(mktemp -d /tmp/rpg.XXXXXX)
if [ "${SHARDED:-0}" = 1 ]; then
	cleanup() { "$ROOT/tests/lib/pg_cluster.sh" stop "$PGDIR" || true; rm -rf "$WORK"; }
	trap cleanup EXIT
	"$ROOT/tests/lib/pg_cluster.sh" start "$PGDIR"
	HOST=$PGDIR/c
	LOGS=$PGDIR/c/data/server.log
else
	cleanup() { "$ROOT/tests/lib/pg_server.sh" stop "$PGDIR" || true; rm -rf "$WORK"; }
	trap cleanup EXIT
	"$ROOT/tests/lib/pg_server.sh" start "$PGDIR"
	HOST=$PGDIR
	LOGS=$PGDIR/data/server.log
fi
psql_() { nice psql -X -q -At -v ON_ERROR_STOP=1 -h "$1" -U postgres -d postgres "${@:2}"; }
COLS="id bigint, tenant text, amount numeric(12,2), note text, day date"
ROW="i, 't-' || (i % 97), (i % 100000) / 100.0, 'note ' || md5(i::text), DATE '2026-01-01' + (i % 300)::int"

echo "== loading $N rows" >&2
if [ "${SHARDED:-0}" = 1 ]; then
	"$ROOT/tests/lib/pg_cluster.sh" shard "$PGDIR" a "$COLS" id
	"$ROOT/tests/lib/pg_cluster.sh" shard "$PGDIR" b "$COLS" id
	for s in 1 2 3; do
		psql_ "$HOST" -c "ALTER SERVER shard$s OPTIONS (ADD batch_size '10000')"
	done
	psql_ "$HOST" -c "INSERT INTO a SELECT $ROW FROM generate_series(1, $N) i"
	for s in 1 2 3; do
		psql_ "$PGDIR/s$s" -c "ALTER TABLE a ADD PRIMARY KEY (id)" -c "VACUUM ANALYZE a"
	done
else
	psql_ "$HOST" -c "CREATE TABLE a ($COLS)" \
		-c "INSERT INTO a SELECT $ROW FROM generate_series(1, $N) i" \
		-c "ALTER TABLE a ADD PRIMARY KEY (id)" -c "VACUUM ANALYZE a"
fi

# drift EVERY: b is a with one row in EVERY changed, one missing, one extra
drift() {
	local every=$1 s
	if [ "${SHARDED:-0}" = 1 ]; then
		# a and b share their partitioning: each shard's b is its a,
		# changed there; the extra rows go through the coordinator
		for s in 1 2 3; do
			psql_ "$PGDIR/s$s" -c "TRUNCATE b" -c "INSERT INTO b SELECT * FROM a" \
				-c "UPDATE b SET amount = amount + 1 WHERE id % $every = 0" \
				-c "DELETE FROM b WHERE id % $every = 7"
		done
		psql_ "$HOST" -c "INSERT INTO b SELECT id + $N, tenant, amount, note, day FROM a WHERE id % $every = 3"
		for s in 1 2 3; do
			psql_ "$PGDIR/s$s" -c "SET client_min_messages = warning" -c "ALTER TABLE b DROP CONSTRAINT IF EXISTS b_pkey" \
				-c "ALTER TABLE b ADD PRIMARY KEY (id)" -c "VACUUM ANALYZE b"
		done
		psql_ "$HOST" -c "ANALYZE a" -c "ANALYZE b"
	else
		psql_ "$HOST" -c "SET client_min_messages = warning" -c "DROP TABLE IF EXISTS b" -c "CREATE TABLE b AS SELECT * FROM a" \
			-c "ALTER TABLE b ADD PRIMARY KEY (id)" \
			-c "UPDATE b SET amount = amount + 1 WHERE id % $every = 0" \
			-c "DELETE FROM b WHERE id % $every = 7" \
			-c "INSERT INTO b SELECT id + $N, tenant, amount, note, day FROM a WHERE id % $every = 3" \
			-c "VACUUM ANALYZE b"
	fi
}

config() {
	cat >"$WORK/$1.ini" <<INI
[report]
output_dir = $WORK/out-$1
[source "db"]
type = postgres
url = host=$HOST dbname=postgres user=postgres
[check "pair"]
kind = compare
left = db:a
right = db:b
key = id
group = tenant
strategy = $1
${BISECT_ROWS:+bisect_rows = $BISECT_ROWS}
INI
}
for s in rows bisect auto; do config $s; done

# cold: every server restarted with its files out of the page cache
cold() {
	local d
	if [ "${SHARDED:-0}" = 1 ]; then
		for d in c s1 s2 s3; do "$ROOT/tests/lib/pg_server.sh" cold "$PGDIR/$d"; done
	else
		"$ROOT/tests/lib/pg_server.sh" cold "$PGDIR"
	fi
}

now() { date +%s.%N; }
# measure NAME CMD...: append the seconds of one run to $WORK/NAME
measure() {
	local name=$1 t0 t1
	shift
	t0=$(now)
	nice "$@" >/dev/null 2>&1 || true
	t1=$(now)
	echo "$t1 - $t0" | bc >>"$WORK/$name"
}
# bytes STRATEGY: the COPY bytes of one logged run into $WORK/bytes-STRATEGY
bytes() {
	psql_ "$HOST" -c "ALTER SYSTEM SET log_min_duration_statement = 0" -c "SELECT pg_reload_conf()" >/dev/null
	: >"$LOGS"
	nice "$BIN" run -c "$WORK/$1.ini" --date 2026-11-23 -q >/dev/null 2>&1 || true
	psql_ "$HOST" -c "ALTER SYSTEM RESET log_min_duration_statement" -c "SELECT pg_reload_conf()" >/dev/null
	python3 - "$LOGS" "$HOST" "$WORK/level1-$1" >"$WORK/bytes-$1" <<'PY'
import os, re, subprocess, sys, tempfile
seen, total, entries = {}, 0, []
for line in open(sys.argv[1], errors='replace'):
    if re.match(r'\d{4}-\d\d-\d\d ', line) or not entries:
        entries.append(line)
    else:	# a statement's next line
        entries[-1] += line
for entry in entries:
    m = re.search(r'LOG:  duration: [0-9.]+ ms  execute [^:]*: (COPY \(.*\) TO STDOUT)', entry, re.S)
    if not m:
        continue
    sql = m.group(1)
    if sql not in seen:
        with tempfile.NamedTemporaryFile('w', suffix='.sql', delete=False) as f:
            f.write(sql + ';\n')	# a file: a statement can outgrow an argument
        p = subprocess.Popen(['psql', '-X', '-q', '-h', sys.argv[2], '-U', 'postgres', '-d',
                              'postgres', '-f', f.name], stdout=subprocess.PIPE)
        n = 0
        while True:
            b = p.stdout.read(1 << 20)
            if not b:
                break
            n += len(b)
        p.wait()
        os.unlink(f.name)
        seen[sql] = n
    total += seen[sql]
print(total)
# the first level: the two sides' first sums of every range (at once), the
# part of bisect no plan avoids (every row read and hashed)
level1 = []
for entry in entries:
    m = re.search(r'LOG:  duration: ([0-9.]+) ms  execute [^:]*: COPY \(.*count\(\*\), sum\(', entry, re.S)
    if m and len(level1) < 2:
        level1.append(float(m.group(1)) / 1000)
with open(sys.argv[3], 'w') as f:
    f.write('%.3f\n' % max(level1 or [0]))
PY
}

printf '%-7s %5s %9s %9s %9s %8s %8s %14s %14s %8s %5s %s\n' drift N 'count(*)' rows bisect b/rows b/count 'bytes rows' 'bytes bisect' b/r same auto
for d in $DRIFTS; do
	every=$(awk -v d="$d" 'BEGIN { printf "%d", 100 / d }')
	echo "== drift $d%: one row in $every changed, missing and extra" >&2
	drift "$every"
	rm -rf "$WORK"/out-* "$WORK/count" "$WORK/rows" "$WORK/bisect" "$WORK"/cold-*
	cold
	measure cold-count psql -X -q -At -h "$HOST" -U postgres -d postgres \
		-c "SELECT (SELECT count(*) FROM a) + (SELECT count(*) FROM b)"
	cold
	measure cold-rows "$BIN" run -c "$WORK/rows.ini" --date 2026-11-22 -q
	cold
	measure cold-bisect "$BIN" run -c "$WORK/bisect.ini" --date 2026-11-22 -q
	rm -rf "$WORK"/out-*
	for i in $(seq "$RUNS"); do
		measure count psql -X -q -At -h "$HOST" -U postgres -d postgres \
			-c "SELECT (SELECT count(*) FROM a) + (SELECT count(*) FROM b)"
		measure rows "$BIN" run -c "$WORK/rows.ini" --date 2026-11-22 -q
		measure bisect "$BIN" run -c "$WORK/bisect.ini" --date 2026-11-22 -q
	done
	nice "$BIN" run -c "$WORK/auto.ini" --date 2026-11-21 -q >/dev/null 2>&1 || true
	nice "$BIN" run -c "$WORK/auto.ini" --date 2026-11-22 -q >/dev/null 2>&1 || true
	bytes rows
	bytes bisect
	python3 - "$WORK" "$d" "$N" <<'PY'
import json, os, statistics, sys
w, d, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
check = lambda s: json.load(open(os.path.join(w, 'out-%s' % s, '2026-11-22.json')))['checks'][0]
strip = lambda c: {k: v for k, v in c.items() if k not in ('strategy', 'strategy_note', 'ranges', 'rows_streamed', 'cut')}
r, b, a = check('rows'), check('bisect'), check('auto')
t = {k: statistics.median(float(l) for l in open(os.path.join(w, k))) for k in ('count', 'rows', 'bisect')}
by = {k: int(open(os.path.join(w, 'bytes-' + k)).read()) for k in ('rows', 'bisect')}
print('%-7s %5s %8.2fs %8.2fs %8.2fs %8.2f %8.2f %14d %14d %7.2f%% %5s %s' % (
    d + '%', '%dM' % (n // 1000000) if n >= 1000000 else n, t['count'], t['rows'], t['bisect'],
    t['bisect'] / t['rows'], t['bisect'] / max(t['count'], 0.001), by['rows'], by['bisect'],
    100.0 * by['bisect'] / max(by['rows'], 1), strip(r) == strip(b),
    a.get('strategy', '?') + (' (%s)' % a['strategy_note'] if a.get('strategy_note') else '')))
c = {k: float(open(os.path.join(w, 'cold-' + k)).read()) for k in ('count', 'rows', 'bisect')}
print('  cold (servers restarted, files out of the page cache): count(*) %.2f s, rows %.2f s, '
      'bisect %.2f s (%.2fx rows, %.2fx count(*))' % (c['count'], c['rows'], c['bisect'],
      c['bisect'] / c['rows'], c['bisect'] / max(c['count'], 0.001)), file=sys.stderr)
l1 = float(open(os.path.join(w, 'level1-bisect')).read())
print('  bisect: %s ranges compared, rows streamed %s; its first level %.2f s on the server '
      '(%.1fx the count(*))' % (b.get('ranges'), b.get('rows_streamed'), l1,
                                l1 / max(t['count'], 0.001)), file=sys.stderr)
PY
done
