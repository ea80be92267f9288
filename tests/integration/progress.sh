#!/bin/bash
# Progress: on a terminal, a compare draws "loading ..." lines (rows so
# far, rows/s) for its CSV side and its query side, then erases them; with
# -q, or with a stderr that is not a terminal, nothing is drawn.
# RECON_PROGRESS_DELAY=0 draws at every update, so no timing is involved.
set -euo pipefail
bin=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir "$work/snap"
python3 - "$work" <<'PY'
import sqlite3, sys
w = sys.argv[1]
rows = [(i, 'n%d' % i) for i in range(1, 20001)]
with open(w + '/snap/units.csv', 'w') as f:
    f.write('id,name\n')
    f.writelines('%d,%s\n' % r for r in rows)
db = sqlite3.connect(w + '/units.db')
db.execute('CREATE TABLE units (id INTEGER, name TEXT)')
db.executemany('INSERT INTO units VALUES (?, ?)', rows)
db.commit()
PY
cat > "$work/recon.ini" <<INI
[report]
output_dir = $work/out

[source "snap"]
type = csv
path = $work/snap

[source "db"]
type = sqlite
path = $work/units.db

[check "mirror"]
kind = compare
left = snap:units
right = db
right_query = SELECT id, name FROM units
key = id
INI

# stderr on a terminal (script's pseudo-terminal); its output is the terminal's
on_tty() { RECON_PROGRESS_DELAY=0 script -qec "$*" /dev/null | tr '\r' '\n'; }

on_tty "$bin" run -c "$work/recon.ini" --date 2026-11-22 > "$work/tty.txt"
grep -q "^loading $work/snap/units.csv: 20000 rows, [0-9]* rows/s" "$work/tty.txt" ||
	{ echo "FAIL: no progress line for the CSV side's last row"; cat -v "$work/tty.txt"; exit 1; }
grep -q "^loading right query on db: 20000 rows, [0-9]* rows/s" "$work/tty.txt" ||
	{ echo "FAIL: no progress line for the query side's last row"; cat -v "$work/tty.txt"; exit 1; }
last_line=$(grep -n '^loading' "$work/tty.txt" | tail -1 | cut -d: -f1)
last_erase=$(grep -n $'^\033\\[K' "$work/tty.txt" | tail -1 | cut -d: -f1)
[ -n "$last_erase" ] && [ "$last_erase" -gt "$last_line" ] ||
	{ echo "FAIL: the progress line is not erased"; cat -v "$work/tty.txt"; exit 1; }
grep -q '"status": "pass"' "$work/out/2026-11-22.json" ||
	{ echo "FAIL: the compare did not pass"; exit 1; }
echo "ok progress lines for a CSV side and a query side on a terminal, then erased"

rm -rf "$work/out"
on_tty "$bin" run -q -c "$work/recon.ini" --date 2026-11-22 > "$work/quiet.txt"
if grep -q loading "$work/quiet.txt"; then
	echo "FAIL: -q drew progress"; cat -v "$work/quiet.txt"; exit 1
fi
rm -rf "$work/out"
RECON_PROGRESS_DELAY=0 "$bin" run -c "$work/recon.ini" --date 2026-11-22 2> "$work/err.txt" > /dev/null
if grep -q loading "$work/err.txt"; then
	echo "FAIL: progress drawn on a stderr that is not a terminal"; cat -v "$work/err.txt"; exit 1
fi
echo "ok no progress with -q or when stderr is not a terminal"
