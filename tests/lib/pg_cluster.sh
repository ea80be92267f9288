#!/bin/bash
# tests/lib/pg_cluster.sh: a throwaway sharded PostgreSQL for recon's tests,
# a coordinator and three shard servers (each tests/lib/pg_server.sh), the
# coordinator reaching the shards through postgres_fdw.
#
#   tests/lib/pg_cluster.sh start DIR   servers in DIR/c (coordinator) and
#                                   DIR/s1, DIR/s2, DIR/s3 (shards); on the
#                                   coordinator the extension postgres_fdw
#                                   and servers shard1..shard3, with user
#                                   mappings for postgres and recon_ro
#   tests/lib/pg_cluster.sh stop DIR    stop all four and remove DIR
#   tests/lib/pg_cluster.sh shard DIR TABLE COLUMNS KEY
#                                   TABLE on the coordinator, partitioned
#                                   by hash of KEY into three partitions,
#                                   partition i a foreign table on shard i
#                                   (a table TABLE there); COLUMNS is the
#                                   column list, e.g. "id int, v text"
#
# DIR must not exist or be empty and be short (mktemp -d /tmp/rpc.XXXXXX):
# each server's socket lives in it.  Connect to the coordinator with
# host=DIR/c; rows inserted there go to their shard.  start stops what it
# started when a later step fails; the caller runs stop on exit.
set -euo pipefail

LIB=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
PASSWORD=${RECON_PG_PASSWORD:-'r3con-Test-Pw!'}
SHARDS="1 2 3"

die() { echo "pg_cluster.sh: $*" >&2; exit 1; }

sql() {
	local host=$1
	shift
	psql -X -q -v ON_ERROR_STOP=1 -h "$host" -U postgres -d postgres "$@"
}

start() {
	local dir=$1 i
	[ ! -e "$dir" ] || [ -z "$(ls -A "$dir" 2>/dev/null)" ] || die "$dir exists and is not empty"
	mkdir -p "$dir"
	dir=$(cd "$dir" && pwd)
	touch "$dir/.recon-cluster"
	[ "$(id -u)" != 0 ] || chmod 755 "$dir"
	for i in c s1 s2 s3; do
		"$LIB/pg_server.sh" start "$dir/$i" >/dev/null || { stop "$dir"; die "server $i did not start"; }
	done
	{
		echo "CREATE EXTENSION postgres_fdw;"
		for i in $SHARDS; do
			echo "CREATE SERVER shard$i FOREIGN DATA WRAPPER postgres_fdw OPTIONS (host '$dir/s$i', dbname 'postgres', fetch_size '10000');"
			echo "CREATE USER MAPPING FOR postgres SERVER shard$i OPTIONS (user 'postgres');"
			echo "CREATE USER MAPPING FOR recon_ro SERVER shard$i OPTIONS (user 'recon_ro', password :'pw');"
		done
	} | sql "$dir/c" -v pw="$PASSWORD" >/dev/null || { stop "$dir"; die "cannot set up postgres_fdw"; }
}

stop() {
	local dir=$1 i
	[ -d "$dir" ] || return 0
	[ -e "$dir/.recon-cluster" ] || die "$dir was not made by pg_cluster.sh start: not touching it"
	for i in c s1 s2 s3; do
		"$LIB/pg_server.sh" stop "$dir/$i" || true
	done
	rm -rf "$dir"
}

shard() {
	local dir=$1 table=$2 cols=$3 key=$4 i
	for i in $SHARDS; do
		sql "$dir/s$i" -c "CREATE TABLE $table ($cols)" >/dev/null
	done
	{
		echo "CREATE TABLE $table ($cols) PARTITION BY HASH ($key);"
		for i in $SHARDS; do
			echo "CREATE FOREIGN TABLE ${table}_p$i PARTITION OF $table FOR VALUES WITH (MODULUS 3, REMAINDER $((i - 1))) SERVER shard$i OPTIONS (table_name '$table');"
		done
	} | sql "$dir/c" >/dev/null
}

case "${1:-}" in
start) [ $# -eq 2 ] || die "usage: pg_cluster.sh start DIR"; start "$2" ;;
stop) [ $# -eq 2 ] || die "usage: pg_cluster.sh stop DIR"; stop "$2" ;;
shard) [ $# -eq 5 ] || die "usage: pg_cluster.sh shard DIR TABLE COLUMNS KEY"; shard "$2" "$3" "$4" "$5" ;;
*) die "usage: pg_cluster.sh start|stop|shard DIR ..." ;;
esac
