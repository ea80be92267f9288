#!/bin/bash
# confinement.sh BIN: a run writes inside its output directory (and the
# metrics file when asked) and nowhere else, traced with strace; and a
# symlink planted in the output directory under a report's name is
# replaced, never followed: the file it points to is unchanged.
bin=$1
. "$(dirname "$0")/../lib/robustness.sh"
small_config "$work"
cd "$work" || exit 1
# a bigger table, so that SQLite would spill a sort to a temp file if it could
python3 - <<'PY'
with open('snap/big.csv', 'w') as f:
    f.write('id,tenant_id,v\n')
    for i in range(300000):
        f.write('%d,t-%05d,%d\n' % (i, (i * 7919) % 30000, -i))
import sqlite3
db = sqlite3.connect('feeds.db')
db.execute('CREATE TABLE big (id INTEGER, tenant_id TEXT, v INTEGER)')
db.executemany('INSERT INTO big VALUES (?, ?, ?)',
               ((i, 't-%05d' % ((i * 7919) % 30000), -i) for i in range(300000)))
db.commit()
PY
cat >> recon.ini <<'INI'

[source "db"]
type = sqlite
path = feeds.db

[check "sorted-sqlite"]
source = db
query = SELECT tenant_id, count(*) AS n, group_concat(v) AS vs FROM (SELECT * FROM big ORDER BY v, tenant_id) GROUP BY tenant_id ORDER BY vs
group = tenant_id

[check "sorted"]
source = s
query = SELECT tenant_id, count(*) AS n, group_concat(v) AS vs FROM (SELECT * FROM big ORDER BY v, tenant_id) GROUP BY tenant_id ORDER BY vs
group = tenant_id
INI
mkdir metrics
"$bin" run -c recon.ini -o out --date 2026-11-21 -q > /dev/null

if ! command -v strace > /dev/null || ! strace -f -qq -o /dev/null true 2>/dev/null; then
	skip "writes confined" "strace is not usable here"
else
	$nolsan strace -f -qq -y -o trace.log \
		-e trace=open,openat,openat2,creat,rename,renameat,renameat2,link,linkat,symlink,symlinkat,unlink,unlinkat,mkdir,mkdirat,rmdir,truncate,chmod,fchmodat,chown,fchownat,utimensat \
		"$bin" run -c recon.ini -o out --date 2026-11-22 --metrics metrics/recon.prom -q > /dev/null
	rc=$?
	python3 - "$work" trace.log <<'PY'
import os, re, sys
work, log = sys.argv[1], sys.argv[2]
allowed = [os.path.join(work, 'out') + '/', os.path.join(work, 'metrics', 'recon.prom')]
call = re.compile(r'^\d+\s+(\w+)\((.*)\)\s+=\s+(-?\d+)')
bad, seen = [], 0
def resolve(dirarg, path):
    if path.startswith('/'):
        return os.path.normpath(path)
    if dirarg is None or dirarg == 'AT_FDCWD':
        base = work
    else:
        m = re.match(r'\d+<(.*)>', dirarg)
        base = m.group(1) if m else work
    return os.path.normpath(os.path.join(base, path))
def ok(p):
    return any(p.startswith(a) or p == a.rstrip('/') for a in allowed)
for line in open(log):
    m = call.match(line)
    if not m or m.group(3).startswith('-'):
        continue	# failed calls changed nothing
    name, args = m.group(1), m.group(2)
    strs = re.findall(r'"((?:[^"\\]|\\.)*)"', args)
    fds = re.findall(r'(AT_FDCWD|\d+<[^>]*>)', args)
    written = []
    if name in ('open', 'openat', 'openat2', 'creat'):
        flags = args
        if name != 'creat' and not re.search(r'O_WRONLY|O_RDWR|O_CREAT|O_TRUNC|O_TMPFILE', flags):
            continue
        d = fds[0] if name in ('openat', 'openat2') and fds else None
        written = [resolve(d, strs[0])]
    elif name in ('rename', 'link', 'symlink'):
        written = [resolve(None, s) for s in strs]
    elif name in ('renameat', 'renameat2', 'linkat'):
        written = [resolve(fds[0] if fds else None, strs[0]), resolve(fds[1] if len(fds) > 1 else None, strs[1])]
    elif name in ('unlink', 'mkdir', 'rmdir', 'truncate', 'chmod', 'chown'):
        written = [resolve(None, strs[0])]
    elif name in ('unlinkat', 'mkdirat', 'fchmodat', 'fchownat', 'utimensat', 'symlinkat'):
        written = [resolve(fds[0] if fds else None, strs[-1])] if strs else []
    for p in written:
        seen += 1
        if p.startswith('/dev/') or ok(p):
            continue
        bad.append('%s %s' % (name, p))
    # the metrics file's temporary file sits beside it
for b in list(bad):
    if re.search(r'/metrics/recon\.prom\.tmp-\d+-\d+$', b):
        bad.remove(b)
print('%d writes' % seen)
for b in bad:
    print('outside:', b)
sys.exit(1 if bad or seen == 0 else 0)
PY
	st=$?
	[ "$st" = 0 ] && [ "$rc" -le 1 ] && [ -s out/2026-11-22.json ] && [ -s metrics/recon.prom ]
	check $? "writes confined: every file written, renamed, created or removed is in the output directory or the metrics file (strace -f)"
fi

# ---- planted symlinks ----------------------------------------------------
echo "precious" > victim
echo "precious too" > victim2
mkdir -p victimdir && echo "keep" > victimdir/2026-11-22.md
ln -sf "$work/victim" out/2026-11-22.md
ln -sf "$work/victim2" out/index.md
ln -sf "$work/victim2" metrics/recon.prom
ln -sfn "$work/victimdir" out/2026-11-22.html.d 2>/dev/null
run run -c recon.ini -o out --date 2026-11-22 --metrics metrics/recon.prom -q
[ "$rc" -le 1 ] && [ "$(cat victim)" = precious ] && [ "$(cat victim2)" = "precious too" ] &&
	[ "$(cat victimdir/2026-11-22.md)" = keep ] &&
	[ -f out/2026-11-22.md ] && [ ! -L out/2026-11-22.md ] && [ ! -L out/index.md ] &&
	[ ! -L metrics/recon.prom ] && grep -q '^# Robustness' out/2026-11-22.md
check $? "planted symlinks (day report, index, metrics file) are replaced by the reports, their targets unchanged"

# a symlink at an earlier day's name is left alone, and read as that day
ln -sf "$work/victim" out/2026-11-19.json
run run -c recon.ini -o out --date 2026-11-22 -q
[ "$rc" -le 1 ] && [ "$(cat victim)" = precious ] && [ -L out/2026-11-19.json ]
check $? "a symlink at an earlier report's name is not written through"
finish
