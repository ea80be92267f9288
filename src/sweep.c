/*
 * sweep.c: evaluate every enabled check once, in id order, and sum up the
 * day.  Sources are opened once each, every SQL text is planned before any
 * runs (so CSV sources load each needed table once), and each check's
 * outcome is a value in struct run: nothing here prints or exits.
 *
 * Samples are the `samples` smallest violating rows (cells compared as
 * strings, NULL first), not the first ones returned: the same data gives
 * the same samples whatever order a source returns rows in.
 */
#include "sweep.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "compare.h"
#include "findings.h"
#include "history.h"
#include "outcome.h"

const char *status_name(enum status s)
{
	switch (s) {
	case STATUS_PASS:
		return "pass";
	case STATUS_FAIL:
		return "fail";
	case STATUS_ERROR:
		return "error";
	case STATUS_SKIPPED:
		return "skipped";
	case STATUS_WARN:
		return "warn";
	}
	return "error";
}

/* ---- groups: text -> counts, open addressing ---------------------------- */

struct group_map {
	struct group_result *slots;	/* cap entries; group NULL = empty */
	size_t cap, n;
};

static uint64_t hash_bytes(const char *s, size_t len)
{
	uint64_t h = 1469598103934665603ULL;	/* FNV-1a */

	while (len--) {
		h ^= (unsigned char)*s++;
		h *= 1099511628211ULL;
	}
	return h;
}

/* The SQL NULL group in a map's slots: a group of its own, apart from the
 * text 'NULL' (in a check's results its group is NULL). */
static const char null_group[] = "";

static uint64_t group_hash(const char *g, size_t len)
{
	return g == null_group ? 0x6e756c6cULL : hash_bytes(g, len);
}

/* The counts of group s[0..len) (s NULL: the SQL NULL group), added when
 * new. */
static struct group_result *group_get(struct group_map *m, struct arena *a, const char *s,
				      size_t len)
{
	size_t i;

	if (2 * (m->n + 1) > m->cap) {
		struct group_map bigger = { NULL, m->cap ? 2 * m->cap : 64, 0 };

		bigger.slots = xcalloc(bigger.cap, sizeof(*bigger.slots));
		for (i = 0; i < m->cap; i++) {
			struct group_result *g = &m->slots[i];
			size_t j;

			if (!g->group)
				continue;
			j = group_hash(g->group, strlen(g->group)) & (bigger.cap - 1);
			while (bigger.slots[j].group)
				j = (j + 1) & (bigger.cap - 1);
			bigger.slots[j] = *g;
			bigger.n++;
		}
		free(m->slots);
		*m = bigger;
	}
	i = group_hash(s ? s : null_group, len) & (m->cap - 1);
	while (m->slots[i].group) {
		const char *g = m->slots[i].group;

		if (!s ? g == null_group
		       : g != null_group && strncmp(g, s, len) == 0 && g[len] == '\0')
			return &m->slots[i];
		i = (i + 1) & (m->cap - 1);
	}
	m->slots[i].group = s ? arena_strndup(a, s, len) : null_group;
	m->n++;
	return &m->slots[i];
}

/* Groups in order: the NULL group first, then by bytes. */
static int group_cmp(const void *a, const void *b)
{
	const char *x = ((const struct group_result *)a)->group;
	const char *y = ((const struct group_result *)b)->group;

	if (!x || !y)
		return x ? 1 : y ? -1 : 0;
	return strcmp(x, y);
}

/* Move the map's groups, sorted, into the check's result. */
static void take_groups(struct check_result *cr, struct group_map *m, struct arena *a)
{
	size_t i, k = 0;

	cr->groups = arena_alloc(a, (m->n ? m->n : 1) * sizeof(*cr->groups));
	for (i = 0; i < m->cap; i++) {
		if (m->slots[i].group) {
			cr->groups[k] = m->slots[i];
			if (cr->groups[k].group == null_group)
				cr->groups[k].group = NULL;
			k++;
		}
	}
	cr->ngroups = k;
	qsort(cr->groups, k, sizeof(*cr->groups), group_cmp);
	free(m->slots);
	m->slots = NULL;
	m->cap = m->n = 0;
}

/* ---- samples: the K smallest rows ------------------------------------- */

/* Compare a stored sample with a row's cells (NUL-free text assumed). */
static int sample_cell_cmp(const char **a, const struct cell *b, size_t n)
{
	size_t i;
	int c;

	for (i = 0; i < n; i++) {
		if (!a[i] || !b[i].s) {
			c = a[i] ? 1 : b[i].s ? -1 : 0;
		} else {
			size_t la = strlen(a[i]);
			size_t m = la < b[i].len ? la : b[i].len;

			c = memcmp(a[i], b[i].s, m);
			if (!c)
				c = la < b[i].len ? -1 : la > b[i].len ? 1 : 0;
		}
		if (c)
			return c;
	}
	return 0;
}

struct samples {
	const char ***rows;	/* sorted ascending, at most cap */
	size_t n, cap, ncols;
};

static char **sample_copy(const struct cell *cells, size_t n)
{
	char **row = xcalloc(n ? n : 1, sizeof(*row));
	size_t i;

	for (i = 0; i < n; i++) {
		if (!cells[i].s)
			continue;
		row[i] = xmalloc(cells[i].len + 1);
		memcpy(row[i], cells[i].s, cells[i].len);
		row[i][cells[i].len] = '\0';
	}
	return row;
}

static void sample_free(const char **row, size_t n)
{
	size_t i;

	if (!row)
		return;
	for (i = 0; i < n; i++)
		free((char *)row[i]);
	free(row);
}

static void samples_offer(struct samples *sp, const struct cell *cells)
{
	size_t lo = 0, hi = sp->n;

	if (!sp->cap)
		return;
	if (sp->n == sp->cap && sample_cell_cmp(sp->rows[sp->n - 1], cells, sp->ncols) <= 0)
		return;
	while (lo < hi) {	/* first stored row greater than cells */
		size_t mid = (lo + hi) / 2;

		if (sample_cell_cmp(sp->rows[mid], cells, sp->ncols) <= 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (sp->n == sp->cap) {
		sample_free(sp->rows[sp->n - 1], sp->ncols);
		sp->n--;
	}
	memmove(sp->rows + lo + 1, sp->rows + lo, (sp->n - lo) * sizeof(*sp->rows));
	sp->rows[lo] = (const char **)sample_copy(cells, sp->ncols);
	sp->n++;
}

/* Copy samples into the arena and free the working set. */
static void samples_take(struct check_result *cr, struct samples *sp, struct arena *a)
{
	size_t i, j;

	cr->samples = arena_alloc(a, (sp->n ? sp->n : 1) * sizeof(*cr->samples));
	for (i = 0; i < sp->n; i++) {
		const char **row = arena_alloc(a, (sp->ncols ? sp->ncols : 1) * sizeof(*row));

		for (j = 0; j < sp->ncols; j++)
			row[j] = arena_strdup(a, sp->rows[i][j]);
		cr->samples[i] = row;
		sample_free(sp->rows[i], sp->ncols);
	}
	cr->nsamples = sp->n;
	free(sp->rows);
	sp->rows = NULL;
	sp->n = 0;
}

/* ---- one check's evaluation ------------------------------------------- */

/* First value of the first row, copied; *none when there was no row. */
struct first_ctx {
	bool seen, null;
	char text[256];
};

/* A rows check's finding keys (findings.h): its `key` columns (all
 * columns when it names none) of each violating row, joined with ", ". */
struct row_keys {
	size_t *cols;		/* indexes of the key columns */
	size_t ncols;
	struct keyset set;
	struct strbuf text;	/* the row's key, reused */
};

static int row_keys_header(struct row_keys *k, const struct check_cfg *cc, size_t ncols,
			   const char *const *names, struct diag *d)
{
	size_t i, j;

	k->ncols = cc->nkey ? cc->nkey : ncols;
	k->cols = xcalloc(k->ncols ? k->ncols : 1, sizeof(*k->cols));
	for (i = 0; i < k->ncols; i++) {
		if (!cc->nkey) {
			k->cols[i] = i;
			continue;
		}
		for (j = 0; j < ncols && strcmp(names[j], cc->key[i]) != 0; j++)
			;
		if (j == ncols)
			return diag_error(d, "key column '%s' is not among the query's columns",
					  cc->key[i]);
		k->cols[i] = j;
	}
	return 0;
}

/* Offer a violating row's key; the index of the waiver that matched it
 * (group: its group cell, NULL when the check has none), or -1. */
static int row_keys_offer(struct row_keys *k, struct check_result *cr, const struct cell *cells,
			  const struct cell *group)
{
	size_t i;
	int w = -1;

	k->text.len = 0;
	for (i = 0; i < k->ncols; i++) {
		const struct cell *c = &cells[k->cols[i]];

		if (i)
			sb_add(&k->text, ", ", 2);
		if (c->s)
			sb_add(&k->text, c->s, c->len);
		else
			sb_add(&k->text, "NULL", 4);
	}
	if (cr->nwaivers)
		w = waivers_match(cr, k->text.buf, k->text.len, group ? group->s : NULL,
				  group && group->s ? group->len : 0);
	keyset_offer(&k->set, k->text.buf, k->text.len, w);
	return w;
}

static void row_keys_take(struct row_keys *k, struct check_result *cr, struct arena *a)
{
	keyset_take(&k->set, cr, a);
	free(k->cols);
	sb_release(&k->text);
}

struct rows_ctx {
	struct check_result *cr;
	struct arena *arena;
	struct diag *d;
	const char *group;	/* group column name, or NULL */
	size_t group_col;
	struct group_map groups;
	struct samples samples;
	struct row_keys keys;
};

static int rows_header(void *ctx, size_t ncols, const char *const *names)
{
	struct rows_ctx *c = ctx;
	size_t i;

	c->cr->columns = arena_alloc(c->arena, (ncols ? ncols : 1) * sizeof(char *));
	for (i = 0; i < ncols; i++)
		c->cr->columns[i] = arena_strdup(c->arena, names[i]);
	c->cr->ncolumns = ncols;
	c->samples.ncols = ncols;
	if (c->group) {
		for (i = 0; i < ncols; i++)
			if (strcmp(names[i], c->group) == 0)
				break;
		if (i == ncols)
			return diag_error(c->d, "group column '%s' is not among the query's columns",
					  c->group);
		c->group_col = i;
	}
	if (row_keys_header(&c->keys, c->cr->cfg, ncols, names, c->d) < 0)
		return -1;
	c->samples.rows = xcalloc(c->samples.cap + 1, sizeof(*c->samples.rows));
	return 0;
}

static int rows_row(void *ctx, size_t ncols, const struct cell *cells)
{
	struct rows_ctx *c = ctx;
	struct group_result *gr = NULL;

	(void)ncols;
	c->cr->drift++;
	if (c->group) {
		const struct cell *g = &cells[c->group_col];
		gr = group_get(&c->groups, c->arena, g->s, g->len);
		gr->drift++;
	}
	samples_offer(&c->samples, cells);
	if (row_keys_offer(&c->keys, c->cr, cells, c->group ? &cells[c->group_col] : NULL) >= 0 &&
	    gr)
		gr->waived++;
	return 0;
}

static int eval_rows(struct check_result *cr, struct source *src, const struct config *cfg,
		     struct arena *a, struct diag *d)
{
	struct rows_ctx c = { cr, a, d, cr->cfg->group, 0, { NULL, 0, 0 },
			      { NULL, 0, (size_t)cfg->samples, 0 }, { NULL, 0, { 0 }, { 0 } } };
	struct row_sink sink = { rows_header, rows_row, &c };
	int ret;

	keyset_init(&c.keys.set, (size_t)cfg->track);
	sb_init(&c.keys.text);
	ret = source_query(src, cr->cfg->query, &sink, d);
	row_keys_take(&c.keys, cr, a);
	take_groups(cr, &c.groups, a);
	if (c.samples.rows)
		samples_take(cr, &c.samples, a);
	if (ret < 0)
		return -1;
	cr->status = cr->drift > 0 ? STATUS_FAIL : STATUS_PASS;
	return 0;
}

static int first_row(void *ctx, size_t ncols, const struct cell *cells)
{
	struct first_ctx *c = ctx;
	size_t n;

	c->seen = true;
	if (ncols == 0 || !cells[0].s) {
		c->null = true;
		return 1;
	}
	n = cells[0].len < sizeof(c->text) - 1 ? cells[0].len : sizeof(c->text) - 1;
	memcpy(c->text, cells[0].s, n);
	c->text[n] = '\0';
	return 1;
}

static int query_first(struct source *src, const char *sql, struct first_ctx *c,
		       struct diag *d)
{
	struct row_sink sink = { NULL, first_row, c };

	memset(c, 0, sizeof(*c));
	return source_query(src, sql, &sink, d);
}

/* The truth of a first value (recon.ini(5), precondition): no row, NULL,
 * false or 0 is false. */
static bool truthy(const struct first_ctx *c)
{
	char *end;
	double v;

	if (!c->seen || c->null)
		return false;
	if (!strcmp(c->text, "f") || !strcmp(c->text, "false") || !strcmp(c->text, "FALSE") ||
	    !strcmp(c->text, "False"))
		return false;
	v = strtod(c->text, &end);
	if (end != c->text && *end == '\0' && v == 0)
		return false;
	return true;
}

/* A rows check's `scanned` query: one whole number >= 0, the base of its
 * percentage thresholds. */
static int eval_scanned(struct check_result *cr, struct source *src, struct diag *d)
{
	struct first_ctx c;
	char *end;
	long long v;

	if (query_first(src, cr->cfg->scanned, &c, d) < 0)
		return -1;
	if (!c.seen)
		return diag_error(d, "scanned query returned no row");
	if (c.null)
		return diag_error(d, "scanned query returned NULL, not a number of rows");
	v = strtoll(c.text, &end, 10);
	if (end == c.text || *end != '\0' || v < 0)
		return diag_error(d, "scanned query returned '%s', not a number of rows",
				  c.text);
	cr->scanned = v;
	return 0;
}


static int eval_value(struct check_result *cr, struct source *src, struct diag *d)
{
	const struct check_cfg *cc = cr->cfg;
	struct first_ctx c;
	char *end;
	double v;
	bool ok;

	if (query_first(src, cc->query, &c, d) < 0)
		return -1;
	if (!c.seen)
		return diag_error(d, "value query returned no row");
	if (c.null)
		return diag_error(d, "value query returned NULL, not a number");
	v = strtod(c.text, &end);
	if (end == c.text || *end != '\0' || isnan(v))
		return diag_error(d, "value query returned '%s', not a number", c.text);
	cr->has_value = true;
	cr->value = v;
	/* a small relative slack absorbs binary rounding of sums of decimals */
	if (cc->has_min || cc->has_max)
		ok = (!cc->has_min || v >= cc->min - 1e-9 * fmax(1, fabs(cc->min))) &&
		     (!cc->has_max || v <= cc->max + 1e-9 * fmax(1, fabs(cc->max)));
	else
		ok = fabs(v - cc->expect) <= cc->tolerance + 1e-9 * fmax(1, fabs(cc->expect));
	cr->drift = ok ? 0 : 1;
	cr->status = ok ? STATUS_PASS : STATUS_FAIL;
	return 0;
}

static void sleep_seconds(double s)
{
	struct timespec ts;

	ts.tv_sec = (time_t)s;
	ts.tv_nsec = (long)((s - (double)ts.tv_sec) * 1e9);
	nanosleep(&ts, NULL);
}

/* Poll the ready query with backoff until it holds or the budget is spent:
 * the budget is used whole, the last poll falling at its deadline (a pause
 * that would pass the deadline is cut short to end there). */
static int wait_ready(struct source *src, const struct check_cfg *cc, struct diag *d)
{
	double start = monotonic_seconds(), pause = 0.1, left;
	struct first_ctx c;

	for (;;) {
		if (query_first(src, cc->ready, &c, d) < 0)
			return -1;
		if (truthy(&c))
			return 0;
		left = start + cc->ready_timeout - monotonic_seconds();
		if (left <= 0)
			return diag_error(d, "not ready: the ready query did not hold within %g s",
					  cc->ready_timeout);
		sleep_seconds(fmin(pause, left));
		pause = fmin(pause * 2, 5.0);
	}
}

/* ---- the sweep -------------------------------------------------------- */

struct opened {
	const struct source_cfg *cfg;
	struct source *src;
};

static struct source *find_source(struct opened *os, size_t n, const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(os[i].cfg->name, name) == 0)
			return os[i].src;
	return NULL;
}

static bool selected(const struct sweep_opts *o, const char *id)
{
	size_t i;

	if (!o->only)
		return true;
	for (i = 0; o->only[i]; i++)
		if (strcmp(o->only[i], id) == 0)
			return true;
	return false;
}

/* The source a check's SQL runs on ("left" side for compare). */
static const char *check_source(const struct check_cfg *cc)
{
	return cc->kind == KIND_COMPARE ? cc->left_source : cc->source;
}

static int input_cmp(const void *a, const void *b)
{
	const struct input *x = a, *y = b;
	int c = strcmp(x->source, y->source);

	if (c)
		return c;
	if (!x->table || !y->table)
		return x->table ? 1 : y->table ? -1 : 0;
	return strcmp(x->table, y->table);
}

struct tenant_ctx {
	struct group_map map;
	struct arena *arena;
};

static int tenant_row(void *ctx, size_t ncols, const struct cell *cells)
{
	struct tenant_ctx *t = ctx;

	if (ncols > 0 && cells[0].s)
		group_get(&t->map, t->arena, cells[0].s, cells[0].len);
	return 0;
}

/* tenants_scanned: the distinct first-column values of [tenants] query. */
static void count_tenants(struct run *run, struct source *src, const struct config *cfg)
{
	struct tenant_ctx t = { { NULL, 0, 0 }, &run->arena };
	struct row_sink sink = { NULL, tenant_row, &t };
	struct diag d = { "" };

	if (source_query(src, cfg->tenants_query, &sink, &d) < 0) {
		run->tenants_error = arena_printf(&run->arena, "[tenants]: %s", d.msg);
		run->tenants_scanned = -1;
	} else {
		run->tenants_scanned = (long long)t.map.n;
	}
	free(t.map.slots);
}

/* Make cr an error: whatever it counted before it failed (rows streamed
 * before a query broke off, findings, a value) is dropped, so an error
 * carries drift 0, no groups and no samples into the summary, the window,
 * the tenants and the metrics. */
static void set_error(struct check_result *cr, struct arena *a, const char *msg)
{
	cr->status = STATUS_ERROR;
	cr->error = arena_strdup(a, msg);
	cr->drift = 0;
	cr->missing = cr->extra = cr->changed = 0;
	cr->groups = NULL;
	cr->ngroups = 0;
	cr->samples = NULL;
	cr->nsamples = 0;
	cr->column_changes = NULL;
	cr->ncolumn_changes = 0;
	cr->has_value = false;
	cr->value = 0;
}

/* Wait for a check's lagging side (right for compare); error when it never
 * catches up. */
static void check_ready(struct check_result *cr, struct opened *os, size_t nos,
			struct arena *a)
{
	const struct check_cfg *cc = cr->cfg;
	const char *side = cc->kind == KIND_COMPARE ? cc->right_source : cc->source;
	struct diag d = { "" };

	if (wait_ready(find_source(os, nos, side), cc, &d) < 0)
		set_error(cr, a, d.msg);
}

/* The check's status from its drift, thresholds and severity: the one
 * place that decides pass, warn or fail of an evaluated check. */
static void judge(struct check_result *cr)
{
	const struct check_cfg *cc = cr->cfg;

	switch (threshold_verdict(&cc->warn_if, &cc->fail_if, cc->severity, cr->drift,
				  cr->scanned)) {
	case VERDICT_PASS:
		cr->status = STATUS_PASS;
		break;
	case VERDICT_WARN:
		cr->status = STATUS_WARN;
		break;
	case VERDICT_FAIL:
		cr->status = STATUS_FAIL;
		break;
	}
}

/* The drift of check id in the report day, -1 when that report has no
 * evaluated result for it (no report, a new check, an error, skipped). */
static long long previous_drift(const struct day *day, const char *id)
{
	size_t i;

	for (i = 0; day && i < day->nchecks; i++) {
		const struct day_check *dc = &day->checks[i];

		if (strcmp(dc->id, id) == 0)
			return strcmp(dc->status, "error") && strcmp(dc->status, "skipped") &&
			       dc->drift >= 0 ? dc->drift : -1;
	}
	return -1;
}

/* Evaluate one check whose sources are open and loaded. */
static void eval_check(struct check_result *cr, struct opened *os, size_t nos,
		       const struct config *cfg, struct arena *a)
{
	const struct check_cfg *cc = cr->cfg;
	struct source *src = find_source(os, nos, check_source(cc));
	struct diag d = { "" };
	struct first_ctx c;
	int ret;

	if (cc->precondition) {
		if (query_first(src, cc->precondition, &c, &d) < 0)
			goto fail;
		if (!truthy(&c)) {
			cr->status = STATUS_SKIPPED;
			cr->skip_reason = arena_printf(a, "precondition did not hold: %s",
						       cc->precondition);
			return;
		}
	}
	switch (cc->kind) {
	case KIND_ROWS:
		ret = eval_rows(cr, src, cfg, a, &d);
		break;
	case KIND_VALUE:
		ret = eval_value(cr, src, &d);
		break;
	case KIND_COMPARE:
		ret = compare_eval(cr, find_source(os, nos, cc->left_source),
				   find_source(os, nos, cc->right_source), cfg, a, &d);
		break;
	default:
		ret = diag_error(&d, "unknown check kind");
		break;
	}
	if (ret == 0 && cc->scanned)
		ret = eval_scanned(cr, src, &d);
	if (ret == 0) {
		judge(cr);
		return;
	}
fail:
	set_error(cr, a, d.msg);
}

/* Open every source the selected checks (and [tenants]) use, once. */
static size_t open_sources(struct opened *os, const struct config *cfg, const struct run *run,
			   const struct sweep_opts *opts)
{
	struct source_opts so = { opts->progress, cfg->temp_dir, cfg->memory_limit, 0 };
	size_t i, j, n = 0;

	for (i = 0; i < cfg->nsources; i++) {
		const struct source_cfg *sc = &cfg->sources[i];
		bool used = cfg->has_tenants && !run->partial &&
			    strcmp(cfg->tenants_source, sc->name) == 0;

		for (j = 0; j < run->nchecks && !used; j++) {
			const struct check_cfg *cc = run->checks[j].cfg;

			used = (cc->source && strcmp(cc->source, sc->name) == 0) ||
			       (cc->left_source && strcmp(cc->left_source, sc->name) == 0) ||
			       (cc->right_source && strcmp(cc->right_source, sc->name) == 0);
		}
		if (!used)
			continue;
		os[n].cfg = sc;
		os[n].src = source_open(sc, &so);
		n++;
	}
	return n;
}

/* Contract in sweep.h: the ready query on the lagging side, then the
 * precondition, then the query (and a rows check's scanned query) or the
 * compare's query sides, the order in which they run; a compare's table
 * sides are compare_plan's. */
int sweep_prepare_check(const struct check_cfg *cc, struct source *src, struct source *right,
			struct source_columns *cols, struct diag *d)
{
	struct source *lagging = cc->kind == KIND_COMPARE ? right : src;

	if (cc->ready && source_prepare(lagging, cc->ready, "ready query", NULL, d) < 0)
		return -1;
	if (cc->precondition && source_prepare(src, cc->precondition, "precondition", NULL, d) < 0)
		return -1;
	if (cc->kind != KIND_COMPARE) {
		if (source_prepare(src, cc->query, "query", cols, d) < 0)
			return -1;
		if (cc->scanned && source_prepare(src, cc->scanned, "scanned query", NULL, d) < 0)
			return -1;
		return 0;
	}
	if (cc->left_query && !cc->left_table &&
	    source_prepare(src, cc->left_query, "left_query", NULL, d) < 0)
		return -1;
	if (cc->right_query && !cc->right_table &&
	    source_prepare(right, cc->right_query, "right_query", NULL, d) < 0)
		return -1;
	return 0;
}

/* Announce every SQL text to its source; a check whose SQL cannot even be
 * prepared, or has a bind parameter, is an error before anything loads. */
static void plan_checks(struct run *run, struct opened *os, size_t nos, const struct config *cfg)
{
	size_t i;

	if (cfg->has_tenants && !run->partial) {
		struct source *ts = find_source(os, nos, cfg->tenants_source);
		struct diag d = { "" };

		if (source_prepare(ts, cfg->tenants_query, "query", NULL, &d) < 0) {
			run->tenants_error = arena_printf(&run->arena, "[tenants]: %s", d.msg);
			run->tenants_scanned = -1;
		}
	}
	for (i = 0; i < run->nchecks; i++) {
		struct check_result *cr = &run->checks[i];
		const struct check_cfg *cc = cr->cfg;
		struct source *src = find_source(os, nos, check_source(cc));
		struct source *right = find_source(os, nos, cc->right_source ? cc->right_source : "");
		struct diag d = { "" };
		int ret;

		ret = sweep_prepare_check(cc, src, right, NULL, &d);
		if (ret == 0 && cc->kind == KIND_COMPARE)
			ret = compare_plan(cc, src, right, &d);
		if (ret < 0)
			set_error(cr, &run->arena, d.msg);
	}
}

static void collect_inputs(struct run *run, struct opened *os, size_t nos)
{
	size_t i, j, n = 0;

	for (i = 0; i < nos; i++) {
		const struct input *in;

		n += source_inputs(os[i].src, &in);
	}
	run->inputs = arena_alloc(&run->arena, (n ? n : 1) * sizeof(*run->inputs));
	for (i = 0; i < nos; i++) {
		const struct input *in;
		size_t k = source_inputs(os[i].src, &in);

		for (j = 0; j < k; j++) {
			struct input *o = &run->inputs[run->ninputs++];

			o->source = arena_strdup(&run->arena, in[j].source);
			o->table = arena_strdup(&run->arena, in[j].table);
			o->rows = in[j].rows;
			o->sha256 = arena_strdup(&run->arena, in[j].sha256);
			o->snapshot = arena_strdup(&run->arena, in[j].snapshot);
		}
	}
	qsort(run->inputs, run->ninputs, sizeof(*run->inputs), input_cmp);
}

/* Summary counts, distinct drifting groups and the day's gate status. */
static void summarise(struct run *run)
{
	struct group_map drifting = { NULL, 0, 0 };
	size_t i, j;

	for (i = 0; i < run->nchecks; i++) {
		const struct check_result *cr = &run->checks[i];

		switch (cr->status) {
		case STATUS_PASS:
			run->npass++;
			break;
		case STATUS_FAIL:
			run->nfail++;
			break;
		case STATUS_ERROR:
			run->nerror++;
			break;
		case STATUS_SKIPPED:
			run->nskipped++;
			break;
		case STATUS_WARN:
			run->nwarn++;
			break;
		}
		run->drift += cr->drift;
		for (j = 0; j < cr->ngroups; j++)
			if (cr->groups[j].drift > 0)
				group_get(&drifting, &run->arena, cr->groups[j].group,
					  cr->groups[j].group ? strlen(cr->groups[j].group) : 0);
	}
	run->tenants_with_drift = (long long)drifting.n;
	free(drifting.slots);
	/* the gate passes exactly when the run exits 0: one rule (outcome.h) */
	run->gate = run_outcome(run) == OUTCOME_PASS ? STATUS_PASS : STATUS_FAIL;
}

int sweep_run(struct run *run, const struct config *cfg, const struct sweep_opts *opts,
	      struct diag *d)
{
	struct opened *os = NULL;
	size_t i, n = 0, nos = 0;

	memset(run, 0, sizeof(*run));
	arena_init(&run->arena);
	run->cfg = cfg;
	snprintf(run->date, sizeof(run->date), "%s", opts->date);
	run->baseline = opts->baseline;
	run->partial = opts->only != NULL;
	run->tenants_scanned = -1;
	for (i = 0; opts->only && opts->only[i]; i++) {
		const struct check_cfg *cc = config_check(cfg, opts->only[i]);

		if (!cc || !cc->enabled)
			return diag_error(d, "--check %s: no enabled check with that id",
					  opts->only[i]);
	}
	run->checks = arena_alloc(&run->arena, (cfg->nchecks ? cfg->nchecks : 1) *
					       sizeof(*run->checks));
	for (i = 0; i < cfg->nchecks; i++) {
		if (!cfg->checks[i].enabled || !selected(opts, cfg->checks[i].id))
			continue;
		run->checks[n].cfg = &cfg->checks[i];
		run->checks[n].status = STATUS_PASS;
		run->checks[n].scanned = -1;
		run->checks[n].previous_drift = previous_drift(opts->previous, cfg->checks[i].id);
		n++;
	}
	run->nchecks = n;
	if (opts->baseline) {
		for (i = 0; i < n; i++) {
			run->checks[i].status = STATUS_SKIPPED;
			run->checks[i].skip_reason = "baseline: no source was read";
		}
		goto out;
	}
	os = xcalloc(cfg->nsources + 1, sizeof(*os));
	nos = open_sources(os, cfg, run, opts);
	plan_checks(run, os, nos, cfg);
	/* ready polls run before any source's consistent cut is taken, so
	 * they can see a lagging side catch up */
	for (i = 0; i < n; i++)
		if (run->checks[i].cfg->ready && run->checks[i].status != STATUS_ERROR)
			check_ready(&run->checks[i], os, nos, &run->arena);
	for (i = 0; i < nos; i++)
		source_load(os[i].src);
	if (cfg->has_tenants && !run->partial && !run->tenants_error)
		count_tenants(run, find_source(os, nos, cfg->tenants_source), cfg);
	for (i = 0; i < n; i++) {
		if (run->checks[i].status == STATUS_ERROR)
			continue;
		waivers_prepare(&run->checks[i], cfg, run->date, &run->arena);
		eval_check(&run->checks[i], os, nos, cfg, &run->arena);
		if (waivers_apply(&run->checks[i]))	/* judged on what is left */
			judge(&run->checks[i]);
	}
	collect_inputs(run, os, nos);
	for (i = 0; i < nos; i++)
		source_close(os[i].src);
	free(os);
out:
	summarise(run);
	return 0;
}

/* Contract in sweep.h. */
const char *sweep_live_source(const struct config *cfg, const struct sweep_opts *opts)
{
	size_t i, j;

	for (i = 0; i < cfg->nsources; i++) {
		const struct source_cfg *sc = &cfg->sources[i];

		if (!source_cfg_is_live(sc))
			continue;
		for (j = 0; j < cfg->nchecks; j++) {
			const struct check_cfg *cc = &cfg->checks[j];

			if (!cc->enabled || !selected(opts, cc->id))
				continue;
			if ((cc->source && !strcmp(cc->source, sc->name)) ||
			    (cc->left_source && !strcmp(cc->left_source, sc->name)) ||
			    (cc->right_source && !strcmp(cc->right_source, sc->name)))
				return sc->name;
		}
	}
	return NULL;
}

void sweep_release(struct run *run)
{
	arena_release(&run->arena);
}
