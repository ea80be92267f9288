/*
 * csv_source.c: a directory of CSV snapshots as tables of an SQLite database.
 *
 * Opening reads only the headers and creates empty tables.  Planning
 * prepares each SQL text with an authorizer that records every (table,
 * column) it reads, and reads the statement's bytecode for what the
 * authorizer misses (join keys of USING and NATURAL), so loading streams
 * each needed file once and stores only the columns some SQL reads; every
 * other column stays NULL.  Rows go in through one prepared INSERT in one
 * transaction per file, plain numbers bound as numbers.  A file
 * that cannot be used (no header, bad header, format error later on) is
 * remembered with its error: the SQL that reads it gets that error instead
 * of a result, and other tables are not affected.  A file whose header is
 * broken has no table at all, so SQLite's "no such table: T" is translated
 * back into the file's error (or "DIR/T.csv: no such file").
 */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "csv_reader.h"
#include "csv_source.h"

struct csv_table {
	const char *name;	/* table name: the file name without ".csv" */
	const char *path;	/* DIR/T.csv */
	size_t ncols;		/* header fields */
	const char **cols;	/* header names */
	bool *need;		/* columns some SQL reads */
	bool *have;		/* columns stored by the last load */
	bool read;		/* some planned SQL reads this table */
	bool hit;		/* the SQL being prepared reads it */
	bool loaded;		/* loaded (rows, sha256 valid) */
	int rootpage;		/* the table's b-tree in the database, 0 none */
	const char *error;	/* why the table is unusable, or NULL */
	long long rows;		/* data rows of the last load, -1 unknown */
	const char *sha256;	/* hex digest of the file, or NULL */
};

struct csv_source {
	sqlite3 *db;			/* the caller's */
	const char *name;		/* source name, for provenance */
	const char *dir;		/* as configured */
	struct arena arena;		/* strings, column arrays, inputs */
	struct csv_table *tables;	/* sorted by name (malloc) */
	size_t ntables;
};

/* ---- opening: headers only ------------------------------------------- */

struct header_ctx {
	struct csv_source *cs;
	struct csv_table *t;
	struct diag *d;
};

static int cmp_table(const void *a, const void *b)
{
	const struct csv_table *x = a, *y = b;

	return strcmp(x->name, y->name);
}

static int take_header(void *ctx, const struct csv_record *rec)
{
	struct header_ctx *h = ctx;
	struct csv_table *t = h->t;

	t->ncols = rec->nfields;
	t->cols = arena_alloc(&h->cs->arena, rec->nfields * sizeof *t->cols);
	t->need = arena_alloc(&h->cs->arena, rec->nfields * sizeof *t->need);
	t->have = arena_alloc(&h->cs->arena, rec->nfields * sizeof *t->have);
	for (size_t i = 0; i < rec->nfields; i++) {
		const struct csv_field *f = &rec->fields[i];

		if (f->s == NULL || f->len == 0)
			return diag_error(h->d, "%s:%ld: empty column name (column %zu)",
					  t->path, rec->line, i + 1);
		if (memchr(f->s, '\0', f->len))
			return diag_error(h->d, "%s:%ld: NUL byte in column name (column %zu)",
					  t->path, rec->line, i + 1);
		/* SQLite's column names are case-insensitive (ASCII) */
		for (size_t j = 0; j < i; j++)
			if (strcasecmp(t->cols[j], f->s) == 0)
				return diag_error(h->d, "%s:%ld: duplicate column name '%s'",
						  t->path, rec->line, f->s);
		t->cols[i] = arena_strndup(&h->cs->arena, f->s, f->len);
	}
	return 1;	/* the header is all we want now */
}

/* Read t's header and create its table; -1 with d set when it cannot be. */
static int open_table(struct csv_source *cs, struct csv_table *t, struct diag *d)
{
	struct header_ctx h = {cs, t, d};
	sqlite3_stmt *st = NULL;
	struct strbuf sb;
	int ret = -1;

	sb_init(&sb);
	if (csv_read_file(t->path, take_header, &h, NULL, d) < 0)
		goto out;
	sb_puts(&sb, "CREATE TABLE ");
	sb_add_sql_ident(&sb, t->name);
	sb_puts(&sb, " (");
	for (size_t i = 0; i < t->ncols; i++) {
		if (i)
			sb_puts(&sb, ", ");
		sb_add_sql_ident(&sb, t->cols[i]);
	}
	sb_putc(&sb, ')');
	if (sb.overflow) {
		diag_error(d, "%s: header too large", t->path);
		goto out;
	}
	if (sqlite3_exec(cs->db, sb.buf, NULL, NULL, NULL) != SQLITE_OK) {
		diag_error(d, "%s:1: %s", t->path, sqlite3_errmsg(cs->db));
		goto out;
	}
	if (sqlite3_prepare_v2(cs->db, "SELECT rootpage FROM main.sqlite_schema "
			       "WHERE type = 'table' AND name = ?", -1, &st, NULL) == SQLITE_OK) {
		sqlite3_bind_text(st, 1, t->name, -1, SQLITE_STATIC);
		if (sqlite3_step(st) == SQLITE_ROW)
			t->rootpage = sqlite3_column_int(st, 0);
	}
	ret = 0;
out:
	sqlite3_finalize(st);
	sb_release(&sb);
	return ret;
}

static bool is_regular(const char *path)
{
	struct stat st;

	/* a file that exists but cannot be stat'ed (a symlink loop, a
	 * directory without search permission) counts: reading it says why,
	 * rather than "no such file" */
	if (stat(path, &st) < 0)
		return errno != ENOENT && errno != ENOTDIR;
	return S_ISREG(st.st_mode);
}

/* Contract in csv_source.h. */
int csv_source_open(struct csv_source **out, sqlite3 *db, const char *name,
		    const char *dir, struct diag *d)
{
	struct csv_source *cs = xcalloc(1, sizeof *cs);
	DIR *dp = NULL;
	struct dirent *de;
	size_t cap = 0;
	int ret = -1;

	*out = NULL;
	arena_init(&cs->arena);
	cs->db = db;
	cs->name = arena_strdup(&cs->arena, name ? name : "");
	cs->dir = arena_strdup(&cs->arena, dir);
	dp = opendir(dir);
	if (dp == NULL) {
		if (errno == ENOENT)
			diag_error(d, "%s: no such directory", dir);
		else
			diag_error(d, "%s: %s", dir, strerror(errno));
		goto out;
	}
	while ((de = readdir(dp)) != NULL) {
		size_t len = strlen(de->d_name);
		struct csv_table *t;
		char *path;

		/* T.csv, not hidden files (editors' and tools' leftovers) */
		if (len <= 4 || de->d_name[0] == '.' || strcmp(de->d_name + len - 4, ".csv") != 0)
			continue;
		path = path_join(&cs->arena, dir, de->d_name);
		if (!is_regular(path))
			continue;
		if (cs->ntables == cap) {
			cap = cap ? cap * 2 : 16;
			cs->tables = xrealloc(cs->tables, cap * sizeof *cs->tables);
		}
		t = &cs->tables[cs->ntables++];
		memset(t, 0, sizeof *t);
		t->name = arena_strndup(&cs->arena, de->d_name, len - 4);
		t->path = path;
		t->rows = -1;
	}
	qsort(cs->tables, cs->ntables, sizeof *cs->tables, cmp_table);
	for (size_t i = 0; i < cs->ntables; i++) {
		struct csv_table *t = &cs->tables[i];
		struct diag td = {""};

		if (open_table(cs, t, &td) < 0)
			t->error = arena_strdup(&cs->arena, td.msg);
	}
	*out = cs;
	cs = NULL;
	ret = 0;
out:
	if (dp)
		closedir(dp);
	if (cs)
		csv_source_close(cs);
	return ret;
}

/* ---- planning: what SQL reads ---------------------------------------- */

static struct csv_table *find_table(struct csv_source *cs, const char *name)
{
	for (size_t i = 0; i < cs->ntables; i++)
		if (strcmp(cs->tables[i].name, name) == 0)
			return &cs->tables[i];
	for (size_t i = 0; i < cs->ntables; i++)
		if (strcasecmp(cs->tables[i].name, name) == 0)
			return &cs->tables[i];
	return NULL;
}

static void mark_column(struct csv_table *t, size_t col)
{
	t->read = true;
	t->hit = true;
	if (col < t->ncols)
		t->need[col] = true;
}

/* Authorizer: record every table and column read in the main schema.  For
 * count(*) SQLite reports the table with an empty column name. */
static int record_read(void *ctx, int action, const char *table, const char *column,
		       const char *schema, const char *trigger)
{
	struct csv_source *cs = ctx;
	struct csv_table *t;

	(void)trigger;
	if (action != SQLITE_READ || table == NULL)
		return SQLITE_OK;
	if (schema && strcmp(schema, "main") != 0)
		return SQLITE_OK;
	t = find_table(cs, table);
	if (t == NULL)
		return SQLITE_OK;
	t->read = true;
	t->hit = true;
	if (column == NULL || *column == '\0')
		return SQLITE_OK;
	for (size_t i = 0; i < t->ncols; i++)
		if (strcmp(t->cols[i], column) == 0) {
			mark_column(t, i);
			return SQLITE_OK;
		}
	for (size_t i = 0; i < t->ncols; i++)
		if (strcasecmp(t->cols[i], column) == 0) {
			mark_column(t, i);
			break;
		}
	return SQLITE_OK;	/* rowid and the like need no column */
}

/* The authorizer misses what SQLite reads for USING and NATURAL joins
 * (3.40: "SELECT 1 FROM a JOIN b USING (id)" reports nothing at all), so
 * the statement's bytecode is read too: OpenRead names a table by its root
 * page and a cursor, Column a cursor and a column index. */
static void record_bytecode(struct csv_source *cs, const char *sql, size_t len)
{
	struct strbuf sb;
	sqlite3_stmt *st = NULL;
	struct csv_table **cursors = NULL;
	size_t ncursors = 0;

	sb_init(&sb);
	sb_puts(&sb, "EXPLAIN ");
	sb_add(&sb, sql, len);
	if (sb.overflow || sqlite3_prepare_v2(cs->db, sb.buf, -1, &st, NULL) != SQLITE_OK)
		goto out;
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *op = (const char *)sqlite3_column_text(st, 1);
		int p1 = sqlite3_column_int(st, 2), p2 = sqlite3_column_int(st, 3);
		int p3 = sqlite3_column_int(st, 4);

		if (op == NULL || p1 < 0 || p1 > 100000)
			continue;
		if (strcmp(op, "OpenRead") == 0 && p3 == 0) {
			struct csv_table *t = NULL;

			for (size_t i = 0; i < cs->ntables && !t; i++)
				if (cs->tables[i].rootpage == p2 && p2 > 0)
					t = &cs->tables[i];
			if ((size_t)p1 >= ncursors) {
				size_t n = (size_t)p1 + 16;

				cursors = xrealloc(cursors, n * sizeof *cursors);
				memset(cursors + ncursors, 0, (n - ncursors) * sizeof *cursors);
				ncursors = n;
			}
			cursors[p1] = t;
			if (t) {
				t->read = true;
				t->hit = true;
			}
		} else if (strcmp(op, "Column") == 0 && (size_t)p1 < ncursors && cursors[p1] && p2 >= 0) {
			mark_column(cursors[p1], (size_t)p2);
		}
	}
out:
	sqlite3_finalize(st);
	free(cursors);
	sb_release(&sb);
}

/* Turn SQLite's "no such table: T" into the file's own story. */
static int missing_table(struct csv_source *cs, const char *msg, struct diag *d)
{
	static const char prefix[] = "no such table: ";
	const char *name = msg + sizeof prefix - 1;
	struct csv_table *t;
	char *path;
	int ret;

	if (strncmp(msg, prefix, sizeof prefix - 1) != 0)
		return diag_error(d, "SQL error: %s", msg);
	t = find_table(cs, name);
	if (t == NULL && strncmp(name, "main.", 5) == 0) {
		name += 5;
		t = find_table(cs, name);
	}
	if (t && t->error) {
		t->read = true;	/* a file some check wanted: provenance */
		return diag_error(d, "%s", t->error);
	}
	if (t)
		return diag_error(d, "SQL error: %s", msg);
	path = arena_printf(&cs->arena, "%s.csv", name);
	ret = diag_error(d, "%s: no such file", path_join(&cs->arena, cs->dir, path));
	return ret;
}

/* Prepare every statement of sql with the recording authorizer; tables it
 * reads get hit set. */
static int prepare_recording(struct csv_source *cs, const char *sql, struct diag *d)
{
	const char *tail = sql;
	int ret = 0;

	for (size_t i = 0; i < cs->ntables; i++)
		cs->tables[i].hit = false;
	sqlite3_set_authorizer(cs->db, record_read, cs);
	while (tail && *tail) {
		sqlite3_stmt *st = NULL;
		const char *next = NULL;

		if (sqlite3_prepare_v2(cs->db, tail, -1, &st, &next) != SQLITE_OK) {
			ret = missing_table(cs, sqlite3_errmsg(cs->db), d);
			break;
		}
		if (next == tail) {
			sqlite3_finalize(st);
			break;
		}
		if (st)	/* NULL for a comment or white space */
			record_bytecode(cs, tail, (size_t)(next - tail));
		sqlite3_finalize(st);
		tail = next;
	}
	sqlite3_set_authorizer(cs->db, NULL, NULL);
	return ret;
}

/* Contract in csv_source.h. */
int csv_source_plan(struct csv_source *cs, const char *sql, struct diag *d)
{
	return prepare_recording(cs, sql, d);
}

/* ---- loading ---------------------------------------------------------- */

#define LOAD_BATCH 100	/* rows per INSERT: one step per row costs more
			 * than parsing the row */

/* A field waiting for its batch's INSERT, typed by the contract. */
struct value {
	int type;		/* SQLITE_NULL, _INTEGER, _FLOAT or _TEXT */
	int64_t i;		/* SQLITE_INTEGER */
	double f;		/* SQLITE_FLOAT */
	size_t off, len;	/* SQLITE_TEXT: bytes in load_ctx.text */
};

struct load_ctx {
	struct csv_source *cs;
	struct csv_table *t;
	sqlite3_stmt *one;	/* INSERT of one row */
	sqlite3_stmt *many;	/* INSERT of batch rows */
	size_t *cols;		/* header index of each stored column */
	size_t ncols;		/* stored columns (0: rows only, for count(*)) */
	size_t batch;		/* rows per many */
	size_t pending;		/* rows waiting in vals */
	long pending_line;	/* line of the first of them */
	struct value *vals;	/* batch * ncols values */
	char *text;		/* bytes of the TEXT values waiting */
	size_t ntext, captext;
	struct diag *d;
};

/* The value of a plain number that is not an int64.  Short decimals
 * without exponent (most money and measures) take Clinger's fast path: the
 * digits as an exact integer below 2^53 divided by an exact power of ten is
 * one correctly rounded IEEE operation, the same double strtod gives. */
static double parse_double(const char *s, size_t len)
{
	static const double pow10[] = {1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8,
				       1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15};
	const char *p = s, *end = s + len;
	uint64_t mant = 0;
	int digits = 0, frac = -1;

	if (*p == '-')
		p++;
	for (; p < end; p++) {
		if (*p == '.') {
			frac = 0;
			continue;
		}
		if (*p < '0' || *p > '9' || ++digits > 15)
			return strtod(s, NULL);	/* NUL-terminated (csv_reader.c) */
		mant = mant * 10 + (uint64_t)(*p - '0');
		if (frac >= 0)
			frac++;
	}
	if (frac < 0)
		frac = 0;
	return (*s == '-' ? -1.0 : 1.0) * ((double)mant / pow10[frac]);
}

/* Type one field by the contract: NULL, plain number, or text. */
static void classify(struct load_ctx *lc, struct value *v, const struct csv_field *f)
{
	bool is_int;

	if (f->s == NULL) {
		v->type = SQLITE_NULL;
		return;
	}
	if (is_plain_number(f->s, f->len, &is_int)) {
		if (is_int && f->len <= 19) {
			/* at most 19 characters: fits uint64; the check
			 * below sends what is above INT64_MAX to double */
			const char *p = f->s;
			bool neg = *p == '-';
			uint64_t u = 0;

			if (neg)
				p++;
			for (; p < f->s + f->len; p++)
				u = u * 10 + (uint64_t)(*p - '0');
			if (u <= (uint64_t)INT64_MAX) {
				v->type = SQLITE_INTEGER;
				v->i = neg ? -(int64_t)u : (int64_t)u;
				return;
			}
		}
		v->type = SQLITE_FLOAT;
		v->f = parse_double(f->s, f->len);
		return;
	}
	/* allocate even for "": a NULL text pointer would bind SQL NULL */
	if (!lc->text || lc->captext - lc->ntext < f->len) {
		size_t cap = lc->captext ? lc->captext : 65536;

		while (cap - lc->ntext < f->len)
			cap *= 2;
		lc->text = xrealloc(lc->text, cap);
		lc->captext = cap;
	}
	memcpy(lc->text + lc->ntext, f->s, f->len);
	v->type = SQLITE_TEXT;
	v->off = lc->ntext;
	v->len = f->len;
	lc->ntext += f->len;
}

static void bind_value(sqlite3_stmt *st, int param, const struct value *v, const char *text)
{
	switch (v->type) {
	case SQLITE_INTEGER:
		sqlite3_bind_int64(st, param, v->i);
		break;
	case SQLITE_FLOAT:
		sqlite3_bind_double(st, param, v->f);
		break;
	case SQLITE_TEXT:
		/* text is not touched again before the step */
		sqlite3_bind_text(st, param, text + v->off, (int)v->len, SQLITE_STATIC);
		break;
	default:
		sqlite3_bind_null(st, param);
		break;
	}
}

static int step(struct load_ctx *lc, sqlite3_stmt *st)
{
	int rc = sqlite3_step(st);

	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return diag_error(lc->d, "%s:%ld: %s", lc->t->path, lc->pending_line,
				  sqlite3_errmsg(lc->cs->db));
	return 0;
}

/* Insert the rows waiting: a full batch with one statement, a last partial
 * one row by row. */
static int flush(struct load_ctx *lc)
{
	int ret = 0;

	if (lc->pending == lc->batch) {
		for (size_t k = 0; k < lc->pending * lc->ncols; k++)
			bind_value(lc->many, (int)k + 1, &lc->vals[k], lc->text);
		ret = step(lc, lc->many);
	} else {
		for (size_t r = 0; r < lc->pending && ret == 0; r++) {
			for (size_t k = 0; k < lc->ncols; k++)
				bind_value(lc->one, (int)k + 1, &lc->vals[r * lc->ncols + k], lc->text);
			ret = step(lc, lc->one);
		}
	}
	lc->pending = 0;
	lc->ntext = 0;
	return ret;
}

static int load_record(void *ctx, const struct csv_record *rec)
{
	struct load_ctx *lc = ctx;
	struct csv_table *t = lc->t;
	struct value *row;

	if (rec->header) {
		/* the table was made from the header read at open */
		bool same = rec->nfields == t->ncols;

		for (size_t i = 0; same && i < t->ncols; i++)
			same = rec->fields[i].s && rec->fields[i].len == strlen(t->cols[i]) &&
			       memcmp(rec->fields[i].s, t->cols[i], rec->fields[i].len) == 0;
		if (!same)
			return diag_error(lc->d, "%s:%ld: header changed while recon was running",
					  t->path, rec->line);
		return 0;
	}
	if (lc->pending == 0)
		lc->pending_line = rec->line;
	row = &lc->vals[lc->pending * lc->ncols];
	for (size_t k = 0; k < lc->ncols; k++) {
		const struct csv_field *f = &rec->fields[lc->cols[k]];

		if (f->len > INT32_MAX)
			return diag_error(lc->d, "%s:%ld: field too large", t->path, rec->line);
		classify(lc, &row[k], f);
	}
	if (++lc->pending == lc->batch)
		return flush(lc);
	return 0;
}

static int exec_table(struct csv_source *cs, const char *verb, const struct csv_table *t)
{
	struct strbuf sb;
	int rc;

	sb_init(&sb);
	sb_puts(&sb, verb);
	sb_add_sql_ident(&sb, t->name);
	rc = sqlite3_exec(cs->db, sb.buf, NULL, NULL, NULL);
	sb_release(&sb);
	return rc == SQLITE_OK ? 0 : -1;
}

/* INSERT INTO "T" ("a", "c") VALUES (?, ?), (?, ?)... with rows rows.  With
 * no column to store, the first column gets NULL: a row all NULL. */
static int prepare_insert(struct load_ctx *lc, size_t rows, sqlite3_stmt **st)
{
	struct csv_table *t = lc->t;
	struct strbuf sb;
	int ret = 0;

	sb_init(&sb);
	sb_puts(&sb, "INSERT INTO ");
	sb_add_sql_ident(&sb, t->name);
	sb_puts(&sb, " (");
	if (lc->ncols == 0)
		sb_add_sql_ident(&sb, t->cols[0]);
	for (size_t k = 0; k < lc->ncols; k++) {
		if (k)
			sb_puts(&sb, ", ");
		sb_add_sql_ident(&sb, t->cols[lc->cols[k]]);
	}
	sb_puts(&sb, ") VALUES ");
	for (size_t r = 0; r < rows; r++) {
		sb_puts(&sb, r ? ", (" : "(");
		if (lc->ncols == 0)
			sb_puts(&sb, "NULL");
		for (size_t k = 0; k < lc->ncols; k++)
			sb_puts(&sb, k ? ", ?" : "?");
		sb_putc(&sb, ')');
	}
	if (sb.overflow || sqlite3_prepare_v2(lc->cs->db, sb.buf, -1, st, NULL) != SQLITE_OK)
		ret = diag_error(lc->d, "%s: %s", t->path, sqlite3_errmsg(lc->cs->db));
	sb_release(&sb);
	return ret;
}

/* Stream t's file into its table, storing the columns in t->need.  On a
 * format error the table is left empty and t->error is set. */
static void load_table(struct csv_source *cs, struct csv_table *t, bool progress)
{
	struct load_ctx lc;
	struct csv_read_opts opts;
	struct sha256_ctx *sha = sha256_new();
	struct diag d = {""};
	long long rows = 0;
	char hex[65];
	bool in_tx = false;
	int rc, max_vars;

	memset(&lc, 0, sizeof lc);
	lc.cs = cs;
	lc.t = t;
	lc.d = &d;
	lc.cols = xcalloc(t->ncols ? t->ncols : 1, sizeof *lc.cols);
	if (t->loaded && exec_table(cs, "DELETE FROM ", t) < 0) {
		diag_error(&d, "%s: %s", t->path, sqlite3_errmsg(cs->db));
		goto out;
	}
	t->loaded = false;
	for (size_t i = 0; i < t->ncols; i++) {
		t->have[i] = t->need[i];
		if (t->need[i])
			lc.cols[lc.ncols++] = i;
	}
	max_vars = sqlite3_limit(cs->db, SQLITE_LIMIT_VARIABLE_NUMBER, -1);
	lc.batch = LOAD_BATCH;
	if (lc.ncols && lc.batch * lc.ncols > (size_t)max_vars)
		lc.batch = (size_t)max_vars / lc.ncols;
	if (lc.batch == 0)
		lc.batch = 1;
	lc.vals = xcalloc(lc.batch * (lc.ncols ? lc.ncols : 1), sizeof *lc.vals);
	if (prepare_insert(&lc, 1, &lc.one) < 0 || prepare_insert(&lc, lc.batch, &lc.many) < 0)
		goto out;
	if (sqlite3_exec(cs->db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK) {
		diag_error(&d, "%s: %s", t->path, sqlite3_errmsg(cs->db));
		goto out;
	}
	in_tx = true;
	memset(&opts, 0, sizeof opts);
	opts.sha = sha;
	opts.progress = progress;
	opts.rows = &rows;
	rc = csv_read_file(t->path, load_record, &lc, &opts, &d);
	if (rc == 0)
		rc = flush(&lc);
	sqlite3_clear_bindings(lc.one);
	sqlite3_clear_bindings(lc.many);
	sqlite3_exec(cs->db, "COMMIT", NULL, NULL, NULL);
	in_tx = false;
	if (rc < 0) {
		/* the caller's database may run without a rollback journal
		 * (journal_mode=OFF): delete what was inserted instead */
		exec_table(cs, "DELETE FROM ", t);
		goto out;
	}
	sha256_final_hex(sha, hex);
	sha = NULL;
	t->sha256 = arena_strdup(&cs->arena, hex);
	t->rows = rows;
	t->loaded = true;
out:
	if (in_tx)
		sqlite3_exec(cs->db, "COMMIT", NULL, NULL, NULL);
	if (d.msg[0]) {
		t->error = arena_strdup(&cs->arena, d.msg);
		t->rows = -1;
		/* provenance of the bytes that failed */
		if (sha256_file_hex(t->path, hex, NULL) == 0)
			t->sha256 = arena_strdup(&cs->arena, hex);
	}
	if (sha)
		sha256_final_hex(sha, hex);	/* frees it */
	sqlite3_finalize(lc.one);
	sqlite3_finalize(lc.many);
	free(lc.cols);
	free(lc.vals);
	free(lc.text);
}

/* Whether t must be (re)loaded to give the SQL that read it what it needs. */
static bool stale(const struct csv_table *t)
{
	if (t->error || !t->read)
		return false;
	if (!t->loaded)
		return true;
	for (size_t i = 0; i < t->ncols; i++)
		if (t->need[i] && !t->have[i])
			return true;
	return false;
}

/* Contract in csv_source.h. */
void csv_source_load(struct csv_source *cs, bool progress)
{
	for (size_t i = 0; i < cs->ntables; i++) {
		struct csv_table *t = &cs->tables[i];
		char hex[65];

		if (stale(t))
			load_table(cs, t, progress);
		else if (t->read && t->error && !t->sha256 &&
			 sha256_file_hex(t->path, hex, NULL) == 0)
			t->sha256 = arena_strdup(&cs->arena, hex);	/* broken header */
	}
}

/* Contract in csv_source.h.  SQL that was never planned still works: the
 * tables and columns it reads are loaded now. */
int csv_source_check(struct csv_source *cs, const char *sql, struct diag *d)
{
	if (prepare_recording(cs, sql, d) < 0)
		return -1;
	for (size_t i = 0; i < cs->ntables; i++) {
		struct csv_table *t = &cs->tables[i];

		if (!t->hit)
			continue;
		if (stale(t))
			load_table(cs, t, false);
		if (t->error)
			return diag_error(d, "%s", t->error);
	}
	return 0;
}

/* Contract in csv_source.h.  Broken files that some SQL read are listed
 * too, with rows -1 and the sha256 of their bytes (NULL if unreadable). The
 * array lives as long as cs; each call builds a new one. */
size_t csv_source_inputs(const struct csv_source *cs, const struct input **out)
{
	struct csv_source *m = (struct csv_source *)cs;	/* the arena grows */
	struct input *in;
	size_t n = 0;

	in = arena_alloc(&m->arena, (cs->ntables ? cs->ntables : 1) * sizeof *in);
	for (size_t i = 0; i < cs->ntables; i++) {
		const struct csv_table *t = &cs->tables[i];

		if (!t->read || (!t->loaded && !t->error))
			continue;
		in[n].source = cs->name;
		in[n].table = t->name;
		in[n].rows = t->loaded ? t->rows : -1;
		in[n].sha256 = t->sha256;
		in[n].snapshot = NULL;
		n++;
	}
	*out = in;
	return n;
}

/* Contract in csv_source.h. */
void csv_source_close(struct csv_source *cs)
{
	if (cs == NULL)
		return;
	free(cs->tables);
	arena_release(&cs->arena);
	free(cs);
}
