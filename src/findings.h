/*
 * findings.h: findings over time (how long a check has been failing, its
 * findings new, resolved and oldest open: recon-report(5)).
 *
 * A finding is one violating row of a rows check (identified by its `key`
 * columns, all columns by default), one finding of a compare check (its
 * key) or a failing value check (one finding, keyed by the check's id).
 * Its key is the text of its key cells joined with ", " (SQL NULL as
 * "NULL"); a compare key's numbers are written in canonical form.
 *
 * The sweep keeps, per check, the [report] track smallest distinct keys in
 * a struct keyset.  findings_compute then gives every check its life: the
 * first day of its current run of failing reports, each drifting group's
 * since, each followed finding's first_seen, and the findings new today,
 * resolved today and oldest open.  All of it comes from the latest
 * readable report before the run's date (its `tracked` findings and group
 * `since`) and from the check statuses of the earlier reports: nothing is
 * kept anywhere but the report directory's JSON, so a backfill or a re-run
 * recomputes it from what is there.
 *
 * Ownership: a keyset's keys are malloc'd until keyset_take moves them into
 * a run's arena; everything findings_compute makes lives in the run's
 * arena.
 */
#ifndef RECON_FINDINGS_H
#define RECON_FINDINGS_H

#include "history.h"
#include "shadow.h"
#include "sweep.h"
#include "util.h"

/* ---- the sweep's side: the smallest distinct keys ---------------------- */

struct keyset {
	char **v;		/* sorted ascending (strcmp), at most cap */
	int *w;			/* per key: the waiver that matched it, -1 none */
	size_t n, cap;
	size_t alloc;		/* room in v */
	bool more;		/* a distinct key was left out */
};

void keyset_init(struct keyset *ks, size_t cap);
/* Offer the key s[0..len) (copied when kept) with the index of the waiver
 * that matched it (-1 none); a key already held is ignored.  A key longer
 * than FINDING_KEY_MAX bytes is kept as its first bytes, "… #" and a hash
 * of the whole key, so a finding of megabyte cells keeps a small identity. */
#define FINDING_KEY_MAX 256
void keyset_offer(struct keyset *ks, const char *s, size_t len, int waiver);
/* Move the keys into cr (cr->keys, nkeys, keys_more) from a; ks is then
 * empty and needs no release. */
void keyset_take(struct keyset *ks, struct check_result *cr, struct arena *a);
void keyset_release(struct keyset *ks);

/* ---- waivers ------------------------------------------------------------ */

/* Give cr the waivers of its check in force on date (expires after it),
 * from a. */
void waivers_prepare(struct check_result *cr, const struct config *cfg, const char *date,
		     struct arena *a);

/* The index in cr->waivers of the first waiver matching a finding with
 * key[0..klen) in group[0..glen) (group NULL: the check has none, or the
 * finding's group is SQL NULL, which no waiver names), counted
 * as one of its hits; -1 when none matches. */
int waivers_match(struct check_result *cr, const char *key, size_t klen, const char *group,
		  size_t glen);

/* After a check's evaluation: a failing value check matched by a waiver on
 * its id is waived; waived findings leave drift (the check's and each
 * group's), and a check whose findings are all waived passes.  true when
 * the drift changed: the caller then judges the check's status again
 * (thresholds and severity apply to the drift left). */
bool waivers_apply(struct check_result *cr);

/* Whether waiver w is expired on date (on or after its expires). */
bool waiver_expired(const struct waiver_cfg *w, const char *date);

/* Warnings for `validate` into out, one line each ("FILE:LINE: waiver
 * 'NAME' expires on DATE, in N days"; "... expired on DATE: ..."): every
 * waiver expired on today or expiring within WAIVER_WARN_DAYS of it.
 * Returns how many. */
#define WAIVER_WARN_DAYS 7
size_t waivers_warn(const struct config *cfg, const char *today, struct strbuf *out);

/* ---- the life of a check's findings ------------------------------------ */

struct finding_seen {
	const char *key;
	char first_seen[11];	/* YYYY-MM-DD */
	const struct waiver_cfg *waiver;	/* NULL when not waived */
};

struct finding_life {
	const char *failing_since;	/* first day of the current failing run, NULL */
	const char **group_since;	/* per cr->groups entry; NULL when it has no drift */
	struct finding_seen *open;	/* followed open findings, sorted by key */
	size_t nopen;
	bool open_more;		/* more findings are open than are followed */
	bool evaluated;		/* open is today's (false: carried from the previous report) */
	struct finding_seen *fresh;	/* new today, sorted by key */
	size_t nfresh;
	struct finding_seen *resolved;	/* open in the previous report, not today; by key */
	size_t nresolved;
	const struct finding_seen **oldest;	/* open, oldest first_seen first, then key */
	long oldest_age;	/* days since the oldest first_seen; -1 when none open */
	const char *previous;	/* the report compared with, NULL when none */
};

/* Fill run->checks[i].life for every check of run, from h (h->dir holds
 * the JSON it re-reads).  Arrays from run's arena. */
void findings_compute(const struct history *h, struct run *run);

/* Days from date a to date b (YYYY-MM-DD); 0 when either is not a date. */
long findings_days(const char *a, const char *b);

/* Whether a status as written ("fail", "warn") is a failing one. */
bool findings_failing_status(const char *status);

/* ---- the triage queue (render_findings.c) ------------------------------- */

/* A failing check's triage block in Markdown: for how many days it has
 * been failing, the findings new today, the oldest open ones and those
 * resolved today (at most samples of each, with first_seen and age). */
void findings_md_check(struct strbuf *o, const struct check_result *c, const char *today,
		       size_t samples);

/* The Waivers section: every waiver with its status (active, expired) and
 * how many findings it waived today, their reasons, those that match
 * nothing, and the waived findings followed (at most samples). */
void findings_md_waivers(struct strbuf *o, const struct run *run, size_t samples);

/* The Episodes part of the shadow checks' section: each episode of each
 * shadow with its adjudication; nothing when there is none. */
void findings_md_episodes(struct strbuf *o, const struct shadow *sh, size_t n);

/* The recovery plan's Follow-up part: each target of the previous report's
 * plan and of today's, its status and consecutive days planned, repeated
 * repair cycles flagged; nothing when there is none. */
void findings_md_followup(struct strbuf *o, const struct gate *g);

/* The index's table of the checks failing in h's latest report, with the
 * day each began failing and for how many days; nothing when none. */
void findings_md_index(struct strbuf *o, const struct history *h);

#endif
