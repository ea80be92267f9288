/*
 * shadow.h: the evidence a team needs before one check replaces another, or
 * before trusting a check with a precondition: agreement of each shadow
 * pair over the soak window, and each check's skip rate over the rolling
 * window.  Both are read from the history plus today's run; arrays and
 * strings come from the run's arena.
 *
 * A day counts for a pair when both checks are in that day's report (a
 * baseline report evaluated nothing and does not count; neither does an
 * unreadable one).  Each counted day is exactly one of: errors (either
 * errored), skipped (either skipped), agree (same status), disagree.
 */
#ifndef RECON_SHADOW_H
#define RECON_SHADOW_H

#include "history.h"
#include "sweep.h"

struct shadow_disagreement {
	char date[11];
	const char *status;	/* the shadow's */
	const char *of_status;	/* the original's */
};

struct shadow {
	const char *id;		/* the shadow check */
	const char *of;		/* the check it is meant to replace */
	long long days, agree, disagree, skipped, errors;
	double skip_rate;	/* skipped / days, 0 when no day */
	bool ready;		/* full soak window, no disagreement or error,
				 * skip rate at most max_skip_rate */
	bool disagree_today;
	struct shadow_disagreement *disagreements;	/* oldest first */
	size_t ndisagreements;
};

struct skip_rate {
	const char *id;
	long long days;		/* window days whose report holds the check */
	long long skipped;	/* of those, days it was skipped */
};

/* Shadow pairs of run (by shadow id), over cfg->soak_days days ending on
 * run's date. */
size_t shadows_compute(const struct history *h, struct run *run, struct shadow **out);

/* Skip counts of every check of run that has a precondition, over the
 * window_days days ending on run's date. */
size_t skip_rates_compute(const struct history *h, struct run *run, struct skip_rate **out);

#endif
