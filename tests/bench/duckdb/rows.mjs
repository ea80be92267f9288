// rows.mjs DIR SQLFILE: a rows check of tests/bench/bench_sql.sh done the way
// a DuckDB user would: departments and org_units are views over read_csv()
// of DIR's two files (every column text, as recon types this pair), the SQL
// runs as written, and its rows are read back.  Prints
// "rows=R groups=G sum2=S sum3=T": the rows, the distinct values of the
// first column, and the sums of the second and third columns when numeric.
import { readFileSync } from 'node:fs';
import { DuckDBInstance } from '@duckdb/node-api';

const [dir, sqlfile] = process.argv.slice(2);
if (!dir || !sqlfile) {
	console.error('usage: node rows.mjs DIR SQLFILE');
	process.exit(2);
}
const quote = (s) => "'" + s.replaceAll("'", "''") + "'";
const instance = await DuckDBInstance.create(':memory:');
const con = await instance.connect();
for (const t of ['departments', 'org_units'])
	await con.run(`CREATE VIEW ${t} AS SELECT * FROM read_csv(${quote(dir + '/' + t + '.csv')},
		header = true, all_varchar = true)`);
const reader = await con.runAndReadAll(readFileSync(sqlfile, 'utf8'));
const rows = reader.getRows();
const groups = new Set(rows.map((r) => String(r[0])));
const sum = (k) => rows.reduce((s, r) => (typeof r[k] === 'bigint' || typeof r[k] === 'number'
	? s + BigInt(r[k]) : s), 0n);
console.log(`rows=${rows.length} groups=${groups.size} sum2=${sum(1)} sum3=${sum(2)}`);
