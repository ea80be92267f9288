/*
 * compare_bisect.h: strategy = bisect for a compare of two PostgreSQL
 * (or two SQLite) table sides.  Each side checksums key ranges of its rows in SQL, in its
 * source's transaction (source_bisect.h); ranges whose row counts and
 * checksums agree hold no finding and are left out, the others are split
 * at key quantiles taken from the data until they hold at most leaf rows,
 * and each side's query becomes the rows of the ranges that differ.  The
 * compare then streams those rows as it streams whole tables, so findings,
 * groups and samples come from the same code as strategy = rows.
 *
 * A key found twice on a side (a duplicate, which the compare reports as an
 * error) or a column that cannot be normalised in SQL leaves the check to
 * strategy = rows: compare_bisect_plan says why.
 */
#ifndef RECON_COMPARE_BISECT_H
#define RECON_COMPARE_BISECT_H

#include "config.h"
#include "source.h"

struct bisect_plan {
	char *sql[2];		/* per side the query of the differing ranges, malloc'ed;
				   NULL when bisection is not used */
	char why[512];		/* why not, when sql is NULL */
	long long ranges;	/* ranges whose checksums were compared */
	long long rows[2];	/* per side the rows of the table */
	bool per_shard;		/* a side's partitions are foreign tables, each shard
				   read in its own snapshot */
};

/* Plan the bisection of cc's table sides (tables[], on src[]) by cc's key,
 * comparing cols.  Returns 0 with p->sql set, or with p->why saying why
 * the rows strategy is kept; never an error of the check. */
void compare_bisect_plan(const struct check_cfg *cc, struct source *const src[2],
			 const char *const tables[2], const char *const *cols, size_t ncol,
			 struct bisect_plan *p);
void compare_bisect_release(struct bisect_plan *p);

#endif
