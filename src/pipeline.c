/*
 * pipeline.c: `recon run`, one day's pipeline (see pipeline.h).  Everything
 * that can stop the run (the configuration, the metrics file, the report
 * directory and its lock, the templates) is checked before any source is
 * read; the files of the day are written all at once by site_write.
 */
#include "pipeline.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "history.h"
#include "metrics.h"
#include "render.h"
#include "report_dir.h"
#include "site.h"
#include "sweep.h"
#include "term.h"

/* A run dated another day than today labels what a database holds now
 * with that day: say so (the report itself stays free of the clock). */
static void warn_backfill(const struct config *cfg, const struct sweep_opts *so,
			  const char *today)
{
	const char *live = sweep_live_source(cfg, so);

	if (live && strcmp(so->date, today) != 0)
		fprintf(stderr, "recon: warning: --date %s is not today (%s): source '%s' is read "
			"as it is now, and its data is reported as of %s\n", so->date, today, live,
			so->date);
}

/* Contract in pipeline.h. */
enum run_outcome pipeline_run(const struct pipeline_opts *po)
{
	struct config cfg;
	struct diag d = { "" };
	struct sweep_opts so = { 0 };
	struct report_dir rd = REPORT_DIR_INIT;
	struct history h = HISTORY_INIT;
	struct templates t = TEMPLATES_INIT;
	struct run run = RUN_INIT;
	struct gate g;
	struct report r = { 0 };	/* the day's report, built once */
	const char *outdir;
	long day;
	enum run_outcome status = OUTCOME_TROUBLE;

	if (config_load(&cfg, po->config, po->date, &d) < 0) {
		fprintf(stderr, "recon: %s\n", d.msg);
		return OUTCOME_TROUBLE;
	}
	outdir = po->output ? po->output : cfg.output_dir;
	if (po->metrics && write_probe(po->metrics, &d) < 0)
		goto fail;
	if (po->nonly == 0) {
		/* everything that can stop the run is checked before any source
		 * is read: the directory, its lock and the templates */
		if (report_dir_open(&rd, outdir, 30, &d) < 0 ||
		    templates_load(&t, cfg.templates, &d) < 0)
			goto fail;
	}
	date_parse(po->date, &day);
	/* the checks of the days the window and the soak look at, and the
	 * previous report's; older reports only for the streak and the index */
	if (history_load_recent(&h, outdir, day,
				cfg.window_days > cfg.soak_days ? cfg.window_days : cfg.soak_days,
				&d) < 0)
		goto fail;
	so.date = po->date;
	so.baseline = po->baseline;
	so.only = po->nonly ? po->only : NULL;
	so.progress = !po->quiet && isatty(2);
	so.previous = history_previous(&h, day);
	if (po->dated && !po->baseline && !po->quiet)
		warn_backfill(&cfg, &so, po->today);
	if (sweep_run(&run, &cfg, &so, &d) < 0)
		goto fail;
	history_gate(&h, &run, &g);
	report_build(&r, &run, &g, &h);
	if (po->nonly) {
		if (!po->quiet && term_print(&r, NULL, &d) < 0)
			goto fail;
		/* the checks evaluated, not the day's gate (metrics.h) */
		if (po->metrics && metrics_write(po->metrics, &run, &g, &d) < 0)
			goto fail;
	} else {
		if (site_write(&rd, &r, &h, &t, &d) < 0)
			goto fail;
		if (po->metrics && metrics_write(po->metrics, &run, &g, &d) < 0)
			goto fail;
		if (!po->quiet && term_print(&r, outdir, &d) < 0)
			goto fail;
	}
	for (size_t i = 0; i < run.nchecks; i++)
		if (run.checks[i].status == STATUS_ERROR)
			fprintf(stderr, "recon: check %s: %s\n", run.checks[i].cfg->id,
				run.checks[i].error);
	status = r.outcome;	/* the exit policy (outcome.h) */
	goto out;
fail:
	fprintf(stderr, "recon: %s\n", d.msg);
	status = OUTCOME_TROUBLE;
out:
	report_release(&r);
	sweep_release(&run);
	history_release(&h);
	templates_release(&t);
	report_dir_close(&rd);
	config_release(&cfg);
	return status;
}
