# tests/lib/pg.sh: shared by tests/integration/pg_*.sh (sourced, bash).
#
#   pg_setup BIN    resolve the recon binary into $BIN, make a work directory
#                   $WORK, start a throwaway server in $PGDIR (tests/lib/pg_server.sh)
#                   and arrange for both to go away on exit, even on failure
#   admin_sql ...   psql as the superuser (trust; no password), stops on error
#   bg CMD...       run CMD in the background; it is killed (by its pid) on exit
#   jq_ FILE EXPR   print a Python expression over the JSON in FILE as `j`
#   ok NAME / fail NAME MSG
# $PG_PASSWORD is recon_ro's password; $ADMIN_URL and $RO_URL connect as the
# superuser and as recon_ro.
PG_LIB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
PG_PASSWORD=${RECON_PG_PASSWORD:-'r3con-Test-Pw!'}
export RECON_PG_PASSWORD=$PG_PASSWORD
BG_PIDS=()

pg_cleanup() {
	local p
	for p in "${BG_PIDS[@]}"; do
		kill "$p" 2>/dev/null || true
		wait "$p" 2>/dev/null || true
	done
	[ -z "${PGDIR:-}" ] || "$PG_LIB_DIR/pg_server.sh" stop "$PGDIR" || true
	[ -z "${WORK:-}" ] || rm -rf "$WORK"
}

pg_setup() {
	[ -n "${1:-}" ] || { echo "usage: $0 RECON_BINARY" >&2; exit 2; }
	BIN=$(realpath "$1")
	[ -x "$BIN" ] || { echo "$0: $BIN is not executable" >&2; exit 2; }
	trap pg_cleanup EXIT
	trap 'exit 1' INT TERM
	WORK=$(mktemp -d /tmp/recon-it.XXXXXX)
	PGDIR=$(mktemp -d /tmp/rpg.XXXXXX)
	"$PG_LIB_DIR/pg_server.sh" start "$PGDIR" || { echo "$0: cannot start PostgreSQL" >&2; exit 1; }
	ADMIN_URL="host=$PGDIR dbname=postgres user=postgres"
	RO_URL="host=$PGDIR dbname=postgres user=recon_ro password=$PG_PASSWORD"
}

admin_sql() {
	psql -X -q -v ON_ERROR_STOP=1 -h "$PGDIR" -U postgres -d postgres "$@"
}

bg() {
	"$@" &
	BG_PIDS+=($!)
}

jq_() {
	python3 -c 'import json, sys
j = json.load(open(sys.argv[1]))
print(eval(sys.argv[2]))' "$1" "$2"
}

ok() { echo "ok $1"; }
fail() {
	echo "FAIL $1: $2" >&2
	exit 1
}

# expect NAME ACTUAL WANTED
expect() {
	[ "$2" = "$3" ] || fail "$1" "got '$2', want '$3'"
}
