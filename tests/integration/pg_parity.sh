#!/bin/bash
# Parity: the demo's data loaded into a real PostgreSQL server, and a copy
# of the demo configuration whose source points at it, give the same checks,
# statuses, drift, groups and samples in the JSON as the CSV snapshot run,
# for every day of the demo.  Besides the demo's own checks, both runs carry
# checks written in PostgreSQL's idiom (FILTER, DISTINCT ON, IS DISTINCT
# FROM, casts to timestamptz and numeric, date_trunc, EXTRACT, string
# functions): the same SQL over the export and over the server.  recon
# connects as the read-only role.  A decimal shown in a sample is cast to
# text: a PostgreSQL source shows a numeric without its fraction's trailing
# zeros (1250.00 reads 1250), a snapshot shows a DECIMAL with its scale.
set -euo pipefail
. "$(dirname "$0")/../lib/pg.sh"
pg_setup "$1"
cd "$(dirname "$0")/../.."
export RECON_PARITY_URL=$RO_URL

idiom() {
	cat <<'INI'

[check "tenant-rollup"]
kind = rows
description = Per tenant: departments without their org_units row, and renamed ones
source = snapshot
query = SELECT d.tenant_id, count(*) AS units,
         count(*) FILTER (WHERE o.unit_id IS NULL) AS unmirrored,
         count(*) FILTER (WHERE o.unit_id IS NOT NULL AND d.name IS DISTINCT FROM o.name) AS renamed,
         count(*) FILTER (WHERE d.parent_id IS NULL) AS roots
  FROM departments d
  LEFT JOIN org_units o ON o.tenant_id = d.tenant_id AND o.unit_id = d.unit_id
  GROUP BY d.tenant_id
  HAVING count(*) FILTER (WHERE o.unit_id IS NULL OR d.name IS DISTINCT FROM o.name) > 0
  ORDER BY d.tenant_id
group = tenant_id

[check "ledger-by-tenant"]
kind = rows
description = Per tenant, a ledger that does not net to zero
source = snapshot
query = SELECT tenant_id, sum(amount)::numeric(14,2)::text AS net,
         count(*) FILTER (WHERE amount < 0) AS debits, max(abs(amount))::numeric(14,2)::text AS largest
  FROM ledger
  GROUP BY tenant_id
  HAVING sum(amount) <> 0
  ORDER BY tenant_id
group = tenant_id

[check "stalest-unit"]
kind = rows
description = Per tenant, the org_units row that lags its department the longest
source = snapshot
paging = false
query = SELECT DISTINCT ON (d.tenant_id) d.tenant_id, d.unit_id,
         date_trunc('day', d.updated_at::timestamptz AT TIME ZONE 'UTC')::date AS legacy_day,
         EXTRACT(hour FROM o.updated_at::timestamptz AT TIME ZONE 'UTC') AS app_hour,
         EXTRACT(year FROM o.updated_at::timestamptz AT TIME ZONE 'UTC') AS app_year
  FROM departments d
  JOIN org_units o ON o.tenant_id = d.tenant_id AND o.unit_id = d.unit_id
  WHERE o.updated_at::timestamptz < d.updated_at::timestamptz
  ORDER BY d.tenant_id, o.updated_at::timestamptz, d.unit_id
group = tenant_id

[check "unit-names"]
kind = rows
description = Unit names with a comma or an ampersand, reshaped by string functions
source = snapshot
paging = false
query = SELECT tenant_id, unit_id, upper(split_part(name, ' ', 1)) AS first_word,
         length(name) AS letters, position('&' IN name) AS amp,
         lower(left(name, 3)) || '/' || right(unit_id, 2) AS tag,
         replace(name, ',', ';') AS name
  FROM org_units
  WHERE position(',' IN name) > 0 OR name LIKE '%&%'
  ORDER BY tenant_id, unit_id
group = tenant_id

[check "ledger-sides"]
kind = value
description = Credits less debits, each side summed exactly
source = snapshot
query = SELECT COALESCE(sum(amount) FILTER (WHERE amount > 0), 0)::numeric(14,2)
         - COALESCE(sum(-amount) FILTER (WHERE amount < 0), 0)::numeric(14,2)
  FROM ledger
expect = 0
INI
}

# demo.ini DAYDIR|postgres OUT: the demo's configuration, the day's
# directory or the server as its source, and the checks above
demo_ini() {
	if [ "$1" = postgres ]; then
		sed -e 's/^type = csv$/type = postgres/' \
		    -e "s|^path = snapshots/current\$|url = env:RECON_PARITY_URL|" \
		    fixtures/demo/recon.ini
	else
		sed -e "s|^path = snapshots/current\$|path = $PWD/$1|" fixtures/demo/recon.ini
	fi | sed -e "s|^output_dir = .*|output_dir = $WORK/$2|"
	idiom
}

n=0
for dir in fixtures/demo/snapshots/2026-*; do
	day=$(basename "$dir")
	demo_ini "$dir" csv-out > "$WORK/csv.ini"
	demo_ini postgres pg-out > "$WORK/pg.ini"
	grep -q '^type = postgres$' "$WORK/pg.ini" || fail pg_parity "demo source not rewritten"
	grep -q "^path = $PWD/$dir\$" "$WORK/csv.ini" || fail pg_parity "demo path not rewritten"
	python3 tests/parity/pg_schema.py "$dir" | admin_sql > /dev/null
	for side in csv pg; do
		"$BIN" run -c "$WORK/$side.ini" --date "$day" -q 2> "$WORK/err" || true
		[ ! -s "$WORK/err" ] || fail pg_parity "$day, $side: $(cat "$WORK/err")"
	done
	python3 tests/parity/same_results.py "$WORK/csv-out/$day.json" "$WORK/pg-out/$day.json" ||
		fail pg_parity "$day: PostgreSQL source differs from the CSV snapshot"
	n=$((n + 1))
done
J=$WORK/csv-out/2026-11-05.json
snap=$(jq_ "$WORK/pg-out/2026-11-05.json" "j['inputs'][0]['snapshot']")
[ -n "$snap" ] && [ "$snap" != None ] || fail pg_parity "no snapshot in provenance"
# the idiom's checks ran, without error, and each found something on some day
found=$(python3 -c 'import glob, json, sys
ids = ("tenant-rollup", "ledger-by-tenant", "stalest-unit", "unit-names", "ledger-sides")
found = set()
for p in glob.glob(sys.argv[1] + "/*.json"):
	for c in json.load(open(p))["checks"]:
		if c["id"] in ids and c.get("error"):
			found.add("error: " + c["id"])
		elif c["id"] in ids and c["status"] != "pass":
			found.add(c["id"])
print(sorted(found))' "$WORK/csv-out")
expect found "$found" "['ledger-by-tenant', 'ledger-sides', 'stalest-unit', 'tenant-rollup', 'unit-names']"
ok "PostgreSQL source gives the CSV snapshot's results on all $n demo days, PostgreSQL's idiom included"
