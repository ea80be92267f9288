#!/bin/sh
# run.sh BIN: every benchmark, each timing recon beside its peers in the
# same run.  N (rows) defaults to 10 million; BENCH_N=1000000 for a quick run.
set -eu
bin=$(realpath "$1")
cd "$(dirname "$0")/../.."
./tools/bootstrap.sh bench
n=${BENCH_N:-10000000}
for b in tests/bench/bench_*.sh; do
	echo "== $b"
	bash "$b" "$bin" "$n"
done
