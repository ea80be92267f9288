/*
 * render_window.c: the day's report over its rolling window (see render.h):
 * the window's days with their gate status and drift, the streak, every
 * check's drift per day (a table, and a sparkline per check on the HTML
 * page), the strip of day cells under the banner and the sparkline beside
 * a failing check.  Today comes from the run, the other days from the
 * history's reports.
 */
#include "render.h"
#include "render_svg.h"

#include <stdlib.h>
#include <string.h>

/* ---- a check over the window ------------------------------------------- */

/* The report of date in h (dates sort like days), or NULL. */
static const struct day *day_of_date(const struct history *h, const char *date)
{
	size_t lo = 0, hi = h ? h->ndays : 0;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = strcmp(h->days[mid].date, date);

		if (c == 0)
			return &h->days[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* Check c on window day w: today from the run, other days from the history. */
static void check_on(const struct report *r, const struct check_result *c,
		     const struct window_day *w, struct chart_day *out)
{
	const struct day *dy;
	const struct day_check *dc = NULL;

	memset(out, 0, sizeof(*out));
	memcpy(out->date, w->date, sizeof(out->date));
	out->drift = -1;
	out->streak = -1;
	out->status = DAY_UNREADABLE;	/* "other": out->word says what */
	if (strcmp(w->date, r->run->date) == 0) {
		out->has_value = c->has_value;
		out->value = c->value;
		if (c->status == STATUS_PASS || c->status == STATUS_FAIL ||
		    c->status == STATUS_WARN) {
			out->status = c->status == STATUS_PASS ? DAY_PASS
				      : c->status == STATUS_FAIL ? DAY_FAIL : DAY_WARN;
			out->drift = c->drift;
			out->word = status_name(c->status);
		} else {
			out->word = status_name(c->status);
		}
		return;
	}
	dy = day_of_date(r->history, w->date);
	if (!dy) {
		out->status = DAY_MISSING;
		out->word = "no report";
	} else if (dy->status == DAY_UNREADABLE) {
		out->word = "unreadable";
	} else if (dy->baseline) {
		out->word = "baseline";
	} else if (!(dc = history_day_check(dy, report_check_id(c)))) {
		out->word = "not run";
	} else if (dc->status && strcmp(dc->status, "pass") == 0) {
		out->status = DAY_PASS;
		out->drift = dc->drift;
		out->word = "pass";
	} else if (dc->status && strcmp(dc->status, "fail") == 0) {
		out->status = DAY_FAIL;
		out->drift = dc->drift;
		out->word = "fail";
	} else if (dc->status && strcmp(dc->status, "warn") == 0) {
		out->status = DAY_WARN;
		out->drift = dc->drift;
		out->word = "warn";
	} else if (dc->status && strcmp(dc->status, "error") == 0) {
		out->word = "error";
	} else if (dc->status && strcmp(dc->status, "skipped") == 0) {
		out->word = "skipped";
	} else {
		out->word = "unknown";
	}
	if (dc) {	/* a value check's number that day */
		out->has_value = dc->has_value;
		out->value = dc->value;
	}
}

/* Check c over the whole window into days (r->gate->nwindow entries). */
static void check_window(const struct report *r, const struct check_result *c,
			 struct chart_day *days)
{
	size_t i;

	for (i = 0; i < r->gate->nwindow; i++)
		check_on(r, c, &r->gate->window[i], &days[i]);
}

/* Record recon's HTML in html to go in at the Markdown's current end. */
static void insert_here(struct html_inserts *ins, const struct strbuf *o, struct strbuf *html)
{
	if (ins && html->len)
		html_inserts_add(ins, o->len, html->buf);
	sb_reset(html);
}

/* What a check's sparkline draws: a value check's value, else drift. */
static const char *spark_what(const struct check_result *c)
{
	return c->cfg && c->cfg->kind == KIND_VALUE ? "Value" : "Drift";
}

/* A sparkline of c's drift over the window, into the HTML page only (see
 * render.h). */
void md_window_spark(const struct report *r, struct html_inserts *ins, struct strbuf *o,
			 const struct check_result *c)
{
	struct strbuf html, title;
	struct chart_day *days;

	if (!ins || !r->gate || !r->gate->nwindow)
		return;
	days = xcalloc(r->gate->nwindow, sizeof(*days));
	check_window(r, c, days);
	sb_init(&html);
	sb_init(&title);
	sb_addf(&title, "%s of %s over the last %zu days", spark_what(c), report_check_id(c),
		r->gate->nwindow);
	sb_puts(&html, "<figure class=\"spark\">\n");
	svg_sparkline(&html, days, r->gate->nwindow, title.buf);
	sb_addf(&html, "<figcaption>%s over the window: a square is a fail, a dot a pass, "
		       "a ring neither</figcaption>\n</figure>\n",
		c->cfg && c->cfg->kind == KIND_VALUE ? "value" : "drift");
	insert_here(ins, o, &html);
	sb_release(&title);
	sb_release(&html);
	free(days);
}

/* ---- the strip under the banner ------------------------------------------ */

/* The rolling window as day cells, under the banner of the HTML page (see
 * render.h). */
void md_window_strip(const struct report *r, struct html_inserts *ins, struct strbuf *o)
{
	const struct gate *g = r->gate;
	struct strbuf html, title;

	if (!ins || !g->nwindow)
		return;
	sb_init(&html);
	sb_init(&title);
	sb_addf(&title, "Gate status of the last %zu days, %s to %s", g->nwindow, g->window[0].date,
		g->window[g->nwindow - 1].date);
	sb_puts(&html, "<figure class=\"window\">\n");
	svg_window_strip(&html, g->window, g->nwindow, r->run->date, title.buf);
	sb_addf(&html, "<figcaption>The rolling window: a tick is a pass, a cross a fail, a dash "
		       "a day without a report. Streak %lld of %d clean days.</figcaption>\n"
		       "</figure>\n", g->streak, g->required);
	insert_here(ins, o, &html);
	sb_release(&title);
	sb_release(&html);
}

/* ---- the rolling window section ------------------------------------------ */

#define MAX_TREND_COLUMNS 14	/* days of the per-check table in the Markdown */

/* One cell of the per-check table: the drift (bold on a fail) or a word. */
static void trend_cell(struct strbuf *o, const struct chart_day *d)
{
	char v[32];

	if (d->has_value &&
	    (d->status == DAY_PASS || d->status == DAY_FAIL || d->status == DAY_WARN)) {
		/* a value check: its value, the history of what it measures */
		format_double(d->value, v);
		sb_addf(o, d->status == DAY_FAIL ? " **%s** |" : d->status == DAY_WARN ? " *%s* |"
			: " %s |", v);
	} else if (d->status == DAY_FAIL)
		sb_addf(o, " **%lld** |", d->drift);
	else if (d->status == DAY_WARN)
		sb_addf(o, " *%lld* |", d->drift);
	else if (d->status == DAY_PASS)
		sb_addf(o, " %lld |", d->drift);
	else if (d->status == DAY_MISSING)
		sb_puts(o, " — |");
	else
		sb_addf(o, " %s |", d->word ? d->word : "?");
}

/* Every check's drift over the window: a table (the text equivalent) and,
 * on the HTML page, a sparkline per check. */
static void md_trend(const struct report *r, struct html_inserts *ins, struct strbuf *o)
{
	const struct run *run = r->run;
	const struct gate *g = r->gate;
	const struct check_result *v = run->checks;	/* by id, as the checks table */
	size_t i, k, first = g->nwindow > MAX_TREND_COLUMNS ? g->nwindow - MAX_TREND_COLUMNS : 0;
	struct chart_day *days;
	struct strbuf html, title;

	if (!run->nchecks || !g->nwindow)
		return;
	days = xcalloc(g->nwindow, sizeof(*days));
	sb_init(&html);
	sb_init(&title);
	sb_puts(o, "### Drift per check\n\n");
	sb_addf(o, "Drift of each check on each day from %s to %s (columns are month-day; "
		   "a drift in bold type, like **1**, means the check failed that day; — no "
		   "report).",
		g->window[first].date, g->window[g->nwindow - 1].date);
	if (run->nwarn)
		sb_puts(o, " A drift in italic type, like *1*, was found and tolerated (warn).");
	for (i = 0; i < run->nchecks && !(v[i].cfg && v[i].cfg->kind == KIND_VALUE); i++)
		;
	sb_puts(o, i < run->nchecks ? " A value check shows its value instead.\n\n" : "\n\n");
	if (ins) {
		sb_puts(&html, "<div class=\"sparks\">\n");
		for (i = 0; i < run->nchecks; i++) {
			check_window(r, &v[i], days);
			sb_reset(&title);
			sb_addf(&title, "%s of %s over the last %zu days", spark_what(&v[i]),
				report_check_id(&v[i]), g->nwindow);
			sb_puts(&html, "<figure class=\"spark\">\n");
			svg_sparkline(&html, days, g->nwindow, title.buf);
			sb_puts(&html, "<figcaption>");
			markup_text(&html, report_check_id(&v[i]));
			sb_puts(&html, "</figcaption>\n</figure>\n");
		}
		sb_puts(&html, "</div>\n");
		insert_here(ins, o, &html);
	}
	sb_puts(o, "| check |");
	for (k = first; k < g->nwindow; k++)
		sb_addf(o, " %s |", g->window[k].date + 5);
	sb_puts(o, "\n|---|");
	for (k = first; k < g->nwindow; k++)
		sb_puts(o, "--:|");
	sb_putc(o, '\n');
	for (i = 0; i < run->nchecks; i++) {
		check_window(r, &v[i], days);
		sb_puts(o, "| ");
		md_text(o, report_check_id(&v[i]));
		sb_puts(o, " |");
		for (k = first; k < g->nwindow; k++)
			trend_cell(o, &days[k]);
		sb_putc(o, '\n');
	}
	sb_putc(o, '\n');
	sb_release(&title);
	sb_release(&html);
	free(days);
}

/* The report's rolling window section (see render.h). */
void md_window(const struct report *r, struct html_inserts *ins, struct strbuf *o)
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
			else if ((w->status != DAY_PASS && w->status != DAY_FAIL) || !r->link_ext)
				sb_addf(o, "| %s |", w->date);	/* no report, or no page */
			else
				sb_addf(o, "| [%s](%s%s) |", w->date, w->date, r->link_ext);
			sb_addf(o, " %s | ", md_day_cell(w->status));
			if (w->drift < 0)
				sb_puts(o, "— |\n");
			else
				sb_addf(o, "%lld |\n", w->drift);
		}
		sb_putc(o, '\n');
	}
	sb_addf(o, "Streak: %lld consecutive clean %s (gate requires %d).\n\n", g->streak,
		md_plural(g->streak, "day", "days"), g->required);
	md_trend(r, ins, o);
}
