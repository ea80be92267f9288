// compare.mjs DIR: the dual-write comparison of tests/bench/bench_compare.sh
// done the way a DuckDB user would: one FULL OUTER JOIN of the two CSV files
// on the key, counting keys only on the left (missing), only on the right
// (extra) and on both with any other column different (changed).  Every
// column is read as text (all_varchar), so values compare as strings, as
// the generated data needs.  Prints "missing=M extra=E changed=C".
import { DuckDBInstance } from '@duckdb/node-api';

const dir = process.argv[2];
if (!dir) {
	console.error('usage: node compare.mjs DIR');
	process.exit(2);
}
const quote = (s) => "'" + s.replaceAll("'", "''") + "'";
const csv = (name) => `read_csv(${quote(dir + '/' + name + '.csv')}, header = true, all_varchar = true)`;
const sql = `
	SELECT count(*) FILTER (WHERE r.unit_id IS NULL) AS missing,
	       count(*) FILTER (WHERE l.unit_id IS NULL) AS extra,
	       count(*) FILTER (WHERE l.unit_id IS NOT NULL AND r.unit_id IS NOT NULL AND
	                        (l.name IS DISTINCT FROM r.name OR
	                         l.parent_id IS DISTINCT FROM r.parent_id OR
	                         l.updated_at IS DISTINCT FROM r.updated_at)) AS changed
	FROM ${csv('departments')} AS l
	FULL OUTER JOIN ${csv('org_units')} AS r
	  ON l.tenant_id = r.tenant_id AND l.unit_id = r.unit_id`;

const instance = await DuckDBInstance.create(':memory:');
const con = await instance.connect();
const reader = await con.runAndReadAll(sql);
const [row] = reader.getRows();
console.log(`missing=${row[0]} extra=${row[1]} changed=${row[2]}`);
