/*
 * source_snapshot.c: a directory of CSV and Parquet snapshots as tables of an
 * in-memory DuckDB database.
 *
 * Opening lists DIR/T.csv and DIR/T.parquet and reads only the CSV headers.
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
 * Typing follows the contract, per column, from the whole file.  The
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
 * A large file that one SQL text reads is streamed instead (see the
 * section "streaming"): its view reads the table function recon_scan().
 *
 * A Parquet file is the view main."T" over read_parquet(): DuckDB reads it
 * at query time with its own types.
 *
 * Results come back as text: integers and DECIMALs exactly, DOUBLE and
 * FLOAT by format_double (15 significant digits, locale-free: the last
 * digits of a parallel sum, which vary from run to run, do not show), and
 * any other type through DuckDB's own cast to VARCHAR.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <duckdb.h>
#include <jansson.h>

#include "source_csv.h"
#include "source_snapshot.h"

__extension__ typedef __int128 i128;
__extension__ typedef unsigned __int128 u128;

#define DEC_WIDTH 38			/* DECIMAL(38, S) */
#define UNLOADED "recon-unloaded:"	/* error() text of a column not loaded */

enum ctype {
	CT_NULL,	/* no value yet (all NULL) */
	CT_BIGINT,
	CT_DECIMAL,
	CT_DOUBLE,
	CT_TEXT
};

/* What the values of one column seen so far call for. */
struct colstat {
	bool any;		/* a non-NULL value */
	bool text;		/* a value that is not a plain number */
	bool wide;		/* a value that is not a 64-bit whole number */
	int scale;		/* largest digits after the point a value needs */
	int intdigits;		/* largest digits before it */
};

struct snap_table {
	const char *name;	/* table name: the file name without extension */
	const char *path;	/* DIR/T.csv or DIR/T.parquet */
	bool parquet;
	size_t ncols;		/* CSV header fields */
	const char **cols;	/* CSV header names */
	bool *need;		/* columns some SQL reads */
	bool *have;		/* columns held by the last load */
	bool read;		/* some planned SQL reads this table */
	bool hit;		/* the SQL being planned reads it */
	bool loaded;		/* loaded (rows, sha256 valid) */
	bool described;		/* an empty view stands in for it (describe) */
	char *error;		/* why the table is unusable (malloc), or NULL */
	long long rows;		/* data rows, -1 unknown */
	char sha256[65];	/* hex digest of the file, "" unknown */
	uint64_t size;		/* file size, to load large files first */
	int readers;		/* planned SQL texts that read it */
	bool stream;		/* read by recon_scan() at query time, not loaded */
	bool primed;		/* stream: the view is over recon_scan() */
	struct store *st;	/* stream: needed columns, bound types (malloc) */
	size_t nst;
	size_t row_bytes;	/* stream: bytes a row of the first chunk takes */
	struct scan *ahead;	/* stream: a scan started before its query */
};

struct snapshot {
	duckdb_database db;
	duckdb_connection con;		/* planning and queries */
	const char *name;		/* source name, for provenance */
	const char *dir;		/* as configured */
	const char *what;		/* the SQL being planned in messages: "query" */
	struct arena arena;		/* strings, column arrays, inputs */
	struct snap_table *tables;	/* sorted by name (malloc) */
	size_t ntables;
	bool progress;			/* progress lines while loading */
	const char *memory_limit;	/* as configured, or NULL (DuckDB's default) */
	const char *temp_dir;		/* as configured, or NULL (no spilling) */
	long long stream_bytes;		/* stream CSV files from this size on */
	char threads[48];		/* "SET threads = N": the configured number */
	size_t ahead_bytes;		/* rows a streamed table may parse ahead */
	pthread_mutex_t mu;		/* guards streamed tables' fields while a
					 * query's scans end (self-joins) */
};

static int register_scan(struct snapshot *sn, struct diag *d);

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

static void set_error(struct snap_table *t, const char *msg)
{
	if (!t->error)
		t->error = xstrdup(msg);
}

/* Run sql on con; -1 with DuckDB's message in d. */
/* DuckDB's message when it cannot stay within its memory limit, in
 * recon's words: the limit, and [report] temp_dir, which lets it spill.
 * NULL when msg is another error.  The result lives in buf. */
static const char *memory_error(const struct snapshot *sn, const char *msg, char *buf,
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

static int exec(duckdb_connection con, const char *sql, struct diag *d)
{
	duckdb_result res;
	int ret = 0;

	if (duckdb_query(con, sql, &res) != DuckDBSuccess)
		ret = diag_error(d, "%s", duckdb_result_error(&res));
	duckdb_destroy_result(&res);
	return ret;
}

/* Append s as a single-quoted SQL string literal. */
static void sb_add_sql_string(struct strbuf *sb, const char *s)
{
	sb_putc(sb, '\'');
	for (; *s; s++) {
		if (*s == '\'')
			sb_putc(sb, '\'');
		sb_putc(sb, *s);
	}
	sb_putc(sb, '\'');
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
	if (exec(sn->con, sb.buf, &d) < 0) {
		set_error(t, arena_printf(&sn->arena, "%s: %s", t->path, d.msg));
		goto out;
	}
	sb_reset(&sb);
	sb_puts(&sb, "SELECT count(*) FROM main.");
	sb_add_sql_ident(&sb, t->name);
	if (duckdb_query(sn->con, sb.buf, &res) != DuckDBSuccess)
		set_error(t, arena_printf(&sn->arena, "%s: %s", t->path, duckdb_result_error(&res)));
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

/* Contract in source_snapshot.h. */
int snapshot_open(struct snapshot **out, const char *name, const char *dir,
		  const struct snapshot_opts *opts, struct diag *d)
{
	struct snapshot *sn = xcalloc(1, sizeof *sn);
	duckdb_config cfg = NULL;
	char *err = NULL;
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
	if (duckdb_create_config(&cfg) != DuckDBSuccess) {
		diag_error(d, "snapshot engine: out of memory");
		goto out;
	}
	if (configure(cfg, opts, d) < 0)
		goto out;
	if (duckdb_open_ext(NULL, &sn->db, cfg, &err) != DuckDBSuccess) {
		diag_error(d, "snapshot engine: %s", err ? err : "cannot start");
		duckdb_free(err);
		goto out;
	}
	/* timestamps with time zone read the same on every machine */
	if (duckdb_connect(sn->db, &sn->con) != DuckDBSuccess ||
	    exec(sn->con, "SET GLOBAL TimeZone = 'UTC'", d) < 0 ||
	    exec(sn->con, "CREATE SCHEMA recon", d) < 0) {
		diag_error(d, "snapshot engine: cannot connect");
		goto out;
	}
	if (register_scan(sn, d) < 0)
		goto out;
	sn->ahead_bytes = ahead_budget(sn->con);
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

			set_error(t, msg);
			set_error(&sn->tables[i + 1], msg);
		}
		if (t->error)
			continue;
		h.d = &td;
		if (t->parquet)
			open_parquet(sn, t);
		else if (csv_read_file(t->path, take_header, &h, NULL, &td) < 0)
			set_error(t, td.msg);
	}
	*out = sn;
	sn = NULL;
	ret = 0;
out:
	if (cfg)
		duckdb_destroy_config(&cfg);
	if (dp)
		closedir(dp);
	if (sn)
		snapshot_close(sn);
	return ret;
}

/* ---- planning: what SQL reads ---------------------------------------- */

static struct snap_table *find_table(struct snapshot *sn, const char *name)
{
	for (size_t i = 0; i < sn->ntables; i++)
		if (strcmp(sn->tables[i].name, name) == 0)
			return &sn->tables[i];
	for (size_t i = 0; i < sn->ntables; i++)
		if (strcasecmp(sn->tables[i].name, name) == 0)
			return &sn->tables[i];
	return NULL;
}

/* What one statement's parse tree names. */
struct refs {
	struct snapshot *sn;
	const char *sql;
	struct snap_table **tables;	/* tables it reads */
	const char **aliases;		/* their aliases, or NULL */
	size_t ntables, cap;
	const char **names;		/* every column name it mentions */
	size_t nnames, capnames;
	bool all;			/* a star: every column of its tables */
	struct diag *d;
	int status;			/* -1 once a bind parameter was seen */
};

static void add_name(struct refs *r, const char *name)
{
	if (r->nnames == r->capnames) {
		r->capnames = r->capnames ? r->capnames * 2 : 32;
		r->names = xrealloc(r->names, r->capnames * sizeof *r->names);
	}
	r->names[r->nnames++] = name;
}

static bool ident_char(char c)
{
	return c == '_' || isalnum((unsigned char)c) || (unsigned char)c >= 0x80;
}

/* Where the first bind parameter (?, ?1, $1, $name) of sql begins, outside
 * strings, quoted names and comments; strlen(sql) when none is found. */
static size_t find_param(const char *s)
{
	size_t i = 0, n = strlen(s);

	while (i < n) {
		if (s[i] == '\'' || s[i] == '"') {
			char q = s[i++];

			while (i < n && !(s[i] == q && s[i + 1] != q))
				i += s[i] == q ? 2 : 1;
			i++;
		} else if (s[i] == '-' && s[i + 1] == '-') {
			while (i < n && s[i] != '\n')
				i++;
		} else if (s[i] == '/' && s[i + 1] == '*') {
			const char *e = strstr(s + i + 2, "*/");

			i = e ? (size_t)(e - s) + 2 : n;
		} else if (s[i] == '?') {
			return i;
		} else if (s[i] == '$' && (i == 0 || !ident_char(s[i - 1]))) {
			size_t j = i + 1;

			while (j < n && ident_char(s[j]))
				j++;
			if (s[j] != '$' && j > i + 1)
				return i;
			/* $$ or $tag$: a dollar-quoted string to its closing tag */
			{
				size_t tag = j + 1 - i;
				const char *e = NULL;

				for (const char *p = s + j + 1; (p = strchr(p, '$')); p++)
					if (strncmp(p, s + i, tag) == 0) {
						e = p;
						break;
					}
				i = e ? (size_t)(e - s) + tag : n;
			}
		} else {
			i++;
		}
	}
	return n;
}

/* The error of a bind parameter, named as the SQL writes it: the one at
 * at, or else the first find_param sees. */
static int param_error(struct refs *r, size_t at)
{
	const char *s = r->sql;
	size_t len = strlen(s), end;

	if (r->status < 0)
		return -1;
	if (at >= len)
		at = find_param(s);
	if (at >= len) {
		source_param_error(r->d, r->sn->what, "?");
		return r->status = -1;
	}
	for (end = at + 1; end < len && ident_char(s[end]); end++)
		;
	{
		char name[128];

		snprintf(name, sizeof(name), "%.*s", (int)(end - at), s + at);
		source_param_error(r->d, r->sn->what, name);
	}
	return r->status = -1;
}

static void walk(struct refs *r, json_t *node)
{
	const char *key;
	json_t *v;
	size_t i;

	if (json_is_array(node)) {
		json_array_foreach(node, i, v)
			walk(r, v);
		return;
	}
	if (!json_is_object(node))
		return;
	key = json_string_value(json_object_get(node, "class"));
	if (key && strcmp(key, "PARAMETER") == 0)
		param_error(r, SIZE_MAX);
	if (key && (strcmp(key, "STAR") == 0 || strcmp(key, "POSITIONAL_REFERENCE") == 0))
		r->all = true;
	if (key && strcmp(key, "COLUMN_REF") == 0)
		json_array_foreach(json_object_get(node, "column_names"), i, v)
			if (json_is_string(v))
				add_name(r, json_string_value(v));
	/* "@name" is a bind parameter in other dialects; in DuckDB's, the
	 * prefix operator @ (absolute value) on a column: refuse it written
	 * without a space, as the parameter it most likely is */
	if (key && strcmp(key, "FUNCTION") == 0 &&
	    json_is_true(json_object_get(node, "is_operator")) &&
	    (v = json_object_get(node, "function_name")) && json_is_string(v) &&
	    strcmp(json_string_value(v), "@") == 0 &&
	    json_array_size(json_object_get(node, "children")) == 1) {
		json_t *loc = json_object_get(node, "query_location");
		size_t at = json_is_integer(loc) ? (size_t)json_integer_value(loc) : 0;

		if (at < strlen(r->sql) && r->sql[at] == '@' &&
		    (isalpha((unsigned char)r->sql[at + 1]) || r->sql[at + 1] == '_'))
			param_error(r, at);
	}
	key = json_string_value(json_object_get(node, "type"));
	if (key && strcmp(key, "BASE_TABLE") == 0) {
		const char *schema = json_string_value(json_object_get(node, "schema_name"));
		const char *name = json_string_value(json_object_get(node, "table_name"));
		const char *alias = json_string_value(json_object_get(node, "alias"));
		struct snap_table *t;

		if (name && (!schema || !*schema || strcasecmp(schema, "main") == 0) &&
		    (t = find_table(r->sn, name))) {
			if (r->ntables == r->cap) {
				r->cap = r->cap ? r->cap * 2 : 8;
				r->tables = xrealloc(r->tables, r->cap * sizeof *r->tables);
				r->aliases = xrealloc(r->aliases, r->cap * sizeof *r->aliases);
			}
			r->tables[r->ntables] = t;
			r->aliases[r->ntables++] = alias && *alias ? alias : NULL;
		}
	}
	key = json_string_value(json_object_get(node, "ref_type"));
	if (key && strcmp(key, "NATURAL") == 0)
		r->all = true;
	json_array_foreach(json_object_get(node, "using_columns"), i, v)
		if (json_is_string(v))
			add_name(r, json_string_value(v));
	json_object_foreach(node, key, v)
		if (json_is_object(v) || json_is_array(v))
			walk(r, v);
}

static void mark_all(struct snap_table *t)
{
	for (size_t i = 0; i < t->ncols; i++)
		t->need[i] = true;
}

/* Mark in each table the columns the statement names: a name that is a
 * table's name or alias is the whole row of that table. */
static void mark(struct refs *r)
{
	for (size_t k = 0; k < r->ntables; k++) {
		struct snap_table *t = r->tables[k];

		t->read = true;
		t->hit = true;
		if (r->all) {
			mark_all(t);
			continue;
		}
		for (size_t n = 0; n < r->nnames; n++) {
			if (strcasecmp(r->names[n], t->name) == 0 ||
			    (r->aliases[k] && strcasecmp(r->names[n], r->aliases[k]) == 0)) {
				mark_all(t);
				break;
			}
			for (size_t i = 0; i < t->ncols; i++)
				if (strcasecmp(t->cols[i], r->names[n]) == 0)
					t->need[i] = true;
		}
	}
}

/* DuckDB's parse error, and a ":name" parameter (which its parser does
 * not know) said as one. */
static int parse_error(struct snapshot *sn, const char *sql, json_t *root, struct diag *d)
{
	const char *msg = json_string_value(json_object_get(root, "error_message"));
	const char *type = json_string_value(json_object_get(root, "error_type"));
	const char *pos = json_string_value(json_object_get(root, "position"));
	struct refs r = { sn, sql, NULL, NULL, 0, 0, NULL, 0, 0, false, d, 0 };

	if (pos) {
		size_t at = (size_t)strtoul(pos, NULL, 10);

		if (at < strlen(sql) && sql[at] == ':' && ident_char(sql[at + 1]) &&
		    (at == 0 || sql[at - 1] != ':'))
			return param_error(&r, at);
	}
	if (msg && strstr(msg, "named and positional parameters"))
		return param_error(&r, SIZE_MAX);
	if (msg && strstr(msg, "Only SELECT statements"))
		return diag_error(d, "SQL error: not a query: checks only read (SELECT)");
	(void)type;
	if (!msg)
		return diag_error(d, "SQL error: cannot parse");
	return diag_error(d, "SQL error: %.*s", (int)strcspn(msg, "\n"), msg);
}

/* Parse sql and record what it reads into the tables' need and hit. */
static int record(struct snapshot *sn, const char *sql, struct diag *d)
{
	duckdb_prepared_statement st = NULL;
	duckdb_result res;
	json_t *root = NULL, *stmts, *s;
	json_error_t jerr;
	char *text = NULL;
	size_t i;
	int ret = -1;

	memset(&res, 0, sizeof res);
	for (i = 0; i < sn->ntables; i++)
		sn->tables[i].hit = false;
	if (duckdb_prepare(sn->con, "SELECT json_serialize_sql($1::VARCHAR)", &st) != DuckDBSuccess ||
	    duckdb_bind_varchar(st, 1, sql) != DuckDBSuccess ||
	    duckdb_execute_prepared(st, &res) != DuckDBSuccess) {
		diag_error(d, "SQL error: %s", st ? duckdb_prepare_error(st) ? duckdb_prepare_error(st)
							       : duckdb_result_error(&res) : "cannot parse");
		goto out;
	}
	text = duckdb_value_varchar(&res, 0, 0);
	/* "no location" is 2^64 - 1, beyond jansson's integers: -1 instead */
	for (char *p = text; p && (p = strstr(p, "18446744073709551615")); p += 20)
		memcpy(p, "-1                  ", 20);
	root = text ? json_loads(text, 0, &jerr) : NULL;
	if (!root) {
		diag_error(d, "SQL error: cannot parse");
		goto out;
	}
	if (json_is_true(json_object_get(root, "error"))) {
		parse_error(sn, sql, root, d);
		goto out;
	}
	stmts = json_object_get(root, "statements");
	if (json_array_size(stmts) != 1) {
		diag_error(d, "SQL error: %zu statements; a check runs one query",
			   json_array_size(stmts));
		goto out;
	}
	json_array_foreach(stmts, i, s) {
		struct refs r = { sn, sql, NULL, NULL, 0, 0, NULL, 0, 0, false, d, 0 };

		walk(&r, s);
		if (r.status == 0)
			mark(&r);
		free(r.tables);
		free(r.aliases);
		free(r.names);
		if (r.status < 0)
			goto out;
	}
	ret = 0;
out:
	json_decref(root);
	duckdb_free(text);
	duckdb_destroy_result(&res);
	duckdb_destroy_prepare(&st);
	return ret;
}

/* The error of the first table sql reads that cannot be used, known
 * before loading (its header, or two files for it). */
static int hit_error(struct snapshot *sn, struct diag *d)
{
	for (size_t i = 0; i < sn->ntables; i++)
		if (sn->tables[i].hit && sn->tables[i].error)
			return diag_error(d, "%s", sn->tables[i].error);
	return 0;
}

/* Contract in source_snapshot.h. */
int snapshot_plan(struct snapshot *sn, const char *sql, struct diag *d)
{
	if (record(sn, sql, d) < 0)
		return -1;
	for (size_t i = 0; i < sn->ntables; i++)
		sn->tables[i].readers += sn->tables[i].hit;
	return hit_error(sn, d);
}

/* A view main."T" for each CSV table sql reads that has none yet (it was
 * not loaded): every header column as an untyped NULL and no row, so that
 * DuckDB can bind sql without reading a file.  Loading replaces it. */
static int describe_views(struct snapshot *sn, struct diag *d)
{
	struct strbuf sb;
	int ret = 0;

	sb_init(&sb);
	for (size_t i = 0; i < sn->ntables && ret == 0; i++) {
		struct snap_table *t = &sn->tables[i];

		if (!t->hit || t->parquet || t->loaded || t->error || t->described)
			continue;
		sb_reset(&sb);
		sb_puts(&sb, "CREATE OR REPLACE VIEW main.");
		sb_add_sql_ident(&sb, t->name);
		sb_puts(&sb, " AS SELECT ");
		for (size_t c = 0; c < t->ncols; c++) {
			sb_puts(&sb, c ? ", NULL AS " : "NULL AS ");
			sb_add_sql_ident(&sb, t->cols[c]);
		}
		sb_puts(&sb, " WHERE false");
		if (sb.overflow)
			ret = diag_error(d, "%s: header too large", t->path);
		else if ((ret = exec(sn->con, sb.buf, d)) == 0)
			t->described = true;
	}
	sb_release(&sb);
	return ret;
}

/* Contract in source_snapshot.h. */
int snapshot_prepare(struct snapshot *sn, const char *sql, const char *what,
		     struct source_columns *cols, struct diag *d)
{
	duckdb_prepared_statement st = NULL;
	int ret;

	sn->what = what;
	ret = snapshot_plan(sn, sql, d);
	sn->what = "query";
	if (ret < 0 || !cols)
		return ret;
	ret = -1;
	if (describe_views(sn, d) < 0)
		return -1;
	if (duckdb_prepare(sn->con, sql, &st) != DuckDBSuccess) {
		const char *err = duckdb_prepare_error(st);
		size_t n = err ? strcspn(err, "\n") : 0;

		diag_error(d, "SQL error: %.*s", (int)n, err ? err : "cannot prepare");
		goto out;
	}
	{
		idx_t n = duckdb_prepared_statement_column_count(st);

		cols->names = xcalloc((size_t)n + 1, sizeof(*cols->names));
		cols->n = (size_t)n;
		for (idx_t i = 0; i < n; i++) {
			const char *name = duckdb_prepared_statement_column_name(st, i);

			cols->names[i] = xstrdup(name ? name : "");
			duckdb_free((void *)name);
		}
	}
	ret = 0;
out:
	duckdb_destroy_prepare(&st);
	return ret;
}

/* Contract in source_snapshot.h. */
size_t snapshot_table_names(const struct snapshot *sn, char ***out)
{
	char **names = xcalloc(sn->ntables + 1, sizeof(*names));

	for (size_t i = 0; i < sn->ntables; i++)
		names[i] = xstrdup(sn->tables[i].name);
	*out = names;
	return sn->ntables;
}

/* ---- typing ------------------------------------------------------------ */

/* Fold one field into a column's statistics. */
static void classify(struct colstat *cs, const char *s, size_t len)
{
	struct plain_number pn;
	int scale, intdigits;

	if (s == NULL || cs->text)
		return;
	cs->any = true;
	if (!plain_number_scan(s, len, &pn)) {
		cs->text = true;
		return;
	}
	scale = pn.frac - pn.exp;
	intdigits = pn.digits - scale;
	if (scale < 0)
		scale = 0;
	if (intdigits < 0)
		intdigits = 0;
	if (scale > cs->scale)
		cs->scale = scale;
	if (intdigits > cs->intdigits)
		cs->intdigits = intdigits;
	if (!pn.is_int || pn.digits > 19)
		cs->wide = true;
	else if (pn.digits == 19) {
		/* 19 digits: within 64 bits only up to 9223372036854775807
		 * (and -9223372036854775808) */
		const char *p = s + (*s == '-');

		if (memcmp(p, *s == '-' ? "9223372036854775808" : "9223372036854775807", 19) > 0)
			cs->wide = true;
	}
}

/* The type a column's statistics call for. */
static enum ctype decide(const struct colstat *cs, int *scale)
{
	*scale = 0;
	if (!cs->any)
		return CT_NULL;
	if (cs->text)
		return CT_TEXT;
	if (!cs->wide)
		return CT_BIGINT;
	if (cs->intdigits + cs->scale <= DEC_WIDTH) {
		*scale = cs->scale;
		return CT_DECIMAL;
	}
	return CT_DOUBLE;
}

/* ---- loading ----------------------------------------------------------- */

/* One column stored in DuckDB. */
struct store {
	size_t col;		/* header index */
	enum ctype type;	/* as created */
	int scale;		/* CT_DECIMAL */
	struct colstat stat;	/* every value of the file seen so far */
};

struct loader {
	struct snapshot *sn;
	struct snap_table *t;
	duckdb_connection con;	/* this worker's */
	duckdb_appender app;
	duckdb_data_chunk chunk;
	idx_t chunk_rows;	/* rows in chunk */
	idx_t cap;		/* duckdb_vector_size() */
	struct store *st;	/* stored columns */
	size_t nst;
	bool created;		/* recon."T" exists with st's types */
	bool fixed;		/* types known before reading (second pass) */
	bool retype;		/* a field did not fit: only classify now */
	/* the first chunk's fields, held until their types are known */
	char *held;
	size_t nheld, capheld;
	size_t *heldoff;	/* per row and stored column: offset, or SIZE_MAX */
	size_t *heldlen;
	idx_t nheldrows;
	long line;		/* line of the record being read */
	bool stream;		/* the view reads recon_scan(), not recon."T" */
	struct diag *d;
};

static i128 pow10_i128(int n)
{
	i128 v = 1;

	while (n-- > 0)
		v *= 10;
	return v;
}

/* The exact DECIMAL(38, scale) integer of plain number s, or -1 when it
 * does not fit (checked by classify before). */
static int to_decimal(const char *s, size_t len, int scale, duckdb_hugeint *out)
{
	struct plain_number pn;
	const char *p = s, *end = s + len;
	u128 m = 0;
	int shift, ndig = 0;
	i128 v;

	if (!plain_number_scan(s, len, &pn))
		return -1;
	shift = scale - (pn.frac - pn.exp);
	if (shift < 0 || pn.digits - (pn.frac - pn.exp) + scale > DEC_WIDTH)
		return -1;
	if (*p == '-')
		p++;
	for (; p < end && *p != 'e' && *p != 'E'; p++) {
		if (*p == '.')
			continue;
		m = m * 10 + (u128)(*p - '0');
		if (m && ++ndig > DEC_WIDTH)
			return -1;
	}
	v = (i128)m * pow10_i128(shift);
	if (*s == '-')
		v = -v;
	out->lower = (uint64_t)(u128)v;
	out->upper = (int64_t)(v >> 64);
	return 0;
}

/* A plain whole number within 64 bits, fast. */
static bool to_bigint(const char *s, size_t len, int64_t *out)
{
	const char *p = s, *end = s + len;
	bool neg = *p == '-';
	uint64_t u = 0;

	if (neg)
		p++;
	/* 19 digits always fit a uint64 */
	if (p == end || end - p > 19 || (*p == '0' && end - p > 1))
		return false;
	for (; p < end; p++) {
		if (*p < '0' || *p > '9')
			return false;
		u = u * 10 + (uint64_t)(*p - '0');
	}
	if (u > (uint64_t)INT64_MAX + neg)
		return false;
	*out = neg ? (int64_t)(0 - u) : (int64_t)u;
	return true;
}

/* Write field (s, len) into row of column k of the chunk; false when it
 * does not fit the column's type. */
static bool put_vec(duckdb_vector vec, const struct store *st, idx_t row, const char *s,
		    size_t len)
{
	if (s == NULL) {
		uint64_t *validity;

		duckdb_vector_ensure_validity_writable(vec);
		validity = duckdb_vector_get_validity(vec);
		duckdb_validity_set_row_invalid(validity, row);
		return true;
	}
	switch (st->type) {
	case CT_TEXT:
		duckdb_vector_assign_string_element_len(vec, row, s, len);
		return true;
	case CT_BIGINT:
		return to_bigint(s, len, (int64_t *)duckdb_vector_get_data(vec) + row);
	case CT_DECIMAL:
		return to_decimal(s, len, st->scale,
				  (duckdb_hugeint *)duckdb_vector_get_data(vec) + row) == 0;
	case CT_DOUBLE:
		if (!is_plain_number(s, len, NULL))
			return false;
		((double *)duckdb_vector_get_data(vec))[row] = strtod(s, NULL);
		return true;
	case CT_NULL:
		return false;
	}
	return false;
}

static bool put(struct loader *L, size_t k, idx_t row, const char *s, size_t len)
{
	return put_vec(duckdb_data_chunk_get_vector(L->chunk, (idx_t)k), &L->st[k], row, s, len);
}

static int duck_error(struct loader *L, const char *what)
{
	char buf[1024];
	const char *oom = memory_error(L->sn, what, buf, sizeof buf);

	return diag_error(L->d, "%s: %s", L->t->path, oom ? oom : what);
}

static int flush_chunk(struct loader *L)
{
	if (L->chunk_rows == 0)
		return 0;
	duckdb_data_chunk_set_size(L->chunk, L->chunk_rows);
	if (duckdb_append_data_chunk(L->app, L->chunk) != DuckDBSuccess)
		return duck_error(L, duckdb_appender_error(L->app));
	duckdb_data_chunk_reset(L->chunk);
	L->chunk_rows = 0;
	return 0;
}

static void add_type(struct strbuf *sb, enum ctype type, int scale)
{
	switch (type) {
	case CT_BIGINT:
		sb_puts(sb, "BIGINT");
		break;
	case CT_DECIMAL:
		sb_addf(sb, "DECIMAL(%d, %d)", DEC_WIDTH, scale);
		break;
	case CT_DOUBLE:
		sb_puts(sb, "DOUBLE");
		break;
	default:
		sb_puts(sb, "VARCHAR");
		break;
	}
}

static duckdb_logical_type logical(enum ctype type, int scale)
{
	switch (type) {
	case CT_BIGINT:
		return duckdb_create_logical_type(DUCKDB_TYPE_BIGINT);
	case CT_DECIMAL:
		return duckdb_create_decimal_type(DEC_WIDTH, (uint8_t)scale);
	case CT_DOUBLE:
		return duckdb_create_logical_type(DUCKDB_TYPE_DOUBLE);
	default:
		return duckdb_create_logical_type(DUCKDB_TYPE_VARCHAR);
	}
}

/* Drop recon."T" and the appender on it. */
static void drop(struct loader *L)
{
	struct strbuf sb;

	sb_init(&sb);
	if (L->app)
		duckdb_appender_destroy(&L->app);
	if (L->chunk)
		duckdb_destroy_data_chunk(&L->chunk);
	sb_puts(&sb, "DROP TABLE IF EXISTS recon.");
	sb_add_sql_ident(&sb, L->t->name);
	exec(L->con, sb.buf, NULL);
	sb_release(&sb);
	L->created = false;
	L->chunk_rows = 0;
}

/* Create recon."T" with the stored columns' types (a column of no value
 * yet is VARCHAR: it holds only NULLs), its appender and a chunk. */
static int create(struct loader *L)
{
	struct strbuf sb;
	duckdb_logical_type *types = xcalloc(L->nst, sizeof *types);
	struct diag d = { "" };
	int ret = -1;

	sb_init(&sb);
	sb_puts(&sb, "CREATE OR REPLACE TABLE recon.");
	sb_add_sql_ident(&sb, L->t->name);
	sb_puts(&sb, " (");
	for (size_t k = 0; k < L->nst; k++) {
		if (k)
			sb_puts(&sb, ", ");
		sb_add_sql_ident(&sb, L->t->cols[L->st[k].col]);
		sb_putc(&sb, ' ');
		add_type(&sb, L->st[k].type, L->st[k].scale);
		types[k] = logical(L->st[k].type, L->st[k].scale);
	}
	sb_putc(&sb, ')');
	if (sb.overflow) {
		duck_error(L, "header too large");
		goto out;
	}
	if (exec(L->con, sb.buf, &d) < 0) {
		duck_error(L, d.msg);
		goto out;
	}
	if (duckdb_appender_create_ext(L->con, NULL, "recon", L->t->name, &L->app) != DuckDBSuccess) {
		duck_error(L, L->app ? duckdb_appender_error(L->app) : "cannot append");
		goto out;
	}
	L->chunk = duckdb_create_data_chunk(types, L->nst);
	L->created = true;
	ret = 0;
out:
	for (size_t k = 0; k < L->nst; k++)
		duckdb_destroy_logical_type(&types[k]);
	free(types);
	sb_release(&sb);
	return ret;
}

/* Put one row's stored fields into the chunk; false when one does not
 * fit its column (the caller then retypes). */
static bool put_row(struct loader *L, const struct csv_field *fields, bool held, idx_t hrow)
{
	idx_t row = L->chunk_rows;

	for (size_t k = 0; k < L->nst; k++) {
		const char *s;
		size_t len;

		if (held) {
			size_t off = L->heldoff[hrow * L->nst + k];

			s = off == SIZE_MAX ? NULL : L->held + off;
			len = L->heldlen[hrow * L->nst + k];
		} else {
			s = fields[L->st[k].col].s;
			len = fields[L->st[k].col].len;
		}
		if (!put(L, k, row, s, len))
			return false;
	}
	L->chunk_rows++;
	return true;
}

/* The first chunk's types are known: create the table, append the held
 * rows.  -1 on a DuckDB error. */
static int start(struct loader *L)
{
	for (size_t k = 0; k < L->nst; k++) {
		L->st[k].type = decide(&L->st[k].stat, &L->st[k].scale);
		if (L->st[k].type == CT_NULL)
			L->st[k].type = CT_TEXT;
	}
	if (create(L) < 0)
		return -1;
	for (idx_t r = 0; r < L->nheldrows; r++)
		if (!put_row(L, NULL, true, r)) {
			L->retype = true;	/* cannot happen: typed by these rows */
			return 0;
		}
	L->nheldrows = 0;
	L->nheld = 0;
	return L->chunk_rows == L->cap ? flush_chunk(L) : 0;
}

static void hold(struct loader *L, const struct csv_record *rec)
{
	idx_t r = L->nheldrows++;

	for (size_t k = 0; k < L->nst; k++) {
		const struct csv_field *f = &rec->fields[L->st[k].col];

		L->heldlen[r * L->nst + k] = f->len;
		if (f->s == NULL) {
			L->heldoff[r * L->nst + k] = SIZE_MAX;
			continue;
		}
		/* NUL-terminated, as the reader's fields are (strtod) */
		if (L->capheld - L->nheld < f->len + 1) {
			size_t cap = L->capheld ? L->capheld : 65536;

			while (cap - L->nheld < f->len + 1)
				cap *= 2;
			L->held = xrealloc(L->held, cap);
			L->capheld = cap;
		}
		memcpy(L->held + L->nheld, f->s, f->len);
		L->held[L->nheld + f->len] = '\0';
		L->heldoff[r * L->nst + k] = L->nheld;
		L->nheld += f->len + 1;
	}
}

static int load_record(void *ctx, const struct csv_record *rec)
{
	struct loader *L = ctx;
	struct snap_table *t = L->t;

	if (rec->header) {
		/* the columns were named by the header read at open */
		bool same = rec->nfields == t->ncols;

		for (size_t i = 0; same && i < t->ncols; i++)
			same = rec->fields[i].s && rec->fields[i].len == strlen(t->cols[i]) &&
			       memcmp(rec->fields[i].s, t->cols[i], rec->fields[i].len) == 0;
		if (!same)
			return diag_error(L->d, "%s:%ld: header changed while recon was running",
					  t->path, rec->line);
		return 0;
	}
	L->line = rec->line;
	if (!L->fixed)
		for (size_t k = 0; k < L->nst; k++)
			classify(&L->st[k].stat, rec->fields[L->st[k].col].s,
				 rec->fields[L->st[k].col].len);
	if (L->retype || L->nst == 0)
		return 0;
	if (!L->created) {
		hold(L, rec);
		if (L->nheldrows == L->cap && start(L) < 0)
			return -1;
		return 0;
	}
	if (!put_row(L, rec->fields, false, 0)) {
		if (L->fixed)
			return diag_error(L->d, "%s:%ld: file changed while recon was running",
					  t->path, rec->line);
		L->retype = true;
		return 0;
	}
	if (L->chunk_rows == L->cap)
		return flush_chunk(L);
	return 0;
}

/* One pass over t's file.  sha: the digest to feed, or NULL. */
static int pass(struct loader *L, struct sha256_ctx *sha, bool progress, long long *rows)
{
	struct csv_read_opts opts = { sha, progress, rows };

	if (csv_read_file(L->t->path, load_record, L, &opts, L->d) < 0)
		return -1;
	if (!L->retype && L->nst > 0 && !L->created && start(L) < 0)
		return -1;
	if (!L->retype && L->created && flush_chunk(L) < 0)
		return -1;
	return 0;
}

/* SELECT list of the view main."T": each header column as loaded, as NULL
 * (no value in the whole file), or as error() when not loaded. */
static int create_view(struct loader *L, long long rows)
{
	struct snap_table *t = L->t;
	struct strbuf sb;
	struct diag d = { "" };
	size_t k = 0;
	int ret;

	sb_init(&sb);
	sb_puts(&sb, "CREATE OR REPLACE VIEW main.");
	sb_add_sql_ident(&sb, t->name);
	sb_puts(&sb, " AS SELECT ");
	for (size_t i = 0; i < t->ncols; i++) {
		if (i)
			sb_puts(&sb, ", ");
		if (k < L->nst && L->st[k].col == i) {
			if (L->st[k].type == CT_NULL)
				sb_puts(&sb, "NULL");
			else
				sb_add_sql_ident(&sb, t->cols[i]);
			k++;
		} else {
			sb_addf(&sb, "error('" UNLOADED "%zu:%zu')", (size_t)(t - L->sn->tables), i);
		}
		sb_puts(&sb, " AS ");
		sb_add_sql_ident(&sb, t->cols[i]);
	}
	if (L->stream) {
		sb_addf(&sb, " FROM recon_scan(%zu)", (size_t)(t - L->sn->tables));
	} else if (L->created) {
		sb_puts(&sb, " FROM recon.");
		sb_add_sql_ident(&sb, t->name);
	} else {
		/* nothing stored: as many rows as the file has */
		sb_addf(&sb, " FROM range(%lld)", rows);
	}
	if (sb.overflow)
		ret = duck_error(L, "header too large");
	else if ((ret = exec(L->con, sb.buf, &d)) < 0)
		duck_error(L, d.msg);
	sb_release(&sb);
	return ret;
}

/* Load t's file: the columns in t->need, typed from the whole file.  On
 * any error the table keeps no rows and t->error says why.  Runs in a
 * worker thread: touches only t, and DuckDB through con. */
static void load_table(struct snapshot *sn, struct snap_table *t, duckdb_connection con,
		       bool progress)
{
	struct loader L;
	struct sha256_ctx *sha = sha256_new();
	struct diag d = { "" };
	long long rows = 0;
	char hex[65];
	size_t n = 0;

	memset(&L, 0, sizeof L);
	L.sn = sn;
	L.t = t;
	L.con = con;
	L.d = &d;
	L.cap = duckdb_vector_size();
	L.st = xcalloc(t->ncols ? t->ncols : 1, sizeof *L.st);
	for (size_t i = 0; i < t->ncols; i++)
		if (t->need[i])
			L.st[n++].col = i;
	L.nst = n;
	L.heldoff = xcalloc(L.cap * (n ? n : 1), sizeof *L.heldoff);
	L.heldlen = xcalloc(L.cap * (n ? n : 1), sizeof *L.heldlen);
	t->loaded = false;
	if (pass(&L, sha, progress, &rows) < 0)
		goto out;
	sha256_final_hex(sha, hex);
	sha = NULL;
	if (L.retype) {
		/* a second pass with the whole file's types */
		drop(&L);
		for (size_t k = 0; k < L.nst; k++) {
			L.st[k].type = decide(&L.st[k].stat, &L.st[k].scale);
			if (L.st[k].type == CT_NULL)
				L.st[k].type = CT_TEXT;
		}
		L.fixed = true;
		L.retype = false;
		if (create(&L) < 0 || pass(&L, NULL, progress, NULL) < 0)
			goto out;
	}
	if (L.app && duckdb_appender_close(L.app) != DuckDBSuccess) {
		duck_error(&L, duckdb_appender_error(L.app));
		goto out;
	}
	/* a column with no value anywhere shows as NULL, of no type */
	for (size_t k = 0; k < L.nst; k++)
		if (!L.st[k].stat.any)
			L.st[k].type = CT_NULL;
	if (create_view(&L, rows) < 0)
		goto out;
	for (size_t i = 0; i < t->ncols; i++)
		t->have[i] = t->need[i];
	memcpy(t->sha256, hex, sizeof hex);
	t->rows = rows;
	t->loaded = true;
out:
	if (d.msg[0]) {
		drop(&L);
		set_error(t, d.msg);
		t->rows = -1;
		/* provenance of the bytes that failed */
		if (sha256_file_hex(t->path, hex, NULL) == 0)
			memcpy(t->sha256, hex, sizeof hex);
	}
	if (L.app)
		duckdb_appender_destroy(&L.app);
	if (L.chunk)
		duckdb_destroy_data_chunk(&L.chunk);
	if (sha)
		sha256_final_hex(sha, hex);	/* frees it */
	free(L.st);
	free(L.held);
	free(L.heldoff);
	free(L.heldlen);
}

/* ---- streaming: a large file that one SQL text reads ------------------- */

/*
 * Loading copies a file into DuckDB's tables, which costs more than the
 * query itself when only one query reads it.  A CSV file of at least
 * stream_bytes that a single planned SQL text reads is streamed instead:
 * its view reads recon_scan(i), a table function that parses the file
 * while the query runs, so DuckDB holds no copy of it (only what the query
 * itself keeps, such as a join's hash table, which may spill).  Priming
 * types the needed columns from the first chunk of rows.  A scan parses on
 * a producer thread of its own, which hands batches of rows (their needed
 * fields, copied) through a ring of RING slots to DuckDB's thread, which
 * converts them into the output vectors; the producer also classifies
 * every field.  At the end of the file the whole file's types are known:
 * when they are the bound ones, the table's rows and digest are recorded;
 * when not (a field that does not fit, or a column NULL throughout), the
 * table takes the whole file's types and the scan fails with RETYPE, and
 * the query runs again.  A broken file fails the scan with BROKEN and the
 * table keeps the reader's error, as a loaded table would.  A scan that
 * DuckDB stops early is cancelled, and the file is checked whole after the
 * query (validate), so every SQL that reads a broken file still fails.
 *
 * Shared between a scan's producer and DuckDB's thread: the ring and the
 * end-of-file status, under scan.mu.  The table's fields are written at a
 * scan's end by DuckDB's thread under snapshot.mu, while the thread that
 * runs the query waits for it.
 */
#define RING 4
#define RETYPE "recon-retype:"
#define BROKEN "recon-broken:"

/* The needed fields of up to duckdb_vector_size() rows. */
struct batch {
	char *bytes;		/* the fields, each NUL-terminated */
	size_t nbytes, capbytes;
	size_t *off;		/* per row and stored column: offset, or SIZE_MAX */
	size_t *len;
	idx_t nrows;
};

struct scan {
	struct snapshot *sn;
	struct snap_table *t;
	struct store *st;	/* the bound types (a copy of t->st) */
	size_t nst;
	struct colstat *stat;	/* producer: every field classified */
	idx_t cap;		/* rows per batch */
	idx_t *proj;		/* output column -> stored column */
	idx_t nproj;
	pthread_t tid;
	bool started;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct batch *ring;	/* nring slots (their arrays made on first use) */
	size_t nring;
	size_t head, count;	/* filled slots, from head */
	size_t fill;		/* producer: the slot it fills (head + count) */
	bool eof, cancel;	/* the producer ended; the consumer left */
	int status;		/* the reader's result at eof */
	struct diag d;		/* its error */
	long long rows;
	char sha256[65];
	bool misfit;		/* consumer: a field did not fit */
	bool done;
};

static void batch_add(struct batch *b, size_t slot, const char *s, size_t len)
{
	b->len[slot] = len;
	if (s == NULL) {
		b->off[slot] = SIZE_MAX;
		return;
	}
	if (b->capbytes - b->nbytes < len + 1) {
		size_t cap = b->capbytes ? b->capbytes : 65536;

		while (cap - b->nbytes < len + 1)
			cap *= 2;
		b->bytes = xrealloc(b->bytes, cap);
		b->capbytes = cap;
	}
	memcpy(b->bytes + b->nbytes, s, len);
	b->bytes[b->nbytes + len] = '\0';
	b->off[slot] = b->nbytes;
	b->nbytes += len + 1;
}

/* Producer: wait for a free slot; false when the consumer left. */
static bool slot_free(struct scan *sc)
{
	bool ok;

	pthread_mutex_lock(&sc->mu);
	while (sc->count == sc->nring && !sc->cancel)
		pthread_cond_wait(&sc->cv, &sc->mu);
	ok = !sc->cancel;
	sc->fill = (sc->head + sc->count) % sc->nring;
	pthread_mutex_unlock(&sc->mu);
	return ok;
}

static void publish(struct scan *sc)
{
	pthread_mutex_lock(&sc->mu);
	sc->count++;
	pthread_cond_broadcast(&sc->cv);
	pthread_mutex_unlock(&sc->mu);
}

static int stream_record(void *ctx, const struct csv_record *rec)
{
	struct scan *sc = ctx;
	struct snap_table *t = sc->t;
	struct batch *b;

	if (rec->header) {
		bool same = rec->nfields == t->ncols;

		for (size_t i = 0; same && i < t->ncols; i++)
			same = rec->fields[i].s && rec->fields[i].len == strlen(t->cols[i]) &&
			       memcmp(rec->fields[i].s, t->cols[i], rec->fields[i].len) == 0;
		if (!same)
			return diag_error(&sc->d, "%s:%ld: header changed while recon was running",
					  t->path, rec->line);
		return slot_free(sc) ? 0 : -1;
	}
	/* the slot after the filled ones is free: slot_free said so */
	b = &sc->ring[sc->fill];
	if (b->off == NULL) {
		b->off = xcalloc(sc->cap * (sc->nst ? sc->nst : 1), sizeof *b->off);
		b->len = xcalloc(sc->cap * (sc->nst ? sc->nst : 1), sizeof *b->len);
	}
	for (size_t k = 0; k < sc->nst; k++) {
		const struct csv_field *f = &rec->fields[sc->st[k].col];

		classify(&sc->stat[k], f->s, f->len);
		batch_add(b, b->nrows * sc->nst + k, f->s, f->len);
	}
	if (++b->nrows == sc->cap) {
		publish(sc);
		if (!slot_free(sc))
			return diag_error(&sc->d, "cancelled");
	}
	return 0;
}

static void *produce(void *arg)
{
	struct scan *sc = arg;
	struct sha256_ctx *sha = sha256_new();
	long long rows = 0;
	struct csv_read_opts opts = { sha, false, &rows };
	int rc = csv_read_file(sc->t->path, stream_record, sc, &opts, &sc->d);
	struct batch *b;

	sha256_final_hex(sha, sc->sha256);
	pthread_mutex_lock(&sc->mu);
	if (rc == 0 && !sc->cancel) {
		/* the last rows; a slot is free (slot_free, header or batch) */
		b = &sc->ring[sc->fill];
		if (b->nrows)
			sc->count++;
	}
	sc->eof = true;
	sc->status = rc;
	sc->rows = rows;
	pthread_cond_broadcast(&sc->cv);
	pthread_mutex_unlock(&sc->mu);
	return NULL;
}

static void scan_free(void *p)
{
	struct scan *sc = p;

	if (sc->started) {
		pthread_mutex_lock(&sc->mu);
		sc->cancel = true;
		pthread_cond_broadcast(&sc->cv);
		pthread_mutex_unlock(&sc->mu);
		pthread_join(sc->tid, NULL);
	}
	pthread_mutex_destroy(&sc->mu);
	pthread_cond_destroy(&sc->cv);
	for (size_t i = 0; i < sc->nring; i++) {
		free(sc->ring[i].bytes);
		free(sc->ring[i].off);
		free(sc->ring[i].len);
	}
	free(sc->ring);
	free(sc->st);
	free(sc->stat);
	free(sc->proj);
	free(sc);
}

static void scan_bind(duckdb_bind_info info)
{
	struct snapshot *sn = duckdb_bind_get_extra_info(info);
	duckdb_value v = duckdb_bind_get_parameter(info, 0);
	int64_t i = duckdb_get_int64(v);
	struct snap_table *t;

	duckdb_destroy_value(&v);
	if (i < 0 || (size_t)i >= sn->ntables || !sn->tables[i].stream) {
		duckdb_bind_set_error(info, "recon_scan: no such table");
		return;
	}
	t = &sn->tables[i];
	for (size_t k = 0; k < t->nst; k++) {
		duckdb_logical_type lt = logical(t->st[k].type, t->st[k].scale);

		duckdb_bind_add_result_column(info, t->cols[t->st[k].col], lt);
		duckdb_destroy_logical_type(&lt);
	}
	duckdb_bind_set_bind_data(info, t, NULL);
}

/* A scan of t with its bound types and nring slots, its producer
 * started; NULL when no thread can be started. */
static struct scan *scan_start(struct snapshot *sn, struct snap_table *t, size_t nring)
{
	struct scan *sc = xcalloc(1, sizeof *sc);

	sc->sn = sn;
	sc->t = t;
	sc->nst = t->nst;
	sc->st = xcalloc(t->nst ? t->nst : 1, sizeof *sc->st);
	memcpy(sc->st, t->st, t->nst * sizeof *sc->st);
	sc->stat = xcalloc(t->nst ? t->nst : 1, sizeof *sc->stat);
	sc->cap = duckdb_vector_size();
	sc->nring = nring;
	sc->ring = xcalloc(nring, sizeof *sc->ring);
	pthread_mutex_init(&sc->mu, NULL);
	pthread_cond_init(&sc->cv, NULL);
	if (pthread_create(&sc->tid, NULL, produce, sc) != 0) {
		scan_free(sc);
		return NULL;
	}
	sc->started = true;
	return sc;
}

static void scan_init(duckdb_init_info info)
{
	struct snapshot *sn = duckdb_init_get_extra_info(info);
	struct snap_table *t = duckdb_init_get_bind_data(info);
	struct scan *sc;

	/* the scan started before the query, if this is the first */
	pthread_mutex_lock(&sn->mu);
	sc = t->ahead;
	t->ahead = NULL;
	pthread_mutex_unlock(&sn->mu);
	if (sc == NULL && (sc = scan_start(sn, t, RING)) == NULL) {
		duckdb_init_set_error(info, "recon_scan: cannot start a thread");
		return;
	}
	sc->nproj = duckdb_init_get_column_count(info);
	sc->proj = xcalloc(sc->nproj + 1, sizeof *sc->proj);
	for (idx_t j = 0; j < sc->nproj; j++)
		sc->proj[j] = duckdb_init_get_column_index(info, j);
	duckdb_init_set_init_data(info, sc, scan_free);
	duckdb_init_set_max_threads(info, 1);
}

/* The end of the file: record it, or say why the query must fail. */
static void scan_end(struct scan *sc, duckdb_function_info info)
{
	struct snapshot *sn = sc->sn;
	struct snap_table *t = sc->t;
	size_t idx = (size_t)(t - sn->tables);
	char msg[64];
	bool retype = false;

	pthread_mutex_lock(&sn->mu);
	if (sc->status < 0) {
		if (!t->error)
			set_error(t, sc->d.msg);
		memcpy(t->sha256, sc->sha256, sizeof t->sha256);
		snprintf(msg, sizeof msg, BROKEN "%zu", idx);
		pthread_mutex_unlock(&sn->mu);
		duckdb_function_set_error(info, msg);
		return;
	}
	for (size_t k = 0; k < sc->nst; k++) {
		int scale;
		enum ctype type = decide(&sc->stat[k], &scale);

		if (type != t->st[k].type || (type == CT_DECIMAL && scale != t->st[k].scale)) {
			t->st[k].type = type;
			t->st[k].scale = scale;
			retype = true;
		}
	}
	if (retype) {
		t->primed = false;	/* the view again, with these types */
		snprintf(msg, sizeof msg, RETYPE "%zu", idx);
		pthread_mutex_unlock(&sn->mu);
		duckdb_function_set_error(info, msg);
		return;
	}
	t->rows = sc->rows;
	memcpy(t->sha256, sc->sha256, sizeof t->sha256);
	t->loaded = true;
	pthread_mutex_unlock(&sn->mu);
}

static void scan_next(duckdb_function_info info, duckdb_data_chunk out)
{
	struct scan *sc = duckdb_function_get_init_data(info);
	struct batch *b;

	for (;;) {
		if (sc->done) {
			duckdb_data_chunk_set_size(out, 0);
			return;
		}
		pthread_mutex_lock(&sc->mu);
		while (sc->count == 0 && !sc->eof)
			pthread_cond_wait(&sc->cv, &sc->mu);
		if (sc->count == 0) {
			pthread_mutex_unlock(&sc->mu);
			sc->done = true;
			scan_end(sc, info);
			duckdb_data_chunk_set_size(out, 0);
			return;
		}
		b = &sc->ring[sc->head];
		pthread_mutex_unlock(&sc->mu);
		for (idx_t r = 0; r < b->nrows && !sc->misfit; r++)
			for (idx_t j = 0; j < sc->nproj && !sc->misfit; j++) {
				idx_t k = sc->proj[j];
				duckdb_vector vec = duckdb_data_chunk_get_vector(out, j);
				size_t off;

				if (k >= sc->nst) {	/* a virtual column: none here */
					duckdb_vector_ensure_validity_writable(vec);
					duckdb_validity_set_row_invalid(duckdb_vector_get_validity(vec), r);
					continue;
				}
				off = b->off[r * sc->nst + k];
				if (!put_vec(vec, &sc->st[k], r,
					     off == SIZE_MAX ? NULL : b->bytes + off,
					     b->len[r * sc->nst + k]))
					sc->misfit = true;
			}
		idx_t n = b->nrows;

		b->nrows = 0;
		b->nbytes = 0;
		pthread_mutex_lock(&sc->mu);
		sc->head = (sc->head + 1) % sc->nring;
		sc->count--;
		pthread_cond_broadcast(&sc->cv);
		pthread_mutex_unlock(&sc->mu);
		/* after a misfit, only the producer's classifying goes on: the
		 * end of the file says which types the table takes */
		if (!sc->misfit) {
			duckdb_data_chunk_set_size(out, n);
			return;
		}
	}
}

/* recon_scan(i): table i, streamed.  Registered once per database. */
static int register_scan(struct snapshot *sn, struct diag *d)
{
	duckdb_table_function f = duckdb_create_table_function();
	duckdb_logical_type big = duckdb_create_logical_type(DUCKDB_TYPE_BIGINT);
	duckdb_state rc;

	duckdb_table_function_set_name(f, "recon_scan");
	duckdb_table_function_add_parameter(f, big);
	duckdb_table_function_set_extra_info(f, sn, NULL);
	duckdb_table_function_set_bind(f, scan_bind);
	duckdb_table_function_set_init(f, scan_init);
	duckdb_table_function_set_function(f, scan_next);
	duckdb_table_function_supports_projection_pushdown(f, true);
	rc = duckdb_register_table_function(sn->con, f);
	duckdb_destroy_logical_type(&big);
	duckdb_destroy_table_function(&f);
	return rc == DuckDBSuccess ? 0 : diag_error(d, "snapshot engine: cannot register recon_scan");
}

/* Priming: the first chunk's fields type the needed columns. */
struct prime {
	struct snap_table *t;
	struct store *st;
	size_t nst;
	idx_t rows, cap;
	struct diag *d;
};

static int prime_record(void *ctx, const struct csv_record *rec)
{
	struct prime *p = ctx;

	if (rec->header)
		return 0;
	for (size_t k = 0; k < p->nst; k++)
		classify(&p->st[k].stat, rec->fields[p->st[k].col].s, rec->fields[p->st[k].col].len);
	if (++p->rows == p->cap) {
		p->t->row_bytes = (size_t)(rec->offset / p->rows);
		return diag_error(p->d, "primed");
	}
	return 0;
}

/* Make t's view read recon_scan() with the needed columns, typed from the
 * first chunk (or, after a scan said otherwise, from the whole file). */
static void prime_table(struct snapshot *sn, struct snap_table *t)
{
	struct diag d = { "" };
	struct loader L;
	size_t n = 0;
	bool same = t->st != NULL;
	size_t k = 0;

	/* the same columns as before: keep the types a scan found */
	for (size_t i = 0; same && i < t->ncols; i++)
		if (t->need[i])
			same = k < t->nst && t->st[k++].col == i;
	if (!same || k != t->nst) {
		size_t j;

		struct prime p;

		free(t->st);
		t->st = xcalloc(t->ncols ? t->ncols : 1, sizeof *t->st);
		for (size_t i = 0; i < t->ncols; i++)
			if (t->need[i])
				t->st[n++].col = i;
		t->nst = n;
		memset(&p, 0, sizeof p);
		p.t = t;
		p.st = t->st;
		p.nst = n;
		p.cap = duckdb_vector_size();
		p.d = &d;
		if (csv_read_file(t->path, prime_record, &p, NULL, &d) < 0 && p.rows < p.cap) {
			set_error(t, d.msg);
			if (sha256_file_hex(t->path, t->sha256, NULL) != 0)
				t->sha256[0] = '\0';
			return;
		}
		for (j = 0; j < n; j++)
			t->st[j].type = decide(&t->st[j].stat, &t->st[j].scale);
	}
	memset(&L, 0, sizeof L);
	L.sn = sn;
	L.t = t;
	L.con = sn->con;
	L.st = t->st;
	L.nst = t->nst;
	L.stream = true;
	L.d = &d;
	if (create_view(&L, 0) < 0) {
		set_error(t, d.msg);
		return;
	}
	for (size_t i = 0; i < t->ncols; i++)
		t->have[i] = t->need[i];
	t->primed = true;
}

/* Before a query that reads streamed tables: start each one's scan now,
 * with room for its share of ahead_bytes of rows, so that a table DuckDB
 * reads second (a join's probe side) is parsed while it reads the first.
 * The query's scan of the table takes it over (scan_init). */
static void start_ahead(struct snapshot *sn)
{
	size_t n = 0;

	for (size_t i = 0; i < sn->ntables; i++)
		n += sn->tables[i].hit && sn->tables[i].stream && !sn->tables[i].error;
	for (size_t i = 0; i < sn->ntables; i++) {
		struct snap_table *t = &sn->tables[i];
		size_t slot, nring;

		if (!t->hit || !t->stream || t->error || t->ahead)
			continue;
		slot = duckdb_vector_size() * (t->row_bytes + 1 + t->nst * 2 * sizeof(size_t));
		nring = sn->ahead_bytes / n / (slot ? slot : 1);
		t->ahead = scan_start(sn, t, nring > RING ? nring : RING);
	}
}

/* After it: the scans no query took over are stopped. */
static void stop_ahead(struct snapshot *sn)
{
	for (size_t i = 0; i < sn->ntables; i++)
		if (sn->tables[i].ahead) {
			scan_free(sn->tables[i].ahead);
			sn->tables[i].ahead = NULL;
		}
}

/* After a query: a streamed table it read whose scan did not reach the end
 * of the file is read whole now.  0 when it agrees with what was bound, 1
 * when its types changed (run again), -1 when it is broken (t->error). */
static int validate(struct snapshot *sn, struct snap_table *t)
{
	/* the producer alone, its batches dropped as they fill */
	struct scan *sc = scan_start(sn, t, RING);
	int ret = 0;

	if (sc == NULL) {
		set_error(t, "snapshot engine: cannot start a thread");
		return -1;
	}
	for (;;) {
		pthread_mutex_lock(&sc->mu);
		while (sc->count == 0 && !sc->eof)
			pthread_cond_wait(&sc->cv, &sc->mu);
		if (sc->count == 0) {
			pthread_mutex_unlock(&sc->mu);
			break;
		}
		sc->ring[sc->head].nrows = 0;
		sc->ring[sc->head].nbytes = 0;
		sc->head = (sc->head + 1) % sc->nring;
		sc->count--;
		pthread_cond_broadcast(&sc->cv);
		pthread_mutex_unlock(&sc->mu);
	}
	pthread_join(sc->tid, NULL);
	sc->started = false;
	if (sc->status < 0) {
		set_error(t, sc->d.msg);
		memcpy(t->sha256, sc->sha256, sizeof t->sha256);
		ret = -1;
		goto out;
	}
	for (size_t k = 0; k < sc->nst; k++) {
		int scale;
		enum ctype type = decide(&sc->stat[k], &scale);

		if (type != t->st[k].type || (type == CT_DECIMAL && scale != t->st[k].scale)) {
			t->st[k].type = type;
			t->st[k].scale = scale;
			t->primed = false;
			ret = 1;
		}
	}
	if (ret == 0) {
		t->rows = sc->rows;
		memcpy(t->sha256, sc->sha256, sizeof t->sha256);
		t->loaded = true;
	}
out:
	scan_free(sc);
	return ret;
}

/* Whether t must be (re)loaded to give the SQL that read it what it needs. */
static bool stale(const struct snap_table *t)
{
	if (t->error || !t->read || t->parquet)
		return false;
	if (t->stream ? !t->primed : !t->loaded)
		return true;
	for (size_t i = 0; i < t->ncols; i++)
		if (t->need[i] && !t->have[i])
			return true;
	return false;
}

/* Workers take the next stale table, largest first. */
struct pool {
	struct snapshot *sn;
	struct snap_table **todo;
	size_t ntodo;
	atomic_size_t next;
	bool progress;
};

static void *worker(void *arg)
{
	struct pool *p = arg;
	duckdb_connection con = NULL;
	size_t i;

	if (duckdb_connect(p->sn->db, &con) != DuckDBSuccess) {
		while ((i = atomic_fetch_add(&p->next, 1)) < p->ntodo)
			set_error(p->todo[i], "snapshot engine: cannot connect");
		return NULL;
	}
	while ((i = atomic_fetch_add(&p->next, 1)) < p->ntodo)
		load_table(p->sn, p->todo[i], con, p->progress);
	duckdb_disconnect(&con);
	return NULL;
}

static int by_size(const void *a, const void *b)
{
	const struct snap_table *x = *(struct snap_table *const *)a;
	const struct snap_table *y = *(struct snap_table *const *)b;

	return x->size < y->size ? 1 : x->size > y->size ? -1 : strcmp(x->name, y->name);
}

static void load_stale(struct snapshot *sn, bool progress)
{
	struct pool p;
	pthread_t tid[8];
	size_t nthreads, started = 0;
	long cores = sysconf(_SC_NPROCESSORS_ONLN);

	memset(&p, 0, sizeof p);
	p.sn = sn;
	p.todo = xcalloc(sn->ntables + 1, sizeof *p.todo);
	for (size_t i = 0; i < sn->ntables; i++) {
		struct snap_table *t = &sn->tables[i];

		if (!stale(t))
			continue;
		/* (a file of which no column is read is counted: loading
		 * stores nothing) */
		if (!t->loaded && t->readers == 1 && t->size >= (uint64_t)sn->stream_bytes &&
		    memchr(t->need, true, t->ncols))
			t->stream = true;
		if (t->stream)
			prime_table(sn, t);
		else
			p.todo[p.ntodo++] = t;
	}
	qsort(p.todo, p.ntodo, sizeof *p.todo, by_size);
	atomic_init(&p.next, 0);
	nthreads = cores > 1 ? (size_t)cores : 1;
	if (nthreads > sizeof tid / sizeof *tid)
		nthreads = sizeof tid / sizeof *tid;
	if (nthreads > p.ntodo)
		nthreads = p.ntodo;
	/* one progress line at a time on the terminal */
	p.progress = progress && nthreads <= 1;
	for (size_t i = 1; i < nthreads; i++)
		if (pthread_create(&tid[started], NULL, worker, &p) == 0)
			started++;
	if (p.ntodo)
		worker(&p);
	for (size_t i = 0; i < started; i++)
		pthread_join(tid[i], NULL);
	free(p.todo);
}

/* Contract in source_snapshot.h. */
void snapshot_load(struct snapshot *sn, bool progress)
{
	sn->progress = progress;
	load_stale(sn, progress);
	for (size_t i = 0; i < sn->ntables; i++) {
		struct snap_table *t = &sn->tables[i];
		char hex[65];

		/* a broken header, or a Parquet file: the digest of its bytes */
		if (t->read && !t->sha256[0] && (t->error || t->parquet) &&
		    sha256_file_hex(t->path, hex, NULL) == 0)
			memcpy(t->sha256, hex, sizeof hex);
		if (t->read && t->parquet && !t->error)
			t->loaded = true;
	}
}

/* ---- queries ----------------------------------------------------------- */

/* A whole number of 128 bits, in decimal, into out (at least 42 bytes);
 * scale digits after a point. */
static size_t format_i128(i128 v, int scale, char *out)
{
	char tmp[48];
	size_t n = 0, k = 0;
	bool neg = v < 0;
	u128 u = neg ? (u128)0 - (u128)v : (u128)v;

	do {
		tmp[n++] = (char)('0' + (int)(u % 10));
		u /= 10;
	} while (u || (int)n <= scale);
	if (neg)
		out[k++] = '-';
	while (n > 0) {
		if ((int)n == scale)
			out[k++] = '.';
		out[k++] = tmp[--n];
	}
	out[k] = '\0';
	return k;
}

static bool native(duckdb_type t)
{
	switch (t) {
	case DUCKDB_TYPE_BOOLEAN:
	case DUCKDB_TYPE_TINYINT:
	case DUCKDB_TYPE_SMALLINT:
	case DUCKDB_TYPE_INTEGER:
	case DUCKDB_TYPE_BIGINT:
	case DUCKDB_TYPE_UTINYINT:
	case DUCKDB_TYPE_USMALLINT:
	case DUCKDB_TYPE_UINTEGER:
	case DUCKDB_TYPE_UBIGINT:
	case DUCKDB_TYPE_HUGEINT:
	case DUCKDB_TYPE_UHUGEINT:
	case DUCKDB_TYPE_FLOAT:
	case DUCKDB_TYPE_DOUBLE:
	case DUCKDB_TYPE_DECIMAL:
	case DUCKDB_TYPE_VARCHAR:
	case DUCKDB_TYPE_SQLNULL:
		return true;
	default:
		return false;
	}
}

/* One column of a result chunk, read as text. */
struct outcol {
	duckdb_type type;
	duckdb_type internal;	/* DECIMAL: its storage */
	int scale;		/* DECIMAL */
	void *data;
	uint64_t *validity;
	char num[48];		/* this row's number as text */
};

static void cell_of(struct outcol *c, idx_t row, struct cell *cell)
{
	i128 v = 0;
	int scale = 0;

	if (c->type == DUCKDB_TYPE_SQLNULL ||
	    (c->validity && !duckdb_validity_row_is_valid(c->validity, row))) {
		cell->s = NULL;
		cell->len = 0;
		return;
	}
	switch (c->type) {
	case DUCKDB_TYPE_VARCHAR: {
		duckdb_string_t *s = (duckdb_string_t *)c->data + row;

		cell->len = duckdb_string_t_length(*s);
		cell->s = duckdb_string_t_data(s);
		return;
	}
	case DUCKDB_TYPE_BOOLEAN:
		cell->s = ((bool *)c->data)[row] ? "true" : "false";
		cell->len = strlen(cell->s);
		return;
	case DUCKDB_TYPE_FLOAT:
		format_double(((float *)c->data)[row], c->num);
		cell->s = c->num;
		cell->len = strlen(c->num);
		return;
	case DUCKDB_TYPE_DOUBLE:
		format_double(((double *)c->data)[row], c->num);
		cell->s = c->num;
		cell->len = strlen(c->num);
		return;
	case DUCKDB_TYPE_TINYINT:
		v = ((int8_t *)c->data)[row];
		break;
	case DUCKDB_TYPE_SMALLINT:
		v = ((int16_t *)c->data)[row];
		break;
	case DUCKDB_TYPE_INTEGER:
		v = ((int32_t *)c->data)[row];
		break;
	case DUCKDB_TYPE_BIGINT:
		v = ((int64_t *)c->data)[row];
		break;
	case DUCKDB_TYPE_UTINYINT:
		v = ((uint8_t *)c->data)[row];
		break;
	case DUCKDB_TYPE_USMALLINT:
		v = ((uint16_t *)c->data)[row];
		break;
	case DUCKDB_TYPE_UINTEGER:
		v = ((uint32_t *)c->data)[row];
		break;
	case DUCKDB_TYPE_UBIGINT:
		v = ((uint64_t *)c->data)[row];
		break;
	case DUCKDB_TYPE_HUGEINT: {
		duckdb_hugeint h = ((duckdb_hugeint *)c->data)[row];

		v = (i128)(((u128)(uint64_t)h.upper << 64) | h.lower);
		break;
	}
	case DUCKDB_TYPE_UHUGEINT: {
		duckdb_uhugeint h = ((duckdb_uhugeint *)c->data)[row];
		u128 u = ((u128)h.upper << 64) | h.lower;
		char tmp[48];
		size_t n = 0, k = 0;

		do {
			tmp[n++] = (char)('0' + (int)(u % 10));
			u /= 10;
		} while (u);
		while (n > 0)
			c->num[k++] = tmp[--n];
		c->num[k] = '\0';
		cell->s = c->num;
		cell->len = k;
		return;
	}
	case DUCKDB_TYPE_DECIMAL:
		scale = c->scale;
		switch (c->internal) {
		case DUCKDB_TYPE_SMALLINT:
			v = ((int16_t *)c->data)[row];
			break;
		case DUCKDB_TYPE_INTEGER:
			v = ((int32_t *)c->data)[row];
			break;
		case DUCKDB_TYPE_BIGINT:
			v = ((int64_t *)c->data)[row];
			break;
		default: {
			duckdb_hugeint h = ((duckdb_hugeint *)c->data)[row];

			v = (i128)(((u128)(uint64_t)h.upper << 64) | h.lower);
			break;
		}
		}
		break;
	default:
		cell->s = "";
		cell->len = 0;
		return;
	}
	cell->len = format_i128(v, scale, c->num);
	cell->s = c->num;
}

/* The message of a failed query, and the table and column when it is the
 * error() of a column that was not loaded. */
static struct snap_table *unloaded(struct snapshot *sn, const char *msg)
{
	const char *p = msg ? strstr(msg, UNLOADED) : NULL;
	size_t i;

	if (!p)
		return NULL;
	i = (size_t)strtoul(p + strlen(UNLOADED), NULL, 10);
	return i < sn->ntables && !sn->tables[i].parquet ? &sn->tables[i] : NULL;
}

/* "Table with name T does not exist": the file's story instead. */
static int query_error(struct snapshot *sn, const char *msg, struct diag *d)
{
	static const char prefix[] = "Catalog Error: Table with name ";
	const char *p = msg ? strstr(msg, prefix) : NULL;

	if (p) {
		const char *name = p + sizeof prefix - 1, *end = strstr(name, " does not exist");

		if (end) {
			char *t = arena_strndup(&sn->arena, name, (size_t)(end - name));
			char *file = arena_printf(&sn->arena, "%s.csv", t);

			return diag_error(d, "%s: no such file", path_join(&sn->arena, sn->dir, file));
		}
	}
	if (!msg)
		return diag_error(d, "SQL error: unknown error");
	if (memory_error(sn, msg, d->msg, sizeof d->msg))
		return -1;
	/* DuckDB's first line says it; the rest quotes the SQL with a caret */
	return diag_error(d, "SQL error: %.*s", (int)strcspn(msg, "\n"), msg);
}

/* Prepare sql; wrap it to cast to text every column of a type that is not
 * read natively. */
static int prepare(struct snapshot *sn, const char *sql, duckdb_prepared_statement *st,
		   struct diag *d)
{
	struct strbuf sb;
	idx_t n, i;
	bool wrap = false;
	size_t len = strlen(sql);

	sb_init(&sb);
	if (duckdb_prepare(sn->con, sql, st) != DuckDBSuccess)
		return query_error(sn, duckdb_prepare_error(*st), d);
	if (duckdb_nparams(*st) > 0) {
		struct refs r = { sn, sql, NULL, NULL, 0, 0, NULL, 0, 0, false, d, 0 };

		return param_error(&r, SIZE_MAX);
	}
	if (duckdb_prepared_statement_type(*st) != DUCKDB_STATEMENT_TYPE_SELECT)
		return diag_error(d, "SQL error: not a query: checks only read (SELECT)");
	n = duckdb_prepared_statement_column_count(*st);
	for (i = 0; i < n && !wrap; i++)
		wrap = !native(duckdb_prepared_statement_column_type(*st, i));
	if (!wrap)
		return 0;
	while (len > 0 && (sql[len - 1] == ';' || sql[len - 1] == ' ' || sql[len - 1] == '\n' ||
			   sql[len - 1] == '\t' || sql[len - 1] == '\r'))
		len--;
	sb_puts(&sb, "SELECT ");
	for (i = 0; i < n; i++) {
		duckdb_type t = duckdb_prepared_statement_column_type(*st, i);

		sb_puts(&sb, i ? ", " : "");
		if (native(t))
			sb_addf(&sb, "#%llu", (unsigned long long)i + 1);
		else
			sb_addf(&sb, "CAST(#%llu AS VARCHAR)", (unsigned long long)i + 1);
	}
	sb_puts(&sb, " FROM (\n");
	sb_add(&sb, sql, len);
	sb_puts(&sb, "\n) AS recon_q");
	duckdb_destroy_prepare(st);
	if (duckdb_prepare(sn->con, sb.buf, st) != DuckDBSuccess) {
		query_error(sn, duckdb_prepare_error(*st), d);
		sb_release(&sb);
		return -1;
	}
	sb_release(&sb);
	return 0;
}

/* A streamed table's scan failed the query: 1 when it took the whole
 * file's types (primed again now: run again), -1 when the file is broken
 * (d says how), 0 for any other error. */
static int stream_error(struct snapshot *sn, const char *msg, struct diag *d)
{
	const char *p;
	size_t i;

	if (msg && (p = strstr(msg, RETYPE)) != NULL) {
		i = (size_t)strtoul(p + strlen(RETYPE), NULL, 10);
		if (i < sn->ntables) {
			load_stale(sn, false);
			return 1;
		}
	}
	if (msg && (p = strstr(msg, BROKEN)) != NULL) {
		i = (size_t)strtoul(p + strlen(BROKEN), NULL, 10);
		if (i < sn->ntables && sn->tables[i].error)
			return diag_error(d, "%s", sn->tables[i].error);
	}
	return 0;
}

/* Run once: 0 done, -1 error, 1 a column not loaded was read (loaded now:
 * run again). */
static int run(struct snapshot *sn, const char *sql, const struct row_sink *sink, bool *began,
	       struct diag *d)
{
	duckdb_prepared_statement st = NULL, names = NULL;
	duckdb_result res;
	duckdb_data_chunk chunk = NULL;
	const char **colnames = NULL;
	struct outcol *cols = NULL;
	struct cell *cells = NULL;
	idx_t n = 0, i;
	int ret = -1, rc;
	bool streamed = false;

	memset(&res, 0, sizeof res);
	/* column names as the SQL gives them, even when wrapped */
	if (duckdb_prepare(sn->con, sql, &names) != DuckDBSuccess) {
		query_error(sn, duckdb_prepare_error(names), d);
		goto out;
	}
	if (prepare(sn, sql, &st, d) < 0)
		goto out;
	n = duckdb_prepared_statement_column_count(st);
	colnames = xcalloc(n + 1, sizeof *colnames);
	cols = xcalloc(n + 1, sizeof *cols);
	cells = xcalloc(n + 1, sizeof *cells);
	for (i = 0; i < n; i++)
		colnames[i] = duckdb_prepared_statement_column_name(names, i);
	/* a streamed table's scan may end in RETYPE: no row reaches the sink
	 * before the whole query has run */
	for (i = 0; i < sn->ntables && !streamed; i++)
		streamed = sn->tables[i].hit && sn->tables[i].stream;
	/* a scan runs on one of DuckDB's threads beside its own producer: a
	 * second DuckDB thread would only poll for work that never comes */
	if (streamed) {
		exec(sn->con, "SET threads = 1", NULL);
		start_ahead(sn);
	}
	rc = streamed ? duckdb_execute_prepared(st, &res) : duckdb_execute_prepared_streaming(st, &res);
	if (streamed) {
		stop_ahead(sn);
		exec(sn->con, sn->threads, NULL);
	}
	if (rc != DuckDBSuccess) {
		struct snap_table *t = unloaded(sn, duckdb_result_error(&res));

		if ((rc = stream_error(sn, duckdb_result_error(&res), d)) != 0) {
			ret = rc;
			goto out;
		}
		if (t && !*began) {
			mark_all(t);
			load_stale(sn, false);
			ret = 1;
			goto out;
		}
		query_error(sn, duckdb_result_error(&res), d);
		goto out;
	}
	for (i = 0; i < n; i++) {
		duckdb_logical_type lt = duckdb_column_logical_type(&res, i);

		cols[i].type = duckdb_column_type(&res, i);
		if (cols[i].type == DUCKDB_TYPE_DECIMAL) {
			cols[i].internal = duckdb_decimal_internal_type(lt);
			cols[i].scale = duckdb_decimal_scale(lt);
		}
		duckdb_destroy_logical_type(&lt);
	}
	/* streamed tables whose scans stopped early are read whole now */
	for (size_t k = 0; streamed && k < sn->ntables; k++) {
		struct snap_table *t = &sn->tables[k];

		if (!t->hit || !t->stream || t->loaded || t->error)
			continue;
		if ((rc = validate(sn, t)) < 0) {
			diag_error(d, "%s", t->error);
			goto out;
		}
		if (rc > 0) {
			load_stale(sn, false);
			ret = 1;
			goto out;
		}
	}
	while ((chunk = duckdb_fetch_chunk(res)) != NULL) {
		idx_t rows = duckdb_data_chunk_get_size(chunk);

		if (!*began) {
			*began = true;
			if (sink->header &&
			    (rc = sink->header(sink->ctx, (size_t)n, colnames)) != 0) {
				ret = rc < 0 ? -1 : 0;
				goto out;
			}
		}
		for (i = 0; i < n; i++) {
			duckdb_vector v = duckdb_data_chunk_get_vector(chunk, i);

			cols[i].data = duckdb_vector_get_data(v);
			cols[i].validity = duckdb_vector_get_validity(v);
		}
		for (idx_t r = 0; r < rows; r++) {
			for (i = 0; i < n; i++)
				cell_of(&cols[i], r, &cells[i]);
			if ((rc = sink->row(sink->ctx, (size_t)n, cells)) != 0) {
				ret = rc < 0 ? -1 : 0;
				goto out;
			}
		}
		duckdb_destroy_data_chunk(&chunk);
	}
	if (duckdb_result_error(&res)) {
		struct snap_table *t = unloaded(sn, duckdb_result_error(&res));

		if (!*began && (rc = stream_error(sn, duckdb_result_error(&res), d)) != 0) {
			ret = rc;
			goto out;
		}

		if (t && !*began) {
			mark_all(t);
			load_stale(sn, false);
			ret = 1;
			goto out;
		}
		query_error(sn, duckdb_result_error(&res), d);
		goto out;
	}
	if (!*began) {
		*began = true;
		if (sink->header && (rc = sink->header(sink->ctx, (size_t)n, colnames)) != 0) {
			ret = rc < 0 ? -1 : 0;
			goto out;
		}
	}
	ret = 0;
out:
	if (chunk)
		duckdb_destroy_data_chunk(&chunk);
	duckdb_destroy_result(&res);
	duckdb_destroy_prepare(&st);
	duckdb_destroy_prepare(&names);
	for (i = 0; colnames && i < n; i++)
		duckdb_free((void *)colnames[i]);	/* DuckDB's malloc */
	free(colnames);
	free(cols);
	free(cells);
	return ret;
}

/* Contract in source_snapshot.h.  SQL that was never planned still works: the
 * tables and columns it reads are loaded now. */
int snapshot_query(struct snapshot *sn, const char *sql, const struct row_sink *sink,
		   struct diag *d)
{
	bool began = false;
	int rc, tries;

	if (record(sn, sql, d) < 0)
		return -1;
	load_stale(sn, false);
	if (hit_error(sn, d) < 0)
		return -1;
	for (tries = 0; tries <= (int)sn->ntables; tries++) {
		rc = run(sn, sql, sink, &began, d);
		if (rc <= 0)
			return rc;
		if (hit_error(sn, d) < 0)
			return -1;
	}
	return diag_error(d, "SQL error: columns of its tables could not be loaded");
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
	for (size_t i = 0; i < sn->ntables; i++) {
		free(sn->tables[i].error);
		free(sn->tables[i].st);
	}
	free(sn->tables);
	pthread_mutex_destroy(&sn->mu);
	arena_release(&sn->arena);
	free(sn);
}
