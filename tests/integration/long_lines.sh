#!/bin/bash
# Lines of any length: a configuration whose queries sit on single lines of
# 300 to 10,000 bytes gives the same report, byte for byte, as the same
# queries written on indented continuation lines (the configuration's own
# sha256 aside), and `validate` accepts both.
set -euo pipefail
bin=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir "$work/snap"
python3 - "$work" <<'PY'
import sys, textwrap
w = sys.argv[1]
with open(w + '/snap/t.csv', 'w') as f:
    f.write('id,tenant,amount\n')
    f.writelines('%d,t-%d,%d\n' % (i, i % 7, (i * 37) % 101 - 50) for i in range(1, 2001))

def query(size, kind):
    # SELECT ... WHERE id IN (a long list): a line of "query = " + q of at
    # least size bytes
    head = ('SELECT id, tenant, amount FROM t WHERE amount < 0 AND id IN (' if kind == 'rows'
            else 'SELECT count(*) FROM t WHERE amount < 0 AND id IN (')
    ids, i = [], 1
    while len('query = ' + head + ', '.join(ids) + ')') < size:
        ids.append(str(i))
        i += 3
    return head + ', '.join(ids) + ')'

checks = []
for size in (300, 1000, 4000, 10000):
    for kind in ('rows', 'value'):
        q = query(size, kind)
        checks.append(('%s-%d' % (kind, size), kind, q))

def ini(wrap):
    out = ['[report]', 'output_dir = out', '', '[source "snap"]', 'type = csv',
           'path = snap', '']
    for cid, kind, q in checks:
        out += ['[check "%s"]' % cid, 'kind = %s' % kind, 'source = snap',
                'group = tenant' if kind == 'rows' else 'max = 10000']
        if wrap:
            lines = textwrap.wrap(q, 70, break_long_words=False, break_on_hyphens=False)
            out += ['query = ' + lines[0]] + ['  ' + l for l in lines[1:]]
        else:
            out.append('query = ' + q)
        out.append('')
    return '\n'.join(out)

for name, wrap in (('one', False), ('wrapped', True)):
    import os
    os.makedirs(w + '/' + name, exist_ok=True)
    os.symlink('../snap', w + '/' + name + '/snap')
    with open(w + '/' + name + '/recon.ini', 'w') as f:
        f.write(ini(wrap))
lens = [len(l) for l in open(w + '/one/recon.ini').read().split('\n')]
assert max(lens) >= 10000 and sorted(lens)[-8] >= 300, lens
assert max(len(l) for l in open(w + '/wrapped/recon.ini').read().split('\n')) < 100
PY

for c in one wrapped; do
	"$bin" validate -c "$work/$c/recon.ini" > "$work/$c.validate" ||
		{ echo "FAIL: validate $c"; cat "$work/$c.validate"; exit 1; }
	set +e
	"$bin" run -c "$work/$c/recon.ini" --date 2026-11-22 -q
	rc=$?
	set -e
	[ "$rc" = 1 ] || { echo "FAIL: run $c exited $rc, wanted 1 (rows checks find drift)"; exit 1; }
done
sha_one=$(sha256sum < "$work/one/recon.ini" | cut -c1-64)
sha_wrapped=$(sha256sum < "$work/wrapped/recon.ini" | cut -c1-64)
grep -rq "$sha_one" "$work/one/out" || { echo "FAIL: the report does not name its config's sha256"; exit 1; }
grep -rl "$sha_one" "$work/one/out" | xargs sed -i "s/$sha_one/CONFIG_SHA256/g"
grep -rl "$sha_wrapped" "$work/wrapped/out" | xargs sed -i "s/$sha_wrapped/CONFIG_SHA256/g"
if ! diff -r "$work/one/out" "$work/wrapped/out" > "$work/diff"; then
	echo "FAIL: single-line and continued queries give different reports"
	head -40 "$work/diff"
	exit 1
fi
grep -q '"drift": [1-9]' "$work/one/out/2026-11-22.json" ||
	{ echo "FAIL: no drift found: the queries did not run as written"; exit 1; }
echo "ok long_lines: 8 queries of 300..10000 bytes on one line, same report as wrapped"
