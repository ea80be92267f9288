#!/bin/sh
# The README's CI recipe, run step by step as a CI runner would: an audit
# repository (recon.ini, the nightly export, reports/) with recon's own
# repository checked out beside it in .recon, on Debian 12, as root.  The
# steps below are the exact text of the job's `run:` steps; the docs quote
# this YAML:
#
#   on:
#     schedule: [{cron: "30 2 * * *"}]
#   jobs:
#     recon:
#       runs-on: ubuntu-latest
#       container: debian:12
#       steps:
#         - run: apt-get update && apt-get install -y git make gcc
#         - uses: actions/checkout@v4
#         - uses: actions/checkout@v4
#           with: {repository: OWNER/recon, path: .recon}
#         - run: make -C .recon deps && make -C .recon && make -C .recon install
#         - run: git config user.name recon && git config user.email recon@localhost
#         - id: run
#           run: |
#             set +e; recon run -q; echo "status=$?" >> "$GITHUB_OUTPUT"
#             today=$(date -u +%F)
#             prev=$(ls reports/????-??-??.json | grep -v "$today" | tail -1 | xargs -r basename | cut -c1-10)
#             if [ -n "$prev" ]; then
#               recon diff "$prev" "$today" > "$RUNNER_TEMP/diff.md"
#               grep -q '^- Gate status: .*(changed)' "$RUNNER_TEMP/diff.md" && echo "changed=yes" >> "$GITHUB_OUTPUT"
#             fi
#             exit 0
#           env:
#             DATABASE_URL: ${{ secrets.RECON_DATABASE_URL }}
#         - run: git add reports && git commit -qm "recon $(date -u +%F)" && git push -q
#         - if: steps.run.outputs.changed == 'yes'
#           run: gh issue comment "$TRIAGE_ISSUE" --body-file "reports/$(date -u +%F).md"
#           env: {GH_TOKEN: "${{ github.token }}", TRIAGE_ISSUE: "1"}
#
# Here the runner's first step is the machine's own (git, make and gcc are
# there), `make install` goes to a PREFIX of the test's (make reads PREFIX
# from the environment) whose bin/ is first on PATH as /usr/local/bin is on
# a runner, the audit repository's origin is a local bare repository, and
# the issue comment is not posted: the test checks that its body exists.
# The audit data: yesterday's report from the demo's 2026-11-06 export
# (the gate failing), today's export that of 2026-11-07 (passing), so the
# diff step must find the gate status changed.
set -eu
top=$(pwd)
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
# A CI runner's shell: no make of ours around it.
unset MAKEFLAGS MFLAGS MAKELEVEL WERROR BUILD OPT CFLAGS LDFLAGS CC
today=$(date -u +%F)
yesterday=$(date -u -d yesterday +%F)

# The audit repository, as yesterday's job left it.
git init -q --bare "$t/audit.git"
git clone -q "$t/audit.git" "$t/seed" 2> /dev/null
sed 's|^output_dir = .*|output_dir = reports|' fixtures/demo/recon.ini > "$t/seed/recon.ini"
mkdir -p "$t/seed/snapshots"
cp -r fixtures/demo/snapshots/2026-11-06 "$t/seed/snapshots/current"
git -C "$t/seed" add -A
git -C "$t/seed" -c user.name=seed -c user.email=seed@localhost commit -qm seed
git -C "$t/seed" push -q origin HEAD:main 2> /dev/null
git -C "$t/audit.git" symbolic-ref HEAD refs/heads/main

export PREFIX="$t/prefix"
export PATH="$PREFIX/bin:$PATH"
export GITHUB_OUTPUT="$t/github_output" RUNNER_TEMP="$t/runner_temp"
mkdir -p "$RUNNER_TEMP"
: > "$GITHUB_OUTPUT"

# step: run STEP-TEXT, in the workspace, with the runner's default shell.
step() {
	echo "+ $1" | head -1
	(cd "$t/ws" && bash --noprofile --norc -eo pipefail -c "$1") > "$t/step.log" 2>&1 ||
		{ cat "$t/step.log"; fail "step failed: $1"; }
}

# actions/checkout, twice.
git clone -q "$t/audit.git" "$t/ws"
git clone -q "$top" "$t/ws/.recon"
[ ! -e "$t/ws/.recon/deps" ] && [ ! -e "$t/ws/.recon/build" ] || fail "the clone is not clean"

step 'make -C .recon deps && make -C .recon && make -C .recon install'
[ -x "$PREFIX/bin/recon" ] || fail "make install put no recon in $PREFIX/bin"
step 'git config user.name recon && git config user.email recon@localhost'

# Yesterday's report (the job's previous night), then today's export.
(cd "$t/ws" && recon run -q --date "$yesterday") || [ $? = 1 ] || fail "yesterday's run"
git -C "$t/ws" add reports
git -C "$t/ws" commit -qm "recon $yesterday"
rm -rf "$t/ws/snapshots/current"
cp -r fixtures/demo/snapshots/2026-11-07 "$t/ws/snapshots/current"

step 'set +e; recon run -q; echo "status=$?" >> "$GITHUB_OUTPUT"
today=$(date -u +%F)
prev=$(ls reports/????-??-??.json | grep -v "$today" | tail -1 | xargs -r basename | cut -c1-10)
if [ -n "$prev" ]; then
  recon diff "$prev" "$today" > "$RUNNER_TEMP/diff.md"
  grep -q '"'"'^- Gate status: .*(changed)'"'"' "$RUNNER_TEMP/diff.md" && echo "changed=yes" >> "$GITHUB_OUTPUT"
fi
exit 0'
grep -qx "status=0" "$GITHUB_OUTPUT" || fail "today's run: $(cat "$GITHUB_OUTPUT")"
grep -qx "changed=yes" "$GITHUB_OUTPUT" || { cat "$RUNNER_TEMP/diff.md"; fail "the gate's change was not seen"; }
head -1 "$RUNNER_TEMP/diff.md" | grep -q "$yesterday" || fail "diff of the wrong days: $(head -1 "$RUNNER_TEMP/diff.md")"

step 'git add reports && git commit -qm "recon $(date -u +%F)" && git push -q'
git -C "$t/audit.git" log -1 --format=%s main | grep -qx "recon $today" || fail "today's report not pushed"
git -C "$t/audit.git" show "main:reports/$today.md" > /dev/null 2>&1 || fail "reports/$today.md not pushed"
[ -s "$t/ws/reports/$today.md" ] || fail "no body for the issue comment"
echo "ok ci recipe: deps, build, install, run, diff (gate change seen), commit and push"
