#!/usr/bin/env bash
# bench_compare.sh BIN [N...]: a `compare` check between two CSV snapshots
# (departments vs org_units, a dual-write pair), recon against the tools a
# user would otherwise reach for, side by side in the same run on the same
# files.
#
#   tests/bench/bench_compare.sh build/recon                  # N = 10000000
#   tests/bench/bench_compare.sh build/recon 1000000 10000000
#
# For each N:
# 1. Builds tests/bench/gen_pair.c and generates the N-row pair once, cached
#    in build/bench/pair-N/ (departments.csv, org_units.csv, truth.txt).
# 2. Times, RUNS times each (default 3), interleaved, under /usr/bin/time:
#    - recon: one compare check, left = snap:departments, right =
#      snap:org_units, key = tenant_id,unit_id, group = tenant_id
#      (BIN run -c CONFIG -o OUT --date 2026-11-22 -q);
#    - duckdb: node tests/bench/duckdb/compare.mjs, a FULL OUTER JOIN of two
#      read_csv() (npm package @duckdb/node-api, installed by this script
#      into build/bench/duckdb/node_modules);
#    - sqlite3: the shell, .import of both files into :memory:, an index on
#      each key, then anti-joins and a join;
#    - postgres: COPY of both files into unlogged tables, indexes, then the
#      same SQL, on a throwaway server this script starts (initdb into a
#      temporary directory, unix socket only, as user postgres when root) and
#      stops on exit, even on failure; skipped with a note when the server
#      binaries are missing.  Its time is the client side's (psql: COPY +
#      SQL), its RSS the server's peak (VmHWM of the backend);
#    - coreutils: records joined onto one line (awk), sort, then comm/join on
#      the sorted keys and lines.
#    Every tool's missing/extra/changed must equal truth.txt's, or the
#    script fails.  Before each tool runs, 3x the input's size of fresh
#    memory is touched and freed (scan warm), so that every tool starts
#    alike: on a virtual machine whose host takes idle memory back, a first
#    touch costs 1-5 ns a byte, and a tool would otherwise be charged or
#    spared that by whatever ran before it (WARM=0: no warming).  Two
#    floors are timed beside them (tests/bench/scan.c, one core, both
#    files; they find nothing, so only their record and field counts are
#    checked against each other): "scan", a bare quote-aware byte loop,
#    and "libcsv", csv_parse alone; and "libcsv2", csv_parse on each file
#    at once, one process pinned to each core, as recon's two readers
#    parse them: each core's own time is printed below the table (the two
#    cores of a virtual machine can differ by a third for the same work,
#    and recon, one reader a file, waits for the slower).
# 3. Prints: tool, rows, median wall s, median CPU s (user + sys), peak RSS
#    MB (largest of the runs) and the tool's median wall time divided by
#    recon's (above 1: recon is faster; for a floor, 0.5 means recon takes
#    twice its time).
#
# Environment: RUNS (3), BUILD (build), CC (cc), PEERS (duckdb sqlite3
# postgres coreutils: the peers to run), PGBIN (/usr/lib/postgresql/15/bin),
# WARM (1).
set -euo pipefail
export LC_ALL=C

usage() { echo "usage: $0 BIN [N...]" >&2; exit 2; }
[ $# -ge 1 ] || usage
BIN=$1
shift
NS=${*:-10000000}
for n in $NS; do case $n in '' | *[!0-9]*) usage ;; esac; done
RUNS=${RUNS:-3}
PEERS=${PEERS:-duckdb sqlite3 postgres coreutils}
WARM=${WARM:-1}
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
[ -x "$BIN" ] || { echo "$0: $BIN: not an executable" >&2; exit 2; }
BIN=$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN")

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-$ROOT/build}
case $BUILD in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac
BENCH=$BUILD/bench
mkdir -p "$BENCH"

TIME=/usr/bin/time
if [ ! -x "$TIME" ]; then
	if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
		echo "== installing GNU time (package time)" >&2
		apt-get install -y -qq time >/dev/null ||
			{ apt-get update -qq && apt-get install -y -qq time >/dev/null; }
	fi
	[ -x "$TIME" ] || { echo "$0: /usr/bin/time is missing: apt-get install time" >&2; exit 2; }
fi

has_peer() { case " $PEERS " in *" $1 "*) return 0 ;; esac; return 1; }

# ---- peers' setup -----------------------------------------------------------
DUCK=$BENCH/duckdb
if has_peer duckdb; then
	mkdir -p "$DUCK"
	cp -p "$ROOT/tests/bench/duckdb/package.json" "$ROOT/tests/bench/duckdb/compare.mjs" "$DUCK/"
	if [ ! -d "$DUCK/node_modules/@duckdb/node-api" ] ||
		[ "$DUCK/package.json" -nt "$DUCK/node_modules/.package-lock.json" ]; then
		echo "== npm install @duckdb/node-api into $DUCK" >&2
		(cd "$DUCK" && npm install --no-audit --no-fund --loglevel=error >&2)
	fi
fi
if has_peer sqlite3 && ! command -v sqlite3 >/dev/null; then
	echo "== sqlite3 not found: skipped" >&2
	PEERS=${PEERS/sqlite3/}
fi

PGDIR=
pg_stop() {
	if [ -n "$PGDIR" ] && [ -f "$PGDIR/data/postmaster.pid" ]; then
		pg_as "$PGBIN/pg_ctl" -D "$PGDIR/data" -m immediate -w stop >/dev/null 2>&1 || true
	fi
	[ -n "$PGDIR" ] && rm -rf "$PGDIR"
	PGDIR=
}
trap pg_stop EXIT
pg_as() {	# run a command as the server's user (postgres when we are root)
	if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
if has_peer postgres; then
	if [ ! -x "$PGBIN/initdb" ] || [ ! -x "$PGBIN/pg_ctl" ] || ! command -v psql >/dev/null; then
		echo "== PostgreSQL server binaries not found in $PGBIN: postgres skipped" >&2
		PEERS=${PEERS/postgres/}
	else
		PGDIR=$(mktemp -d /tmp/recon-bench-pg.XXXXXX)
		[ "$(id -u)" = 0 ] && chown postgres "$PGDIR" && chmod 700 "$PGDIR"
		echo "== starting a throwaway PostgreSQL in $PGDIR" >&2
		pg_as "$PGBIN/initdb" -D "$PGDIR/data" -A trust -U postgres >/dev/null
		pg_as "$PGBIN/pg_ctl" -D "$PGDIR/data" -l "$PGDIR/log" -w \
			-o "-c listen_addresses='' -c unix_socket_directories='$PGDIR' -c fsync=off \
-c synchronous_commit=off -c full_page_writes=off -c shared_buffers=512MB \
-c work_mem=1GB -c maintenance_work_mem=1GB -c max_wal_size=8GB" start >/dev/null
	fi
fi

SCAN=$BENCH/scan
if [ ! -x "$SCAN" ] || [ "$ROOT/tests/bench/scan.c" -nt "$SCAN" ]; then
	"${CC:-cc}" -std=c11 -O2 -Wall -Wextra -Werror -o "$SCAN" "$ROOT/tests/bench/scan.c" -lcsv
fi
FLOORS="scan libcsv libcsv2"
PIN0= PIN1=	# libcsv2's two processes, one on each core when there are two
if command -v taskset >/dev/null && [ "$(nproc)" -ge 2 ]; then
	PIN0="taskset -c 0" PIN1="taskset -c 1"
fi

# ---- one tool run: $1 tool, $2 run number; writes WORK/tool.run.{time,out} --
json_findings() {
	python3 -c 'import json,sys
c = json.load(open(sys.argv[1]))["checks"][0]
f = c.get("findings") or {}
print("missing=%s extra=%s changed=%s" % (f.get("missing"), f.get("extra"), f.get("changed")))' "$1"
}

timed() {	# $1 tool, $2 run, rest: command
	local tool=$1 run=$2
	shift 2
	[ "$WARM" = 0 ] || "$SCAN" warm "$WARM_MB"
	"$TIME" -f '%e %U %S %M' -o "$WORK/$tool.$run.time" "$@" \
		>"$WORK/$tool.$run.out" 2>"$WORK/$tool.$run.err"
}

run_recon() {
	local out=$WORK/out-$1 rc=0
	rm -rf "$out"
	timed recon "$1" "$BIN" run -c "$CONFIG" -o "$out" --date 2026-11-22 -q || rc=$?
	if [ "$rc" -gt 1 ]; then	# 1: drift found (it is); 2: trouble
		echo "$0: recon exited $rc:" >&2
		cat "$WORK/recon.$1.err" >&2
		exit 1
	fi
	json_findings "$out/2026-11-22.json" >"$WORK/recon.$1.out"
}

run_duckdb() {
	timed duckdb "$1" node "$DUCK/compare.mjs" "$PAIR"
}

SQL_FINDINGS="
SELECT 'missing=' || (SELECT count(*) FROM l WHERE NOT EXISTS
         (SELECT 1 FROM r WHERE r.tenant_id = l.tenant_id AND r.unit_id = l.unit_id))
    || ' extra=' || (SELECT count(*) FROM r WHERE NOT EXISTS
         (SELECT 1 FROM l WHERE l.tenant_id = r.tenant_id AND l.unit_id = r.unit_id))
    || ' changed=' || (SELECT count(*) FROM l JOIN r
         ON r.tenant_id = l.tenant_id AND r.unit_id = l.unit_id
         WHERE l.name IS DISTINCT FROM r.name OR l.parent_id IS DISTINCT FROM r.parent_id
            OR l.updated_at IS DISTINCT FROM r.updated_at);"

run_sqlite3() {
	# .import stores every field as text, '' for an empty one: on both sides alike
	timed sqlite3 "$1" sqlite3 -bail :memory: \
		".import --csv '$PAIR/departments.csv' l" \
		".import --csv '$PAIR/org_units.csv' r" \
		"CREATE INDEX l_key ON l (tenant_id, unit_id);" \
		"CREATE INDEX r_key ON r (tenant_id, unit_id);" \
		"${SQL_FINDINGS//IS DISTINCT FROM/IS NOT}"
}

run_postgres() {
	local db=bench$1 sql=$WORK/pg.sql
	pg_as psql -h "$PGDIR" -U postgres -qAt -d postgres -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db" >/dev/null 2>&1
	cat >"$sql" <<-EOF
	SELECT pg_backend_pid() AS pid \\gset
	CREATE UNLOGGED TABLE l (tenant_id text, unit_id text, name text, parent_id text, updated_at text);
	CREATE UNLOGGED TABLE r (LIKE l);
	\\copy l FROM '$PAIR/departments.csv' WITH (FORMAT csv, HEADER true)
	\\copy r FROM '$PAIR/org_units.csv' WITH (FORMAT csv, HEADER true)
	CREATE INDEX l_key ON l (tenant_id, unit_id);
	CREATE INDEX r_key ON r (tenant_id, unit_id);
	ANALYZE l;
	ANALYZE r;
	$SQL_FINDINGS
	\\setenv RECON_BENCH_PID :pid
	\\! grep VmHWM /proc/\$RECON_BENCH_PID/status
	EOF
	# psql reads the files itself (\copy), as root when we are: no permission
	# trouble.  The server's memory: its backend's peak (VmHWM), read at the end.
	timed postgres "$1" psql -h "$PGDIR" -U postgres -qAt -v ON_ERROR_STOP=1 -d "$db" -f "$sql"
	pg_as psql -h "$PGDIR" -U postgres -qAt -d postgres -c "DROP DATABASE $db" >/dev/null
	local hwm
	hwm=$(sed -n 's/^VmHWM:[[:space:]]*\([0-9]*\).*/\1/p' "$WORK/postgres.$1.out" | tail -n 1)
	[ -n "$hwm" ] && sed -i "\$s/[0-9]*\$/$hwm/" "$WORK/postgres.$1.time"
	return 0
}

run_coreutils() {
	# A record whose name holds a newline goes on over lines: join those onto
	# the line that began the record (only names can: keys are t-NNNN,u-NNNNNNN).
	local w=$WORK/cu
	mkdir -p "$w"
	timed coreutils "$1" bash -c '
		set -euo pipefail
		export LC_ALL=C
		lines() { tail -n +2 "$1" | awk '\''/^t-[0-9]+,u-[0-9]+,/ { if (NR > 1) printf "\n"; printf "%s", $0; next }
			{ printf "\\n%s", $0 } END { printf "\n" }'\'' | sort -S 25% >"$2"; }
		lines "$1/departments.csv" "$2/l.lines" &
		lines "$1/org_units.csv" "$2/r.lines"
		wait
		cut -d, -f1,2 "$2/l.lines" >"$2/l.keys"
		cut -d, -f1,2 "$2/r.lines" >"$2/r.keys"
		m=$(comm -23 "$2/l.keys" "$2/r.keys" | wc -l)
		e=$(comm -13 "$2/l.keys" "$2/r.keys" | wc -l)
		c=$(comm -23 "$2/l.lines" "$2/r.lines" | cut -d, -f1,2 | join -t "|" - "$2/r.keys" | wc -l)
		echo "missing=$m extra=$e changed=$c"' _ "$PAIR" "$w"
	rm -rf "$w"
}

run_floors() {	# both floors must count the same records and fields
	timed scan "$1" "$SCAN" bare "$PAIR/departments.csv" "$PAIR/org_units.csv"
	timed libcsv "$1" "$SCAN" libcsv "$PAIR/departments.csv" "$PAIR/org_units.csv"
	# each file on a core of its own, at once, as recon's two readers go;
	# each process's own wall time is kept (libcsv2.RUN.core0, .core1)
	local o=$WORK/libcsv2.$1
	timed libcsv2 "$1" bash -c '$1 "$3" -f %e -o "$6.core0" "$4" libcsv "$5/departments.csv" >"$6.out0" &
		$2 "$3" -f %e -o "$6.core1" "$4" libcsv "$5/org_units.csv" >"$6.out1"
		wait' _ "$PIN0" "$PIN1" "$TIME" "$SCAN" "$PAIR" "$o"
	cat "$o.out0" "$o.out1" | tr '=' ' ' |
		awk '{ r += $2; f += $4 } END { printf "records=%d fields=%d\n", r, f }' >"$o.out"
	rm -f "$o.out0" "$o.out1"
	for f in libcsv libcsv2; do
		cmp -s "$WORK/scan.$1.out" "$WORK/$f.$1.out" || {
			echo "$0: the floors disagree: $(cat "$WORK/scan.$1.out") vs $f $(cat "$WORK/$f.$1.out")" >&2
			exit 1
		}
	done
}

check_answer() {	# $1 tool, $2 run
	local got
	got=$(grep -o 'missing=[0-9]* extra=[0-9]* changed=[0-9]*' "$WORK/$1.$2.out" | tail -n 1 || true)
	[ "$got" = "$WANT" ] || {
		echo "$0: $1 answered '$got', truth.txt says '$WANT'" >&2
		tail -n 5 "$WORK/$1.$2.err" >&2
		exit 1
	}
}

# ---- the table ----------------------------------------------------------------
median() { sort -n | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
run_times() { local f; for f in "$WORK/$1".*.time; do tail -n 1 "$f"; done; }
stats() {	# $1: tool -> "wall cpu rss_mb"
	local wall cpu rss
	wall=$(run_times "$1" | awk '{ print $1 }' | median)
	cpu=$(run_times "$1" | awk '{ print $2 + $3 }' | median)
	rss=$(run_times "$1" | awk '$4 + 0 > m + 0 { m = $4 } END { printf "%.0f", m / 1024 }')
	echo "$wall $cpu $rss"
}

TABLE=
for N in $NS; do
	GEN=$BENCH/gen_pair
	if [ ! -x "$GEN" ] || [ "$ROOT/tests/bench/gen_pair.c" -nt "$GEN" ]; then
		echo "== building $GEN" >&2
		"${CC:-cc}" -std=c11 -O2 -Wall -Wextra -Werror -o "$GEN" "$ROOT/tests/bench/gen_pair.c"
	fi
	PAIR=$BENCH/pair-$N
	if [ ! -s "$PAIR/truth.txt" ] || [ "$GEN" -nt "$PAIR/truth.txt" ]; then
		echo "== generating $N rows into $PAIR" >&2
		rm -rf "$PAIR"
		"$GEN" "$N" "$PAIR"	# writes truth.txt last: its presence means complete
	fi
	chmod a+rx "$BENCH" "$PAIR"
	truth() { sed -n "s/^$1=//p" "$PAIR/truth.txt"; }
	WANT="missing=$(truth missing) extra=$(truth extra) changed=$(truth changed)"

	WORK=$BENCH/compare-$N
	rm -rf "$WORK"
	mkdir -p "$WORK"
	CONFIG=$WORK/recon.ini
	cat >"$CONFIG" <<-EOF
	# generated by tests/bench/bench_compare.sh
	[report]
	title = Benchmark: compare of $N departments with org_units
	output_dir = reports
	gate_days = 1
	window_days = 1
	samples = 20

	[source "snap"]
	type = csv
	path = $PAIR

	[check "dual-write"]
	kind = compare
	description = org_units mirrors departments
	left = snap:departments
	right = snap:org_units
	key = tenant_id, unit_id
	group = tenant_id
	EOF

	WARM_MB=$(( ($(wc -c <"$PAIR/departments.csv") + $(wc -c <"$PAIR/org_units.csv")) * 3 / 1048576 + 64 ))
	echo "== $N rows: $(wc -c <"$PAIR/departments.csv") + $(wc -c <"$PAIR/org_units.csv") bytes; truth: $WANT; $RUNS runs; peers: $PEERS" >&2
	cat "$PAIR/departments.csv" "$PAIR/org_units.csv" >/dev/null	# warm page cache for all
	for i in $(seq 1 "$RUNS"); do
		echo "== run $i/$RUNS: recon" >&2
		run_recon "$i"
		check_answer recon "$i"
		for p in $PEERS; do
			echo "== run $i/$RUNS: $p" >&2
			"run_$p" "$i"
			check_answer "$p" "$i"
		done
		echo "== run $i/$RUNS: floors" >&2
		run_floors "$i"
	done

	read -r r_wall r_cpu r_rss <<<"$(stats recon)"
	TABLE+=$(printf '%-10s %10s %9.2f %9.2f %12s %12s' recon "$N" "$r_wall" "$r_cpu" "$r_rss" "1.00")$'\n'
	for p in $PEERS $FLOORS; do
		read -r wall cpu rss <<<"$(stats "$p")"
		ratio=$(awk -v s="$wall" -v r="$r_wall" 'BEGIN { if (r > 0) printf "%.2f", s / r; else print "inf" }')
		TABLE+=$(printf '%-10s %10s %9.2f %9.2f %12s %12s' "$p" "$N" "$wall" "$cpu" "$rss" "$ratio")$'\n'
	done
	echo "== $N: every tool answered $WANT (truth.txt); details in $WORK" >&2
done

echo
printf '%-10s %10s %9s %9s %12s %12s\n' tool rows "wall s" "CPU s" "peak RSS MB" "÷ recon"
printf '%s' "$TABLE"
echo
echo "medians of $RUNS runs; ÷ recon = the tool's wall time over recon's (above 1: recon is faster)"
echo "scan, libcsv and libcsv2 are floors, not peers: they read both files and find nothing"
CORES=
for N in $NS; do
	W=$BENCH/compare-$N
	c0=$(cat "$W"/libcsv2.*.core0 | median)
	c1=$(cat "$W"/libcsv2.*.core1 | median)
	CORES+=" $N rows: ${c0} s and ${c1} s;"
done
PINNED="pinned with taskset"
[ -n "$PIN0" ] || PINNED="not pinned: taskset or a second core is missing"
echo "scan and libcsv on one core; libcsv2 on each file at once, one process a core ($PINNED),"
echo "  as recon's two readers parse them; each process's own time (medians):${CORES%;}"
if [ "$WARM" = 0 ]; then
	echo "no warming: a tool's time includes whatever first touches of memory cost it after the tool before"
else
	echo "each tool started after 3x the input's size of memory was touched and freed (WARM=0: without)"
fi
