/*
 * render_md.c: the day's Markdown report (the index and the year pages are
 * render_index.c's).
 *
 * The Markdown is the primary document: it is committed to git, read raw in
 * diffs and on a git host, and rendered to HTML by render_html.  So it is
 * plain GFM (headings, pipe tables, a blockquote banner, lists), laid out so
 * that one changed number changes one line, and everything that comes from
 * data (ids, titles, descriptions, group and sample values, messages, column
 * names) goes through md_escape (md_escape.h): nothing in the data can
 * become markup, a link or HTML.  No clock, no host; integers with %lld, reals with
 * format_double, so the bytes depend on the inputs only.
 */
#include "render.h"
#include "findings.h"
#include "recovery.h"
#include "render_svg.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_GROUP_ROWS 50	/* per-tenant rows shown per check */
#define MAX_CELL_BYTES 200	/* a sample value longer than this is cut */

/* A table cell from data: NULL as an italic NULL, long values cut. */
static void cell(struct strbuf *o, const char *s)
{
	size_t len;

	if (!s) {
		sb_puts(o, "*NULL*");
		return;
	}
	len = strlen(s);
	if (len <= MAX_CELL_BYTES) {
		md_escape(o, s, len);
		return;
	}
	md_escape(o, s, sample_cut(s, len, MAX_CELL_BYTES));
	sb_puts(o, "…");
}

/* ---- words --------------------------------------------------------------- */

static const char *status_cell(enum status s)
{
	switch (s) {
	case STATUS_PASS:
		return "pass";
	case STATUS_FAIL:
		return "**FAIL**";
	case STATUS_ERROR:
		return "error";
	case STATUS_SKIPPED:
		return "skipped";
	case STATUS_WARN:
		return "*warn*";
	}
	return "?";
}

/* A day's status as a table cell (see render.h). */
const char *md_day_cell(enum day_status s)
{
	switch (s) {
	case DAY_MISSING:
		return "missing";
	case DAY_PASS:
		return "pass";
	case DAY_FAIL:
		return "**FAIL**";
	case DAY_UNREADABLE:
		return "unreadable";
	case DAY_WARN:
		return "*warn*";
	}
	return "?";
}

/* one or many (see render.h) */
const char *md_plural(long long n, const char *one, const char *many)
{
	return n == 1 ? one : many;
}

/* ---- id lists ------------------------------------------------------------ */

/* Which checks an id list names. */
enum id_filter {
	IDS_ALL,		/* gating and signal-only */
	IDS_GATING,		/* paging checks only */
};

/* A comma-separated list of bold, escaped check ids of status s that
 * which selects, into o (NULL: count only); returns the count. */
static size_t id_list(struct strbuf *o, const struct run *run, enum status s,
		      enum id_filter which)
{
	size_t i, n = 0;

	for (i = 0; i < run->nchecks; i++) {
		const struct check_result *c = &run->checks[i];

		if (c->status != s || (which == IDS_GATING && c->cfg && !c->cfg->paging))
			continue;
		if (o) {
			sb_puts(o, n ? ", **" : "**");
			md_text(o, report_check_id(c));
			sb_puts(o, "**");
		}
		n++;
	}
	return n;
}

/* ---- 1. title and gate banner --------------------------------------------- */

/* The banner's lines from the history: a configuration changed since the
 * previous report (the checks added and removed), and a pass that asserted
 * nothing because every gating check was skipped. */
static void md_banner_history(const struct report *r, struct strbuf *o)
{
	const struct gate *g = r->gate;
	size_t i;

	if (g->config_changed) {
		sb_addf(o, ">\n> **Configuration changed** since %s", g->config_since);
		for (i = 0; i < g->nchecks_added; i++) {
			sb_puts(o, i ? ", **" : ": added **");
			md_text(o, g->checks_added[i]);
			sb_puts(o, "**");
		}
		for (i = 0; i < g->nchecks_removed; i++) {
			sb_puts(o, i ? ", **" : g->nchecks_added ? "; removed **" : ": removed **");
			md_text(o, g->checks_removed[i]);
			sb_puts(o, "**");
		}
		sb_puts(o, ".\n");
	}
	if (!r->run->baseline && r->run->gate == STATUS_PASS && !g->asserted)
		sb_puts(o, ">\n> **Nothing asserted:** every gating check was skipped, so today's "
			   "pass checked nothing.\n");
}

/* The streak in words (see render.h). */
void md_streak_words(struct strbuf *o, long long streak, int required)
{
	if (required > 0 && streak < required)
		sb_addf(o, "streak %lld of %d clean days", streak, required);
	else if (required > 0)
		sb_addf(o, "streak %lld clean days (%d required)", streak, required);
	else
		sb_addf(o, "streak %lld clean %s", streak, md_plural(streak, "day", "days"));
}

/* The git host's alert for the gate: CAUTION a failing gate, WARNING a
 * passing day whose streak is still short, TIP a met gate, NOTE a baseline. */
static const char *gate_alert(const struct report *r)
{
	if (r->run->baseline)
		return "NOTE";
	if (r->run->gate != STATUS_PASS)
		return "CAUTION";
	return r->gate->met ? "TIP" : "WARNING";
}

/* The banner, a block quote that opens with the git host's alert marker
 * ("> [!CAUTION]") so a rendered page or an issue comment shows the status
 * in colour; alert false leaves the marker out (the HTML page, which
 * colours the banner itself). */
static void md_banner(const struct report *r, bool alert, struct strbuf *o)
{
	const struct run *run = r->run;
	const struct gate *g = r->gate;
	size_t nfail = id_list(NULL, run, STATUS_FAIL, IDS_GATING);
	size_t nerr = id_list(NULL, run, STATUS_ERROR, IDS_ALL);
	size_t i;

	sb_puts(o, "# ");
	md_text(o, run->cfg && run->cfg->title ? run->cfg->title : "recon report");
	sb_addf(o, " — %s\n\n", run->date);

	if (alert)
		sb_addf(o, "> [!%s]\n", gate_alert(r));
	if (run->baseline) {
		sb_addf(o, "> **Baseline report** — no source was read: every check is listed "
			   "as skipped with drift 0, and today's gate status is **pass**. "
			   "Gate: **%s**; ", g->met ? "MET" : "NOT MET");
	} else {
		sb_addf(o, "> **Gate: %s** — today's gate status is **%s**; ",
			g->met ? "MET" : "NOT MET", run->gate == STATUS_PASS ? "pass" : "FAIL");
	}
	md_streak_words(o, g->streak, g->required);
	sb_puts(o, ".\n");
	if (nfail) {
		sb_addf(o, ">\n> Failing gating %s: ", md_plural((long long)nfail, "check", "checks"));
		id_list(o, run, STATUS_FAIL, IDS_GATING);
		sb_puts(o, ".\n");
	}
	if (id_list(NULL, run, STATUS_WARN, IDS_ALL)) {
		sb_puts(o, ">\n> Warnings (drift found, tolerated; not part of the gate): ");
		id_list(o, run, STATUS_WARN, IDS_ALL);
		sb_puts(o, ".\n");
	}
	if (nerr) {
		sb_addf(o, ">\n> **Errors:** %zu %s could not be evaluated (an error is not "
			   "drift): ", nerr, md_plural((long long)nerr, "check", "checks"));
		id_list(o, run, STATUS_ERROR, IDS_ALL);
		if (r->outcome == OUTCOME_TROUBLE)
			sb_addf(o, ". No gating check failed, so the run exits with status %d.\n",
				(int)OUTCOME_TROUBLE);
		else
			sb_puts(o, ".\n");
	}
	if (run->partial)
		sb_addf(o, ">\n> **Partial run** (`--check`): only %zu %s evaluated; this is not "
			   "the day's audit record.\n", run->nchecks,
			md_plural((long long)run->nchecks, "check was", "checks were"));
	md_banner_history(r, o);
	if (g->nunreadable) {
		sb_puts(o, ">\n> **Unreadable history** (counts as a day without a report):\n>\n");
		for (i = 0; i < g->nunreadable; i++) {
			sb_puts(o, "> - ");
			md_text(o, g->unreadable[i]);
			sb_putc(o, '\n');
		}
	}
	sb_putc(o, '\n');
}

/* ---- 2. summary ---------------------------------------------------------- */

static void md_summary(const struct report *r, struct strbuf *o)
{
	const struct run *run = r->run;

	sb_puts(o, "## Summary\n\n| result | count |\n|---|--:|\n");
	sb_addf(o, "| checks | %zu |\n", run->nchecks);
	sb_addf(o, "| pass | %zu |\n", run->npass);
	sb_addf(o, "| fail | %zu |\n", run->nfail);
	if (run->nwarn)
		sb_addf(o, "| warn | %zu |\n", run->nwarn);
	sb_addf(o, "| error | %zu |\n", run->nerror);
	sb_addf(o, "| skipped | %zu |\n", run->nskipped);
	sb_addf(o, "| drift | %lld |\n", run->drift);
	if (run->tenants_scanned < 0)
		sb_puts(o, "| tenants scanned | — |\n");
	else
		sb_addf(o, "| tenants scanned | %lld |\n", run->tenants_scanned);
	sb_addf(o, "| tenants with drift | %lld |\n\n", run->tenants_with_drift);
	if (run->tenants_error) {
		sb_puts(o, "Tenants could not be counted: ");
		md_text(o, run->tenants_error);
		sb_puts(o, "\n\n");
	}
}

/* ---- 3. checks ----------------------------------------------------------- */

static void value_note(struct strbuf *o, const struct check_result *c)
{
	const struct check_cfg *k = c->cfg;
	char a[32], b[32];

	format_double(c->value, a);
	sb_addf(o, "value %s; ", a);
	if (k->has_min && k->has_max) {
		format_double(k->min, a);
		format_double(k->max, b);
		sb_addf(o, "expected between %s and %s", a, b);
	} else if (k->has_min) {
		format_double(k->min, a);
		sb_addf(o, "expected at least %s", a);
	} else if (k->has_max) {
		format_double(k->max, a);
		sb_addf(o, "expected at most %s", a);
	} else {
		format_double(k->expect, a);
		sb_addf(o, "expected %s", a);
		if (k->tolerance > 0) {
			format_double(k->tolerance, b);
			sb_addf(o, " ± %s", b);
		}
	}
}

/* Where a check goes on the page: gating failures first, then signal-only
 * failures, errors, skips, and the passing checks last. */
static int check_rank(const struct check_result *c)
{
	bool paging = !c->cfg || c->cfg->paging;

	switch (c->status) {
	case STATUS_FAIL:
		return paging ? 0 : 1;
	case STATUS_WARN:
		return 2;
	case STATUS_ERROR:
		return 3;
	case STATUS_SKIPPED:
		return 4;
	case STATUS_PASS:
		return 5;
	}
	return 6;
}

static int cmp_check_rank(const void *a, const void *b)
{
	const struct check_result *const *x = a, *const *y = b;
	int rx = check_rank(*x), ry = check_rank(*y);

	if (rx != ry)
		return rx - ry;
	return *x < *y ? -1 : *x > *y;	/* checks[] is sorted by id already */
}

/* The run's checks in page order (malloc'd; the caller frees). */
static const struct check_result **ranked_checks(const struct run *run)
{
	const struct check_result **v = xcalloc(run->nchecks + 1, sizeof(*v));
	size_t i;

	for (i = 0; i < run->nchecks; i++)
		v[i] = &run->checks[i];
	qsort(v, run->nchecks, sizeof(*v), cmp_check_rank);
	return v;
}

/* The change of c's drift since the previous report: "+3", "-2", "0",
 * "new" (not in it) or "—" (no readable previous report). */
static void since_previous(struct strbuf *o, const struct report *r, const struct check_result *c)
{
	const struct day *prev = r->previous;
	const struct day_check *pc;

	if (!prev || prev->status == DAY_UNREADABLE)
		sb_puts(o, "—");
	else if (!(pc = history_day_check(prev, report_check_id(c))))
		sb_puts(o, "new");
	else if (c->drift > pc->drift)
		sb_addf(o, "+%lld", c->drift - pc->drift);
	else
		sb_addf(o, "%lld", c->drift - pc->drift);
}

/* A value check's value change since the previous report, after its drift
 * change: "; value 0.5 → 8 (+7.5)"; nothing when either has no value or
 * it did not change. */
static void value_since_previous(struct strbuf *o, const struct report *r,
				 const struct check_result *c)
{
	const struct day_check *pc;
	char a[32], b[32], dv[32];

	if (!c->has_value || !r->previous || r->previous->status == DAY_UNREADABLE ||
	    !(pc = history_day_check(r->previous, report_check_id(c))) || !pc->has_value ||
	    pc->value == c->value)
		return;
	format_double(pc->value, a);
	format_double(c->value, b);
	format_double(c->value - pc->value, dv);
	sb_addf(o, "; value %s → %s (%s%s)", a, b, c->value > pc->value ? "+" : "", dv);
}

static void md_checks(const struct report *r, struct strbuf *o)
{
	const struct run *run = r->run;
	const struct check_result *v = run->checks;	/* by id: a status flip is one line */
	size_t i, nnotes = 0;

	sb_puts(o, "## Checks\n\n");
	if (!run->nchecks) {
		sb_puts(o, "No enabled checks.\n\n");
		return;
	}
	sb_puts(o, "| check | kind | status | paging | drift | since previous report | description |\n"
		   "|---|---|---|---|--:|--:|---|\n");
	for (i = 0; i < run->nchecks; i++) {
		const struct check_result *c = &v[i];

		sb_puts(o, "| ");
		md_text(o, report_check_id(c));
		sb_addf(o, " | %s | %s | %s | %lld | ", c->cfg ? check_kind_name(c->cfg->kind) : "?",
			status_cell(c->status),
			!c->cfg || c->cfg->paging ? "yes" : "no (signal-only)", c->drift);
		since_previous(o, r, c);
		value_since_previous(o, r, c);
		sb_puts(o, " | ");
		if (c->cfg && c->cfg->description)
			md_text(o, c->cfg->description);
		sb_puts(o, " |\n");
	}
	sb_putc(o, '\n');

	/* errors, skip reasons and values: one line each, under the table */
	for (i = 0; i < run->nchecks; i++) {
		const struct check_result *c = &v[i];

		if (c->status == STATUS_ERROR) {
			sb_puts(o, "- **");
			md_text(o, report_check_id(c));
			sb_puts(o, "** (error): ");
			md_text(o, c->error ? c->error : "unknown error");
		} else if (c->status == STATUS_SKIPPED && c->skip_reason) {
			sb_puts(o, "- **");
			md_text(o, report_check_id(c));
			sb_puts(o, "** (skipped): ");
			md_text(o, c->skip_reason);
		} else if (c->cfg && c->cfg->kind == KIND_VALUE && c->has_value) {
			sb_puts(o, "- **");
			md_text(o, report_check_id(c));
			sb_puts(o, "** (value): ");
			value_note(o, c);
		} else if (c->cfg && c->cfg->kind == KIND_COMPARE &&
			   (c->status == STATUS_FAIL || c->status == STATUS_WARN)) {
			sb_puts(o, "- **");
			md_text(o, report_check_id(c));
			sb_addf(o, "** (compare): %lld missing, %lld extra, %lld changed",
				c->missing, c->extra, c->changed);
		} else {
			continue;
		}
		sb_puts(o, "\n");
		nnotes++;
	}
	/* a check that skips most days asserts nothing: say how often */
	for (i = 0; i < r->nskips; i++) {
		const struct skip_rate *sr = &r->skips[i];

		sb_puts(o, "- **");
		md_text(o, sr->id);
		sb_addf(o, "** (precondition): skipped on %lld of %lld %s in the window\n",
			sr->skipped, sr->days, md_plural(sr->days, "day", "days"));
		nnotes++;
	}
	if (nnotes)
		sb_putc(o, '\n');
}

/* ---- 4. failing checks: drift, per-tenant breakdown and samples ------------ */

static int cmp_group_drift(const void *a, const void *b)
{
	const struct group_result *const *x = a, *const *y = b;
	int c;

	if ((*x)->drift != (*y)->drift)
		return (*x)->drift > (*y)->drift ? -1 : 1;
	c = strcmp((*x)->group ? (*x)->group : "", (*y)->group ? (*y)->group : "");
	if (c)
		return c;
	return *x < *y ? -1 : *x > *y;
}

static int cmp_group_ptr(const void *a, const void *b)
{
	const struct group_result *const *x = a, *const *y = b;

	return *x < *y ? -1 : *x > *y;	/* groups[] is sorted by group already */
}

static void check_groups(struct strbuf *o, const struct check_result *c)
{
	bool cmp = c->cfg && c->cfg->kind == KIND_COMPARE;
	const struct group_result **rows;
	size_t j, n = c->ngroups;

	if (!n)
		return;
	rows = xcalloc(n, sizeof(*rows));
	for (j = 0; j < n; j++)
		rows[j] = &c->groups[j];
	if (n > MAX_GROUP_ROWS) {
		/* keep the largest drifts, then show them in group order */
		qsort(rows, n, sizeof(*rows), cmp_group_drift);
		n = MAX_GROUP_ROWS;
		qsort(rows, n, sizeof(*rows), cmp_group_ptr);
	}
	sb_addf(o, "#### Per-tenant breakdown\n\n%zu %s with drift.\n\n| ", c->ngroups,
		md_plural((long long)c->ngroups, "group", "groups"));
	md_text(o, c->cfg && c->cfg->group ? c->cfg->group : "group");
	if (cmp && c->changed > 0 && c->ncolumn_changes)	/* and where rows changed */
		sb_puts(o, " | drift | missing | extra | changed | changed columns |\n"
			   "|---|--:|--:|--:|--:|---|\n");
	else
		sb_puts(o, cmp ? " | drift | missing | extra | changed |\n|---|--:|--:|--:|--:|\n"
			       : " | drift |\n|---|--:|\n");
	for (j = 0; j < n; j++) {
		sb_puts(o, "| ");
		cell(o, rows[j]->group);
		sb_addf(o, " | %lld |", rows[j]->drift);
		if (cmp)
			sb_addf(o, " %lld | %lld | %lld |", rows[j]->missing, rows[j]->extra,
				rows[j]->changed);
		if (cmp && c->changed > 0 && c->ncolumn_changes) {
			sb_putc(o, ' ');
			md_group_columns(o, c, rows[j]);
			sb_puts(o, " |");
		}
		sb_putc(o, '\n');
	}
	sb_putc(o, '\n');
	if (c->ngroups > n)
		sb_addf(o, "The %d groups with the largest drift are shown; %zu more are in the "
			   "JSON report.\n\n", MAX_GROUP_ROWS, c->ngroups - n);
	free(rows);
}

static void check_samples(struct strbuf *o, const struct check_result *c)
{
	size_t j, k;

	if (!c->nsamples || !c->ncolumns)
		return;
	/* samples are drawn from every violating row, waived ones too */
	sb_addf(o, "#### Samples\n\n%zu of %lld violating %s", c->nsamples, c->drift + c->waived,
		md_plural(c->drift + c->waived, "row", "rows"));
	if (c->waived)
		sb_addf(o, " (%lld waived)", c->waived);
	sb_puts(o, ".\n\n");
	sb_putc(o, '|');
	for (k = 0; k < c->ncolumns; k++) {
		sb_putc(o, ' ');
		cell(o, c->columns[k]);
		sb_puts(o, " |");
	}
	sb_puts(o, "\n|");
	for (k = 0; k < c->ncolumns; k++)
		sb_puts(o, "---|");
	sb_putc(o, '\n');
	for (j = 0; j < c->nsamples; j++) {
		const char **row = c->samples[j];
		/* a compare sample (finding, KEY..., column, left, right) of a
		 * missing or extra row has no column to show: "—", so that an
		 * italic NULL always means a real SQL NULL */
		bool keyonly = c->cfg && c->cfg->kind == KIND_COMPARE && c->ncolumns >= 4 &&
			       row[0] && (!strcmp(row[0], "missing") || !strcmp(row[0], "extra"));

		sb_putc(o, '|');
		for (k = 0; k < c->ncolumns; k++) {
			sb_putc(o, ' ');
			if (keyonly && k >= c->ncolumns - 3 && !row[k])
				sb_puts(o, "—");
			else
				cell(o, row[k]);
			sb_puts(o, " |");
		}
		sb_putc(o, '\n');
	}
	sb_putc(o, '\n');
}

/* Each failing check (gating ones first) with everything about it: its
 * drift and the change since the previous report, what it checks, its
 * drift over the window (HTML), the per-tenant breakdown and the samples. */
static void md_failing(const struct report *r, struct html_inserts *ins, struct strbuf *o)
{
	const struct run *run = r->run;
	const struct check_result **v = ranked_checks(run);
	size_t i, n = 0;

	sb_puts(o, "## Failing checks\n\n");
	for (i = 0; i < run->nchecks; i++) {
		const struct check_result *c = v[i];

		if (c->status != STATUS_FAIL && c->status != STATUS_WARN)
			continue;
		n++;
		sb_puts(o, "### ");
		md_text(o, report_check_id(c));
		sb_addf(o, "\n\n**%s** — drift %lld", c->status == STATUS_WARN ? "WARN" : "FAIL",
			c->drift);
		if (r->previous && r->previous->status != DAY_UNREADABLE &&
		    !history_day_check(r->previous, report_check_id(c))) {
			sb_puts(o, " (not in the previous report)");
		} else if (r->previous && r->previous->status != DAY_UNREADABLE) {
			sb_puts(o, " (");
			since_previous(o, r, c);
			sb_puts(o, " since the previous report)");
		}
		sb_addf(o, "; %s check, %s",
			c->cfg ? check_kind_name(c->cfg->kind) : "?",
			!c->cfg || c->cfg->paging ? "gating" : "signal-only (not part of the gate)");
		if (c->cfg && c->cfg->target) {
			sb_puts(o, "; target ");
			md_text(o, c->cfg->target);
		}
		sb_puts(o, ".\n");
		if (c->cfg && c->cfg->description) {
			sb_puts(o, "\n");
			md_text(o, c->cfg->description);
			sb_puts(o, "\n");
		}
		if (c->cfg && c->cfg->kind == KIND_VALUE && c->has_value) {
			sb_puts(o, "\n");
			value_note(o, c);
			sb_puts(o, ".\n");
		} else if (c->cfg && c->cfg->kind == KIND_COMPARE) {
			sb_addf(o, "\n%lld missing, %lld extra, %lld changed.\n", c->missing, c->extra,
				c->changed);
			if (c->cut)	/* postgres_fdw partitions: no one instant */
				sb_puts(o, "\nRead per shard: each shard's rows are from its own "
					   "snapshot, not one instant.\n");
			if (c->changed > 0 && c->ncolumn_changes)
				sb_putc(o, '\n');
			md_changes(o, c);
		}
		sb_putc(o, '\n');
		findings_md_check(o, c, run->date, (size_t)run->cfg->samples);
		md_window_spark(r, ins, o, c);
		check_groups(o, c);
		check_samples(o, c);
	}
	if (!n)
		sb_puts(o, "No check failed.\n\n");
	free(v);
}

/* ---- 0. navigation -------------------------------------------------------- */

/* The latest readable report before r's date (its pages exist), or NULL. */
static const struct day *previous_page(const struct report *r)
{
	const struct history *h = r->history;
	size_t i;

	for (i = h ? h->ndays : 0; i-- > 0;)
		if (strcmp(h->days[i].date, r->run->date) < 0 && h->days[i].status != DAY_UNREADABLE)
			return &h->days[i];
	return NULL;
}

/* The line of links above the title: the previous report and the index.
 * Only pages that exist are linked: the previous readable report (an
 * unreadable day may have no pages), never a next day, which would not
 * exist yet when the page is written (a page depends only on its inputs
 * and the reports before it, so re-running a date gives the same bytes
 * whatever was written since).  Dates come from file names that parsed as
 * dates, so they are safe in a link.  A partial run has none: it is not a
 * page of the report directory. */
static void md_nav(const struct report *r, struct html_inserts *ins, struct strbuf *o)
{
	const char *ext = r->link_ext;
	const struct day *prev = previous_page(r);

	if (!ext || r->run->partial)
		return;
	if (ins)
		html_inserts_add(ins, o->len, "<nav class=\"pager\" aria-label=\"Reports\">\n");
	if (prev)
		sb_addf(o, "[← %s](%s%s) · ", prev->date, prev->date, ext);
	sb_addf(o, "[All reports](index%s)", ext);
	sb_puts(o, "\n\n");
	if (ins)
		html_inserts_add(ins, o->len, "</nav>\n");
}

/* ---- 6. recovery plan ---------------------------------------------------- */

static void plan_rows(struct strbuf *o, const char *action, const struct recovery_item *it,
		      size_t n)
{
	size_t i, j;

	for (i = 0; i < n; i++) {
		sb_addf(o, "| %s | ", action);
		md_text(o, it[i].target);
		sb_puts(o, " | ");
		for (j = 0; j < it[i].nchecks; j++) {
			if (j)
				sb_puts(o, ", ");
			md_text(o, it[i].checks[j]);
		}
		sb_puts(o, " |\n");
	}
}

static void md_recovery(const struct report *r, struct strbuf *o)
{
	const struct recovery_plan *plan = &r->plan;
	size_t i;

	sb_puts(o, "## Recovery plan\n\n");
	if (!plan->nrecheck && !plan->nreprocess) {
		sb_puts(o, "No recovery needed.\n\n");
	} else {
		sb_puts(o, "Root cause first: a finding whose target has a failing or erroring "
			   "ancestor target is attributed to the highest such ancestor, as "
			   "recheck.\n\n| action | target | because of |\n|---|---|---|\n");
		plan_rows(o, "recheck", plan->recheck, plan->nrecheck);
		plan_rows(o, "reprocess", plan->reprocess, plan->nreprocess);
		sb_putc(o, '\n');
	}
	if (plan->nuntargeted) {
		sb_puts(o, "Failing checks without a recovery target: ");
		for (i = 0; i < plan->nuntargeted; i++) {
			if (i)
				sb_puts(o, ", ");
			md_text(o, plan->untargeted[i]);
		}
		sb_puts(o, ".\n\n");
	}
	findings_md_followup(o, r->gate);
}

/* ---- 8. shadow checks ---------------------------------------------------- */

static void md_shadows(const struct report *r, struct strbuf *o)
{
	const struct config *cfg = r->run->cfg;
	size_t i, k;

	if (!r->nshadows)
		return;
	sb_addf(o, "## Shadow checks\n\nA shadow check runs beside the check it is meant to "
		   "replace; they agree on a day when both pass or both fail. It is ready to take "
		   "over after %d days of reports with no disagreement, no error and a skip rate "
		   "of at most %g%%.\n\n"
		   "| shadow | of | days | agree | disagree | skipped | errors | skip rate | ready |\n"
		   "|---|---|--:|--:|--:|--:|--:|--:|---|\n",
		cfg->soak_days, cfg->max_skip_rate * 100);
	for (i = 0; i < r->nshadows; i++) {
		const struct shadow *s = &r->shadows[i];

		sb_puts(o, "| ");
		md_text(o, s->id);
		sb_puts(o, " | ");
		md_text(o, s->of);
		sb_addf(o, " | %lld | %lld | %lld | %lld | %lld | %.0f%% | %s |\n", s->days,
			s->agree, s->disagree, s->skipped, s->errors, s->skip_rate * 100,
			s->ready ? "**yes**" : "no");
	}
	sb_putc(o, '\n');
	for (i = 0; i < r->nshadows; i++) {
		const struct shadow *s = &r->shadows[i];

		if (s->disagree_today) {
			sb_puts(o, "**Disagreement today:** ");
			md_text(o, s->id);
			sb_puts(o, " is ");
			md_text(o, s->disagreements[s->ndisagreements - 1].status);
			sb_puts(o, ", ");
			md_text(o, s->of);
			sb_puts(o, " is ");
			md_text(o, s->disagreements[s->ndisagreements - 1].of_status);
			sb_puts(o, ".\n\n");
		}
		if (!s->ndisagreements)
			continue;
		sb_puts(o, "Disagreements of ");
		md_text(o, s->id);
		sb_puts(o, " in the soak window:");
		for (k = 0; k < s->ndisagreements; k++) {
			/* statuses as written in earlier JSON files: data */
			sb_addf(o, "%s %s (", k ? "," : "", s->disagreements[k].date);
			md_text(o, s->disagreements[k].status);
			sb_puts(o, "; original ");
			md_text(o, s->disagreements[k].of_status);
			sb_putc(o, ')');
		}
		sb_puts(o, ".\n\n");
	}
	findings_md_episodes(o, r->shadows, r->nshadows);
}

/* ---- 9. provenance ------------------------------------------------------- */

static void md_provenance(const struct report *r, struct strbuf *o)
{
	const struct run *run = r->run;
	size_t i;

	sb_puts(o, "## Provenance\n\n- recon version: " RECON_VERSION "\n");
	sb_puts(o, "- configuration SHA-256: ");
	if (run->cfg && run->cfg->sha256[0])
		md_text(o, run->cfg->sha256);
	else
		sb_puts(o, "—");
	sb_puts(o, "\n\n");
	if (!run->ninputs) {
		sb_puts(o, run->baseline ? "No input was read (baseline).\n"
					 : "No input was read.\n");
		return;
	}
	sb_puts(o, "| source | table | rows | digest |\n|---|---|--:|---|\n");
	for (i = 0; i < run->ninputs; i++) {
		const struct input *in = &run->inputs[i];

		sb_puts(o, "| ");
		md_text(o, in->source);
		sb_puts(o, " | ");
		if (in->table)
			md_text(o, in->table);
		else
			sb_puts(o, "—");
		if (in->rows >= 0)
			sb_addf(o, " | %lld | ", in->rows);
		else
			sb_puts(o, " | — | ");
		if (in->snapshot) {
			sb_puts(o, "snapshot ");
			md_text(o, in->snapshot);
		} else if (in->sha256) {
			sb_puts(o, "sha256 ");
			md_text(o, in->sha256);
		} else {
			sb_puts(o, "—");
		}
		sb_puts(o, " |\n");
	}
}

/* The day's Markdown report into out.  Returns 0, or -1 when out hit its cap. */
int render_md(const struct report *r, struct strbuf *out)
{
	return render_md_page(r, NULL, out);
}

/* The day's Markdown for its HTML page, charts into ins (see render.h). */
int render_md_page(const struct report *r, struct html_inserts *ins, struct strbuf *out)
{
	md_nav(r, ins, out);
	md_banner(r, ins == NULL, out);
	md_window_strip(r, ins, out);
	md_summary(r, out);
	md_checks(r, out);
	md_failing(r, ins, out);
	findings_md_waivers(out, r->run, (size_t)r->run->cfg->samples);
	md_recovery(r, out);
	md_window(r, ins, out);
	md_shadows(r, out);
	md_provenance(r, out);
	return out->overflow ? -1 : 0;
}

/* The page class of a day's report (see render.h). */
const char *render_page_class(const struct report *r)
{
	if (r->run->baseline)
		return "gate-baseline";
	if (r->run->gate != STATUS_PASS)
		return "gate-fail";
	return r->gate && r->gate->met ? "gate-met" : "gate-pass";
}
