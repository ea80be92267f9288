#!/bin/bash
# terminal_colour.sh BIN: recon run colours its status words on a terminal
# (a pseudo-terminal from script(1)), and not with NO_COLOR set, with
# TERM=dumb, or when stdout is a file.  (The lines themselves, coloured and
# not, are golden: tests/golden/terminal.)
set -euo pipefail
bin=$(realpath "$1")
cd "$(dirname "$0")/../.."
. tests/lib/skip.sh
command -v script > /dev/null || { skip terminal_colour "script(1) missing"; exit 0; }
w=$(mktemp -d)
trap 'rm -rf "$w"' EXIT
fail() { echo "FAIL: $*"; cat -v "$w/out.txt"; exit 1; }

mkdir "$w/snap"
printf 'id,bad\n1,1\n2,0\n' > "$w/snap/t.csv"
cat > "$w/recon.ini" <<'INI'
[report]
output_dir = out
[source "s"]
type = csv
path = snap
[check "bad-rows"]
source = s
query = SELECT id FROM t WHERE bad = 1
[check "good-rows"]
source = s
query = SELECT id FROM t WHERE bad = 2
INI
cd "$w"
on_tty() { env -u NO_COLOR -u CLICOLOR_FORCE TERM=xterm "$@" script -qec "$bin run -c recon.ini --date 2026-11-22" /dev/null | tr -d '\r' > out.txt || true; }

on_tty
grep -Eq $'\033\\[1;31mFAIL\033\\[0m +bad-rows +drift 1' out.txt || fail "no red FAIL on a terminal"
grep -Eq $'^\033\\[32mPASS\033\\[0m +good-rows +drift 0' out.txt || fail "no green PASS on a terminal"
echo "ok status words coloured on a terminal"

on_tty NO_COLOR=1
! grep -Eq $'\033\\[[0-9;]*m' out.txt || fail "colour with NO_COLOR set"
grep -q 'FAIL  *bad-rows  *drift 1' out.txt || fail "no plain FAIL line with NO_COLOR"
on_tty TERM=dumb
! grep -Eq $'\033\\[[0-9;]*m' out.txt || fail "colour on TERM=dumb"
env -u NO_COLOR -u CLICOLOR_FORCE "$bin" run -c recon.ini --date 2026-11-22 > out.txt || true
! grep -Eq $'\033\\[[0-9;]*m' out.txt || fail "colour when stdout is a file"
grep -q '^FAIL  *bad-rows  *drift 1' out.txt || fail "no FAIL line when stdout is a file"
echo "ok no colour with NO_COLOR, TERM=dumb or stdout not a terminal"
