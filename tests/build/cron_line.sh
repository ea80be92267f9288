#!/bin/sh
# The README's cron line, run as cron runs it: the command part of the line
# (cron turns `\%` into `%`; a bare `%` would end the command), by /bin/sh,
# in cron's environment (HOME, LOGNAME, SHELL=/bin/sh, PATH=/usr/bin:/bin,
# nothing else).  recon installed under /usr/local is not on that PATH, so
# the line calls it by its full path.  The docs quote this line:
#
#   30 2 * * * cd /srv/audit && /usr/local/bin/recon run -q; git add reports && git commit -qm "recon $(date -u +\%F)" && git push -q
#
# Here /usr/local is a PREFIX of the test's and /srv/audit a clone of a
# local bare repository holding the demo's configuration and one export.
set -eu
line='30 2 * * * cd /srv/audit && /usr/local/bin/recon run -q; git add reports && git commit -qm "recon $(date -u +\%F)" && git push -q'
top=$(pwd)
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
today=$(date -u +%F)

make --no-print-directory install PREFIX="$t/usr/local" > "$t/log" 2>&1 || { cat "$t/log"; fail "make install"; }

# /srv/audit: recon.ini, the night's export, and an origin to push to.
mkdir -p "$t/home" "$t/srv"
printf '[user]\n\tname = recon\n\temail = recon@localhost\n' > "$t/home/.gitconfig"
git init -q --bare "$t/audit.git"
git clone -q "$t/audit.git" "$t/seed" 2> /dev/null
sed 's|^output_dir = .*|output_dir = reports|' fixtures/demo/recon.ini > "$t/seed/recon.ini"
mkdir -p "$t/seed/snapshots"
cp -r fixtures/demo/snapshots/2026-11-05 "$t/seed/snapshots/current"
git -C "$t/seed" add -A
HOME="$t/home" git -C "$t/seed" commit -qm seed
git -C "$t/seed" push -q origin HEAD:main 2> /dev/null
git -C "$t/audit.git" symbolic-ref HEAD refs/heads/main
git clone -q "$t/audit.git" "$t/srv/audit"

# cron's view of the line: five time fields, then the command; `\%` is `%`.
cmd=$(printf '%s\n' "$line" | cut -d' ' -f6-)
case $(printf '%s' "$cmd" | sed 's/\\%//g') in
*%*) fail "an unescaped % in the cron line: cron would cut the command there" ;;
esac
cmd=$(printf '%s' "$cmd" | sed 's/\\%/%/g')
cmd=$(printf '%s' "$cmd" | sed -e "s|/srv/audit|$t/srv/audit|g" -e "s|/usr/local/|$t/usr/local/|g")

cron() { env -i HOME="$t/home" LOGNAME=root SHELL=/bin/sh PATH=/usr/bin:/bin /bin/sh -c "$1"; }

# Without the full path, cron finds no recon (the PATH really is cron's).
bare=$(printf '%s' "$cmd" | sed "s|$t/usr/local/bin/recon|recon|")
if cron "cd $t/srv/audit && recon --version" > /dev/null 2>&1; then
	echo "SKIP the bare-recon check: a recon is installed in /usr/bin or /bin"
else
	cron "$bare" > "$t/bare.log" 2>&1 || true
	grep -q "recon: not found" "$t/bare.log" || { cat "$t/bare.log"; fail "a bare recon was found on cron's PATH"; }
	git -C "$t/srv/audit" reset -q --hard
fi

cron "$cmd" > "$t/cron.log" 2>&1 || { cat "$t/cron.log"; fail "the cron line failed"; }
[ ! -s "$t/cron.log" ] || { cat "$t/cron.log"; fail "the cron line printed (cron would mail it)"; }
[ -s "$t/srv/audit/reports/$today.json" ] || fail "no report for $today"
git -C "$t/audit.git" log -1 --format=%s main | grep -qx "recon $today" || fail "commit message: $(git -C "$t/audit.git" log -1 --format=%s main)"
git -C "$t/audit.git" show "main:reports/$today.md" > /dev/null 2>&1 || fail "reports/$today.md not pushed"
echo "ok cron line: runs in cron's environment, commits and pushes the day's report"
