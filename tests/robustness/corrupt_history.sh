#!/bin/bash
# corrupt_history.sh BIN: an earlier JSON report that is truncated, hand
# edited or not a report at all makes that day unreadable: it breaks the
# streak (never a silent pass), the report names the file and why, the
# file itself is left alone, `recon diff` against it is trouble (exit 2),
# and nothing crashes.  (tests/golden/corrupt_history covers truncation in
# the middle of a string; these are the other ways.)
bin=$1
. "$(dirname "$0")/../lib/robustness.sh"
small_config "$work"
cd "$work" || exit 1
"$bin" run -c recon.ini -o good --date 2026-11-20 -q
"$bin" run -c recon.ini -o good --date 2026-11-21 -q
valid=good/2026-11-21.json

# NAME WHY-PATTERN: the corrupted 2026-11-21.json is made by case_NAME
case_truncated_half()    { head -c $(($(wc -c < $valid) / 2)) $valid; }
case_truncated_1byte()   { head -c 1 $valid; }
case_empty()             { :; }
case_whitespace()        { printf ' \n\n'; }
case_not_object()        { echo '["schema", "recon-report/1"]'; }
case_status_edited()     { sed 's/"status": "pass"/"status": "PASS"/' $valid; }
case_status_missing()    { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); del d["gate"]["status"]; print(json.dumps(d))' $valid; }
case_drift_string()      { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); d["summary"]["drift"]="0"; print(json.dumps(d))' $valid; }
case_streak_missing()    { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); del d["gate"]["streak"]; print(json.dumps(d))' $valid; }
case_schema_other()      { sed 's|recon-report/1|recon-report/9|' $valid; }
case_date_mismatch()     { sed 's/"date": "2026-11-21"/"date": "2026-11-19"/' $valid; }
case_trailing_garbage()  { cat $valid; echo '}'; }
case_two_documents()     { cat $valid $valid; }
case_nul_byte()          { head -c 40 $valid; printf '\0'; tail -c +41 $valid; }
case_invalid_utf8()      { sed 's/"title": "Robustness"/"title": "Rob\xff\xfestness"/' $valid; }
case_binary()            { head -c 3000 "$bin"; }
case_deep_nesting()      { python3 -c 'print("[" * 100000 + "]" * 100000)'; }
case_huge_number()       { sed 's/"drift": 0/"drift": 1e999999/' $valid; }
case_big_integer()       { sed 's/"streak": [0-9]*/"streak": 99999999999999999999999/' $valid; }

cases="truncated_half truncated_1byte empty whitespace not_object status_edited
 status_missing drift_string streak_missing schema_other date_mismatch
 trailing_garbage two_documents nul_byte invalid_utf8 binary deep_nesting
 huge_number big_integer directory symlink_loop dangling_symlink"

for c in $cases; do
	rm -rf out && mkdir out && cp good/2026-11-20.* out/
	case $c in
	directory) mkdir out/2026-11-21.json ;;
	symlink_loop) ln -s 2026-11-21.json out/2026-11-21.json ;;
	dangling_symlink) ln -s nowhere.json out/2026-11-21.json ;;
	*) "case_$c" > out/2026-11-21.json ;;
	esac
	before=$(sha256sum out/2026-11-21.json 2>/dev/null; ls -l out/2026-11-21.json | cut -c1)
	run run -c recon.ini -o out --date 2026-11-22
	# today's own checks pass, so exit 0: but the streak is broken (1, not
	# 3), the gate is not met, and the day is named with a reason
	why=$(python3 - out <<'PY'
import json, sys
d = sys.argv[1]
r = json.load(open(d + '/2026-11-22.json'))
w = {x['date']: x for x in r['window']}
assert r['gate']['streak'] == 1 and not r['gate']['met'], r['gate']
md = open(d + '/2026-11-22.md').read()
line = [l for l in md.splitlines() if '2026-11-21.json' in l]
assert line, 'the Markdown report does not name the file'
if 'dangling' not in sys.argv[0]:
    pass
print(line[0].strip()[:110])
PY
)
	st=$?
	after=$(sha256sum out/2026-11-21.json 2>/dev/null; ls -l out/2026-11-21.json | cut -c1)
	if [ "$c" = dangling_symlink ]; then
		# no file behind the name: a missing day, which breaks the streak too
		[ "$rc" = 0 ] && python3 -c '
import json; r = json.load(open("out/2026-11-22.json")); assert r["gate"]["streak"] == 1' &&
			[ "$before" = "$after" ]
		check $? "history: a dangling symlink 2026-11-21.json counts as a missing day (streak 1)"
		continue
	fi
	[ "$rc" = 0 ] && [ "$st" = 0 ] && [ "$before" = "$after" ] &&
		{ [ "$c" != directory ] || case $why in *"is a directory"*) true ;; *) false ;; esac; }
	check $? "history $c: streak broken, gate not met, named: $why"
	run diff -c recon.ini -o out 2026-11-21 2026-11-22
	[ "$rc" = 2 ] && grep -q '2026-11-21' stderr
	check $? "history $c: recon diff exits 2 naming the day ($(head -c 100 stderr))"
done
finish
