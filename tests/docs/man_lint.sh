#!/bin/sh
# man_lint.sh: the documentation keeps to its rules.
#   - every manual page under man/ renders without a warning from groff
#     (-ww) and, when mandoc is installed, from mandoc -Tlint (level warning);
#   - README.md is at most 15 KiB (the user's page; the reference is in man/);
#   - nothing in the repository points at a shared directory outside it.
# Run from anywhere; exits 1 on the first class of problem found, after
# printing every problem of that run.
set -u
cd "$(dirname "$0")/../.."
. tests/lib/skip.sh
fail=0
bad() {
	echo "FAIL: $*"
	fail=1
}

pages=$(ls man/*.[1-9] 2>/dev/null)
[ -n "$pages" ] || bad "no manual pages in man/"
for page in $pages; do
	# mdoc or man macros, whichever the page is written in
	if grep -q '^\.Dd' "$page"; then macros=-mdoc; else macros=-man; fi
	if command -v groff >/dev/null 2>&1; then
		out=$(groff -ww "$macros" -Tutf8 "$page" 2>&1 >/dev/null)
		[ -z "$out" ] || bad "groff -ww $macros $page:
$out"
	else
		skip "groff -ww $page" "groff not installed"
	fi
	if command -v mandoc >/dev/null 2>&1; then
		# level "warning" leaves out STYLE notes such as cross-references
		# to pages that are not installed on the machine running the test
		out=$(mandoc -Tlint -W warning "$page" 2>&1 | grep -v 'mandoc\.db')
		[ -z "$out" ] || bad "mandoc -Tlint $page:
$out"
	else
		skip "mandoc -Tlint $page" "mandoc not installed"
	fi
	# every section the reference promises is there
	case $page in
	man/recon.1)
		for s in SYNOPSIS DESCRIPTION ENVIRONMENT FILES "EXIT STATUS" EXAMPLES "SEE ALSO"; do
			grep -q "^\.Sh $s\$" "$page" || bad "$page: no section $s"
		done ;;
	esac
done

size=$(wc -c < README.md)
[ "$size" -le 15360 ] || bad "README.md is $size bytes, more than 15360"

# the pattern is built in two pieces so that this file does not match it
pattern="share""d/"
hits=$(grep -rn "$pattern" README.md src tests Makefile man 2>/dev/null)
[ -z "$hits" ] || bad "a path outside the repository:
$hits"

if [ "$fail" = 0 ]; then
	echo "ok: $(echo $pages | wc -w) manual pages lint-clean, README.md $size bytes"
fi
exit $fail
