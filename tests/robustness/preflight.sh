#!/bin/bash
# preflight.sh BIN: a place recon cannot write (the --metrics file or the
# report directory: missing, a file in the way, read-only, full) stops the
# run before any source is read, with exit 2 and a message naming it.  The
# configuration's PostgreSQL source points at a socket this script listens
# on: a connection to it would be a source read.
bin=$1
. "$(dirname "$0")/../lib/robustness.sh"
cd "$work" || exit 1
mkdir pg
cat > recon.ini <<INI
[report]
output_dir = out

[source "db"]
type = postgres
url = host=$work/pg port=5432 dbname=x connect_timeout=2

[check "db-check"]
source = db
query = SELECT 1 WHERE false
INI
# the "server": note any connection, then hang up
python3 - "$work/pg/.s.PGSQL.5432" "$work/contacted" <<'PY' &
import socket, sys
s = socket.socket(socket.AF_UNIX)
s.bind(sys.argv[1])
s.listen(8)
while True:
    c, _ = s.accept()
    open(sys.argv[2], 'a').write('contacted\n')
    c.close()
PY
pids="$! $pids"
disown
for _ in $(seq 50); do [ -S pg/.s.PGSQL.5432 ] && break; sleep 0.1; done

# refused: exit 2, stderr says what (grep pattern), no source contacted
refused() {
	local what=$1 pattern=$2
	shift 2
	rm -f contacted
	run run -c recon.ini --date 2026-11-22 "$@"
	[ "$rc" = 2 ] && grep -q -- "$pattern" stderr && [ ! -e contacted ] &&
		! grep -q 'check db-check' stderr
	check $? "$what: exit 2 before any source is read ($(head -c 120 stderr))"
}

# the listener works: a run that can write contacts it (and errors)
run run -c recon.ini --date 2026-11-21 -q
[ "$rc" = 2 ] && [ -e contacted ]
check $? "the PostgreSQL stand-in is contacted by a run that can start"

refused "--metrics in a missing directory" \
	'nodir/m.prom: cannot write: No such file or directory' --metrics nodir/m.prom
echo x > afile
refused "--metrics under a file" 'afile/m.prom: cannot write: Not a directory' \
	--metrics afile/m.prom
refused "--metrics naming a directory" 'out: cannot write: Is a directory' --metrics out
refused "--metrics with --check in a missing directory" \
	'nodir/m.prom: cannot write: No such file or directory' --check db-check --metrics nodir/m.prom
if is_root; then
	mkdir ro && mount -t tmpfs -o size=1m tmpfs ro && mounts="$work/ro $mounts"
	mount -o remount,ro ro
	refused "--metrics on a read-only mount" 'ro/m.prom: cannot write: Read-only file system' \
		--metrics ro/m.prom
	refused "a report directory on a read-only mount" \
		'ro: cannot write the report directory: Read-only file system' -o ro
	umount ro && mounts=""
	mkdir full && mount -t tmpfs -o size=64k tmpfs full && mounts="$work/full $mounts"
	dd if=/dev/zero of=full/filler bs=4k 2>/dev/null
	refused "--metrics on a full disk" 'full/m.prom: cannot write: No space left on device' \
		--metrics full/m.prom
	refused "a report directory on a full disk" \
		'full: cannot write the report directory: No space left on device' -o full
	[ -z "$(ls full | grep -v filler)" ]
	check $? "a full disk: the probes leave no file behind"
	umount full && mounts=""
	mkdir imm && chattr +i imm 2>/dev/null && {
		refused "an immutable report directory" \
			'imm: cannot write the report directory: Operation not permitted' -o imm
		chattr -i imm
	} || skip "immutable report directory" "chattr +i is not supported here"
else
	skip "read-only and full mounts" "needs root to mount a small tmpfs"
fi
finish
