#!/bin/bash
# spill.sh BIN: a snapshot twice the size of [report] memory_limit.  An
# anti-join of its two files (a departments row with no org_units row, a
# hash table over one side) completes when [report] temp_dir lets the
# engine spill there, with the generator's answer, well below the data's
# size in memory, and leaves nothing behind in temp_dir; without temp_dir
# the check is an error that names the memory limit and temp_dir, recon
# exits 2, and the report is still written.
set -euo pipefail
bin=$(realpath "$1")
cd "$(dirname "$0")/../.."
. tests/lib/skip.sh
work=$(mktemp -d /tmp/recon-spill.XXXXXX)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL spill: $*" >&2; exit 1; }

cc -std=c11 -O2 -o "$work/gen_pair" tests/bench/gen_pair.c
"$work/gen_pair" 3500000 "$work/pair" >/dev/null	# 2 x 208 MB
bytes=$(($(stat -c %s "$work/pair/departments.csv") + $(stat -c %s "$work/pair/org_units.csv")))
[ "$bytes" -gt 400000000 ] || fail "the pair is only $bytes bytes"
truth() { sed -n "s/^$1=//p" "$work/pair/truth.txt"; }

config() {	# config TEMP_DIR_LINE
	cat <<INI
[report]
title = larger than memory
output_dir = $work/out
memory_limit = 200MB
$1
[source "pair"]
type = csv
path = $work/pair
[check "departments-mirrored"]
kind = rows
source = pair
group = tenant_id
query = SELECT d.tenant_id, d.unit_id, d.name FROM departments d
  LEFT JOIN org_units o ON o.tenant_id = d.tenant_id AND o.unit_id = d.unit_id
  WHERE o.unit_id IS NULL
INI
}
check() { python3 -c 'import json, sys
c = json.load(open(sys.argv[1]))["checks"][0]
print(eval(sys.argv[2]))' "$work/out/2026-11-22.json" "$1"; }

mkdir "$work/spill"
config "temp_dir = $work/spill" >"$work/spill.ini"
timed=()
if [ -x /usr/bin/time ]; then timed=(/usr/bin/time -f '%e %M' -o "$work/time"); fi
rc=0
"${timed[@]}" "$bin" run -c "$work/spill.ini" --date 2026-11-22 -q 2>"$work/err" || rc=$?
[ "$rc" = 1 ] || fail "with temp_dir: exit $rc: $(cat "$work/err")"
got=$(check '(c["status"], c["drift"], len(c["groups"]))')
[ "$got" = "('fail', $(truth missing), $(truth tenants_without_org_unit))" ] ||
	fail "with temp_dir: $got, truth.txt: $(truth missing) rows in $(truth tenants_without_org_unit) tenants"
[ -z "$(ls -A "$work/spill")" ] || fail "temp_dir not left empty: $(ls -A "$work/spill")"
if [ -n "${RECON_SANITIZER:-}" ] || ldd "$bin" 2>/dev/null | grep -q 'libasan\|libubsan'; then
	skip spill-rss "peak memory means nothing under a sanitizer"
elif [ -s "$work/time" ]; then
	read -r secs kb < <(tail -n 1 "$work/time")
	[ "$kb" -lt $((bytes / 1024)) ] || fail "peak RSS $kb KB holds the whole $bytes-byte snapshot"
	echo "ok spill: $bytes bytes under memory_limit = 200MB in $secs s, peak RSS $((kb / 1024)) MB"
else
	skip spill-rss "no /usr/bin/time to read the peak RSS"
fi
ok() { echo "ok $1"; }
ok "a snapshot twice memory_limit completes with temp_dir, with the generator's answer"

rm -rf "$work/out"
config "" >"$work/nospill.ini"
rc=0
"$bin" run -c "$work/nospill.ini" --date 2026-11-22 -q 2>"$work/err" || rc=$?
[ "$rc" = 2 ] || fail "without temp_dir: exit $rc, want 2"
want="out of memory: the snapshot engine reached [report] memory_limit (200MB); set [report] temp_dir to let it spill to disk"
got=$(check '(c["status"], c["error"])')
[ "$got" = "('error', '$want')" ] || fail "without temp_dir: $got"
grep -qF "$want" "$work/err" || fail "stderr does not say it: $(cat "$work/err")"
[ -f "$work/out/2026-11-22.md" ] || fail "no Markdown report"
ok "without temp_dir: an error naming memory_limit and temp_dir, exit 2, the report written"
