#!/bin/sh
# run.sh BIN: the build's own tests (configure's messages, the DuckDB fetch,
# install and uninstall, the README's CI recipe and cron line), each a
# script in this directory run from the top of the repository.  The slow
# clean-chroot test (fresh_debian.sh, `make fresh-test`) is not among them.
set -u
cd "$(dirname "$0")/../.."
pass=0
fail=0
for t in tests/build/*.sh; do
	case $t in
	*/run.sh | */fresh_debian.sh) continue ;;
	esac
	echo "== $t"
	if sh "$t"; then
		pass=$((pass + 1))
	else
		echo "FAIL $t"
		fail=$((fail + 1))
	fi
done
echo "build: $pass passed, $fail failed"
[ "$fail" = 0 ]
