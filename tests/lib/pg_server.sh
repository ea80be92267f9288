#!/bin/bash
# tests/lib/pg_server.sh: a throwaway PostgreSQL server for recon's tests.
#
#   tests/lib/pg_server.sh start DIR   initdb into DIR/data, start a server that
#                                  listens only on a unix socket in DIR, wait
#                                  until it accepts connections
#   tests/lib/pg_server.sh stop DIR    stop it (pg_ctl stop -m fast) and remove DIR
#   tests/lib/pg_server.sh cold DIR    restart it with its files out of the
#                                  page cache (benchmarks' cold runs)
#
# DIR must not exist or be empty (start) and should be short: the socket path
# DIR/.s.PGSQL.5432 must stay under 108 bytes (mktemp -d /tmp/rpg.XXXXXX).
#
# Roles, for the tests to use:
#   postgres   superuser, local "trust" (no password): loads data, writes
#   recon_ro   LOGIN, password $RECON_PG_PASSWORD (default below), local
#              "scram-sha-256"; member of pg_read_all_data
# Connect with host=DIR (e.g. psql -h DIR -U postgres postgres).
#
# The server refuses to run as root: when run as root, DIR is chowned to the
# postgres user and initdb/pg_ctl run through runuser.  Nothing is ever
# stopped by process name; stop finds the server by its data directory.
set -euo pipefail

PASSWORD=${RECON_PG_PASSWORD:-'r3con-Test-Pw!'}

die() { echo "server.sh: $*" >&2; exit 1; }

bindir() {
	local d
	if [ -n "${PG_BINDIR:-}" ] && [ -x "$PG_BINDIR/initdb" ]; then
		echo "$PG_BINDIR"; return
	fi
	for d in /usr/lib/postgresql/15/bin $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -rV); do
		if [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ]; then echo "$d"; return; fi
	done
	die "no PostgreSQL server binaries (initdb, pg_ctl) found: install postgresql-15 (tools/bootstrap.sh check does)"
}

# Run a server binary as the user that owns the cluster.
as_owner() {
	if [ "$(id -u)" = 0 ]; then
		runuser -u postgres -- "$@"
	else
		"$@"
	fi
}

# Start the server of DIR's data with binaries BIN.
run() {
	local dir=$1 bin=$2
	as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/data/server.log" -w -t 60 \
		-o "-c listen_addresses='' -c unix_socket_directories='$dir' -c fsync=off -c full_page_writes=off -c synchronous_commit=off" \
		start >/dev/null || { cat "$dir/data/server.log" >&2 || true; die "server did not start"; }
}

start() {
	local dir=$1 bin
	bin=$(bindir)
	[ ! -e "$dir" ] || [ -z "$(ls -A "$dir" 2>/dev/null)" ] || die "$dir exists and is not empty"
	mkdir -p "$dir"
	dir=$(cd "$dir" && pwd)
	[ ${#dir} -lt 90 ] || die "$dir: path too long for a unix socket"
	touch "$dir/.recon-pg"
	if [ "$(id -u)" = 0 ]; then
		id postgres >/dev/null 2>&1 || die "no postgres user (install postgresql-15)"
		chown postgres "$dir" "$dir/.recon-pg"
		chmod 755 "$dir"
	fi
	as_owner "$bin/initdb" -D "$dir/data" -U postgres -E UTF8 --locale=C.UTF-8 \
		--no-sync --auth-local=trust --auth-host=reject >"$dir/initdb.log" 2>&1 ||
		{ cat "$dir/initdb.log" >&2; die "initdb failed"; }
	# local only: the admin by trust, recon_ro by password, no one else
	cat >"$dir/pg_hba.conf.new" <<HBA
local all postgres trust
local all recon_ro scram-sha-256
local all all reject
HBA
	[ "$(id -u)" != 0 ] || chown postgres "$dir/pg_hba.conf.new"
	as_owner cp "$dir/pg_hba.conf.new" "$dir/data/pg_hba.conf"
	rm -f "$dir/pg_hba.conf.new"
	run "$dir" "$bin"
	psql -X -q -h "$dir" -U postgres -d postgres -v ON_ERROR_STOP=1 -v pw="$PASSWORD" <<'SQL' >/dev/null
CREATE ROLE recon_ro LOGIN PASSWORD :'pw';
GRANT pg_read_all_data TO recon_ro;
SQL
}

stop() {
	local dir=$1 bin
	[ -d "$dir" ] || return 0
	[ -e "$dir/.recon-pg" ] || die "$dir was not made by server.sh start: not touching it"
	bin=$(bindir)
	if [ -e "$dir/data/postmaster.pid" ]; then
		as_owner "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
	fi
	rm -rf "$dir"
}

# Stop the server, drop its files from the page cache, start it again:
# the next query reads from disk, as a first one after a while does.
cold() {
	local dir=$1 bin
	[ -e "$dir/.recon-pg" ] || die "$dir was not made by server.sh start: not touching it"
	bin=$(bindir)
	as_owner "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null
	sync
	find "$dir/data" -type f -exec dd of=/dev/null iflag=nocache count=0 status=none if={} \;
	run "$dir" "$bin"
}

case "${1:-}" in
start) [ $# -eq 2 ] || die "usage: server.sh start DIR"; start "$2" ;;
stop) [ $# -eq 2 ] || die "usage: server.sh stop DIR"; stop "$2" ;;
cold) [ $# -eq 2 ] || die "usage: server.sh cold DIR"; cold "$2" ;;
*) die "usage: server.sh start|stop|cold DIR" ;;
esac
