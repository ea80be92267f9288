/*
 * source_sqlite.c: a SQLite file as a source (see source_sqlite.h): the
 * file opened read-only in one transaction, statements prepared and their
 * rows handed on as text.
 */
#include "source_sqlite.h"

#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "source_bisect.h"

/* Contract in source_sqlite.h. */
int source_sqlite_open(struct sqlite3 **db, const char *path, char sha256[65],
		       struct diag *d)
{
	/* read the file's digest first: a missing file is said plainly */
	if (sha256_file_hex(path, sha256, d) < 0)
		return -1;
	if (sqlite3_open_v2(path, db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
		return diag_error(d, "%s: %s", path, *db ? sqlite3_errmsg(*db) : "cannot open");
	/* sorts in memory, as for CSV sources: nothing written to /var/tmp */
	sqlite3_exec(*db, "PRAGMA temp_store=MEMORY", NULL, NULL, NULL);
	/* the functions of strategy = bisect (source_bisect.h) */
	if (bisect_sqlite_functions(*db) < 0)
		return diag_error(d, "%s: %s", path, sqlite3_errmsg(*db));
	/* one consistent cut for the whole sweep, as for PostgreSQL */
	if (sqlite3_exec(*db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK)
		return diag_error(d, "%s: %s", path, sqlite3_errmsg(*db));
	return 0;
}

/* SQLite names a parameter as written (":date", "?2", "@x", "$x"); a
 * nameless "?" has no name. */
static int sqlite_params(sqlite3_stmt *st, const char *what, struct diag *d)
{
	const char *name = NULL;
	int i, n = sqlite3_bind_parameter_count(st);

	if (n == 0)
		return 0;
	/* "?2" alone leaves slot 1 nameless: name the one written */
	for (i = 1; i <= n && !name; i++)
		name = sqlite3_bind_parameter_name(st, i);
	return source_param_error(d, what, name ? name : "?");
}

/* Contract in source_sqlite.h. */
int source_sqlite_prepare(struct sqlite3 *db, const char *sql, const char *what,
			  struct source_columns *cols, struct diag *d)
{
	sqlite3_stmt *st = NULL;
	int ret = 0, i;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		ret = diag_error(d, "SQL error: %s", sqlite3_errmsg(db));
	else if (!st)
		ret = diag_error(d, "SQL error: %s is empty", what);
	else if (!sqlite3_stmt_readonly(st))
		ret = diag_error(d, "SQL error: statement would write; checks are read-only");
	else if (sqlite_params(st, what, d) < 0)
		ret = -1;
	if (ret == 0 && cols) {
		cols->n = (size_t)sqlite3_column_count(st);
		cols->names = xcalloc(cols->n + 1, sizeof(*cols->names));
		for (i = 0; i < (int)cols->n; i++)
			cols->names[i] = xstrdup(sqlite3_column_name(st, i));
	}
	sqlite3_finalize(st);
	return ret;
}

/* Contract in source_sqlite.h.  Reals
 * are formatted by format_double so a value reads the same whatever SQLite
 * version or source it came from. */
int source_sqlite_query(struct sqlite3 *db, const char *sql, const struct row_sink *sink,
			struct diag *d)
{
	sqlite3_stmt *st = NULL;
	const char **names = NULL;
	struct cell *cells = NULL;
	char (*num)[32] = NULL;
	int ncols, rc, ret = 0, i;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
		ret = diag_error(d, "SQL error: %s", sqlite3_errmsg(db));
		goto out;
	}
	if (!sqlite3_stmt_readonly(st)) {
		ret = diag_error(d, "SQL error: statement would write; checks are read-only");
		goto out;
	}
	if (sqlite_params(st, "query", d) < 0) {
		ret = -1;
		goto out;
	}
	ncols = sqlite3_column_count(st);
	names = xcalloc((size_t)ncols + 1, sizeof(*names));
	cells = xcalloc((size_t)ncols + 1, sizeof(*cells));
	num = xcalloc((size_t)ncols + 1, sizeof(*num));
	for (i = 0; i < ncols; i++)
		names[i] = sqlite3_column_name(st, i);
	if (sink->header && (rc = sink->header(sink->ctx, (size_t)ncols, names)) != 0) {
		ret = rc < 0 ? -1 : 0;
		goto out;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		for (i = 0; i < ncols; i++) {
			switch (sqlite3_column_type(st, i)) {
			case SQLITE_NULL:
				cells[i].s = NULL;
				cells[i].len = 0;
				break;
			case SQLITE_FLOAT:
				format_double(sqlite3_column_double(st, i), num[i]);
				cells[i].s = num[i];
				cells[i].len = strlen(num[i]);
				break;
			default:
				cells[i].s = (const char *)sqlite3_column_text(st, i);
				cells[i].len = (size_t)sqlite3_column_bytes(st, i);
				if (!cells[i].s)
					cells[i].s = "";
				break;
			}
		}
		if ((rc = sink->row(sink->ctx, (size_t)ncols, cells)) != 0) {
			ret = rc < 0 ? -1 : 0;
			goto out;
		}
	}
	if (rc != SQLITE_DONE)
		ret = diag_error(d, "SQL error: %s", sqlite3_errmsg(db));
out:
	sqlite3_finalize(st);
	free(names);
	free(cells);
	free(num);
	return ret;
}

/* Contract in source_sqlite.h. */
void source_sqlite_tables(struct sqlite3 *db, const struct row_sink *sink)
{
	struct diag ignored = { "" };

	source_sqlite_query(db, "SELECT name FROM sqlite_master WHERE type IN ('table', 'view')",
			    sink, &ignored);
}

/* Contract in source_sqlite.h. */
bool source_sqlite_threadsafe(void)
{
	return sqlite3_threadsafe() != 0;
}

/* Contract in source_sqlite.h. */
void source_sqlite_close(struct sqlite3 *db)
{
	if (db)
		sqlite3_close(db);
}
