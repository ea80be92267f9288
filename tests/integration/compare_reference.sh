#!/bin/bash
# compare_reference.sh BIN: kind = compare against a reference written from
# the contract alone (tests/parity/compare_reference.py), on 1,200 random
# pairs (600 with both sides CSV files, 300 with the right side a SQLite
# table of text columns, 300 with both sides SQLite tables) drawn to make
# the value rules meet (numbers in several spellings on the two sides, text
# that only looks numeric, NULL and "", spaces, quotes, newlines,
# tolerances, duplicate keys): findings per kind and per group, the sampled
# keys, columns and values, the choice under a cap of samples, and the
# duplicate-key errors with both lines must all agree.  Fixed seeds, so a
# failure reproduces.
set -euo pipefail
bin=$(realpath "$1")
cd "$(dirname "$0")/../.."
work=$(mktemp -d /tmp/recon-cref.XXXXXX)
trap 'rm -rf "$work"' EXIT
for run in "20261123 csv" "7 csv" "11 sqlite" "17 sqlite-both"; do
	set -- $run
	rm -rf "$work/run"
	python3 tests/parity/compare_reference.py "$bin" "$work/run" 300 "$1" "$2"
done
