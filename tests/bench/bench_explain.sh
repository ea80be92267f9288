#!/usr/bin/env bash
# bench_explain.sh BIN [N...]: what explaining a compare's changed rows
# costs.  The W1 pair of bench_compare.sh (departments vs org_units, key
# tenant_id,unit_id, group tenant_id), but with 1% of the rows changed, is
# compared twice in the same run, RUNS times each (default 5), interleaved:
# with the changed columns and classes (the default) and with
# explain = false.  Both must find truth.txt's missing, extra and changed;
# the explained run's columns_changed must equal truth.txt's changed rows
# per column.  Prints the median wall and CPU seconds of each and their
# ratio (the target: classification costs at most 10%, a ratio of 1.10).
#
#   tests/bench/bench_explain.sh build/recon                   # N = 10000000
#   tests/bench/bench_explain.sh build/recon 1000000 10000000
#
# Environment: RUNS (5), BUILD (build), CC (cc), CHANGED (changed rows per
# million, 10000 = 1%).
set -euo pipefail
export LC_ALL=C

usage() { echo "usage: $0 BIN [N...]" >&2; exit 2; }
[ $# -ge 1 ] || usage
BIN=$1
shift
NS=${*:-10000000}
for n in $NS; do case $n in '' | *[!0-9]*) usage ;; esac; done
RUNS=${RUNS:-5}
CHANGED=${CHANGED:-10000}
[ -x "$BIN" ] || { echo "$0: $BIN: not an executable" >&2; exit 2; }
BIN=$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN")
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-$ROOT/build}
case $BUILD in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac
BENCH=$BUILD/bench
mkdir -p "$BENCH"
GEN=$BENCH/gen_pair
if [ ! -x "$GEN" ] || [ "$ROOT/tests/bench/gen_pair.c" -nt "$GEN" ]; then
	"${CC:-cc}" -std=c11 -O2 -Wall -Wextra -Werror -o "$GEN" "$ROOT/tests/bench/gen_pair.c"
fi
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

median() { sort -n | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# seconds of wall and of CPU (user + sys, children included) of one command
timed() {
	local t0 t1 c0 c1
	c0=$(awk '{ print $14 + $15 + $16 + $17 }' /proc/$$/stat)
	t0=$(date +%s.%N)
	"$@"
	t1=$(date +%s.%N)
	c1=$(awk '{ print $14 + $15 + $16 + $17 }' /proc/$$/stat)
	awk -v a="$t0" -v b="$t1" -v x="$c0" -v y="$c1" -v hz="$(getconf CLK_TCK)" \
		'BEGIN { printf "%.3f %.2f\n", b - a, (y - x) / hz }'
}

for N in $NS; do
	PAIR=$BENCH/pair-$N-changed-$CHANGED
	if [ ! -s "$PAIR/truth.txt" ] || [ "$GEN" -nt "$PAIR/truth.txt" ]; then
		rm -rf "$PAIR"
		echo "== generating $N rows, $CHANGED per million changed, into $PAIR" >&2
		"$GEN" "$N" "$PAIR" 42 "$CHANGED"
	fi
	truth() { sed -n "s/^$1=//p" "$PAIR/truth.txt"; }
	WANT="$(truth missing) $(truth extra) $(truth changed)"
	for mode in on off; do
		explain=true
		[ $mode = on ] || explain=false
		cat >"$WORK/$mode.ini" <<INI
[report]
output_dir = $WORK/out-$mode
gate_days = 1
window_days = 1
[source "snap"]
type = csv
path = $PAIR
[check "units"]
kind = compare
left = snap:departments
right = snap:org_units
key = tenant_id, unit_id
group = tenant_id
explain = $explain
INI
	done
	for r in $(seq "$RUNS"); do
		for mode in on off; do
			rm -rf "$WORK/out-$mode"
			timed "$BIN" run -c "$WORK/$mode.ini" --date 2026-11-22 -q >>"$WORK/times-$mode" ||
				[ $? = 1 ] || true
			J=$WORK/out-$mode/2026-11-22.json
			got=$(python3 -c 'import json, sys
c = json.load(open(sys.argv[1]))["checks"][0]
f = c["findings"]
print(f["missing"], f["extra"], f["changed"])' "$J")
			[ "$got" = "$WANT" ] || { echo "$0: explain $mode found '$got', truth.txt says '$WANT'" >&2; exit 1; }
		done
	done
	cols=$(python3 -c 'import json, sys
c = json.load(open(sys.argv[1]))["checks"][0]["columns_changed"]
print(c["name"], c["parent_id"], c["updated_at"])' "$WORK/out-on/2026-11-22.json")
	want_cols="$(truth changed_name) $(truth changed_parent_id) $(truth changed_updated_at)"
	[ "$cols" = "$want_cols" ] || { echo "$0: columns_changed '$cols', truth.txt says '$want_cols'" >&2; exit 1; }
	won=$(awk '{ print $1 }' "$WORK/times-on" | median)
	woff=$(awk '{ print $1 }' "$WORK/times-off" | median)
	con=$(awk '{ print $2 }' "$WORK/times-on" | median)
	coff=$(awk '{ print $2 }' "$WORK/times-off" | median)
	echo "== $N rows, $(truth changed) changed ($CHANGED per million), medians of $RUNS runs"
	printf '%-12s %10s %10s\n' explain "wall s" "CPU s"
	printf '%-12s %10s %10s\n' on "$won" "$con" off "$woff" "$coff"
	awk -v a="$won" -v b="$woff" 'BEGIN { printf "on / off: %.3f (budget 1.10)\n", a / b }'
	rm -f "$WORK/times-on" "$WORK/times-off"
done
