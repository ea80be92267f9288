#!/bin/bash
# --metrics writes the Prometheus text exposition format, line by line: each
# metric family has one HELP and one TYPE line before its samples, sample
# lines are NAME{LABELS} VALUE with label values in the format's quoting
# (check ids cannot hold a backslash, quote or newline: the config refuses
# them), values
# are numbers, no timestamps, a final newline; written atomically (no temp
# file left behind), and nothing is written for a run that cannot start.
set -euo pipefail
bin=$(realpath "$1")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir "$work/snap"
printf 'id,amount\n1,5\n2,-3\n' > "$work/snap/t.csv"
cat > "$work/recon.ini" <<'INI'
[report]
output_dir = out
[source "s"]
type = csv
path = snap
[check "x<y>|z&{w}"]
source = s
query = SELECT id FROM t WHERE amount < 0
[check "plain"]
paging = false
source = s
query = SELECT id FROM t WHERE amount > 100
INI
cd "$work"
rc=0
"$bin" run -c recon.ini --date 2026-11-22 -q --metrics m.prom || rc=$?
[ "$rc" = 1 ] || { echo "FAIL: exit $rc"; exit 1; }
python3 - m.prom <<'PY'
import re, sys
text = open(sys.argv[1], encoding='utf-8').read()
assert text.endswith('\n'), 'no final newline'
name = r'[a-zA-Z_:][a-zA-Z0-9_:]*'
label = r'[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\[\\"n])*"'
sample = re.compile(r'(%s)(\{%s(,%s)*\})? (-?[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?|NaN|[+-]Inf)$' % (name, label, label))
help_ = re.compile(r'# HELP (%s) .+$' % name)
type_ = re.compile(r'# TYPE (%s) (gauge|counter|untyped)$' % name)
helped, typed, seen = set(), set(), set()
for n, line in enumerate(text.splitlines(), 1):
    if m := help_.match(line):
        assert m[1] not in helped, 'line %d: second HELP for %s' % (n, m[1]); helped.add(m[1])
    elif m := type_.match(line):
        assert m[1] not in typed and m[1] not in seen, 'line %d: TYPE after samples' % n; typed.add(m[1])
    elif m := sample.match(line):
        assert m[1] in helped and m[1] in typed, 'line %d: %s without HELP/TYPE' % (n, m[1]); seen.add(m[1])
    else:
        raise AssertionError('line %d is not exposition format: %r' % (n, line))
assert 'recon_check_status{check="x<y>|z&{w}",status="fail"} 1' in text, text
assert 'recon_check_drift{check="plain",paging="false"} 0' in text
assert 'recon_gate_pass 0' in text and 'recon_streak_days 0' in text
PY
ls -a | grep -q 'tmp-' && { echo "FAIL: temporary file left"; exit 1; }
echo "ok metrics follow the exposition format line by line"
rm -f m.prom
rc=0
"$bin" run -c nonexistent.ini --date 2026-11-22 -q --metrics m.prom 2>/dev/null || rc=$?
[ "$rc" = 2 ] && [ ! -e m.prom ] || { echo "FAIL: a run that cannot start wrote metrics"; exit 1; }
echo "ok a run that cannot start writes no metrics"
