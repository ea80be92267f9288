/*
 * render_index.c: the index of every report (index.md) and the year pages
 * (index-YYYY.md), each also the Markdown of its HTML page with the charts
 * added as inserts (see render.h).  Like the day's report, it is plain GFM
 * whose text from data goes through md_escape, and its bytes depend on the
 * history alone.
 */
#include "render.h"
#include "findings.h"
#include "render_svg.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Counts over a stretch of reports (a year, a month). */
struct tally {
	long long reports, pass, fail, unreadable, met, drift;
};

static void tally_add(struct tally *t, const struct day *d)
{
	t->reports++;
	if (d->status == DAY_PASS)
		t->pass++;
	else if (d->status == DAY_FAIL)
		t->fail++;
	else
		t->unreadable++;
	if (d->status == DAY_PASS && d->met)
		t->met++;
	if (d->status != DAY_UNREADABLE && d->drift > 0)
		t->drift += d->drift;
}

static void tally_row(struct strbuf *o, const struct tally *t)
{
	sb_addf(o, " %lld | %lld | %lld | %lld | %lld | %lld |\n", t->reports, t->pass, t->fail,
		t->unreadable, t->met, t->drift);
}

/* The day number of a report (parsed from its date: d->day may be unset in
 * a hand-built history). */
static long day_number(const struct day *d)
{
	long n = 0;

	if (date_parse(d->date, &n) < 0)
		return d->day;
	return n;
}

static int year_of(const struct day *d)
{
	return atoi(d->date);
}

/* The years with reports, ascending (see render.h). */
size_t render_years(const struct history *h, int **years)
{
	size_t i, n = 0;

	*years = NULL;
	for (i = 0; i < h->ndays; i++) {
		int y = year_of(&h->days[i]);

		if (n && (*years)[n - 1] == y)
			continue;
		*years = xrealloc(*years, (n + 1) * sizeof(**years));
		(*years)[n++] = y;
	}
	return n;
}

/* The index page's class: "index" and the latest report's gate class. */
const char *render_index_class(const struct history *h)
{
	const struct day *d;

	if (!h->ndays)
		return "index";
	d = &h->days[h->ndays - 1];
	if (d->status == DAY_FAIL)
		return "index gate-fail";
	if (d->status != DAY_PASS || d->baseline)
		return "index gate-baseline";
	return d->met ? "index gate-met" : "index gate-pass";
}

/* One report's row: date (linked), gate status, drift, streak, met, notes. */
static void index_row(struct strbuf *out, const struct day *d, const char *link_ext)
{
	if (d->status == DAY_UNREADABLE) {
		sb_addf(out, "| %s | unreadable | — | — | — | ", d->date);
		md_text(out, d->error ? d->error : "unreadable");
		sb_puts(out, " |\n");
		return;
	}
	if (link_ext)
		sb_addf(out, "| [%s](%s%s) | ", d->date, d->date, link_ext);
	else
		sb_addf(out, "| %s | ", d->date);
	sb_addf(out, "%s | ", md_day_cell(d->status));
	if (d->drift < 0)
		sb_puts(out, "— | ");
	else
		sb_addf(out, "%lld | ", d->drift);
	sb_addf(out, "%lld | %s | %s |\n", d->streak, d->met ? "yes" : "no",
		d->baseline ? "baseline" : "");
}

/* Reports days[lo..hi) newest first, as a table. */
static void index_table(struct strbuf *out, const struct history *h, size_t lo, size_t hi,
			const char *link_ext)
{
	size_t i;

	sb_puts(out, "| date | gate status | drift | streak | gate met | notes |\n"
		     "|---|---|--:|--:|---|---|\n");
	for (i = hi; i-- > lo;)
		index_row(out, &h->days[i], link_ext);
	sb_putc(out, '\n');
}

/* The daily chart of the calendar days from..to (HTML page only). */
static void index_day_chart(struct strbuf *out, const struct history *h, size_t lo, size_t hi,
			    const struct index_page *p, const char *title)
{
	struct strbuf html;
	struct chart_day *days;
	long from, to, day;
	size_t n, i, k = lo;

	if (!p->inserts || lo >= hi)
		return;
	from = day_number(&h->days[lo]);
	to = day_number(&h->days[hi - 1]);
	if (to < from)
		return;
	n = (size_t)(to - from + 1);
	days = xcalloc(n, sizeof(*days));
	for (i = 0, day = from; i < n; i++, day++) {
		struct chart_day *c = &days[i];

		date_format(day, c->date);
		c->status = DAY_MISSING;
		c->drift = -1;
		c->streak = -1;
		while (k < hi && day_number(&h->days[k]) < day)
			k++;
		if (k < hi && day_number(&h->days[k]) == day) {
			const struct day *d = &h->days[k];

			c->status = d->status;
			c->baseline = d->baseline;
			c->drift = d->status == DAY_UNREADABLE ? -1 : d->drift;
			c->streak = d->status == DAY_UNREADABLE ? -1 : d->streak;
		}
	}
	sb_init(&html);
	sb_puts(&html, "<figure class=\"days\">\n");
	svg_day_chart(&html, days, n, p->gate_days, title);
	sb_puts(&html, "<figcaption>Drift per day (a tall band mark is a fail, a short one a "
		       "pass, a dashed outline a day without a report) and the streak of clean "
		       "days against the gate; the numbers are in the table.</figcaption>\n"
		       "</figure>\n");
	html_inserts_add(p->inserts, out->len, html.buf);
	sb_release(&html);
	free(days);
}

/* The monthly chart of every report (HTML page only). */
static void index_month_chart(struct strbuf *out, const struct history *h,
			      const struct index_page *p)
{
	struct strbuf html;
	struct chart_month *m = NULL;
	size_t n = 0, i;
	int y, mo, ly, lm;

	if (!p->inserts || !h->ndays)
		return;
	y = year_of(&h->days[0]);
	mo = atoi(h->days[0].date + 5);
	ly = year_of(&h->days[h->ndays - 1]);
	lm = atoi(h->days[h->ndays - 1].date + 5);
	while (y < ly || (y == ly && mo <= lm)) {
		char ym[32];

		m = xrealloc(m, (n + 1) * sizeof(*m));
		memset(&m[n], 0, sizeof(*m));
		snprintf(ym, sizeof(ym), "%04d-%02d", y, mo);
		memcpy(m[n].month, ym, sizeof(m[n].month) - 1);
		n++;
		if (++mo > 12) {
			mo = 1;
			y++;
		}
	}
	for (i = 0; i < h->ndays; i++) {
		const struct day *d = &h->days[i];
		size_t at = (size_t)((year_of(d) - year_of(&h->days[0])) * 12 + atoi(d->date + 5) -
				     atoi(h->days[0].date + 5));

		if (at >= n)
			continue;
		if (d->status == DAY_PASS)
			m[at].pass++;
		else if (d->status == DAY_FAIL)
			m[at].fail++;
		else
			m[at].other++;
		if (d->status != DAY_UNREADABLE && d->drift > 0)
			m[at].drift += d->drift;
	}
	sb_init(&html);
	sb_puts(&html, "<figure class=\"months\">\n");
	svg_month_chart(&html, m, n, "Days passed and failed per month, every report");
	sb_puts(&html, "<figcaption>Days with a report per month: pass at the bottom, fail above "
		       "it, unreadable on top; the numbers are in the tables and on the year pages.</figcaption>\n</figure>\n");
	html_inserts_add(p->inserts, out->len, html.buf);
	sb_release(&html);
	free(m);
}

/* The latest report as the index's banner, with the git host's alert
 * marker in the Markdown file (the HTML page colours it instead). */
static void index_banner(struct strbuf *out, const struct history *h, const struct index_page *p)
{
	const struct day *d = &h->days[h->ndays - 1];
	const char *alert = d->status == DAY_FAIL ? "CAUTION"
			    : d->status != DAY_PASS ? "WARNING"
			    : d->baseline ? "NOTE" : d->met ? "TIP" : "WARNING";

	if (!p->inserts)
		sb_addf(out, "> [!%s]\n", alert);
	if (d->status == DAY_UNREADABLE) {
		sb_addf(out, "> **Latest report: %s is unreadable** — ", d->date);
		md_text(out, d->error ? d->error : "unreadable");
		sb_puts(out, "\n\n");
		return;
	}
	sb_addf(out, "> **Latest report: [%s](%s%s) — ", d->date, d->date, p->link_ext);
	if (d->baseline)
		sb_puts(out, "baseline");
	else
		sb_addf(out, "Gate: %s", d->met ? "MET" : "NOT MET");
	sb_addf(out, "** — gate status **%s**; ", d->status == DAY_PASS ? "pass" : "FAIL");
	md_streak_words(out, d->streak, p->gate_days);
	if (d->drift >= 0)
		sb_addf(out, "; drift %lld", d->drift);
	sb_puts(out, ".\n\n");
}

/* index.md (see render.h). */
static void index_main(const struct history *h, const struct index_page *p, struct strbuf *out)
{
	size_t lo = h->ndays, i, ny;
	long newest = day_number(&h->days[h->ndays - 1]);
	int *years;
	char title[96];

	while (lo > 0 && day_number(&h->days[lo - 1]) > newest - INDEX_RECENT_DAYS)
		lo--;
	index_banner(out, h, p);
	findings_md_index(out, h);
	sb_addf(out, "## Latest reports\n\nThe reports of the last %d days, newest first",
		INDEX_RECENT_DAYS);
	if (lo > 0)
		sb_puts(out, "; earlier ones are on the year pages below");
	sb_puts(out, ".\n\n");
	snprintf(title, sizeof(title), "Drift and streak per day, %s to %s", h->days[lo].date,
		 h->days[h->ndays - 1].date);
	index_day_chart(out, h, lo, h->ndays, p, title);
	index_table(out, h, lo, h->ndays, p->link_ext);

	ny = render_years(h, &years);
	sb_puts(out, "## By year\n\n");
	if (lo > 0)
		index_month_chart(out, h, p);
	sb_puts(out, "| year | reports | pass | fail | unreadable | gate met | drift |\n"
		     "|---|--:|--:|--:|--:|--:|--:|\n");
	for (i = ny; i-- > 0;) {
		struct tally t = {0};
		size_t k;

		for (k = 0; k < h->ndays; k++)
			if (year_of(&h->days[k]) == years[i])
				tally_add(&t, &h->days[k]);
		sb_addf(out, "| [%d](index-%d%s) |", years[i], years[i], p->link_ext);
		tally_row(out, &t);
	}
	free(years);
}

/* index-YYYY.md (see render.h). */
static void index_year(const struct history *h, const struct index_page *p, struct strbuf *out)
{
	static const char *const month_names[] = {"January", "February", "March", "April", "May",
		"June", "July", "August", "September", "October", "November", "December"};
	struct tally months[12];
	size_t lo = 0, hi, i, ny;
	int *years, m;
	char title[96];

	while (lo < h->ndays && year_of(&h->days[lo]) < p->year)
		lo++;
	for (hi = lo; hi < h->ndays && year_of(&h->days[hi]) == p->year;)
		hi++;
	memset(months, 0, sizeof(months));
	for (i = lo; i < hi; i++) {
		m = atoi(h->days[i].date + 5);
		if (m >= 1 && m <= 12)
			tally_add(&months[m - 1], &h->days[i]);
	}
	ny = render_years(h, &years);
	sb_addf(out, "Years:");
	for (i = 0; i < ny; i++) {
		if (years[i] == p->year)
			sb_addf(out, " **%d**", years[i]);
		else
			sb_addf(out, " [%d](index-%d%s)", years[i], years[i], p->link_ext);
	}
	sb_puts(out, "\n\n");
	free(years);
	sb_addf(out, "## By month\n\n| month | reports | pass | fail | unreadable | gate met | drift |\n"
		     "|---|--:|--:|--:|--:|--:|--:|\n");
	for (m = 12; m-- > 0;) {
		if (!months[m].reports)
			continue;
		sb_addf(out, "| %s |", month_names[m]);
		tally_row(out, &months[m]);
	}
	sb_addf(out, "\n## Every report of %d\n\n", p->year);
	if (lo == hi) {
		sb_addf(out, "No report in %d.\n", p->year);
		return;
	}
	snprintf(title, sizeof(title), "Drift and streak per day, %s to %s", h->days[lo].date,
		 h->days[hi - 1].date);
	index_day_chart(out, h, lo, hi, p, title);
	index_table(out, h, lo, hi, p->link_ext);
}

/* An index page (see render.h).  Returns 0, or -1 on overflow. */
int render_index_page(const struct history *h, const struct index_page *page,
		      struct strbuf *out)
{
	struct index_page pg = *page, *p = &pg;

	if (!p->link_ext)
		p->link_ext = ".md";
	if (p->year && p->link_ext) {
		if (p->inserts)
			html_inserts_add(p->inserts, out->len,
					 "<nav class=\"pager\" aria-label=\"Reports\">\n");
		sb_addf(out, "[All reports](index%s)\n\n", p->link_ext);
		if (p->inserts)
			html_inserts_add(p->inserts, out->len, "</nav>\n");
	}
	sb_puts(out, "# ");
	md_text(out, p->title ? p->title : "recon report");
	if (p->year)
		sb_addf(out, " — %d\n\n", p->year);
	else
		sb_puts(out, " — reports\n\n");
	if (!h->ndays) {
		sb_puts(out, "No reports yet.\n");
		return out->overflow ? -1 : 0;
	}
	if (p->year)
		index_year(h, p, out);
	else
		index_main(h, p, out);
	return out->overflow ? -1 : 0;
}

/* index.md without charts or gate threshold (see render.h). */
int render_index_md(const struct history *h, const char *title, const char *link_ext,
		    struct strbuf *out)
{
	struct index_page p = { title, link_ext, 0, 0, NULL };

	return render_index_page(h, &p, out);
}
