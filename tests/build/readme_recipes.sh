#!/bin/sh
# The README quotes the cron line and the CI recipe that cron_line.sh and
# ci_recipe.sh run (between its BEGIN and END markers): what users copy is
# what the tests ran.  Each script's header holds the quoted text, and the
# cron test runs the line of its header.
set -eu
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

# block NAME FENCE: the fenced block of README.md between the markers.
block() {
	sed -n "/<!-- BEGIN $1/,/<!-- END $1/p" README.md | sed -n "/^\`\`\`$2\$/,/^\`\`\`\$/p" | sed '1d;$d'
}
block "cron line" cron > "$t/readme_cron"
block "CI recipe" yaml > "$t/readme_ci"
[ -s "$t/readme_cron" ] || fail "README.md has no cron block between BEGIN/END cron line markers"
[ -s "$t/readme_ci" ] || fail "README.md has no yaml block between BEGIN/END CI recipe markers"

sed -n 's/^#   \(30 2 .*\)$/\1/p' tests/build/cron_line.sh > "$t/script_cron"
sed -n '/^#   on:$/,/^#$/p' tests/build/ci_recipe.sh | sed '$d; s/^#   //' > "$t/script_ci"
diff -u "$t/script_cron" "$t/readme_cron" || fail "README's cron line differs from tests/build/cron_line.sh"
diff -u "$t/script_ci" "$t/readme_ci" || fail "README's CI recipe differs from tests/build/ci_recipe.sh"
grep -qxF "line='$(cat "$t/script_cron")'" tests/build/cron_line.sh || fail "cron_line.sh runs another line than its header's"
echo "ok README: the cron line and the CI recipe are those the tests run"
