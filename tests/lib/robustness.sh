# tests/lib/robustness.sh: sourced by every tests/robustness/*.sh script (bash), after
# setting $bin to the recon binary.  Gives a private scratch directory
# ($work, removed on exit together with anything mounted or started there),
# ok/fail reporting, and helpers to build fixtures and assert on files.
set -u
bin=$(realpath "$bin")
work=$(mktemp -d /tmp/recon-robust-XXXXXX)
chmod 755 "$work"
# As root, some checks run recon as nobody, who may not read the tree (a
# clone in /root): every run uses a copy of the binary, and of the libraries
# it loads from outside the system's directories (DuckDB's, in deps/), here.
if [ "$(id -u)" = 0 ]; then
	mkdir "$work/bin"
	for lib in $(ldd "$bin" 2>/dev/null | awk '$3 ~ /^\// && $3 !~ /^\/(usr\/)?lib/ { print $3 }'); do
		cp "$lib" "$work/bin/"
	done
	cp "$bin" "$work/bin/"
	bin=$work/bin/$(basename "$bin")
	export LD_LIBRARY_PATH="$work/bin${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
fi
failures=0
mounts=""
pids=""

cleanup() {
	for p in $pids; do kill -9 "$p" 2>/dev/null; done
	for m in $mounts; do umount -l "$m" 2>/dev/null; done
	chmod -R u+rwx "$work" 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT

ok() { echo "ok $*"; }
fail() { echo "FAIL $*"; failures=$((failures + 1)); }
. "$(dirname "${BASH_SOURCE[0]}")/skip.sh"
# check COND-EXIT-STATUS MESSAGE: ok when the last command succeeded
check() { if [ "$1" = 0 ]; then ok "$2"; else fail "$2"; fi; }
finish() { [ "$failures" = 0 ]; exit $?; }

is_root() { [ "$(id -u)" = 0 ]; }
# A sanitizer build: memory figures are meaningless and everything is
# slower, so sizes shrink and memory caps are not asserted.
sanitized() {
	[ -n "${RECON_SANITIZER:-}" ] || ldd "$bin" 2>/dev/null | grep -q 'libasan\|libubsan'
}

# LeakSanitizer cannot work under ptrace: a run traced with strace checks
# everything else (leaks are checked by the same scenarios run untraced).
nolsan="env ASAN_OPTIONS=${ASAN_OPTIONS:-}:detect_leaks=0"

# Peak RSS in KB of the command that /usr/bin/time wrote to FILE.
peak_kb() { tail -1 "$1"; }

# Run recon with a time limit; stdout/stderr to $work/stdout, $work/stderr;
# the exit status to $rc (124: it hung).
LIMIT=${LIMIT:-120}
run() {
	timeout -s KILL "$LIMIT" "$bin" "$@" > "$work/stdout" 2> "$work/stderr"
	rc=$?
}
# Same, and record peak memory (KB) in $kb.
run_mem() {
	/usr/bin/time -o "$work/time" -f %M timeout -s KILL "$LIMIT" "$bin" "$@" \
		> "$work/stdout" 2> "$work/stderr"
	rc=$?
	kb=$(peak_kb "$work/time")
}

# Checksums of every file in DIR (names relative), sorted.
sums() { (cd "$1" && find . -type f -exec sha256sum {} + | sort -k2); }

# A minimal CSV source config in DIR/recon.ini with one passing check.
small_config() {
	mkdir -p "$1/snap"
	printf 'id,tenant_id,v\n1,t-1,10\n2,t-2,20\n' > "$1/snap/t.csv"
	cat > "$1/recon.ini" <<'INI'
[report]
title = Robustness
gate_days = 2
window_days = 3

[source "s"]
type = csv
path = snap

[check "ok"]
source = s
query = SELECT id, tenant_id FROM t WHERE v < 0
group = tenant_id
INI
}
