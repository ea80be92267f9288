/*
 * term.h: what `recon run` prints on stdout, one line per check and a
 * summary, for a person watching a terminal or reading a cron mail.
 *
 * Every function appends to a strbuf owned by the caller, except
 * term_print, which writes them on stdout.
 * Text from data (ids, group values, sample values, messages) is made safe
 * for a terminal here: control characters (C0, DEL, C1) become '?', invalid
 * UTF-8 becomes U+FFFD, so no value can move the cursor, change colours or
 * set the window title.  Colour is a flag the caller decides once with
 * term_colour_wanted.
 */
#ifndef RECON_TERM_H
#define RECON_TERM_H

#include "render.h"

/* Whether stdout (fd) gets colour: never when NO_COLOR is set and not empty;
 * always when CLICOLOR_FORCE is set and not "0" (for tests and pagers that
 * read colour); else only on a terminal whose TERM is not "dumb". */
bool term_colour_wanted(int fd);

/* One line per check of r's run, in id order: status word (coloured),
 * id, drift and its change since r->previous, then the largest groups, or
 * the error, skip reason or value. */
void term_checks(struct strbuf *o, const struct report *r, bool colour);

/* The day's summary line (gate, streak of N, counts, drift), then where the
 * report was written: "report: DIR/DATE.md" and the HTML page beside it. */
void term_summary(struct strbuf *o, const struct report *r, const char *outdir, bool colour);

/* The samples of r's checks that have some, each as a small aligned table
 * under the check's id (for --check), and a closing line saying that
 * nothing was written. */
void term_samples(struct strbuf *o, const struct report *r, bool colour);

/* What run prints on stdout: term_checks, then term_summary with outdir,
 * or term_samples when nothing was written (outdir NULL: --check).  -1
 * with d set when stdout could not take it. */
int term_print(const struct report *r, const char *outdir, struct diag *d);

#endif
