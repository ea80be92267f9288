/*
 * fuzz_csv.c: libFuzzer harness for the CSV reader and the snapshot engine.
 *
 * Each input is written to DIR/t.csv in a private temporary directory, read
 * with csv_read_file (touching every field), then opened as a snapshot
 * directory (source_snapshot.h), planned, loaded and queried with SQL that reads
 * every column, every cell of the results touched.  Seeds:
 * tests/fuzz/corpus/csv/ (csv-spectrum's cases and the unit tests' files).
 * `make fuzz` builds it with the rest of recon (see the Makefile).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "source_csv.h"
#include "source_snapshot.h"

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

static int touch_cells(void *ctx, size_t ncols, const struct cell *cells)
{
	size_t *sum = ctx;

	for (size_t i = 0; i < ncols; i++)
		if (cells[i].s && cells[i].len)
			*sum += (unsigned char)cells[i].s[0] + (unsigned char)cells[i].s[cells[i].len - 1];
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
	const struct input *in;
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

	{
		static const char *sql[] = {
			"SELECT * FROM t", "SELECT count(*) FROM t",
			"SELECT a.* FROM t AS a NATURAL JOIN t AS b",
		};
		struct snapshot_opts so = { NULL, "256MB", 1, 0 };
		struct row_sink sink = { NULL, touch_cells, &sum };
		struct snapshot *sn = NULL;

		if (snapshot_open(&sn, "fuzz", dir, &so, &d) == 0) {
			for (size_t i = 0; i < sizeof sql / sizeof *sql; i++)
				snapshot_plan(sn, sql[i], &d);
			snapshot_load(sn, false);
			for (size_t i = 0; i < sizeof sql / sizeof *sql; i++)
				if (snapshot_query(sn, sql[i], &sink, &d) < 0 && d.msg[0] == '\0')
					abort();	/* a failure always says why */
			snapshot_inputs(sn, &in);
			snapshot_close(sn);
		} else if (d.msg[0] == '\0') {
			abort();
		}
	}
	return 0;
}
