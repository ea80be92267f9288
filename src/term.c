/*
 * term.c: the lines `recon run` prints (see term.h).
 *
 * A check's line reads left to right as a person scans it: the status word
 * (coloured when asked), the id, "drift N (+D)" with the change since the
 * previous report, then what explains it: the largest groups, the error,
 * the skip reason or the value.  Columns are padded to the widest entry so
 * a list of checks reads as a table; widths count code points, which is
 * close enough for ids and numbers.
 */
#include "term.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define TERM_ID_COLS 40		/* an id wider than this is not padded further */
#define TERM_GROUPS 3		/* largest groups named on a check's line */
#define TERM_TEXT_COLS 120	/* an error or reason longer than this is cut */
#define TERM_CELL_COLS 32	/* a sample value wider than this is cut */

#define SGR_RESET "\033[0m"
#define SGR_GREEN "\033[32m"
#define SGR_RED "\033[1;31m"
#define SGR_YELLOW "\033[33m"
#define SGR_MAGENTA "\033[1;35m"
#define SGR_DIM "\033[2m"
#define SGR_BOLD "\033[1m"

/* Colour when the user asked for it (see term.h). */
bool term_colour_wanted(int fd)
{
	const char *no = getenv("NO_COLOR"), *force = getenv("CLICOLOR_FORCE");
	const char *term = getenv("TERM");

	if (no && *no)
		return false;
	if (force && *force && strcmp(force, "0") != 0)
		return true;
	return isatty(fd) && !(term && strcmp(term, "dumb") == 0);
}

/* Append s made safe for a terminal, at most max code points (a cut ends
 * with "…"); returns the code points written. */
static size_t term_text(struct strbuf *o, const char *s, size_t max)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	size_t len = strlen((const char *)p), i = 0, cols = 0;

	while (i < len) {
		size_t run = utf8_valid_prefix(p + i, len - i), end = i + run;

		while (i < end) {
			size_t n = p[i] < 0x80 ? 1 : p[i] < 0xE0 ? 2 : p[i] < 0xF0 ? 3 : 4;

			if (cols + 1 == max && i + n < len) {
				sb_puts(o, "…");
				return cols + 1;
			}
			if (p[i] < 0x20 || p[i] == 0x7f || (p[i] == 0xC2 && p[i + 1] < 0xA0))
				sb_putc(o, '?');	/* C0, DEL and C1 controls */
			else
				sb_add(o, p + i, n);
			i += n;
			cols++;
		}
		if (i < len) {
			if (cols + 1 == max && i + 1 < len) {
				sb_puts(o, "…");
				return cols + 1;
			}
			sb_puts(o, "\xEF\xBF\xBD");
			cols++;
			i++;
		}
	}
	return cols;
}

/* A column name in a check's line (changes_summary's writer). */
static void term_name(struct strbuf *o, const char *column)
{
	term_text(o, column, TERM_CELL_COLS);
}

/* Code points term_text would write for s (uncut). */
static size_t text_cols(const char *s)
{
	struct strbuf tmp;
	size_t n;

	sb_init(&tmp);
	n = term_text(&tmp, s, (size_t)-1);
	sb_release(&tmp);
	return n;
}

static void pad(struct strbuf *o, size_t have, size_t want)
{
	while (have++ < want)
		sb_putc(o, ' ');
}

static const char *status_word(enum status s)
{
	switch (s) {
	case STATUS_PASS:
		return "PASS";
	case STATUS_FAIL:
		return "FAIL";
	case STATUS_ERROR:
		return "ERROR";
	case STATUS_SKIPPED:
		return "SKIPPED";
	case STATUS_WARN:
		return "WARN";
	}
	return "?";
}

static const char *status_sgr(enum status s)
{
	switch (s) {
	case STATUS_PASS:
		return SGR_GREEN;
	case STATUS_FAIL:
		return SGR_RED;
	case STATUS_ERROR:
		return SGR_YELLOW;
	case STATUS_SKIPPED:
		return SGR_DIM;
	case STATUS_WARN:
		return SGR_MAGENTA;
	}
	return "";
}

/* word padded to width, in sgr when colour is on. */
static void painted(struct strbuf *o, const char *word, const char *sgr, size_t width,
		    bool colour)
{
	if (colour)
		sb_puts(o, sgr);
	sb_puts(o, word);
	if (colour)
		sb_puts(o, SGR_RESET);
	pad(o, strlen(word), width);
}

/* c's entry in the previous readable report, or NULL. */
static const struct day_check *previous_check(const struct report *r,
					      const struct check_result *c)
{
	const struct day *prev = r->previous;

	if (!prev || prev->status == DAY_UNREADABLE)
		return NULL;
	return history_day_check(prev, report_check_id(c));
}

/* "drift N" and, against the previous readable report, " (+D)", " (new)";
 * nothing for a check that asserted nothing (error, skipped). */
static void drift_field(struct strbuf *o, const struct report *r, const struct check_result *c)
{
	const struct day_check *pc = previous_check(r, c);

	if (c->status == STATUS_ERROR || c->status == STATUS_SKIPPED)
		return;
	sb_addf(o, "drift %lld", c->drift);
	if (!r->previous || r->previous->status == DAY_UNREADABLE || r->run->baseline)
		return;
	if (pc)
		sb_addf(o, " (%+lld)", c->drift - pc->drift);
	else
		sb_puts(o, " (new)");
}

static int cmp_group_drift(const void *a, const void *b)
{
	const struct group_result *const *x = a, *const *y = b;

	if ((*x)->drift != (*y)->drift)
		return (*x)->drift > (*y)->drift ? -1 : 1;
	return *x < *y ? -1 : *x > *y;	/* groups[] is sorted by group already */
}

/* The largest groups: "t-001 9, t-007 3, +4 more". */
static void largest_groups(struct strbuf *o, const struct check_result *c)
{
	const struct group_result **v;
	size_t i, n = 0;

	v = xcalloc(c->ngroups + 1, sizeof(*v));
	for (i = 0; i < c->ngroups; i++)
		if (c->groups[i].drift > 0)
			v[n++] = &c->groups[i];
	qsort(v, n, sizeof(*v), cmp_group_drift);
	for (i = 0; i < n && i < TERM_GROUPS; i++) {
		if (i)
			sb_puts(o, ", ");
		term_text(o, v[i]->group ? v[i]->group : "NULL", TERM_CELL_COLS);
		sb_addf(o, " %lld", v[i]->drift);
	}
	if (n > TERM_GROUPS)
		sb_addf(o, ", +%zu more", n - TERM_GROUPS);
	free(v);
}

/* What explains a check's status, after its drift. */
static void check_note(struct strbuf *o, const struct report *r, const struct check_result *c)
{
	const struct day_check *pc = previous_check(r, c);
	char num[32];

	switch (c->status) {
	case STATUS_ERROR:
		term_text(o, c->error ? c->error : "unknown error", TERM_TEXT_COLS);
		return;
	case STATUS_SKIPPED:
		if (c->skip_reason)
			term_text(o, c->skip_reason, TERM_TEXT_COLS);
		return;
	default:
		break;
	}
	if (c->cfg && c->cfg->kind == KIND_VALUE && c->has_value) {
		format_double(c->value, num);
		sb_addf(o, "value %s", num);
		if (pc && pc->has_value && pc->value != c->value) {
			format_double(pc->value, num);
			sb_addf(o, " (was %s)", num);
		}
		if (c->ngroups)
			sb_puts(o, "; ");
	}
	if (c->cfg && c->cfg->kind == KIND_COMPARE && c->drift > 0) {
		sb_addf(o, "%lld missing, %lld extra, %lld changed", c->missing, c->extra,
			c->changed);
		if (c->changed > 0 && c->ncolumn_changes) {
			sb_puts(o, ": ");
			changes_summary(o, c, term_name);
		}
		if (c->ngroups)
			sb_puts(o, "; ");
	}
	largest_groups(o, c);
}

/* One line per check (see term.h). */
void term_checks(struct strbuf *o, const struct report *r, bool colour)
{
	const struct run *run = r->run;
	struct strbuf field;
	size_t i, idw = 0, dw = 0;

	sb_init(&field);
	for (i = 0; i < run->nchecks; i++) {
		size_t w = text_cols(report_check_id(&run->checks[i]));

		if (w > idw)
			idw = w < TERM_ID_COLS ? w : TERM_ID_COLS;
		sb_reset(&field);
		drift_field(&field, r, &run->checks[i]);
		if (field.len > dw)
			dw = field.len;
	}
	for (i = 0; i < run->nchecks; i++) {
		const struct check_result *c = &run->checks[i];
		size_t at;

		painted(o, status_word(c->status), status_sgr(c->status), 9, colour);
		pad(o, term_text(o, report_check_id(c), (size_t)-1), idw + 2);
		sb_reset(&field);
		drift_field(&field, r, c);
		sb_add(o, field.buf, field.len);
		pad(o, field.len, dw + 2);
		at = o->len;
		check_note(o, r, c);
		if (o->len == at)	/* nothing to add: no trailing blanks */
			while (o->len && o->buf[o->len - 1] == ' ')
				o->buf[--o->len] = '\0';
		sb_putc(o, '\n');
	}
	sb_release(&field);
}

/* The summary and where the report is (see term.h). */
void term_summary(struct strbuf *o, const struct report *r, const char *outdir, bool colour)
{
	const struct run *run = r->run;
	const struct gate *g = r->gate;
	bool pass = run->gate == STATUS_PASS;

	sb_addf(o, "%s: gate ", run->date);
	painted(o, pass ? "pass" : "fail", pass ? SGR_GREEN : SGR_RED, 0, colour);
	sb_addf(o, ", streak %lld of %d (", g->streak, g->required);
	painted(o, g->met ? "met" : "not met", g->met ? SGR_GREEN : SGR_YELLOW, 0, colour);
	sb_addf(o, "); %zu %s: %zu pass, %zu fail, ", run->nchecks,
		run->nchecks == 1 ? "check" : "checks", run->npass, run->nfail);
	if (run->nwarn)	/* only where some check has thresholds or severity */
		sb_addf(o, "%zu warn, ", run->nwarn);
	sb_addf(o, "%zu error, %zu skipped; drift %lld%s\n", run->nerror, run->nskipped,
		run->drift, run->baseline ? " (baseline)" : "");
	if (!run->baseline && pass && !g->asserted) {
		painted(o, "nothing asserted", SGR_YELLOW, 0, colour);
		sb_puts(o, ": every gating check was skipped\n");
	}
	if (g->config_changed && g->config_since)
		sb_addf(o, "configuration changed since %s (%zu %s added, %zu removed)\n",
			g->config_since, g->nchecks_added,
			g->nchecks_added == 1 ? "check" : "checks", g->nchecks_removed);
	sb_puts(o, "report: ");
	term_text(o, outdir, (size_t)-1);
	sb_addf(o, "/%s.md\n        ", run->date);
	term_text(o, outdir, (size_t)-1);
	sb_addf(o, "/%s.html\n", run->date);
}

/* A sample cell as a pipe table holds it: "|" escaped, SQL NULL as NULL.
 * malloc'd. */
static char *table_cell(const char *v)
{
	struct strbuf sb;

	sb_init(&sb);
	if (!v)
		sb_puts(&sb, "NULL");
	for (; v && *v; v++) {
		if (*v == '|')
			sb_putc(&sb, '\\');
		sb_putc(&sb, *v);
	}
	return sb_detach(&sb, NULL);
}

/* One check's samples as an aligned GFM pipe table: readable on a
 * terminal, and the partial report stays Markdown. */
static void sample_table(struct strbuf *o, const struct check_result *c, bool colour)
{
	size_t *w = xcalloc(c->ncolumns, sizeof(*w)), j, k;
	char **cells = xcalloc((c->nsamples + 1) * c->ncolumns, sizeof(*cells));

	for (k = 0; k < c->ncolumns; k++) {
		for (j = 0; j <= c->nsamples; j++) {
			char *v = table_cell(j ? c->samples[j - 1][k] : c->columns[k]);
			size_t n = text_cols(v);

			cells[j * c->ncolumns + k] = v;
			if (n > w[k])
				w[k] = n < TERM_CELL_COLS ? n : TERM_CELL_COLS;
		}
		if (w[k] < 3)
			w[k] = 3;
	}
	for (j = 0; j <= c->nsamples; j++) {
		sb_puts(o, "|");
		for (k = 0; k < c->ncolumns; k++) {
			bool dim = j && !c->samples[j - 1][k] && colour;
			bool bold = !j && colour;
			size_t n;

			sb_putc(o, ' ');
			if (bold || dim)
				sb_puts(o, bold ? SGR_BOLD : SGR_DIM);
			n = term_text(o, cells[j * c->ncolumns + k], TERM_CELL_COLS);
			if (bold || dim)
				sb_puts(o, SGR_RESET);
			pad(o, n, w[k]);
			sb_puts(o, " |");
		}
		sb_putc(o, '\n');
		if (j == 0) {
			sb_puts(o, "|");
			for (k = 0; k < c->ncolumns; k++) {
				sb_putc(o, ' ');
				for (size_t d = 0; d < w[k]; d++)
					sb_putc(o, '-');
				sb_puts(o, " |");
			}
			sb_putc(o, '\n');
		}
	}
	for (j = 0; j < (c->nsamples + 1) * c->ncolumns; j++)
		free(cells[j]);
	free(cells);
	free(w);
}

/* The samples of the checks that have some (see term.h). */
void term_samples(struct strbuf *o, const struct report *r, bool colour)
{
	const struct run *run = r->run;
	size_t i;

	for (i = 0; i < run->nchecks; i++) {
		const struct check_result *c = &run->checks[i];

		if (!c->nsamples || !c->ncolumns)
			continue;
		sb_putc(o, '\n');
		term_text(o, report_check_id(c), (size_t)-1);
		sb_addf(o, ": %zu of %lld %s\n\n", c->nsamples, c->drift,
			c->drift == 1 ? "finding" : "findings");
		sample_table(o, c, colour);
	}
	sb_addf(o, "\n%zu %s evaluated (--check); nothing was written.\n", run->nchecks,
		run->nchecks == 1 ? "check was" : "checks were");
}

/* Contract in term.h. */
int term_print(const struct report *r, const char *outdir, struct diag *d)
{
	struct strbuf sb;
	bool colour = term_colour_wanted(STDOUT_FILENO);
	int ret = 0;

	sb_init(&sb);
	term_checks(&sb, r, colour);
	if (outdir)
		term_summary(&sb, r, outdir, colour);
	else
		term_samples(&sb, r, colour);
	if (fwrite(sb.buf, 1, sb.len, stdout) != sb.len || fflush(stdout) != 0)
		ret = diag_error(d, "standard output: %s", strerror(errno));
	sb_release(&sb);
	return ret;
}
