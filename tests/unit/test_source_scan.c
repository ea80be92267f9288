/*
 * test_source_scan.c: a compare side as its source reads it (source_scan.h).
 * A snapshot's CSV table streams from its file with byte offsets that read
 * the rows again; a Parquet table is DuckDB's, read again by key; T.csv
 * beside T.parquet is an error naming both; a Parquet side compares with a
 * CSV side by value; PostgreSQL's narrowing SQL filters on text key fields
 * only.
 */
#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <duckdb.h>

#include "compare.h"
#include "source_pg.h"
#include "source_scan.h"

struct fx {
	char dir[64];
	struct source_cfg scfg;
	struct source *src;
};

static void fx_init(struct fx *f)
{
	memset(f, 0, sizeof(*f));
	snprintf(f->dir, sizeof(f->dir), "/tmp/recon-scan-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(f->dir));
	f->scfg.name = "snap";
	f->scfg.type = SOURCE_CSV;
	f->scfg.path = f->dir;
}

static void fx_csv(struct fx *f, const char *table, const char *text)
{
	char path[128];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/%s.csv", f->dir, table);
	fp = fopen(path, "wb");
	ck_assert_ptr_nonnull(fp);
	fputs(text, fp);
	fclose(fp);
}

/* DIR/table.parquet from a SELECT, written by DuckDB. */
static void fx_parquet(struct fx *f, const char *table, const char *select)
{
	duckdb_database db;
	duckdb_connection con;
	duckdb_result res;
	char sql[1024];

	snprintf(sql, sizeof(sql), "COPY (%s) TO '%s/%s.parquet' (FORMAT parquet)", select,
		 f->dir, table);
	ck_assert_int_eq(duckdb_open(NULL, &db), DuckDBSuccess);
	ck_assert_int_eq(duckdb_connect(db, &con), DuckDBSuccess);
	ck_assert_msg(duckdb_query(con, sql, &res) == DuckDBSuccess, "%s",
		      duckdb_result_error(&res));
	duckdb_destroy_result(&res);
	duckdb_disconnect(&con);
	duckdb_close(&db);
}

static struct source *fx_open(struct fx *f)
{
	if (f->src)
		source_close(f->src);
	f->src = source_open(&f->scfg, NULL);
	return f->src;
}

static void fx_done(struct fx *f)
{
	DIR *dp = opendir(f->dir);
	struct dirent *de;
	char path[512];

	while (dp && (de = readdir(dp))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", f->dir, de->d_name);
		unlink(path);
	}
	if (dp)
		closedir(dp);
	rmdir(f->dir);
	if (f->src)
		source_close(f->src);
}

/* Rows as "pos:a|b" lines (NULL as \N), for rows and fetches alike. */
struct seen {
	char text[2048];
	uint64_t pos[16];
	size_t n;
};

static void add_cells(struct seen *s, const struct cell *cells, size_t ncols)
{
	size_t len = strlen(s->text), k;

	for (k = 0; k < ncols; k++)
		len += (size_t)snprintf(s->text + len, sizeof(s->text) - len, "%s%.*s",
					k ? "|" : "", cells[k].s ? (int)cells[k].len : 2,
					cells[k].s ? cells[k].s : "\\N");
	snprintf(s->text + len, sizeof(s->text) - len, "\n");
}

static int seen_row(void *ctx, const struct scan_row *row)
{
	struct seen *s = ctx;

	if (s->n < 16)
		s->pos[s->n++] = row->pos;
	add_cells(s, row->cells, row->ncols);
	return 0;
}

static int seen_fetch(void *ctx, size_t i, const struct cell *cells, size_t ncols)
{
	struct seen *s = ctx;
	size_t len = strlen(s->text);

	snprintf(s->text + len, sizeof(s->text) - len, "%zu:", i);
	add_cells(s, cells, ncols);
	return 0;
}

START_TEST(csv_rows_are_read_again_at_their_offsets)
{
	struct fx f;
	struct source_scan *sc;
	struct diag d = { "" };
	const char *const *names;
	struct seen all = { "", { 0 }, 0 }, again = { "", { 0 }, 0 };
	uint64_t pos[2];
	size_t n;

	fx_init(&f);
	fx_csv(&f, "t", "id,v\n1,a\n2,\"x\ny\"\n3,\n");
	ck_assert_int_eq(source_scan_open(&sc, fx_open(&f), "t", NULL, &d), 0);
	ck_assert(source_scan_traits(sc).by_position);
	ck_assert(source_scan_traits(sc).own_thread);
	ck_assert_ptr_null(source_scan_table(sc));
	ck_assert_int_eq(source_scan_header(sc, &names, &n, &d), 0);
	ck_assert_uint_eq(n, 2);
	ck_assert_str_eq(names[1], "v");
	ck_assert_int_eq(source_scan_rows(sc, "t", seen_row, &all, &d), 0);
	ck_assert_str_eq(all.text, "1|a\n2|x\ny\n3|\\N\n");
	/* the offsets of the records, the third on line 5 */
	ck_assert_uint_eq(all.pos[0], 5);
	ck_assert_uint_eq(all.pos[1], 9);
	ck_assert_int_eq(source_scan_line(sc, all.pos[2]), 5);
	/* read again in any order: each comes back with its index */
	pos[0] = all.pos[2];
	pos[1] = all.pos[0];
	ck_assert_int_eq(source_scan_fetch(sc, pos, 2, seen_fetch, &again, &d), 0);
	ck_assert_str_eq(again.text, "1:1|a\n0:3|\\N\n");
	source_scan_free(sc);
	fx_done(&f);
}
END_TEST

START_TEST(a_rewritten_file_is_an_error_when_read_again)
{
	struct fx f;
	struct source_scan *sc;
	struct diag d = { "" };
	const char *const *names;
	struct seen all = { "", { 0 }, 0 }, again = { "", { 0 }, 0 };
	size_t n;

	fx_init(&f);
	fx_csv(&f, "t", "id,v\n1,a\n2,b\n");
	ck_assert_int_eq(source_scan_open(&sc, fx_open(&f), "t", NULL, &d), 0);
	ck_assert_int_eq(source_scan_header(sc, &names, &n, &d), 0);
	ck_assert_int_eq(source_scan_rows(sc, "t", seen_row, &all, &d), 0);
	fx_csv(&f, "t", "id,v,w\n1,a,b\n");
	ck_assert_int_eq(source_scan_fetch(sc, &all.pos[0], 1, seen_fetch, &again, &d), -1);
	ck_assert_msg(strstr(d.msg, "t.csv: changed while it was read"), "%s", d.msg);
	source_scan_free(sc);
	fx_done(&f);
}
END_TEST

START_TEST(parquet_tables_are_read_by_the_engine_by_key)
{
	struct fx f;
	struct source_scan *sc;
	struct diag d = { "" };
	const char *const *names;
	struct seen all = { "", { 0 }, 0 };
	size_t n;

	fx_init(&f);
	fx_parquet(&f, "t", "SELECT 1::BIGINT AS id, 1.50::DECIMAL(10,2) AS v");
	ck_assert_int_eq(source_scan_plan(fx_open(&f), "t", &d), 0);
	ck_assert_int_eq(source_scan_open(&sc, f.src, "t", NULL, &d), 0);
	ck_assert(!source_scan_traits(sc).by_position);
	ck_assert_str_eq(source_scan_traits(sc).row_word, "row");
	ck_assert_int_eq(source_scan_header(sc, &names, &n, &d), 0);
	ck_assert_uint_eq(n, 2);
	ck_assert_int_eq(source_scan_rows(sc, "t", seen_row, &all, &d), 0);
	ck_assert_str_eq(all.text, "1|1.50\n");
	ck_assert_uint_eq(all.pos[0], 1);
	source_scan_free(sc);
	fx_done(&f);
}
END_TEST

START_TEST(csv_beside_parquet_names_both_files)
{
	struct fx f;
	struct source_scan *sc;
	struct diag d = { "" };
	const char *const *names;
	size_t n;

	fx_init(&f);
	fx_csv(&f, "t", "id\n1\n");
	fx_parquet(&f, "t", "SELECT 1 AS id");
	source_scan_plan(fx_open(&f), "t", &d);
	source_load(f.src);
	ck_assert_int_eq(source_scan_open(&sc, f.src, "t", NULL, &d), 0);
	ck_assert_int_eq(source_scan_header(sc, &names, &n, &d), -1);
	ck_assert_msg(strstr(d.msg, "t.csv and ") && strstr(d.msg, "t.parquet: two files"),
		      "%s", d.msg);
	source_scan_free(sc);
	fx_done(&f);
}
END_TEST

START_TEST(a_parquet_side_compares_by_value_with_a_csv_side)
{
	struct fx f;
	static const char *key[] = { "id" };
	struct check_cfg cc;
	struct check_result cr;
	struct config cfg;
	struct arena a;
	struct diag d = { "" };

	fx_init(&f);
	/* DECIMAL 1.50 and DOUBLE 2.0 are the CSV side's 1.5 and 2 */
	fx_parquet(&f, "l", "SELECT * FROM (VALUES (1, 1.50::DECIMAL(10,2), 2.0::DOUBLE), "
			    "(2, 3.00::DECIMAL(10,2), 4.5::DOUBLE)) t(id, v, w)");
	fx_csv(&f, "r", "id,v,w\n1,1.5,2\n2,3,4.25\n");
	memset(&cc, 0, sizeof(cc));
	memset(&cr, 0, sizeof(cr));
	memset(&cfg, 0, sizeof(cfg));
	cfg.samples = 5;
	cc.id = "cmp";
	cc.kind = KIND_COMPARE;
	cc.left_source = cc.right_source = "snap";
	cc.left_table = "l";
	cc.right_table = "r";
	cc.key = key;
	cc.nkey = 1;
	cr.cfg = &cc;
	arena_init(&a);
	fx_open(&f);
	ck_assert_int_eq(compare_plan(&cc, f.src, f.src, &d), 0);
	source_load(f.src);
	ck_assert_msg(compare_eval(&cr, f.src, f.src, &cfg, &a, &d) == 0, "%s", d.msg);
	ck_assert_int_eq(cr.changed, 1);
	ck_assert_int_eq(cr.missing + cr.extra, 0);
	ck_assert_uint_eq(cr.nsamples, 1);
	ck_assert_str_eq(cr.samples[0][1], "2");
	ck_assert_str_eq(cr.samples[0][2], "w");
	ck_assert_str_eq(cr.samples[0][3], "4.5");
	ck_assert_str_eq(cr.samples[0][4], "4.25");
	arena_release(&a);
	fx_done(&f);
}
END_TEST

START_TEST(pg_narrows_on_text_key_fields_first)
{
	static const char *cols[] = { "tenant", "id" };
	struct key_field keys[] = {
		{ "t-1", 3, false }, { "10", 2, true },
		{ "t'2", 3, false }, { "1e1", 3, true },
		{ "t-1", 3, false }, { "7", 1, true },
	};
	struct key_field nulls[] = { { NULL, 0, false }, { "5", 1, true },
				     { "a", 1, false }, { NULL, 0, false } };
	struct key_field numbers[] = { { "1", 1, true }, { "5", 1, true } };
	struct key_field many[2 * 1500];
	char texts[1500][8], *sql;
	size_t i;

	sql = pg_narrow_sql("t", cols, 2, keys, 3);
	ck_assert_str_eq(sql, "SELECT * FROM \"t\" WHERE CAST(\"tenant\" AS text) = "
			      "ANY (ARRAY[E't''2', E't-1'])");
	free(sql);
	/* a NULL in each field: per key, IS NULL (a number left to the caller) */
	sql = pg_narrow_sql("t", cols, 2, nulls, 2);
	ck_assert_str_eq(sql, "SELECT * FROM \"t\" WHERE (\"tenant\" IS NULL) OR "
			      "(CAST(\"tenant\" AS text) = E'a' AND \"id\" IS NULL)");
	free(sql);
	/* numbers only: by their canonical text (an integer column prints
	 * them so; the caller reads all again when a row spelled 1e1 is
	 * missed), however many keys */
	sql = pg_narrow_sql("t", cols, 2, numbers, 1);
	ck_assert_str_eq(sql, "SELECT * FROM \"t\" WHERE CAST(\"tenant\" AS text) = ANY (ARRAY[E'1']) "
			      "AND CAST(\"id\" AS text) = ANY (ARRAY[E'5'])");
	free(sql);
	for (i = 0; i < 1500; i++) {
		snprintf(texts[i], sizeof(texts[i]), "%zu", i);
		many[2 * i] = (struct key_field){ NULL, 0, false };
		many[2 * i + 1] = (struct key_field){ texts[i], strlen(texts[i]), true };
	}
	/* a NULL in every key's first field: the second alone */
	sql = pg_narrow_sql("t", cols, 2, many, 1500);
	ck_assert_ptr_nonnull(sql);
	ck_assert_ptr_nonnull(strstr(sql, "WHERE CAST(\"id\" AS text) = ANY (ARRAY[E'0', E'1', "));
	ck_assert_ptr_nonnull(strstr(sql, "E'1499', E'15', "));
	ck_assert_ptr_nonnull(strstr(sql, "E'999'])"));
	free(sql);
}
END_TEST

static Suite *scan_suite(void)
{
	Suite *s = suite_create("source_scan");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, csv_rows_are_read_again_at_their_offsets);
	tcase_add_test(tc, a_rewritten_file_is_an_error_when_read_again);
	tcase_add_test(tc, parquet_tables_are_read_by_the_engine_by_key);
	tcase_add_test(tc, csv_beside_parquet_names_both_files);
	tcase_add_test(tc, a_parquet_side_compares_by_value_with_a_csv_side);
	tcase_add_test(tc, pg_narrows_on_text_key_fields_first);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(scan_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
