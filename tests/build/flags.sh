#!/bin/sh
# Warnings are errors for developers only: plain make compiles without
# -Werror, make check (and asan, fuzz) with it; a change of compiler or of
# those flags rebuilds every object; and clang builds recon with every
# warning on and -Werror.
set -eu
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
unset MAKEFLAGS MFLAGS MAKELEVEL WERROR BUILD OPT CFLAGS LDFLAGS CC

make --no-print-directory -n BUILD="$t/b" > "$t/plain" 2>&1 || { cat "$t/plain"; fail "make -n"; }
grep -q -- '-c -o .*/util.o src/util.c' "$t/plain" || fail "make -n compiles nothing"
! grep -q -- '-Werror' "$t/plain" || fail "plain make compiles with -Werror"
grep -- '-c -o .*/util.o' "$t/plain" | grep -q -- '-Wformat=2' || fail "plain make lost the warnings"

# make -n check runs its sub-makes with -n: their compile lines show.
make --no-print-directory -n check BUILD="$t/b" > "$t/check" 2>&1 || { cat "$t/check"; fail "make -n check"; }
grep -- '-c -o .*/util.o src/util.c' "$t/check" | grep -q -- '-Werror' || fail "make check compiles without -Werror"
grep -- 'fuzz/obj/util.o' "$t/check" | grep -q -- '-Werror' || fail "fuzz builds without -Werror"

# Built once; the same flags again build nothing, -Werror rebuilds all.
make --no-print-directory -j2 BUILD="$t/b" > "$t/log" 2>&1 || { cat "$t/log"; fail "make"; }
make --no-print-directory BUILD="$t/b" > "$t/again" 2>&1
! grep -q -- ' -c -o ' "$t/again" || fail "an unchanged build recompiles"
make --no-print-directory -j2 BUILD="$t/b" WERROR=-Werror > "$t/werror" 2>&1 || { cat "$t/werror"; fail "make WERROR=-Werror"; }
[ "$(grep -c -- ' -Werror .* -c -o ' "$t/werror")" = "$(ls src/*.c | wc -l | awk '{ print $1 + 1 }')" ] ||
	fail "-Werror did not rebuild every object"

if command -v clang > /dev/null 2>&1; then
	make --no-print-directory -j2 BUILD="$t/clang" CC=clang WERROR=-Werror > "$t/clang.log" 2>&1 ||
		{ grep -E 'error|warning' "$t/clang.log" | head -20; fail "make CC=clang"; }
	"$t/clang/recon" --version > /dev/null || fail "the clang build does not run"
else
	echo "SKIP make CC=clang: no clang (make deps DEPS=check installs it)"
fi
echo "ok flags: -Werror only for developers, rebuilt on a change, clang builds"
