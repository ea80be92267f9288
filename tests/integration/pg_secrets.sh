#!/bin/bash
# pg_secrets.sh BIN: a wrong password, an unreachable host and an unset
# environment variable each give a clear message on stderr and in the
# report, exit status 2, and the password (or the connection string) is
# nowhere in stdout, stderr or the report directory.
set -euo pipefail
. "$(dirname "$0")/../lib/pg.sh"
pg_setup "$1"

WRONG='Wr0ng-S3cret-Pw'
admin_sql -c "CREATE TABLE t (id int); GRANT SELECT ON t TO recon_ro"

# run NAME URL: one run with one PostgreSQL source; leaves $WORK/NAME/
run() {
	local name=$1 url=$2 dir="$WORK/$1"
	mkdir -p "$dir"
	cat >"$WORK/$name.ini" <<INI
[report]
title = pg secrets
[source "db"]
type = postgres
url = $url
[check "reads-t"]
source = db
query = SELECT id FROM t
INI
	rc=0
	"$BIN" run -c "$WORK/$name.ini" -o "$dir/out" --date 2026-11-22 >"$dir/stdout" 2>"$dir/stderr" || rc=$?
}

# clean NAME SECRET...: no secret anywhere in what the run left
clean() {
	local name=$1 s
	shift
	for s in "$@" "dbname=postgres" "password="; do
		if grep -rF -- "$s" "$WORK/$name"; then
			fail "$name" "'$s' leaked into the output above"
		fi
	done
}

error_of() { jq_ "$WORK/$1/out/2026-11-22.json" "j['checks'][0]['status'] + ': ' + j['checks'][0].get('error', '')"; }

run wrong-password "host=$PGDIR dbname=postgres user=recon_ro password=$WRONG"
expect wrong-password-exit "$rc" 2
grep -q 'password authentication failed for user "recon_ro"' "$WORK/wrong-password/stderr" ||
	fail wrong-password "stderr: $(cat "$WORK/wrong-password/stderr")"
error_of wrong-password | grep -q '^error: .*password authentication failed' ||
	fail wrong-password "report: $(error_of wrong-password)"
clean wrong-password "$WRONG" "$PG_PASSWORD"
ok "wrong password: clear message on stderr and in the report, exit 2, password nowhere"

enc=${PGDIR//\//%2F}
run wrong-password-uri "postgresql://recon_ro:${WRONG}%21@$enc/postgres"
expect wrong-password-uri-exit "$rc" 2
grep -q 'password authentication failed' "$WORK/wrong-password-uri/stderr" ||
	fail wrong-password-uri "stderr: $(cat "$WORK/wrong-password-uri/stderr")"
clean wrong-password-uri "$WRONG" "postgresql://"
ok "wrong password in a URI: same"

# an unencoded '@' in the password: libpq would take its tail for the host
# and print it; recon refuses the URI without quoting any of it
run at-in-password "postgresql://recon_ro:${WRONG}@Tail-0f-Pw@$enc/postgres"
expect at-in-password-exit "$rc" 2
grep -q "invalid connection string: the URI has more than one '@' before its host; write an '@' of the user name or password as %40" \
	"$WORK/at-in-password/stderr" || fail at-in-password "stderr: $(cat "$WORK/at-in-password/stderr")"
clean at-in-password "$WRONG" "Tail-0f-Pw" "postgresql://"
ok "an unencoded '@' in a URI's password: refused, no piece of the password printed"

export RECON_TEST_DATABASE_URL="host=$PGDIR dbname=postgres user=recon_ro password=$WRONG"
run env-url "env:RECON_TEST_DATABASE_URL"
expect env-url-exit "$rc" 2
grep -q 'password authentication failed' "$WORK/env-url/stderr" || fail env-url "$(cat "$WORK/env-url/stderr")"
clean env-url "$WRONG"
unset RECON_TEST_DATABASE_URL
run env-unset "env:RECON_TEST_DATABASE_URL"
expect env-unset-exit "$rc" 2
grep -q 'environment variable RECON_TEST_DATABASE_URL is not set' "$WORK/env-unset/stderr" ||
	fail env-unset "$(cat "$WORK/env-unset/stderr")"
ok "env:VAR: connects through the variable; an unset one is named"

run unreachable "host=$WORK/no-server-here dbname=postgres user=recon_ro password=$PG_PASSWORD connect_timeout=3"
expect unreachable-exit "$rc" 2
grep -q "no-server-here/.s.PGSQL.5432\" failed: No such file or directory" "$WORK/unreachable/stderr" ||
	fail unreachable "stderr: $(cat "$WORK/unreachable/stderr")"
error_of unreachable | grep -q "^error: source 'db': cannot connect" || fail unreachable "$(error_of unreachable)"
clean unreachable "$PG_PASSWORD"
ok "unreachable host: clear message on stderr and in the report, exit 2, password nowhere"

# an unquoted space: libpq's own reason would quote the password's tail
run bad-string "host=$PGDIR dbname=postgres user=recon_ro password=Wr0ng S3cret-tail"
expect bad-string-exit "$rc" 2
grep -q "invalid connection string: missing \"=\" after" "$WORK/bad-string/stderr" ||
	fail bad-string "$(cat "$WORK/bad-string/stderr")"
clean bad-string "S3cret-tail" "Wr0ng"
run bad-quote "host=$PGDIR dbname=postgres user=recon_ro password='$WRONG"
expect bad-quote-exit "$rc" 2
grep -q "invalid connection string" "$WORK/bad-quote/stderr" || fail bad-quote "$(cat "$WORK/bad-quote/stderr")"
clean bad-quote "$WRONG"
ok "unparsable connection string: said so, nothing of it quoted"

run right-password "$RO_URL"
expect right-password-exit "$rc" 0
clean right-password "$PG_PASSWORD"
ok "right password: the run passes and the password is nowhere"
ok pg_secrets
