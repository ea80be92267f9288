#!/bin/bash
# compare_faults.sh BIN: kind = compare against hostile files and faults.
# A FIFO as a compare side's T.csv or as a template file is refused with
# an error naming its path (it would otherwise wait for a writer forever,
# holding the lock); a compare that cannot get memory is an error of that
# check saying so, and the rest of the run still writes its report.
bin=$1
. "$(dirname "$0")/../lib/robustness.sh"
cd "$work" || exit 1
LIMIT=20

json() { python3 -c "import json,sys; r=json.load(open('$1/out/2026-11-22.json')); $2"; }
# status and error of check ID in DIR's report: "status|error"
result() { json "$1" "c=[c for c in r['checks'] if c['id'] == '$2'][0]; print(c['status'] + '|' + c.get('error', ''))"; }

# compare_config DIR: a passing rows check and compare check "cmp" of
# snap/l.csv against snap/r.csv
compare_config() {
	mkdir -p "$1/snap"
	printf 'id,v\n1,a\n' > "$1/snap/t.csv"
	printf 'id,v\n1,a\n2,b\n' > "$1/snap/l.csv"
	printf 'id,v\n1,a\n2,b\n' > "$1/snap/r.csv"
	cat > "$1/recon.ini" <<'INI'
[report]
title = Compare faults
[source "s"]
type = csv
path = snap
[check "ok"]
source = s
query = SELECT id FROM t WHERE v <> 'a'
[check "cmp"]
kind = compare
left = s:l
right = s:r
key = id
INI
}

# ---- a FIFO as a compare side ------------------------------------------------
for side in l r; do
	compare_config fifo$side
	rm fifo$side/snap/$side.csv
	mkfifo fifo$side/snap/$side.csv
	run run -c fifo$side/recon.ini -o fifo$side/out --date 2026-11-22 -q
	[ "$rc" = 2 ] && [ "$(result fifo$side ok)" = "pass|" ] &&
		result fifo$side cmp | grep -q "^error|.*snap/$side.csv: not a regular file"
	check $? "a FIFO as the compare's $side.csv: the check is an error naming it, the run ends (exit $rc) with its report"
done

# ---- a FIFO as a template file ------------------------------------------------
for name in shell.html style.css; do
	compare_config tpl
	mkdir -p tpl/tpl
	printf '<html><body>{{body}}</body></html>\n' > tpl/tpl/shell.html
	printf 'body {}\n' > tpl/tpl/style.css
	rm tpl/tpl/$name
	mkfifo tpl/tpl/$name
	sed -i 's/^title = .*/&\ntemplates = tpl/' tpl/recon.ini
	run run -c tpl/recon.ini -o tpl/out --date 2026-11-22 -q
	[ "$rc" = 2 ] && grep -q "tpl/$name: not a regular file" "$work/stderr" && [ ! -e tpl/out/2026-11-22.json ]
	check $? "a FIFO as the template $name: the run cannot start (exit $rc), naming it"
	rm -rf tpl
done

# ---- a compare that cannot get memory ------------------------------------------
# Under a limit on address space that a run with small sides meets with
# 64 MiB to spare, a compare of two 3,000,000-row files cannot get the
# memory for its keys: that check is an error saying so, the other check
# still passes and the day's report is written.
if sanitized; then
	skip "out of memory (address space limits are meaningless under sanitizers)"
else
	compare_config oom
	python3 - <<'PY'
n = 3000000
for side in ('bl', 'br'):
    with open('oom/snap/%s.csv' % side, 'w') as f:
        f.write('id,v\n')
        f.write(''.join('k-%09d,%d\n' % (i, i) for i in range(n)))
PY
	sed 's/^left = s:l$/left = s:bl/; s/^right = s:r$/right = s:br/' oom/recon.ini > oom/big.ini
	# the smallest limit (MiB, to 16) under which the small run passes: a
	# power of two first, then 16 MiB steps up from half of it (the
	# snapshot engine's threads reserve address space at start)
	small_passes() {
		(ulimit -v $(($1 * 1024)) && exec timeout -s KILL "$LIMIT" "$bin" run -c oom/recon.ini \
			-o oom/calib --date 2026-11-22 -q) > /dev/null 2>&1
		local st=$?
		rm -rf oom/calib
		return $st
	}
	limit=
	for mb in 32 64 128 256 512 1024 2048 4096; do
		if small_passes $mb; then
			for ((m = mb / 2 + 16; m < mb; m += 16)); do
				small_passes $m && break
			done
			limit=$((m + 64))
			break
		fi
	done
	(ulimit -v $((limit * 1024)) && exec timeout -s KILL 120 "$bin" run -c oom/big.ini -o oom/out \
		--date 2026-11-22 -q) > "$work/stdout" 2> "$work/stderr"
	rc=$?
	[ -n "$limit" ] && [ "$rc" = 2 ] && [ "$(result oom ok)" = "pass|" ] &&
		result oom cmp | grep -q "^error|out of memory: .* s:b[lr]: the key table held [0-9]* MiB at line [0-9]*$"
	check $? "a compare beyond a ${limit:-?} MiB address space limit is an error \"out of memory: ...\" and the report is written (exit $rc)"
	rm -rf oom
fi

finish
