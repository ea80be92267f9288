/*
 * source_bisect.h: the SQL of strategy = bisect, on a table side of a
 * database source: per key range, the rows and an order-independent
 * checksum of their normalised key and compared columns, key quantiles to
 * split a range by, and the WHERE clause that streams chosen ranges.  Every
 * query runs through source_query, so in the source's transaction (its
 * consistent cut).
 *
 * Normalisation: a row's checksum is the XOR of one 64-bit hash per column
 * (each column hashed with a seed of its own, NULL a constant of its own,
 * never the hash of '').  Numbers hash by value: integer and numeric columns
 * through numeric's hash (which ignores trailing zeros), and a text value
 * that is a plain number by recon.ini(5)'s grammar through the hash of
 * that number; other text hashes as its bytes.  Booleans, floating point,
 * dates and times, uuid and json hash the text PostgreSQL sends for them.
 * When both sides' types allow, cheaper hashes that postgres_fdw can send
 * to a shard replace these (bisect_tables_agree): integers as int8, dates
 * by day number, and text against text (not of a key) as its bytes.
 * Equal checksums therefore mean values the compare rules call equal; the
 * other way round is not needed (a range whose checksums differ is only
 * streamed, and compared there).  A column of any other type cannot be normalised:
 * bisect_table_open says so and the check keeps strategy = rows.
 *
 * A range is the rows whose key lies in [lo, hi) (each bound nkey text
 * values, NULL for no bound) in the order of the key's own type (text in
 * byte order, COLLATE "C"), or the rows with a NULL key cell (nulls).
 *
 * On SQLite, the same shapes in SQLite's dialect, with two functions that
 * recon registers on the connection (bisect_sqlite_functions): recon_hash,
 * which hashes each value's text by the compare rules themselves
 * (compare_value.h), so every column type can be bisected, and recon_sum.
 * Key bounds travel there as SQLite literals (quote()).
 *
 * bisect_table_open allocates; bisect_table_close frees it and everything
 * it returned, and puts back the planner setting the bucket sums changed.  Bounds returned by bisect_table_splits are copies that the
 * caller frees with bisect_bounds_free.
 */
#ifndef RECON_SOURCE_BISECT_H
#define RECON_SOURCE_BISECT_H

#include "source.h"

struct bisect_table;

struct bisect_range {
	char **lo, **hi;	/* nkey text values each, NULL: unbounded */
	bool nulls;		/* the rows with a NULL key cell instead */
};

/* What a range holds on one side. */
struct bisect_sum {
	long long rows;
	long long keys;		/* distinct key hashes (bisect_table_total) */
	char sum[64];		/* the checksum as decimal text ("" when no row) */
};

/* Open table on s (a PostgreSQL source) for bisection by keys, comparing
 * cols.  NULL when it cannot be bisected, with d saying why (a column type
 * that cannot be normalised, another kind of source, an error). */
struct bisect_table *bisect_table_open(struct source *s, const char *table,
				       const char *const *keys, size_t nkey,
				       const char *const *cols, size_t ncol, struct diag *d);

/* Let the two sides' tables (both open) hash a column by what both its
 * types allow: integers as int8 rather than through numeric, dates by day
 * number, text against text (not of a key) as its bytes.  A no-op for
 * SQLite. */
void bisect_tables_agree(struct bisect_table *t[2]);

/* The SQL type of key column i ("integer", "text", ...). */
const char *bisect_table_key_type(const struct bisect_table *t, size_t i);

/* The whole table in two ranges: out[0] the rows with a non-NULL key,
 * out[1] those with a NULL key cell, with distinct keys.  -1 on error. */
int bisect_table_total(struct bisect_table *t, struct bisect_sum out[2], struct diag *d);

/* Into *dups, how many keys more than one row holds (the compare's rules'
 * keys: NULL is one key), without the sums bisect_table_total adds: with
 * the key's own equality an index finds them, on a shard too.  -1 on
 * error. */
int bisect_table_duplicates(struct bisect_table *t, long long *dups, struct diag *d);

/* r split at the sorted bounds b[0..n-1] into n + 1 ranges: out[i] what
 * [b[i-1], b[i]) of r holds.  -1 on error. */
int bisect_table_sums(struct bisect_table *t, const struct bisect_range *r, char ***b,
		      size_t n, struct bisect_sum *out, struct diag *d);

/* About parts - 1 keys that split r's rows (rows of them) into parts
 * ranges of equal size, taken from the data, sorted; *n of them into *out.
 * -1 on error. */
int bisect_table_splits(struct bisect_table *t, const struct bisect_range *r, long long rows,
			size_t parts, char ****out, size_t *n, struct diag *d);
void bisect_bounds_free(const struct bisect_table *t, char ***b, size_t n);

/* Buckets: on PostgreSQL, with a key of one column, a level of splitting
 * is one query per side over every range of it, each row's bucket the
 * width_bucket of its key over the level's sorted bounds g[0..ng-1]
 * (bucket 0 below g[0], bucket i from g[i-1] up to g[i]). */
bool bisect_table_bucketed(const struct bisect_table *t);

/* A partitioned table with a foreign (postgres_fdw) leaf partition: each
 * shard answers from its own snapshot. */
bool bisect_table_foreign(const struct bisect_table *t);

/* A unique index on the key: no duplicate key can exist. */
bool bisect_table_unique(const struct bisect_table *t);

/* The table's rows: the planner's estimate, or a count(*) when the table
 * was never analysed.  -1 on error. */
int bisect_table_rows(struct bisect_table *t, long long *rows, struct diag *d);

/* With a key of integers whose histogram (pg_stats) shows no part much
 * denser than the rest: about want bounds that step evenly from the
 * key's least value to its greatest, with no scan of the table (1); 0
 * when not so (bisect_table_sample then chooses them); -1 on error. */
int bisect_table_even(struct bisect_table *t, long long want, char ****out, size_t *n,
		      struct diag *d);

/* About want keys (of rows, the table's rows) sorted and distinct, chosen
 * by a hash of the key, so the same keys each run: the first level's
 * bounds.  -1 on error. */
int bisect_table_sample(struct bisect_table *t, long long rows, long long want, char ****out,
			size_t *n, struct diag *d);

/* Within the buckets of g that step splits (step: ng + 1 counts, 0 for a
 * bucket not split), the key of every step[k]-th row of bucket k in key
 * order but its first, so that every part is smaller than its range: *n
 * keys into *out, sorted, each one's bucket into *bucket (malloc'ed).
 * sum[k] is bucket k's sums on t: a bucket of an integer key that holds
 * as many rows as integers holds every one of them, and its keys are
 * found without reading it.  -1 on error. */
int bisect_table_quantiles(struct bisect_table *t, char ***g, size_t ng, const long long *step,
			   const struct bisect_sum *sum, char ****out, size_t **bucket, size_t *n,
			   struct diag *d);

/* The rows in the ranges rg[0..nr-1] (every row when nr is 0) by bucket of
 * g: out[0..ng], and into nulls the rows with a NULL key; every row's
 * count also decides how later levels read a sharded table.  -1 on
 * error. */
int bisect_table_bucket_sums(struct bisect_table *t, char ***g, size_t ng,
			     const struct bisect_range *rg, size_t nr, struct bisect_sum *out,
			     struct bisect_sum *nulls, struct diag *d);

/* SELECT * FROM the table WHERE its key is in one of the n ranges
 * (malloc'ed; "WHERE false" when n is 0). */
char *bisect_table_select(const struct bisect_table *t, const struct bisect_range *r, size_t n);

void bisect_table_close(struct bisect_table *t);

/* Register recon_hash and recon_sum, the SQL functions of bisection on a
 * SQLite source, on db.  -1 when SQLite refuses. */
struct sqlite3;
int bisect_sqlite_functions(struct sqlite3 *db);

#endif
