#!/bin/bash
# examples.sh BIN [NAME...]: the worked examples under fixtures/examples/.
# For each example: copy it to a scratch directory, run every day of its
# snapshots/ in order (snapshots/current -> that day, as cron would each
# night) into an empty report directory, and diff the result against the
# committed expected/ byte for byte.  When python3 is there, the JSON
# reports are also checked against the story in the example's generate.py
# (fixtures/examples/check_story.py), which was written from how the data
# was built, not from what recon printed.
#
# UPDATE=1 rewrites each example's expected/ from what recon does now, but
# only when the story check passes.
set -uo pipefail
bin=$(realpath "$1")
shift
cd "$(dirname "$0")/../.."
root=$PWD/fixtures/examples
names=${*:-$(cd "$root" && for d in */; do [ -f "$d/recon.ini" ] && echo "${d%/}"; done)}
status=0
for name in $names; do
	src=$root/$name
	work=$(mktemp -d)
	cp -R "$src/." "$work/"
	rm -rf "$work/expected" "$work/out" "$work/snapshots/current"
	mkdir "$work/out"
	ok=1
	for day in $(ls "$work/snapshots" | grep -E '^[0-9]{4}-[0-9]{2}-[0-9]{2}$' | sort); do
		ln -sfn "$day" "$work/snapshots/current"
		(cd "$work" && "$bin" run -c recon.ini -o out --date "$day" -q) 2> "$work/stderr"
		rc=$?
		# 0 (gate pass) and 1 (drift found) are the nightly results; 2 is trouble
		if [ "$rc" -gt 1 ]; then
			echo "FAIL $name: $day: exit $rc: $(cat "$work/stderr")"
			ok=0
		fi
	done
	if [ $ok = 1 ] && command -v python3 > /dev/null; then
		if ! python3 "$root/check_story.py" "$src" "$work/out"; then
			echo "FAIL $name: reports differ from the story in generate.py"
			ok=0
		fi
	fi
	if [ $ok = 1 ] && [ "${UPDATE:-}" = 1 ]; then
		rm -rf "$src/expected"
		cp -R "$work/out" "$src/expected"
		echo "updated $name"
	fi
	if [ $ok = 1 ] && ! diff -ru "$src/expected" "$work/out" > "$work/diff"; then
		echo "FAIL $name: output differs from expected/"
		head -60 "$work/diff"
		ok=0
	fi
	if [ $ok = 1 ]; then
		echo "ok $name"
	else
		status=1
	fi
	rm -rf "$work"
done
exit $status
