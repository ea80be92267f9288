#!/bin/bash
# crash_kill.sh BIN: SIGKILL a run at random moments, many times, and check
# the report directory after each kill: every earlier report byte-identical,
# every file under a report's name either as it was before the run or as
# the finished run writes it (outputs are deterministic), never partial or
# empty.  Temporary files (NAME.tmp-PID-N) may remain after a kill; the next
# run removes them.  The write phase is slowed down with strace's syscall
# delay injection, so that a good share of kills land while writing.
bin=$1
. "$(dirname "$0")/../lib/robustness.sh"
N=${CRASH_RUNS:-50}
sanitized && N=${CRASH_RUNS:-25}

# a larger fixture: 200,000 rows, 20,000 of them drifting over 5,000 tenants
mkdir -p "$work/case/snap"
cd "$work/case" || exit 1
python3 - <<'PY'
with open('snap/t.csv', 'w') as f:
    f.write('id,tenant_id,v\n')
    for i in range(200000):
        f.write('%d,t-%05d,%d\n' % (i, i % 5000, -1 if i % 10 == 0 else i))
PY
cat > recon.ini <<'INI'
[report]
title = Crash safety
gate_days = 3
window_days = 5

[source "s"]
type = csv
path = snap

[check "negative"]
source = s
query = SELECT id, tenant_id, v FROM t WHERE v < 0
group = tenant_id

[check "count"]
kind = value
source = s
query = SELECT count(*) FROM t
expect = 200000
INI

"$bin" run -c recon.ini -o before --date 2026-11-20 -q
"$bin" run -c recon.ini -o before --date 2026-11-21 -q
cp -R before reference
"$bin" run -c recon.ini -o reference --date 2026-11-22 -q
ref_rc=$?
sums before > before.sums
sums reference > reference.sums

strace_ok=false
slow=""
if command -v strace >/dev/null &&
   strace -f -qq -o /dev/null -e trace=fsync -e inject=fsync:delay_enter=1000 true 2>/dev/null; then
	strace_ok=true
	slow="$nolsan strace -f -qq -o /dev/null -e trace=fsync,rename,renameat,renameat2
	      -e inject=fsync,rename,renameat,renameat2:delay_enter=40000"
fi

# how long a whole (slowed) run takes: the kills are spread over it
t0=$(date +%s%N)
rm -rf timing && cp -R before timing
$slow "$bin" run -c recon.ini -o timing --date 2026-11-22 -q
total_ms=$((($(date +%s%N) - t0) / 1000000))
rm -rf timing

bad=0 writing=0 mixed=0 untouched=0 finished=0
for i in $(seq 1 "$N"); do
	rm -rf out && cp -R before out
	# shellcheck disable=SC2086
	$slow "$bin" run -c recon.ini -o out --date 2026-11-22 -q > /dev/null 2>&1 &
	top=$!
	delay=$((RANDOM % (total_ms * 11 / 10 + 1)))
	sleep "$(awk -v ms="$delay" 'BEGIN { printf "%.3f", ms / 1000 }')"
	# the process to kill: recon itself (strace's child when traced)
	victim=$top
	if $strace_ok; then
		victim=$(cat /proc/"$top"/task/*/children 2>/dev/null | awk '{ print $1 }')
		[ -n "$victim" ] || victim=$top
	fi
	kill -9 "$victim" 2>/dev/null
	wait "$top" 2>/dev/null
	# every file under a report's name is the old one or the finished one
	state=$(cd out && for f in *; do
		case $f in *.tmp-*) echo temp; continue ;; esac
		h=$(sha256sum "$f" | cut -d' ' -f1)
		if grep -q "$h  ./$f\$" ../before.sums; then echo old
		elif grep -q "$h  ./$f\$" ../reference.sums; then echo new
		else echo "BAD $f ($(wc -c < "$f") bytes)"; fi
	done)
	# earlier days' reports are never touched
	for f in 2026-11-20.json 2026-11-20.md 2026-11-20.html 2026-11-21.json 2026-11-21.md 2026-11-21.html; do
		cmp -s "before/$f" "out/$f" || state="$state
BAD $f changed"
	done
	if echo "$state" | grep -q BAD; then
		bad=$((bad + 1))
		echo "$state" | grep BAD | sed "s/^/  kill $i at $delay ms: /"
	fi
	if ! echo "$state" | grep -q new; then
		if echo "$state" | grep -q temp; then writing=$((writing + 1))
		else untouched=$((untouched + 1)); fi
	elif echo "$state" | grep -q 'old\|temp'; then
		mixed=$((mixed + 1))
	else
		finished=$((finished + 1))
	fi
done
[ "$bad" = 0 ]
check $? "$N SIGKILLs spread over a ${total_ms} ms run: no partial, empty or changed report (killed: $untouched before writing, $writing while writing temporary files, $mixed between renames, $finished after the last)"
if $strace_ok && [ "$N" -ge 20 ]; then
	[ $((writing + mixed)) -ge 3 ]
	check $? "at least 3 of the kills landed in the write phase ($((writing + mixed)))"
fi

# the next run after a kill finishes the job and removes the leftovers
"$bin" run -c recon.ini -o out --date 2026-11-22 -q
rc=$?
[ "$rc" = "$ref_rc" ] && cmp -s <(sums out) reference.sums && [ -z "$(ls out | grep '\.tmp-')" ]
check $? "the next run writes the same reports as an uninterrupted one and removes leftover temporary files"
finish
