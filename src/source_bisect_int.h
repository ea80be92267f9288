/*
 * source_bisect_int.h: what source_bisect.c and source_bisect_bucket.c
 * share: a table side as bisection sees it, the rows a query returns, and
 * the SQL pieces both write.  Not for any other file.
 */
#ifndef RECON_SOURCE_BISECT_INT_H
#define RECON_SOURCE_BISECT_INT_H

#include "source_bisect.h"

struct bcol {
	char *name;
	char *type;		/* format_type(): for casts of literals */
	char *typname;		/* pg_type.typname ("int8", "text", ...) */
	char *plain;		/* the name unquoted */
	char *expr;		/* its 64-bit hash, NULL for SQL NULL */
	bool collate;		/* ordered with COLLATE "C" */
	bool exact;		/* SQL's equality is the compare's */
	bool unique_ok;		/* NOT NULL, and exact */
};

struct bisect_table {
	struct source *src;
	bool sqlite;		/* SQLite's dialect (else PostgreSQL's) */
	char *table;		/* quoted */
	size_t nkey, ncol;
	bool unique;		/* a unique index on the key: no duplicate to look for */
	struct bcol *key, *col;
	const char *sum;	/* the aggregate that adds hashes */
	char *hash;		/* the row's hash */
	char *khash;		/* the key's hash */
	char *nullkey;		/* some key cell is NULL */
	char *order;		/* the key as one row value, for < and >= */
	char *saved;		/* enable_sort as it was before the bucket sums turned it
				   off, NULL while untouched */
	char *saved_mem;	/* work_mem as it was then */
	char **leaf;		/* a partitioned table's leaf partitions, quoted */
	size_t nleaf;
	bool leaf_keyed;	/* partitioned by key columns only: a key's rows share a leaf */
	bool foreign;		/* some leaf is a foreign table (a shard's) */
	long long rows;		/* as the first level's bucket sums counted them, 0 before */
	bool indexed;		/* an index on the (one, not collatable) key finds a
				   range's rows, and no shard holds them */
};

struct rows {
	size_t ncols, n, cap;
	char **cells;		/* n * ncols, NULL for SQL NULL */
};

/* Run sql on t's source into out (bisect_rows_free frees it).  -1 on error. */
int bisect_run(struct bisect_table *t, struct strbuf *sql, struct rows *out, struct diag *d);
/* bisect_run of SQL that reads only ranges given in arrays (add_from's,
 * source_query_ranges). */
int bisect_run_ranges(struct bisect_table *t, struct strbuf *sql, struct rows *out,
		      struct diag *d);
void bisect_rows_free(struct rows *r);


/* The condition of range r. */
void bisect_add_range(struct strbuf *sb, const struct bisect_table *t,
		      const struct bisect_range *r);

/* A range's rows, keys (distinct) and checksum from cells. */
void bisect_sum_from(struct bisect_sum *s, char *const *cells, bool distinct);

bool bisect_is_int(const char *typname);

/* Turn enable_sort off and work_mem up for the bucket sums (set), or
 * put them back. */
int bisect_plan_settings(struct bisect_table *t, bool set, struct diag *d);

/* The rows of many ranges (bucketed tables): bisect_table_select's SQL. */
char *bisect_table_select_many(const struct bisect_table *t, const struct bisect_range *r,
			       size_t n);

#endif
