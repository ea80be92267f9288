/*
 * render_changes.c: what a compare check's changed rows have in common, in
 * Markdown (see render.h): which columns differ, how often, and whether
 * the differences are of a harmless class (whitespace, letter case, scale,
 * NULL against '', one time-zone offset) or real.  The leading line says it
 * in a sentence, so a reader sees at once whether the drift is real; the
 * table gives the numbers.
 */
#include "render.h"

#include <stdlib.h>
#include <string.h>

#define LINE_COLUMNS 3	/* columns named in the leading line */
#define GROUP_COLUMNS 3	/* columns named in a group's cell */

__extension__ typedef __int128 rc_i128;

/* How a class reads in a sentence. */
static const char *class_words(enum change_class k)
{
	switch (k) {
	case CHANGE_WHITESPACE:
		return "whitespace only";
	case CHANGE_CASE:
		return "letter case only";
	case CHANGE_SCALE:
		return "numerically equal at another scale";
	case CHANGE_NULL_EMPTY:
		return "NULL against ''";
	case CHANGE_TIMEZONE:
		return "shifted by one time-zone offset";
	case CHANGE_OTHER:
	case CHANGE_NCLASSES:
		break;
	}
	return "other";
}

/* A column and its count, for ordering. */
struct ranked_col {
	size_t j;
	long long n;
};

static int cmp_ranked(const void *a, const void *b)
{
	const struct ranked_col *x = a, *y = b;

	if (x->n != y->n)
		return x->n > y->n ? -1 : 1;
	return x->j < y->j ? -1 : x->j > y->j;
}

/* Indexes of the columns with changes into out, largest count first (then
 * in compared order); counts NULL: each column's changed rows. */
static size_t ranked(const struct check_result *c, const long long *counts, size_t *out)
{
	struct ranked_col *v = xcalloc(c->ncolumn_changes ? c->ncolumn_changes : 1, sizeof(*v));
	size_t j, n = 0;

	for (j = 0; j < c->ncolumn_changes; j++) {
		long long k = counts ? counts[j] : c->column_changes[j].changed;

		if (k > 0)
			v[n++] = (struct ranked_col){ j, k };
	}
	qsort(v, n, sizeof(*v), cmp_ranked);
	for (j = 0; j < n; j++)
		out[j] = v[j].j;
	free(v);
	return n;
}

/* part of whole as a percentage, to two decimals, without trailing zeros
 * ("100%", "12.5%", "<0.01%" for a part too small to show). */
static void share(struct strbuf *o, long long part, long long whole)
{
	long long v;

	if (whole <= 0) {
		sb_puts(o, "—");
		return;
	}
	v = (long long)(((rc_i128)part * 10000 + whole / 2) / whole);
	if (v == 0 && part > 0) {
		sb_puts(o, "<0.01%");
		return;
	}
	sb_addf(o, "%lld", v / 100);
	if (v % 100)
		sb_addf(o, v % 10 ? ".%02lld" : ".%lld", v % 10 ? v % 100 : v % 100 / 10);
	sb_putc(o, '%');
}

/* The classes of one column's (or every column's) values: "all whitespace
 * only" or "3 whitespace only, 1 other", largest first; a time-zone shift
 * names its offset when one column has it. */
static void class_list(struct strbuf *o, const long long *n, const char *offset)
{
	size_t order[CHANGE_NCLASSES], k, m = 0, i;
	long long total = 0;

	for (k = 0; k < CHANGE_NCLASSES; k++) {
		total += n[k];
		if (!n[k])
			continue;
		for (i = m; i > 0 && n[order[i - 1]] < n[k]; i--)
			order[i] = order[i - 1];
		order[i] = k;
		m++;
	}
	for (i = 0; i < m; i++) {
		enum change_class k2 = (enum change_class)order[i];

		if (i)
			sb_puts(o, ", ");
		if (m == 1)
			sb_puts(o, "all ");
		else
			sb_addf(o, "%lld ", n[k2]);
		if (k2 == CHANGE_TIMEZONE && offset)
			sb_addf(o, "shifted by %s (time zone)", offset);
		else
			sb_puts(o, class_words(k2));
	}
	if (!total)
		sb_puts(o, "no value differs");
}

/* Contract in render.h. */
void changes_summary(struct strbuf *o, const struct check_result *c,
		     void (*name)(struct strbuf *o, const char *column))
{
	size_t *idx, n, i, k, nshift = 0;
	long long sum[CHANGE_NCLASSES] = { 0 };
	char offset[16] = "";

	if (!c->ncolumn_changes || c->changed <= 0)
		return;
	idx = xcalloc(c->ncolumn_changes, sizeof(*idx));
	n = ranked(c, NULL, idx);
	for (i = 0; i < c->ncolumn_changes; i++) {
		const struct change_tally *t = &c->column_changes[i].classes;

		for (k = 0; k < CHANGE_NCLASSES; k++)
			sum[k] += t->n[k];
		if (t->n[CHANGE_TIMEZONE]) {
			char buf[16];

			change_offset_format(t->offset, buf, sizeof(buf));
			if (nshift++ == 0)
				memcpy(offset, buf, sizeof(buf));
			else if (strcmp(offset, buf) != 0)
				offset[0] = '\0';	/* columns shifted by different offsets */
		}
	}
	if (n == 1) {
		sb_puts(o, "all in ");
		name(o, c->column_changes[idx[0]].column);
	} else {
		sb_puts(o, "in ");
		for (i = 0; i < n && i < LINE_COLUMNS; i++) {
			if (i)
				sb_puts(o, ", ");
			name(o, c->column_changes[idx[i]].column);
			sb_addf(o, " (%lld)", c->column_changes[idx[i]].changed);
		}
		if (n > LINE_COLUMNS)
			sb_addf(o, " and %zu more %s", n - LINE_COLUMNS,
				n - LINE_COLUMNS == 1 ? "column" : "columns");
	}
	sb_puts(o, "; ");
	class_list(o, sum, offset[0] ? offset : NULL);
	free(idx);
}

/* Contract in render.h. */
void md_changes(struct strbuf *o, const struct check_result *c)
{
	size_t *idx, n, i;

	if (!c->ncolumn_changes || c->changed <= 0)
		return;
	/* the leading line */
	sb_addf(o, "%lld changed: ", c->changed);
	changes_summary(o, c, md_text);
	sb_puts(o, ".\n\n");

	idx = xcalloc(c->ncolumn_changes, sizeof(*idx));
	n = ranked(c, NULL, idx);
	/* the table */
	sb_puts(o, "| column | changed rows | share of rows compared | values |\n"
		   "|---|--:|--:|---|\n");
	for (i = 0; i < n; i++) {
		const struct column_change *cc = &c->column_changes[idx[i]];
		char buf[16];

		sb_puts(o, "| ");
		md_text(o, cc->column);
		sb_addf(o, " | %lld | ", cc->changed);
		share(o, cc->changed, c->scanned);
		sb_puts(o, " | ");
		change_offset_format(cc->classes.offset, buf, sizeof(buf));
		class_list(o, cc->classes.n, cc->classes.n[CHANGE_TIMEZONE] ? buf : NULL);
		sb_puts(o, " |\n");
	}
	free(idx);
}

/* Contract in render.h. */
void md_group_columns(struct strbuf *o, const struct check_result *c,
		      const struct group_result *g)
{
	size_t *idx, n, i;

	if (!g->columns_changed) {
		sb_puts(o, "—");
		return;
	}
	idx = xcalloc(c->ncolumn_changes ? c->ncolumn_changes : 1, sizeof(*idx));
	n = ranked(c, g->columns_changed, idx);
	for (i = 0; i < n && i < GROUP_COLUMNS; i++) {
		if (i)
			sb_puts(o, ", ");
		md_text(o, c->column_changes[idx[i]].column);
		sb_addf(o, " %lld", g->columns_changed[idx[i]]);
	}
	if (n > GROUP_COLUMNS)
		sb_addf(o, ", +%zu more", n - GROUP_COLUMNS);
	free(idx);
}
