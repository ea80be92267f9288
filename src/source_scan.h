/*
 * source_scan.h: a table or a query of a source read row by row, each row
 * with a position that finds it again (what kind = compare reads).
 *
 * The source decides how.  A table of a snapshot directory held as
 * DIR/T.csv is streamed from its file with recon's CSV reader (source_csv.h),
 * never loaded into the engine: a row's position is the byte offset of its
 * record, rows are read again by position, and the file's rows and digest
 * go into the source's provenance (source_scan_note).  Any other table (a
 * Parquet file, a SQLite or PostgreSQL table) is SELECT * in the source's
 * dialect, and a query side is its SQL as written: a row's position is its
 * row number, and rows are read again by key, the caller matching them
 * (source_scan_narrow first: a PostgreSQL table reads only the rows whose
 * text key fields match; then, when that is not enough, everything again).
 *
 * A struct source_scan belongs to whoever opened it and is freed with
 * source_scan_free; it borrows its source (and the sibling handle it may
 * read through, see source_scans_concurrent), which outlive it.  The
 * header names it hands out belong to it.  A scan is used by one thread at
 * a time; two scans run in two threads at once when both are own_thread
 * (source_scan_traits) or source_scans_concurrent says they may.
 */
#ifndef RECON_SOURCE_SCAN_H
#define RECON_SOURCE_SCAN_H

#include "source.h"
#include "util.h"

struct source_scan;

/* What the rows of a scan are like, as its source decides. */
struct scan_traits {
	bool by_position;	/* read again by position (source_scan_fetch);
				   else by key (source_scan_narrow, _reread) */
	bool own_thread;	/* reads a file, not the source's handle: may run
				   in a thread of its own beside anything */
	const char *row_word;	/* how messages count rows: "line" or "row" */
	const char *pos_word;	/* what a position counts: "byte" or "row" */
};

/* A row as read; valid only during the callback. */
struct scan_row {
	const struct cell *cells;	/* ncols cells, every column */
	size_t ncols;
	uint64_t pos;		/* finds the row again */
	long long line;		/* its line (a file) or row number, from 1 */
};

/* Receives rows: 0 to go on, 1 to stop (not an error), -1 to fail (the
 * callback says why through its own ctx). */
typedef int (*scan_row_fn)(void *ctx, const struct scan_row *row);

/* One field of a key wanted again (source_scan_narrow). */
struct key_field {
	const char *s;		/* its text; NULL for SQL NULL */
	size_t len;
	bool any;		/* a number, matched by the caller by value: s is
				   its canonical text (10, 1.5), which the source
				   may filter on, missing a row that spells it
				   otherwise (1e1, 1.50); the caller then reads
				   everything again */
};

/* Announce to s what reading table will run (source_plan): SELECT * on a
 * database or a Parquet file; nothing for a CSV file, which is streamed. */
int source_scan_plan(struct source *s, const char *table, struct diag *d);

/* Open a scan of table on s (borrowed: it outlives the scan) or, when
 * table is NULL, of the query sql (copied).  *out is set even on error,
 * for source_scan_free.  -1 with d holding the source's own error when s
 * cannot be read (a CSV file of a snapshot directory is opened only when
 * read: its errors come from source_scan_header). */
int source_scan_open(struct source_scan **out, struct source *s, const char *table,
		     const char *sql, struct diag *d);

struct scan_traits source_scan_traits(const struct source_scan *sc);

/* The table a database scan reads with SQL (for strategy = bisect and the
 * planner's estimate), or NULL: a file or a query. */
const char *source_scan_table(const struct source_scan *sc);

/* Learn the column names without reading the rows (a file: its first
 * record; SQL: run up to its header).  *names (n of them, never NULL
 * strings) belongs to sc.  -1 with d set ("PATH: no such file", "PATH: not
 * a regular file", a CSV error, an SQL error). */
int source_scan_header(struct source_scan *sc, const char *const **names, size_t *n,
		       struct diag *d);

/* Read every row, in order, into fn; a progress line named what on a
 * terminal unless -q.  A file's header must still be the one
 * source_scan_header read ("PATH:LINE: header changed while it was
 * read"); its digest and rows are kept for source_scan_note.  -1 with d
 * set, or when fn returned -1. */
int source_scan_rows(struct source_scan *sc, const char *what, scan_row_fn fn, void *ctx,
		     struct diag *d);

/* Record the file a successful source_scan_rows read (its rows and
 * digest) in the source's provenance; nothing for SQL, which the source
 * records itself. */
void source_scan_note(struct source_scan *sc);

/* The number of the line where the row at pos begins in a file, or pos
 * itself (a row number); for messages, 0 when unknown. */
long long source_scan_line(const struct source_scan *sc, uint64_t pos);

/* "on lines A and B of PATH" or "in rows A and B": where the rows at
 * positions a and b are, for a message naming both. */
void source_scan_where(const struct source_scan *sc, uint64_t a, uint64_t b,
		       struct strbuf *sb);

/* Receives row i of those source_scan_fetch reads again, every column;
 * cells are valid only during the call.  0 to go on, -1 to fail. */
typedef int (*scan_fetch_fn)(void *ctx, size_t i, const struct cell *cells, size_t ncols);

/* Read again the n rows at pos[] of a by_position scan, in file order,
 * into fn.  Unlike the scan's other calls, several threads may read one
 * own_thread scan again at once.  -1 with d set when the file is gone or a row is not a whole
 * record of the header's width ("PATH: changed while it was read"), or
 * when fn returned -1. */
int source_scan_fetch(struct source_scan *sc, const uint64_t *pos, size_t n, scan_fetch_fn fn,
		      void *ctx, struct diag *d);

/* Read again at least the rows of the n keys wanted (keys[i * nkey + k] is
 * field k of key i, in column cols[k]), in the source's own dialect; fn
 * gets them and maybe others, and matches them by key.  1, reading
 * nothing, when the source has no narrower read for these keys (then
 * source_scan_reread reads them all); -1 with d set on error. */
int source_scan_narrow(struct source_scan *sc, const char *const *cols, size_t nkey,
		       const struct key_field *keys, size_t n, scan_row_fn fn, void *ctx,
		       struct diag *d);

/* Read every row again into fn, quietly (no progress, no provenance). */
int source_scan_reread(struct source_scan *sc, scan_row_fn fn, void *ctx, struct diag *d);

/* Read the rows of sql instead of the whole table (strategy = bisect: the
 * key ranges that differ); sql is copied.  source_scan_narrow then keeps
 * to them: the keys wanted among the rows of sql. */
void source_scan_narrow_to(struct source_scan *sc, const char *sql);

/* About how many rows sc holds, to size memory: a file's size over its
 * mean line length, a PostgreSQL table's planner estimate; 0 unknown. */
uint64_t source_scan_estimate(struct source_scan *sc);

/* Whether two scans that are not own_thread may be read at once, each in
 * a thread of its own: on two sources that allow it, or on one source
 * with a sibling handle on its cut (PostgreSQL), which b then reads
 * through from here on. */
bool source_scans_concurrent(struct source_scan *a, struct source_scan *b);

/* Whether a and b are tables of two sources (or one) whose databases can
 * checksum key ranges in SQL alike (strategy = bisect: both PostgreSQL or
 * both SQLite). */
bool source_scans_bisect(const struct source_scan *a, const struct source_scan *b);

void source_scan_free(struct source_scan *sc);

#endif
