/*
 * render_svg.c: inline SVG charts for the HTML pages (see render_svg.h).
 *
 * Every chart is a fixed-size drawing in integer user units (a viewBox the
 * stylesheet scales down on a narrow screen), opened by <title> and <desc>.
 * Shapes carry classes the stylesheet colours (pass, fail, none, streak,
 * met, gate, axis, cell) and sit in groups with a fill attribute as the
 * fallback colour.  Text from data (titles) is escaped by markup_text.  There
 * are no links inside the charts (tidy knows no <a href> in SVG): the
 * tables beside them link every day.
 */
#include "render_svg.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#define FALLBACK_PASS "#2da44e"
#define FALLBACK_FAIL "#cf222e"
#define FALLBACK_WARN "#bf8700"
#define FALLBACK_NONE "#8c959f"
#define FALLBACK_MET "#1a7f37"

static long clampl(long v, long lo, long hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

/* The height, out of full, of v on a scale to max: at least 2 for v > 0. */
static long scaled(long long v, long long max, long full)
{
	long h;

	if (v <= 0 || max <= 0)
		return 0;
	h = (long)((v * full + max / 2) / max);
	return h < 2 ? 2 : h > full ? full : h;
}

static const char *day_word(enum day_status s, bool baseline)
{
	if (baseline && s == DAY_PASS)
		return "pass (baseline)";
	switch (s) {
	case DAY_MISSING:
		return "no report";
	case DAY_PASS:
		return "pass";
	case DAY_FAIL:
		return "FAIL";
	case DAY_UNREADABLE:
		return "unreadable";
	case DAY_WARN:
		return "warn";
	}
	return "?";
}

/* Open an <svg> of w x h with its title and desc (desc: a finished text). */
static void svg_open(struct strbuf *o, const char *cls, long w, long h, const char *title,
		     const char *desc)
{
	sb_addf(o, "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart %s\" role=\"img\" "
		   "viewBox=\"0 0 %ld %ld\" width=\"%ld\" height=\"%ld\">\n<title>", cls, w, h, w, h);
	markup_text(o, title);
	sb_puts(o, "</title>\n<desc>");
	markup_text(o, desc);
	sb_puts(o, "</desc>\n");
}

/* ---- axis labels ------------------------------------------------------------- */

/* Labels are thinned by the room they take, so no two ever overlap: each
 * is given the width its characters need at font-size 10 (digits of the
 * common sans fonts are about 0.64 em; a little more is assumed) and is
 * drawn only when it fits inside the chart and clear of every label placed
 * before it.  The most useful labels are offered first. */
#define LABEL_CHAR_TENTHS 66	/* a character's width at font-size 10, in 0.1 units */
#define LABEL_GAP 6		/* room kept between two labels */
#define MAX_LABELS 64

struct labels {
	long x0[MAX_LABELS], x1[MAX_LABELS];	/* the spans placed */
	size_t n;
	long lo, hi;		/* the drawing's extent */
};

enum anchor { ANCHOR_START, ANCHOR_MIDDLE, ANCHOR_END };

/* Place a label of nchars at x: true (and recorded) when it fits. */
static bool label_place(struct labels *l, long x, enum anchor a, size_t nchars)
{
	long w = (long)nchars * LABEL_CHAR_TENTHS / 10 + 1;
	long x0 = a == ANCHOR_START ? x : a == ANCHOR_END ? x - w : x - w / 2, x1 = x0 + w;
	size_t i;

	if (x0 < l->lo || x1 > l->hi || l->n == MAX_LABELS)
		return false;
	for (i = 0; i < l->n; i++)
		if (x0 < l->x1[i] + LABEL_GAP && l->x0[i] < x1 + LABEL_GAP)
			return false;
	l->x0[l->n] = x0;
	l->x1[l->n] = x1;
	l->n++;
	return true;
}

static const char *const anchor_attr[] = {"", " text-anchor=\"middle\"", " text-anchor=\"end\""};

/* Draw text (nchars of s) at (x, y) when label_place lets it; true if drawn. */
static bool label(struct strbuf *o, struct labels *l, long x, long y, enum anchor a,
		  const char *s, int nchars)
{
	if (!label_place(l, x, a, (size_t)nchars))
		return false;
	sb_addf(o, "<text x=\"%ld\" y=\"%ld\"%s>%.*s</text>", x, y, anchor_attr[a], nchars, s);
	return true;
}

/* ---- daily chart ------------------------------------------------------------- */

#define DC_LEFT 56	/* room for the y labels and "gate N" */
#define DC_TOP 14	/* room for the drift panel's name */
#define DC_DRIFT 100	/* drift panel height */
#define DC_BAND 8	/* status band height */
#define DC_STREAK 48	/* streak panel height */
#define DC_BAR_MAX 36	/* a day's widest bar: a few days stay a few narrow bars */
#define DC_PLOT 720	/* the plot's width for many days */

/* The class (and fallback colour) a day's bar and band are drawn with;
 * the chart draws the groups in this order. */
enum day_group { GROUP_PASS, GROUP_FAIL, GROUP_NONE, NGROUPS };

static enum day_group day_group(const struct chart_day *d)
{
	if (d->status == DAY_FAIL)
		return GROUP_FAIL;
	if (d->status == DAY_PASS && !d->baseline)
		return GROUP_PASS;
	return GROUP_NONE;
}

static void day_title(struct strbuf *o, const struct chart_day *d)
{
	sb_addf(o, "<title>%s: %s", d->date, day_word(d->status, d->baseline));
	if (d->drift >= 0)
		sb_addf(o, ", drift %lld", d->drift);
	if (d->streak >= 0 && d->status != DAY_MISSING && d->status != DAY_UNREADABLE)
		sb_addf(o, ", streak %lld", d->streak);
	sb_puts(o, "</title>");
}

/* Daily drift, status band and streak over days[0..n) (see render_svg.h). */
void svg_day_chart(struct strbuf *o, const struct chart_day *days, size_t n, int gate_days,
		   const char *title)
{
	static const char *const group_class[NGROUPS] = {
		[GROUP_PASS] = "pass", [GROUP_FAIL] = "fail", [GROUP_NONE] = "none"
	};
	static const char *const group_fill[NGROUPS] = {
		[GROUP_PASS] = FALLBACK_PASS, [GROUP_FAIL] = FALLBACK_FAIL,
		[GROUP_NONE] = FALLBACK_NONE
	};
	struct strbuf desc;
	struct labels lab = { {0}, {0}, 0, 0, 0 };
	long bw, pw, w, h, base, band, sbase;
	long long maxd = 0, maxs = gate_days > 0 ? gate_days : 1, total = 0;
	size_t i, npass = 0, nfail = 0, nnone = 0, nmissing = 0, nmet = 0, maxi = 0;
	enum day_group g;

	if (!n)
		return;
	for (i = 0; i < n; i++) {
		const struct chart_day *d = &days[i];

		if (d->drift > maxd) {
			maxd = d->drift;
			maxi = i;
		}
		if (d->drift > 0)
			total += d->drift;
		if (d->streak > maxs)
			maxs = d->streak;
		if (d->status == DAY_MISSING)
			nmissing++;
		else if (day_group(d) == GROUP_PASS)
			npass++;
		else if (day_group(d) == GROUP_FAIL)
			nfail++;
		else
			nnone++;
		if (gate_days > 0 && d->streak >= gate_days && d->status == DAY_PASS)
			nmet++;
	}
	bw = clampl(DC_PLOT / (long)n, 2, DC_BAR_MAX);
	pw = bw * (long)n;
	w = DC_LEFT + pw + 8;
	if (w < 320)
		w = 320;
	base = DC_TOP + DC_DRIFT;
	band = base + 4;
	sbase = band + DC_BAND + 16 + DC_STREAK;	/* room for the streak panel's name */
	h = sbase + 18;
	lab.hi = w;

	sb_init(&desc);
	sb_addf(&desc, "%zu days from %s to %s: %zu pass, %zu fail", n, days[0].date,
		days[n - 1].date, npass, nfail);
	if (nnone)
		sb_addf(&desc, ", %zu baseline or unreadable", nnone);
	sb_addf(&desc, ", %zu without a report. Drift %lld in total", nmissing, total);
	if (maxd > 0)
		sb_addf(&desc, ", largest %lld on %s", maxd, days[maxi].date);
	sb_puts(&desc, ".");
	if (gate_days > 0)
		sb_addf(&desc, " The streak reached the gate of %d clean days on %zu %s.", gate_days,
			nmet, nmet == 1 ? "day" : "days");
	svg_open(o, "days", w, h, title, desc.buf);
	sb_release(&desc);

	/* axes and labels: the panels' names above them, the scale in the left
	 * margin, dates under the plot (first, last, then month starts) */
	sb_addf(o, "<g class=\"axis\" fill=\"" FALLBACK_NONE "\" stroke=\"none\" font-size=\"10\">"
		   "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%lld</text>"
		   "<text x=\"%d\" y=\"%ld\" text-anchor=\"end\">0</text>"
		   "<text x=\"%d\" y=\"%d\">drift</text>"
		   "<text x=\"%d\" y=\"%ld\">streak</text>",
		DC_LEFT - 4, DC_TOP + 4, maxd, DC_LEFT - 4, base, DC_LEFT, DC_TOP - 4, DC_LEFT,
		sbase - DC_STREAK - 5);
	label(o, &lab, DC_LEFT, h - 4, ANCHOR_START, days[0].date, 10);
	if (n > 1 && !label(o, &lab, DC_LEFT + pw, h - 4, ANCHOR_END, days[n - 1].date, 10))
		label(o, &lab, DC_LEFT + pw, h - 4, ANCHOR_END, days[n - 1].date + 5, 5);
	for (i = 1; i + 1 < n; i++) {
		long x = DC_LEFT + (long)i * bw;

		if (strcmp(days[i].date + 8, "01") != 0)
			continue;
		sb_addf(o, "<rect x=\"%ld\" y=\"%ld\" width=\"1\" height=\"4\"/>", x, sbase);
		label(o, &lab, x, h - 4, ANCHOR_MIDDLE, days[i].date, 7);
	}
	sb_puts(o, "</g>\n");
	sb_addf(o, "<g class=\"axis\" stroke=\"" FALLBACK_NONE "\" fill=\"none\">"
		   "<path d=\"M%d %ldH%ld\"/><path d=\"M%d %ldH%ld\"/></g>\n",
		DC_LEFT, base, DC_LEFT + pw, DC_LEFT, sbase, DC_LEFT + pw);

	/* drift bars and the status band, one group per class */
	for (g = 0; g < NGROUPS; g++) {
		sb_addf(o, "<g class=\"%s\" fill=\"%s\">", group_class[g], group_fill[g]);
		for (i = 0; i < n; i++) {
			const struct chart_day *d = &days[i];
			long x = DC_LEFT + (long)i * bw, bh = scaled(d->drift, maxd, DC_DRIFT - 2);
			long gap = bw > 3 ? 1 : 0;

			if (d->status == DAY_MISSING || day_group(d) != g)
				continue;
			sb_addf(o, "<g>");
			day_title(o, d);
			if (bh)
				sb_addf(o, "<rect x=\"%ld\" y=\"%ld\" width=\"%ld\" height=\"%ld\"/>", x,
					base - bh, bw - gap, bh);
			/* the band: a fail is tall, a pass short, the rest hollow */
			if (g == GROUP_FAIL)
				sb_addf(o, "<rect x=\"%ld\" y=\"%ld\" width=\"%ld\" height=\"%d\"/>", x,
					band, bw - gap, DC_BAND);
			else if (g == 0 || d->baseline)
				sb_addf(o, "<rect x=\"%ld\" y=\"%ld\" width=\"%ld\" height=\"3\"/>", x,
					band + DC_BAND - 3, bw - gap);
			else
				sb_addf(o, "<rect class=\"hollow\" x=\"%ld\" y=\"%ld\" width=\"%ld\" "
					   "height=\"%d\" fill=\"none\" stroke=\"" FALLBACK_NONE "\"/>",
					x, band, bw - gap, DC_BAND);
			sb_puts(o, "</g>");
		}
		sb_puts(o, "</g>\n");
	}
	/* days without a report: a dashed outline over the drift panel and the
	 * band, so a gap in the audit trail shows as a mark of its own, never
	 * as an empty stretch that reads like a quiet day */
	if (nmissing) {
		long gap = bw > 3 ? 1 : 0;

		sb_puts(o, "<g class=\"missing\" fill=\"none\" stroke=\"" FALLBACK_NONE "\" "
			   "stroke-dasharray=\"2 2\">");
		for (i = 0; i < n; i++)
			if (days[i].status == DAY_MISSING)
				sb_addf(o, "<g><title>%s: no report</title>"
					   "<rect x=\"%ld.5\" y=\"%d.5\" width=\"%ld\" height=\"%d\"/>"
					   "<rect x=\"%ld.5\" y=\"%ld.5\" width=\"%ld\" height=\"%d\"/></g>",
					days[i].date, DC_LEFT + (long)i * bw, DC_TOP + 2,
					clampl(bw - gap - 1, 1, DC_BAR_MAX), DC_DRIFT - 3,
					DC_LEFT + (long)i * bw, band, clampl(bw - gap - 1, 1, DC_BAR_MAX),
					DC_BAND - 1);
		sb_puts(o, "</g>\n");
	}

	/* the streak, and the gate as a labelled dashed line */
	sb_puts(o, "<g class=\"streak\" fill=\"" FALLBACK_NONE "\">");
	for (i = 0; i < n; i++) {
		const struct chart_day *d = &days[i];
		long sh = scaled(d->streak, maxs, DC_STREAK);
		bool met = gate_days > 0 && d->streak >= gate_days;

		if (!sh || d->status != DAY_PASS)
			continue;
		sb_addf(o, "<rect%s x=\"%ld\" y=\"%ld\" width=\"%ld\" height=\"%ld\"/>",
			met ? " class=\"met\" fill=\"" FALLBACK_MET "\"" : "", DC_LEFT + (long)i * bw,
			sbase - sh, bw, sh);
	}
	sb_puts(o, "</g>\n");
	if (gate_days > 0) {
		long gy = sbase - scaled(gate_days, maxs, DC_STREAK);

		sb_addf(o, "<g class=\"gate\" stroke=\"" FALLBACK_FAIL "\" fill=\"" FALLBACK_FAIL "\">"
			   "<path d=\"M%d %ldH%ld\" stroke-dasharray=\"6 3\" stroke-width=\"1.5\"/>"
			   "<text x=\"%d\" y=\"%ld\" text-anchor=\"end\" stroke=\"none\" "
			   "font-size=\"10\">gate %d</text></g>\n",
			DC_LEFT, gy, DC_LEFT + pw, DC_LEFT - 4, gy + 4, gate_days);
	}
	sb_puts(o, "</svg>\n");
}

/* ---- monthly chart ------------------------------------------------------------ */

/* Days with a report per month, stacked (see render_svg.h). */
void svg_month_chart(struct strbuf *o, const struct chart_month *months, size_t n,
		     const char *title)
{
	struct strbuf desc;
	long bw, pw, w, h, base, ph = 93;	/* 3 units per day of a 31-day month */
	struct labels lab = { {0}, {0}, 0, 0, 0 };
	size_t i;
	long long tp = 0, tf = 0, to = 0;

	if (!n)
		return;
	for (i = 0; i < n; i++) {
		tp += months[i].pass;
		tf += months[i].fail;
		to += months[i].other;
	}
	bw = clampl(720 / (long)n, 3, 40);
	pw = bw * (long)n;
	w = DC_LEFT + pw + 8;
	if (w < 320)
		w = 320;
	base = DC_TOP + ph;
	h = base + 18;
	lab.hi = w;
	sb_init(&desc);
	sb_addf(&desc, "%zu months from %s to %s: %lld days passed, %lld failed, %lld unreadable; "
		       "the rest had no report.",
		n, months[0].month, months[n - 1].month, tp, tf, to);
	svg_open(o, "months", w, h, title, desc.buf);
	sb_release(&desc);
	sb_addf(o, "<g class=\"axis\" fill=\"" FALLBACK_NONE "\" font-size=\"10\">"
		   "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">31</text>"
		   "<text x=\"%d\" y=\"%ld\" text-anchor=\"end\">0</text>"
		   "<text x=\"2\" y=\"%ld\">days</text>",
		DC_LEFT - 4, DC_TOP + 4, DC_LEFT - 4, base, DC_TOP + ph / 2);
	for (i = 0; i < n; i++) {
		long x = DC_LEFT + (long)i * bw;

		if (i && strcmp(months[i].month + 5, "01") != 0)
			continue;
		sb_addf(o, "<rect x=\"%ld\" y=\"%ld\" width=\"1\" height=\"4\"/>", x, base);
		label(o, &lab, x, h - 4, ANCHOR_START, months[i].month, 4);
	}
	sb_addf(o, "<path d=\"M%d %ldH%ld\" stroke=\"" FALLBACK_NONE "\"/></g>\n", DC_LEFT, base,
		DC_LEFT + pw);
	sb_puts(o, "<g class=\"stacks\">");
	for (i = 0; i < n; i++) {
		const struct chart_month *m = &months[i];
		long x = DC_LEFT + (long)i * bw, y = base, gap = bw > 4 ? 1 : 0;
		long hp = 3L * m->pass, hf = 3L * m->fail, ho = 3L * m->other;

		sb_addf(o, "<g><title>%s: %d pass, %d fail, %d other; drift %lld</title>", m->month,
			m->pass, m->fail, m->other, m->drift);
		if (hp) {
			y -= hp;
			sb_addf(o, "<rect class=\"pass\" fill=\"" FALLBACK_PASS "\" x=\"%ld\" y=\"%ld\" "
				   "width=\"%ld\" height=\"%ld\"/>", x, y, bw - gap, hp);
		}
		if (hf) {
			y -= hf;
			sb_addf(o, "<rect class=\"fail\" fill=\"" FALLBACK_FAIL "\" x=\"%ld\" y=\"%ld\" "
				   "width=\"%ld\" height=\"%ld\"/>", x, y, bw - gap, hf);
		}
		if (ho) {
			y -= ho;
			sb_addf(o, "<rect class=\"none\" fill=\"" FALLBACK_NONE "\" x=\"%ld\" y=\"%ld\" "
				   "width=\"%ld\" height=\"%ld\"/>", x, y, bw - gap, ho);
		}
		sb_puts(o, "</g>");
	}
	sb_puts(o, "</g>\n</svg>\n");
}

/* ---- the rolling window as day cells ------------------------------------------ */

/* A status as a shape centred on (cx, cy): a tick, a cross, a dash or a ring. */
static void status_shape(struct strbuf *o, enum day_status s, long cx, long cy)
{
	switch (s) {
	case DAY_PASS:
		sb_addf(o, "<path class=\"mark\" d=\"M%ld %ldl4 4l8 -9\"/>", cx - 6, cy);
		break;
	case DAY_FAIL:
		sb_addf(o, "<path class=\"mark\" d=\"M%ld %ldl10 10m0 -10l-10 10\"/>", cx - 5, cy - 5);
		break;
	case DAY_MISSING:
		sb_addf(o, "<path class=\"mark\" d=\"M%ld %ldh10\"/>", cx - 5, cy);
		break;
	case DAY_UNREADABLE:
		sb_addf(o, "<circle class=\"mark\" cx=\"%ld\" cy=\"%ld\" r=\"5\"/>", cx, cy);
		break;
	case DAY_WARN:	/* an exclamation mark */
		sb_addf(o, "<path class=\"mark\" d=\"M%ld %ldv7m0 3v2\"/>", cx, cy - 6);
		break;
	}
}

static const char *cell_class(enum day_status s)
{
	return s == DAY_PASS ? "pass" : s == DAY_FAIL ? "fail" : s == DAY_WARN ? "warn" : "none";
}

/* Does a text of nchars at font-size 11 (semi-bold) fit a cell cw wide? */
static bool cell_fits(long cw, size_t nchars)
{
	return (long)nchars * LABEL_CHAR_TENTHS * 12 / 100 + 8 <= cw;
}

/* The window as day cells (see render_svg.h). */
void svg_window_strip(struct strbuf *o, const struct window_day *w, size_t n,
		      const char *today, const char *title)
{
	struct strbuf desc;
	long cw, ch, width;
	bool words;
	size_t i, np = 0, nf = 0, nm = 0;

	if (!n)
		return;
	cw = clampl(770 / (long)n, 10, 110);
	words = cw >= 64;
	ch = words ? 66 : 28;
	width = cw * (long)n + 4;
	sb_init(&desc);
	sb_addf(&desc, "%zu days from %s to %s:", n, w[0].date, w[n - 1].date);
	for (i = 0; i < n; i++) {
		np += w[i].status == DAY_PASS;
		nf += w[i].status == DAY_FAIL;
		nm += w[i].status != DAY_PASS && w[i].status != DAY_FAIL;
		sb_addf(&desc, "%s %s %s", i ? ";" : "", w[i].date, day_word(w[i].status, false));
		if (w[i].drift >= 0)
			sb_addf(&desc, " (drift %lld)", w[i].drift);
	}
	sb_addf(&desc, ". %zu pass, %zu fail, %zu without a readable report.", np, nf, nm);
	svg_open(o, "window", width, ch + 4, title, desc.buf);
	sb_release(&desc);
	sb_puts(o, "<g font-size=\"11\" text-anchor=\"middle\" stroke-width=\"1\">");
	for (i = 0; i < n; i++) {
		const struct window_day *d = &w[i];
		long x = 2 + (long)i * cw, cx = x + cw / 2;
		bool is_today = strcmp(d->date, today) == 0;

		sb_addf(o, "<g class=\"cell %s%s\"><title>%s%s: %s", cell_class(d->status),
			is_today ? " today" : "", d->date, is_today ? " (today)" : "",
			day_word(d->status, false));
		if (d->drift >= 0)
			sb_addf(o, ", drift %lld", d->drift);
		sb_addf(o, "</title><rect x=\"%ld\" y=\"2\" width=\"%ld\" height=\"%ld\" rx=\"4\" "
			   "fill=\"%s\" stroke=\"#57606a\"%s/>",
			x + 1, cw - 3, ch, d->status == DAY_PASS ? "#dafbe1" : d->status == DAY_FAIL
			? "#ffebe9" : d->status == DAY_WARN ? "#fff8c5" : "#eef1f4", is_today ? " stroke-width=\"3\"" : "");
		status_shape(o, d->status, cx, 16);
		if (words) {
			/* each text only as long as its cell holds (font-size 11) */
			const char *word = d->status == DAY_MISSING ? "none" : day_word(d->status, false);
			char drift[32] = "";

			if (d->drift >= 0)
				snprintf(drift, sizeof(drift), " · %lld", d->drift);
			sb_addf(o, "<text x=\"%ld\" y=\"38\">%s</text>", cx,
				cell_fits(cw, 10) ? d->date : d->date + 5);
			sb_addf(o, "<text x=\"%ld\" y=\"54\" class=\"word\">%s%s</text>", cx, word,
				cell_fits(cw, strlen(word) + strlen(drift) - 1) ? drift : "");
		}
		sb_puts(o, "</g>");
	}
	sb_puts(o, "</g>\n</svg>\n");
}

/* ---- sparkline ------------------------------------------------------------------ */

/* A day's height on a sparkline of full pixels: its drift against max, or
 * (values) its value between vmin and vmax, a flat line at mid height. */
static long spark_y(const struct chart_day *d, bool values, long long max, double vmin,
		    double vmax, long full)
{
	if (!values)
		return scaled(d->drift, max, full);
	if (!d->has_value || !isfinite(d->value))
		return 0;
	if (vmax <= vmin)
		return full / 2;
	/* halves: the span of two finite doubles is finite */
	return (long)lround((d->value / 2 - vmin / 2) / (vmax / 2 - vmin / 2) * (double)full);
}

/* A check's drift over the window (see render_svg.h). */
void svg_sparkline(struct strbuf *o, const struct chart_day *days, size_t n, const char *title)
{
	struct strbuf desc;
	long step, w, h = 38, top = 6, ph = 26;
	long long max = 0;
	double vmin = 0, vmax = 0;
	size_t i;
	bool open = false, values = false;

	if (!n)
		return;
	for (i = 0; i < n; i++) {
		if (days[i].drift > max)
			max = days[i].drift;
		if (days[i].has_value && isfinite(days[i].value)) {
			if (!values || days[i].value < vmin)
				vmin = days[i].value;
			if (!values || days[i].value > vmax)
				vmax = days[i].value;
			values = true;
		}
	}
	step = n > 1 ? clampl(180 / (long)(n - 1), 3, 30) : 0;
	w = 16 + step * (long)(n - 1);
	sb_init(&desc);
	for (i = 0; i < n; i++) {
		const struct chart_day *d = &days[i];

		sb_addf(&desc, "%s%s: ", i ? "; " : "", d->date);
		if (values && d->has_value && isfinite(d->value)) {
			char text[32];

			format_double(d->value, text);
			sb_addf(&desc, "value %s (%s)", text,
				d->word ? d->word : day_word(d->status, false));
		} else if (d->drift >= 0 && (d->status == DAY_PASS || d->status == DAY_FAIL ||
					     d->status == DAY_WARN))
			sb_addf(&desc, "%lld (%s)", d->drift, d->word ? d->word : day_word(d->status, false));
		else
			sb_puts(&desc, d->word ? d->word : day_word(d->status, false));
	}
	sb_puts(&desc, ".");
	svg_open(o, "spark", w, h, title, desc.buf);
	sb_release(&desc);
	sb_addf(o, "<path class=\"axis\" d=\"M4 %ldH%ld\" stroke=\"" FALLBACK_NONE "\" "
		   "stroke-width=\"0.5\"/>\n", top + ph, w - 4);
	/* the line, broken where a day has no value */
	sb_puts(o, "<g class=\"line\" fill=\"none\" stroke=\"" FALLBACK_NONE "\" stroke-width=\"1.5\">");
	for (i = 0; i < n; i++) {
		const struct chart_day *d = &days[i];
		bool has = values ? d->has_value && isfinite(d->value)
				  : d->drift >= 0 && (d->status == DAY_PASS || d->status == DAY_FAIL ||
						      d->status == DAY_WARN);
		long x = 8 + (long)i * step, y = top + ph - spark_y(d, values, max, vmin, vmax, ph);

		if (!has) {
			if (open)
				sb_puts(o, "\"/>");
			open = false;
			continue;
		}
		if (open)
			sb_addf(o, " %ld,%ld", x, y);
		else
			sb_addf(o, "<polyline points=\"%ld,%ld", x, y);
		open = true;
	}
	if (open)
		sb_puts(o, "\"/>");
	sb_puts(o, "</g>\n");
	/* the days: pass a dot, fail a larger square, anything else a ring */
	for (i = 0; i < n; i++) {
		const struct chart_day *d = &days[i];
		bool has = values ? d->has_value && isfinite(d->value)
				  : d->drift >= 0 && (d->status == DAY_PASS || d->status == DAY_FAIL ||
						      d->status == DAY_WARN);
		long x = 8 + (long)i * step,
		     y = has ? top + ph - spark_y(d, values, max, vmin, vmax, ph) : top + ph;

		if (d->status == DAY_MISSING)
			continue;
		if (d->status == DAY_FAIL)
			sb_addf(o, "<rect class=\"fail\" fill=\"" FALLBACK_FAIL "\" x=\"%ld\" y=\"%ld\" "
				   "width=\"6\" height=\"6\"/>", x - 3, y - 3);
		else if (d->status == DAY_WARN)
			sb_addf(o, "<rect class=\"warn\" fill=\"" FALLBACK_WARN "\" x=\"%ld\" y=\"%ld\" "
				   "width=\"6\" height=\"6\"/>", x - 3, y - 3);
		else if (d->status == DAY_PASS)
			sb_addf(o, "<circle class=\"pass\" fill=\"" FALLBACK_PASS "\" cx=\"%ld\" "
				   "cy=\"%ld\" r=\"2\"/>", x, y);
		else
			sb_addf(o, "<circle class=\"hollow\" fill=\"none\" stroke=\"" FALLBACK_NONE "\" "
				   "cx=\"%ld\" cy=\"%ld\" r=\"2.5\"/>", x, y);
	}
	sb_puts(o, "</svg>\n");
}
