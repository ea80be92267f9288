#!/bin/sh
# run.sh BIN [CASE...]: golden tests.  Each tests/golden/CASE/ holds a
# configuration and its inputs, a file `runs` with one recon invocation per
# line ("EXIT ARGS...", run in a scratch copy of the case), and `expected/`:
# every file the runs leave in out/, plus `transcript` (each command, what
# it printed on stdout and stderr, and its exit status).  The runner diffs
# them byte for byte.  A case may hold `seed/`: files put in out/ before the
# first run (earlier reports), which must come out unchanged unless a run
# rewrites them.  A line's arguments may start with VAR=VALUE words: the
# environment of that run (NO_COLOR and CLICOLOR_FORCE are unset for all
# others).  style.css, the stylesheet every page links, is left out of the
# comparison: goldens hold what they test, and a style edit would rewrite
# every case (tests/integration/stylesheet.sh tests it).  UPDATE=1 rewrites
# expected/ from what recon does now.
set -u
unset NO_COLOR CLICOLOR_FORCE
bin=$(realpath "$1")
shift
here=$(cd "$(dirname "$0")" && pwd)
cases=${*:-$(ls "$here" | grep -v '\.sh$')}
pass=0 fail=0
for c in $cases; do
	src=$here/$c
	[ -f "$src/runs" ] || continue
	work=$(mktemp -d)
	cp -R "$src/." "$work/"
	rm -rf "$work/expected" "$work/out"
	mkdir -p "$work/out"
	[ -d "$src/seed" ] && cp -R "$src/seed/." "$work/out/"
	(
		cd "$work" || exit 1
		while read -r want args; do
			case $want in ''|'#'*) continue ;; esac
			envs=
			while :; do
				case $args in
				[A-Z_]*=*' '*) envs="$envs${args%% *} "; args=${args#* } ;;
				*) break ;;
				esac
			done
			echo "\$ ${envs}recon $args"
			# shellcheck disable=SC2086
			eval "$envs\"$bin\" $args" >stdout 2>stderr
			got=$?
			cat stdout stderr
			echo "exit $got"
			if [ "$got" != "$want" ]; then
				echo "UNEXPECTED EXIT: wanted $want" >&2
			fi
		done < runs > transcript 2>status
	)
	cp "$work/transcript" "$work/out/transcript"
	rm -f "$work/out/style.css"
	if [ "${UPDATE:-}" = 1 ]; then
		rm -rf "$src/expected"
		cp -R "$work/out" "$src/expected"
		echo "updated $c"
	fi
	if [ -s "$work/status" ]; then
		echo "FAIL $c: $(cat "$work/status")"
		fail=$((fail + 1))
	elif diff -ru "$src/expected" "$work/out" > "$work/diff"; then
		echo "ok $c"
		pass=$((pass + 1))
	else
		echo "FAIL $c: output differs from expected/"
		head -60 "$work/diff"
		fail=$((fail + 1))
	fi
	rm -rf "$work"
done
echo "golden: $pass passed, $fail failed"
[ "$fail" = 0 ]
