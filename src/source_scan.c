/*
 * source_scan.c: tables and queries read row by row with positions (see
 * source_scan.h).  The one place that decides, per kind of source, how a
 * compare side is read: a snapshot directory's T.csv straight from the file
 * (record offsets, each record read again at its offset), everything
 * else through source_query (row numbers, read again by key, a PostgreSQL
 * table with its own narrowing SQL, pg_narrow_sql).
 */
#include "source_scan.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "source_csv.h"
#include "source_pg.h"

struct source_scan {
	struct source *src;
	struct source *through;	/* what SQL runs on: src, or its sibling */
	const char *table;	/* the table, or NULL for a query (borrowed) */
	char *path;		/* a CSV file read as itself, or NULL */
	char *sql;		/* otherwise what runs (malloc'd) */
	bool narrowed;		/* sql is bisect's ranges (source_scan_narrow_to) */
	char **names;		/* header */
	size_t ncols;
	struct cell *cells;	/* a file's current row */
	long long rows;		/* a file's data rows, after source_scan_rows */
	char sha256[65];	/* its digest, "" until read */
};

/* A table of a snapshot directory is its CSV file, DIR/T.csv (whose path
 * says what is missing when there is no such file), unless T.parquet is
 * there: then DuckDB reads the table (and says so when both are there). */
static char *csv_file(const struct source_cfg *cfg, const char *table)
{
	struct arena a;
	struct stat st;
	char *csv, *parquet, *path = NULL;

	if (cfg->type != SOURCE_CSV)
		return NULL;
	arena_init(&a);
	csv = path_join(&a, cfg->path, arena_printf(&a, "%s.csv", table));
	parquet = path_join(&a, cfg->path, arena_printf(&a, "%s.parquet", table));
	if (stat(parquet, &st) != 0)
		path = xstrdup(csv);
	arena_release(&a);
	return path;
}

/* SELECT * FROM "table": every kind of source here (PostgreSQL, SQLite,
 * DuckDB) quotes identifiers with double quotes. */
static char *table_sql(const char *table)
{
	struct strbuf sb = STRBUF_INIT;

	sb_puts(&sb, "SELECT * FROM ");
	sb_add_sql_ident(&sb, table);
	return sb_detach(&sb, NULL);
}

/* Contract in source_scan.h. */
int source_scan_plan(struct source *s, const char *table, struct diag *d)
{
	char *path = csv_file(source_config(s), table), *sql;
	int ret;

	if (path) {
		free(path);
		return 0;	/* streamed from its file: nothing to load */
	}
	sql = table_sql(table);
	ret = source_plan(s, sql, d);
	free(sql);
	return ret;
}

/* Contract in source_scan.h. */
int source_scan_open(struct source_scan **out, struct source *s, const char *table,
		     const char *sql, struct diag *d)
{
	struct source_scan *sc = xcalloc(1, sizeof(*sc));

	*out = sc;
	sc->src = s;
	sc->through = s;
	sc->table = table;
	sc->rows = -1;
	if (table && (sc->path = csv_file(source_config(s), table)))
		return 0;
	sc->sql = table ? table_sql(table) : xstrdup(sql ? sql : "");
	if (source_error(s))
		return diag_error(d, "%s", source_error(s));
	return 0;
}

struct scan_traits source_scan_traits(const struct source_scan *sc)
{
	if (sc->path)
		return (struct scan_traits){ true, true, "line", "byte" };
	return (struct scan_traits){ false, false, "row", "row" };
}

const char *source_scan_table(const struct source_scan *sc)
{
	return sc->path ? NULL : sc->table;
}

/* ---- a CSV file ------------------------------------------------------- */

/* Open path for reading when it is a regular file; -1 with d naming the
 * path otherwise.  Opened without blocking and checked on the descriptor:
 * a FIFO would wait for a writer forever (while the run holds the report
 * directory's lock) and a device never end. */
static int open_regular(const char *path, struct diag *d)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);

	if (fd < 0) {
		if (errno == ENOENT)
			return diag_error(d, "%s: no such file", path);
		return diag_error(d, "%s: %s", path, strerror(errno));
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return diag_error(d, "%s: not a regular file", path);
	}
	return fd;
}

/* Physical line (1-based) of byte offset off in path: 1 + newlines before. */
static long line_of_offset(const char *path, uint64_t off)
{
	char buf[65536];
	long line = 1;
	uint64_t done = 0;
	struct diag ignored;
	int fd = open_regular(path, &ignored);

	if (fd < 0)
		return 0;
	while (done < off) {
		size_t want = off - done < sizeof(buf) ? (size_t)(off - done) : sizeof(buf);
		ssize_t n = read(fd, buf, want);
		const char *p, *end;

		if (n <= 0)
			break;
		for (p = buf, end = buf + n; (p = memchr(p, '\n', (size_t)(end - p))); p++)
			line++;
		done += (uint64_t)n;
	}
	close(fd);
	return line;
}

static void set_header(struct source_scan *sc, size_t n, const char *const *names,
		       const size_t *lens)
{
	size_t i;

	sc->names = xcalloc(n ? n : 1, sizeof(*sc->names));
	sc->ncols = n;
	for (i = 0; i < n; i++) {
		size_t len = lens ? lens[i] : strlen(names[i] ? names[i] : "");

		sc->names[i] = xmalloc(len + 1);
		if (names[i])
			memcpy(sc->names[i], names[i], len);
		sc->names[i][len] = '\0';
	}
}

static int file_header(void *ctx, const struct csv_record *rec)
{
	struct source_scan *sc = ctx;
	const char **names = xcalloc(rec->nfields + 1, sizeof(*names));
	size_t *lens = xcalloc(rec->nfields + 1, sizeof(*lens));
	size_t i;

	for (i = 0; i < rec->nfields; i++) {
		names[i] = rec->fields[i].s;
		lens[i] = rec->fields[i].len;
	}
	set_header(sc, rec->nfields, names, lens);
	free(names);
	free(lens);
	return 1;	/* the header is all we want here */
}

struct file_read {
	struct source_scan *sc;
	scan_row_fn fn;
	void *ctx;
	struct diag *d;
};

/* The header as the file holds it now against the one its columns were
 * found in (source_scan_header): a file replaced in between would be read
 * with the old header's column positions.  0 when the same, else -1. */
static int same_header(struct file_read *fr, const struct csv_record *rec)
{
	struct source_scan *sc = fr->sc;
	bool same = rec->nfields == sc->ncols;
	size_t i;

	for (i = 0; same && i < sc->ncols; i++) {
		size_t len = rec->fields[i].s ? rec->fields[i].len : 0;	/* as set_header */

		same = len == strlen(sc->names[i]) &&
		       (len == 0 || memcmp(rec->fields[i].s, sc->names[i], len) == 0);
	}
	if (!same)
		return diag_error(fr->d, "%s:%ld: header changed while it was read", sc->path,
				  rec->line);
	return 0;
}

/* The CSV reader's callback: each record as a row at its byte offset (the
 * reader holds every record to the header's width). */
static int file_row(void *ctx, const struct csv_record *rec)
{
	struct file_read *fr = ctx;
	struct source_scan *sc = fr->sc;
	struct scan_row row;
	size_t i;

	if (rec->header)
		return same_header(fr, rec);
	for (i = 0; i < rec->nfields; i++) {
		sc->cells[i].s = rec->fields[i].s;
		sc->cells[i].len = rec->fields[i].len;
	}
	row.cells = sc->cells;
	row.ncols = rec->nfields;
	row.pos = rec->offset;
	row.line = rec->line;
	return fr->fn(fr->ctx, &row);
}

static int file_rows(struct source_scan *sc, scan_row_fn fn, void *ctx, bool first,
		     struct diag *d)
{
	struct file_read fr = { sc, fn, ctx, d };
	/* progress lines on a terminal unless -q (both sides take turns) */
	struct csv_read_opts o = { NULL, first && source_progress(sc->src), NULL };
	long long rows = 0;
	int ret;

	if (!sc->cells)
		sc->cells = xcalloc(sc->ncols ? sc->ncols : 1, sizeof(*sc->cells));
	if (first) {
		o.sha = sha256_new();
		o.rows = &rows;
	}
	ret = csv_read_file(sc->path, file_row, &fr, &o, d);
	if (first) {
		sha256_final_hex(o.sha, sc->sha256);
		sc->rows = ret == 0 ? rows : -1;
	}
	return ret;
}

struct at {
	uint64_t pos;
	size_t i;
};

static int at_cmp(const void *a, const void *b)
{
	const struct at *x = a, *y = b;

	return x->pos < y->pos ? -1 : x->pos > y->pos;
}

/* ---- SQL ----------------------------------------------------------------- */

struct sql_read {
	struct source_scan *sc;
	scan_row_fn fn;
	void *ctx;
	long long rowno;
	struct progress *progress;	/* or NULL */
};

static int sql_header(void *ctx, size_t ncols, const char *const *names)
{
	set_header(ctx, ncols, names, NULL);
	return 1;
}

static int sql_no_row(void *ctx, size_t ncols, const struct cell *cells)
{
	(void)ctx;
	(void)ncols;
	(void)cells;
	return 1;
}

static int sql_skip_header(void *ctx, size_t ncols, const char *const *names)
{
	(void)ctx;
	(void)ncols;
	(void)names;
	return 0;
}

static int sql_row(void *ctx, size_t ncols, const struct cell *cells)
{
	struct sql_read *rd = ctx;
	struct scan_row row;

	rd->rowno++;
	if (rd->progress)
		progress_update(rd->progress, rd->rowno);
	row.cells = cells;
	row.ncols = ncols;
	row.pos = (uint64_t)rd->rowno;
	row.line = rd->rowno;
	return rd->fn(rd->ctx, &row);
}

static int sql_rows(struct source_scan *sc, const char *sql, struct progress *progress,
		    scan_row_fn fn, void *ctx, struct diag *d)
{
	struct sql_read rd = { sc, fn, ctx, 0, progress };
	struct row_sink sink = { sql_skip_header, sql_row, &rd };

	if (sc->narrowed)
		return source_query_ranges(sc->through, sql, &sink, d);
	return source_query(sc->through, sql, &sink, d);
}

/* ---- the interface ----------------------------------------------------- */

/* Contract in source_scan.h. */
int source_scan_header(struct source_scan *sc, const char *const **names, size_t *n,
		       struct diag *d)
{
	if (sc->path) {
		int fd = open_regular(sc->path, d);

		if (fd < 0)
			return -1;
		close(fd);
		if (csv_read_file(sc->path, file_header, sc, NULL, d) < 0)
			return -1;
	} else {
		struct row_sink sink = { sql_header, sql_no_row, sc };

		if (source_query(sc->src, sc->sql, &sink, d) < 0)
			return -1;
	}
	*names = (const char *const *)sc->names;
	*n = sc->ncols;
	return 0;
}

/* Contract in source_scan.h. */
int source_scan_rows(struct source_scan *sc, const char *what, scan_row_fn fn, void *ctx,
		     struct diag *d)
{
	struct progress progress;
	int ret;

	if (sc->path)
		return file_rows(sc, fn, ctx, true, d);
	/* the clock is looked at every 4096 rows */
	progress_start(&progress, source_progress(sc->src), what, 4096);
	ret = sql_rows(sc, sc->sql, &progress, fn, ctx, d);
	progress_end(&progress);
	return ret;
}

/* Contract in source_scan.h. */
void source_scan_note(struct source_scan *sc)
{
	if (sc->path && sc->rows >= 0)
		source_note_input(sc->src, sc->table, sc->rows, sc->sha256);
}

/* Contract in source_scan.h. */
long long source_scan_line(const struct source_scan *sc, uint64_t pos)
{
	return sc->path ? line_of_offset(sc->path, pos) : (long long)pos;
}

/* Contract in source_scan.h. */
void source_scan_where(const struct source_scan *sc, uint64_t a, uint64_t b,
		       struct strbuf *sb)
{
	if (sc->path)
		sb_addf(sb, "on lines %lld and %lld of %s", source_scan_line(sc, a),
			source_scan_line(sc, b), sc->path);
	else
		sb_addf(sb, "in rows %llu and %llu", (unsigned long long)a, (unsigned long long)b);
}

/* One call's state: its own cells, so that calls may run at once. */
struct fetch {
	struct cell *cells;
	scan_fetch_fn fn;
	void *ctx;
	size_t i;		/* the index of the row being read again */
};

static int fetch_record(void *ctx, const struct csv_record *rec)
{
	struct fetch *f = ctx;
	size_t k;

	for (k = 0; k < rec->nfields; k++)
		f->cells[k] = (struct cell){ rec->fields[k].s, rec->fields[k].len };
	return f->fn(f->ctx, f->i, f->cells, rec->nfields);
}

/* Contract in source_scan.h. */
int source_scan_fetch(struct source_scan *sc, const uint64_t *pos, size_t n, scan_fetch_fn fn,
		      void *ctx, struct diag *d)
{
	struct fetch f = { NULL, fn, ctx, 0 };
	struct at *order;
	size_t i;
	int fd, ret = 0;

	if (n == 0)
		return 0;
	if ((fd = open_regular(sc->path, d)) < 0)
		return -1;
	f.cells = xcalloc(sc->ncols ? sc->ncols : 1, sizeof(*f.cells));
	/* in file order: each read is near the one before */
	order = xcalloc(n, sizeof(*order));
	for (i = 0; i < n; i++)
		order[i] = (struct at){ pos[i], i };
	qsort(order, n, sizeof(*order), at_cmp);
	for (i = 0; i < n && ret == 0; i++) {
		f.i = order[i].i;
		ret = csv_read_record_at(fd, sc->path, order[i].pos, sc->ncols, fetch_record, &f, d);
	}
	free(order);
	free(f.cells);
	close(fd);
	return ret;
}

/* Contract in source_scan.h. */
int source_scan_narrow(struct source_scan *sc, const char *const *cols, size_t nkey,
		       const struct key_field *keys, size_t n, scan_row_fn fn, void *ctx,
		       struct diag *d)
{
	char *sql = NULL;
	int ret;

	if (sc->path || !sc->table || n == 0)
		return 1;
	/* bisect's ranges: the keys among their rows, never a filter of the
	 * whole table */
	if (source_config(sc->src)->type == SOURCE_POSTGRES)
		sql = sc->narrowed ? pg_narrow_sql_within(sc->sql, cols, nkey, keys, n)
				   : pg_narrow_sql(sc->table, cols, nkey, keys, n);
	if (!sql)
		return 1;
	ret = sql_rows(sc, sql, NULL, fn, ctx, d);
	free(sql);
	return ret;
}

/* Contract in source_scan.h. */
int source_scan_reread(struct source_scan *sc, scan_row_fn fn, void *ctx, struct diag *d)
{
	if (sc->path)
		return file_rows(sc, fn, ctx, false, d);
	return sql_rows(sc, sc->sql, NULL, fn, ctx, d);
}

/* Contract in source_scan.h. */
void source_scan_narrow_to(struct source_scan *sc, const char *sql)
{
	free(sc->sql);
	sc->sql = xstrdup(sql);
	sc->narrowed = true;
}

/* About how many rows a CSV file holds: its size over the mean line length
 * of its first 64 KiB.  0 when unknown. */
static uint64_t estimate_rows(const char *path)
{
	char buf[65536];
	struct diag ignored;
	int fd = open_regular(path, &ignored);
	off_t size;
	ssize_t n;
	uint64_t lines = 0;
	const char *p;

	if (fd < 0)
		return 0;
	size = lseek(fd, 0, SEEK_END);
	n = pread(fd, buf, sizeof(buf), 0);
	close(fd);
	if (size <= 0 || n <= 0)
		return 0;
	for (p = buf; (p = memchr(p, '\n', (size_t)(buf + n - p))); p++)
		lines++;
	return lines ? (uint64_t)size * lines / (uint64_t)n : 1;
}

/* Contract in source_scan.h. */
uint64_t source_scan_estimate(struct source_scan *sc)
{
	long long est;

	if (sc->path)
		return estimate_rows(sc->path);
	if (!sc->table)
		return 0;
	est = source_row_estimate(sc->src, sc->table);
	return est > 0 ? (uint64_t)est : 0;
}

/* Contract in source_scan.h. */
bool source_scans_concurrent(struct source_scan *a, struct source_scan *b)
{
	struct diag ignored = { "" };
	struct source *sib;

	if (a->src != b->src)
		return source_concurrent(a->src, b->src);
	if (!(sib = source_sibling(b->src, &ignored)))
		return false;
	b->through = sib;
	return true;
}

/* Contract in source_scan.h. */
bool source_scans_bisect(const struct source_scan *a, const struct source_scan *b)
{
	enum source_type ta = source_config(a->src)->type, tb = source_config(b->src)->type;

	return source_scan_table(a) && source_scan_table(b) && ta == tb &&
	       (ta == SOURCE_POSTGRES || ta == SOURCE_SQLITE);
}

void source_scan_free(struct source_scan *sc)
{
	size_t i;

	if (!sc)
		return;
	for (i = 0; i < sc->ncols; i++)
		free(sc->names[i]);
	free(sc->names);
	free(sc->cells);
	free(sc->path);
	free(sc->sql);
	free(sc);
}
