#!/bin/sh
# run.sh BIN: every tests/integration/*.sh, each given the recon binary.
set -u
bin=$(realpath "$1")
cd "$(dirname "$0")/../.."
pass=0 fail=0
for t in tests/integration/*.sh; do
	[ "$t" = tests/integration/run.sh ] && continue
	echo "== $t"
	if bash "$t" "$bin"; then
		pass=$((pass + 1))
	else
		echo "FAILED: $t"
		fail=$((fail + 1))
	fi
done
echo "integration: $pass passed, $fail failed"
[ "$fail" = 0 ]
