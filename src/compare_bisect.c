/*
 * compare_bisect.c: which key ranges a compare streams (see
 * compare_bisect.h).
 *
 * The whole table is first taken as two ranges: the rows with a NULL key
 * cell (never split: NULL has no order) and the rest, with a count of
 * distinct keys on each side, so that a duplicate key leaves the check to
 * the rows strategy and its error.  A range that differs is split at
 * FANOUT - 1 keys of the side that holds more of its rows, both sides
 * checksum the parts in one query each, and the parts that differ are
 * visited in key order, depth first, so neighbouring parts to stream
 * arrive one after the other and are joined into one range.
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

#include <pthread.h>
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
};

/* One side's query of a step: the totals, or the sums of r's parts. */
struct job {
	struct bisect_table *t;
	const struct bisect_range *r;	/* NULL: the totals */
	char ***at;
	size_t n;
	struct bisect_sum *out;
	struct diag d;
	int ret;
};

static void *job_run(void *arg)
{
	struct job *j = arg;

	j->ret = j->r ? bisect_table_sums(j->t, j->r, j->at, j->n, j->out, &j->d)
		      : bisect_table_total(j->t, j->out, &j->d);
	return NULL;
}

/* Run both sides' jobs, at once when b allows. */
static int both(struct bisect *b, struct job j[2], struct diag *d)
{
	pthread_t tid;
	bool threaded = b->parallel && pthread_create(&tid, NULL, job_run, &j[1]) == 0;
	int s;

	job_run(&j[0]);
	if (threaded)
		pthread_join(tid, NULL);
	else
		job_run(&j[1]);
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
	b->bounds = xrealloc(b->bounds, (b->nsplits + 1) * sizeof(*b->bounds));
	b->nbounds = xrealloc(b->nbounds, (b->nsplits + 1) * sizeof(*b->nbounds));
	b->bounds[b->nsplits] = at;
	b->nbounds[b->nsplits++] = n;
	if (n == 0) {
		push(b, r);
		return 0;
	}
	{
		struct job j[2];

		memset(j, 0, sizeof(j));
		for (s = 0; s < 2; s++) {
			sum[s] = xcalloc(n + 1, sizeof(*sum[s]));
			j[s] = (struct job){ b->t[s], r, at, n, sum[s], { "" }, 0 };
		}
		ret = both(b, j, d);
	}
	b->ranges += (long long)n + 1;
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

static int plan(struct bisect *b, const struct check_cfg *cc, struct bisect_plan *p,
		struct diag *d)
{
	static const char *const side[2] = { "left", "right" };
	struct bisect_sum tot[2][2];
	struct bisect_range all = { NULL, NULL, false }, nulls = { NULL, NULL, true };
	long long rows[2];
	size_t i;
	int s, k;

	for (i = 0; i < cc->nkey; i++)
		if (strcmp(bisect_table_key_type(b->t[0], i), bisect_table_key_type(b->t[1], i)))
			return diag_error(d, "key column '%s' is %s on the left and %s on the right",
					  cc->key[i], bisect_table_key_type(b->t[0], i),
					  bisect_table_key_type(b->t[1], i));
	{
		struct job j[2] = { { b->t[0], NULL, NULL, 0, tot[0], { "" }, 0 },
				    { b->t[1], NULL, NULL, 0, tot[1], { "" }, 0 } };

		if (both(b, j, d) < 0)
			return -1;
	}
	for (s = 0; s < 2; s++)
		for (k = 0; k < 2; k++)
			if (tot[s][k].rows != tot[s][k].keys)
				return diag_error(d, "the %s side has a duplicate key", side[s]);
	b->ranges = 2;
	rows[0] = tot[0][0].rows;
	rows[1] = tot[1][0].rows;
	if (!same(&tot[0][0], &tot[1][0]) && visit(b, &all, rows, d) < 0)
		return -1;
	if (!same(&tot[0][1], &tot[1][1]))
		push(b, &nulls);
	p->ranges = b->ranges;
	for (s = 0; s < 2; s++)
		p->rows[s] = tot[s][0].rows + tot[s][1].rows;
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
	if (s == 2)
		plan(&b, cc, p, &d);
	/* a longer message is cut to the note's size, on purpose */
	if (!p->sql[0] &&
	    snprintf(p->why, sizeof(p->why), "%s", d.msg[0] ? d.msg : "cannot bisect") < 0)
		p->why[0] = '\0';
	for (i = 0; i < b.nsplits; i++)
		bisect_bounds_free(b.t[0], b.bounds[i], b.nbounds[i]);
	free(b.bounds);
	free(b.nbounds);
	free(b.stream);
	bisect_table_close(b.t[0]);
	bisect_table_close(b.t[1]);
}

void compare_bisect_release(struct bisect_plan *p)
{
	free(p->sql[0]);
	free(p->sql[1]);
	p->sql[0] = p->sql[1] = NULL;
}
