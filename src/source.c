/*
 * source.c: the one interface the sweep sees over snapshot directories,
 * SQLite files and PostgreSQL databases: it dispatches each call to the
 * source's kind.  A snapshot directory (type csv) is a DuckDB database
 * (source_snapshot.c), a SQLite file goes through source_sqlite.c, and
 * PostgreSQL through source_pg.c.
 */
#include "source.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hint.h"
#include "source_pg.h"
#include "source_snapshot.h"
#include "source_sqlite.h"

struct source {
	const struct source_cfg *cfg;
	struct sqlite3 *db;		/* SQLite sources */
	struct snapshot *csv;		/* snapshot directories (type csv) */
	struct pg_source *pg;		/* PostgreSQL sources */
	char *error;			/* why the source is unusable, or NULL */
	struct input *inputs;		/* provenance of SQLite sources */
	size_t ninputs;
	char sha256[65];
	const struct input *csv_inputs;	/* provenance of CSV sources */
	size_t ncsv_inputs;
	struct input *noted;		/* files read outside source_query */
	size_t nnoted;
	struct input *all;		/* csv_inputs + noted, sorted */
	struct arena arena;		/* strings of noted */
	bool loaded;
	bool progress;			/* progress lines while loading */
	struct source *sibling;		/* PostgreSQL: a second handle on the cut */
	bool no_sibling;		/* opening one failed: do not retry */
};

static void set_error(struct source *s, const char *msg)
{
	free(s->error);
	s->error = xstrdup(msg);
}

static void open_csv(struct source *s, const struct source_opts *opts)
{
	struct snapshot_opts so = { NULL, NULL, 0, 0 };
	struct diag d = { "" };

	if (opts) {
		so.temp_dir = opts->temp_dir;
		so.memory_limit = opts->memory_limit;
		so.threads = opts->threads;
	}
	if (snapshot_open(&s->csv, s->cfg->name, s->cfg->path, &so, &d) < 0)
		set_error(s, d.msg);
}

struct source *source_open(const struct source_cfg *cfg, const struct source_opts *opts)
{
	struct source *s = xcalloc(1, sizeof(*s));

	s->cfg = cfg;
	arena_init(&s->arena);
	s->progress = opts && opts->progress;
	switch (cfg->type) {
	case SOURCE_CSV:
		open_csv(s, opts);
		break;
	case SOURCE_SQLITE: {
		struct diag d = { "" };

		if (source_sqlite_open(&s->db, cfg->path, s->sha256, &d) < 0) {
			set_error(s, d.msg);
			break;
		}
		s->inputs = xcalloc(1, sizeof(*s->inputs));
		s->inputs[0].source = cfg->name;
		s->inputs[0].rows = -1;
		s->inputs[0].sha256 = s->sha256;
		s->ninputs = 1;
		break;
	}
	case SOURCE_POSTGRES: {
		struct diag d = { "" };

		if (pg_source_open(&s->pg, cfg, &d) < 0)
			set_error(s, d.msg);
		break;
	}
	}
	return s;
}

const char *source_error(const struct source *s)
{
	return s->error;
}

int source_plan(struct source *s, const char *sql, struct diag *d)
{
	if (s->error)
		return diag_error(d, "%s", s->error);
	if (s->csv)
		return snapshot_plan(s->csv, sql, d);
	return 0;
}

void source_load(struct source *s)
{
	if (s->error || s->loaded)
		return;
	s->loaded = true;
	if (s->csv) {
		snapshot_load(s->csv, s->progress);
		s->ncsv_inputs = snapshot_inputs(s->csv, &s->csv_inputs);
	}
	if (s->pg) {
		struct diag d = { "" };

		if (pg_source_begin(s->pg, &d) < 0) {
			set_error(s, d.msg);
			return;
		}
		s->inputs = xcalloc(1, sizeof(*s->inputs));
		s->inputs[0].source = s->cfg->name;
		s->inputs[0].rows = -1;
		s->inputs[0].snapshot = pg_source_snapshot(s->pg);
		s->ninputs = 1;
	}
}

/* Contract in source.h.  :date (or @date, $date) is what a user who
 * wants the report's date writes; any other parameter is named as is. */
int source_param_error(struct diag *d, const char *what, const char *name)
{
	if (name[0] && strcmp(name + 1, "date") == 0)
		return diag_error(d, "%s has a bind parameter %s, which recon never binds; "
				  "write ${date} for the report's date", what, name);
	return diag_error(d, "%s has a bind parameter %s, which recon never binds; "
			  "write its value in the SQL", what, name);
}

void source_columns_release(struct source_columns *c)
{
	size_t i;

	for (i = 0; c->names && i < c->n; i++)
		free(c->names[i]);
	free(c->names);
	c->names = NULL;
	c->n = 0;
}

/* The table a "no such table" message of any kind names, copied into
 * out; false when msg is not such a message. */
static bool missing_table(const char *msg, char *out, size_t size)
{
	const char *p, *end;

	if ((p = strstr(msg, "no such table: "))) {
		p += strlen("no such table: ");
		if (!strncmp(p, "main.", 5))
			p += 5;
		end = p + strcspn(p, " ");
	} else if ((p = strstr(msg, "relation \"")) && (end = strstr(p + 10, "\" does not exist"))) {
		p += 10;
	} else if ((end = strstr(msg, ".csv: no such file"))) {
		for (p = end; p > msg && p[-1] != '/'; p--)
			;
	} else {
		return false;
	}
	snprintf(out, size, "%.*s", (int)(end - p), p);
	return out[0] != '\0';
}

struct names_ctx {
	char **names;
	size_t n;
};

static int names_row(void *ctx, size_t ncols, const struct cell *cells)
{
	struct names_ctx *c = ctx;

	if (ncols < 1 || !cells[0].s)
		return 0;
	c->names = xrealloc(c->names, (c->n + 1) * sizeof(*c->names));
	c->names[c->n] = xmalloc(cells[0].len + 1);
	memcpy(c->names[c->n], cells[0].s, cells[0].len);
	c->names[c->n][cells[0].len] = '\0';
	c->n++;
	return 0;
}

/* After a failed prepare that names a missing table, append "(did you
 * mean 'T'?)" when one of the source's tables is close to it. */
static void add_table_hint(struct source *s, struct diag *d)
{
	static const char pg_tables[] =
		"SELECT c.relname::text FROM pg_catalog.pg_class c WHERE c.relkind IN "
		"('r', 'v', 'm', 'f', 'p') AND pg_catalog.pg_table_is_visible(c.oid)";
	struct names_ctx c = { NULL, 0 };
	struct row_sink sink = { NULL, names_row, &c };
	struct diag ignored = { "" };
	char table[256];
	const char *pick;
	size_t i, len;

	if (!missing_table(d->msg, table, sizeof(table)))
		return;
	if (s->csv)
		c.n = snapshot_table_names(s->csv, &c.names);
	else if (s->pg)
		pg_source_query(s->pg, pg_tables, &sink, &ignored);
	else if (s->db)
		source_sqlite_tables(s->db, &sink);
	pick = closest_name(table, (const char *const *)c.names, c.n);
	len = strlen(d->msg);
	if (pick)
		snprintf(d->msg + len, sizeof(d->msg) - len, " (did you mean '%s'?)", pick);
	for (i = 0; i < c.n; i++)
		free(c.names[i]);
	free(c.names);
}

int source_prepare(struct source *s, const char *sql, const char *what,
		   struct source_columns *cols, struct diag *d)
{
	int ret;

	if (s->error)
		return diag_error(d, "%s", s->error);
	if (s->csv)
		ret = snapshot_prepare(s->csv, sql, what, cols, d);
	else if (s->pg)
		ret = pg_source_prepare(s->pg, sql, what, cols, d);
	else
		ret = source_sqlite_prepare(s->db, sql, what, cols, d);
	if (ret < 0)
		add_table_hint(s, d);
	return ret;
}

bool source_cfg_is_live(const struct source_cfg *cfg)
{
	return cfg->type != SOURCE_CSV;
}

bool source_cfg_has_snapshot_id(const struct source_cfg *cfg)
{
	return cfg->type == SOURCE_POSTGRES;
}

int source_query(struct source *s, const char *sql, const struct row_sink *sink,
		 struct diag *d)
{
	if (s->error)
		return diag_error(d, "%s", s->error);
	if (s->csv) {
		int ret;

		source_load(s);
		ret = snapshot_query(s->csv, sql, sink, d);
		/* SQL run now may have loaded more tables: provenance */
		s->ncsv_inputs = snapshot_inputs(s->csv, &s->csv_inputs);
		return ret;
	}
	if (s->pg)
		return pg_source_query(s->pg, sql, sink, d);
	return source_sqlite_query(s->db, sql, sink, d);
}

/* Contract in source.h. */
int source_query_ranges(struct source *s, const char *sql, const struct row_sink *sink,
			struct diag *d)
{
	if (s->pg && !s->error)
		return pg_source_query_ranges(s->pg, sql, sink, d);
	return source_query(s, sql, sink, d);
}

/* Contract in source.h.  The sibling is a struct source of its own with
 * only a pg_source (no provenance: the parent lists the cut), so
 * source_query works on it unchanged. */
struct source *source_sibling(struct source *s, struct diag *d)
{
	struct source *sib;

	if (s->error) {
		diag_error(d, "%s", s->error);
		return NULL;
	}
	if (!s->pg) {
		diag_error(d, "source '%s': no second handle on this kind of source", s->cfg->name);
		return NULL;
	}
	/* a sibling that lost its connection is replaced while the cut lasts */
	if (s->sibling && pg_source_lost(s->sibling->pg)) {
		source_close(s->sibling);
		s->sibling = NULL;
	}
	if (s->sibling)
		return s->sibling;
	if (s->no_sibling) {
		diag_error(d, "source '%s': no second connection", s->cfg->name);
		return NULL;
	}
	sib = xcalloc(1, sizeof(*sib));
	sib->cfg = s->cfg;
	arena_init(&sib->arena);
	sib->progress = s->progress;
	sib->loaded = true;
	if (pg_source_sibling(s->pg, &sib->pg, d) < 0) {
		source_close(sib);
		s->no_sibling = true;
		return NULL;
	}
	s->sibling = sib;
	return sib;
}

bool source_concurrent(const struct source *a, const struct source *b)
{
	if (!a || !b || a == b)
		return false;
	/* distinct SQLite connections in two threads need a build that is not
	 * single-threaded (SQLITE_THREADSAFE=0) */
	if ((a->db || b->db) && !source_sqlite_threadsafe())
		return false;
	return true;
}

static int estimate_header(void *ctx, size_t ncols, const char *const *names)
{
	(void)ctx;
	(void)names;
	return ncols == 1 ? 0 : -1;
}

static int estimate_row(void *ctx, size_t ncols, const struct cell *cells)
{
	long long *n = ctx;
	char buf[32], *end;

	if (ncols != 1 || !cells[0].s || cells[0].len == 0 || cells[0].len >= sizeof(buf))
		return 0;
	memcpy(buf, cells[0].s, cells[0].len);
	buf[cells[0].len] = '\0';
	*n = strtoll(buf, &end, 10);
	if (*end != '\0' || *n <= 0)
		*n = -1;
	return 0;
}

long long source_row_estimate(struct source *s, const char *table)
{
	struct row_sink sink = { estimate_header, estimate_row, NULL };
	struct diag ignored = { "" };
	struct strbuf sql;
	long long n = -1;
	const char *p;

	if (!s || s->error || !s->pg || !table || strchr(table, '\\'))
		return -1;
	/* to_regclass: NULL, not an error, for a table that is not there */
	sb_init(&sql);
	sb_puts(&sql, "SELECT reltuples::bigint FROM pg_catalog.pg_class "
		      "WHERE oid = pg_catalog.to_regclass('\"");
	for (p = table; *p; p++) {
		if (*p == '"')
			sb_putc(&sql, '"');
		if (*p == '\'')
			sb_putc(&sql, '\'');
		sb_putc(&sql, *p);
	}
	sb_puts(&sql, "\"')");
	sink.ctx = &n;
	if (pg_source_query(s->pg, sql.buf, &sink, &ignored) < 0)
		n = -1;
	sb_release(&sql);
	return n;
}

bool source_progress(const struct source *s)
{
	return s->progress;
}

const struct source_cfg *source_config(const struct source *s)
{
	return s->cfg;
}

static bool listed(const struct input *in, size_t n, const char *table)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (in[i].table && strcmp(in[i].table, table) == 0)
			return true;
	return false;
}

void source_note_input(struct source *s, const char *table, long long rows,
		       const char *sha256)
{
	struct input *in;

	if (listed(s->noted, s->nnoted, table))
		return;
	s->noted = xrealloc(s->noted, (s->nnoted + 1) * sizeof(*s->noted));
	in = &s->noted[s->nnoted++];
	in->source = s->cfg->name;
	in->table = arena_strdup(&s->arena, table);
	in->rows = rows;
	in->sha256 = arena_strdup(&s->arena, sha256);
	in->snapshot = NULL;
}

static int table_cmp(const void *a, const void *b)
{
	const struct input *x = a, *y = b;

	return strcmp(x->table ? x->table : "", y->table ? y->table : "");
}

size_t source_inputs(const struct source *s, const struct input **out)
{
	struct source *m = (struct source *)s;	/* the merged list is a cache */
	size_t i, n = 0;

	if (!s->csv) {
		*out = s->inputs;
		return s->ninputs;
	}
	free(m->all);
	m->all = xcalloc(s->ncsv_inputs + s->nnoted + 1, sizeof(*m->all));
	for (i = 0; i < s->ncsv_inputs; i++)
		m->all[n++] = s->csv_inputs[i];
	for (i = 0; i < s->nnoted; i++)
		if (!listed(m->all, n, s->noted[i].table))
			m->all[n++] = s->noted[i];
	qsort(m->all, n, sizeof(*m->all), table_cmp);
	*out = m->all;
	return n;
}

void source_close(struct source *s)
{
	if (!s)
		return;
	source_close(s->sibling);
	if (s->csv)
		snapshot_close(s->csv);
	if (s->pg)
		pg_source_close(s->pg);
	source_sqlite_close(s->db);
	free(s->inputs);
	free(s->noted);
	free(s->all);
	arena_release(&s->arena);
	free(s->error);
	free(s);
}
