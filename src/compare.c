/*
 * compare.c: kind = compare (see compare.h), the reconciliation of two sides
 * by key.
 *
 * Both sides are read at once, each by its own thread, through its
 * source's scan (source_scan.h), which decides how: a snapshot directory's
 * CSV table is streamed from its file, any other side as SQL rows arrive
 * (two query sides on one PostgreSQL source through two connections in the
 * same snapshot; on a source that cannot read two at once they are read
 * one after the other).  Every row becomes a small entry in one hash table
 * shared by the two readers: the canonical encoding of its key, a 64-bit
 * digest of its compared values (numbers in canonical form, so equal
 * values hash alike), where the row is on each side (the position its scan
 * gave it: a byte offset in a file, a row number of SQL), its group and
 * three flags (seen on the left, seen on the right, digests differ).  The
 * first side to bring a key creates its entry; the other side finds it and
 * compares digests.  So memory is one entry per distinct key (25 bytes
 * plus the encoded key, rounded to 4, and about 13 bytes of index)
 * whatever the width of the rows, and nothing more of either side.
 *
 * The table is split into 4096 stripes, each with its own spin lock, so the
 * two readers rarely meet.  It is sized up front from what the larger side
 * is known to hold (as its source estimates it; a query side is not known
 * and the table grows as rows arrive), in memory with transparent huge
 * pages advised; each reader keeps a few batches of rows in flight,
 * prefetching (for writing) a batch's slots, then its entries, before it
 * takes the locks: at 10M rows the table is far larger than any cache or
 * the TLB's reach, and these misses are most of the cost beyond parsing
 * (see kring_push).  The readers, the columns they need and the rows read
 * again are compare_read.c's; this file sets a compare up, runs its
 * readers and walks (compare_verify.c), and builds its samples.
 *
 * Keys follow the value rules too: key cells that are numbers match
 * numerically (10 = 1e1 = 10.0), text byte for byte, and a NULL key cell
 * matches only a NULL one (so NULL is a key like any other, and two rows
 * with a NULL key on one side are a duplicate).
 *
 * At the end one walk over the entries gives the findings: seen only on the
 * left is missing, only on the right extra, on both with different digests
 * changed.  With a tolerance, equal digests still mean equal values, but
 * different digests are verified by re-reading both rows (by position or
 * by key, as the scan reads rows again) and comparing them value by
 * value.  Samples are the smallest findings of each kind by key (NULL
 * first, numbers by value, then strings by bytes), the kinds taking turns
 * (see choose_samples), so shuffled inputs give the same samples; only
 * their rows are read again to show the values (a side read again by key
 * first asks its source for a narrower read of the wanted keys, and reads
 * everything again when that misses a row).  The same walk hands each
 * changed row to the explanation (explain = true), which reads the changed
 * rows again in batches; a batch of two files is split between two
 * threads, each reading its half from both files (source_scan_fetch may
 * run in several threads on one file) and counting into its own tallies,
 * merged when the walk ends.
 */
#include "compare.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compare_classes.h"
#include "compare_bisect.h"
#include "compare_int.h"
#include "compare_key.h"
#include "compare_table.h"
#include "compare_value.h"
#include "compare_verify.h"
#include "findings.h"
#include "source_scan.h"

static const char *const finding_name[] = { "missing", "extra", "changed" };

/* ---- samples -------------------------------------------------------------- */

/* A value as a SQL literal, for a list of several differing columns. */
static void add_literal(struct strbuf *sb, const char *s, size_t len)
{
	struct cv_num n;
	size_t i;

	if (!s) {
		sb_puts(sb, "NULL");
		return;
	}
	if (cv_parse(s, len, &n)) {
		sb_add(sb, s, len);	/* a number */
		return;
	}
	sb_putc(sb, '\'');
	for (i = 0; i < len; i++) {
		if (s[i] == '\'')
			sb_putc(sb, '\'');
		sb_putc(sb, s[i]);
	}
	sb_putc(sb, '\'');
}

static const char *cell_dup(struct arena *a, const struct rowcopy *rc, size_t col)
{
	return rc->cells[col] ? arena_strndup(a, rc->cells[col], rc->lens[col]) : NULL;
}

/* Sample rows: finding, key columns, column, left, right.  A changed row
 * is one sample (samples never outnumber findings): `column` names the
 * differing column and left/right hold its two values as they are; when
 * several columns differ, `column` lists them ("name, parent_id") and
 * left/right list the values as SQL literals ('Sales', NULL). */
static int build_samples(struct cmp *c, struct tally *t, struct check_result *cr,
			 struct arena *a, struct diag *d)
{
	size_t n = t->npicks, ncols = c->nkey + 4, i, j;
	struct reread rd;
	struct rowcopy *rl, *rr;
	int ret;

	reread_init(&rd, n);
	rl = rd.rows[LEFT];
	rr = rd.rows[RIGHT];

	cr->ncolumns = ncols;
	cr->columns = arena_alloc(a, ncols * sizeof(*cr->columns));
	cr->columns[0] = "finding";
	for (j = 0; j < c->nkey; j++)
		cr->columns[1 + j] = arena_strdup(a, c->cc->key[j]);
	cr->columns[1 + c->nkey] = "column";
	cr->columns[2 + c->nkey] = "left";
	cr->columns[3 + c->nkey] = "right";

	for (i = 0; i < n; i++) {
		struct entry *e = t->picks[i].e;

		if (t->picks[i].kind != F_EXTRA)
			reread_add(&rd, LEFT, i, e);
		if (t->picks[i].kind != F_MISSING)
			reread_add(&rd, RIGHT, i, e);
	}
	if ((ret = fetch_both(c, &rd, d)) < 0)
		goto out;

	cr->samples = arena_alloc(a, (n ? n : 1) * sizeof(*cr->samples));
	for (i = 0; i < n; i++) {
		enum finding kind = t->picks[i].kind;
		const struct side *ks = &c->side[kind == F_EXTRA ? RIGHT : LEFT];
		const struct rowcopy *kr = kind == F_EXTRA ? &rr[i] : &rl[i];
		const char **row = arena_alloc(a, ncols * sizeof(*row));

		row[0] = finding_name[kind];
		for (j = 0; j < c->nkey; j++)
			row[1 + j] = cell_dup(a, kr, ks->need[j]);
		if (kind == F_CHANGED) {
			struct strbuf names, lv, rv;
			size_t ndiff = 0, last = 0;

			sb_init(&names);
			sb_init(&lv);
			sb_init(&rv);
			for (j = 0; j < c->ncmp; j++) {
				size_t li = c->side[LEFT].need[c->nkey + j];
				size_t ri = c->side[RIGHT].need[c->nkey + j];

				if (column_equal(c, &rl[i], &rr[i], j))
					continue;
				if (ndiff++) {
					sb_puts(&names, ", ");
					sb_puts(&lv, ", ");
					sb_puts(&rv, ", ");
				}
				sb_puts(&names, c->cmp_names[j]);
				add_literal(&lv, rl[i].cells[li], rl[i].lens[li]);
				add_literal(&rv, rr[i].cells[ri], rr[i].lens[ri]);
				last = j;
			}
			if (ndiff == 1) {
				row[1 + c->nkey] = arena_strdup(a, c->cmp_names[last]);
				row[2 + c->nkey] = cell_dup(a, &rl[i], c->side[LEFT].need[c->nkey + last]);
				row[3 + c->nkey] = cell_dup(a, &rr[i], c->side[RIGHT].need[c->nkey + last]);
			} else if (ndiff > 1) {
				row[1 + c->nkey] = arena_strdup(a, names.buf);
				row[2 + c->nkey] = arena_strdup(a, lv.buf);
				row[3 + c->nkey] = arena_strdup(a, rv.buf);
			}
			sb_release(&names);
			sb_release(&lv);
			sb_release(&rv);
		}
		cr->samples[i] = row;
	}
	cr->nsamples = n;
out:
	reread_free(&rd);
	return ret;
}

/* ---- setting up ----------------------------------------------------------- */

static int side_init(struct side *sd, struct cmp *c, int idx, struct source *src,
		     struct arena *a, struct diag *d)
{
	const struct check_cfg *cc = c->cc;
	const char *sname = idx == LEFT ? cc->left_source : cc->right_source;
	const char *table = idx == LEFT ? cc->left_table : cc->right_table;
	const char *query = idx == LEFT ? cc->left_query : cc->right_query;
	const char *label = idx == LEFT ? "left" : "right";
	struct diag e = { "" };

	sd->c = c;
	sd->idx = idx;
	sd->src = src;
	if (!src)
		return diag_error(d, "%s side: source '%s' is not open", label, sname ? sname : "?");
	if (table)
		sd->what = arena_printf(a, "%s %s:%s", label, source_config(src)->name, table);
	else if (query)
		sd->what = arena_printf(a, "%s query on %s", label, source_config(src)->name);
	else
		return diag_error(d, "%s side: no table and no query", label);
	if (source_scan_open(&sd->scan, src, table, table ? NULL : query, &e) < 0)
		return diag_error(d, "%s: %s", sd->what, e.msg);
	sd->tr = source_scan_traits(sd->scan);
	return 0;
}

/* About how many distinct keys the two sides bring, to size the key table
 * up front: the larger side's rows, as its source estimates them; 0 when
 * neither side knows (a query side: the table grows as rows arrive). */
static uint64_t estimate_keys(struct cmp *c)
{
	uint64_t most = 0, n;
	int s;

	for (s = 0; s < 2; s++)
		if ((n = source_scan_estimate(c->side[s].scan)) > most)
			most = n;
	/* a stale estimate must not reserve absurd memory */
	return most < ((uint64_t)1 << 32) ? most : (uint64_t)1 << 32;
}

static struct cmp *cmp_new(const struct check_cfg *cc)
{
	struct cmp *c = xcalloc(1, sizeof(*c));

	c->cc = cc;
	c->left_rows = -1;
	ktable_init(&c->kt);
	atomic_init(&c->stop, 0);
	return c;
}

static void cmp_free(struct cmp *c)
{
	size_t k;
	int s;

	ktable_release(&c->kt);
	release_reserve(c);
	for (s = 0; s < 2; s++) {
		struct side *sd = &c->side[s];

		source_scan_free(sd->scan);
		free(sd->colidx);
		free(sd->need);
		free(sd->cells);
		free(sd->kbuf);
		gdict_free(&sd->groups);
		for (k = 0; k < PIPE; k++)
			free(sd->qkey[k]);
	}
	free(c->cmp_names);
	free(c->cmp_right);
	free(c->tols);
	free(c);
}

/* The tolerance in canonical form, from its own digits as written (a
 * double would turn 0.1 into 0.1000000000000000055511 and 1e400 into
 * infinity).  The configuration also takes "+0.5", ".5", "5." and leading
 * zeros, which the plain-number grammar does not: those are set right
 * first.  false when it still does not parse (then the checks compare
 * exactly, as without a tolerance). */
static bool parse_tolerance_text(const char *s, struct cv_num *out);

static bool parse_tolerance(const struct check_cfg *cc, struct cv_num *out)
{
	char dbl[32];

	if (!cc->tolerance_text) {
		format_double(cc->tolerance, dbl);
		return cv_parse(dbl, strlen(dbl), out);
	}
	return parse_tolerance_text(cc->tolerance_text, out);
}

/* A number as the configuration takes it, in canonical form: written
 * again as a plain number (no '+', no leading zeros, no bare '.'). */
static bool parse_tolerance_text(const char *s, struct cv_num *out)
{
	struct number_parts p;
	struct strbuf sb;
	size_t i;
	bool ok;

	if (!number_scan(s, strlen(s), NUMBER_CONFIG, &p))
		return false;
	sb_init(&sb);
	if (p.neg)
		sb_putc(&sb, '-');
	for (i = p.int_start; i + 1 < p.int_end && s[i] == '0'; i++)
		;
	if (i == p.int_end)
		sb_putc(&sb, '0');
	sb_add(&sb, s + i, p.int_end - i);
	if (p.frac_end > p.frac_start) {
		sb_putc(&sb, '.');
		sb_add(&sb, s + p.frac_start, p.frac_end - p.frac_start);
	}
	if (p.has_exp)
		sb_addf(&sb, "e%lld", p.exp);
	ok = cv_parse(sb.buf, sb.len, out);
	sb_release(&sb);
	return ok;
}

/* Contract in compare.h. */
int compare_plan(const struct check_cfg *cc, struct source *left, struct source *right,
		 struct diag *d)
{
	struct source *srcs[2] = { left, right };
	const char *tables[2] = { cc->left_table, cc->right_table };
	const char *queries[2] = { cc->left_query, cc->right_query };
	int s, ret = 0;

	for (s = 0; s < 2 && ret == 0; s++) {
		if (!srcs[s])
			continue;
		if (queries[s] && !tables[s])
			ret = source_plan(srcs[s], queries[s], d);
		else if (tables[s])
			ret = source_scan_plan(srcs[s], tables[s], d);
	}
	return ret;
}

/* Each tolerance.COLUMN onto its compared column. */
static int resolve_tolerances(struct cmp *c, struct diag *d)
{
	const struct check_cfg *cc = c->cc;
	size_t k, j;

	if (!cc->ntolerances)
		return 0;
	c->tols = xcalloc(c->ncmp ? c->ncmp : 1, sizeof(*c->tols));
	for (k = 0; k < cc->ntolerances; k++) {
		const struct column_tolerance *t = &cc->tolerances[k];

		for (j = 0; j < c->ncmp; j++)
			if (strcmp(c->cmp_names[j], t->column) == 0)
				break;
		if (j == c->ncmp)
			return diag_error(d, "tolerance.%s: '%s' is not a compared column",
					  t->column, t->column);
		if (!parse_tolerance_text(t->text, &c->tols[j].v))
			return diag_error(d, "tolerance.%s: '%s' is not a number", t->column,
					  t->text);
		c->tols[j].kind = t->relative ? COLTOL_RELATIVE : COLTOL_ABSOLUTE;
	}
	return 0;
}

/* strategy = auto, for two PostgreSQL table sides: bisect unless the
 * tables are small (at most 10 ranges of bisect_rows rows by the planner's
 * estimate, or never analysed) or the previous report found this check's
 * drift at 1% of the larger table's rows or more (then most ranges differ
 * and bisection costs more than it saves).  No previous drift (a first
 * run, a new check, an error) means bisect.  false for rows, with the
 * reason in cr->strategy_note. */
static bool auto_bisects(struct cmp *c, struct check_result *cr, struct arena *a)
{
	long long rows = -1, est;
	int s;

	for (s = 0; s < 2; s++) {
		est = source_row_estimate(c->side[s].src, source_scan_table(c->side[s].scan));
		if (est > rows)
			rows = est;
	}
	if (rows <= 10LL * c->cc->bisect_rows) {
		cr->strategy_note = arena_printf(a, "auto: %s tables", rows < 0 ? "unanalysed"
										 : "small");
		return false;
	}
	if (cr->previous_drift >= 0 && cr->previous_drift * 100 >= rows) {
		cr->strategy_note = arena_printf(a, "auto: the previous drift (%lld) is 1%% "
						 "or more of the rows", cr->previous_drift);
		return false;
	}
	return true;
}

/* strategy = bisect: when both sides are PostgreSQL tables, let their
 * databases checksum key ranges and read only the rows of the ranges that
 * differ (compare_bisect.h); otherwise, or when a column cannot be
 * normalised in SQL or a side has a duplicate key, the rows strategy reads
 * everything and cr says why.  Returns whether the sides' queries were
 * narrowed. */
static bool bisect_sides(struct cmp *c, struct check_result *cr, struct arena *a)
{
	struct source *src[2] = { c->side[LEFT].src, c->side[RIGHT].src };
	const char *tables[2] = { source_scan_table(c->side[LEFT].scan),
				  source_scan_table(c->side[RIGHT].scan) };
	struct bisect_plan p;
	int s;

	cr->strategy = "rows";
	if (c->cc->strategy == STRATEGY_ROWS)
		return false;
	if (!source_scans_bisect(c->side[LEFT].scan, c->side[RIGHT].scan)) {
		cr->strategy_note = "bisect needs two table sides, both PostgreSQL or both SQLite";
		return false;
	}
	if (c->cc->strategy == STRATEGY_AUTO && !auto_bisects(c, cr, a))
		return false;
	compare_bisect_plan(c->cc, src, tables, c->cmp_names, c->ncmp, &p);
	if (!p.sql[LEFT]) {
		cr->strategy_note = arena_strdup(a, p.why);
		return false;
	}
	for (s = 0; s < 2; s++)
		source_scan_narrow_to(c->side[s].scan, p.sql[s]);
	cr->strategy = "bisect";
	cr->ranges = p.ranges;
	cr->cut = p.per_shard ? "per shard" : NULL;
	c->left_rows = p.rows[LEFT];
	compare_bisect_release(&p);
	return true;
}

/* Contract in compare.h. */
int compare_eval(struct check_result *cr, struct source *left, struct source *right,
		 const struct config *cfg, struct arena *a, struct diag *d)
{
	const struct check_cfg *cc = cr->cfg;
	struct cmp *c = cmp_new(cc);
	struct tally t;
	struct verify v = { NULL, 0, d };
	struct explain x;
	pthread_t tid[2];
	const char **groups = NULL;
	size_t ngroups = 0, i;
	uint64_t keys;
	int s, ret = -1;

	memset(&t, 0, sizeof(t));
	memset(&x, 0, sizeof(x));
	x.t = &t;
	x.d = d;
	if (side_init(&c->side[LEFT], c, LEFT, left, a, d) < 0 ||
	    side_init(&c->side[RIGHT], c, RIGHT, right, a, d) < 0)
		goto out;
	if (cc->tolerance > 0)
		c->has_tol = parse_tolerance(cc, &c->tol);
	if (read_header(&c->side[LEFT], d) < 0 || read_header(&c->side[RIGHT], d) < 0 ||
	    resolve_columns(c, d) < 0 || resolve_tolerances(c, d) < 0)
		goto out;

	/* a bisected compare reads only the rows that differ */
	keys = bisect_sides(c, cr, a) ? 0 : estimate_keys(c);
	ktable_presize(&c->kt, keys);
	/* own_thread sides (files) in threads of their own; two others too
	 * when their sources can read them at once (otherwise here, in order) */
	c->parallel = !c->side[LEFT].tr.own_thread && !c->side[RIGHT].tr.own_thread &&
		      source_scans_concurrent(c->side[LEFT].scan, c->side[RIGHT].scan);
	for (s = 0; s < 2; s++)
		if (c->side[s].tr.own_thread || c->parallel)
			c->side[s].threaded = pthread_create(&tid[s], NULL, side_read, &c->side[s]) == 0;
	ktable_populate(&c->kt);
	for (s = 0; s < 2; s++)
		if (!c->side[s].threaded)
			side_read(&c->side[s]);
	for (s = 0; s < 2; s++)
		if (c->side[s].threaded)
			pthread_join(tid[s], NULL);
	for (s = 0; s < 2; s++) {
		if (c->side[s].ret < 0) {
			ret = diag_error(d, "%s", c->side[s].d.msg);
			goto out;
		}
	}
	for (s = 0; s < 2; s++) {
		cr->streamed[s] = c->side[s].rowno;
		source_scan_note(c->side[s].scan);
	}

	if (c->has_tol || c->tols) {
		v.batch = xcalloc(VERIFY_BATCH, sizeof(*v.batch));
		if (walk_entries(c, verify_entry, &v) < 0 || verify_batch(c, &v) < 0)
			goto out;
	}
	t.cap = cfg && cfg->samples > 0 ? (size_t)cfg->samples : 0;
	t.picks = xcalloc(t.cap ? t.cap : 1, sizeof(*t.picks));
	for (i = 0; i < 3; i++)
		t.kept[i] = xcalloc(t.cap ? t.cap : 1, sizeof(*t.kept[i]));
	if (c->has_group) {
		groups = merge_groups(c, &t, &ngroups);
		t.gcount = xcalloc(ngroups ? ngroups : 1, sizeof(*t.gcount));
	}
	keyset_init(&t.followed, cfg ? (size_t)cfg->track : 0);
	sb_init(&t.key);
	t.cr = cr;
	t.gnames = groups;
	t.gwaived = xcalloc(ngroups ? ngroups : 1, sizeof(*t.gwaived));
	if (cc->explain) {
		x.ngroups = ngroups;
		explain_begin(c, &x);
		t.x = &x;
	}
	if (walk_entries(c, tally_entry, &t) < 0)
		goto out;
	keyset_take(&t.followed, cr, a);
	sb_release(&t.key);
	choose_samples(&t);

	cr->missing = t.count[F_MISSING];
	cr->extra = t.count[F_EXTRA];
	cr->changed = t.count[F_CHANGED];
	cr->drift = cr->missing + cr->extra + cr->changed;
	cr->status = cr->drift > 0 ? STATUS_FAIL : STATUS_PASS;
	/* the rows of ranges left out are keys on both sides, one each */
	cr->scanned = t.keys + (c->left_rows >= 0 ? c->left_rows - c->side[LEFT].rowno : 0);
	if (cc->explain && explain_end(c, &x, cr, a) < 0)
		goto out;
	cr->ngroups = 0;
	cr->groups = arena_alloc(a, (ngroups ? ngroups : 1) * sizeof(*cr->groups));
	for (i = 0; i < ngroups; i++) {
		long long *n = t.gcount[i];
		struct group_result *g;

		if (n[F_MISSING] + n[F_EXTRA] + n[F_CHANGED] == 0)
			continue;
		g = &cr->groups[cr->ngroups++];
		g->group = groups[i] ? arena_strdup(a, groups[i]) : NULL;
		g->missing = n[F_MISSING];
		g->extra = n[F_EXTRA];
		g->changed = n[F_CHANGED];
		g->drift = g->missing + g->extra + g->changed;
		if (x.gchanged && g->changed) {
			g->columns_changed = arena_alloc(a, (c->ncmp ? c->ncmp : 1) *
							       sizeof(*g->columns_changed));
			memcpy(g->columns_changed, x.gchanged + i * c->ncmp,
			       c->ncmp * sizeof(*g->columns_changed));
		}
		g->waived = t.gwaived[i];
	}
	ret = build_samples(c, &t, cr, a, d);
out:
	if (ret < 0) {
		/* an error asserts nothing: no drift, groups or samples of a
		 * part of the data flow on into the summary and the window */
		cr->drift = cr->missing = cr->extra = cr->changed = 0;
		cr->groups = NULL;
		cr->ngroups = 0;
		cr->samples = NULL;
		cr->nsamples = 0;
		cr->columns = NULL;
		cr->ncolumns = 0;
		cr->column_changes = NULL;
		cr->ncolumn_changes = 0;
	}
	free(x.batch);
	free(x.changed);
	free(x.classes);
	free(x.gchanged);
	free(x.more.changed);
	free(x.more.classes);
	free(x.more.gchanged);
	free(v.batch);
	free(t.picks);
	for (i = 0; i < 3; i++)
		free(t.kept[i]);
	free(t.gmap[0]);
	free(t.gmap[1]);
	free(t.gcount);
	free(t.gwaived);
	free(groups);
	cmp_free(c);
	return ret;
}
