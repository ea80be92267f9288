#!/bin/bash
# robustness.sh BIN: the fault and hostile-input tests of tests/robustness/
# (crash safety, full and read-only disks, the lock, corrupted history,
# limits and bad input, writes confined to the output directory), each
# given the recon binary.  Prints their `ok ...` lines; exits nonzero when
# any fails.
set -u
bin=$(realpath "$1")
cd "$(dirname "$0")/../.."
st=0
for t in tests/robustness/[a-z]*.sh; do
	case $t in */valgrind-recon.sh) continue ;; esac
	start=$(date +%s)
	if ! timeout -s KILL 600 bash "$t" "$bin"; then
		echo "FAIL $t"
		st=1
	fi
	echo "   ($t: $(($(date +%s) - start)) s)"
done
[ $st = 0 ] && echo "ok robustness"
exit $st
