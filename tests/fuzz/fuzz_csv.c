/*
 * fuzz_csv.c: libFuzzer harness for the CSV reader and the CSV source.
 *
 * Each input is written to DIR/t.csv in a private temporary directory, read
 * with csv_read_file (touching every field), then opened as a CSV source,
 * planned, loaded and checked with SQL that reads every column.  Seeds:
 * tests/fuzz/corpus/csv/ (csv-spectrum's cases and the unit tests' files).
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -Isrc \
 *     $(pkg-config --cflags sqlite3 libcrypto) tests/fuzz/fuzz_csv.c \
 *     src/csv_reader.c src/csv_source.c src/util.c \
 *     -lcsv $(pkg-config --libs sqlite3 libcrypto) -lm -o build/fuzz_csv
 *   ./build/fuzz_csv -max_total_time=120 tests/fuzz/corpus/csv
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "csv_reader.h"
#include "csv_source.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char dir[64];		/* the private directory */
static char path[96];		/* dir/t.csv */

static int touch_fields(void *ctx, const struct csv_record *rec)
{
	size_t *sum = ctx;

	for (size_t i = 0; i < rec->nfields; i++) {
		const struct csv_field *f = &rec->fields[i];

		if (f->s) {
			if (f->s[f->len] != '\0')	/* fields are NUL-terminated */
				abort();
			if (f->len)
				*sum += (unsigned char)f->s[0] + (unsigned char)f->s[f->len - 1];
		}
	}
	return 0;
}

static void cleanup(void)
{
	unlink(path);
	rmdir(dir);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct diag d;
	struct csv_read_opts opts = {NULL, false, NULL};
	struct csv_source *cs = NULL;
	const struct input *in;
	sqlite3 *db = NULL;
	size_t sum = 0;
	long long rows = -1;
	FILE *f;

	if (!dir[0]) {
		snprintf(dir, sizeof dir, "/tmp/fuzz_csv-XXXXXX");
		if (!mkdtemp(dir))
			abort();
		snprintf(path, sizeof path, "%s/t.csv", dir);
		atexit(cleanup);
	}
	f = fopen(path, "wb");
	if (!f)
		abort();
	if (size && fwrite(data, 1, size, f) != size)
		abort();
	fclose(f);

	opts.rows = &rows;
	opts.sha = sha256_new();
	if (csv_read_file(path, touch_fields, &sum, &opts, &d) < 0 && d.msg[0] == '\0')
		abort();	/* a failure always says why */
	{
		char hex[65];

		sha256_final_hex(opts.sha, hex);
	}

	if (sqlite3_open(":memory:", &db) != SQLITE_OK)
		abort();
	sqlite3_exec(db, "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;", NULL, NULL, NULL);
	if (csv_source_open(&cs, db, "fuzz", dir, &d) == 0) {
		static const char *sql[] = {
			"SELECT * FROM t", "SELECT count(*) FROM t",
			"SELECT 1 FROM t AS a JOIN t AS b USING (rowid)",
		};

		for (size_t i = 0; i < sizeof sql / sizeof *sql; i++)
			csv_source_plan(cs, sql[i], &d);
		csv_source_load(cs, false);
		for (size_t i = 0; i < sizeof sql / sizeof *sql; i++)
			if (csv_source_check(cs, sql[i], &d) < 0 && d.msg[0] == '\0')
				abort();
		csv_source_inputs(cs, &in);
		csv_source_close(cs);
	}
	sqlite3_close(db);
	return 0;
}
