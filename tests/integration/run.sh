#!/bin/sh
# run.sh BIN: every tests/integration/*.sh, each given the recon binary,
# and the seconds each took (CI's time budget is read from these lines).
set -u
bin=$(realpath "$1")
cd "$(dirname "$0")/../.."
pass=0 fail=0
for t in tests/integration/*.sh; do
	[ "$t" = tests/integration/run.sh ] && continue
	echo "== $t"
	t0=$(date +%s)
	if bash "$t" "$bin"; then
		pass=$((pass + 1))
	else
		echo "FAILED: $t"
		fail=$((fail + 1))
	fi
	echo "== $t: $(($(date +%s) - t0)) s"
done
echo "integration: $pass passed, $fail failed"
[ "$fail" = 0 ]
