/*
 * pipeline.h: `recon run`, one day's pipeline from the configuration to the
 * written report: the report directory and its lock, the history, the
 * sweep, the day's report (report_build), the site, the metrics and the
 * lines on stdout.
 *
 * Everything it opens or allocates is released before it returns.  Its
 * result is the exit policy's verdict on the run (outcome.h), or
 * OUTCOME_TROUBLE when the run could not start or finish; main returns it.
 */
#ifndef RECON_PIPELINE_H
#define RECON_PIPELINE_H

#include "outcome.h"

/* What `recon run` was asked for (borrowed, from the command line). */
struct pipeline_opts {
	const char *config;	/* -c: the configuration file */
	const char *output;	/* -o, or NULL: [report] output_dir */
	const char *date;	/* the report's date, YYYY-MM-DD (valid) */
	const char *today;	/* today's date (UTC), YYYY-MM-DD */
	bool dated;		/* --date was given */
	bool baseline;		/* --baseline: read no source */
	const char **only;	/* --check ids, NULL-terminated; NULL: every check */
	size_t nonly;
	const char *metrics;	/* --metrics FILE, or NULL */
	bool quiet;		/* -q: print nothing but errors */
};

/* Run the day of po; errors are printed on stderr as "recon: ...". */
enum run_outcome pipeline_run(const struct pipeline_opts *po);

#endif
