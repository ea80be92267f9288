#!/usr/bin/env bash
# bench_sql.sh BIN [N...]: the SQL checks of a nightly audit over a snapshot
# pair, recon against DuckDB itself running the same SQL over the same files,
# side by side in the same run.
#
#   tests/bench/bench_sql.sh build/recon                  # N = 1000000 10000000
#   tests/bench/bench_sql.sh build/recon 100000           # a quick check of the script
#
# 1. Builds tests/bench/gen_pair.c and generates each N-row pair once, cached
#    in build/bench/pair-N/ (departments.csv, org_units.csv, truth.txt).
# 2. Two checks, each as a recon `rows` check (group = tenant_id) over a
#    snapshot directory of the pair, and as the same SQL text run by
#    tests/bench/duckdb/rows.mjs (@duckdb/node-api, installed into
#    build/bench/duckdb by this script) over views of read_csv() on the same
#    files:
#      anti-join  departments rows with no org_units row (LEFT JOIN ... IS NULL)
#      having     per tenant, rows and roots, HAVING roots > 11% of rows
#    Each tool's answer (rows and tenants; DuckDB's sums too) must equal
#    truth.txt's, or the script stops.
# 3. For each N and check: a cold run of each tool (the two files evicted
#    from the page cache first: dd iflag=nocache, which needs no privilege),
#    then RUNS (default 3) warm runs, the tools interleaved, each under GNU
#    time.
# 4. Prints per N, check and tool: the cold wall time, the median warm wall
#    time, median CPU (user + sys), peak RSS (the largest of the runs), and
#    recon's ratios to DuckDB (wall time, peak RSS); then the growth of each
#    tool's warm time from the smallest N to the largest, and how much of
#    DuckDB's times is node starting it (SELECT 1).
#
# Environment: RUNS (3), BUILD (build), CC (cc).
set -euo pipefail
export LC_ALL=C

usage() { echo "usage: $0 BIN [N...]" >&2; exit 2; }
[ $# -ge 1 ] || usage
BIN=$1
shift
NS=${*:-1000000 10000000}
for n in $NS; do case $n in '' | *[!0-9]*) usage ;; esac; done
RUNS=${RUNS:-3}
[ -x "$BIN" ] || { echo "$0: $BIN: not an executable" >&2; exit 2; }
BIN=$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN")

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-$ROOT/build}
case $BUILD in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac
BENCH=$BUILD/bench
mkdir -p "$BENCH"

TIME=/usr/bin/time
[ -x "$TIME" ] || { echo "$0: /usr/bin/time is missing: apt-get install time" >&2; exit 2; }
command -v node >/dev/null && command -v npm >/dev/null ||
	{ echo "$0: node and npm are needed for the DuckDB peer" >&2; exit 2; }

# ---- the peer ----------------------------------------------------------------
DUCK=$BENCH/duckdb
mkdir -p "$DUCK"
cp -p "$ROOT/tests/bench/duckdb/package.json" "$ROOT/tests/bench/duckdb/rows.mjs" "$DUCK/"
if [ ! -d "$DUCK/node_modules/@duckdb/node-api" ] ||
	[ "$DUCK/package.json" -nt "$DUCK/node_modules/.package-lock.json" ]; then
	echo "== npm install @duckdb/node-api into $DUCK" >&2
	(cd "$DUCK" && npm install --no-audit --no-fund --loglevel=error >&2)
fi

# ---- the checks ----------------------------------------------------------------
SQL_anti="SELECT d.tenant_id, d.unit_id, d.name
  FROM departments d
  LEFT JOIN org_units o ON o.tenant_id = d.tenant_id AND o.unit_id = d.unit_id
  WHERE o.unit_id IS NULL"
SQL_having="SELECT tenant_id, count(*) AS units,
         count(*) FILTER (WHERE parent_id IS NULL) AS roots
  FROM departments
  GROUP BY tenant_id
  HAVING count(*) FILTER (WHERE parent_id IS NULL) * 100 > count(*) * 11"
CHECKS="anti having"

# the answer truth.txt gives: "rows=R groups=G"
want() {
	local t=$PAIR/truth.txt
	case $1 in
	anti) echo "rows=$(sed -n 's/^missing=//p' "$t") groups=$(sed -n 's/^tenants_without_org_unit=//p' "$t")" ;;
	having) echo "rows=$(sed -n 's/^tenants_over_11pct_roots=//p' "$t") groups=$(sed -n 's/^tenants_over_11pct_roots=//p' "$t")" ;;
	esac
}
want_sums() {	# DuckDB's result is read whole: its sums are checked too
	local t=$PAIR/truth.txt
	case $1 in
	anti) echo "sum2=0 sum3=0" ;;
	having) echo "sum2=$(sed -n 's/^tenants_over_11pct_roots_rows=//p' "$t") sum3=$(sed -n 's/^tenants_over_11pct_roots_roots=//p' "$t")" ;;
	esac
}

# ---- one run of one tool -------------------------------------------------------
evict() {	# drop the pair's pages from the page cache
	local f
	for f in "$PAIR/departments.csv" "$PAIR/org_units.csv"; do
		sync "$f"
		dd if="$f" iflag=nocache count=0 status=none
	done
}

timed() {	# $1 tool, $2 run; rest: the command
	local tool=$1 run=$2
	shift 2
	"$TIME" -f '%e %U %S %M' -o "$WORK/$tool.$run.time" "$@" \
		>"$WORK/$tool.$run.out" 2>"$WORK/$tool.$run.err"
}

run_recon() {	# $1 check, $2 run
	local out=$WORK/out-$2 rc=0 got
	rm -rf "$out"
	timed recon "$2" "$BIN" run -c "$WORK/recon.ini" -o "$out" --date 2026-11-22 -q || rc=$?
	if [ "$rc" -gt 1 ]; then	# 1: drift found (it is); 2: trouble
		echo "$0: recon exited $rc:" >&2
		cat "$WORK/recon.$2.err" >&2
		exit 1
	fi
	got=$(python3 -c 'import json, sys
c = json.load(open(sys.argv[1]))["checks"][0]
print("rows=%s groups=%s" % (c["drift"], len(c.get("groups") or [])))' "$out/2026-11-22.json")
	[ "$got" = "$(want "$1")" ] ||
		{ echo "$0: $1, N=$N: recon found $got, truth.txt says $(want "$1")" >&2; exit 1; }
}

run_duckdb() {	# $1 check, $2 run
	local got
	timed duckdb "$2" node "$DUCK/rows.mjs" "$PAIR" "$WORK/check.sql" ||
		{ echo "$0: DuckDB failed:" >&2; cat "$WORK/duckdb.$2.err" >&2; exit 1; }
	got=$(cat "$WORK/duckdb.$2.out")
	[ "$got" = "$(want "$1") $(want_sums "$1")" ] ||
		{ echo "$0: $1, N=$N: DuckDB found $got, truth.txt says $(want "$1") $(want_sums "$1")" >&2; exit 1; }
}

# ---- the figures -----------------------------------------------------------------
median() { sort -n | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
warm_times() {	# $1 tool: "wall user sys maxrss_kb" of each warm run
	local f
	for f in "$WORK/$1".w*.time; do tail -n 1 "$f"; done
}
stats() {	# $1 tool -> "cold_wall warm_wall warm_cpu peak_rss_mb"
	local cold wall cpu rss
	cold=$(tail -n 1 "$WORK/$1.cold.time" | awk '{ print $1 }')
	wall=$(warm_times "$1" | awk '{ print $1 }' | median)
	cpu=$(warm_times "$1" | awk '{ print $2 + $3 }' | median)
	rss=$( (warm_times "$1"; tail -n 1 "$WORK/$1.cold.time") |
		awk '$4 + 0 > m + 0 { m = $4 } END { printf "%.0f", m / 1024 }')
	echo "$cold $wall $cpu $rss"
}

echo "== recon: $("$BIN" --version 2>/dev/null | head -n 1 || echo '?')" >&2
echo "== DuckDB: @duckdb/node-api $(node -p "require('$DUCK/node_modules/@duckdb/node-api/package.json').version")" >&2
echo "== $(nproc) cores; load: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
TABLE=$BENCH/sql-table.txt
printf '%-6s %-7s %-7s %8s %8s %8s %8s %12s %12s\n' tool check N "cold s" "warm s" "CPU s" "RSS MB" "time/DuckDB" "RSS/DuckDB" >"$TABLE"

GEN=$BENCH/gen_pair
if [ ! -x "$GEN" ] || [ "$ROOT/tests/bench/gen_pair.c" -nt "$GEN" ]; then
	echo "== building $GEN" >&2
	"${CC:-cc}" -std=c11 -O2 -Wall -Wextra -Werror -o "$GEN" "$ROOT/tests/bench/gen_pair.c"
fi
for N in $NS; do
	PAIR=$BENCH/pair-$N
	if [ ! -s "$PAIR/truth.txt" ] || [ "$GEN" -nt "$PAIR/truth.txt" ] ||
		! grep -q '^tenants_over_11pct_roots=' "$PAIR/truth.txt"; then
		echo "== generating $N rows into $PAIR" >&2
		rm -rf "$PAIR"
		"$GEN" "$N" "$PAIR"	# writes truth.txt last: its presence means complete
	fi
	for check in $CHECKS; do
		WORK=$BENCH/sql-$check-$N
		rm -rf "$WORK"
		mkdir -p "$WORK"
		sqlvar=SQL_$check
		printf '%s\n' "${!sqlvar}" >"$WORK/check.sql"
		{
			printf '# generated by tests/bench/bench_sql.sh\n[report]\n'
			printf 'title = Benchmark: %s over %s rows\noutput_dir = reports\n' "$check" "$N"
			printf 'gate_days = 1\nwindow_days = 1\nsamples = 5\n\n'
			printf '[source "pair"]\ntype = csv\npath = %s\n\n' "$PAIR"
			printf '[check "%s"]\nkind = rows\nsource = pair\ngroup = tenant_id\n' "$check"
			printf 'query = %s\n' "${!sqlvar}"
		} >"$WORK/recon.ini"
		echo "== N=$N $check: cold" >&2
		evict
		run_recon "$check" cold
		evict
		run_duckdb "$check" cold
		cat "$PAIR/departments.csv" "$PAIR/org_units.csv" >/dev/null
		for i in $(seq 1 "$RUNS"); do
			echo "== N=$N $check: warm run $i/$RUNS" >&2
			run_recon "$check" "w$i"
			run_duckdb "$check" "w$i"
		done
		read -r rc rw rcpu rrss <<<"$(stats recon)"
		read -r dc dw dcpu drss <<<"$(stats duckdb)"
		tr=$(awk -v r="$rw" -v d="$dw" 'BEGIN { printf "%.2f", r / d }')
		mr=$(awk -v r="$rrss" -v d="$drss" 'BEGIN { printf "%.2f", r / d }')
		printf '%-6s %-7s %-7s %8.2f %8.2f %8.2f %8s %12s %12s\n' recon "$check" "$N" "$rc" "$rw" "$rcpu" "$rrss" "$tr" "$mr" >>"$TABLE"
		printf '%-6s %-7s %-7s %8.2f %8.2f %8.2f %8s %12s %12s\n' duckdb "$check" "$N" "$dc" "$dw" "$dcpu" "$drss" 1.00 1.00 >>"$TABLE"
	done
done
# DuckDB's share that is not the query: node, the module, an instance
for i in $(seq 1 "$RUNS"); do
	"$TIME" -f '%e' -o "$BENCH/sql-noop.$i.time" node -e \
		"import('$DUCK/node_modules/@duckdb/node-api/lib/index.js').then(async (m) => {
			const i = await m.DuckDBInstance.create(':memory:');
			await (await i.connect()).run('SELECT 1'); })"
done
noop=$(for f in "$BENCH"/sql-noop.*.time; do tail -n 1 "$f"; done | median)
echo "== load after: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
echo
cat "$TABLE"
# growth of the warm time from the smallest N to the largest
awk 'NR > 1 { k = $1 " " $2; if (!(k in lo)) { lo[k] = $5; nlo[k] = $3 } hi[k] = $5; nhi[k] = $3 }
     END { for (k in lo) if (nhi[k] != nlo[k]) printf "%s: %s -> %s rows, warm time x%.1f\n", k, nlo[k], nhi[k], hi[k] / lo[k] }' "$TABLE" | sort
echo "DuckDB's start (node, the module, an instance, SELECT 1): ${noop} s of each of its times"
echo
echo "every answer equals truth.txt's; details in $BENCH/sql-*"
