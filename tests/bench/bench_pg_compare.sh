#!/usr/bin/env bash
# bench_pg_compare.sh BIN [N]: a compare check over two N-row PostgreSQL
# tables (the departments / org_units pair of gen_pair, loaded with COPY)
# against what psql needs to COPY both tables out to /dev/null, side by side
# in the same run on the same server.  Target: recon within 1.3x of psql.
# recon's findings must equal truth.txt's.  RUNS (default 3) interleaved
# runs; prints medians and the ratio recon / psql.
set -euo pipefail
export LC_ALL=C
BIN=$(realpath "$1")
N=${2:-10000000}
RUNS=${RUNS:-3}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BENCH=${BUILD:-$ROOT/build}/bench
mkdir -p "$BENCH"
TIME=/usr/bin/time
[ -x "$TIME" ] || { echo "$0: /usr/bin/time missing: apt-get install -y time" >&2; exit 2; }

GEN=$BENCH/gen_pair
if [ ! -x "$GEN" ] || [ "$ROOT/tests/bench/gen_pair.c" -nt "$GEN" ]; then
	"${CC:-cc}" -std=c11 -O2 -Wall -Wextra -Werror -o "$GEN" "$ROOT/tests/bench/gen_pair.c"
fi
PAIR=$BENCH/pair-$N
if [ ! -s "$PAIR/truth.txt" ] || [ "$GEN" -nt "$PAIR/truth.txt" ]; then
	rm -rf "$PAIR"
	"$GEN" "$N" "$PAIR"
fi
truth() { sed -n "s/^$1=//p" "$PAIR/truth.txt"; }

WORK=$(mktemp -d /tmp/recon-bpg.XXXXXX)
PGDIR=$(mktemp -d /tmp/rpg.XXXXXX)
cleanup() { "$ROOT/tests/lib/pg_server.sh" stop "$PGDIR" || true; rm -rf "$WORK"; }
trap cleanup EXIT
"$ROOT/tests/lib/pg_server.sh" start "$PGDIR"
psql_() { psql -X -q -v ON_ERROR_STOP=1 -h "$PGDIR" -U postgres -d postgres "$@"; }
echo "== loading $N rows per side with COPY" >&2
for t in departments org_units; do
	psql_ -c "CREATE TABLE $t (tenant_id text, unit_id text, name text, parent_id text, updated_at text)"
	psql_ -c "\\copy $t FROM '$PAIR/$t.csv' (FORMAT csv, HEADER)"
	psql_ -c "VACUUM ANALYZE $t"
done

cat >"$WORK/recon.ini" <<INI
[report]
title = Benchmark: compare of two PostgreSQL tables
output_dir = out
[source "db"]
type = postgres
url = host=$PGDIR dbname=postgres user=postgres
[check "dual-write"]
kind = compare
left = db:departments
right = db:org_units
key = tenant_id, unit_id
group = tenant_id
INI

med() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
: >"$WORK/recon.times"
: >"$WORK/psql.times"
for r in $(seq "$RUNS"); do
	echo "== run $r/$RUNS" >&2
	rm -rf "$WORK/out"
	rc=0
	"$TIME" -f '%e %U %S %M' -o "$WORK/t" "$BIN" run -c "$WORK/recon.ini" --date 2026-11-22 -q || rc=$?
	[ "$rc" -le 1 ] || { echo "$0: recon exited $rc" >&2; exit 1; }
	cat "$WORK/t" >>"$WORK/recon.times"
	"$TIME" -f '%e %U %S %M' -o "$WORK/t" sh -c "
		psql -X -q -h '$PGDIR' -U postgres -d postgres -c '\\copy departments TO /dev/null' &&
		psql -X -q -h '$PGDIR' -U postgres -d postgres -c '\\copy org_units TO /dev/null'"
	cat "$WORK/t" >>"$WORK/psql.times"
done
python3 - "$WORK/out/2026-11-22.json" "$(truth missing)" "$(truth extra)" "$(truth changed)" <<'PY'
import json, sys
f = json.load(open(sys.argv[1]))['checks'][0]['findings']
want = dict(missing=int(sys.argv[2]), extra=int(sys.argv[3]), changed=int(sys.argv[4]))
assert f == want, (f, want)
PY
python3 - "$N" "$WORK/recon.times" "$WORK/psql.times" <<'PY'
import statistics, sys
n = sys.argv[1]
def load(p):
    # GNU time adds "Command exited with non-zero status 1" (drift found)
    rows = [list(map(float, l.split())) for l in open(p) if l[:1].isdigit()]
    return (statistics.median(r[0] for r in rows), statistics.median(r[1] + r[2] for r in rows),
            max(r[3] for r in rows) / 1024)
r, p = load(sys.argv[2]), load(sys.argv[3])
print('\n%-20s %10s %14s %13s %12s %12s' % ('tool', 'rows', 'median wall s', 'median CPU s', 'peak RSS MB', 'time / psql'))
print('%-20s %10s %14.2f %13.2f %12.1f %12.2f' % ('recon compare', n, r[0], r[1], r[2], r[0] / p[0]))
print('%-20s %10s %14.2f %13.2f %12.1f %12.2f' % ('psql COPY both out', n, p[0], p[1], p[2], 1.0))
PY
echo "recon's findings equal truth.txt (missing $(truth missing), extra $(truth extra), changed $(truth changed)); CPU figures exclude the server's"
