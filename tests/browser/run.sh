#!/bin/sh
# run.sh BIN: the generated pages in a real browser, and valid HTML.
#
# Generates the demo report directory, the escaping fixture's (hostile
# tenant names, sample values, ids, descriptions and title; two days, so it
# has navigation and history), and two made-up histories for the charts
# and banners: 3 days, and 90 days with a baseline, fails, days without a
# report and a met gate, in temporary directories, then:
#   - tidy -errors -quiet reports no error on any page (warnings are shown);
#   - no page refers to anything outside the report directory (src=, or
#     href= to a URL; the one <link> is style.css beside the page);
#   - every page stays under 500 KB;
#   - check.js loads the pages in headless Chromium from file:// (no network:
#     every host name resolves to nothing) and checks the DOM, console and
#     requests; screenshots go to build/screenshots/.
# Prints "ok ..." / "FAIL ..." lines; exits 1 when anything failed; when
# chromium or node is missing it says SKIP (tests/lib/skip.sh) and exits 0.  Cleans up after itself.
set -u
bin=$(realpath "$1")
cd "$(dirname "$0")/../.."
root=$(pwd)
chromium=${CHROMIUM:-/usr/bin/chromium}
shots=$root/build/screenshots
if ! command -v node >/dev/null 2>&1 || [ ! -x "$chromium" ] || ! command -v tidy >/dev/null 2>&1; then
	. tests/lib/skip.sh
	skip "browser tests" "node, $chromium or tidy missing"
	exit 0
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT INT TERM
fail=0
ok() { echo "ok $*"; }
bad() { echo "FAIL $*"; fail=1; }

# the demo: twelve days of the nightly sequence
mkdir "$work/demo"
./tests/demo.sh "$bin" "$work/demo" > /dev/null || bad "demo run"

# the hostile fixture, on two days
cp -R tests/golden/escaping "$work/hostile"
rm -rf "$work/hostile/expected" "$work/hostile/out"
(cd "$work/hostile" &&
	"$bin" run -c recon.ini --date 2026-11-21 -q 2>/dev/null
	"$bin" run -c recon.ini --date 2026-11-22 -q 2>/dev/null
	true)
[ -f "$work/hostile/out/2026-11-22.html" ] || bad "hostile fixture run"

# days DIR N: N days from 2026-08-01 of one rows check over a CSV that
# fails every 17th day (from the 4th); every 23rd day's 6th and 7th have no
# report, and the first is a baseline
days() {
	mkdir -p "$1/snap"
	cat > "$1/recon.ini" <<'INI'
[report]
title = Charts
output_dir = out
gate_days = 7
[source "s"]
type = csv
path = snap
[check "rows-ok"]
source = s
query = SELECT t, id FROM t WHERE bad = 1
group = t
INI
	i=0
	while [ "$i" -lt "$2" ]; do
		d=$(date -u -d "2026-08-01 + $i days" +%F)
		case $((i % 23)) in 5|6) i=$((i + 1)); continue ;; esac
		if [ $((i % 17)) = 3 ]; then
			printf 't,id,bad\nt-1,1,1\nt-2,2,1\n' > "$1/snap/t.csv"
		else
			printf 't,id,bad\nt-1,1,0\n' > "$1/snap/t.csv"
		fi
		base=
		[ "$i" = 0 ] && base=--baseline
		(cd "$1" && "$bin" run -c recon.ini --date "$d" $base -q 2>/dev/null)
		i=$((i + 1))
	done
}
days "$work/short" 3
days "$work/long" 90
[ -f "$work/long/out/2026-10-29.html" ] || bad "90-day history run"

for f in "$work"/demo/*.html "$work"/hostile/out/*.html "$work"/short/out/*.html "$work"/long/out/index*.html; do
	name=${f#"$work"/}
	tidy -errors -quiet "$f" > /dev/null 2> "$work/tidy.txt"
	case $? in
	0) ok "tidy: $name" ;;
	1) ok "tidy: $name (warnings only)"; sed 's/^/    /' "$work/tidy.txt" ;;
	*) bad "tidy: $name"; sed 's/^/    /' "$work/tidy.txt" ;;
	esac
	if grep -Eiq '(src|href|xlink:href|action)[[:space:]]*=[[:space:]]*"?[[:space:]]*(https?:|//|javascript:|data:)|<script|<iframe|<img|@import|url\((["'"'"']?)https?:' "$f" ||
	   [ "$(grep -o '<link[^>]*>' "$f")" != '<link rel="stylesheet" href="style.css">' ]; then
		bad "self-contained: $name refers outside itself"
		grep -Eio '(src|href)[^>]{0,80}' "$f" | head -3
	else
		ok "self-contained: $name"
	fi
	size=$(wc -c < "$f")
	if [ "$size" -le 512000 ]; then
		ok "size: $name $size bytes"
	else
		bad "size: $name $size bytes > 500 KB"
	fi
done

mkdir -p "$shots"
if node tests/browser/check.js "$chromium" "$work/demo" "$work/hostile/out" "$shots" \
	"$work/short/out" "$work/long/out"; then
	ok "browser: every page checked; screenshots in build/screenshots/"
else
	bad "browser checks"
fi
[ "$fail" = 0 ] && echo "browser: all passed" || echo "browser: FAILED"
exit "$fail"
