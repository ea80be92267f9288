#!/bin/sh
# run.sh BIN: every benchmark, each timing recon beside its peers in the
# same run.  N (rows) defaults to 10 million; BENCH_N=1000000 for a quick run.
# bench_sql.sh measures 1 and 10 million unless BENCH_N is set: its
# targets compare the two sizes.
set -eu
bin=$(realpath "$1")
cd "$(dirname "$0")/../.."
./tools/bootstrap.sh bench
n=${BENCH_N:-10000000}
for b in tests/bench/bench_*.sh; do
	echo "== $b"
	case $b in
	*/bench_sql.sh) bash "$b" "$bin" ${BENCH_N:-1000000 10000000} ;;
	*) bash "$b" "$bin" "$n" ;;
	esac
done
