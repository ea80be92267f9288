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
 * Adjudications (config.h) name an episode by a date it holds: real-break
 * turns its disagreeing days into agreement; check-bug restarts the soak
 * on the day after the adjudication's date, so only the days from then on
 * count.
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

/* A run of consecutive days on which a shadow check disagreed with its
 * original, errored or was skipped, and its adjudication (NULL: none). */
enum episode_kind { EPISODE_DISAGREE, EPISODE_ERROR, EPISODE_SKIPPED };

struct shadow_episode {
	enum episode_kind kind;
	char first[11], last[11];
	long long days;
	const struct adjudication_cfg *adjudication;	/* the latest whose date it holds */
};

struct shadow {
	const char *id;		/* the shadow check */
	const char *of;		/* the check it is meant to replace */
	long long days, agree, disagree, skipped, errors;
	double skip_rate;	/* skipped / days, 0 when no day */
	bool ready;		/* full soak window, no unadjudicated disagreement,
				 * no error, skip rate at most max_skip_rate */
	long long adjudicated;	/* disagreeing days adjudicated real-break (in agree) */
	long long unadjudicated;	/* disagreeing days no adjudication covers */
	bool restarted;		/* a check-bug adjudication moved soak_from */
	char soak_from[11];	/* first day counted: the window's, or the day after
				 * the latest check-bug adjudication */
	struct shadow_episode *episodes;	/* in the soak window, oldest first */
	size_t nepisodes;
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

/* "disagree", "error" or "skipped". */
const char *episode_kind_name(enum episode_kind k);

/* "real-break" or "check-bug". */
const char *verdict_name(enum adjudication_verdict v);

/* Skip counts of every check of run that has a precondition, over the
 * window_days days ending on run's date. */
size_t skip_rates_compute(const struct history *h, struct run *run, struct skip_rate **out);

#endif
