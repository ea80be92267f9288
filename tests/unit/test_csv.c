/*
 * test_csv.c: the contract's CSV rules, one test each, over source_csv.c
 * and source_snapshot.c (snapshot directories on DuckDB).
 *
 * Data: tests/unit/csv/ (small files made for one rule each; their bytes
 * matter: CRLF, BOM, invalid UTF-8) and the real-world files in
 * tests/data (csv-spectrum's edge cases with their expected parses,
 * pagila's payment and customer tables).  Paths are relative to the
 * repository root, where `make` runs the tests.
 */
#include <check.h>
#include <dirent.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <csv.h>

#include "source_csv.h"
#include "source_snapshot.h"

#define DATA "tests/unit/csv"
#define REAL "tests/data"

/* ---- helpers ---------------------------------------------------------- */

struct collected {
	json_t *records;	/* array of arrays: strings, null for NULL */
	json_t *lines;		/* array of each record's line */
	json_t *offsets;	/* array of each record's byte offset */
	int stop_after;		/* stop after this many records (0: never) */
};

static int collect(void *ctx, const struct csv_record *rec)
{
	struct collected *c = ctx;
	json_t *row = json_array();

	for (size_t i = 0; i < rec->nfields; i++) {
		const struct csv_field *f = &rec->fields[i];

		json_array_append_new(row, f->s ? json_stringn(f->s, f->len) : json_null());
	}
	ck_assert_int_eq(rec->header, json_array_size(c->records) == 0);
	json_array_append_new(c->records, row);
	json_array_append_new(c->lines, json_integer(rec->line));
	json_array_append_new(c->offsets, json_integer((json_int_t)rec->offset));
	if (c->stop_after && (int)json_array_size(c->records) >= c->stop_after)
		return 1;
	return 0;
}

/* Read path; rc is csv_read_file's result, records/lines kept in c. */
static int read_all(const char *path, struct collected *c, struct diag *d, long long *rows)
{
	struct csv_read_opts opts = {NULL, false, rows};

	c->records = json_array();
	c->lines = json_array();
	c->offsets = json_array();
	d->msg[0] = '\0';
	return csv_read_file(path, collect, c, &opts, d);
}

static void collected_free(struct collected *c)
{
	json_decref(c->records);
	json_decref(c->lines);
	json_decref(c->offsets);
}

/* The error a file gives, asserting that it fails. */
static const char *error_of(const char *path)
{
	static struct diag d;
	struct collected c = {0};

	ck_assert_int_eq(read_all(path, &c, &d, NULL), -1);
	collected_free(&c);
	return d.msg;
}

static void assert_records(const struct collected *c, const char *expected_json)
{
	json_error_t err;
	json_t *want = json_loads(expected_json, 0, &err);

	ck_assert_msg(want != NULL, "bad expected JSON: %s", err.text);
	if (!json_equal(want, c->records)) {
		char *got = json_dumps(c->records, JSON_COMPACT);

		ck_abort_msg("got %s, want %s", got, expected_json);
	}
	json_decref(want);
}

static char *make_tmpdir(void)
{
	char *dir = strdup("/tmp/recon-test-csv-XXXXXX");

	ck_assert_ptr_nonnull(mkdtemp(dir));
	return dir;
}

static void write_file(const char *dir, const char *name, const char *bytes, size_t len)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	f = fopen(path, "wb");
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(bytes, 1, len, f), len);
	fclose(f);
}

static void remove_tree(char *dir)
{
	DIR *dp = opendir(dir);
	struct dirent *de;
	char path[4096];

	while (dp && (de = readdir(dp)) != NULL) {
		if (de->d_name[0] == '.' && (!de->d_name[1] || (de->d_name[1] == '.' && !de->d_name[2])))
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
		unlink(path);
	}
	if (dp)
		closedir(dp);
	rmdir(dir);
	free(dir);
}

/* A snapshot directory over dir, as source.c opens it. */
struct fixture {
	struct snapshot *sn;
	struct diag d;
};

/* 0: large files only are streamed; the "streamed" cases stream every
 * file that one SQL text reads. */
static long long stream_bytes;

static void stream_everything(void)
{
	stream_bytes = 1;
}

static void fixture_open_threads(struct fixture *f, const char *dir, int threads)
{
	struct snapshot_opts o = { NULL, NULL, threads, stream_bytes };

	memset(f, 0, sizeof *f);
	ck_assert_msg(snapshot_open(&f->sn, "legacy", dir, &o, &f->d) == 0, "%s", f->d.msg);
}

static void fixture_open(struct fixture *f, const char *dir)
{
	fixture_open_threads(f, dir, 1);
}

static void fixture_close(struct fixture *f)
{
	snapshot_close(f->sn);
}

/* Every row of a result, cells joined by '|' and rows by '\n' (NULL as
 * "NULL"). */
struct rows {
	char text[8192];
	size_t n;
};

static int rows_row(void *ctx, size_t ncols, const struct cell *cells)
{
	struct rows *r = ctx;
	size_t len = strlen(r->text);

	for (size_t i = 0; i < ncols; i++)
		len += (size_t)snprintf(r->text + len, sizeof r->text - len, "%s%.*s",
					i ? "|" : (r->n ? "\n" : ""),
					cells[i].s ? (int)cells[i].len : 4,
					cells[i].s ? cells[i].s : "NULL");
	r->n++;
	return len < sizeof r->text - 1 ? 0 : -1;
}

/* Run sql through snapshot_query (planned first unless plan is false);
 * 0 or -1 (f->d says why); rows in r. */
static int run_sql(struct fixture *f, const char *sql, struct rows *r, bool plan)
{
	struct row_sink sink = { NULL, rows_row, r };

	memset(r, 0, sizeof *r);
	f->d.msg[0] = '\0';
	if (plan) {
		if (snapshot_plan(f->sn, sql, &f->d) < 0)
			return -1;
		snapshot_load(f->sn, false);
	}
	return snapshot_query(f->sn, sql, &sink, &f->d);
}

/* Plan, load and run sql, then return its rows as text, in a static
 * buffer. */
static const char *query1(struct fixture *f, const char *sql)
{
	static struct rows r;

	ck_assert_msg(run_sql(f, sql, &r, true) == 0, "%s: %s", sql, f->d.msg);
	return r.text;
}

/* The error sql gives, asserting that it fails. */
static const char *query_error(struct fixture *f, const char *sql)
{
	struct rows r;

	ck_assert_msg(run_sql(f, sql, &r, false) == -1, "%s: no error", sql);
	return f->d.msg;
}

/* ---- the reader: RFC 4180 as the contract reads it -------------------- */

/* Every csv-spectrum case parses to its JSON.  The JSON gives each value
 * as a string; the cases hold no empty unquoted field (empty.csv's empties
 * are quoted, "" in the JSON and "" by the contract too), so the NULL rule
 * has its own test below. */
START_TEST(test_csv_spectrum_cases_parse_as_published)
{
	static const char *cases[] = {
		"comma_in_quotes", "empty", "empty_crlf", "escaped_quotes", "json", "newlines",
		"newlines_crlf", "quotes_and_newlines", "simple", "simple_crlf", "utf8",
	};

	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		char csv[512], js[512];
		struct collected c = {0};
		struct diag d;
		json_error_t err;
		json_t *want, *got = json_array(), *header;
		size_t k;
		json_t *row;

		snprintf(csv, sizeof csv, REAL "/csv-spectrum/csvs/%s.csv", cases[i]);
		snprintf(js, sizeof js, REAL "/csv-spectrum/json/%s.json", cases[i]);
		ck_assert_msg(read_all(csv, &c, &d, NULL) == 0, "%s: %s", cases[i], d.msg);
		want = json_load_file(js, 0, &err);
		ck_assert_msg(want != NULL, "%s: %s", js, err.text);
		header = json_array_get(c.records, 0);
		json_array_foreach(c.records, k, row) {
			json_t *obj;

			if (k == 0)
				continue;
			obj = json_object();
			for (size_t j = 0; j < json_array_size(row); j++) {
				json_t *v = json_array_get(row, j);

				ck_assert_msg(!json_is_null(v), "%s: unexpected NULL", cases[i]);
				json_object_set(obj, json_string_value(json_array_get(header, j)), v);
			}
			json_array_append_new(got, obj);
		}
		if (!json_equal(want, got)) {
			char *g = json_dumps(got, JSON_COMPACT);

			ck_abort_msg("%s: got %s", cases[i], g);
		}
		json_decref(want);
		json_decref(got);
		collected_free(&c);
	}
}
END_TEST

START_TEST(test_empty_unquoted_field_is_null_quoted_empty_is_empty_string)
{
	struct collected c = {0};
	struct diag d;

	ck_assert_int_eq(read_all(DATA "/reader/nulls.csv", &c, &d, NULL), 0);
	assert_records(&c, "[[\"a\",\"b\",\"c\"],[\"1\",null,\"\"],[null,\"\",null]]");
	collected_free(&c);
}
END_TEST

START_TEST(test_spaces_are_part_of_the_field)
{
	struct collected c = {0};
	struct diag d;

	ck_assert_int_eq(read_all(DATA "/reader/spaces.csv", &c, &d, NULL), 0);
	assert_records(&c, "[[\"a\",\"b\"],[\" x \",\" y\\t\"]]");
	collected_free(&c);
}
END_TEST

/* libcsv itself, told that nothing is a space: the reference parse. */
struct ref {
	json_t *records;
	json_t *row;
};

static void ref_field(void *s, size_t len, void *data)
{
	struct ref *r = data;

	json_array_append_new(r->row, s ? json_stringn(s, len) : json_null());
}

static void ref_record(int c, void *data)
{
	struct ref *r = data;

	(void)c;
	json_array_append_new(r->records, r->row);
	r->row = json_array();
}

static int no_space(unsigned char c)
{
	(void)c;
	return 0;
}

/* The records of bytes as libcsv reads them without trimming, or NULL when
 * source_csv.c must refuse them (a parse error, a ragged row, no header). */
static json_t *ref_parse(const char *bytes, size_t len)
{
	struct csv_parser p;
	struct ref r = { json_array(), json_array() };
	bool ok;
	size_t i;

	ck_assert_int_eq(csv_init(&p, CSV_STRICT | CSV_STRICT_FINI | CSV_EMPTY_IS_NULL), 0);
	csv_set_space_func(&p, no_space);
	ok = csv_parse(&p, bytes, len, ref_field, ref_record, &r) == len &&
	     csv_fini(&p, ref_field, ref_record, &r) == 0;
	csv_free(&p);
	json_decref(r.row);
	for (i = 1; ok && i < json_array_size(r.records); i++)
		ok = json_array_size(json_array_get(r.records, i)) ==
		     json_array_size(json_array_get(r.records, 0));
	if (!ok || json_array_size(r.records) == 0) {
		json_decref(r.records);
		return NULL;
	}
	return r.records;
}

/* source_csv.c parses a line with no space at a field's edge with libcsv's
 * own (trimming) space test, for speed: 20,000 random files of spaces,
 * tabs, commas, quotes, CR, LF and letters must read exactly as libcsv
 * reads them with nothing trimmed, and fail where it fails. */
START_TEST(test_spaces_never_trimmed_random)
{
	static const char alphabet[] = "ab ,\"\t\r\n  ,\"";
	char *dir = make_tmpdir(), path[4096], bytes[64];
	unsigned long long x = 0x9e3779b97f4a7c15ULL;
	int n, i, same = 0, refused = 0;

	snprintf(path, sizeof path, "%s/t.csv", dir);
	for (n = 0; n < 20000; n++) {
		struct collected c = {0};
		struct diag d;
		json_t *want;
		size_t len;
		int rc;

		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		len = 1 + x % 40;
		for (i = 0; i < (int)len; i++) {
			x ^= x << 13, x ^= x >> 7, x ^= x << 17;
			bytes[i] = alphabet[x % (sizeof(alphabet) - 1)];
		}
		write_file(dir, "t.csv", bytes, len);
		want = ref_parse(bytes, len);
		rc = read_all(path, &c, &d, NULL);
		if (!want) {
			ck_assert_msg(rc == -1, "case %d: [%.*s] read, libcsv refuses it", n, (int)len,
				      bytes);
			refused++;
		} else {
			char *got = json_dumps(c.records, JSON_COMPACT);

			ck_assert_msg(rc == 0 && json_equal(want, c.records),
				      "case %d: [%.*s]: got %s (%s)", n, (int)len, bytes, got, d.msg);
			free(got);
			json_decref(want);
			same++;
		}
		collected_free(&c);
	}
	/* both outcomes are well represented */
	ck_assert_int_gt(same, 2000);
	ck_assert_int_gt(refused, 2000);
	remove_tree(dir);
}
END_TEST

/* The checks run over each read's whole lines at once (source_csv.c, struct
 * span): over 3 MB, so over several reads and lines cut by a read's end,
 * fields with and without spaces and tabs at their edges, quoted ones with
 * a newline inside, read exactly as libcsv reads them with nothing trimmed;
 * then a NUL or a byte that is not UTF-8 on a line far into the file is
 * reported for that line, and only there. */
START_TEST(test_checks_hold_across_reads)
{
	static const char *const tok[] = { "ab", " ab", "ab ", "a b", "\t", " ", "",
					   "\"a b\"", "\" x\"", "\"a\nb\"", "\"q \"\"\"", "xyzzy" };
	static const char bad[] = { '\0', '\xff' };
	static const char *const what[] = { "NUL byte", "invalid UTF-8" };
	size_t cap = 3 * 1024 * 1024 + 256, len = 0, at;
	char *dir = make_tmpdir(), path[4096], want[4200];
	char *bytes = malloc(cap);
	unsigned long long x = 0x2545f4914f6cdd1dULL;
	struct collected c = {0};
	struct diag d;
	json_t *ref;
	long line;
	int b;

	snprintf(path, sizeof path, "%s/t.csv", dir);
	len += (size_t)snprintf(bytes, cap, "f,g,h\n");
	while (len < cap - 256) {
		for (int f = 0; f < 3; f++) {
			const char *t;

			x ^= x << 13, x ^= x >> 7, x ^= x << 17;
			t = tok[x % (sizeof(tok) / sizeof(*tok))];
			memcpy(bytes + len, t, strlen(t));
			len += strlen(t);
			bytes[len++] = f < 2 ? ',' : '\n';
		}
	}
	write_file(dir, "t.csv", bytes, len);
	ref = ref_parse(bytes, len);
	ck_assert_ptr_nonnull(ref);
	ck_assert_msg(read_all(path, &c, &d, NULL) == 0, "%s", d.msg);
	ck_assert_msg(json_equal(ref, c.records), "records differ from libcsv's");
	ck_assert_int_gt(json_array_size(c.records), 100000);
	json_decref(ref);
	collected_free(&c);

	/* a fault in the first field of the line after 2.5 MB */
	at = 5 * 512 * 1024;
	while (bytes[at - 1] != '\n')
		at++;
	line = 1;
	for (size_t i = 0; i < at; i++)
		line += bytes[i] == '\n';
	for (b = 0; b < 2; b++) {
		char keep = bytes[at];

		bytes[at] = bad[b];
		write_file(dir, "t.csv", bytes, len);
		snprintf(want, sizeof want, "%s:%ld: %s", path, line, what[b]);
		ck_assert_str_eq(error_of(path), want);
		bytes[at] = keep;
	}
	free(bytes);
	remove_tree(dir);
}
END_TEST

/* Write "h...h,b\n" (h letters), then k x's and the tail bytes, as t.csv. */
static void write_line_case(const char *dir, int h, int k, const char *tail, size_t tlen)
{
	char bytes[128];
	size_t len;

	memset(bytes, 'h', (size_t)h);
	len = (size_t)h;
	memcpy(bytes + len, ",b\n", 3);
	len += 3;
	memset(bytes + len, 'x', (size_t)k);
	len += (size_t)k;
	memcpy(bytes + len, tail, tlen);
	write_file(dir, "t.csv", bytes, len + tlen);
}

/* A NUL, a byte that is not UTF-8 and a space at a field's edge are found
 * wherever they fall against the 8-byte words and vectors the reader's
 * checks scan in, and count for their own line only: the header before
 * them has every length from 1 to 17 bytes, and each sits at every place
 * from 0 to 16 of its line; the line after them is clean. */
START_TEST(test_line_scan_word_positions)
{
	static const char bad[] = { '\0', '\xff', '\xc3' };
	static const char *const what[] = { "NUL byte", "invalid UTF-8", "invalid UTF-8" };
	char *dir = make_tmpdir(), path[4096], want[4200], tail[17], rec[64];
	int h, k, b;

	snprintf(path, sizeof path, "%s/t.csv", dir);
	memcpy(tail + 1, "y,z\nclean,line\n", 16);
	for (h = 1; h <= 17; h++) {
		for (k = 0; k <= 16; k++) {
			struct collected c = {0};
			struct diag d;

			for (b = 0; b < 3; b++) {
				tail[0] = bad[b];
				write_line_case(dir, h, k, tail, sizeof tail);
				snprintf(want, sizeof want, "%s:2: %s", path, what[b]);
				ck_assert_str_eq(error_of(path), want);
			}
			/* a space at the end of a field: kept, on the right line */
			write_line_case(dir, h, k, " ,z\n", 4);
			ck_assert_int_eq(read_all(path, &c, &d, NULL), 0);
			snprintf(rec, sizeof rec, "[[\"%.*s\",\"b\"],[\"%.*s \",\"z\"]]", h,
				 "hhhhhhhhhhhhhhhhh", k, "xxxxxxxxxxxxxxxxx");
			assert_records(&c, rec);
			collected_free(&c);
		}
	}
	remove_tree(dir);
}
END_TEST

START_TEST(test_utf8_bom_is_ignored)
{
	struct collected c = {0};
	struct diag d;

	ck_assert_int_eq(read_all(DATA "/reader/bom.csv", &c, &d, NULL), 0);
	assert_records(&c, "[[\"id\",\"name\"],[\"1\",\"x\"]]");
	/* the header begins after the BOM's three bytes */
	ck_assert_int_eq(json_integer_value(json_array_get(c.offsets, 0)), 3);
	collected_free(&c);
	ck_assert_str_eq(error_of(DATA "/reader/bom_only.csv"),
			 DATA "/reader/bom_only.csv: empty file (no header)");
}
END_TEST

START_TEST(test_crlf_line_ends)
{
	struct collected c = {0};
	struct diag d;

	ck_assert_int_eq(read_all(DATA "/reader/crlf.csv", &c, &d, NULL), 0);
	assert_records(&c, "[[\"a\",\"b\"],[\"1\",\"2\"],[\"3\",\"4\"]]");
	assert_records(&(struct collected){.records = c.lines}, "[1,2,3]");
	collected_free(&c);
}
END_TEST

START_TEST(test_records_know_their_physical_line_and_offset)
{
	struct collected c = {0};
	struct diag d;
	long long rows = -1;

	/* a,b,c / 1,2,3 / "Once upon \n a time",5,6 / 7,8,9 */
	ck_assert_int_eq(read_all(REAL "/csv-spectrum/csvs/newlines.csv", &c, &d, &rows), 0);
	ck_assert_int_eq(rows, 3);
	assert_records(&(struct collected){.records = c.lines}, "[1,2,3,5]");
	assert_records(&(struct collected){.records = c.offsets}, "[0,6,12,36]");
	collected_free(&c);
}
END_TEST

START_TEST(test_blank_lines_are_skipped_and_last_newline_is_optional)
{
	struct collected c = {0};
	struct diag d;

	ck_assert_int_eq(read_all(DATA "/reader/blank_line.csv", &c, &d, NULL), 0);
	assert_records(&c, "[[\"a\",\"b\"],[\"1\",\"2\"],[\"3\",\"4\"]]");
	assert_records(&(struct collected){.records = c.lines}, "[1,2,4]");
	collected_free(&c);
	ck_assert_int_eq(read_all(DATA "/reader/no_final_newline.csv", &c, &d, NULL), 0);
	assert_records(&c, "[[\"a\",\"b\"],[\"1\",\"2\"]]");
	collected_free(&c);
}
END_TEST

START_TEST(test_ragged_row_names_its_line)
{
	ck_assert_str_eq(error_of(DATA "/reader/ragged.csv"),
			 DATA "/reader/ragged.csv:3: ragged row: 2 fields, header has 3");
	/* line 2 holds a field with a newline: the ragged record is on line 4 */
	ck_assert_str_eq(error_of(DATA "/reader/ragged_after_newline.csv"),
			 DATA "/reader/ragged_after_newline.csv:4: ragged row: 3 fields, header has 2");
}
END_TEST

START_TEST(test_unclosed_quote_names_the_line_where_the_field_began)
{
	/* the quote opened on line 3 runs to the end of the file */
	ck_assert_str_eq(error_of(DATA "/reader/unclosed_quote.csv"),
			 DATA "/reader/unclosed_quote.csv:3: unclosed quote");
	/* the quote opened on line 2 swallows line 3's newline and breaks on
	 * its next quote: still the field of line 2 */
	ck_assert_str_eq(error_of(DATA "/reader/unclosed_quote_mid.csv"),
			 DATA "/reader/unclosed_quote_mid.csv:2: unclosed quote (the field runs to line 3)");
}
END_TEST

START_TEST(test_invalid_utf8_names_its_line)
{
	ck_assert_str_eq(error_of(DATA "/reader/bad_utf8.csv"),
			 DATA "/reader/bad_utf8.csv:3: invalid UTF-8");
	/* an overlong "/" after a multi-line field */
	ck_assert_str_eq(error_of(DATA "/reader/bad_utf8_overlong.csv"),
			 DATA "/reader/bad_utf8_overlong.csv:4: invalid UTF-8");
}
END_TEST

START_TEST(test_bad_quoting_names_its_line)
{
	ck_assert_str_eq(error_of(DATA "/reader/bad_quoting.csv"),
			 DATA "/reader/bad_quoting.csv:2: bad quoting");
	ck_assert_str_eq(error_of(DATA "/reader/bad_quoting_after_quote.csv"),
			 DATA "/reader/bad_quoting_after_quote.csv:2: bad quoting");
}
END_TEST

START_TEST(test_missing_file_names_its_path)
{
	ck_assert_str_eq(error_of(DATA "/reader/nosuch.csv"), DATA "/reader/nosuch.csv: no such file");
}
END_TEST

START_TEST(test_empty_file_has_no_header)
{
	ck_assert_str_eq(error_of(DATA "/reader/empty.csv"),
			 DATA "/reader/empty.csv: empty file (no header)");
}
END_TEST

START_TEST(test_header_only_file_has_zero_rows)
{
	struct collected c = {0};
	struct diag d;
	long long rows = -1;

	ck_assert_int_eq(read_all(DATA "/reader/header_only.csv", &c, &d, &rows), 0);
	ck_assert_int_eq(rows, 0);
	assert_records(&c, "[[\"a\",\"b\",\"c\"]]");
	collected_free(&c);
}
END_TEST

START_TEST(test_callback_can_stop_after_the_header)
{
	struct collected c = {.stop_after = 1};
	struct diag d;
	long long rows = -1;

	ck_assert_int_eq(read_all(REAL "/pagila/payment.csv", &c, &d, &rows), 0);
	ck_assert_int_eq(json_array_size(c.records), 1);
	ck_assert_int_eq(rows, 0);
	collected_free(&c);
}
END_TEST

START_TEST(test_sha256_covers_every_byte_and_rows_are_counted)
{
	struct sha256_ctx *sha = sha256_new();
	struct csv_read_opts opts;
	struct collected c = {0};
	struct diag d;
	char got[65], want[65];
	long long rows = -1;

	c.records = json_array();
	c.lines = json_array();
	c.offsets = json_array();
	opts.sha = sha;
	opts.progress = false;
	opts.rows = &rows;
	ck_assert_int_eq(csv_read_file(DATA "/reader/bom.csv", collect, &c, &opts, &d), 0);
	sha256_final_hex(sha, got);
	ck_assert_int_eq(sha256_file_hex(DATA "/reader/bom.csv", want, &d), 0);
	ck_assert_str_eq(got, want);
	ck_assert_int_eq(rows, 1);
	collected_free(&c);
}
END_TEST

/* The digest of a file refused early (a ragged row on line 3 of 3 MB,
 * read ahead and hashed by the reader's thread; of 1.5 MB, more than a
 * read but hashed by the parser) still covers every byte, as the digest
 * of a file read through does. */
START_TEST(test_sha256_of_a_refused_file_covers_it_whole)
{
	char *dir = make_tmpdir(), path[4096], got[65], want[65], msg[4200];
	size_t cap = 3 * 1024 * 1024, len = 0;
	char *bytes = malloc(cap + 64);
	struct collected c = {0};
	struct diag d;

	len += (size_t)snprintf(bytes, 64, "a,b\n1,2\n3\n");
	while (len < cap)
		len += (size_t)snprintf(bytes + len, 64, "%zu,x\n", len);
	snprintf(path, sizeof path, "%s/t.csv", dir);
	for (int k = 0; k < 4; k++) {
		struct sha256_ctx *sha = sha256_new();
		struct csv_read_opts opts = {sha, false, NULL};

		write_file(dir, "t.csv", bytes, k < 2 ? len : 1536 * 1024);

		c.records = json_array();
		c.lines = json_array();
		c.offsets = json_array();
		ck_assert_int_eq((k % 2 ? csv_read_file_libcsv : csv_read_file)(path, collect, &c, &opts,
										 &d),
				 -1);
		snprintf(msg, sizeof msg, "%s:3: ragged row: 1 fields, header has 2", path);
		ck_assert_str_eq(d.msg, msg);
		sha256_final_hex(sha, got);
		ck_assert_int_eq(sha256_file_hex(path, want, &d), 0);
		ck_assert_str_eq(got, want);
		collected_free(&c);
	}
	free(bytes);
	remove_tree(dir);
}
END_TEST

/* A field far longer than the read buffer, with multi-byte characters
 * across every possible cut, reads back whole. */
START_TEST(test_fields_longer_than_the_read_buffer)
{
	char *dir = make_tmpdir(), path[4096];
	size_t n = 3 * 1024 * 1024 + 1, len = 0;
	char *bytes = malloc(n + 64);
	struct collected c = {0};
	struct diag d;
	const char *v;

	len += (size_t)snprintf(bytes, 64, "a,b\n1,\"");
	for (size_t start = len; len - start < n - 8;) {
		memcpy(bytes + len, "\xC3\xA9x\xE2\x82\xAC\n", 7);	/* é x € \n */
		len += 7;
	}
	memcpy(bytes + len, "\"\n2,3\n", 6);
	len += 6;
	write_file(dir, "long.csv", bytes, len);
	snprintf(path, sizeof path, "%s/long.csv", dir);
	ck_assert_msg(read_all(path, &c, &d, NULL) == 0, "%s", d.msg);
	ck_assert_int_eq(json_array_size(c.records), 3);
	v = json_string_value(json_array_get(json_array_get(c.records, 1), 1));
	ck_assert_uint_eq(strlen(v), len - 6 - 7);
	ck_assert_int_eq(json_integer_value(json_array_get(c.lines, 2)),
			 2 + (json_int_t)((len - 13) / 7) + 1);
	collected_free(&c);
	free(bytes);
	remove_tree(dir);
}
END_TEST

/* ---- the fast path: lines without quotes, split by the reader --------- */

/* Every record read, folded into one FNV-1a hash: its fields (NULL apart
 * from ""), line and offset. */
struct digest {
	uint64_t h;
	long long n;
};

static void fold(struct digest *g, const void *p, size_t len)
{
	const unsigned char *b = p;

	for (size_t i = 0; i < len; i++)
		g->h = (g->h ^ b[i]) * 0x100000001b3ULL;
}

static int digest_record(void *ctx, const struct csv_record *rec)
{
	struct digest *g = ctx;

	for (size_t i = 0; i < rec->nfields; i++) {
		const struct csv_field *f = &rec->fields[i];
		unsigned char tag = f->s ? 1 : 0;

		fold(g, &tag, 1);
		fold(g, &f->len, sizeof f->len);
		if (f->s)
			fold(g, f->s, f->len);
	}
	fold(g, &rec->nfields, sizeof rec->nfields);
	fold(g, &rec->line, sizeof rec->line);
	fold(g, &rec->offset, sizeof rec->offset);
	g->n++;
	return 0;
}

/* Every record of a file as read, and as csv_read_record_at reads it
 * again: its fields' digest (no line: a record read again has none), its
 * offset and width. */
struct reread_rec {
	uint64_t h, offset;
	size_t nfields;
};
struct reread_all {
	struct reread_rec *r;
	size_t n, cap;
};

static uint64_t fields_digest(const struct csv_record *rec)
{
	struct digest g = { 0xcbf29ce484222325ULL, 0 };
	struct csv_record r = *rec;

	r.line = 0;
	digest_record(&g, &r);
	return g.h;
}

static int note_record(void *ctx, const struct csv_record *rec)
{
	struct reread_all *a = ctx;

	if (rec->header)
		return 0;
	if (a->n == a->cap) {
		a->cap = a->cap ? 2 * a->cap : 64;
		a->r = realloc(a->r, a->cap * sizeof(*a->r));
		ck_assert_ptr_nonnull(a->r);
	}
	a->r[a->n++] = (struct reread_rec){ fields_digest(rec), rec->offset, rec->nfields };
	return 0;
}

static int digest_one(void *ctx, const struct csv_record *rec)
{
	*(uint64_t *)ctx = fields_digest(rec);
	return 0;
}

/* Each record of a file read whole, read again at its offset: the same
 * fields, both where recon's reader splits the line and where libcsv
 * must. */
static void reread_as_read(const char *path, const char *what)
{
	struct reread_all a = { NULL, 0, 0 };
	struct csv_read_opts opts = {NULL, false, NULL};
	struct diag d = { "" };
	int fd;

	ck_assert_int_eq(csv_read_file(path, note_record, &a, &opts, &d), 0);
	fd = open(path, O_RDONLY);
	ck_assert_int_ge(fd, 0);
	for (size_t i = 0; i < a.n; i++) {
		uint64_t h = 0;

		ck_assert_msg(csv_read_record_at(fd, path, a.r[i].offset, a.r[i].nfields, digest_one,
						 &h, &d) == 0,
			      "%s: record at %llu not read again: %s", what,
			      (unsigned long long)a.r[i].offset, d.msg);
		ck_assert_msg(h == a.r[i].h, "%s: record at %llu read again differs", what,
			      (unsigned long long)a.r[i].offset);
	}
	/* a width other than the record's is a change */
	if (a.n > 0) {
		uint64_t h = 0;

		ck_assert_int_eq(csv_read_record_at(fd, path, a.r[0].offset, a.r[0].nfields + 1,
						    digest_one, &h, &d), -1);
		ck_assert_msg(strstr(d.msg, "changed while it was read"), "%s", d.msg);
	}
	close(fd);
	free(a.r);
}

/* Read path with csv_read_file and with csv_read_file_libcsv (every line
 * through libcsv, the reference): the same result, error, records, lines,
 * offsets and row count.  Returns csv_read_file's result; its error in
 * msg. */
static int same_as_libcsv(const char *path, const char *what, char *msg, size_t msgsize)
{
	struct digest g = { 0xcbf29ce484222325ULL, 0 }, ref = g;
	struct csv_read_opts opts = {NULL, false, NULL}, refopts = opts;
	struct diag d = { "" }, dref = { "" };
	long long rows = -1, refrows = -1;
	int rc, refrc;

	opts.rows = &rows;
	refopts.rows = &refrows;
	rc = csv_read_file(path, digest_record, &g, &opts, &d);
	refrc = csv_read_file_libcsv(path, digest_record, &ref, &refopts, &dref);
	ck_assert_msg(rc == refrc, "%s: result %d, libcsv's %d (%s / %s)", what, rc, refrc, d.msg,
		      dref.msg);
	ck_assert_msg(strcmp(d.msg, dref.msg) == 0, "%s: error '%s', libcsv's '%s'", what, d.msg,
		      dref.msg);
	ck_assert_msg(g.n == ref.n && g.h == ref.h,
		      "%s: %lld records, libcsv's %lld; their fields, lines or offsets differ", what,
		      g.n, ref.n);
	ck_assert_msg(rows == refrows, "%s: %lld rows, libcsv's %lld", what, rows, refrows);
	if (rc == 0)
		reread_as_read(path, what);
	snprintf(msg, msgsize, "%s", d.msg);
	return rc;
}

/* Write bytes as DIR/t.csv, read it both ways: same_as_libcsv. */
static int bytes_as_libcsv(const char *dir, const char *bytes, size_t len, const char *what,
			   char *msg, size_t msgsize)
{
	char path[4096];

	write_file(dir, "t.csv", bytes, len);
	snprintf(path, sizeof path, "%s/t.csv", dir);
	return same_as_libcsv(path, what, msg, msgsize);
}

/* A line's quote after a long unquoted run (at every place against the
 * reader's 16-byte blocks) hands the whole line to libcsv, its commas as
 * they were; a quote inside an unquoted field is still bad quoting on its
 * own line. */
START_TEST(test_fast_path_quote_after_unquoted_run)
{
	char *dir = make_tmpdir(), bytes[512], msg[4200], want[4200], what[64];
	size_t len;

	for (int k = 0; k <= 40; k++) {
		struct collected c = {0};
		struct diag d;
		char path[4096], rec[512];

		len = (size_t)snprintf(bytes, sizeof bytes, "a,b,c\n%.*s,,\"q,\"\"r\"\"\"\n1,2,3\n", k,
				       "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx");
		snprintf(what, sizeof what, "quote after %d bytes", k);
		ck_assert_int_eq(bytes_as_libcsv(dir, bytes, len, what, msg, sizeof msg), 0);
		snprintf(path, sizeof path, "%s/t.csv", dir);
		ck_assert_int_eq(read_all(path, &c, &d, NULL), 0);
		snprintf(rec, sizeof rec,
			 "[[\"a\",\"b\",\"c\"],[%s%.*s%s,null,\"q,\\\"r\\\"\"],[\"1\",\"2\",\"3\"]]",
			 k ? "\"" : "", k, "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
			 k ? "\"" : "null");
		assert_records(&c, rec);
		collected_free(&c);

		len = (size_t)snprintf(bytes, sizeof bytes, "a,b\n1,2\n%.*s\"y,z\n", k,
				       "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx");
		ck_assert_int_eq(bytes_as_libcsv(dir, bytes, len, what, msg, sizeof msg), -1);
		snprintf(want, sizeof want, "%s/t.csv:3: %s", dir, k ? "bad quoting" : "unclosed quote");
		ck_assert_str_eq(msg, want);
	}
	remove_tree(dir);
}
END_TEST

/* A CR just before a newline ends the record on either path; a CR
 * anywhere else is libcsv's to judge (it ends a record there). */
START_TEST(test_fast_path_crlf_and_lone_cr)
{
	static const char *const cases[] = {
		"a,b\r\n1,2\r\n\r\n3,\r\n",
		"a,b\r\n1,2\r3,4\r\n",
		"a,b\n1,2\r\r\n3,4\n",
		"a,b\r\n1\r\n",
		"a,b\r\n,\r\n\r",
	};
	char *dir = make_tmpdir(), msg[4200], want[4200];
	struct collected c = {0};
	struct diag d;
	char path[4096];

	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
		bytes_as_libcsv(dir, cases[i], strlen(cases[i]), cases[i], msg, sizeof msg);
	write_file(dir, "t.csv", cases[0], strlen(cases[0]));
	snprintf(path, sizeof path, "%s/t.csv", dir);
	ck_assert_int_eq(read_all(path, &c, &d, NULL), 0);
	assert_records(&c, "[[\"a\",\"b\"],[\"1\",\"2\"],[\"3\",null]]");
	assert_records(&(struct collected){.records = c.lines}, "[1,2,4]");
	assert_records(&(struct collected){.records = c.offsets}, "[0,5,12]");
	collected_free(&c);
	ck_assert_int_eq(bytes_as_libcsv(dir, cases[3], strlen(cases[3]), "ragged", msg, sizeof msg),
			 -1);
	snprintf(want, sizeof want, "%s/t.csv:2: ragged row: 1 fields, header has 2", dir);
	ck_assert_str_eq(msg, want);
	remove_tree(dir);
}
END_TEST

/* Lines cut by the end of a read (1 MiB) at every place of a line: the
 * cut line, and those after it, read as libcsv reads them, on their own
 * lines and offsets; a byte that is not UTF-8, a NUL or a ragged row in
 * the cut line is reported for that line. */
START_TEST(test_fast_path_line_cut_by_a_read)
{
	static const char *const fault[] = { NULL, "\xff", "\x01", "," };
	char *dir = make_tmpdir(), msg[4200], what[64];
	size_t cap = (1u << 20) + 4096;
	char *bytes = malloc(cap);

	for (int shift = 0; shift < 20; shift++) {
		for (size_t f = 0; f < sizeof fault / sizeof *fault; f++) {
			size_t len = (size_t)snprintf(bytes, cap, "id,name,%.*s\n", shift,
						      "ppppppppppppppppppppppppppppppppppppppppppppppppp");
			long n = 0;

			while (len < cap - 128) {
				len += (size_t)snprintf(bytes + len, cap - len, "%ld,n\xC3\xA9%ld,\n", n,
							n * 7);
				n++;
			}
			/* the line the read's end cuts, at its middle */
			if (fault[f]) {
				size_t at = (1u << 20) - 1;

				while (bytes[at] == '\n' || bytes[at] == ',' ||
				       (unsigned char)bytes[at] >= 0x80)
					at--;
				bytes[at] = fault[f][0] == '\x01' ? '\0' : fault[f][0];
			}
			snprintf(what, sizeof what, "shift %d, fault %zu", shift, f);
			ck_assert_int_eq(bytes_as_libcsv(dir, bytes, len, what, msg, sizeof msg),
					 fault[f] ? -1 : 0);
		}
	}
	free(bytes);
	remove_tree(dir);
}
END_TEST

/* An unquoted field that is not UTF-8, or holds a NUL, names its line;
 * the BOM is skipped before the first line is split. */
START_TEST(test_fast_path_bad_bytes_and_bom)
{
	char *dir = make_tmpdir(), msg[4200], want[4200];
	static const char bad_utf8[] = "a,b\n1,2\n3,ab\xC3(\n5,6\n";
	static const char nul[] = "a,b\n1,2\n3,4\n5,a\0b\n";
	static const char bom[] = "\xEF\xBB\xBF" "a,b\n1,\n";
	struct collected c = {0};
	struct diag d;
	char path[4096];

	ck_assert_int_eq(bytes_as_libcsv(dir, bad_utf8, sizeof bad_utf8 - 1, "utf8", msg, sizeof msg),
			 -1);
	snprintf(want, sizeof want, "%s/t.csv:3: invalid UTF-8", dir);
	ck_assert_str_eq(msg, want);
	ck_assert_int_eq(bytes_as_libcsv(dir, nul, sizeof nul - 1, "nul", msg, sizeof msg), -1);
	snprintf(want, sizeof want, "%s/t.csv:4: NUL byte", dir);
	ck_assert_str_eq(msg, want);
	ck_assert_int_eq(bytes_as_libcsv(dir, bom, sizeof bom - 1, "bom", msg, sizeof msg), 0);
	snprintf(path, sizeof path, "%s/t.csv", dir);
	ck_assert_int_eq(read_all(path, &c, &d, NULL), 0);
	assert_records(&c, "[[\"a\",\"b\"],[\"1\",null]]");
	assert_records(&(struct collected){.records = c.offsets}, "[3,7]");
	collected_free(&c);
	remove_tree(dir);
}
END_TEST

/* Random files of unquoted, empty, quoted (with commas, quotes, newlines)
 * and spaced fields, LF or CRLF line ends, blank lines, a stray CR, a
 * ragged row, a byte that is not UTF-8, a NUL, a BOM: 3,000 small ones and
 * three of more than two reads, each read exactly as libcsv reads it. */
START_TEST(test_fast_path_reads_as_libcsv_random)
{
	static const char *const tok[] = {
		"abc", "t-0201", "", "12.50", "\xC3\xA9t\xC3\xA9", "\"q,r\"", "\"\"", "\"a\nb\"",
		"\"x\"\"y\"", " sp ", "\t", "u-0015006", "People", "2025-06-12T15:43:39Z",
	};
	char *dir = make_tmpdir(), msg[4200], what[64];
	size_t cap = 2600 * 1024;
	char *bytes = malloc(cap + 512);
	unsigned long long x = 0x5851f42d4c957f2dULL;

#define NEXT() (x ^= x << 13, x ^= x >> 7, x ^= x << 17, x)
	for (int n = 0; n < 3003; n++) {
		bool big = n >= 3000;
		size_t len = 0, limit = big ? cap : 64 + NEXT() % 3000;
		int nf = 2 + (int)(NEXT() % 4);
		bool crlf = NEXT() % 3 == 0;
		unsigned odd = big ? 20000 : 40;	/* one line in odd is odd */

		if (NEXT() % 8 == 0) {
			memcpy(bytes, "\xEF\xBB\xBF", 3);
			len = 3;
		}
		while (len < limit) {
			int fields = nf;
			unsigned r = (unsigned)(NEXT() % odd);

			if (r == 0)
				fields = nf + (NEXT() % 2 ? 1 : -1);	/* ragged */
			else if (r == 1) {
				bytes[len++] = '\n';			/* blank */
				continue;
			}
			for (int f = 0; f < fields; f++) {
				/* mostly unquoted tokens, as exports are */
				const char *t = tok[NEXT() % 4 ? NEXT() % 5 : NEXT() % (sizeof tok / sizeof *tok)];

				memcpy(bytes + len, t, strlen(t));
				len += strlen(t);
				if (f + 1 < fields)
					bytes[len++] = ',';
			}
			if (r == 2)
				bytes[len - 1] = '\r';			/* stray CR */
			else if (r == 3)
				bytes[len - 1] = '\xff';
			else if (r == 4)
				bytes[len - 1] = '\0';
			if (crlf)
				bytes[len++] = '\r';
			bytes[len++] = '\n';
		}
		if (NEXT() % 4 == 0)
			len--;	/* no final newline */
		snprintf(what, sizeof what, "random case %d", n);
		bytes_as_libcsv(dir, bytes, len, what, msg, sizeof msg);
	}
#undef NEXT
	free(bytes);
	remove_tree(dir);
}
END_TEST

/* ---- the source: files as DuckDB tables -------------------------------- */

START_TEST(test_pagila_row_counts)
{
	struct fixture f;
	const struct input *in;
	size_t n;

	fixture_open(&f, REAL "/pagila");
	ck_assert_str_eq(query1(&f, "SELECT count(*) FROM payment"), "16049");
	ck_assert_str_eq(query1(&f, "SELECT count(*) FROM customer"), "599");
	n = snapshot_inputs(f.sn, &in);
	ck_assert_uint_eq(n, 2);
	ck_assert_str_eq(in[0].table, "customer");
	ck_assert_int_eq(in[0].rows, 599);
	ck_assert_str_eq(in[1].table, "payment");
	ck_assert_int_eq(in[1].rows, 16049);
	ck_assert_str_eq(in[1].source, "legacy");
	ck_assert_uint_eq(strlen(in[1].sha256), 64);
	ck_assert_ptr_null(in[1].snapshot);
	fixture_close(&f);
}
END_TEST

/* Typed per column from the whole file: amounts of two decimals are exact
 * DECIMAL(38,2), ids BIGINT, timestamps (not plain numbers) text. */
START_TEST(test_plain_number_columns_are_typed_exactly)
{
	struct fixture f;

	fixture_open(&f, REAL "/pagila");
	ck_assert_str_eq(query1(&f, "SELECT typeof(amount) FROM payment LIMIT 1"), "DECIMAL(38,2)");
	ck_assert_str_eq(query1(&f, "SELECT typeof(customer_id) FROM payment LIMIT 1"), "BIGINT");
	ck_assert_str_eq(query1(&f, "SELECT count(*) FROM payment WHERE amount > 5"), "3957");
	/* exact: no binary rounding to print away */
	ck_assert_str_eq(query1(&f, "SELECT sum(amount) FROM payment"), "67416.51");
	ck_assert_str_eq(query1(&f, "SELECT amount FROM payment WHERE payment_id = 16050"), "1.99");
	ck_assert_str_eq(query1(&f, "SELECT typeof(payment_date) FROM payment LIMIT 1"), "VARCHAR");
	fixture_close(&f);
}
END_TEST

/* A result's whole numbers and decimals print exactly, whatever DuckDB
 * stores them as (signed and unsigned widths, HUGEINT, DECIMAL over each). */
START_TEST(test_every_width_of_number_prints_exactly)
{
	struct fixture f;

	fixture_open(&f, REAL "/pagila");
	ck_assert_str_eq(query1(&f, "SELECT (-128)::TINYINT, (-32768)::SMALLINT, "
				    "(-2147483648)::INTEGER, (-9223372036854775808)::BIGINT"),
			 "-128|-32768|-2147483648|-9223372036854775808");
	ck_assert_str_eq(query1(&f, "SELECT 255::UTINYINT, 65535::USMALLINT, "
				    "4294967295::UINTEGER, 18446744073709551615::UBIGINT"),
			 "255|65535|4294967295|18446744073709551615");
	ck_assert_str_eq(query1(&f, "SELECT (-170141183460469231731687303715884105728)::HUGEINT, "
				    "340282366920938463463374607431768211455::UHUGEINT"),
			 "-170141183460469231731687303715884105728|"
			 "340282366920938463463374607431768211455");
	ck_assert_str_eq(query1(&f, "SELECT (-1.5)::DECIMAL(4,1), 12345.678::DECIMAL(9,3), "
				    "(-0.05)::DECIMAL(18,2), "
				    "12345678901234567890123456.789::DECIMAL(38,3)"),
			 "-1.5|12345.678|-0.05|12345678901234567890123456.789");
	fixture_close(&f);
}
END_TEST

/* Rows go in by chunks of many rows: every value arrives, whichever its
 * place in a chunk (16,049 rows: full chunks and a partial last one). */
START_TEST(test_every_value_is_loaded_across_chunks)
{
	struct fixture f;

	fixture_open(&f, REAL "/pagila");
	ck_assert_str_eq(query1(&f, "SELECT count(DISTINCT payment_date) || ' ' || min(payment_date) "
				"|| ' ' || max(payment_date) || ' ' || sum(length(payment_date)) "
				"FROM payment"),
			 "16049 2022-01-23 13:03:52.212496+00 2022-07-27 10:39:20.739759+00 463558");
	ck_assert_str_eq(query1(&f, "SELECT sum(length(email)) || ' ' || sum(customer_id) FROM customer"),
			 "19091 179700");
	ck_assert_str_eq(query1(&f, "SELECT count(*) FROM customer "
				"WHERE email = 'AUSTIN.CINTRON@sakilacustomer.org'"), "1");
	fixture_close(&f);
}
END_TEST

/* One column per case: its type, and its values as the engine returns
 * them. */
START_TEST(test_columns_are_typed_by_the_contract)
{
	static const struct {
		const char *name, *csv, *type, *values;
	} cases[] = {
		{ "ints", "v\n-12\n0\n-0\n9223372036854775807\n", "BIGINT",
		  "-12\n0\n0\n9223372036854775807" },
		{ "beyond64", "v\n1\n9223372036854775808\n", "DECIMAL(38,0)", "1\n9223372036854775808" },
		{ "money", "v\n3.50\n1.5\n-0.25\n7\n", "DECIMAL(38,2)", "3.50\n1.50\n-0.25\n7.00" },
		{ "exponent", "v\n1e3\n2.5E-2\n", "DECIMAL(38,3)", "1000.000\n0.025" },
		{ "huge", "v\n1\n12345678901234567890123456789012345678901\n", "DOUBLE",
		  "1\n1.23456789012346e+40" },
		{ "tiny", "v\n1e-50\n2\n", "DOUBLE", "1e-50\n2" },
		{ "zip", "v\n08123\n12345\n", "VARCHAR", "08123\n12345" },
		{ "mixed", "v\n8.0\nunstable\n1e3\n", "VARCHAR", "8.0\nunstable\n1e3" },
		{ "thousands", "v\n\"1,000\"\n2\n", "VARCHAR", "1,000\n2" },
		{ "signs", "v\n+5\n5\n", "VARCHAR", "+5\n5" },
		{ "dots", "v\n1.\n.5\n", "VARCHAR", "1.\n.5" },
		{ "space", "v\n 1\n2\n", "VARCHAR", " 1\n2" },
		{ "quoted", "v\n\"42\"\n7\n", "BIGINT", "42\n7" },
		{ "empty", "v\n\"\"\n7\n", "VARCHAR", "\n7" },
		{ "nulls", "k,v\n1,\n2,7\n3,\n", "BIGINT", "NULL\n7\nNULL" },
	};
	char *dir = make_tmpdir();
	struct fixture f;

	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		char name[64];

		snprintf(name, sizeof name, "%s.csv", cases[i].name);
		write_file(dir, name, cases[i].csv, strlen(cases[i].csv));
	}
	fixture_open(&f, dir);
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		char sql[256];

		snprintf(sql, sizeof sql, "SELECT typeof(v) FROM %s LIMIT 1", cases[i].name);
		ck_assert_msg(strcmp(query1(&f, sql), cases[i].type) == 0, "%s: %s", cases[i].name,
			      query1(&f, sql));
		/* the file's order: one thread, no sort */
		snprintf(sql, sizeof sql, "SELECT v FROM %s", cases[i].name);
		ck_assert_msg(strcmp(query1(&f, sql), cases[i].values) == 0, "%s: %s", cases[i].name,
			      query1(&f, sql));
	}
	fixture_close(&f);
	remove_tree(dir);
}
END_TEST

/* A column typed by its first rows that a later row does not fit is typed
 * again from the whole file: nothing is lost or rounded. */
START_TEST(test_a_late_value_retypes_its_column)
{
	char *dir = make_tmpdir();
	struct strbuf sb;
	struct fixture f;

	sb_init(&sb);
	sb_puts(&sb, "a,b,c,d\n");
	for (int i = 1; i <= 5000; i++) {
		sb_addf(&sb, "%d,", i);
		if (i == 4000)
			sb_puts(&sb, "1.25,");	/* a: BIGINT becomes DECIMAL(38,2) */
		else
			sb_addf(&sb, "%d,", i);
		sb_addf(&sb, "%s,", i == 3000 ? "x" : i == 10 ? "010" : "7");	/* c: text */
		if (i > 3000)
			sb_addf(&sb, "%d", i);	/* d: NULL at first */
		sb_putc(&sb, '\n');
	}
	write_file(dir, "t.csv", sb.buf, sb.len);
	fixture_open(&f, dir);
	ck_assert_str_eq(query1(&f, "SELECT typeof(b) || ' ' || typeof(c) || ' ' || typeof(d) "
				"FROM t LIMIT 1"), "DECIMAL(38,2) VARCHAR BIGINT");
	ck_assert_str_eq(query1(&f, "SELECT sum(a), sum(b), count(c), count(d), sum(d) FROM t"),
			 "12502500|12498501.25|5000|2000|8001000");
	ck_assert_str_eq(query1(&f, "SELECT c FROM t WHERE a IN (10, 11, 3000) ORDER BY a"),
			 "010\n7\nx");
	ck_assert_str_eq(query1(&f, "SELECT b FROM t WHERE a IN (1, 4000) ORDER BY a"), "1.00\n1.25");
	fixture_close(&f);
	sb_release(&sb);
	remove_tree(dir);
}
END_TEST

START_TEST(test_only_needed_columns_are_loaded)
{
	struct fixture f;
	const struct input *in;

	fixture_open(&f, REAL "/pagila");
	ck_assert_str_eq(query1(&f, "SELECT sum(amount) > 0 FROM payment"), "true");
	/* DuckDB's catalog: the table holds that one column */
	ck_assert_str_eq(query1(&f, "SELECT string_agg(column_name, ',') FROM duckdb_columns() "
				"WHERE schema_name = 'recon' AND table_name = 'payment'"), "amount");
	/* customer was read by no SQL: not loaded, not in the inputs */
	ck_assert_uint_eq(snapshot_inputs(f.sn, &in), 1);
	ck_assert_str_eq(in[0].table, "payment");
	/* reading more of it later loads what is missing */
	ck_assert_str_eq(query1(&f, "SELECT count(payment_id), count(amount) FROM payment"),
			 "16049|16049");
	fixture_close(&f);
}
END_TEST

START_TEST(test_sql_that_was_not_planned_is_loaded_when_run)
{
	struct fixture f;
	struct rows r;

	fixture_open(&f, REAL "/pagila");
	ck_assert_str_eq(query1(&f, "SELECT count(*) FROM payment"), "16049");
	ck_assert_int_eq(run_sql(&f, "SELECT count(payment_id) FROM payment", &r, false), 0);
	ck_assert_str_eq(r.text, "16049");
	ck_assert_int_eq(run_sql(&f, "SELECT count(*) FROM customer", &r, false), 0);
	ck_assert_str_eq(r.text, "599");
	fixture_close(&f);
}
END_TEST

START_TEST(test_broken_table_fails_only_the_sql_that_reads_it)
{
	struct fixture f;
	const struct input *in;
	size_t n;

	fixture_open(&f, DATA "/mixed");
	ck_assert_int_eq(snapshot_plan(f.sn, "SELECT * FROM good", &f.d), 0);
	ck_assert_int_eq(snapshot_plan(f.sn, "SELECT name FROM ragged", &f.d), 0);
	snapshot_load(f.sn, false);
	ck_assert_str_eq(query_error(&f, "SELECT count(*) FROM ragged"),
			 DATA "/mixed/ragged.csv:3: ragged row: 1 fields, header has 2");
	ck_assert_str_eq(query_error(&f, "SELECT 1 FROM good JOIN ragged USING (id)"),
			 DATA "/mixed/ragged.csv:3: ragged row: 1 fields, header has 2");
	ck_assert_str_eq(query1(&f, "SELECT string_agg(name, ',' ORDER BY name) FROM good"), "ann,bob");
	/* the broken file leaves no table behind, not a half-loaded one */
	ck_assert_str_eq(query1(&f, "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'ragged'"),
			 "0");
	/* provenance lists it, rows unknown (-1), with the bytes' digest */
	n = snapshot_inputs(f.sn, &in);
	ck_assert_uint_eq(n, 2);
	ck_assert_str_eq(in[0].table, "good");
	ck_assert_int_eq(in[0].rows, 2);
	ck_assert_str_eq(in[1].table, "ragged");
	ck_assert_int_eq(in[1].rows, -1);
	ck_assert_uint_eq(strlen(in[1].sha256), 64);
	fixture_close(&f);
}
END_TEST

START_TEST(test_broken_header_is_the_error_of_sql_reading_it)
{
	struct fixture f;

	fixture_open(&f, DATA "/mixed");
	ck_assert_int_eq(snapshot_plan(f.sn, "SELECT count(*) FROM empty", &f.d), -1);
	ck_assert_str_eq(f.d.msg, DATA "/mixed/empty.csv: empty file (no header)");
	ck_assert_int_eq(snapshot_plan(f.sn, "SELECT * FROM good JOIN main.dup ON true", &f.d), -1);
	ck_assert_str_eq(f.d.msg, DATA "/mixed/dup.csv:1: duplicate column name 'ID'");
	ck_assert_str_eq(query_error(&f, "SELECT * FROM nameless"),
			 DATA "/mixed/nameless.csv:1: empty column name (column 2)");
	ck_assert_int_eq(snapshot_plan(f.sn, "SELECT * FROM good", &f.d), 0);
	fixture_close(&f);
}
END_TEST

/* Join keys named only by USING or NATURAL are loaded too. */
START_TEST(test_join_using_loads_its_key_columns)
{
	char *dir = make_tmpdir();
	struct fixture f;

	write_file(dir, "a.csv", "id,x\n1,p\n2,q\n", 13);
	write_file(dir, "b.csv", "id,y\n2,r\n3,s\n", 13);
	fixture_open(&f, dir);
	ck_assert_str_eq(query1(&f, "SELECT count(*) FROM a JOIN b USING (id)"), "1");
	ck_assert_str_eq(query1(&f, "SELECT string_agg(x || y, ',') FROM a NATURAL JOIN b"), "qr");
	ck_assert_str_eq(query1(&f, "SELECT count(*) FROM a LEFT JOIN b USING (id) WHERE b.y IS NULL"), "1");
	fixture_close(&f);
	remove_tree(dir);
}
END_TEST

START_TEST(test_missing_table_names_its_file)
{
	struct fixture f;

	fixture_open(&f, DATA "/mixed");
	ck_assert_str_eq(query_error(&f, "SELECT * FROM notes"), DATA "/mixed/notes.csv: no such file");
	ck_assert_str_eq(query_error(&f, "SELECT * FROM good JOIN nosuch ON true"),
			 DATA "/mixed/nosuch.csv: no such file");
	/* other SQL errors are DuckDB's own, on one line */
	ck_assert_str_eq(query_error(&f, "SELECT nosuchcol FROM good"),
			 "SQL error: Binder Error: Referenced column \"nosuchcol\" not found in FROM clause!");
	fixture_close(&f);
}
END_TEST

START_TEST(test_missing_directory)
{
	struct snapshot *sn = (struct snapshot *)1;
	struct diag d;

	ck_assert_int_eq(snapshot_open(&sn, "x", DATA "/nosuchdir", NULL, &d), -1);
	ck_assert_ptr_null(sn);
	ck_assert_str_eq(d.msg, DATA "/nosuchdir: no such directory");
	ck_assert_int_eq(snapshot_open(&sn, "x", DATA "/reader/bom.csv", NULL, &d), -1);
	ck_assert_str_eq(d.msg, DATA "/reader/bom.csv: Not a directory");
}
END_TEST

START_TEST(test_names_are_quoted_identifiers)
{
	char *dir = make_tmpdir();
	static const char csv[] = "a,\"we\"\"ird col\",select\n1,2,3\n";
	struct fixture f;

	write_file(dir, "odd \"name\".csv", csv, sizeof csv - 1);
	write_file(dir, "data.csv", "x\n", 2);
	fixture_open(&f, dir);
	ck_assert_str_eq(query1(&f, "SELECT \"we\"\"ird col\" + \"select\" FROM \"odd \"\"name\"\"\""), "5");
	ck_assert_str_eq(query1(&f, "SELECT count(*), count(x) FROM data"), "0|0");
	fixture_close(&f);
	remove_tree(dir);
}
END_TEST

/* The contract's bind parameters are errors naming the parameter, never
 * run with NULL in their place. */
START_TEST(test_bind_parameters_are_errors_naming_them)
{
	static const char *cases[][2] = {
		{ "SELECT * FROM good WHERE id = ?", "query has a bind parameter ?, which recon never binds; write its value in the SQL" },
		{ "SELECT * FROM good WHERE id = $1", "query has a bind parameter $1, which recon never binds; write its value in the SQL" },
		{ "SELECT * FROM good WHERE id = $id", "query has a bind parameter $id, which recon never binds; write its value in the SQL" },
		{ "SELECT * FROM good WHERE id = :id", "query has a bind parameter :id, which recon never binds; write its value in the SQL" },
		{ "SELECT * FROM good WHERE id = @id", "query has a bind parameter @id, which recon never binds; write its value in the SQL" },
		{ "SELECT * FROM good WHERE id = ?1", "query has a bind parameter ?1, which recon never binds; write its value in the SQL" },
	};
	struct fixture f;

	fixture_open(&f, DATA "/mixed");
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		ck_assert_int_eq(snapshot_plan(f.sn, cases[i][0], &f.d), -1);
		ck_assert_str_eq(f.d.msg, cases[i][1]);
		ck_assert_str_eq(query_error(&f, cases[i][0]), cases[i][1]);
	}
	/* a cast and an absolute value written with a space are not parameters */
	ck_assert_str_eq(query1(&f, "SELECT id::VARCHAR, @ -id FROM good ORDER BY id"), "1|1\n2|2");
	fixture_close(&f);
}
END_TEST

START_TEST(test_only_queries_run)
{
	struct fixture f;

	fixture_open(&f, DATA "/mixed");
	ck_assert_str_eq(query_error(&f, "DELETE FROM good"),
			 "SQL error: not a query: checks only read (SELECT)");
	ck_assert_str_eq(query_error(&f, "SELECT 1; SELECT 2"),
			 "SQL error: 2 statements; a check runs one query");
	ck_assert_str_eq(query1(&f, "SELECT count(*) FROM good;"), "2");
	fixture_close(&f);
}
END_TEST

/* The same SQL over the same file gives the same text with 1, 2 and 4
 * engine threads: exact types stay exact, and a DOUBLE sum (whose last
 * binary digits follow the order of parallel partial sums) is shown with
 * 15 significant digits. */
START_TEST(test_results_do_not_depend_on_threads)
{
	static const char *sqls[] = {
		"SELECT tenant, sum(amount), count(*), min(v), max(v) FROM t GROUP BY tenant "
		"ORDER BY tenant",
		"SELECT sum(amount), sum(n), sum(v) FROM t",
		"SELECT count(*) FROM t a JOIN t b USING (n) WHERE a.amount <> b.amount",
	};
	static const int threads[] = { 1, 2, 4 };
	char *dir = make_tmpdir();
	char *first[3] = { NULL, NULL, NULL };
	struct strbuf sb;

	sb_init(&sb);
	sb_puts(&sb, "tenant,n,amount,v\n");
	for (long long i = 0; i < 300000; i++)
		sb_addf(&sb, "t-%03lld,%lld,%lld.%02lld,%llde-45\n", (i * 7919) % 97, i,
			(i * 37) % 10007 - 5000, (i * 13) % 100, (i * 104729) % 99991 + 1);
	write_file(dir, "t.csv", sb.buf, sb.len);
	for (size_t k = 0; k < sizeof threads / sizeof *threads; k++) {
		struct fixture f;

		fixture_open_threads(&f, dir, threads[k]);
		ck_assert_str_eq(query1(&f, "SELECT current_setting('threads')::VARCHAR"),
				 k == 0 ? "1" : k == 1 ? "2" : "4");
		ck_assert_str_eq(query1(&f, "SELECT typeof(amount) || ' ' || typeof(v) FROM t LIMIT 1"),
				 "DECIMAL(38,2) DOUBLE");
		for (size_t q = 0; q < sizeof sqls / sizeof *sqls; q++) {
			const char *got = query1(&f, sqls[q]);

			if (k == 0)
				first[q] = strdup(got);
			else
				ck_assert_msg(strcmp(got, first[q]) == 0, "%d threads: %s\ngave %.200s\n"
					      "1 thread gave %.200s", threads[k], sqls[q], got, first[q]);
		}
		fixture_close(&f);
	}
	for (size_t q = 0; q < 3; q++)
		free(first[q]);
	sb_release(&sb);
	remove_tree(dir);
}
END_TEST

/* A streamed table is no copy in DuckDB: it is read while the query
 * runs, and it is listed in the provenance with the same rows and digest
 * as a loaded one.  A query that stops reading early (LIMIT) still fails
 * on a file broken past where it stopped. */
START_TEST(test_a_streamed_table_is_read_whole_and_never_copied)
{
	char *dir = make_tmpdir();
	struct strbuf sb;
	struct fixture f;
	const struct input *in;
	char path[4096], want[4200], sha[65];

	sb_init(&sb);
	sb_puts(&sb, "k,v\n");
	for (int i = 1; i <= 5000; i++)
		sb_addf(&sb, "%d,v%d\n", i, i);
	write_file(dir, "t.csv", sb.buf, sb.len);
	sb_puts(&sb, "5001\n");	/* ragged, line 5002 */
	write_file(dir, "broken.csv", sb.buf, sb.len);
	fixture_open(&f, dir);
	ck_assert_str_eq(query1(&f, "SELECT count(v), sum(k) FROM t"), "5000|12502500");
	ck_assert_str_eq(query1(&f, "SELECT count(*) FROM duckdb_tables() "
				"WHERE schema_name = 'recon'"), "0");
	ck_assert_uint_eq(snapshot_inputs(f.sn, &in), 1);
	ck_assert_int_eq(in[0].rows, 5000);
	snprintf(path, sizeof path, "%s/t.csv", dir);
	ck_assert_int_eq(sha256_file_hex(path, sha, NULL), 0);
	ck_assert_str_eq(in[0].sha256, sha);
	/* the first row is all a LIMIT 1 needs; the file is read whole all the same */
	ck_assert_str_eq(query1(&f, "SELECT v FROM t WHERE k = 1 LIMIT 1"), "v1");
	snprintf(want, sizeof want, "%s/broken.csv:5002: ragged row: 1 fields, header has 2", dir);
	ck_assert_int_eq(snapshot_plan(f.sn, "SELECT v FROM broken LIMIT 1", &f.d), 0);
	snapshot_load(f.sn, false);
	ck_assert_str_eq(query_error(&f, "SELECT v FROM broken LIMIT 1"), want);
	/* and every later SQL that reads it */
	ck_assert_str_eq(query_error(&f, "SELECT count(k) FROM broken"), want);
	fixture_close(&f);
	sb_release(&sb);
	remove_tree(dir);
}
END_TEST

/* [report] temp_dir and memory_limit reach the engine; without temp_dir
 * it never spills (nothing written outside the report directory). */
START_TEST(test_temp_dir_and_memory_limit_reach_the_engine)
{
	struct snapshot_opts o = { "/tmp/recon-spill", "64MB", 1, 0 };
	struct fixture f;

	fixture_open(&f, DATA "/mixed");
	ck_assert_str_eq(query1(&f, "SELECT current_setting('temp_directory')"), "");
	fixture_close(&f);
	memset(&f, 0, sizeof f);
	ck_assert_int_eq(snapshot_open(&f.sn, "x", DATA "/mixed", &o, &f.d), 0);
	ck_assert_str_eq(query1(&f, "SELECT current_setting('temp_directory') || ' ' || "
				"current_setting('memory_limit')"), "/tmp/recon-spill 61.0 MiB");
	fixture_close(&f);
	o.memory_limit = "lots";
	ck_assert_int_eq(snapshot_open(&f.sn, "x", DATA "/mixed", &o, &f.d), -1);
	ck_assert_str_eq(f.d.msg, "snapshot engine: cannot set memory_limit to 'lots'");
}
END_TEST

/* Threads of this process (Linux: /proc/self/task), or -1. */
static int count_threads(void)
{
	DIR *dp = opendir("/proc/self/task");
	struct dirent *de;
	int n = 0;

	if (dp == NULL)
		return -1;
	while ((de = readdir(dp)) != NULL)
		n += de->d_name[0] != '.';
	closedir(dp);
	return n;
}

/* Opening a snapshot directory reads headers only: DuckDB (whose worker
 * threads show that it runs) starts when the first SQL text is planned,
 * so a run that only compares the directory's files never pays for it;
 * its tables and their inputs are known without it. */
START_TEST(test_the_engine_starts_only_for_sql)
{
	struct fixture f;
	char **names;
	const struct input *in;
	int before = count_threads();

	if (before < 0) {
		printf("SKIP test_the_engine_starts_only_for_sql: no /proc/self/task\n");
		return;
	}
	fixture_open_threads(&f, DATA "/mixed", 4);
	ck_assert_int_eq(count_threads(), before);
	ck_assert_uint_eq(snapshot_table_names(f.sn, &names), 5);
	for (size_t i = 0; i < 5; i++)
		free(names[i]);
	free(names);
	snapshot_load(f.sn, false);
	ck_assert_uint_eq(snapshot_inputs(f.sn, &in), 0);
	ck_assert_int_eq(count_threads(), before);
	ck_assert_str_eq(query1(&f, "SELECT count(*) FROM good"), "2");
	ck_assert_int_gt(count_threads(), before);
	fixture_close(&f);
}
END_TEST

static Suite *csv_suite(void)
{
	Suite *s = suite_create("csv");
	TCase *reader = tcase_create("reader");
	TCase *source = tcase_create("source");

	tcase_add_test(reader, test_csv_spectrum_cases_parse_as_published);
	tcase_add_test(reader, test_empty_unquoted_field_is_null_quoted_empty_is_empty_string);
	tcase_add_test(reader, test_spaces_are_part_of_the_field);
	tcase_add_test(reader, test_utf8_bom_is_ignored);
	tcase_add_test(reader, test_crlf_line_ends);
	tcase_add_test(reader, test_records_know_their_physical_line_and_offset);
	tcase_add_test(reader, test_blank_lines_are_skipped_and_last_newline_is_optional);
	tcase_add_test(reader, test_ragged_row_names_its_line);
	tcase_add_test(reader, test_unclosed_quote_names_the_line_where_the_field_began);
	tcase_add_test(reader, test_invalid_utf8_names_its_line);
	tcase_add_test(reader, test_bad_quoting_names_its_line);
	tcase_add_test(reader, test_missing_file_names_its_path);
	tcase_add_test(reader, test_empty_file_has_no_header);
	tcase_add_test(reader, test_header_only_file_has_zero_rows);
	tcase_add_test(reader, test_callback_can_stop_after_the_header);
	tcase_add_test(reader, test_sha256_covers_every_byte_and_rows_are_counted);
	tcase_add_test(reader, test_sha256_of_a_refused_file_covers_it_whole);
	tcase_add_test(reader, test_fields_longer_than_the_read_buffer);
	suite_add_tcase(s, reader);
	TCase *spaces = tcase_create("spaces");

	tcase_add_test(spaces, test_spaces_never_trimmed_random);
	tcase_add_test(spaces, test_line_scan_word_positions);
	tcase_add_test(spaces, test_checks_hold_across_reads);
	tcase_set_timeout(spaces, 120);
	suite_add_tcase(s, spaces);
	TCase *fast = tcase_create("fast");

	tcase_add_test(fast, test_fast_path_quote_after_unquoted_run);
	tcase_add_test(fast, test_fast_path_crlf_and_lone_cr);
	tcase_add_test(fast, test_fast_path_line_cut_by_a_read);
	tcase_add_test(fast, test_fast_path_bad_bytes_and_bom);
	tcase_add_test(fast, test_fast_path_reads_as_libcsv_random);
	tcase_set_timeout(fast, 120);
	suite_add_tcase(s, fast);

	tcase_set_timeout(source, 60);
	tcase_add_test(source, test_pagila_row_counts);
	tcase_add_test(source, test_plain_number_columns_are_typed_exactly);
	tcase_add_test(source, test_every_width_of_number_prints_exactly);
	tcase_add_test(source, test_every_value_is_loaded_across_chunks);
	tcase_add_test(source, test_columns_are_typed_by_the_contract);
	tcase_add_test(source, test_a_late_value_retypes_its_column);
	tcase_add_test(source, test_only_needed_columns_are_loaded);
	tcase_add_test(source, test_sql_that_was_not_planned_is_loaded_when_run);
	tcase_add_test(source, test_broken_table_fails_only_the_sql_that_reads_it);
	tcase_add_test(source, test_broken_header_is_the_error_of_sql_reading_it);
	tcase_add_test(source, test_join_using_loads_its_key_columns);
	tcase_add_test(source, test_missing_table_names_its_file);
	tcase_add_test(source, test_missing_directory);
	tcase_add_test(source, test_names_are_quoted_identifiers);
	tcase_add_test(source, test_bind_parameters_are_errors_naming_them);
	tcase_add_test(source, test_only_queries_run);
	tcase_add_test(source, test_results_do_not_depend_on_threads);
	tcase_add_test(source, test_temp_dir_and_memory_limit_reach_the_engine);
	tcase_add_test(source, test_the_engine_starts_only_for_sql);
	suite_add_tcase(s, source);

	/* the same rules when each table is read at query time, as a large
	 * file read by one SQL text is */
	TCase *streamed = tcase_create("streamed");

	tcase_add_checked_fixture(streamed, stream_everything, NULL);
	tcase_set_timeout(streamed, 60);
	tcase_add_test(streamed, test_pagila_row_counts);
	tcase_add_test(streamed, test_plain_number_columns_are_typed_exactly);
	tcase_add_test(streamed, test_every_value_is_loaded_across_chunks);
	tcase_add_test(streamed, test_columns_are_typed_by_the_contract);
	tcase_add_test(streamed, test_a_late_value_retypes_its_column);
	tcase_add_test(streamed, test_sql_that_was_not_planned_is_loaded_when_run);
	tcase_add_test(streamed, test_broken_table_fails_only_the_sql_that_reads_it);
	tcase_add_test(streamed, test_broken_header_is_the_error_of_sql_reading_it);
	tcase_add_test(streamed, test_join_using_loads_its_key_columns);
	tcase_add_test(streamed, test_missing_table_names_its_file);
	tcase_add_test(streamed, test_names_are_quoted_identifiers);
	tcase_add_test(streamed, test_results_do_not_depend_on_threads);
	tcase_add_test(streamed, test_a_streamed_table_is_read_whole_and_never_copied);
	suite_add_tcase(s, streamed);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(csv_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
