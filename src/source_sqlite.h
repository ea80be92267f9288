/*
 * source_sqlite.h: a SQLite file as a source, for source.c: opened
 * read-only, in one transaction for the whole sweep (one consistent cut,
 * as for PostgreSQL), with the functions of strategy = bisect registered.
 * Rows come back as text; reals through format_double.
 *
 * The connection belongs to the caller, who closes it with
 * source_sqlite_close (also after a failed open, which may leave one).
 */
#ifndef RECON_SOURCE_SQLITE_H
#define RECON_SOURCE_SQLITE_H

#include "source.h"
#include "util.h"

struct sqlite3;

/* Open path read-only into *db and begin the transaction; sha256 receives
 * the file's hex digest.  -1 with d set when the file is missing or SQLite
 * refuses it. */
int source_sqlite_open(struct sqlite3 **db, const char *path, char sha256[65],
		       struct diag *d);

/* Prepare sql without stepping it: a read-only statement with no bind
 * parameter; cols (if not NULL) receives its result columns.  what names
 * the SQL in messages ("query"). */
int source_sqlite_prepare(struct sqlite3 *db, const char *sql, const char *what,
			  struct source_columns *cols, struct diag *d);

/* Run sql, handing each row to sink as text.  -1 with d set on error. */
int source_sqlite_query(struct sqlite3 *db, const char *sql, const struct row_sink *sink,
			struct diag *d);

/* Hand the names of the file's tables and views to sink, one per row. */
void source_sqlite_tables(struct sqlite3 *db, const struct row_sink *sink);

/* Whether two connections may run in two threads (a build that is not
 * single-threaded). */
bool source_sqlite_threadsafe(void);

/* Close db.  NULL is a no-op. */
void source_sqlite_close(struct sqlite3 *db);

#endif
