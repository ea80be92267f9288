#!/bin/bash
# compare_reference.sh BIN: kind = compare against a reference written from
# the contract alone (tests/parity/compare_reference.py), on 600 random CSV
# pairs drawn to make the value rules meet (numbers in several spellings on
# the two sides, text that only looks numeric, NULL and "", spaces, quotes,
# newlines, tolerances, duplicate keys): findings per kind and per group,
# the sampled keys and differing columns, and the duplicate-key errors with
# both lines must all agree.  Fixed seeds, so a failure reproduces.
set -euo pipefail
bin=$(realpath "$1")
cd "$(dirname "$0")/../.."
work=$(mktemp -d /tmp/recon-cref.XXXXXX)
trap 'rm -rf "$work"' EXIT
for seed in 20261123 7; do
	rm -rf "$work/run"
	python3 tests/parity/compare_reference.py "$bin" "$work/run" 300 "$seed"
done
