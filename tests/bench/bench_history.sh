#!/bin/bash
# bench_history.sh BIN [N]: ten years of history stay fast and small.
#
# Builds two report directories for the same small configuration: one with
# a single earlier report, one with 3650 daily reports (ten years, written
# directly as small recon-report/1 JSON files: every 10th day a fail, every
# 97th day missing), then times `recon run` for the next day in each
# (reading history, writing the day, the index and the year pages) and
# prints the difference, which must stay under 1 s, and the largest page
# generated, which must stay under 500 KB.  N (the row count of the other
# benchmarks) is ignored.  Exits 1 when a limit is exceeded.
# BENCH_KEEP=DIR keeps the ten-year report directory there for a look.
# Findings followed across days: HISTORY_CHECKS (default 10) more rows
# checks each find HISTORY_TRACKED (default 1000) rows today, and every
# earlier report carries that many followed findings (key, first_seen) for
# each of them, as recon writes them, so the run reads back and compares
# checks x tracked findings and the ten years hold them all.
set -euo pipefail
bin=$(realpath "$1")
days=${HISTORY_DAYS:-3650}
nchecks=${HISTORY_CHECKS:-10}
tracked=${HISTORY_TRACKED:-1000}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# the configuration: one CSV table, two checks (one with a per-tenant group)
mkdir -p "$work/snap"
printf 'tenant,id,ok\nt-1,1,1\nt-2,2,0\nt-3,3,1\n' > "$work/snap/t.csv"
# the findings: tracked rows, each a finding of every tracked-K check
awk -v n="$tracked" 'BEGIN { print "tenant,id"; for (i = 1; i <= n; i++) printf "t-%d,%d\n", i % 7, i }' \
	> "$work/snap/f.csv"
cat > "$work/recon.ini" <<'EOF'
[report]
title = Ten years
gate_days = 7
window_days = 14

[source "s"]
type = csv
path = snap

[check "rows-ok"]
description = Every row is ok
source = s
query = SELECT tenant, id FROM t WHERE ok = 0 AND id > 100
group = tenant

[check "value-ok"]
kind = value
source = s
query = SELECT count(*) FROM t WHERE ok = 0
max = 5
EOF
for k in $(seq 1 "$nchecks"); do
	printf '\n[check "tracked-%02d"]\nsource = s\nquery = SELECT tenant, id FROM f\ngroup = tenant\nkey = id\npaging = false\n' "$k" >> "$work/recon.ini"
done

# N consecutive dates ending the day before the run, oldest first
run_date=2026-11-22
seq "$days" -1 1 | sed "s/^/$run_date - /; s/\$/ days/" | date -f - +%F > "$work/dates"

# write_history DIR FIRST: the reports from line FIRST of dates on
write_history() {
	mkdir -p "$1"
	tail -n +"$2" "$work/dates" | awk -v dir="$1" -v nchecks="$nchecks" -v tracked="$tracked" -v first="$(head -1 "$work/dates")" '
	BEGIN {
		for (i = 1; i <= tracked; i++)
			keys = keys sprintf("%s{\"key\": \"%d\", \"first_seen\": \"%s\"}", i > 1 ? ", " : "", i, first)
	}
	{
		n++
		if (n % 97 == 0) { streak = 0; next }	# a day without a report
		fail = (n % 10 == 0)
		drift = fail ? n % 50 + 1 : 0
		streak = fail ? 0 : streak + 1
		f = dir "/" $1 ".json"
		printf("{\n  \"schema\": \"recon-report/1\",\n  \"recon\": \"bench\",\n  \"date\": \"%s\",\n", $1) > f
		printf("  \"title\": \"Ten years\",\n  \"baseline\": false,\n") > f
		printf("  \"gate\": {\"status\": \"%s\", \"streak\": %d, \"required\": 7, \"met\": %s},\n", fail ? "fail" : "pass", streak, (streak >= 7) ? "true" : "false") > f
		printf("  \"summary\": {\"checks\": 2, \"pass\": %d, \"fail\": %d, \"error\": 0, \"skipped\": 0, \"drift\": %d, \"tenants_scanned\": null, \"tenants_with_drift\": %d},\n", fail ? 1 : 2, fail ? 1 : 0, drift, fail ? 1 : 0) > f
		printf("  \"checks\": [\n    {\"id\": \"rows-ok\", \"kind\": \"rows\", \"status\": \"%s\", \"paging\": true, \"drift\": %d, \"groups\": [%s], \"columns\": [], \"samples\": []},\n", fail ? "fail" : "pass", drift, fail ? "{\"group\": \"t-2\", \"drift\": " drift "}" : "") > f
		printf("    {\"id\": \"value-ok\", \"kind\": \"value\", \"status\": \"pass\", \"paging\": true, \"drift\": 0, \"value\": 1, \"groups\": [], \"columns\": [], \"samples\": []}") > f
		for (k = 1; k <= nchecks; k++)
			printf(",\n    {\"id\": \"tracked-%02d\", \"kind\": \"rows\", \"status\": \"fail\", \"paging\": false, \"drift\": %d, \"groups\": [], \"columns\": [], \"samples\": [], \"failing_since\": \"%s\", \"new\": [], \"resolved\": [], \"oldest\": [], \"tracked_complete\": true, \"tracked\": [%s]}", k, tracked, first, keys) > f
		printf("\n  ],\n") > f
		printf("  \"recovery\": {\"recheck\": [], \"reprocess\": []},\n  \"window\": [],\n  \"shadows\": []\n}\n") > f
		close(f)
	}'
}
write_history "$work/one" "$days"
write_history "$work/ten" 1
echo "history: $(ls "$work/ten" | wc -l) reports from $(head -1 "$work/dates") to $(tail -1 "$work/dates"); one: $(ls "$work/one" | wc -l)"

run() { "$bin" run -c "$work/recon.ini" -o "$1" --date "$run_date" -q; }
# a first run writes every year page; the timed runs are the nightly case
run "$work/one" || true
run "$work/ten" || true

if command -v hyperfine > /dev/null 2>&1; then
	hyperfine -N --warmup 2 --runs 15 --export-csv "$work/t.csv" \
		-n "one earlier report" "$bin run -c $work/recon.ini -o $work/one --date $run_date -q" \
		-n "3650 earlier reports" "$bin run -c $work/recon.ini -o $work/ten --date $run_date -q" \
		> "$work/hyperfine.txt" 2>&1 || { cat "$work/hyperfine.txt"; exit 1; }
	sed -n '1,40p' "$work/hyperfine.txt" | grep -E 'Benchmark|Time|Range' || true
	t1=$(awk -F, 'NR == 2 { print $2 }' "$work/t.csv")
	t2=$(awk -F, 'NR == 3 { print $2 }' "$work/t.csv")
else
	t() {
		local s e
		s=$(date +%s.%N)
		for _ in 1 2 3 4 5; do run "$1" || true; done
		e=$(date +%s.%N)
		awk -v s="$s" -v e="$e" 'BEGIN { printf "%.6f", (e - s) / 5 }'
	}
	t1=$(t "$work/one")
	t2=$(t "$work/ten")
fi
diff=$(awk -v a="$t1" -v b="$t2" 'BEGIN { printf "%.3f", b - a }')
largest=$(ls -S "$work/ten"/*.html "$work/ten"/*.md | head -1)
size=$(wc -c < "$largest")
printf 'run with one earlier report: %.3f s; with %s: %.3f s; difference %s s (limit 1 s)\n' \
	"$t1" "$(ls "$work/ten"/*.json | wc -l) reports" "$t2" "$diff"
echo "largest page: $(basename "$largest") $size bytes (limit 512000); index.html $(wc -c < "$work/ten/index.html") bytes, $(ls "$work/ten"/index-*.html | wc -l) year pages"
[ -n "${BENCH_KEEP:-}" ] && { rm -rf "$BENCH_KEEP"; cp -R "$work/ten" "$BENCH_KEEP"; }
status=0
awk -v d="$diff" 'BEGIN { exit !(d < 1.0) }' || { echo "FAIL: a run with ten years of history is $diff s slower"; status=1; }
[ "$size" -le 512000 ] || { echo "FAIL: $(basename "$largest") is $size bytes"; status=1; }
[ "$status" = 0 ] && echo "ok ten years of history: +$diff s, largest page $size bytes"
exit "$status"
