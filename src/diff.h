/*
 * diff.h: `recon diff`, what changed between two days' JSON reports.
 *
 * A difference is a change in the gate status, in the configuration's
 * sha256 (the checks added and removed are named), in a check's presence,
 * status, drift or value (a line "- ID: value 0.5 → 8"), or in a group's
 * drift; dates, streak and window alone are not (the streak change is still
 * shown).  The summary is Markdown.
 */
#ifndef RECON_DIFF_H
#define RECON_DIFF_H

#include "util.h"

/* Compare DIR/A.json with DIR/B.json, appending the summary to out.
 * Returns 0 (no difference), 1 (differences) or -1 (trouble, d set). */
int diff_reports(const char *dir, const char *date_a, const char *date_b,
		 struct strbuf *out, struct diag *d);

/* The dates of the two newest reports in dir (DIR/YYYY-MM-DD.json, by
 * date), older first, for `recon diff` without dates.  -1 with d set when
 * dir cannot be read or holds fewer than two reports. */
int diff_newest(const char *dir, char older[11], char newer[11], struct diag *d);

/* recon diff: the report directory (output, or the [report] output_dir of
 * the configuration at config, loaded as of today), then DATE_A against
 * DATE_B, or the two newest reports when date_a is NULL; the summary on
 * stdout, an error on stderr.  Returns what diff_reports returns. */
int diff_command(const char *config, const char *output, const char *today,
		 const char *date_a, const char *date_b);

#endif
