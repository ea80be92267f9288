#!/bin/bash
# limits.sh BIN: large and hostile inputs.  Each gives a correct report or a
# clear, specific error, within a time limit (timeout) and, in a normal
# build, a memory cap (peak RSS from /usr/bin/time).  A sanitizer build runs
# smaller sizes and asserts no memory cap.  The limits found here are the
# README's "Limits" section.
bin=$1
. "$(dirname "$0")/../lib/robustness.sh"
cd "$work" || exit 1
MB=1048576
TENANTS=1000000
sanitized && TENANTS=200000

# cap KB WHAT: the last run_mem stayed under KB (not asserted when sanitized)
cap() {
	if sanitized; then echo "  ($2: peak $((kb / 1024)) MB, not capped under sanitizers)"; return 0; fi
	if [ "$kb" -gt "$1" ]; then echo "  $2: peak $((kb / 1024)) MB > $(($1 / 1024)) MB"; return 1; fi
}
# config NAME QUERY [EXTRA-KEYS]: DIR NAME/ with recon.ini over NAME/snap
config() {
	mkdir -p "$1/snap"
	printf '[report]\ntitle = Limits\n[source "s"]\ntype = csv\npath = snap\n[check "c"]\nsource = s\nquery = %s\n%s\n' \
		"$2" "${3:-}" > "$1/recon.ini"
}
json() { python3 -c "import json,sys; r=json.load(open('$1/out/2026-11-22.json')); $2"; }
errmsg() { json "$1" "print([c for c in r['checks'] if c['id'] == 'c'][0].get('error', ''))"; }

# ---- a 10 MB field (quoted, with commas, quotes and newlines) ------------
config field "SELECT id, length(v) AS n FROM t WHERE length(v) <> 10485760" 
python3 - <<'PY'
v = ('ab,c""\n' * (10485760 // 7 + 1))
n = 0; out = []
# exactly 10 MiB of field content: 'ab,c"\n' unescaped is 6 chars per 7 written
chunk = 'ab,c"\n'
body = (chunk * (10485760 // 6 + 1))[:10485760]
with open('field/snap/t.csv', 'w') as f:
    f.write('id,v\n1,"' + body.replace('"', '""') + '"\n2,' + 'x' * 10485760 + '\n')
PY
run_mem run -c field/recon.ini -o field/out --date 2026-11-22 -q
[ "$rc" = 0 ] && cap $((256 * 1024)) "10 MB field"
check $? "a 10 MB field (quoted, with commas, quotes, newlines) and a 10 MB bare field are read whole: pass, $((kb / 1024)) MB peak"

# ---- a 100 MB line (10 MB under a sanitizer, which is far slower) ---------
q=26214400
sanitized && q=2621440
config line "SELECT id FROM t WHERE length(a) + length(b) + length(c) + length(d) <> $((4 * q))"
Q=$q python3 - <<'PY'
import os
q = int(os.environ['Q'])
with open('line/snap/t.csv', 'w') as f:
    f.write('id,a,b,c,d\n1,' + ','.join(ch * q for ch in 'abcd') + '\n')
PY
run_mem run -c line/recon.ini -o line/out --date 2026-11-22 -q
[ "$rc" = 0 ] && cap $((1024 * 1024)) "$((4 * q / 1048576)) MB line"
check $? "a $((4 * q / 1048576)) MB line (four $((q / 1048576)) MB fields) is read: pass, $((kb / 1024)) MB peak"
rm -rf line field

# ---- 10,000 columns: no column limit of the engine's --------------------
config wide "SELECT c9999 FROM t WHERE c0 <> 0"
python3 -c "
n = 10000
open('wide/snap/t.csv', 'w').write(','.join('c%d' % i for i in range(n)) + '\n' + ','.join(str(i) for i in range(n)) + '\n')"
run_mem run -c wide/recon.ini -o wide/out --date 2026-11-22 -q
[ "$rc" = 0 ] && [ -s wide/out/2026-11-22.json ]
check $? "10,000 columns: read, the check runs (pass, exit $rc)"

# ---- 200,000 columns: the header's names are checked in n log n ----------
# a wide file in the directory is opened (its header read) even when no
# check reads it; one duplicate name at the end is an error of the check
# that reads the file, named
config widedup "SELECT c0 FROM t"
python3 -c "
n = 200000
open('widedup/snap/t.csv', 'w').write(','.join('c%d' % i for i in range(n - 1)) + ',C17\n' + ','.join(str(i) for i in range(n)) + '\n')
open('widedup/snap/u.csv', 'w').write(','.join('c%d' % i for i in range(n)) + '\n')"
start=$(date +%s)
timeout -s KILL 60 "$bin" run -c widedup/recon.ini -o widedup/out --date 2026-11-22 -q > /dev/null 2>&1
rc=$?
took=$(($(date +%s) - start))
e=$(errmsg widedup)
[ "$rc" = 2 ] && [ "$took" -le 20 ] && echo "$e" | grep -q "snap/t.csv:1: duplicate column name 'C17'$"
check $? "200,000 columns with a duplicate name at the end: named, exit $rc, in $took s ($e)"
rm -rf widedup
config wide2000 "SELECT c0 FROM t WHERE c1999 <> 1999"
python3 -c "
n = 2000
open('wide2000/snap/t.csv', 'w').write(','.join('c%d' % i for i in range(n)) + '\n' + ','.join(str(i) for i in range(n)) + '\n')"
run run -c wide2000/recon.ini -o wide2000/out --date 2026-11-22 -q
check $? "2,000 columns (SQLite's limit) are read: pass"

# ---- 1,000,000 distinct tenants -------------------------------------------
config tenants "SELECT tenant_id, v FROM t WHERE v % 2 = 0" "group = tenant_id"
python3 - "$TENANTS" <<'PY'
import sys
n = int(sys.argv[1])
with open('tenants/snap/t.csv', 'w') as f:
    f.write('tenant_id,v\n')
    f.writelines('t-%07d,%d\n' % (i, 2 * i) for i in range(n))
PY
LIMIT=300 run_mem run -c tenants/recon.ini -o tenants/out --date 2026-11-22 -q
[ "$rc" = 1 ] && json tenants "
c = r['checks'][0]; n = $TENANTS
assert r['summary']['drift'] == n and r['summary']['tenants_with_drift'] == n, r['summary']
assert len(c['groups']) == n and c['groups'][0]['group'] == 't-0000000'
assert len(c['samples']) == 20" && cap $((1536 * 1024)) "$TENANTS tenants"
check $? "$TENANTS distinct tenants drifting: every one in the JSON breakdown, exit 1, $((kb / 1024)) MB peak, report $(($(wc -c < tenants/out/2026-11-22.json) / MB)) MB"
rm -rf tenants

# ---- bad headers and bad bytes ----------------------------------------------
mkdir -p bad/snap
cd bad || exit 1
printf 'a,a\n1,2\n'                  > snap/dup.csv
printf 'a,,b\n1,2,3\n'               > snap/emptyname.csv
printf 'a,"",b\n1,2,3\n'             > snap/quotedemptyname.csv
printf 'a,b\n1,x\000y\n'             > snap/nul.csv
printf 'a,b\n1,\xff\xfe\n'           > snap/badutf8.csv
printf 'a,b\n1,\xc0\xaf\n'           > snap/overlong.csv
head -c 65536 "$bin"                 > snap/binary.csv
head -c 4096 /dev/urandom | tr -d '\n\000' > snap/random.csv
: > snap/empty.csv
printf '\xef\xbb\xbf'                > snap/bomonly.csv
printf 'a,b\n'                       > snap/headeronly.csv
printf 'a,b\n"",1\n,2\n'             > snap/emptystring.csv
printf 'a,b\n1,2\n'                  > snap/unreadable.csv
chmod 000 snap/unreadable.csv
ln -s loop.csv snap/loop.csv
ln -s nowhere.csv snap/dangling.csv
mkdir snap/adir.csv
cat > recon.ini <<'INI'
[report]
title = Bad input
[source "s"]
type = csv
path = snap
[source "gone"]
type = csv
path = no-such-dir
[source "dirloop"]
type = csv
path = dirloop
[source "db"]
type = sqlite
path = no-such.db
INI
ln -s dirloop dirloop
for t in dup emptyname quotedemptyname nul badutf8 overlong binary random empty bomonly \
	 headeronly unreadable loop dangling adir missing; do
	printf '[check "%s"]\nsource = s\nquery = SELECT * FROM "%s"\n' "$t" "$t" >> recon.ini
done
printf '[check "emptystring"]\nsource = s\nquery = SELECT b FROM emptystring WHERE a IS NULL\n' >> recon.ini
printf '[check "sqlsyntax"]\nsource = s\nquery = SELEKT 1\n' >> recon.ini
printf '[check "sqlcolumn"]\nsource = s\nquery = SELECT nope FROM headeronly\n' >> recon.ini
printf '[check "sqlruntime"]\nsource = s\nquery = SELECT abs(-9223372036854775807 - 1)\n' >> recon.ini
printf '[check "sqlvalue"]\nkind = value\nsource = s\nquery = SELECT '"'"'x'"'"'\n' >> recon.ini
printf '[check "gonedir"]\nsource = gone\nquery = SELECT * FROM t\n' >> recon.ini
printf '[check "dirloop"]\nsource = dirloop\nquery = SELECT * FROM t\n' >> recon.ini
printf '[check "nodb"]\nsource = db\nquery = SELECT 1\n' >> recon.ini
as_user=""
is_root && as_user="setpriv --reuid=nobody --regid=nogroup --clear-groups"
chmod 777 . && chmod 755 snap
timeout -s KILL 60 $as_user "$bin" run -c recon.ini -o out --date 2026-11-22 -q > ../stdout 2> ../stderr
rc=$?
cd .. || exit 1
[ "$rc" = 1 ] && [ -s bad/out/2026-11-22.json ]
check $? "bad input: the run finishes, exit 1 (one check fails, the others error), a report is written"
expect() {	# CHECK STATUS MESSAGE-PATTERN
	got=$(python3 -c "
import json; r = json.load(open('bad/out/2026-11-22.json'))
c = [c for c in r['checks'] if c['id'] == '$1'][0]
print(c['status'] + ': ' + c.get('error', ''))")
	if echo "$got" | grep -q -- "^$2: $3\$"; then ok "bad input $1 -> $got"; else fail "bad input $1 -> $got (wanted $2: $3)"; fi
}
expect dup error "snap/dup.csv:1: duplicate column name 'a'"
expect emptyname error "snap/emptyname.csv:1: empty column name (column 2)"
expect quotedemptyname error "snap/quotedemptyname.csv:1: empty column name (column 2)"
expect nul error "snap/nul.csv:2: NUL byte"
expect badutf8 error "snap/badutf8.csv:2: invalid UTF-8"
expect overlong error "snap/overlong.csv:2: invalid UTF-8"
expect binary error "snap/binary.csv:1: invalid UTF-8"
expect random error "snap/random.csv:1: .*"
expect empty error "snap/empty.csv: empty file (no header)"
expect bomonly error "snap/bomonly.csv: empty file (no header)"
expect headeronly pass ""
expect emptystring fail ""
if is_root || [ "$(id -u)" != 0 ]; then
	expect unreadable error "snap/unreadable.csv: Permission denied"
fi
expect loop error "snap/loop.csv: Too many levels of symbolic links"
expect dangling error "snap/dangling.csv: no such file"
expect adir error "snap/adir.csv: no such file"
expect missing error "snap/missing.csv: no such file"
expect sqlsyntax error "SQL error: syntax error at or near \"SELEKT\""
expect sqlcolumn error "SQL error: Binder Error: Referenced column \"nope\" not found in FROM clause!"
expect sqlruntime error "SQL error: Out of Range Error: Overflow on abs(-9223372036854775808)"
expect sqlvalue error ".*"
expect gonedir error "no-such-dir: no such directory"
expect dirloop error "dirloop: Too many levels of symbolic links"
expect nodb error ".*no-such.db.*"
json bad "
c = [c for c in r['checks'] if c['id'] == 'emptystring'][0]
assert c['drift'] == 1 and c['samples'] == [['2']], c"
check $? "a quoted empty field is the empty string, an unquoted one NULL (only one NULL row)"

# ---- paths that are not there or loop --------------------------------------
small_config paths
cd paths || exit 1
run run -c no-such.ini --date 2026-11-22
[ "$rc" = 2 ] && grep -q 'no-such.ini: cannot open: No such file or directory' ../stderr
check $? "missing configuration: exit 2 ($(head -c 90 ../stderr))"
ln -s cfgloop.ini cfgloop.ini
run run -c cfgloop.ini --date 2026-11-22
[ "$rc" = 2 ] && grep -q 'cfgloop.ini: .*Too many levels of symbolic links' ../stderr
check $? "configuration symlink loop: exit 2 ($(head -c 90 ../stderr))"
ln -s outloop outloop
run run -c recon.ini -o outloop --date 2026-11-22
[ "$rc" = 2 ] && grep -q 'outloop' ../stderr && [ -L outloop ]
check $? "output directory symlink loop: exit 2 ($(head -c 90 ../stderr))"
run run -c recon.ini -o /proc/version/reports --date 2026-11-22
[ "$rc" = 2 ] && grep -q '/proc/version' ../stderr
check $? "output directory under a file: exit 2 ($(head -c 90 ../stderr))"
cd .. || exit 1

# ---- 200 compare checks of small pairs -------------------------------------
# each compare sizes its key table from the files: small sides must not
# reserve (and zero) what a large one needs (8 MiB a side would be 3 GB
# over 200 checks); no SQL check reads the source, so the snapshot
# engine never starts: the cap leaves room only for its library, loaded
# with recon (about 20 MB of a bare `recon --version`)
mkdir -p pairs/snap
python3 - <<'PY'
import random
rng = random.Random(7)
ids = list(range(1, 1001))
for side in ('l', 'r'):
    rng.shuffle(ids)
    with open('pairs/snap/%s.csv' % side, 'w') as f:
        f.write('id,v\n')
        f.writelines('%d,v%d\n' % (i, i if side == 'l' or i % 100 else -i) for i in ids)
s = '[report]\ntitle = Pairs\n[source "s"]\ntype = csv\npath = snap\n'
for i in range(200):
    s += '[check "p%03d"]\nkind = compare\nleft = s:l\nright = s:r\nkey = id\n' % i
open('pairs/recon.ini', 'w').write(s)
PY
run_mem run -c pairs/recon.ini -o pairs/out --date 2026-11-22 -q
[ "$rc" = 1 ] && json pairs "
assert len(r['checks']) == 200 and all(c['findings'] == {'missing': 0, 'extra': 0, 'changed': 10}
                                       for c in r['checks']), r['checks'][0]" &&
	cap $((40 * 1024)) "200 compares"
check $? "200 compare checks of 1,000-row pairs: 10 changed each, $((kb / 1024)) MB peak"
rm -rf pairs

# ---- 10,000 checks ---------------------------------------------------------
mkdir -p many/snap
printf 'id\n1\n2\n3\n' > many/snap/t.csv
python3 - <<'PY'
s = '[report]\ntitle = Many\n[source "s"]\ntype = csv\npath = snap\n'
for i in range(10000):
    s += '[check "c%05d"]\nsource = s\nquery = SELECT id FROM t WHERE id > %d\n' % (i, i % 3 + 1)
open('many/recon.ini', 'w').write(s)
PY
run_mem validate -c many/recon.ini
[ "$rc" = 0 ] && grep -q '10000 checks' stdout
check $? "10,000 checks: validate ok"
run_mem run -c many/recon.ini -o many/out --date 2026-11-22 -q
[ "$rc" = 1 ] && json many "
s = r['summary']; assert s['checks'] == 10000 and s['fail'] == 6667 and s['pass'] == 3333, s" &&
	cap $((512 * 1024)) "10,000 checks"
check $? "10,000 checks: run, every check in the report, $((kb / 1024)) MB peak"
finish
