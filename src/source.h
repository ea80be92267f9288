/*
 * source.h: one interface over every kind of source.  A check hands SQL to
 * its source and receives rows, one at a time, as text cells.
 *
 * Snapshot directories (type csv) load the tables that some check reads
 * into an in-memory DuckDB database (source_snapshot.h); SQLite sources open a
 * file read-only.
 * The sweep opens each source once, plans every SQL text it will run (so a
 * CSV source learns which tables and columns to load), loads, runs, and
 * closes.  source_close frees everything the source holds.
 */
#ifndef RECON_SOURCE_H
#define RECON_SOURCE_H

#include "config.h"
#include "util.h"

struct source;

/* A value as text.  s is NULL when the value is SQL NULL; it is valid only
 * during the callback that received it. */
struct cell {
	const char *s;
	size_t len;
};

/* Where rows go.  header is called once before any row; row once per row.
 * Either returns 0 to go on, 1 to stop early (not an error), -1 to fail
 * (with a message in the diag the caller passed to source_query). */
struct row_sink {
	int (*header)(void *ctx, size_t ncols, const char *const *names);
	int (*row)(void *ctx, size_t ncols, const struct cell *cells);
	void *ctx;
};

/* One line of the report's provenance ("inputs"). */
struct input {
	const char *source;	/* source name */
	const char *table;	/* CSV table, or NULL */
	long long rows;		/* CSV data rows, -1 when not applicable */
	const char *sha256;	/* hex, or NULL */
	const char *snapshot;	/* PostgreSQL snapshot identity, or NULL */
};

struct source_opts {
	bool progress;		/* progress lines on stderr while loading */
	const char *temp_dir;	/* snapshots: where the engine may spill, or NULL */
	const char *memory_limit;	/* snapshots: the engine's limit, or NULL */
	int threads;		/* snapshots: the engine's threads, 0 one per core */
};

/* Open cfg.  A source that cannot be opened still yields a struct source
 * (so its checks can say why): source_error() then returns the message. */
struct source *source_open(const struct source_cfg *cfg, const struct source_opts *opts);
const char *source_error(const struct source *s);	/* NULL when usable */

/* Announce SQL that will run (CSV: records the tables and columns it
 * reads).  -1 when the SQL cannot be prepared; d says why. */
int source_plan(struct source *s, const char *sql, struct diag *d);

/* The columns a statement returns, learnt by preparing it. */
struct source_columns {
	char **names;		/* n names, each malloc'd */
	size_t n;
};

void source_columns_release(struct source_columns *c);	/* zeroed after */

/* Prepare sql on s without running it (PostgreSQL: PQprepare of the
 * unnamed statement and its description; SQLite: sqlite3_prepare; a
 * snapshot directory: DuckDB binds it over empty stand-ins of its tables),
 * and announce it as source_plan does.  what names the SQL in messages
 * ("query", "precondition", "ready query", "left_query"...).  -1 with d
 * set when s is unusable, when the SQL does not prepare (a missing table
 * gets a "did you mean" hint when one is close), or when it has a bind
 * parameter, which recon never binds: "WHAT has a bind parameter :date,
 * which recon never binds; write ${date} for the report's date".  When
 * cols is not NULL it receives the result's column names (the caller
 * releases them, also on error). */
int source_prepare(struct source *s, const char *sql, const char *what,
		   struct source_columns *cols, struct diag *d);

/* For the source layer's kinds: the message of a bind parameter name
 * ("?" for a nameless one) in the SQL that what names.  Returns -1. */
int source_param_error(struct diag *d, const char *what, const char *name);

/* Load what the planned SQL needs (CSV); a no-op for other kinds.  Errors of
 * single tables are kept and reported by the queries that read them. */
void source_load(struct source *s);

/* Run sql, streaming its rows into sink.  -1 on error with d->msg set. */
int source_query(struct source *s, const char *sql, const struct row_sink *sink,
		 struct diag *d);

/* source_query of SQL that reads a few key ranges of a table, the ranges
 * given in arrays (bisect's later levels and the rows it streams).  A
 * planner cannot estimate such ranges and expects many rows: PostgreSQL
 * would then compile the query (JIT) at a cost many times the query's
 * own, so it plans this one without.  Other kinds run it as source_query. */
int source_query_ranges(struct source *s, const char *sql, const struct row_sink *sink,
			struct diag *d);

/* A second handle on the same consistent cut as s, to query from another
 * thread while s is queried in this one (PostgreSQL: a second connection
 * whose transaction joins s's exported snapshot, opened on the first call
 * after source_load and reused by every later call).  The sibling belongs
 * to s: the caller never closes it, source_close(s) does.  Its messages
 * read like s's.  NULL, with d saying why, for kinds without one (CSV,
 * SQLite) or when it cannot be opened: the caller then reads through s,
 * one query after the other. */
struct source *source_sibling(struct source *s, struct diag *d);

/* Whether a and b (distinct sources or a source and its sibling) may each
 * be queried from a thread of its own at the same time. */
bool source_concurrent(const struct source *a, const struct source *b);

/* The planner's estimate of the rows of table (a name as a compare side
 * gives it, one identifier) on a PostgreSQL source, read in the source's
 * transaction (pg_class.reltuples); -1 when unknown: another kind of
 * source, a table never analysed, or any error (which is not reported:
 * the estimate only sizes memory). */
long long source_row_estimate(struct source *s, const char *table);

/* Whether the source shows its data as it is now (a database), rather
 * than as exported for a date (a snapshot directory). */
bool source_cfg_is_live(const struct source_cfg *cfg);

/* Whether the source's provenance is the identity of the snapshot its
 * transaction reads (struct input's snapshot: PostgreSQL), rather than a
 * file's digest. */
bool source_cfg_has_snapshot_id(const struct source_cfg *cfg);

/* Whether this run shows progress lines on a terminal (not with -q). */
bool source_progress(const struct source *s);

/* The configuration the source was opened with. */
const struct source_cfg *source_config(const struct source *s);

/* Record a file read outside source_query (a compare side streamed from a
 * CSV file) for the provenance; strings are copied.  A table already listed
 * is not listed twice. */
void source_note_input(struct source *s, const char *table, long long rows,
		       const char *sha256);

/* Provenance of what was read, in table order.  Strings belong to s. */
size_t source_inputs(const struct source *s, const struct input **out);

void source_close(struct source *s);

#endif
