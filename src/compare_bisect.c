/*
 * compare_bisect.c: which key ranges a compare streams (see
 * compare_bisect.h).
 *
 * A side that may hold a duplicate key is first searched for one (with a
 * key of one column on PostgreSQL, the keys more than one row holds,
 * grouped by the key, which an index serves, a shard's too; otherwise
 * counted whole, with its distinct keys), so that a duplicate leaves the
 * check to the rows strategy and its error.  The rows with a NULL key cell are one range of
 * their own (never split: NULL has no order).
 *
 * With a key of one column on PostgreSQL (bisect_table_bucketed), the
 * work goes by levels: the first splits the table at a sample of keys
 * (about one per 2 * leaf rows), or evenly when the key is an integer
 * whose statistics show it even enough (bisect_table_even), and each side
 * sums every range in one query; each next level splits the ranges that still differ and hold
 * more than leaf rows at FANOUT - 1 quantiles of the larger side, again
 * one query per side for all of them (the quantiles of a range of an
 * integer key that holds every integer in it are worked out, not read).  The ranges that differ are kept in
 * key order from level to level (struct items), so neighbours to stream
 * join into one range.
 *
 * Otherwise a range that differs is split at FANOUT - 1 keys of the side
 * that holds more of its rows, both sides checksum the parts in one query
 * each, and the parts that differ are visited in key order, depth first.
 *
 * The two sides' queries run at once, each in a thread of its own, when
 * their sources allow it (two sources, or one with a sibling handle on its
 * cut, source.h); otherwise one after the other.
 *
 * Why this finds every finding: a range whose two sides have the same
 * rows and checksum holds, on each side, rows whose keys and compared
 * values the rules call equal (source_bisect.h); with no duplicate on
 * either side, each such row's key meets its twin and nothing else, so it
 * is no finding.  Rows whose key is equal under the rules but spelled
 * differently (text 10 and 1e1) may fall in different ranges; both ranges
 * then differ and are streamed together, where the compare matches them.
 */
#include "compare_bisect.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "source_bisect.h"

#define FANOUT 32	/* parts a differing range is split into */

struct bisect {
	struct bisect_table *t[2];
	bool parallel;			/* the sides' queries in two threads */
	long long leaf;			/* rows of a range streamed unsplit */
	struct bisect_range *stream;	/* ranges to stream, in key order */
	size_t nstream, cap;
	char ****bounds;		/* every split's bounds, freed at the end */
	size_t *nbounds, nsplits;
	long long ranges;
	struct progress progress;	/* "bisecting ID: ..." on a terminal */
	int level;
};

/* Redraw the progress line (at most every progress.delay seconds). */
static void show(struct bisect *b)
{
	double t;

	if (!b->progress.on)
		return;
	t = monotonic_seconds();
	if (t - b->progress.last < b->progress.delay)
		return;
	fprintf(stderr, "\rbisecting %s: level %d, %lld ranges compared, %zu to stream\033[K",
		b->progress.what, b->level, b->ranges, b->nstream);
	b->progress.last = t;
}

/* One side's query of a step: the totals, the sums of r's parts, or the
 * count of duplicate keys. */
struct job {
	struct bisect_table *t;
	const struct bisect_range *r;	/* NULL: the totals or the duplicates */
	char ***at;
	size_t n;
	struct bisect_sum *out;		/* NULL: the duplicates */
	struct diag d;
	int ret;
	long long dups;
};

static void *job_run(void *arg)
{
	struct job *j = arg;

	j->ret = j->r ? bisect_table_sums(j->t, j->r, j->at, j->n, j->out, &j->d)
		 : j->out ? bisect_table_total(j->t, j->out, &j->d)
			  : bisect_table_duplicates(j->t, &j->dups, &j->d);
	return NULL;
}

/* Run both sides' jobs, at once when b allows. */
static int both(struct bisect *b, struct job j[2], struct diag *d)
{
	int s;

	run_pair(job_run, &j[0], &j[1], b->parallel);
	for (s = 0; s < 2; s++)
		if (j[s].ret < 0)
			return diag_error(d, "%s", j[s].d.msg);
	return 0;
}

static void push(struct bisect *b, const struct bisect_range *r)
{
	struct bisect_range *last = b->nstream ? &b->stream[b->nstream - 1] : NULL;

	if (last && !last->nulls && !r->nulls && last->hi && last->hi == r->lo) {
		last->hi = r->hi;	/* the next range: one range */
		return;
	}
	if (b->nstream == b->cap) {
		b->cap = b->cap ? 2 * b->cap : 16;
		b->stream = xrealloc(b->stream, b->cap * sizeof(*b->stream));
	}
	b->stream[b->nstream++] = *r;
}

static bool same(const struct bisect_sum *l, const struct bisect_sum *r)
{
	return l->rows == r->rows && strcmp(l->sum, r->sum) == 0;
}

/* Keep bounds array g (n keys) until the plan is freed. */
static void keep(struct bisect *b, char ***g, size_t n)
{
	b->bounds = xrealloc(b->bounds, (b->nsplits + 1) * sizeof(*b->bounds));
	b->nbounds = xrealloc(b->nbounds, (b->nsplits + 1) * sizeof(*b->nbounds));
	b->bounds[b->nsplits] = g;
	b->nbounds[b->nsplits++] = n;
}

static int visit(struct bisect *b, const struct bisect_range *r, long long rows[2],
		 struct diag *d)
{
	int big = rows[1] > rows[0];
	struct bisect_sum *sum[2] = { NULL, NULL };
	char ***at;
	size_t n, i;
	int s, ret = 0;

	if (rows[big] <= b->leaf) {
		push(b, r);
		return 0;
	}
	if (bisect_table_splits(b->t[big], r, rows[big], FANOUT, &at, &n, d) < 0)
		return -1;
	keep(b, at, n);
	if (n == 0) {
		push(b, r);
		return 0;
	}
	{
		struct job j[2];

		memset(j, 0, sizeof(j));
		for (s = 0; s < 2; s++) {
			sum[s] = xcalloc(n + 1, sizeof(*sum[s]));
			j[s] = (struct job){ b->t[s], r, at, n, sum[s], { "" }, 0, 0 };
		}
		ret = both(b, j, d);
	}
	b->ranges += (long long)n + 1;
	show(b);
	for (i = 0; i <= n && ret == 0; i++) {
		struct bisect_range part = { i ? at[i - 1] : r->lo, i < n ? at[i] : r->hi, false };
		long long prow[2] = { sum[0][i].rows, sum[1][i].rows };

		if (!same(&sum[0][i], &sum[1][i]))
			ret = visit(b, &part, prow, d);
	}
	free(sum[0]);
	free(sum[1]);
	return ret;
}

/* One side's query of a level: the bucket sums over ranges of g. */
struct bjob {
	struct bisect_table *t;
	char ***g;
	size_t ng;
	const struct bisect_range *r;
	size_t nr;
	struct bisect_sum *out, nulls;
	struct diag d;
	int ret;
};

static void *bjob_run(void *arg)
{
	struct bjob *j = arg;

	j->ret = bisect_table_bucket_sums(j->t, j->g, j->ng, j->r, j->nr, j->out, &j->nulls,
					  &j->d);
	return NULL;
}

static int bboth(struct bisect *b, struct bjob j[2], struct diag *d)
{
	int s;

	run_pair(bjob_run, &j[0], &j[1], b->parallel);
	for (s = 0; s < 2; s++)
		if (j[s].ret < 0)
			return diag_error(d, "%s", j[s].d.msg);
	return 0;
}

/* Bucket k of bounds g (n of them) as a range. */
static struct bisect_range bucket_range(char ***g, size_t n, size_t k)
{
	struct bisect_range r = { k ? g[k - 1] : NULL, k < n ? g[k] : NULL, false };

	return r;
}

/* A level of buckets: bounds g, and per bucket the sums of both sides. */
struct level {
	char ***g;		/* not owned: the bounds live in b->bounds */
	size_t ng;
	struct bisect_sum *sum[2];	/* ng + 1 each */
	bool *split;		/* the bucket is a part of a split range */
};

static void level_free(struct level *l)
{
	free(l->g);
	free(l->sum[0]);
	free(l->sum[1]);
	free(l->split);
	memset(l, 0, sizeof(*l));
}

/* A range that differs, in key order among the others: streamed, or
 * bucket k of the current level, to be split again (pending). */
struct item {
	struct bisect_range r;
	size_t k;
	bool pending;
};

struct items {
	struct item *v;
	size_t n, cap;
};

static void add_copy(struct items *it, const struct item *x)
{
	if (it->n == it->cap) {
		it->cap = it->cap ? 2 * it->cap : 64;
		it->v = xrealloc(it->v, it->cap * sizeof(*it->v));
	}
	it->v[it->n++] = *x;
}

/* Bucket k of l, when it differs: streamed when it holds at most leaf rows
 * or could not be split, else pending. */
static void add_item(struct bisect *b, struct items *it, const struct level *l, size_t k)
{
	long long big = l->sum[0][k].rows > l->sum[1][k].rows ? l->sum[0][k].rows
							       : l->sum[1][k].rows;

	struct item x;

	if (same(&l->sum[0][k], &l->sum[1][k]))
		return;
	x.r = bucket_range(l->g, l->ng, k);
	x.k = k;
	x.pending = big > b->leaf && (!l->split || l->split[k]);
	add_copy(it, &x);
}

/* The next level: the buckets of l listed in k[0..n-1] split at quantiles
 * of side a into about FANOUT parts each, and both sides' sums of the
 * parts.  l is replaced by the new level. */
static int descend(struct bisect *b, int a, struct level *l, const size_t *k, size_t n,
		   size_t **owned, struct diag *d)
{
	struct level nl = { NULL, 0, { NULL, NULL }, NULL };
	struct bisect_range *where = xcalloc(n, sizeof(*where));
	long long *step = xcalloc(l->ng + 1, sizeof(*step));
	char ***sub = NULL;
	size_t *owner = NULL, *subk = NULL, nsub = 0, nwhere = 0, i, j, m = 0;
	struct bjob job[2];
	int s, ret = -1;

	for (i = 0; i < n; i++) {
		struct bisect_range r = bucket_range(l->g, l->ng, k[i]);
		long long big = l->sum[0][k[i]].rows > l->sum[1][k[i]].rows
					? l->sum[0][k[i]].rows : l->sum[1][k[i]].rows;

		step[k[i]] = (big + FANOUT - 1) / FANOUT;
		if (nwhere && where[nwhere - 1].hi == r.lo)
			where[nwhere - 1].hi = r.hi;	/* neighbours: one range */
		else
			where[nwhere++] = r;
	}
	if (bisect_table_quantiles(b->t[a], l->g, l->ng, step, l->sum[a], &sub, &subk, &nsub,
				   d) < 0)
		goto out;
	keep(b, sub, nsub);
	/* the new bounds: each listed bucket's edges and its quantiles, a gap
	 * between two buckets that do not touch being a bucket of no range */
	nl.g = xcalloc(2 * n + nsub + 1, sizeof(*nl.g));
	owner = xcalloc(2 * n + nsub + 2, sizeof(*owner));
	nl.split = xcalloc(2 * n + nsub + 2, sizeof(*nl.split));
	for (i = 0, j = 0; i < n; i++) {
		struct bisect_range r = bucket_range(l->g, l->ng, k[i]);
		size_t first, q;
		bool split = false;

		if (r.lo && (m == 0 || nl.g[m - 1] != r.lo)) {
			owner[m] = SIZE_MAX;
			nl.g[m++] = r.lo;
		}
		first = m;
		for (; j < nsub && subk[j] == k[i]; j++) {
			owner[m] = i;
			nl.g[m++] = sub[j];
			split = true;
		}
		owner[m] = i;
		for (q = first; q <= m; q++)
			nl.split[q] = split;
		if (!r.hi)
			break;
		nl.g[m++] = r.hi;
		owner[m] = SIZE_MAX;
	}
	nl.ng = m;
	memset(job, 0, sizeof(job));
	for (s = 0; s < 2; s++) {
		nl.sum[s] = xcalloc(m + 1, sizeof(*nl.sum[s]));
		job[s] = (struct bjob){ b->t[s], nl.g, m, where, nwhere, nl.sum[s], { 0, 0, { 0 } },
					{ "" }, 0 };
	}
	if (bboth(b, job, d) < 0)
		goto out;
	for (i = 0; i <= m; i++)
		b->ranges += owner[i] != SIZE_MAX;	/* a gap holds no row read */
	level_free(l);
	*l = nl;
	memset(&nl, 0, sizeof(nl));
	*owned = owner;
	owner = NULL;
	ret = 0;
out:
	level_free(&nl);
	free(where);
	free(step);
	free(owner);
	free(subk);
	return ret;
}

/* The bucketed plan (bisect_table_bucketed): the first level's bounds a
 * sample of keys of one side, about one per 2 * leaf rows, then one query
 * per side per level. */
static int plan_buckets(struct bisect *b, const struct check_cfg *cc, struct bisect_plan *p,
			struct diag *d)
{
	struct level l = { NULL, 0, { NULL, NULL }, NULL };
	struct bjob job[2];
	char ***g = NULL;
	size_t ng = 0, *next = NULL, nnext = 0, k;
	struct items it = { NULL, 0, 0 };
	long long rows = 0;
	int s, a = 0, ret = -1;

	(void)cc;
	if (bisect_table_rows(b->t[0], &rows, d) < 0)
		return -1;
	ret = bisect_table_even(b->t[a], rows / (2 * b->leaf) + 1, &g, &ng, d);
	if (ret < 0 || (ret == 0 &&
			bisect_table_sample(b->t[a], rows, rows / (2 * b->leaf) + 1, &g, &ng, d) < 0))
		return -1;
	ret = -1;
	keep(b, g, ng);
	l.g = xcalloc(ng + 1, sizeof(*l.g));
	if (ng)	/* an empty table samples no key */
		memcpy(l.g, g, ng * sizeof(*g));
	l.ng = ng;
	memset(job, 0, sizeof(job));
	for (s = 0; s < 2; s++) {
		l.sum[s] = xcalloc(ng + 1, sizeof(*l.sum[s]));
		job[s] = (struct bjob){ b->t[s], l.g, ng, NULL, 0, l.sum[s], { 0, 0, { 0 } },
					{ "" }, 0 };
	}
	if (bboth(b, job, d) < 0)
		goto out;
	b->ranges = (long long)ng + 2;
	b->level = 1;
	show(b);
	for (s = 0; s < 2; s++) {
		p->rows[s] = job[s].nulls.rows;
		for (k = 0; k <= ng; k++)
			p->rows[s] += l.sum[s][k].rows;
	}
	a = p->rows[1] > p->rows[0];	/* quantiles from the larger side */
	for (k = 0; k <= ng; k++)
		add_item(b, &it, &l, k);
	for (;;) {
		struct items nit = { NULL, 0, 0 };
		size_t i, j = 0, *owner = NULL;

		nnext = 0;
		next = xcalloc(it.n + 1, sizeof(*next));
		for (i = 0; i < it.n; i++)
			if (it.v[i].pending)
				next[nnext++] = it.v[i].k;
		if (nnext == 0)
			break;
		if (descend(b, a, &l, next, nnext, &owner, d) < 0)
			goto out;
		/* each pending range replaced by its parts that differ, in order */
		for (i = 0, nnext = 0; i < it.n; i++) {
			if (!it.v[i].pending) {
				add_copy(&nit, &it.v[i]);
				continue;
			}
			while (j <= l.ng && owner[j] != nnext)
				j++;
			for (; j <= l.ng && owner[j] == nnext; j++)
				add_item(b, &nit, &l, j);
			nnext++;
		}
		free(owner);
		free(it.v);
		it = nit;
		free(next);
		next = NULL;
		b->level++;
		show(b);
	}
	for (k = 0; k < it.n; k++)
		push(b, &it.v[k].r);
	if (!same(&job[0].nulls, &job[1].nulls)) {
		struct bisect_range nulls = { NULL, NULL, true };

		push(b, &nulls);
	}
	ret = 0;
out:
	free(next);
	free(it.v);
	level_free(&l);
	return ret;
}

static int plan(struct bisect *b, const struct check_cfg *cc, struct bisect_plan *p,
		struct diag *d)
{
	static const char *const side[2] = { "left", "right" };
	struct bisect_sum tot[2][2];
	struct bisect_range all = { NULL, NULL, false }, nulls = { NULL, NULL, true };
	long long rows[2];
	bool bucketed = bisect_table_bucketed(b->t[0]) && bisect_table_bucketed(b->t[1]);
	size_t i;
	int s, k;

	for (i = 0; i < cc->nkey; i++)
		if (strcmp(bisect_table_key_type(b->t[0], i), bisect_table_key_type(b->t[1], i)))
			return diag_error(d, "key column '%s' is %s on the left and %s on the right",
					  cc->key[i], bisect_table_key_type(b->t[0], i),
					  bisect_table_key_type(b->t[1], i));
	if (bucketed && (!bisect_table_unique(b->t[0]) || !bisect_table_unique(b->t[1]))) {
		/* only whether a key repeats: the levels sum the rows */
		struct job j[2] = { { b->t[0], NULL, NULL, 0, NULL, { "" }, 0, 0 },
				    { b->t[1], NULL, NULL, 0, NULL, { "" }, 0, 0 } };

		if (both(b, j, d) < 0)
			return -1;
		for (s = 0; s < 2; s++)
			if (j[s].dups)
				return diag_error(d, "the %s side has a duplicate key", side[s]);
	} else if (!bucketed) {
		struct job j[2] = { { b->t[0], NULL, NULL, 0, tot[0], { "" }, 0, 0 },
				    { b->t[1], NULL, NULL, 0, tot[1], { "" }, 0, 0 } };

		if (both(b, j, d) < 0)
			return -1;
		for (s = 0; s < 2; s++)
			for (k = 0; k < 2; k++)
				if (tot[s][k].rows != tot[s][k].keys)
					return diag_error(d, "the %s side has a duplicate key",
							  side[s]);
	}
	if (bucketed) {
		if (plan_buckets(b, cc, p, d) < 0)
			return -1;
		goto done;
	}
	b->ranges = 2;
	rows[0] = tot[0][0].rows;
	rows[1] = tot[1][0].rows;
	if (!same(&tot[0][0], &tot[1][0]) && visit(b, &all, rows, d) < 0)
		return -1;
	if (!same(&tot[0][1], &tot[1][1]))
		push(b, &nulls);
	for (s = 0; s < 2; s++)
		p->rows[s] = tot[s][0].rows + tot[s][1].rows;
done:
	p->ranges = b->ranges;
	for (s = 0; s < 2; s++)
		p->sql[s] = bisect_table_select(b->t[s], b->stream, b->nstream);
	return 0;
}

void compare_bisect_plan(const struct check_cfg *cc, struct source *const src[2],
			 const char *const tables[2], const char *const *cols, size_t ncol,
			 struct bisect_plan *p)
{
	struct bisect b;
	struct diag d = { "" }, ignored = { "" };
	struct source *qsrc[2];
	size_t i;
	int s;

	memset(p, 0, sizeof(*p));
	memset(&b, 0, sizeof(b));
	b.leaf = cc->bisect_rows > 0 ? cc->bisect_rows : 100;
	progress_start(&b.progress, source_progress(src[0]), cc->id, 1);
	b.progress.last = 0;	/* the first line at once */
	/* the right side through a sibling handle on one source's cut */
	qsrc[0] = src[0];
	qsrc[1] = src[1];
	if (src[0] == src[1] && (qsrc[1] = source_sibling(src[1], &ignored)))
		b.parallel = true;
	else if (src[0] != src[1])
		b.parallel = source_concurrent(src[0], src[1]);
	if (!qsrc[1])
		qsrc[1] = src[1];
	for (s = 0; s < 2; s++)
		if (!(b.t[s] = bisect_table_open(qsrc[s], tables[s], cc->key, cc->nkey, cols, ncol,
						 &d)))
			break;
	if (s == 2) {
		p->per_shard = bisect_table_foreign(b.t[0]) || bisect_table_foreign(b.t[1]);
		bisect_tables_agree(b.t);
		plan(&b, cc, p, &d);
	}
	/* a longer message is cut to the note's size, on purpose */
	if (!p->sql[0] &&
	    snprintf(p->why, sizeof(p->why), "%s", d.msg[0] ? d.msg : "cannot bisect") < 0)
		p->why[0] = '\0';
	for (i = 0; i < b.nsplits; i++)
		bisect_bounds_free(b.t[0], b.bounds[i], b.nbounds[i]);
	free(b.bounds);
	free(b.nbounds);
	free(b.stream);
	progress_end(&b.progress);
	bisect_table_close(b.t[0]);
	bisect_table_close(b.t[1]);
}

void compare_bisect_release(struct bisect_plan *p)
{
	free(p->sql[0]);
	free(p->sql[1]);
	p->sql[0] = p->sql[1] = NULL;
}
