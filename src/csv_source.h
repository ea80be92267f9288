/*
 * csv_source.h: a directory of CSV snapshots seen as SQLite tables.
 *
 * Every DIR/T.csv is table T.  csv_source_open reads only the header of each
 * file and creates an empty table with those columns in the given SQLite
 * database (owned by the caller).  csv_source_plan prepares a check's SQL
 * with an authorizer that records which tables and columns it reads;
 * csv_source_load then streams each needed file once with libcsv (see
 * csv_reader.h), storing only the columns some check reads (others stay
 * NULL), plain numbers as INTEGER or REAL, other fields as TEXT, empty
 * unquoted fields as NULL, and computes each file's SHA-256 and row count.
 * A broken file (ragged row, bad quoting, invalid UTF-8) leaves its table
 * empty and remembers the error; csv_source_check reports it for any SQL
 * that reads the table.  csv_source_close frees the struct, not the db.
 */
#ifndef RECON_CSV_SOURCE_H
#define RECON_CSV_SOURCE_H

#include <sqlite3.h>

#include "source.h"
#include "util.h"

struct csv_source;

/* -1 when dir cannot be read (d names the path).  name is the source's name
 * (for provenance). */
int csv_source_open(struct csv_source **out, sqlite3 *db, const char *name,
		    const char *dir, struct diag *d);

/* Record what sql reads.  -1 when it cannot be prepared: d holds SQLite's
 * message, or for a table with no file "DIR/T.csv: no such file". */
int csv_source_plan(struct csv_source *cs, const char *sql, struct diag *d);

/* Load every table that planned SQL reads.  progress: a line on stderr now
 * and then while loading large files. */
void csv_source_load(struct csv_source *cs, bool progress);

/* 0 when every table sql reads loaded cleanly; else -1 with the first
 * broken table's error ("DIR/T.csv:LINE: problem") in d. */
int csv_source_check(struct csv_source *cs, const char *sql, struct diag *d);

/* Loaded tables, sorted by table name. */
size_t csv_source_inputs(const struct csv_source *cs, const struct input **out);

void csv_source_close(struct csv_source *cs);

#endif
