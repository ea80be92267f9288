/*
 * site.h: the report directory as a small static site.  One run writes the
 * day's files (DATE.json, DATE.md, DATE.html), the index (index.md,
 * index.html), the year pages (index-YYYY.md, .html) and the stylesheet
 * every page links (style.css, from the templates) whose bytes changed, all
 * at once through report_dir_write.
 *
 * Everything is rendered from one struct report; nothing here decides a
 * status or reads a source.
 */
#ifndef RECON_SITE_H
#define RECON_SITE_H

#include "history.h"
#include "render.h"
#include "report_dir.h"
#include "sweep.h"

#define SITE_STYLESHEET "style.css"	/* beside the pages, linked by the built-in shell */

/* Shadow agreement and skip rates of r, from the history and the run (arrays
 * from run's arena). */
void site_add_soak(struct report *r, const struct history *h, struct run *run);

/* Render and write every file of the day into rd.  h gets the run's own day
 * (history_put) so the index lists it.  -1 with d set; then no file of the
 * directory was changed. */
int site_write(struct report_dir *rd, struct run *run, struct history *h, const struct gate *g,
	       const struct templates *t, struct diag *d);

#endif
