/*
 * render.h: the renderers, peers over the same results.  Each reads a
 * struct report (the day's run, its gate and the history before it) and
 * appends one format to a strbuf owned by the caller; none parses another's
 * output except render_html, which renders the Markdown with cmark-gfm (safe
 * mode: raw HTML in data never passes through) inside the page shell.
 *
 * Output is deterministic: no clock, no host, numbers formatted locale-free.
 */
#ifndef RECON_RENDER_H
#define RECON_RENDER_H

#include "history.h"
#include "md_escape.h"
#include "outcome.h"
#include "recovery.h"
#include "shadow.h"
#include "sweep.h"
#include "util.h"

/* recon's own HTML (charts, navigation) for a page rendered from Markdown:
 * each piece goes in between two blocks of the Markdown, before byte `at`.
 * Offsets are recorded while the Markdown is written, so nothing in the
 * Markdown's text (data) can ever place or forge one.  html_inserts_release
 * frees the pieces; a zeroed struct is empty. */
struct html_insert {
	size_t at;		/* offset in the Markdown: a block boundary */
	char *html;		/* malloc'd */
};

struct html_inserts {
	struct html_insert *v;	/* in order of at */
	size_t n;
};

/* Append html (copied) to go in at offset at. */
void html_inserts_add(struct html_inserts *ins, size_t at, const char *html);
void html_inserts_release(struct html_inserts *ins);

/* The day's report: what every renderer and the terminal lines read.
 * report_build fills it once per run; report_release frees what it owns
 * (the recovery plan).  A zeroed report is safe to release. */
struct report {
	const struct run *run;
	const struct gate *gate;
	const struct history *history;	/* days before and after run's date */
	const struct day *previous;	/* latest report before run's date, or NULL */
	const char *link_ext;	/* ".md" or ".html": links to other days */
	const struct shadow *shadows;	/* shadow pairs over the soak window */
	size_t nshadows;
	const struct skip_rate *skips;	/* checks with a precondition, over the window */
	size_t nskips;
	struct recovery_plan plan;	/* the day's recovery plan, owned */
	enum run_outcome outcome;	/* the exit policy's verdict on run */
};

/* Build the day's report of run, gate g and history h (all borrowed, and
 * used by the renderers later): the previous report, shadow agreement and
 * skip rates over their windows (arrays from run's arena), the recovery
 * plan and the outcome.  Links go to ".md" files until the caller says
 * otherwise.  It cannot fail. */
void report_build(struct report *r, struct run *run, const struct gate *g,
		  const struct history *h);
/* The parts of r that follow from r->run alone (the recovery plan and the
 * outcome), for a report whose other fields were set by hand; report_build
 * calls it.  Release the old plan first when calling it again. */
void report_derive(struct report *r);
void report_release(struct report *r);

/* A check's id as the reports name it: "" for a result without one. */
const char *report_check_id(const struct check_result *c);

/* The page shell and stylesheet: built in, or read from [report] templates.
 * shell.html holds the placeholders {{title}}, {{class}} and {{body}} (and
 * may hold {{css}}, the stylesheet inlined); the built-in shell links
 * style.css, which site_write puts beside the pages. */
struct templates {
	const char *shell;
	const char *css;
	char *owned_shell, *owned_css;	/* freed by templates_release */
};

/* No templates loaded: templates_release is safe on them. */
#define TEMPLATES_INIT { NULL, NULL, NULL, NULL }

int templates_load(struct templates *t, const char *dir, struct diag *d);	/* dir NULL: built-in */
void templates_release(struct templates *t);

/* The day's JSON, schema recon-report/1, ending with a newline. */
int render_json(const struct report *r, struct strbuf *out, struct diag *d);

/* The day's Markdown report. */
int render_md(const struct report *r, struct strbuf *out);

/* The same Markdown for the day's HTML page (r->link_ext ".html"), with
 * recon's HTML pieces added to ins: the navigation, the window strip under
 * the banner and a sparkline per check. */
int render_md_page(const struct report *r, struct html_inserts *ins, struct strbuf *out);

/* Markdown -> a whole HTML page (title escaped into the shell).  page_class
 * (may be NULL) fills the shell's {{class}} placeholder so the stylesheet can
 * colour the gate banner: render_page_class(r) for a day's page, "index" for
 * index.html. */
int render_html(const char *title, const char *page_class, const char *markdown,
		const struct templates *t, struct strbuf *out, struct diag *d);

/* The same, with recon's HTML pieces (NULL: none) in between blocks: each
 * stretch of Markdown between two offsets is rendered on its own, then the
 * piece follows it. */
int render_page(const char *title, const char *page_class, const char *markdown,
		const struct html_inserts *ins, const struct templates *t, struct strbuf *out,
		struct diag *d);

/* The page class of a day's report: "gate-baseline", "gate-fail",
 * "gate-met" (pass and gate met) or "gate-pass" (pass, streak too short). */
const char *render_page_class(const struct report *r);

/* index.md: every report of h, newest first, with gate status, drift and
 * streak, each linking to its day page (DATE + link_ext: the .md pages for
 * index.md, the .html pages for the Markdown that becomes index.html). */
int render_index_md(const struct history *h, const char *title, const char *link_ext,
		    struct strbuf *out);

/* An index page: index.md (year 0: the latest reports, a summary by year,
 * links to the year pages) or index-YYYY.md (every report of that year and
 * a summary by month).  Links go to DATE + link_ext and index-YYYY +
 * link_ext; with inserts, the charts of the HTML page are added there. */
struct index_page {
	const char *title;	/* [report] title */
	const char *link_ext;	/* ".md" or ".html" */
	int gate_days;		/* the gate's threshold, for the banner and charts */
	int year;		/* 0: index; else the year of index-YYYY */
	struct html_inserts *inserts;	/* NULL for the Markdown file */
};

#define INDEX_RECENT_DAYS 90	/* calendar days the index lists in full */

int render_index_page(const struct history *h, const struct index_page *p, struct strbuf *out);

/* The page class of an index page: "index" plus the latest report's gate
 * class ("index gate-fail", ...). */
const char *render_index_class(const struct history *h);

/* The years that have a report in h, oldest first, into *years (malloc'd,
 * freed by the caller, NULL when none); returns their number. */
size_t render_years(const struct history *h, int **years);

/* A sampled value longer than its format's cap is cut to at most max bytes
 * at a UTF-8 character boundary: sample_cut returns the length to keep of
 * s[0..len) (len when it fits).  The JSON keeps SAMPLE_JSON_BYTES of each
 * cell and then says "… [truncated, N bytes]" (N the whole value's length),
 * so no value, however large, can make the day's report too large to
 * write; the Markdown keeps fewer. */
#define SAMPLE_JSON_BYTES 4096
size_t sample_cut(const char *s, size_t len, size_t max);

/* Words the day's report and the index pages share (render_md.c): a day's
 * status as a table cell ("pass", "**FAIL**", "*warn*", "missing",
 * "unreadable"), and the streak in words: "streak 3 of 7 clean days" while
 * short of the gate, "streak 9 clean days (7 required)" once it is met,
 * "streak 2 clean days" with no gate known (required 0). */
const char *md_day_cell(enum day_status s);
void md_streak_words(struct strbuf *o, long long streak, int required);
/* one when n is 1, else many: "1 day", "2 days". */
const char *md_plural(long long n, const char *one, const char *many);

/* The day's report over its rolling window (render_window.c).  md_window:
 * the "Rolling window" section (each day's gate status and drift, the
 * streak, every check's drift per day, and on the HTML page a sparkline
 * per check).  md_window_strip: the window as day cells under the banner;
 * md_window_spark: check c's sparkline beside its failing details.  Both
 * are HTML only: nothing when ins is NULL. */
void md_window(const struct report *r, struct html_inserts *ins, struct strbuf *o);
void md_window_strip(const struct report *r, struct html_inserts *ins, struct strbuf *o);
void md_window_spark(const struct report *r, struct html_inserts *ins, struct strbuf *o,
		     const struct check_result *c);

/* A compare check's changed rows explained (render_changes.c): a leading
 * line ("3 changed: all in payment_date, all shifted by +02:00 (time
 * zone)") and a table of the columns that differ, largest first, with
 * their share of the rows compared and the classes of their values.
 * Nothing when no row changed; the table ends with its last row. */
void md_changes(struct strbuf *o, const struct check_result *c);

/* The leading line's words after "N changed: " ("all in payment_date; all
 * shifted by +02:00 (time zone)"), each column name written by name (which
 * escapes it for its format).  Nothing when no row changed. */
void changes_summary(struct strbuf *o, const struct check_result *c,
		     void (*name)(struct strbuf *o, const char *column));

/* A group's changed columns, largest first: "payment_date 3, amount 1". */
void md_group_columns(struct strbuf *o, const struct check_result *c,
		      const struct group_result *g);

#endif
