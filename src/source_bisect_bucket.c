/*
 * source_bisect_bucket.c: the bucketed levels of strategy = bisect on
 * PostgreSQL (see source_bisect.h): with a key of one column, one query
 * per side per level, each row's range the width_bucket of its key over
 * the level's sorted bounds.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "source_bisect_int.h"

bool bisect_table_bucketed(const struct bisect_table *t)
{
	return !t->sqlite && t->nkey == 1;
}

bool bisect_table_foreign(const struct bisect_table *t)
{
	return t->foreign;
}

bool bisect_table_unique(const struct bisect_table *t)
{
	return t->unique;
}

/* The sorted bounds g[0..n-1] as one array of the key's type. */
static void add_array(struct strbuf *sb, const struct bisect_table *t, char ***g, size_t n)
{
	struct strbuf a;
	const char *p;
	size_t i;

	sb_init(&a);
	sb_putc(&a, '{');
	for (i = 0; i < n; i++) {
		sb_puts(&a, i ? ",\"" : "\"");
		for (p = g[i][0]; *p; p++) {
			if (*p == '"' || *p == '\\')
				sb_putc(&a, '\\');
			sb_putc(&a, *p);
		}
		sb_putc(&a, '"');
	}
	sb_putc(&a, '}');
	sb_puts(sb, "CAST(");
	sb_add_sql_string(sb, a.buf);
	sb_addf(sb, " AS %s[])", t->key[0].type);
	if (a.overflow)
		sb->overflow = true;
	sb_release(&a);
}

/* The integer whose text is s into *v. */
static bool int_key(const char *s, long long *v)
{
	char *end;

	errno = 0;
	*v = strtoll(s, &end, 10);
	return !errno && end != s && !*end;
}

/* Whether the n bounds g of an integer key step evenly: g[i] = *g0 + i *
 * *w, w > 0 (bisect_table_even's first level). */
static bool even_bounds(const struct bisect_table *t, char ***g, size_t n, long long *g0,
			long long *w)
{
	long long prev = 0, v;
	size_t i;

	if (n < 2 || !bisect_is_int(t->key[0].typname))
		return false;
	for (i = 0; i < n; i++) {
		if (!int_key(g[i][0], &v))
			return false;
		if (i == 1) {
			if (v <= prev)
				return false;
			*w = v - prev;
		} else if (i > 1 && (v <= prev || v - prev != *w)) {
			return false;
		}
		if (i == 0)
			*g0 = v;
		prev = v;
	}
	return true;
}

/* width_bucket of the key over g: 0 below g[0], i from g[i-1] on; bounds
 * that step evenly by arithmetic, which costs the database less than a
 * search of the array. */
static void add_bucket(struct strbuf *sb, const struct bisect_table *t, char ***g, size_t n)
{
	long long g0 = 0, w = 0;

	if (n == 0) {
		sb_puts(sb, "0");
		return;
	}
	if (even_bounds(t, g, n, &g0, &w)) {
		const char *k = t->key[0].name;

		sb_addf(sb, "CASE WHEN %s < CAST(%lld AS int8) THEN 0 WHEN %s >= CAST(%s AS int8) "
			"THEN %zu ELSE (%s - CAST(%lld AS int8)) / CAST(%lld AS int8) + 1 END",
			k, g0, k, g[n - 1][0], n, k, g0, w);
		return;
	}
	sb_addf(sb, "width_bucket(%s, ", t->order);
	add_array(sb, t, g, n);
	sb_putc(sb, ')');
}

/* At most this many ranges are an OR of their conditions: the planner's
 * time grows with the square of their number. */
#define FEW_RANGES 16

/* The edges of the sorted ranges rg[0..nr-1], *ne of them, and per bucket
 * of them (ne + 1) whether it lies in a range, into *inside (malloc'ed). */
static char ***range_edges(const struct bisect_range *rg, size_t nr, bool **inside, size_t *ne)
{
	char ***e = xcalloc(2 * nr + 1, sizeof(*e));
	bool *in = xcalloc(2 * nr + 2, sizeof(*in));
	size_t i, m = 0;

	for (i = 0; i < nr; i++) {
		if (rg[i].lo && (m == 0 || e[m - 1] != rg[i].lo))
			e[m++] = rg[i].lo;	/* the bucket before it is outside */
		in[m] = true;
		if (!rg[i].hi)
			break;
		e[m++] = rg[i].hi;
	}
	*inside = in;
	*ne = m;
	return e;
}

/* Whether add_from's SQL of nr ranges reads few rows here: through the
 * key's index, or on shards, which leave the coordinator only their
 * sums.  The first level (no ranges) and a table without an index on its
 * key read every row, which JIT compiling pays for. */
static bool few_rows(const struct bisect_table *t, size_t nr)
{
	return nr > 0 && (t->indexed || t->foreign);
}

/* Run sql, which reads the rows of nr ranges (add_from), into out. */
static int run_over(struct bisect_table *t, struct strbuf *sql, size_t nr, struct rows *out,
		    struct diag *d)
{
	return few_rows(t, nr) ? bisect_run_ranges(t, sql, out, d) : bisect_run(t, sql, out, d);
}

/* WHERE the key lies in one of the ranges rg[0..nr-1] (nr > 0). */
static void add_where(struct strbuf *sb, const struct bisect_table *t,
		      const struct bisect_range *rg, size_t nr)
{
	size_t i;

	for (i = 0; i < nr; i++) {
		sb_puts(sb, i ? " OR (" : " WHERE (");
		bisect_add_range(sb, t, &rg[i]);
		sb_putc(sb, ')');
	}
}

/* Whether the rows of nr ranges of a sharded table are read FEW_RANGES
 * ranges a query, whose bounds each shard's planner sees (an index scan
 * there), rather than by one scan of every shard: while the queries, a
 * few round trips each, cost less than the scan, about one range per
 * 2048 rows. */
static bool per_few_ranges(const struct bisect_table *t, size_t nr)
{
	return t->foreign && nr > FEW_RANGES && (long long)nr <= t->rows / 2048;
}

/* FROM the rows of name (t or a leaf partition of it) whose key lies in
 * one of the sorted, disjoint ranges rg[0..nr-1] (every row when nr is 0).
 * A few ranges are an OR of conditions; more are a join of the ranges'
 * bounds with the table when an index on the key can find each range's
 * rows; on shards, while the ranges are few for the table
 * (per_few_ranges), a UNION ALL of queries of FEW_RANGES ranges each;
 * else one scan that keeps the rows whose bucket among the ranges' edges
 * lies in a range (which postgres_fdw sends to a shard whole). */
static void add_from(struct strbuf *sb, const struct bisect_table *t, const char *name,
		     const struct bisect_range *rg, size_t nr)
{
	char ***lo = NULL, ***hi = NULL, ***e;
	bool *in;
	size_t i, n = 0, ne;

	if (nr <= FEW_RANGES) {
		sb_addf(sb, " FROM %s", name);
		add_where(sb, t, rg, nr);
		return;
	}
	if (per_few_ranges(t, nr)) {
		/* a join with arrays of bounds would stay on the coordinator */
		sb_puts(sb, " FROM (");
		for (i = 0; i < nr; i += FEW_RANGES) {
			sb_addf(sb, "%sSELECT * FROM %s", i ? " UNION ALL " : "", name);
			add_where(sb, t, rg + i, nr - i < FEW_RANGES ? nr - i : FEW_RANGES);
		}
		sb_puts(sb, ") AS s");
		return;
	}
	if (!t->indexed) {
		e = range_edges(rg, nr, &in, &ne);
		sb_addf(sb, " FROM %s WHERE (CAST('{", name);
		for (i = 0; i <= ne; i++)
			sb_puts(sb, i ? (in[i] ? ",t" : ",f") : (in[i] ? "t" : "f"));
		sb_puts(sb, "}' AS bool[]))[");
		add_bucket(sb, t, e, ne);
		sb_puts(sb, " + 1]");
		free(e);
		free(in);
		return;
	}
	lo = xcalloc(nr, sizeof(*lo));
	hi = xcalloc(nr, sizeof(*hi));
	for (i = 0; i < nr; i++)
		if (rg[i].lo && rg[i].hi) {
			lo[n] = rg[i].lo;
			hi[n++] = rg[i].hi;
		}
	sb_puts(sb, " FROM (SELECT t.* FROM unnest(");
	add_array(sb, t, lo, n);
	sb_puts(sb, ", ");
	add_array(sb, t, hi, n);
	sb_addf(sb, ") AS r (lo, hi) JOIN %s t ON t.%s >= r.lo AND t.%s < r.hi", name,
		t->key[0].name, t->key[0].name);
	/* the ranges open below or above */
	if (!rg[0].lo) {
		sb_addf(sb, " UNION ALL SELECT * FROM %s WHERE ", name);
		bisect_add_range(sb, t, &rg[0]);
	}
	if (!rg[nr - 1].hi) {
		sb_addf(sb, " UNION ALL SELECT * FROM %s WHERE ", name);
		bisect_add_range(sb, t, &rg[nr - 1]);
	}
	sb_puts(sb, ") AS s");
	free(lo);
	free(hi);
}

char *bisect_table_select_many(const struct bisect_table *t, const struct bisect_range *r,
			       size_t n)
{
	struct strbuf sb;
	bool nulls = n && r[n - 1].nulls;

	sb_init(&sb);
	sb_puts(&sb, "SELECT *");
	add_from(&sb, t, t->table, r, n - nulls);
	if (nulls)
		sb_addf(&sb, " UNION ALL SELECT * FROM %s WHERE %s", t->table, t->nullkey);
	return sb_detach(&sb, NULL);
}

/* One key value a row of r holds, as the bounds of a range hold it. */
static char ***take_keys(struct rows *r, size_t col, size_t *n)
{
	char ***out = r->n ? xcalloc(r->n, sizeof(*out)) : NULL;
	size_t i;

	for (i = 0; i < r->n; i++) {
		out[i] = xcalloc(1, sizeof(char *));
		out[i][0] = r->cells[i * r->ncols + col];
		r->cells[i * r->ncols + col] = NULL;
		if (!out[i][0])
			out[i][0] = xstrdup("");
	}
	*n = r->n;
	return out;
}

int bisect_table_rows(struct bisect_table *t, long long *rows, struct diag *d)
{
	struct strbuf sb;
	struct rows r = { 0 };
	int ret;

	sb_init(&sb);
	/* a partitioned table's estimate is its partitions' */
	sb_puts(&sb, "SELECT GREATEST(c.reltuples, (SELECT sum(GREATEST(p.reltuples, 0)) "
		"FROM pg_catalog.pg_inherits i JOIN pg_catalog.pg_class p ON p.oid = i.inhrelid "
		"WHERE i.inhparent = c.oid))::bigint FROM pg_catalog.pg_class c "
		"WHERE c.oid = to_regclass(");
	sb_add_sql_string(&sb, t->table);
	sb_putc(&sb, ')');
	ret = bisect_run(t, &sb, &r, d);
	*rows = ret == 0 && r.n == 1 && r.cells[0] ? atoll(r.cells[0]) : -1;
	bisect_rows_free(&r);
	if (ret == 0 && *rows <= 0) {	/* never analysed: counted */
		sb_reset(&sb);
		sb_addf(&sb, "SELECT count(*) FROM %s", t->table);
		ret = bisect_run(t, &sb, &r, d);
		*rows = ret == 0 && r.n == 1 && r.cells[0] ? atoll(r.cells[0]) : 0;
		bisect_rows_free(&r);
	}
	sb_release(&sb);
	return ret;
}

/* The histogram's bounds (text of an int8 array) into v (malloc'd); the
 * number read, 0 when it is not one. */
static size_t histogram(const char *text, long long **v)
{
	size_t n = 0, cap = 0;
	const char *p = text;

	*v = NULL;
	if (!p || *p++ != '{')
		return 0;
	while (*p && *p != '}') {
		char *end;
		long long x;

		errno = 0;
		x = strtoll(p, &end, 10);
		if (errno || end == p || (*end != ',' && *end != '}'))
			break;
		if (n == cap) {
			cap = cap ? 2 * cap : 128;
			*v = xrealloc(*v, cap * sizeof(**v));
		}
		(*v)[n++] = x;
		p = *end == ',' ? end + 1 : end;
	}
	if (*p != '}') {
		free(*v);
		*v = NULL;
		return 0;
	}
	return n;
}

/* How many times the mean width a histogram bucket may be narrower:
 * keys that dense put at most this many times the mean rows into an
 * evenly stepped bucket. */
#define EVEN_DENSITY 2

int bisect_table_even(struct bisect_table *t, long long want, char ****out, size_t *n,
		      struct diag *d)
{
	struct strbuf sb;
	struct rows r = { 0 };
	long long *h = NULL, lo, hi;
	unsigned long long span, w, i, m;
	size_t nh, k;
	int ret;

	*out = NULL;
	*n = 0;
	if (!bisect_is_int(t->key[0].typname) || want < 2)
		return 0;
	sb_init(&sb);
	sb_puts(&sb, "SELECT (SELECT s.histogram_bounds::text FROM pg_catalog.pg_stats s "
		"WHERE s.schemaname = n.nspname AND s.tablename = c.relname AND s.attname = ");
	sb_add_sql_string(&sb, t->key[0].plain);
	sb_addf(&sb, " ORDER BY s.inherited DESC LIMIT 1), (SELECT min(%s) FROM %s), "
		"(SELECT max(%s) FROM %s) FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n "
		"ON n.oid = c.relnamespace WHERE c.oid = to_regclass(", t->key[0].name, t->table,
		t->key[0].name, t->table);
	sb_add_sql_string(&sb, t->table);
	sb_putc(&sb, ')');
	ret = bisect_run(t, &sb, &r, d);
	sb_release(&sb);
	if (ret < 0)
		return -1;
	nh = r.n == 1 ? histogram(r.cells[0], &h) : 0;
	if (nh < 3 || !r.cells[1] || !r.cells[2])
		goto out;
	/* even enough: no histogram bucket narrower than 1 / EVEN_DENSITY
	 * of their mean (keys in it that much denser than the mean) */
	for (k = 1; k < nh; k++)
		if (((double)h[k] - (double)h[k - 1]) * EVEN_DENSITY * (double)(nh - 1) <
		    (double)h[nh - 1] - (double)h[0])
			goto out;
	lo = atoll(r.cells[1]);
	hi = atoll(r.cells[2]);
	span = (unsigned long long)hi - (unsigned long long)lo + 1;
	if (hi < lo || span == 0 || span > (1ULL << 62))
		goto out;
	w = (span + (unsigned long long)want - 1) / (unsigned long long)want;
	m = (span - 1) / w;	/* bounds lo + w, lo + 2w, ... up to hi */
	if (m < 1)
		goto out;
	*out = xcalloc(m, sizeof(**out));
	for (i = 1; i <= m; i++) {
		char buf[32];

		snprintf(buf, sizeof(buf), "%lld", (long long)((unsigned long long)lo + i * w));
		(*out)[i - 1] = xcalloc(1, sizeof(char *));
		(*out)[i - 1][0] = xstrdup(buf);
	}
	*n = m;
	ret = 1;
out:
	free(h);
	bisect_rows_free(&r);
	return ret;
}

int bisect_table_sample(struct bisect_table *t, long long rows, long long want, char ****out,
			size_t *n, struct diag *d)
{
	struct strbuf sb;
	struct rows r = { 0 };
	long long share = rows > 0 ? (want * 1048576 + rows - 1) / rows : 1048576;
	int ret;

	*out = NULL;
	*n = 0;
	sb_init(&sb);
	sb_addf(&sb, "SELECT DISTINCT %s FROM %s WHERE %s IS NOT NULL", t->order, t->table,
		t->order);
	if (share < 1048576) {
		/* the keys whose hash falls in a share of its range: the same
		 * keys each run, wherever the rows lie */
		if (bisect_is_int(t->key[0].typname))
			sb_addf(&sb, " AND (hashint8extended(CAST(%s AS int8), 0) & 1048575) < %lld",
				t->key[0].name, share);
		else
			sb_addf(&sb, " AND (hashtextextended(CAST(%s AS text), 0) & 1048575) < %lld",
				t->key[0].name, share);
	}
	sb_puts(&sb, " ORDER BY 1");
	ret = bisect_run(t, &sb, &r, d);
	if (ret == 0)
		*out = take_keys(&r, 0, n);
	bisect_rows_free(&r);
	sb_release(&sb);
	return ret;
}

/* Whether bucket k of g, holding rows rows of a unique integer key, holds
 * every integer from its lower bound *lo up to its upper one. */
static bool dense(const struct bisect_table *t, char ***g, size_t ng, size_t k, long long rows,
		  long long *lo)
{
	long long hi;

	return bisect_is_int(t->key[0].typname) && k > 0 && k < ng && rows > 0 &&
	       int_key(g[k - 1][0], lo) && int_key(g[k][0], &hi) && hi > *lo &&
	       (unsigned long long)hi - (unsigned long long)*lo == (unsigned long long)rows;
}

/* The quantiles of the buckets listed in rg by reading them: keys and
 * their buckets, sorted, into r (columns g, k). */
static int read_quantiles(struct bisect_table *t, char ***g, size_t ng, const long long *step,
			  const struct bisect_range *rg, size_t nr, struct rows *r, struct diag *d)
{
	struct strbuf sb;
	size_t i;
	int ret;

	sb_init(&sb);
	sb_puts(&sb, "SELECT g, k FROM (SELECT ");
	add_bucket(&sb, t, g, ng);
	sb_addf(&sb, " AS g, %s AS k, row_number() OVER (PARTITION BY ", t->order);
	add_bucket(&sb, t, g, ng);
	sb_addf(&sb, " ORDER BY %s) AS rn", t->order);
	add_from(&sb, t, t->table, rg, nr);
	/* never the range's first row, which may be its lower bound: each
	 * part is then smaller than the range */
	sb_puts(&sb, ") s WHERE rn > 1 AND rn % (CAST('{");
	for (i = 0; i <= ng; i++)
		sb_addf(&sb, "%s%lld", i ? "," : "", step[i] > 0 ? step[i] : 1);
	sb_puts(&sb, "}' AS int8[]))[g + 1] = 0 ORDER BY g, k");
	ret = run_over(t, &sb, nr, r, d);
	sb_release(&sb);
	return ret;
}

int bisect_table_quantiles(struct bisect_table *t, char ***g, size_t ng, const long long *step,
			   const struct bisect_sum *sum, char ****out, size_t **bucket, size_t *n,
			   struct diag *d)
{
	struct rows r = { 0 };
	struct bisect_range *rest = xcalloc(ng + 1, sizeof(*rest));
	bool *full = xcalloc(ng + 1, sizeof(*full));
	long long *lo = xcalloc(ng + 1, sizeof(*lo));
	size_t i, k, m = 0, nrest = 0, cap = 0;
	int ret = 0;

	*out = NULL;
	*bucket = NULL;
	*n = 0;
	/* the buckets split that are not dense, to be read (neighbours as
	 * one range) */
	for (k = 0; k <= ng; k++) {
		if (step[k] <= 0)
			continue;
		if ((full[k] = dense(t, g, ng, k, sum[k].rows, &lo[k]))) {
			cap += (size_t)(sum[k].rows / step[k]);
			continue;
		}
		{
			struct bisect_range b = { k ? g[k - 1] : NULL, k < ng ? g[k] : NULL, false };

			if (nrest && rest[nrest - 1].hi && rest[nrest - 1].hi == b.lo)
				rest[nrest - 1].hi = b.hi;
			else
				rest[nrest++] = b;
		}
	}
	if (nrest)
		ret = read_quantiles(t, g, ng, step, rest, nrest, &r, d);
	if (ret < 0 || r.n + cap == 0)
		goto out;
	*out = xcalloc(r.n + cap, sizeof(**out));
	*bucket = xcalloc(r.n + cap, sizeof(**bucket));
	for (k = 0, i = 0; k <= ng; k++) {
		long long rn;

		for (; i < r.n && r.cells[i * 2] && (size_t)atoll(r.cells[i * 2]) == k; i++) {
			(*out)[m] = xcalloc(1, sizeof(char *));
			(*out)[m][0] = r.cells[i * 2 + 1] ? r.cells[i * 2 + 1] : xstrdup("");
			r.cells[i * 2 + 1] = NULL;
			(*bucket)[m++] = k;
		}
		if (!full[k])
			continue;
		/* the rn-th row of the bucket (rn > 1, a multiple of the step)
		 * is its rn-th integer */
		for (rn = step[k]; rn <= sum[k].rows; rn += step[k]) {
			char num[32];

			if (rn < 2)
				continue;
			snprintf(num, sizeof(num), "%lld",
				 (long long)((unsigned long long)lo[k] + (unsigned long long)rn - 1));
			(*out)[m] = xcalloc(1, sizeof(char *));
			(*out)[m][0] = xstrdup(num);
			(*bucket)[m++] = k;
		}
	}
	*n = m;
	if (i < r.n) {
		ret = diag_error(d, "bisect: a quantile out of its bucket");
		bisect_bounds_free(t, *out, *n);
		free(*bucket);
		*out = NULL;
		*bucket = NULL;
		*n = 0;
	}
out:
	bisect_rows_free(&r);
	free(rest);
	free(full);
	free(lo);
	return ret;
}

/* What the bucket sums of many buckets ask of PostgreSQL's planner,
 * inside the source's transaction (set_config(..., true)) from the first
 * such sum until bisect_table_close puts it back (!set): hash the buckets
 * rather than sort every row by bucket (the planner, which cannot count
 * the buckets, expects as many as rows), in a work_mem of at least
 * BUCKET_MEM, where the hash of a first level's buckets (one per leaf
 * rows) fits instead of spilling to disk.  Few buckets leave it alone: a
 * round trip costs more than either plan. */
#define MANY_BUCKETS 256
#define BUCKET_MEM "64MB"

int bisect_plan_settings(struct bisect_table *t, bool set, struct diag *d)
{
	struct strbuf sb;
	struct rows r = { 0 };
	int ret;

	sb_init(&sb);
	sb_puts(&sb, "SELECT current_setting('enable_sort'), set_config('enable_sort', ");
	sb_add_sql_string(&sb, set ? "off" : t->saved ? t->saved : "on");
	sb_puts(&sb, ", true), current_setting('work_mem'), set_config('work_mem', ");
	if (set)
		sb_puts(&sb, "CASE WHEN pg_size_bytes(current_setting('work_mem')) < "
			"pg_size_bytes('" BUCKET_MEM "') THEN '" BUCKET_MEM "' "
			"ELSE current_setting('work_mem') END");
	else
		sb_add_sql_string(&sb, t->saved_mem ? t->saved_mem : "4MB");
	sb_puts(&sb, ", true)");
	ret = bisect_run(t, &sb, &r, d);
	if (ret == 0 && set && r.n == 1) {
		free(t->saved);
		free(t->saved_mem);
		t->saved = xstrdup(r.cells[0] ? r.cells[0] : "on");
		t->saved_mem = xstrdup(r.cells[2] ? r.cells[2] : "4MB");
	} else if (ret == 0) {
		free(t->saved);
		free(t->saved_mem);
		t->saved = NULL;
		t->saved_mem = NULL;
	}
	bisect_rows_free(&r);
	sb_release(&sb);
	return ret;
}

/* The index of bound b in g at or after from, or SIZE_MAX. */
static size_t find_bound(char ***g, size_t ng, char **b, size_t from)
{
	for (; from < ng; from++)
		if (g[from] == b)
			return from;
	return SIZE_MAX;
}

/* The sums by bucket of the rows of name in the ranges rg[0..nr-1] of a
 * foreign table, FEW_RANGES a query (as add_from), each query's bucket
 * found among the bounds of its own ranges only: each query goes whole to
 * a shard, without the level's every bound. */
static void add_sums_few(struct strbuf *sb, struct bisect_table *t, const char *name, char ***g,
			 size_t ng, const struct bisect_range *rg, size_t nr)
{
	size_t i, m, i0, i1, at = 0;

	for (i = 0; i < nr; i += FEW_RANGES) {
		m = nr - i < FEW_RANGES ? nr - i : FEW_RANGES;
		/* the bounds from the first range's lower one to the last's
		 * upper one: the same buckets, numbered from i0 */
		i0 = rg[i].lo ? find_bound(g, ng, rg[i].lo, at) : 0;
		i1 = rg[i + m - 1].hi ? find_bound(g, ng, rg[i + m - 1].hi, i0 == SIZE_MAX ? 0 : i0)
				      : ng - 1;
		if (i0 == SIZE_MAX || i1 == SIZE_MAX || i1 < i0) {
			i0 = 0;		/* not bounds of g: all of them */
			i1 = ng - 1;
		}
		at = i1;
		sb_addf(sb, "%sSELECT CASE WHEN %s THEN -1 ELSE %zu + ", i ? " UNION ALL " : "",
			t->nullkey, i0);
		add_bucket(sb, t, g + i0, i1 - i0 + 1);
		sb_addf(sb, " END, count(*), %s(%s) FROM %s", t->sum, t->hash, name);
		add_where(sb, t, rg + i, m);
		sb_puts(sb, " GROUP BY 1");
	}
}

/* The sums by bucket of one table (or leaf partition) name. */
static void add_sums(struct strbuf *sb, struct bisect_table *t, const char *name, char ***g,
		     size_t ng, const struct bisect_range *rg, size_t nr)
{
	if (per_few_ranges(t, nr) && ng > 0) {
		add_sums_few(sb, t, name, g, ng, rg, nr);
		return;
	}
	sb_addf(sb, "SELECT CASE WHEN %s THEN -1 ELSE ", t->nullkey);
	add_bucket(sb, t, g, ng);
	sb_addf(sb, " END, count(*), %s(%s)", t->sum, t->hash);
	add_from(sb, t, name, rg, nr);
	sb_puts(sb, " GROUP BY 1");
}

int bisect_table_bucket_sums(struct bisect_table *t, char ***g, size_t ng,
			     const struct bisect_range *rg, size_t nr, struct bisect_sum *out,
			     struct bisect_sum *nulls, struct diag *d)
{
	struct strbuf sb;
	struct rows r = { 0 };
	size_t i;
	long long idx;
	int ret;

	if (ng >= MANY_BUCKETS && !t->saved && bisect_plan_settings(t, true, d) < 0)
		return -1;
	sb_init(&sb);
	if (t->nleaf) {
		/* each leaf partition summed by itself, so that postgres_fdw
		 * sends the whole aggregate to the shard holding a foreign
		 * one (a partitioned table's aggregate not grouped by its
		 * partition key is only partly done per partition, and
		 * PostgreSQL 15 does that part on the coordinator) */
		sb_puts(&sb, "SELECT g, sum(c), sum(s) FROM (");
		for (i = 0; i < t->nleaf; i++) {
			sb_puts(&sb, i ? " UNION ALL " : "");
			add_sums(&sb, t, t->leaf[i], g, ng, rg, nr);
		}
		sb_puts(&sb, ") u (g, c, s) GROUP BY 1");
	} else {
		add_sums(&sb, t, t->table, g, ng, rg, nr);
	}
	memset(out, 0, (ng + 1) * sizeof(*out));
	memset(nulls, 0, sizeof(*nulls));
	ret = run_over(t, &sb, nr, &r, d);
	for (i = 0; i < r.n && ret == 0; i++) {
		idx = r.cells[i * 3] ? atoll(r.cells[i * 3]) : -2;
		if (idx < -1 || idx > (long long)ng)
			ret = diag_error(d, "bisect: unexpected range %lld", idx);
		else
			bisect_sum_from(idx < 0 ? nulls : &out[idx], &r.cells[i * 3 + 1], false);
	}
	if (ret == 0 && nr == 0) {	/* the first level: every row counted */
		t->rows = nulls->rows;
		for (i = 0; i <= ng; i++)
			t->rows += out[i].rows;
	}
	bisect_rows_free(&r);
	sb_release(&sb);
	return ret;
}
