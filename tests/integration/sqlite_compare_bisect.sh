#!/bin/bash
# sqlite_compare_bisect.sh BIN: strategy = bisect against strategy = rows
# with both sides tables of one SQLite file (tests/parity/compare_bisect.py:
# 400 random pairs, text and typed, byte-identical JSON apart from the
# strategy's fields), hashed in SQLite by recon's own value rules.
set -euo pipefail
bin=$(realpath "$1")
cd "$(dirname "$0")/../.."
work=$(mktemp -d /tmp/recon-sbis.XXXXXX)
trap 'rm -rf "$work"' EXIT
python3 tests/parity/compare_bisect.py "$bin" "$work" 200 5 sqlite
