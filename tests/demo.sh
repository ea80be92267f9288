#!/bin/sh
# demo.sh BIN [OUTDIR]: the nightly sequence over fixtures/demo.  Each day's
# snapshot directory becomes snapshots/current (the path recon.ini reads),
# and recon runs for that date into reports/ (or OUTDIR), as cron would
# have each night.
set -eu
bin=$(realpath "$1")
out=
[ $# -ge 2 ] && out="-o $(realpath "$2")"
demo=fixtures/demo
cd "$(dirname "$0")/.."
status=0
for day in $(ls "$demo/snapshots" | grep -E '^[0-9]{4}-[0-9]{2}-[0-9]{2}$' | sort); do
	rm -f "$demo/snapshots/current"
	ln -s "$day" "$demo/snapshots/current"
	set +e
	"$bin" run -c "$demo/recon.ini" $out --date "$day" -q
	rc=$?
	set -e
	case $rc in
	0) echo "$day: gate pass" ;;
	1) echo "$day: gate fail (drift found)" ;;
	*) echo "$day: errors (exit $rc)"; status=1 ;;
	esac
done
rm -f "$demo/snapshots/current"
[ -n "$out" ] && exit $status
echo
echo "reports written to reports/: open reports/index.html in a browser,"
echo "or read reports/index.md; each day is reports/YYYY-MM-DD.{md,html,json}."
exit $status
