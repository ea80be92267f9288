/*
 * render_svg.h: the charts of the HTML pages, drawn by recon as inline SVG.
 *
 * No script, no external reference, no font beyond the page's own: plain
 * shapes whose colours come from classes (pass, fail, none, streak, met,
 * axis) that the stylesheet colours for light, dark and print, with fill
 * attributes on the groups as a fallback for a custom stylesheet.  Colour is
 * never the only signal: a fail is also taller, a day without a report a
 * dashed outline, the gate a labelled dashed line.  Every chart opens with <title> and <desc>
 * (its text equivalent; the numbers are also in the page's tables), and
 * every piece of text from data goes through markup_text (md_escape.h).
 *
 * Each function appends one <svg> element to a strbuf owned by the caller
 * and returns nothing: an overflow shows as the strbuf's overflow flag.
 * Output is deterministic: integer coordinates, no clock, no locale.
 */
#ifndef RECON_RENDER_SVG_H
#define RECON_RENDER_SVG_H

#include "history.h"
#include "md_escape.h"
#include "util.h"

/* One calendar day of a chart. */
struct chart_day {
	char date[11];		/* YYYY-MM-DD */
	enum day_status status;	/* DAY_MISSING when there is no report */
	bool baseline;
	long long drift;	/* -1 when unknown */
	long long streak;	/* -1 when unknown */
	const char *word;	/* NULL, or the day's status in words (sparklines) */
	bool has_value;		/* a value check's number that day (sparklines) */
	double value;
};

/* One calendar month of the long chart. */
struct chart_month {
	char month[8];		/* YYYY-MM */
	int pass, fail, other;	/* days with a report of each kind */
	long long drift;	/* summed over the month's readable reports */
};

/* Daily drift bars over days[0..n) (consecutive calendar days, oldest
 * first) coloured by gate status, a status band under them, and the streak
 * beneath with the gate threshold (gate_days; 0: none) as a dashed line. */
void svg_day_chart(struct strbuf *o, const struct chart_day *days, size_t n, int gate_days,
		   const char *title);

/* Days with a report per month, stacked pass / fail / other, months[0..n)
 * consecutive and oldest first. */
void svg_month_chart(struct strbuf *o, const struct chart_month *months, size_t n,
		     const char *title);

/* The rolling window as a strip of day cells (date, status in words and as
 * a shape, drift); today's cell is outlined. */
void svg_window_strip(struct strbuf *o, const struct window_day *w, size_t n,
		      const char *today, const char *title);

/* A check's drift over days[0..n) as a line with a dot per day (a fail a
 * larger square, a day without data a gap).  When any day has a value (a
 * value check), the line is the value instead, scaled between the window's
 * smallest and largest value. */
void svg_sparkline(struct strbuf *o, const struct chart_day *days, size_t n, const char *title);

#endif
