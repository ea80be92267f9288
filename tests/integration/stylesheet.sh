#!/bin/bash
# stylesheet.sh BIN: every page links one style.css beside it instead of
# inlining the stylesheet, so a style change rewrites one file: style.css
# is the built-in stylesheet (or [report] templates' style.css), written
# with the day's files, and not rewritten when its bytes did not change.
set -euo pipefail
bin=$(realpath "$1")
cd "$(dirname "$0")/../.."
root=$PWD
w=$(mktemp -d)
trap 'rm -rf "$w"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

mkdir "$w/snap"
printf 'id,bad\n1,0\n' > "$w/snap/t.csv"
cat > "$w/recon.ini" <<'INI'
[report]
output_dir = out
[source "s"]
type = csv
path = snap
[check "c"]
source = s
query = SELECT id FROM t WHERE bad = 1
INI
cd "$w"
"$bin" run -c recon.ini --date 2026-11-21 -q
cmp -s out/style.css "$root/templates/style.css" || fail "style.css is not the built-in stylesheet"
echo "ok style.css is the built-in stylesheet"
for f in out/*.html; do
	grep -q '<link rel="stylesheet" href="style.css">' "$f" || fail "$f does not link style.css"
	! grep -q '<style' "$f" || fail "$f inlines a stylesheet"
done
echo "ok every page links style.css and inlines none"

before=$(stat -c %i out/style.css)
"$bin" run -c recon.ini --date 2026-11-22 -q
[ "$(stat -c %i out/style.css)" = "$before" ] || fail "an unchanged style.css was rewritten"
echo "ok an unchanged style.css is not rewritten"

mkdir tpl
cp "$root/templates/shell.html" tpl/
printf 'body { color: #123456; }\n' > tpl/style.css
printf 'templates = tpl\n' > extra
sed -i '/^output_dir/r extra' recon.ini
"$bin" run -c recon.ini --date 2026-11-23 -q
cmp -s out/style.css tpl/style.css || fail "style.css is not the templates' stylesheet"
echo "ok [report] templates' style.css is what gets written"
