/*
 * recovery.h: the day's recovery plan, computed once from a run and read by
 * both the Markdown and the JSON renderer (recon.ini(5), "TARGETS AND THE
 * RECOVERY PLAN").
 *
 * Each failing check contributes its target with its recovery class.  Root
 * cause first: when a target has an ancestor (through [target] parent) that
 * is itself the target of a failing or erroring check, the finding goes to
 * the highest such ancestor, as recheck.  Each target is listed once, with
 * every check that led to it; recheck wins over reprocess.  A failing check
 * with a target but no recovery class counts as recheck (looking again is
 * the least that a finding asks for).
 *
 * recovery_plan fills a struct recovery_plan whose arrays and strings live in
 * its own arena (strings point into the run's config where they can);
 * recovery_plan_release frees them.  It cannot fail.
 */
#ifndef RECON_RECOVERY_H
#define RECON_RECOVERY_H

#include "config.h"
#include "sweep.h"
#include "util.h"

struct recovery_item {
	const char *target;	/* target name */
	enum recovery action;	/* RECOVERY_RECHECK or RECOVERY_REPROCESS */
	const char **checks;	/* ids of the failing checks that led here, sorted */
	size_t nchecks;
};

struct recovery_plan {
	struct recovery_item *recheck;	/* sorted by target */
	size_t nrecheck;
	struct recovery_item *reprocess;	/* sorted by target */
	size_t nreprocess;
	const char **untargeted;	/* failing checks without a target, by id */
	size_t nuntargeted;
	struct arena arena;	/* owns the arrays above */
};

/* Recovery follow-up: each target of the previous report's plan or of
 * today's, resolved (planned then, not today), planned again, or new
 * today, with the number of consecutive reports, today's included, whose
 * plan held it (for a resolved target: the run it ended).  A target planned
 * on REPAIR_CYCLE_DAYS or more consecutive reports is a repeated repair
 * cycle: its root cause is elsewhere.  The previous report is the latest
 * readable one before run's date; its recovery_followup carries the count
 * forward (a report without one counts as its target's first day). */
#define REPAIR_CYCLE_DAYS 3

enum followup_status { FOLLOWUP_NEW, FOLLOWUP_AGAIN, FOLLOWUP_RESOLVED };

struct followup_item {
	const char *target;
	enum recovery action;	/* today's; the previous report's when resolved */
	enum followup_status status;
	long long days;		/* consecutive reports planned */
	bool repeated;		/* days >= REPAIR_CYCLE_DAYS */
};

struct history;

/* The follow-up of run's plan against h (h->dir holds the JSON read),
 * sorted by target, into *out (run's arena); returns how many. */
size_t recovery_followup(const struct history *h, struct run *run, struct followup_item **out);

const char *followup_status_name(enum followup_status s);	/* "new", ... */

/* Compute run's recovery plan into plan (which the caller then releases). */
void recovery_plan(const struct run *run, struct recovery_plan *plan);
void recovery_plan_release(struct recovery_plan *plan);

#endif
