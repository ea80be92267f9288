/*
 * parquet_copy SRC DST: write DST/T.parquet for every SRC/T.csv with DuckDB,
 * each column typed as recon types a CSV column (BIGINT when every value is
 * a plain whole number, DECIMAL(38,S) when every value is a plain decimal,
 * else VARCHAR as written; NULL for an empty unquoted field).  The demo's
 * files hold no exponents, so the grammar here has none.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <duckdb.h>

static void run(duckdb_connection con, const char *sql, duckdb_result *res)
{
	if (duckdb_query(con, sql, res) != DuckDBSuccess) {
		fprintf(stderr, "parquet_copy: %s\n%s\n", duckdb_result_error(res), sql);
		exit(1);
	}
}

int main(int argc, char **argv)
{
	duckdb_database db;
	duckdb_connection con;
	DIR *dp;
	struct dirent *de;
	char sql[65536], list[60000];

	if (argc != 3 || !(dp = opendir(argv[1]))) {
		fprintf(stderr, "usage: parquet_copy SRC DST\n");
		return 2;
	}
	if (duckdb_open(NULL, &db) != DuckDBSuccess || duckdb_connect(db, &con) != DuckDBSuccess)
		return 1;
	while ((de = readdir(dp))) {
		size_t len = strlen(de->d_name);
		duckdb_result res;
		idx_t ncols;

		if (len <= 4 || strcmp(de->d_name + len - 4, ".csv") != 0)
			continue;
		snprintf(sql, sizeof sql,
			 "CREATE OR REPLACE TABLE t AS SELECT * FROM read_csv('%s/%s', header = true, "
			 "all_varchar = true, quote = '\"', escape = '\"', nullstr = '', "
			 "allow_quoted_nulls = false, auto_detect = true)", argv[1], de->d_name);
		run(con, sql, &res);
		duckdb_destroy_result(&res);
		run(con, "SELECT column_name FROM (DESCRIBE t)", &res);
		ncols = duckdb_row_count(&res);
		list[0] = '\0';
		for (idx_t i = 0; i < ncols; i++) {
			char *name = duckdb_value_varchar(&res, 0, i);
			duckdb_result r2;
			char expr[1024];
			bool is_int, is_dec;
			int64_t scale;

			snprintf(sql, sizeof sql,
				 "SELECT bool_and(regexp_full_match(\"%s\", '-?(0|[1-9][0-9]*)')), "
				 "bool_and(regexp_full_match(\"%s\", '-?(0|[1-9][0-9]*)(\\.[0-9]+)?')), "
				 "max(length(split_part(\"%s\", '.', 2))) FROM t", name, name, name);
			run(con, sql, &r2);
			is_int = !duckdb_value_is_null(&r2, 0, 0) && duckdb_value_boolean(&r2, 0, 0);
			is_dec = !duckdb_value_is_null(&r2, 1, 0) && duckdb_value_boolean(&r2, 1, 0);
			scale = duckdb_value_int64(&r2, 2, 0);
			duckdb_destroy_result(&r2);
			if (is_int)
				snprintf(expr, sizeof expr, "CAST(\"%s\" AS BIGINT) AS \"%s\"", name, name);
			else if (is_dec)
				snprintf(expr, sizeof expr, "CAST(\"%s\" AS DECIMAL(38, %lld)) AS \"%s\"",
					 name, (long long)scale, name);
			else
				snprintf(expr, sizeof expr, "\"%s\"", name);
			if (i)
				strncat(list, ", ", sizeof list - strlen(list) - 1);
			strncat(list, expr, sizeof list - strlen(list) - 1);
			duckdb_free(name);
		}
		duckdb_destroy_result(&res);
		snprintf(sql, sizeof sql, "COPY (SELECT %s FROM t) TO '%s/%.*s.parquet' (FORMAT parquet)",
			 list, argv[2], (int)(len - 4), de->d_name);
		run(con, sql, &res);
		duckdb_destroy_result(&res);
	}
	closedir(dp);
	duckdb_disconnect(&con);
	duckdb_close(&db);
	return 0;
}
