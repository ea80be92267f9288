/*
 * source_snapshot.h: a directory of CSV and Parquet snapshots as tables of an
 * in-memory DuckDB database.
 *
 * Every DIR/T.csv and every DIR/T.parquet is table T (both at once is an
 * error of any SQL that reads T).  snapshot_open reads only the CSV
 * headers (DuckDB starts with the first SQL planned, so a source no SQL
 * reads never starts it); snapshot_plan parses a check's SQL with DuckDB
 * and records which tables and columns it reads; snapshot_load reads each
 * needed CSV file once with
 * recon's own reader (source_csv.h), types each needed column from the whole
 * file (BIGINT, DECIMAL(38,S), DOUBLE or text, as recon.ini(5) says) and
 * appends it to DuckDB, several files at once on several threads; a large
 * file (stream_bytes) that a single planned SQL text reads is not copied
 * but parsed while that query runs (typed from its first rows, and again
 * from the whole file, with the query run again, when a later value does
 * not fit).  A Parquet
 * file is read by DuckDB itself, with its own types.  A broken file (ragged
 * row, bad quoting, invalid UTF-8) is remembered with its error; every SQL
 * that reads its table gets that error, and other tables are not affected.
 *
 * The struct snapshot owns the DuckDB database, its connections and every
 * string it hands out; snapshot_close frees them all.  Only the thread that
 * opened it calls these functions (loading starts and joins its own
 * workers, each with its own connection and appender; a streamed table's
 * scan starts and joins its own parser thread).
 */
#ifndef RECON_SOURCE_SNAPSHOT_H
#define RECON_SOURCE_SNAPSHOT_H

#include "source.h"
#include "util.h"

struct snapshot;

struct snapshot_opts {
	const char *temp_dir;		/* where DuckDB may spill; NULL: nowhere */
	const char *memory_limit;	/* "16GB"; NULL: DuckDB's default (80% of RAM) */
	int threads;			/* DuckDB's threads, 0: one per core */
	long long stream_bytes;		/* a CSV file this large, read by one SQL
					 * text, is streamed; 0: 8 MiB */
};

/* -1 when dir cannot be read or DuckDB cannot start (d says why).  name is
 * the source's name (for provenance). */
int snapshot_open(struct snapshot **out, const char *name, const char *dir,
		  const struct snapshot_opts *opts, struct diag *d);

/* Record what sql reads.  -1 when it cannot be parsed, is not a single
 * SELECT, or holds a bind parameter (d says which). */
int snapshot_plan(struct snapshot *sn, const char *sql, struct diag *d);

/* Plan sql as snapshot_plan does, naming it what in messages ("query",
 * "precondition": a bind parameter reads "WHAT has a bind parameter :date,
 * which recon never binds; ..."); with cols not NULL, also have DuckDB bind
 * it without reading any file (an empty view stands in for each CSV table
 * not yet loaded) and give its result's column names (released with
 * source_columns_release).  -1 with d set as snapshot_plan, or "SQL error:
 * ..." when DuckDB cannot bind it (a missing column, a type error). */
int snapshot_prepare(struct snapshot *sn, const char *sql, const char *what,
		     struct source_columns *cols, struct diag *d);

/* The table names, sorted, into *out (malloc'd: the caller frees each and
 * the array); returns their number. */
size_t snapshot_table_names(const struct snapshot *sn, char ***out);

/* Load every table that planned SQL reads.  progress: a line on stderr now
 * and then while loading large files. */
void snapshot_load(struct snapshot *sn, bool progress);

/* Run sql, loading first what it reads and was not loaded, and stream its
 * rows into sink as text: numbers locale-free (DOUBLE with 15 significant
 * digits, DECIMAL with its scale), other types as DuckDB casts them to
 * text.  -1 with d set on error: a broken table's "DIR/T.csv:LINE:
 * problem", "DIR/T.csv: no such file", or "SQL error: ...". */
int snapshot_query(struct snapshot *sn, const char *sql, const struct row_sink *sink,
		   struct diag *d);

/* Tables some SQL read (loaded, or broken), sorted by name; rows is -1 for
 * a broken file.  The array lives as long as sn. */
size_t snapshot_inputs(const struct snapshot *sn, const struct input **out);

void snapshot_close(struct snapshot *sn);

#endif
