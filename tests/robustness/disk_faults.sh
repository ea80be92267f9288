#!/bin/bash
# disk_faults.sh BIN: a full disk, a read-only report directory, a rename
# that fails after others succeeded, and two runs on one directory.  Each
# fault gives a clear error and exit 2 with the earlier reports intact; the
# lock makes a second run wait (or, after 30 s, refuse), never interleave.
bin=$1
. "$(dirname "$0")/../lib/robustness.sh"
small_config "$work"
cd "$work" || exit 1
"$bin" run -c recon.ini -o seed --date 2026-11-21 -q || fail "seed run"

# ---- full disk: a 256 KB tmpfs, filled up but for 8 KB ---------------
if is_root; then
	mkdir full && mount -t tmpfs -o size=256k tmpfs full && mounts="$work/full $mounts"
	cp seed/* full/
	sums full > full.sums
	free_kb=$(df -k full | awk 'NR == 2 { print $4 }')
	[ "$free_kb" -gt 8 ] && dd if=/dev/zero of=full/filler bs=1k count=$((free_kb - 8)) 2>/dev/null
	sums full | grep -v filler > full.sums
	run run -c recon.ini -o full --date 2026-11-22
	[ "$rc" = 2 ] && grep -q 'No space left on device' stderr &&
		grep -q "full/2026-11-22\.[a-z]*: cannot write" stderr
	check $? "full disk: exit 2, stderr says which file and 'No space left on device' ($(head -c 120 stderr))"
	cmp -s full.sums <(sums full | grep -v filler) && [ -z "$(ls full | grep -v filler | grep -v '^2026-11-21\|^index\|^style\.css$')" ]
	check $? "full disk: earlier reports byte-identical, no new or temporary file left"
	rm -f full/filler
	run run -c recon.ini -o full --date 2026-11-22
	[ "$rc" = 0 ] && [ -s full/2026-11-22.json ]
	check $? "full disk: once there is room the same run succeeds"
	umount full && mounts=""
else
	skip "full disk" "needs root to mount a small tmpfs"
fi

# ---- read-only directory -----------------------------------------------
if is_root; then
	mkdir ro && mount -t tmpfs -o size=1m tmpfs ro && mounts="$work/ro $mounts"
	cp seed/* ro/
	sums ro > ro.sums
	mount -o remount,ro ro
	run run -c recon.ini -o ro --date 2026-11-22
	[ "$rc" = 2 ] && grep -q 'Read-only file system' stderr
	check $? "read-only mount: exit 2, clear error ($(head -c 120 stderr))"
	cmp -s ro.sums <(sums ro)
	check $? "read-only mount: earlier reports intact"
	umount ro && mounts=""
fi
# as an unprivileged user, permissions apply: chmod 555
mkdir perm && cp seed/* perm/ && chmod 555 perm && sums perm > perm.sums
as_user=""
is_root && as_user="setpriv --reuid=nobody --regid=nogroup --clear-groups"
chmod -R a+rX "$work"
timeout -s KILL 60 $as_user "$bin" run -c recon.ini -o perm --date 2026-11-22 > stdout 2> stderr
rc=$?
[ "$rc" = 2 ] && grep -q 'Permission denied' stderr && cmp -s perm.sums <(sums perm)
check $? "read-only directory (chmod 555, unprivileged): exit 2, earlier reports intact ($(head -c 120 stderr))"
chmod 755 perm
# a report directory that cannot be created
mkdir noperm && chmod 555 noperm
timeout -s KILL 60 $as_user "$bin" run -c recon.ini -o noperm/reports --date 2026-11-22 > stdout 2> stderr
rc=$?
[ "$rc" = 2 ] && grep -q 'noperm/reports: cannot create directory' stderr
check $? "an output directory that cannot be created: exit 2, said so before reading any source"
# the output directory is a file
echo x > afile
run run -c recon.ini -o afile --date 2026-11-22
[ "$rc" = 2 ] && grep -q 'afile' stderr && [ "$(cat afile)" = x ]
check $? "an output 'directory' that is a file: exit 2, the file untouched ($(head -c 100 stderr))"

# ---- a late rename fails: the files renamed before it are put back ------
# style.css is the last file of a run; a directory in its way makes its
# rename fail after the day's files and the index pages were renamed.
cp -R seed late && rm late/style.css && mkdir -p late/style.css/in-the-way
sums late > late.sums
run run -c recon.ini -o late --date 2026-11-22
[ "$rc" = 2 ] && grep -q 'late/style\.css: cannot write: Is a directory' stderr
check $? "a late rename fails: exit 2, stderr names the file ($(head -c 120 stderr))"
cmp -s late.sums <(sums late) && [ -d late/style.css ] &&
	[ -z "$(ls late | grep -v '^2026-11-21\.\|^index\|^style\.css$')" ]
check $? "a late rename fails: every earlier report byte-identical, no new or temporary file left"
rm -r late/style.css
run run -c recon.ini -o late --date 2026-11-22
[ "$rc" = 0 ] && [ -s late/2026-11-22.json ] && [ -f late/style.css ] && ! cmp -s late.sums <(sums late)
check $? "a late rename fails: with the way clear the same run writes every file"

# ---- a file system without hard links ---------------------------------
# On FAT or exFAT link() fails with EPERM: the previous version is renamed
# aside instead, and a late failure still puts every file back.  A
# preloaded shim refuses every link as such a file system does.
if sanitized; then
	skip "no hard links" "a preloaded shim and a sanitizer runtime do not mix"
else
	printf '%s\n' '#define _GNU_SOURCE' '#include <errno.h>' \
		'int linkat(int a, const char *b, int c, const char *d, int e)' \
		'{ (void)a; (void)b; (void)c; (void)d; (void)e; errno = EPERM; return -1; }' \
		'int link(const char *a, const char *b) { (void)a; (void)b; errno = EPERM; return -1; }' \
		> nolink.c
	cc -shared -fPIC -o nolink.so nolink.c || fail "cannot build the link shim"
	cp -R seed nolink && rm nolink/style.css && mkdir -p nolink/style.css/in-the-way
	sums nolink > nolink.sums
	LD_PRELOAD=$work/nolink.so run run -c recon.ini -o nolink --date 2026-11-22
	cmp -s nolink.sums <(sums nolink) && [ "$rc" = 2 ] &&
		[ -z "$(ls nolink | grep -v '^2026-11-21\.\|^index\|^style\.css$')" ]
	check $? "no hard links, a late rename fails: exit 2, every earlier report byte-identical"
	rm -r nolink/style.css
	LD_PRELOAD=$work/nolink.so run run -c recon.ini -o nolink --date 2026-11-22
	[ "$rc" = 0 ] && [ -s nolink/2026-11-22.json ] && [ -f nolink/style.css ] &&
		[ -z "$(ls nolink | grep 'tmp')" ]
	check $? "no hard links: the run writes every file and leaves nothing aside ($(head -c 100 stderr))"
fi

# ---- the lock: a second run waits for the first ------------------------
cp -R seed locked
flock locked -c "touch held; sleep 3" &
pids="$! $pids"
for _ in $(seq 50); do [ -e held ] && break; sleep 0.1; done
t0=$(date +%s%N)
run run -c recon.ini -o locked --date 2026-11-22
waited=$((($(date +%s%N) - t0) / 1000000))
[ "$rc" = 0 ] && [ "$waited" -ge 2000 ] && [ -s locked/2026-11-22.json ]
check $? "a run waits while another holds the directory lock (waited $waited ms), then writes"
wait

# ... and refuses clearly after 30 s, touching nothing
rm -f held
sums locked > locked.sums
flock locked -c "touch held; sleep 45" &
holder=$!
pids="$holder $pids"
for _ in $(seq 50); do [ -e held ] && break; sleep 0.1; done
run run -c recon.ini -o locked --date 2026-11-23
[ "$rc" = 2 ] && grep -q 'another recon run is writing this directory' stderr &&
	cmp -s locked.sums <(sums locked)
check $? "a run refuses after 30 s when the lock stays held: exit 2, '$(head -c 100 stderr)', nothing written"
kill "$holder" 2>/dev/null
pkill -P "$holder" 2>/dev/null
wait 2>/dev/null

# ---- two runs at once on one directory never interleave ---------------
cp -R seed both
slow=""
strace -f -qq -o /dev/null -e trace=fsync -e inject=fsync:delay_enter=1000 true 2>/dev/null &&
	slow="$nolsan strace -f -qq -o /dev/null -e trace=fsync,rename -e inject=fsync,rename:delay_enter=50000"
$slow "$bin" run -c recon.ini -o both --date 2026-11-22 -q > /dev/null 2> err22 &
a=$!
$slow "$bin" run -c recon.ini -o both --date 2026-11-23 -q > /dev/null 2> err23 &
b=$!
wait $a; ra=$?
wait $b; rb=$?
[ "$ra" = 0 ] && [ "$rb" = 0 ] &&
	grep -q '2026-11-21' both/index.md && grep -q '2026-11-22' both/index.md && grep -q '2026-11-23' both/index.md
check $? "two concurrent runs: both succeed and the last index lists every day (no lost update)"
# whichever ran second saw the first one's day in its history
python3 - both <<'PY'
import json, sys
d = sys.argv[1]
a = json.load(open(d + '/2026-11-22.json'))
b = json.load(open(d + '/2026-11-23.json'))
w = {x['date']: x['status'] for x in b['window']}
# 23 ran second: it sees 22 as pass and its streak continues; or 22 ran
# second: 23's window shows 22 missing and 22's report is unaffected by 23
assert (w['2026-11-22'] == 'pass' and b['gate']['streak'] == 3) or \
       (w['2026-11-22'] == 'missing' and b['gate']['streak'] == 1), (w, b['gate'])
PY
check $? "two concurrent runs: the second reads the history after the first wrote it"
finish
