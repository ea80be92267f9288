/*
 * source_pg.h: a live PostgreSQL database through libpq, read in one
 * consistent cut.
 *
 * pg_source_open connects (url is a libpq connection string or URI, or
 * "env:VAR" naming an environment variable holding one).  Queries before
 * pg_source_begin run on their own (the `ready` polls, which must see a
 * lagging side catch up); pg_source_begin opens the one
 * `REPEATABLE READ, READ ONLY` transaction every later query of the sweep
 * runs in and records the snapshot identity for the provenance.  Rows are
 * streamed, never held whole; every wait is bounded (a lock by
 * lock_timeout, a reply by a client deadline).  No message ever contains
 * the connection string or a password.  pg_source_close frees everything
 * (PQfinish, the PGcancel and its registration with interrupt.h).
 */
#ifndef RECON_SOURCE_PG_H
#define RECON_SOURCE_PG_H

#include "config.h"
#include "source.h"
#include "source_scan.h"
#include "util.h"

struct pg_source;

int pg_source_open(struct pg_source **out, const struct source_cfg *cfg, struct diag *d);
int pg_source_begin(struct pg_source *ps, struct diag *d);
int pg_source_query(struct pg_source *ps, const char *sql, const struct row_sink *sink,
		    struct diag *d);
/* pg_source_query of SQL that reads a few key ranges given in arrays
 * (source_query_ranges): inside the cut, planned with jit off, the
 * setting local to the query's savepoint, which is rolled back after it
 * (a read changes nothing a rollback could lose). */
int pg_source_query_ranges(struct pg_source *ps, const char *sql, const struct row_sink *sink,
			   struct diag *d);
/* Prepare sql as the unnamed statement and describe it, never running
 * it: -1 with d set when it does not prepare or has a bind parameter
 * (source_param_error, what naming the SQL); else, when cols is not NULL,
 * the result's column names go there.  Inside the cut, under a savepoint. */
int pg_source_prepare(struct pg_source *ps, const char *sql, const char *what,
		      struct source_columns *cols, struct diag *d);
/* The transaction's snapshot identity (pg_current_snapshot()), or NULL
 * before pg_source_begin. */
const char *pg_source_snapshot(const struct pg_source *ps);
/* A second connection that joins ps's consistent cut (after
 * pg_source_begin), so two queries of the same cut can stream at once from
 * two threads, one connection each.  ps's snapshot is exported once, on the
 * first call, and stays importable while ps's transaction lasts.  On
 * success *out is the caller's, to close with pg_source_close (before ps);
 * on failure *out is NULL and d says why, scrubbed like every message. */
int pg_source_sibling(struct pg_source *ps, struct pg_source **out, struct diag *d);
/* Whether the connection is gone for good. */
bool pg_source_lost(const struct pg_source *ps);
void pg_source_close(struct pg_source *ps);

/* A query that reads again only (about) the rows of n keys of table
 * (keys[i * nkey + k] is field k of key i, in column cols[k]), or NULL
 * when there is nothing to narrow by: SELECT * FROM "t" WHERE the key
 * fields that are text in every key are among the keys' values; when there
 * is none, per key its text fields equal as text and its NULL ones IS NULL,
 * in a chain of ORs (at most 1000).  A field the caller matches by value
 * (any: a number) is not filtered on, so the result is a superset of the
 * rows wanted, which the caller matches by key; NULL too when every field
 * of a key is such.  malloc'd: the caller frees it. */
char *pg_narrow_sql(const char *table, const char *const *cols, size_t nkey,
		    const struct key_field *keys, size_t n);
/* pg_narrow_sql over the rows of query (bisect's ranges: each row of them
 * read through the key's index, the filter on the few of them): SELECT *
 * FROM (SELECT * FROM (query) AS q OFFSET 0) AS r WHERE ... */
char *pg_narrow_sql_within(const char *query, const char *const *cols, size_t nkey,
			   const struct key_field *keys, size_t n);

#endif
