/*
 * report.c: the day's report, built once per run from the run, its gate and
 * the history, and then read by every renderer and by the terminal lines
 * (see render.h).  Nothing here renders.
 */
#include "render.h"

#include <string.h>

/* Contract in render.h. */
void report_derive(struct report *r)
{
	recovery_plan(r->run, &r->plan);
	r->outcome = run_outcome(r->run);
}

/* Contract in render.h. */
void report_build(struct report *r, struct run *run, const struct gate *g,
		  const struct history *h)
{
	struct shadow *sh;
	struct skip_rate *sk;
	long today;

	memset(r, 0, sizeof(*r));
	r->run = run;
	r->gate = g;
	r->history = h;
	r->link_ext = ".md";
	date_parse(run->date, &today);
	r->previous = history_previous(h, today);
	r->nshadows = shadows_compute(h, run, &sh);
	r->shadows = sh;
	r->nskips = skip_rates_compute(h, run, &sk);
	r->skips = sk;
	report_derive(r);
}

/* Contract in render.h. */
void report_release(struct report *r)
{
	recovery_plan_release(&r->plan);
}

/* Contract in render.h. */
const char *report_check_id(const struct check_result *c)
{
	return c->cfg && c->cfg->id ? c->cfg->id : "";
}
