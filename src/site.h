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

/* Render the day's report r (report_build) and write every file of the day
 * into rd.  h, r's history, gets the run's own day (history_put) so the
 * index lists it, and r->previous is pointed into h again.  -1 with d set;
 * then no file of the directory was changed. */
int site_write(struct report_dir *rd, struct report *r, struct history *h,
	       const struct templates *t, struct diag *d);

#endif
