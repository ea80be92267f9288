#!/bin/bash
# big_samples.sh BIN: samples of large values.  Each sampled cell is cut in
# the JSON (SAMPLE_JSON_BYTES, then "… [truncated, N bytes]") as in the
# Markdown, so a check whose violating rows hold megabytes still gets its
# day's report, and a small one.
bin=$1
. "$(dirname "$0")/../lib/robustness.sh"
small_config "$work"
cd "$work" || exit 1
cat >> recon.ini <<'INI'

[check "big"]
source = s
query = SELECT id, v FROM big
INI
# 20 rows of 2 MiB each, all violating: 40 MiB of samples
python3 - <<'PY'
n = 2 * 1024 * 1024
with open('snap/big.csv', 'w') as f:
    f.write('id,v\n')
    for i in range(20):
        f.write('%d,%s\n' % (i, chr(ord('a') + i) * n))
PY
run run -c recon.ini -o out --date 2026-11-22 -q
[ "$rc" = 1 ] && [ -s out/2026-11-22.json ] && [ -s out/2026-11-22.md ]
check $? "20 samples of 2 MiB: the day's report is written (exit $rc, $(head -c 100 stderr))"
size=$(stat -c %s out/2026-11-22.json)
[ "$size" -lt 1000000 ]
check $? "20 samples of 2 MiB: the JSON stays small ($size bytes)"
python3 - out/2026-11-22.json <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
c = [c for c in r['checks'] if c['id'] == 'big'][0]
assert len(c['samples']) == 20, len(c['samples'])
for i, (k, v) in enumerate(sorted(c['samples'], key=lambda s: int(s[0]))):
    ch = chr(ord('a') + i)
    assert v == ch * 4096 + '… [truncated, 2097152 bytes]', (k, v[:10], v[-40:])
PY
check $? "each sampled cell is the value's first 4096 bytes and '… [truncated, 2097152 bytes]'"
finish
