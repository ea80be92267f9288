/*
 * render_md.c: the day's Markdown report and the index of every report.
 *
 * The Markdown is the primary document: it is committed to git, read raw in
 * diffs and on a git host, and rendered to HTML by render_html.  So it is
 * plain GFM (headings, pipe tables, a blockquote banner, lists), laid out so
 * that one changed number changes one line, and everything that comes from
 * data (ids, titles, descriptions, group and sample values, messages, column
 * names) goes through md_escape: nothing in the data can become markup, a
 * link or HTML.  No clock, no host; integers with %lld, reals with
 * format_double, so the bytes depend on the inputs only.
 */
#include "render.h"
#include "recovery.h"

#include <stdlib.h>
#include <string.h>

#define MAX_GROUP_ROWS 50	/* per-tenant rows shown per check */
#define MAX_CELL_BYTES 200	/* a sample value longer than this is cut */

/* ---- escaping ------------------------------------------------------------ */

/* ASCII punctuation without meaning inside a line of inline Markdown. */
static bool inert_punct(unsigned char c)
{
	return c && strchr("-.,:/;?@%=+'\"", c) != NULL;
}

static bool ascii_punct(unsigned char c)
{
	return (c >= 0x21 && c <= 0x2f) || (c >= 0x3a && c <= 0x40) ||
	       (c >= 0x5b && c <= 0x60) || (c >= 0x7b && c <= 0x7e);
}

/* Markdown-escape s[0..len) into out (see render.h). */
void md_escape(struct strbuf *out, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;
	bool digits_only = true;	/* s[0..i) is all ASCII digits */

	while (i < len) {
		size_t run = utf8_valid_prefix(p + i, len - i), end = i + run;

		for (; i < end; i++) {
			unsigned char c = p[i];

			if (c < 0x20 || c == 0x7f) {
				sb_putc(out, ' ');
			} else if (ascii_punct(c)) {
				if (!inert_punct(c) || i == 0 || (c == '.' && digits_only))
					sb_putc(out, '\\');
				sb_putc(out, (char)c);
			} else {
				sb_putc(out, (char)c);
			}
			if (c < '0' || c > '9')
				digits_only = false;
		}
		if (i < len) {
			sb_puts(out, "\xEF\xBF\xBD");	/* U+FFFD for an invalid byte */
			digits_only = false;
			i++;
		}
	}
}

static void esc(struct strbuf *o, const char *s)
{
	if (s)
		md_escape(o, s, strlen(s));
}

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
	len = MAX_CELL_BYTES;
	while (len > 0 && ((unsigned char)s[len] & 0xC0) == 0x80)
		len--;
	md_escape(o, s, len);
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
	}
	return "?";
}

static const char *kind_word(enum check_kind k)
{
	switch (k) {
	case KIND_ROWS:
		return "rows";
	case KIND_VALUE:
		return "value";
	case KIND_COMPARE:
		return "compare";
	}
	return "?";
}

static const char *day_cell(enum day_status s)
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
	}
	return "?";
}

static const char *plural(long long n, const char *one, const char *many)
{
	return n == 1 ? one : many;
}

static const char *check_id(const struct check_result *c)
{
	return c->cfg && c->cfg->id ? c->cfg->id : "";
}

/* ---- lookups ------------------------------------------------------------- */

static const struct day_check *find_day_check(const struct day *day, const char *id)
{
	size_t i;

	for (i = 0; i < day->nchecks; i++)
		if (day->checks[i].id && strcmp(day->checks[i].id, id) == 0)
			return &day->checks[i];
	return NULL;
}

/* A comma-separated list of bold, escaped check ids of the given status
 * (paging: 1 gating only, 0 signal-only only, -1 both); returns the count. */
static size_t id_list(struct strbuf *o, const struct run *run, enum status s, int paging)
{
	size_t i, n = 0;

	for (i = 0; i < run->nchecks; i++) {
		const struct check_result *c = &run->checks[i];

		if (c->status != s || (paging >= 0 && c->cfg && c->cfg->paging != (paging == 1)))
			continue;
		if (o) {
			sb_puts(o, n ? ", **" : "**");
			esc(o, check_id(c));
			sb_puts(o, "**");
		}
		n++;
	}
	return n;
}

/* ---- 1. title and gate banner --------------------------------------------- */

static void md_banner(const struct report *r, struct strbuf *o)
{
	const struct run *run = r->run;
	const struct gate *g = r->gate;
	size_t nfail = id_list(NULL, run, STATUS_FAIL, 1);
	size_t nerr = id_list(NULL, run, STATUS_ERROR, -1);
	size_t i;

	sb_puts(o, "# ");
	esc(o, run->cfg && run->cfg->title ? run->cfg->title : "recon report");
	sb_addf(o, " — %s\n\n", run->date);

	if (run->baseline) {
		sb_addf(o, "> **Baseline report** — no source was read: every check is listed "
			   "as skipped with drift 0, and today's gate status is **pass**. "
			   "Gate: **%s**; streak %lld %s in a row (%d required).\n",
			g->met ? "MET" : "NOT MET", g->streak,
			plural(g->streak, "clean day", "clean days"), g->required);
	} else {
		sb_addf(o, "> **Gate: %s** — today's gate status is **%s**; streak %lld %s "
			   "in a row (%d required).\n",
			g->met ? "MET" : "NOT MET", run->gate == STATUS_PASS ? "pass" : "FAIL",
			g->streak, plural(g->streak, "clean day", "clean days"), g->required);
	}
	if (nfail) {
		sb_addf(o, ">\n> Failing gating %s: ", plural((long long)nfail, "check", "checks"));
		id_list(o, run, STATUS_FAIL, 1);
		sb_puts(o, ".\n");
	}
	if (nerr) {
		sb_addf(o, ">\n> **Errors:** %zu %s could not be evaluated (an error is not "
			   "drift): ", nerr, plural((long long)nerr, "check", "checks"));
		id_list(o, run, STATUS_ERROR, -1);
		if (!nfail && id_list(NULL, run, STATUS_ERROR, 1))
			sb_puts(o, ". No gating check failed, so the run exits with status 2.\n");
		else
			sb_puts(o, ".\n");
	}
	if (run->partial)
		sb_addf(o, ">\n> **Partial run** (`--check`): only %zu %s evaluated; this is not "
			   "the day's audit record.\n", run->nchecks,
			plural((long long)run->nchecks, "check was", "checks were"));
	if (g->nunreadable) {
		sb_puts(o, ">\n> **Unreadable history** (counts as a day without a report):\n>\n");
		for (i = 0; i < g->nunreadable; i++) {
			sb_puts(o, "> - ");
			esc(o, g->unreadable[i]);
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
		esc(o, run->tenants_error);
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

static void md_checks(const struct report *r, struct strbuf *o)
{
	const struct run *run = r->run;
	const struct day *prev = r->previous;
	size_t i, nnotes = 0;

	sb_puts(o, "## Checks\n\n");
	if (!run->nchecks) {
		sb_puts(o, "No enabled checks.\n\n");
		return;
	}
	sb_puts(o, "| check | kind | status | paging | drift | since previous report | description |\n"
		   "|---|---|---|---|--:|--:|---|\n");
	for (i = 0; i < run->nchecks; i++) {
		const struct check_result *c = &run->checks[i];
		const struct day_check *pc;

		sb_puts(o, "| ");
		esc(o, check_id(c));
		sb_addf(o, " | %s | %s | %s | %lld | ", c->cfg ? kind_word(c->cfg->kind) : "?",
			status_cell(c->status),
			!c->cfg || c->cfg->paging ? "yes" : "no (signal-only)", c->drift);
		if (!prev || prev->status == DAY_UNREADABLE)
			sb_puts(o, "—");
		else if (!(pc = find_day_check(prev, check_id(c))))
			sb_puts(o, "new");
		else if (c->drift > pc->drift)
			sb_addf(o, "+%lld", c->drift - pc->drift);
		else
			sb_addf(o, "%lld", c->drift - pc->drift);
		sb_puts(o, " | ");
		if (c->cfg && c->cfg->description)
			esc(o, c->cfg->description);
		sb_puts(o, " |\n");
	}
	sb_putc(o, '\n');

	/* errors, skip reasons and values: one line each, under the table */
	for (i = 0; i < run->nchecks; i++) {
		const struct check_result *c = &run->checks[i];

		if (c->status == STATUS_ERROR) {
			sb_puts(o, "- **");
			esc(o, check_id(c));
			sb_puts(o, "** (error): ");
			esc(o, c->error ? c->error : "unknown error");
		} else if (c->status == STATUS_SKIPPED && c->skip_reason) {
			sb_puts(o, "- **");
			esc(o, check_id(c));
			sb_puts(o, "** (skipped): ");
			esc(o, c->skip_reason);
		} else if (c->cfg && c->cfg->kind == KIND_VALUE && c->has_value) {
			sb_puts(o, "- **");
			esc(o, check_id(c));
			sb_puts(o, "** (value): ");
			value_note(o, c);
		} else if (c->cfg && c->cfg->kind == KIND_COMPARE && c->status == STATUS_FAIL) {
			sb_puts(o, "- **");
			esc(o, check_id(c));
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
		esc(o, sr->id);
		sb_addf(o, "** (precondition): skipped on %lld of %lld %s in the window\n",
			sr->skipped, sr->days, plural(sr->days, "day", "days"));
		nnotes++;
	}
	if (nnotes)
		sb_putc(o, '\n');
}

/* ---- 4. per-tenant breakdown --------------------------------------------- */

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

static void md_groups(const struct report *r, struct strbuf *o)
{
	const struct run *run = r->run;
	size_t i, j;
	bool any = false;

	for (i = 0; i < run->nchecks; i++)
		if (run->checks[i].ngroups)
			any = true;
	if (!any)
		return;
	sb_puts(o, "## Per-tenant breakdown\n\n");
	for (i = 0; i < run->nchecks; i++) {
		const struct check_result *c = &run->checks[i];
		bool cmp = c->cfg && c->cfg->kind == KIND_COMPARE;
		const struct group_result **rows;
		size_t n = c->ngroups;

		if (!n)
			continue;
		rows = xcalloc(n, sizeof(*rows));
		for (j = 0; j < n; j++)
			rows[j] = &c->groups[j];
		if (n > MAX_GROUP_ROWS) {
			/* keep the largest drifts, then show them in group order */
			qsort(rows, n, sizeof(*rows), cmp_group_drift);
			n = MAX_GROUP_ROWS;
			qsort(rows, n, sizeof(*rows), cmp_group_ptr);
		}
		sb_puts(o, "### ");
		esc(o, check_id(c));
		sb_puts(o, "\n\n| ");
		esc(o, c->cfg && c->cfg->group ? c->cfg->group : "group");
		sb_puts(o, cmp ? " | drift | missing | extra | changed |\n|---|--:|--:|--:|--:|\n"
			       : " | drift |\n|---|--:|\n");
		for (j = 0; j < n; j++) {
			sb_puts(o, "| ");
			cell(o, rows[j]->group);
			sb_addf(o, " | %lld |", rows[j]->drift);
			if (cmp)
				sb_addf(o, " %lld | %lld | %lld |", rows[j]->missing,
					rows[j]->extra, rows[j]->changed);
			sb_putc(o, '\n');
		}
		sb_putc(o, '\n');
		if (c->ngroups > n)
			sb_addf(o, "The %d groups with the largest drift are shown; %zu more "
				   "are in the JSON report.\n\n", MAX_GROUP_ROWS, c->ngroups - n);
		free(rows);
	}
}

/* ---- 5. samples ---------------------------------------------------------- */

static void md_samples(const struct report *r, struct strbuf *o)
{
	const struct run *run = r->run;
	size_t i, j, k;
	bool any = false;

	sb_puts(o, "## Samples\n\n");
	for (i = 0; i < run->nchecks; i++) {
		const struct check_result *c = &run->checks[i];

		if (c->status != STATUS_FAIL || !c->nsamples || !c->ncolumns)
			continue;
		any = true;
		sb_puts(o, "### ");
		esc(o, check_id(c));
		sb_addf(o, "\n\n%zu of %lld violating %s.\n\n", c->nsamples, c->drift,
			plural(c->drift, "row", "rows"));
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
			sb_putc(o, '|');
			for (k = 0; k < c->ncolumns; k++) {
				sb_putc(o, ' ');
				cell(o, c->samples[j][k]);
				sb_puts(o, " |");
			}
			sb_putc(o, '\n');
		}
		sb_putc(o, '\n');
	}
	if (!any)
		sb_puts(o, "No failing check has samples.\n\n");
}

/* ---- 6. recovery plan ---------------------------------------------------- */

static void plan_rows(struct strbuf *o, const char *action, const struct recovery_item *it,
		      size_t n)
{
	size_t i, j;

	for (i = 0; i < n; i++) {
		sb_addf(o, "| %s | ", action);
		esc(o, it[i].target);
		sb_puts(o, " | ");
		for (j = 0; j < it[i].nchecks; j++) {
			if (j)
				sb_puts(o, ", ");
			esc(o, it[i].checks[j]);
		}
		sb_puts(o, " |\n");
	}
}

static void md_recovery(const struct report *r, struct strbuf *o)
{
	struct recovery_plan plan;
	size_t i;

	recovery_plan(r->run, &plan);
	sb_puts(o, "## Recovery plan\n\n");
	if (!plan.nrecheck && !plan.nreprocess) {
		sb_puts(o, "No recovery needed.\n\n");
	} else {
		sb_puts(o, "Root cause first: a finding whose target has a failing or erroring "
			   "ancestor target is attributed to the highest such ancestor, as "
			   "recheck.\n\n| action | target | because of |\n|---|---|---|\n");
		plan_rows(o, "recheck", plan.recheck, plan.nrecheck);
		plan_rows(o, "reprocess", plan.reprocess, plan.nreprocess);
		sb_putc(o, '\n');
	}
	if (plan.nuntargeted) {
		sb_puts(o, "Failing checks without a recovery target: ");
		for (i = 0; i < plan.nuntargeted; i++) {
			if (i)
				sb_puts(o, ", ");
			esc(o, plan.untargeted[i]);
		}
		sb_puts(o, ".\n\n");
	}
	recovery_plan_release(&plan);
}

/* ---- 7. rolling window --------------------------------------------------- */

static void md_window(const struct report *r, struct strbuf *o)
{
	const struct gate *g = r->gate;
	size_t i;

	sb_puts(o, "## Rolling window\n\n");
	if (g->nwindow) {
		sb_puts(o, "| date | gate status | drift |\n|---|---|--:|\n");
		for (i = 0; i < g->nwindow; i++) {
			const struct window_day *w = &g->window[i];

			if (strcmp(w->date, r->run->date) == 0)
				sb_addf(o, "| %s (today) |", w->date);
			else if (w->status == DAY_MISSING || !r->link_ext)
				sb_addf(o, "| %s |", w->date);
			else
				sb_addf(o, "| [%s](%s%s) |", w->date, w->date, r->link_ext);
			sb_addf(o, " %s | ", day_cell(w->status));
			if (w->drift < 0)
				sb_puts(o, "— |\n");
			else
				sb_addf(o, "%lld |\n", w->drift);
		}
		sb_putc(o, '\n');
	}
	sb_addf(o, "Streak: %lld consecutive clean %s (gate requires %d).\n\n", g->streak,
		plural(g->streak, "day", "days"), g->required);
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
		esc(o, s->id);
		sb_puts(o, " | ");
		esc(o, s->of);
		sb_addf(o, " | %lld | %lld | %lld | %lld | %lld | %.0f%% | %s |\n", s->days,
			s->agree, s->disagree, s->skipped, s->errors, s->skip_rate * 100,
			s->ready ? "**yes**" : "no");
	}
	sb_putc(o, '\n');
	for (i = 0; i < r->nshadows; i++) {
		const struct shadow *s = &r->shadows[i];

		if (s->disagree_today) {
			sb_puts(o, "**Disagreement today:** ");
			esc(o, s->id);
			sb_addf(o, " is %s, ", s->disagreements[s->ndisagreements - 1].status);
			esc(o, s->of);
			sb_addf(o, " is %s.\n\n", s->disagreements[s->ndisagreements - 1].of_status);
		}
		if (!s->ndisagreements)
			continue;
		sb_puts(o, "Disagreements of ");
		esc(o, s->id);
		sb_puts(o, " in the soak window:");
		for (k = 0; k < s->ndisagreements; k++)
			sb_addf(o, "%s %s (%s; original %s)", k ? "," : "", s->disagreements[k].date,
				s->disagreements[k].status, s->disagreements[k].of_status);
		sb_puts(o, ".\n\n");
	}
}

/* ---- 9. provenance ------------------------------------------------------- */

static void md_provenance(const struct report *r, struct strbuf *o)
{
	const struct run *run = r->run;
	size_t i;

	sb_puts(o, "## Provenance\n\n- recon version: " RECON_VERSION "\n");
	sb_puts(o, "- configuration SHA-256: ");
	if (run->cfg && run->cfg->sha256[0])
		esc(o, run->cfg->sha256);
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
		esc(o, in->source);
		sb_puts(o, " | ");
		if (in->table)
			esc(o, in->table);
		else
			sb_puts(o, "—");
		if (in->rows >= 0)
			sb_addf(o, " | %lld | ", in->rows);
		else
			sb_puts(o, " | — | ");
		if (in->snapshot) {
			sb_puts(o, "snapshot ");
			esc(o, in->snapshot);
		} else if (in->sha256) {
			sb_puts(o, "sha256 ");
			esc(o, in->sha256);
		} else {
			sb_puts(o, "—");
		}
		sb_puts(o, " |\n");
	}
}

/* The day's Markdown report into out.  Returns 0, or -1 when out hit its cap. */
int render_md(const struct report *r, struct strbuf *out)
{
	md_banner(r, out);
	md_summary(r, out);
	md_checks(r, out);
	md_groups(r, out);
	md_samples(r, out);
	md_recovery(r, out);
	md_window(r, out);
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

/* index.md: every report of h, newest first.  Returns 0, or -1 on overflow. */
int render_index_md(const struct history *h, const char *title, const char *link_ext,
		    struct strbuf *out)
{
	size_t i;

	sb_puts(out, "# ");
	esc(out, title ? title : "recon report");
	sb_puts(out, " — reports\n\n");
	if (!h->ndays) {
		sb_puts(out, "No reports yet.\n");
		return out->overflow ? -1 : 0;
	}
	sb_puts(out, "| date | gate status | drift | streak | gate met | notes |\n"
		     "|---|---|--:|--:|---|---|\n");
	for (i = h->ndays; i-- > 0;) {
		const struct day *d = &h->days[i];

		if (d->status == DAY_UNREADABLE) {
			sb_addf(out, "| %s | unreadable | — | — | — | ", d->date);
			esc(out, d->error ? d->error : "unreadable");
			sb_puts(out, " |\n");
			continue;
		}
		if (link_ext)
			sb_addf(out, "| [%s](%s%s) | ", d->date, d->date, link_ext);
		else
			sb_addf(out, "| %s | ", d->date);
		sb_addf(out, "%s | ", day_cell(d->status));
		if (d->drift < 0)
			sb_puts(out, "— | ");
		else
			sb_addf(out, "%lld | ", d->drift);
		sb_addf(out, "%lld | %s | %s |\n", d->streak, d->met ? "yes" : "no",
			d->baseline ? "baseline" : "");
	}
	return out->overflow ? -1 : 0;
}
