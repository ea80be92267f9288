/*
 * compare_verify.c: after both sides were read, the walks over the key
 * table's entries (see compare_verify.h): verification under a
 * tolerance, the tallies of findings per kind and group with the samples
 * kept, the explanation of changed rows per column, and the merge of both
 * sides' group values.
 */
#include "compare_verify.h"

#include <stdlib.h>
#include <string.h>

#include "compare_classes.h"
#include "compare_key.h"
#include "compare_table.h"

struct walk {
	struct cmp *c;
	entry_fn fn;
	void *ctx;
};

static int walk_one(struct entry *e, void *ctx)
{
	struct walk *w = ctx;

	return w->fn(w->c, e, w->ctx);
}

/* Contract in compare_verify.h. */
int walk_entries(struct cmp *c, entry_fn fn, void *ctx)
{
	struct walk w = { c, fn, ctx };

	return ktable_walk(&c->kt, walk_one, &w);
}

/* Contract in compare_verify.h. */
int verify_batch(struct cmp *c, struct verify *v)
{
	struct reread rd;
	size_t i, j;
	int ret;

	ret = reread_both(c, &rd, v->batch, v->n, v->d);
	for (i = 0; i < v->n && ret == 0; i++) {
		bool same = true;

		for (j = 0; j < c->ncmp && same; j++)
			same = column_equal(c, &rd.rows[LEFT][i], &rd.rows[RIGHT][i], j);
		if (same)
			v->batch[i]->flags &= (uint8_t)~DIFFERS;
	}
	reread_free(&rd);
	v->n = 0;
	return ret;
}

/* Contract in compare_verify.h. */
int verify_entry(struct cmp *c, struct entry *e, void *ctx)
{
	struct verify *v = ctx;

	if ((e->flags & (SEEN_LEFT | SEEN_RIGHT | DIFFERS)) != (SEEN_LEFT | SEEN_RIGHT | DIFFERS))
		return 0;
	v->batch[v->n++] = e;
	if (v->n == VERIFY_BATCH)
		return verify_batch(c, v) < 0 ? -1 : 0;
	return 0;
}

/* A finding's key (findings.h): its key values joined with ", ", NULL as
 * "NULL", numbers in canonical form. */
static void track_key(struct cmp *c, struct tally *t, const struct entry *e)
{
	const unsigned char *p = e->key;
	const char *group = NULL;
	uint32_t gi = 0;
	size_t i;
	int w = -1;

	t->key.len = 0;
	for (i = 0; i < c->nkey; i++) {
		struct kfield f;

		p = decode_field(p, &f);
		if (i)
			sb_add(&t->key, ", ", 2);
		if (f.type == KF_NULL)
			sb_add(&t->key, "NULL", 4);
		else if (f.type == KF_NUMBER)
			cv_num_text(&t->key, &f.num);
		else
			sb_add(&t->key, f.s, f.len);
	}
	if (t->cr && t->cr->nwaivers) {
		if (c->has_group) {
			gi = t->gmap[e->group >> 31][e->group & 0x7fffffffu];
			group = t->gnames[gi];
		}
		w = waivers_match(t->cr, t->key.buf, t->key.len, group, group ? strlen(group) : 0);
		if (w >= 0 && group)
			t->gwaived[gi]++;
	}
	keyset_offer(&t->followed, t->key.buf, t->key.len, w);
}

static int pick_cmp(const struct cmp *c, const struct pick *a, const struct pick *b)
{
	if (a->kind != b->kind)
		return a->kind < b->kind ? -1 : 1;
	return key_cmp(a->e->key, b->e->key, c->nkey);
}

static void offer(struct cmp *c, struct tally *t, enum finding kind, struct entry *e)
{
	struct pick p = { kind, e }, *v = t->kept[kind];
	size_t lo = 0, hi = t->nkept[kind];

	if (!t->cap)
		return;
	if (hi == t->cap && pick_cmp(c, &v[hi - 1], &p) <= 0)
		return;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (pick_cmp(c, &v[mid], &p) <= 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (t->nkept[kind] == t->cap)
		t->nkept[kind]--;
	memmove(v + lo + 1, v + lo, (t->nkept[kind] - lo) * sizeof(*v));
	v[lo] = p;
	t->nkept[kind]++;
}

/* The samples: every kind gets its turn, one sample at a time (missing,
 * extra, changed, missing, ...) while it has findings, so a few changed
 * rows still show beside many missing ones; then in order of kind and key.
 * Only data decides, so shuffled inputs give the same samples. */
void choose_samples(struct tally *t)
{
	size_t take[3] = { 0, 0, 0 }, k;
	bool more = true;

	t->npicks = 0;
	while (t->npicks < t->cap && more) {
		more = false;
		for (k = 0; k < 3 && t->npicks < t->cap; k++) {
			if (take[k] < t->nkept[k]) {
				take[k]++;
				t->npicks++;
				more = true;
			}
		}
	}
	t->npicks = 0;
	for (k = 0; k < 3; k++) {
		memcpy(t->picks + t->npicks, t->kept[k], take[k] * sizeof(*t->picks));
		t->npicks += take[k];
	}
}

/* Contract in compare_verify.h. */
int tally_entry(struct cmp *c, struct entry *e, void *ctx)
{
	struct tally *t = ctx;
	enum finding kind;

	t->keys++;
	switch (e->flags & (SEEN_LEFT | SEEN_RIGHT)) {
	case SEEN_LEFT:
		kind = F_MISSING;
		break;
	case SEEN_RIGHT:
		kind = F_EXTRA;
		break;
	default:
		if (!(e->flags & DIFFERS))
			return 0;
		kind = F_CHANGED;
		break;
	}
	t->count[kind]++;
	if (c->has_group)
		t->gcount[t->gmap[e->group >> 31][e->group & 0x7fffffffu]][kind]++;
	offer(c, t, kind, e);
	track_key(c, t, e);
	if (kind == F_CHANGED && t->x)
		return explain_add(c, t->x, e);
	return 0;
}

/* The changed rows e[0, n) read again and explained into x's counts, or
 * into those of part (the second half's, merged at the end). */
struct explain_part {
	struct cmp *c;
	struct explain *x;
	struct entry **e;
	size_t n;
	long long *changed;
	struct change_tally *classes;
	long long *gchanged;
	struct diag d;
	int ret;
};

static void *explain_part_run(void *arg)
{
	struct explain_part *p = arg;
	struct cmp *c = p->c;
	struct reread rd;
	size_t i, j;

	p->ret = reread_both(c, &rd, p->e, p->n, &p->d);
	for (i = 0; i < p->n && p->ret == 0; i++) {
		const struct rowcopy *l = &rd.rows[LEFT][i], *r = &rd.rows[RIGHT][i];
		const struct entry *e = p->e[i];
		long long *g = NULL;

		if (p->gchanged)
			g = p->gchanged + (size_t)p->x->t->gmap[e->group >> 31][e->group & 0x7fffffffu] *
						  c->ncmp;
		for (j = 0; j < c->ncmp; j++) {
			size_t li = c->side[LEFT].need[c->nkey + j];
			size_t ri = c->side[RIGHT].need[c->nkey + j];

			if (column_equal(c, l, r, j))
				continue;
			p->changed[j]++;
			if (g)
				g[j]++;
			change_tally_add(&p->classes[j], l->cells[li], l->lens[li], r->cells[ri],
					 r->lens[ri]);
		}
	}
	reread_free(&rd);
	return NULL;
}

/* At least this many rows of a batch of two files are read again in two
 * threads, a half each: each thread reads its rows of both files. */
#define EXPLAIN_SPLIT 256

static int explain_batch(struct cmp *c, struct explain *x)
{
	struct explain_part p[2] = {
		{ c, x, x->batch, x->n, x->changed, x->classes, x->gchanged, { "" }, 0 },
		{ c, x, NULL, 0, x->more.changed, x->more.classes, x->more.gchanged, { "" }, 0 },
	};
	int k;

	if (x->more.changed && x->n >= EXPLAIN_SPLIT) {
		p[1].n = x->n / 2;
		p[0].n = x->n - p[1].n;
		p[1].e = x->batch + p[0].n;
		run_pair(explain_part_run, &p[0], &p[1], true);
	} else {
		explain_part_run(&p[0]);
	}
	x->n = 0;
	for (k = 0; k < 2; k++)
		if (p[k].ret < 0)
			return diag_error(x->d, "%s", p[k].d.msg);
	return 0;
}

/* Contract in compare_verify.h. */
void explain_begin(struct cmp *c, struct explain *x)
{
	size_t ncmp = c->ncmp ? c->ncmp : 1;

	x->batch = xcalloc(VERIFY_BATCH, sizeof(*x->batch));
	x->changed = xcalloc(ncmp, sizeof(*x->changed));
	x->classes = xcalloc(ncmp, sizeof(*x->classes));
	if (c->has_group)
		x->gchanged = xcalloc(x->ngroups * ncmp + 1, sizeof(*x->gchanged));
	/* files are read again by position, from any thread */
	if (c->side[LEFT].tr.own_thread && c->side[RIGHT].tr.own_thread) {
		x->more.changed = xcalloc(ncmp, sizeof(*x->more.changed));
		x->more.classes = xcalloc(ncmp, sizeof(*x->more.classes));
		if (x->gchanged)
			x->more.gchanged = xcalloc(x->ngroups * ncmp + 1,
						   sizeof(*x->more.gchanged));
	}
}

/* Contract in compare_verify.h. */
int explain_add(struct cmp *c, struct explain *x, struct entry *e)
{
	x->batch[x->n++] = e;
	if (x->n == VERIFY_BATCH)
		return explain_batch(c, x);
	return 0;
}

/* Contract in compare_verify.h. */
int explain_end(struct cmp *c, struct explain *x, struct check_result *cr, struct arena *a)
{
	size_t j;

	if (explain_batch(c, x) < 0)
		return -1;
	if (x->more.changed) {
		for (j = 0; j < c->ncmp; j++) {
			x->changed[j] += x->more.changed[j];
			change_tally_merge(&x->classes[j], &x->more.classes[j]);
		}
		for (j = 0; x->more.gchanged && j < x->ngroups * c->ncmp; j++)
			x->gchanged[j] += x->more.gchanged[j];
	}
	cr->column_changes = arena_alloc(a, (c->ncmp ? c->ncmp : 1) * sizeof(*cr->column_changes));
	cr->ncolumn_changes = c->ncmp;
	for (j = 0; j < c->ncmp; j++) {
		struct column_change *cc = &cr->column_changes[j];

		cc->column = arena_strdup(a, c->cmp_names[j]);
		cc->changed = x->changed[j];
		cc->classes = x->classes[j];
		change_tally_finish(&cc->classes);
	}
	return 0;
}

/* Group names in order: NULL (SQL NULL) first, then by bytes. */
static int group_name_cmp(const void *a, const void *b)
{
	const char *x = *(const char *const *)a, *y = *(const char *const *)b;

	if (!x || !y)
		return x ? 1 : y ? -1 : 0;
	return strcmp(x, y);
}

/* Contract in compare_verify.h. */
const char **merge_groups(struct cmp *c, struct tally *t, size_t *nout)
{
	size_t n = c->side[LEFT].groups.n + c->side[RIGHT].groups.n, k = 0, u = 0, i;
	const char **all = xcalloc(n ? n : 1, sizeof(*all));
	int s;

	for (s = 0; s < 2; s++)
		for (i = 0; i < c->side[s].groups.n; i++)
			all[k++] = c->side[s].groups.names[i];
	qsort(all, n, sizeof(*all), group_name_cmp);
	for (i = 0; i < n; i++)
		if (u == 0 || group_name_cmp(&all[u - 1], &all[i]) != 0)
			all[u++] = all[i];
	for (s = 0; s < 2; s++) {
		struct gdict *g = &c->side[s].groups;

		t->gmap[s] = xcalloc(g->n ? g->n : 1, sizeof(*t->gmap[s]));
		for (i = 0; i < g->n; i++) {
			const char *name = g->names[i];
			const char **hit = bsearch(&name, all, u, sizeof(*all), group_name_cmp);

			t->gmap[s][i] = (uint32_t)(hit - all);
		}
	}
	*nout = u;
	return all;
}
