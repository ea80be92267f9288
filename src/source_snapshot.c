/*
 * source_snapshot.c: a directory of CSV and Parquet snapshots as tables of an
 * in-memory DuckDB database.
 *
 * Opening lists DIR/T.csv and DIR/T.parquet and reads only the CSV headers;
 * DuckDB itself starts when the first SQL text is planned (snap_engine),
 * so a run that only compares the source's CSV files never pays for it.
 * Planning parses each SQL text with DuckDB (json_serialize_sql: the parse
 * tree, before any table needs to exist) and records every table it names
 * and every column name it mentions; a star, NATURAL join or a whole-row
 * reference needs all of a table's columns.  Loading then streams each
 * needed CSV file once with recon's reader and appends the needed columns
 * through DuckDB's appender, a data chunk (duckdb_vector_size() rows) at a
 * time, into the table recon."T"; the view main."T" shows every header
 * column in order: a loaded column as it is, a column all NULL as NULL,
 * and a column that was not loaded as a call to error() (so SQL that
 * reads one after all, which planning would have missed, fails with a
 * message recon recognises: the table is then loaded whole and the SQL
 * runs again).  Independent files load at once, one worker thread each.
 *
 * Typing follows recon.ini(5), per column, from the whole file.  The
 * first chunk of rows is held back and its fields classified; the column
 * types they call for (BIGINT, DECIMAL(38,S), DOUBLE, VARCHAR) are those of
 * the table, and later rows are converted straight into chunk vectors.  A
 * field that does not fit its column's type (a "1.5" under BIGINT, a word
 * under DECIMAL) stops the appending: the rest of the file is only
 * classified, the table is dropped, and a second pass appends with the
 * types of the whole file.  So a file is parsed once when its first chunk
 * types it right (the common case: ids, names, amounts of one scale), twice
 * at most, and never held in memory beyond one chunk.
 *
 * A large file that one SQL text reads is streamed instead (see
 * source_snapshot_stream.c): its view reads the table function recon_scan().
 *
 * A Parquet file is the view main."T" over read_parquet(): DuckDB reads it
 * at query time with its own types.
 *
 * Results come back as text: integers and DECIMALs exactly, DOUBLE and
 * FLOAT by format_double (15 significant digits, locale-free: the last
 * digits of a parallel sum, which vary from run to run, do not show), and
 * any other type through DuckDB's own cast to VARCHAR.
 *
 * The parts, one job each, share source_snapshot_int.h: opening and
 * closing here; planning in source_snapshot_plan.c; typing and loading in
 * source_snapshot_load.c; streaming, and loading what a query needs, in
 * source_snapshot_stream.c; queries and their results in
 * source_snapshot_query.c.
 */
#include "source_snapshot_int.h"

/* ---- opening: headers only ------------------------------------------- */

static int cmp_table(const void *a, const void *b)
{
	const struct snap_table *x = a, *y = b;

	return strcmp(x->name, y->name);
}

struct header_ctx {
	struct snapshot *sn;
	struct snap_table *t;
	struct diag *d;
};

struct name_pos {
	const char *name;
	size_t pos;
};

/* By name ignoring case, then position. */
static int name_pos_cmp(const void *a, const void *b)
{
	const struct name_pos *x = a, *y = b;
	int c = strcasecmp(x->name, y->name);

	return c ? c : (x->pos > y->pos) - (x->pos < y->pos);
}

/* The first position whose name (ignoring case, as DuckDB's names are)
 * was already taken by an earlier column, or n when none: a sort, so a
 * header of a million columns costs no more than reading it. */
static size_t first_duplicate(const char *const *names, size_t n)
{
	struct name_pos *v = xcalloc(n ? n : 1, sizeof(*v));
	size_t first = n, k;

	for (k = 0; k < n; k++)
		v[k] = (struct name_pos){ names[k], k };
	qsort(v, n, sizeof(*v), name_pos_cmp);
	for (k = 1; k < n; k++)
		if (strcasecmp(v[k - 1].name, v[k].name) == 0 && v[k].pos < first)
			first = v[k].pos;
	free(v);
	return first;
}

static int take_header(void *ctx, const struct csv_record *rec)
{
	struct header_ctx *h = ctx;
	struct snap_table *t = h->t;
	size_t dup, i;

	t->ncols = rec->nfields;
	t->cols = arena_alloc(&h->sn->arena, rec->nfields * sizeof *t->cols);
	t->need = arena_alloc(&h->sn->arena, rec->nfields * sizeof *t->need);
	t->have = arena_alloc(&h->sn->arena, rec->nfields * sizeof *t->have);
	for (i = 0; i < rec->nfields; i++) {
		const struct csv_field *f = &rec->fields[i];

		if (f->s == NULL || f->len == 0 || memchr(f->s, '\0', f->len))
			break;
		t->cols[i] = arena_strndup(&h->sn->arena, f->s, f->len);
	}
	/* the first problem in column order: a duplicate among the names
	 * before a bad one, or the bad one */
	dup = first_duplicate(t->cols, i);
	if (dup < i)
		return diag_error(h->d, "%s:%ld: duplicate column name '%s'", t->path, rec->line,
				  t->cols[dup]);
	if (i < rec->nfields) {
		const struct csv_field *f = &rec->fields[i];

		if (f->s == NULL || f->len == 0)
			return diag_error(h->d, "%s:%ld: empty column name (column %zu)",
					  t->path, rec->line, i + 1);
		return diag_error(h->d, "%s:%ld: NUL byte in column name (column %zu)",
				  t->path, rec->line, i + 1);
	}
	return 1;	/* the header is all we want now */
}

static bool is_regular(const char *path, uint64_t *size)
{
	struct stat st;

	/* a file that exists but cannot be stat'ed (a symlink loop, a
	 * directory without search permission) counts: reading it says why,
	 * rather than "no such file" */
	*size = 0;
	if (stat(path, &st) < 0)
		return errno != ENOENT && errno != ENOTDIR;
	*size = (uint64_t)st.st_size;
	return S_ISREG(st.st_mode);
}

void snap_set_error(struct snap_table *t, const char *msg)
{
	if (!t->error)
		t->error = xstrdup(msg);
}

/* Run sql on con; -1 with DuckDB's message in d. */
/* DuckDB's message when it cannot stay within its memory limit, in
 * recon's words: the limit, and [report] temp_dir, which lets it spill.
 * NULL when msg is another error.  The result lives in buf. */
const char *snap_memory_error(const struct snapshot *sn, const char *msg, char *buf,
			      size_t size)
{
	const char *limit = sn->memory_limit ? sn->memory_limit : "80% of RAM";
	int first = msg ? (int)strcspn(msg, "\n") : 0;

	if (!msg || (!strstr(msg, "Out of Memory Error") &&
		     !strstr(msg, "could not allocate block of size")))
		return NULL;
	if (sn->temp_dir)
		snprintf(buf, size, "out of memory: the snapshot engine reached [report] "
			 "memory_limit (%s) even spilling to temp_dir %s (%.*s)",
			 limit, sn->temp_dir, first, msg);
	else
		snprintf(buf, size, "out of memory: the snapshot engine reached [report] "
			 "memory_limit (%s); set [report] temp_dir to let it spill to disk",
			 limit);
	return buf;
}

int snap_exec(duckdb_connection con, const char *sql, struct diag *d)
{
	duckdb_result res;
	int ret = 0;

	if (duckdb_query(con, sql, &res) != DuckDBSuccess)
		ret = diag_error(d, "%s", duckdb_result_error(&res));
	duckdb_destroy_result(&res);
	return ret;
}

/* main."T" over read_parquet(path), and the file's rows and digest. */
static void open_parquet(struct snapshot *sn, struct snap_table *t)
{
	struct strbuf sb;
	struct diag d = { "" };
	duckdb_result res;

	sb_init(&sb);
	sb_puts(&sb, "CREATE VIEW main.");
	sb_add_sql_ident(&sb, t->name);
	sb_puts(&sb, " AS SELECT * FROM read_parquet(");
	sb_add_sql_string(&sb, t->path);
	sb_putc(&sb, ')');
	if (snap_exec(sn->con, sb.buf, &d) < 0) {
		snap_set_error(t, arena_printf(&sn->arena, "%s: %s", t->path, d.msg));
		goto out;
	}
	sb_reset(&sb);
	sb_puts(&sb, "SELECT count(*) FROM main.");
	sb_add_sql_ident(&sb, t->name);
	if (duckdb_query(sn->con, sb.buf, &res) != DuckDBSuccess)
		snap_set_error(t, arena_printf(&sn->arena, "%s: %s", t->path, duckdb_result_error(&res)));
	else
		t->rows = duckdb_value_int64(&res, 0, 0);
	duckdb_destroy_result(&res);
out:
	sb_release(&sb);
}

static int configure(duckdb_config cfg, const struct snapshot_opts *o, struct diag *d)
{
	char threads[16];
	struct {
		const char *name, *value;
	} set[] = {
		/* nothing is written outside the report directory unless the
		 * user names a place to spill */
		{ "temp_directory", o && o->temp_dir ? o->temp_dir : "" },
		{ "memory_limit", o ? o->memory_limit : NULL },
		{ "threads", NULL },
		/* extensions not built in would be downloaded: never */
		{ "autoinstall_known_extensions", "false" },
		{ "autoload_known_extensions", "false" },
	};

	if (o && o->threads > 0) {
		snprintf(threads, sizeof threads, "%d", o->threads);
		set[2].value = threads;
	}
	for (size_t i = 0; i < sizeof set / sizeof *set; i++)
		if (set[i].value && duckdb_set_config(cfg, set[i].name, set[i].value) != DuckDBSuccess)
			return diag_error(d, "snapshot engine: cannot set %s to '%s'", set[i].name,
					  set[i].value);
	return 0;
}

/* How much of a streamed table may be parsed ahead of its query: an
 * eighth of DuckDB's memory limit (recon's own memory, beside the
 * engine's), at most 256 MiB. */
static size_t ahead_budget(duckdb_connection con)
{
	static const struct {
		const char *unit;
		double bytes;
	} units[] = { { "KiB", 1024.0 }, { "MiB", 1048576.0 }, { "GiB", 1073741824.0 },
		      { "TiB", 1099511627776.0 }, { "KB", 1e3 }, { "MB", 1e6 }, { "GB", 1e9 },
		      { "TB", 1e12 } };
	duckdb_result res;
	double limit = 0, cap = 256.0 * 1048576.0;
	char *text = NULL, *end;

	if (duckdb_query(con, "SELECT current_setting('memory_limit')", &res) == DuckDBSuccess)
		text = duckdb_value_varchar(&res, 0, 0);
	duckdb_destroy_result(&res);
	if (text) {
		limit = strtod(text, &end);
		while (*end == ' ')
			end++;
		for (size_t i = 0; i < sizeof units / sizeof *units; i++)
			if (strcmp(end, units[i].unit) == 0)
				limit *= units[i].bytes;
		duckdb_free(text);
	}
	if (limit > 0 && limit / 8 < cap)
		cap = limit / 8;
	return (size_t)cap;
}

/* Start DuckDB, once: the database and its connection, the views of the
 * Parquet files.  -1 (d set) when it cannot start, then and at every later
 * call. */
int snap_engine(struct snapshot *sn, struct diag *d)
{
	char *err = NULL;

	if (sn->con)
		return 0;
	if (sn->engine_error)
		return diag_error(d, "%s", sn->engine_error);
	if (duckdb_open_ext(NULL, &sn->db, sn->cfg, &err) != DuckDBSuccess) {
		diag_error(d, "snapshot engine: %s", err ? err : "cannot start");
		duckdb_free(err);
		goto fail;
	}
	/* timestamps with time zone read the same on every machine */
	if (duckdb_connect(sn->db, &sn->con) != DuckDBSuccess ||
	    snap_exec(sn->con, "SET GLOBAL TimeZone = 'UTC'", d) < 0 ||
	    snap_exec(sn->con, "CREATE SCHEMA recon", d) < 0) {
		diag_error(d, "snapshot engine: cannot connect");
		goto fail;
	}
	if (snap_register_scan(sn, d) < 0)
		goto fail;
	sn->ahead_bytes = ahead_budget(sn->con);
	for (size_t i = 0; i < sn->ntables; i++)
		if (sn->tables[i].parquet && !sn->tables[i].error)
			open_parquet(sn, &sn->tables[i]);
	return 0;
fail:
	sn->engine_error = arena_strdup(&sn->arena, d->msg);
	if (sn->con)
		duckdb_disconnect(&sn->con);
	if (sn->db)
		duckdb_close(&sn->db);
	return -1;
}

/* Contract in source_snapshot.h. */
int snapshot_open(struct snapshot **out, const char *name, const char *dir,
		  const struct snapshot_opts *opts, struct diag *d)
{
	struct snapshot *sn = xcalloc(1, sizeof *sn);
	DIR *dp = NULL;
	struct dirent *de;
	size_t cap = 0;
	int ret = -1;

	*out = NULL;
	arena_init(&sn->arena);
	sn->name = arena_strdup(&sn->arena, name ? name : "");
	sn->dir = arena_strdup(&sn->arena, dir);
	sn->what = "query";
	if (opts && opts->memory_limit)
		sn->memory_limit = arena_strdup(&sn->arena, opts->memory_limit);
	if (opts && opts->temp_dir)
		sn->temp_dir = arena_strdup(&sn->arena, opts->temp_dir);
	sn->stream_bytes = opts && opts->stream_bytes > 0 ? opts->stream_bytes : 8LL << 20;
	snprintf(sn->threads, sizeof sn->threads, "SET threads = %ld",
		 opts && opts->threads > 0 ? (long)opts->threads : sysconf(_SC_NPROCESSORS_ONLN));
	pthread_mutex_init(&sn->mu, NULL);
	dp = opendir(dir);
	if (dp == NULL) {
		if (errno == ENOENT)
			diag_error(d, "%s: no such directory", dir);
		else
			diag_error(d, "%s: %s", dir, strerror(errno));
		goto out;
	}
	/* the settings are checked now, the engine started when needed */
	if (duckdb_create_config(&sn->cfg) != DuckDBSuccess) {
		diag_error(d, "snapshot engine: out of memory");
		goto out;
	}
	if (configure(sn->cfg, opts, d) < 0)
		goto out;
	while ((de = readdir(dp)) != NULL) {
		size_t len = strlen(de->d_name), ext;
		struct snap_table *t;
		uint64_t size;
		char *path;

		/* T.csv and T.parquet, not hidden files (editors' leftovers) */
		if (de->d_name[0] == '.')
			continue;
		if (len > 4 && strcmp(de->d_name + len - 4, ".csv") == 0)
			ext = 4;
		else if (len > 8 && strcmp(de->d_name + len - 8, ".parquet") == 0)
			ext = 8;
		else
			continue;
		path = path_join(&sn->arena, dir, de->d_name);
		if (!is_regular(path, &size))
			continue;
		if (sn->ntables == cap) {
			cap = cap ? cap * 2 : 16;
			sn->tables = xrealloc(sn->tables, cap * sizeof *sn->tables);
		}
		t = &sn->tables[sn->ntables++];
		memset(t, 0, sizeof *t);
		t->name = arena_strndup(&sn->arena, de->d_name, len - ext);
		t->path = path;
		t->parquet = ext == 8;
		t->rows = -1;
		t->size = size;
	}
	qsort(sn->tables, sn->ntables, sizeof *sn->tables, cmp_table);
	for (size_t i = 0; i < sn->ntables; i++) {
		struct snap_table *t = &sn->tables[i];
		struct header_ctx h = { sn, t, d };
		struct diag td = { "" };

		/* T.csv and T.parquet, or t.csv and T.csv: one table, two files */
		if (i + 1 < sn->ntables && strcasecmp(t->name, sn->tables[i + 1].name) == 0) {
			const char *msg = arena_printf(&sn->arena, "%s and %s: two files for table %s",
						       t->path, sn->tables[i + 1].path, t->name);

			snap_set_error(t, msg);
			snap_set_error(&sn->tables[i + 1], msg);
		}
		if (t->error)
			continue;
		h.d = &td;
		if (!t->parquet && csv_read_file(t->path, take_header, &h, NULL, &td) < 0)
			snap_set_error(t, td.msg);
	}
	*out = sn;
	sn = NULL;
	ret = 0;
out:
	if (dp)
		closedir(dp);
	if (sn)
		snapshot_close(sn);
	return ret;
}

/* Contract in source_snapshot.h.  Each call builds a new array in the arena. */
size_t snapshot_inputs(const struct snapshot *sn, const struct input **out)
{
	struct snapshot *m = (struct snapshot *)sn;	/* the arena grows */
	struct input *in;
	size_t n = 0;

	in = arena_alloc(&m->arena, (sn->ntables ? sn->ntables : 1) * sizeof *in);
	for (size_t i = 0; i < sn->ntables; i++) {
		const struct snap_table *t = &sn->tables[i];

		if (!t->read || (!t->loaded && !t->error))
			continue;
		in[n].source = sn->name;
		in[n].table = t->name;
		in[n].rows = t->loaded ? t->rows : -1;
		in[n].sha256 = t->sha256[0] ? t->sha256 : NULL;
		in[n].snapshot = NULL;
		n++;
	}
	*out = in;
	return n;
}

/* Contract in source_snapshot.h. */
void snapshot_close(struct snapshot *sn)
{
	if (sn == NULL)
		return;
	if (sn->con)
		duckdb_disconnect(&sn->con);
	if (sn->db)
		duckdb_close(&sn->db);
	if (sn->cfg)
		duckdb_destroy_config(&sn->cfg);
	for (size_t i = 0; i < sn->ntables; i++) {
		free(sn->tables[i].error);
		free(sn->tables[i].st);
	}
	free(sn->tables);
	pthread_mutex_destroy(&sn->mu);
	arena_release(&sn->arena);
	free(sn);
}
