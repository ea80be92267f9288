/*
 * history.h: earlier days, read back from the report directory's JSON
 * files (never from the Markdown), and what follows from them: the rolling
 * window, the streak and the gate.
 *
 * history_load reads every DIR/YYYY-MM-DD.json; history_release frees it.
 * A file that cannot be parsed counts as a day with status "unreadable"
 * (it breaks a streak like a missing day) and keeps its error message.
 */
#ifndef RECON_HISTORY_H
#define RECON_HISTORY_H

#include "sweep.h"
#include "util.h"

/* DAY_WARN is a check's day only (a gate day is pass or fail). */
enum day_status { DAY_MISSING, DAY_PASS, DAY_FAIL, DAY_UNREADABLE, DAY_WARN };

struct day_check {
	const char *id;
	const char *status;	/* as written: "pass", "fail", ... */
	long long drift;
	bool has_value;		/* a value check that read a number */
	double value;
	const char *failing_since;	/* as recorded, NULL when absent or passing */
};

struct day {
	long day;		/* days since 1970-01-01 */
	char date[11];
	enum day_status status;
	bool baseline;
	long long drift;	/* summary.drift, -1 when unknown */
	long long streak;	/* as recorded in that report */
	bool met;
	const char *title;
	const char *error;	/* DAY_UNREADABLE: "FILE: why" */
	const char *config_sha256;	/* as recorded, NULL when absent */
	struct day_check *checks;	/* sorted by id */
	size_t nchecks;
	bool head_only;		/* only the keys before "checks" were read (no checks) */
};

struct history {
	struct day *days;	/* every report in the directory, oldest first */
	size_t ndays;
	const char *dir;	/* the report directory read (NULL when built in memory) */
	struct arena arena;
};

/* An empty history: history_release is safe on it. */
#define HISTORY_INIT { .days = NULL, .arena = ARENA_INIT }

/* Parse one day's report at path and check it is a readable
 * recon-report/1 of date: schema, date, gate.status pass or fail, integer
 * gate.streak and summary.drift.  Returns the parsed root (the caller
 * json_decref's it), or NULL with *why, from a, as "NAME:LINE: parse
 * error" or "NAME: reason".  One rule for the streak and for recon diff. */
struct json_t;
struct json_t *history_read_report(const char *path, const char *name, const char *date,
				   struct arena *a, const char **why);

/* Read dir.  A missing directory is an empty history.  -1 only when dir
 * exists but cannot be listed (d says why). */
int history_load(struct history *h, const char *dir, struct diag *d);

/* The same for a run on day today that looks at the checks of the last
 * keep_days days only: an earlier report's checks (and the findings they
 * follow) are not read, only its gate, summary and title (head_only), so a
 * run stays fast over years of reports; the latest readable report before
 * today is always read whole.  A report whose head cannot be read alone is
 * read whole. */
int history_load_recent(struct history *h, const char *dir, long today, long keep_days,
			struct diag *d);
void history_release(struct history *h);

/* The report for day, or NULL. */
const struct day *history_find(const struct history *h, long day);
/* The latest report strictly before day, or NULL. */
const struct day *history_previous(const struct history *h, long day);

/* The latest readable report strictly before day, or NULL. */
const struct day *history_previous_readable(const struct history *h, long day);
/* The check of day whose id is id, or NULL when day has none. */
const struct day_check *history_day_check(const struct day *day, const char *id);

/* The day's window, streak and gate, from run's gate status and the days of
 * h dated before run's date. */
struct window_day {
	char date[11];
	enum day_status status;
	long long drift;	/* -1 when missing or unreadable */
};

struct followup_item;

struct gate {
	long long streak;
	int required;
	bool met;
	struct window_day *window;	/* window_days entries, oldest first */
	size_t nwindow;
	const char **unreadable;	/* messages of unreadable days in the streak's way */
	size_t nunreadable;
	bool asserted;		/* some paging check was evaluated (pass or fail) */
	/* the configuration against the previous readable report */
	const char *config_since;	/* that report's date, NULL when none */
	bool config_changed;	/* both sha256 known and different */
	const char **checks_added;	/* ids in the run, not in that report (sorted) */
	size_t nchecks_added;
	const char **checks_removed;	/* ids in that report, not in the run (sorted) */
	size_t nchecks_removed;
	struct followup_item *followup;	/* recovery follow-up (recovery.h), by target */
	size_t nfollowup;
};

/* Fill g (arrays from run's arena), and give every check of run the life
 * of its findings (findings_compute, findings.h) and g the follow-up of
 * the recovery plan (recovery_followup, recovery.h).  The configuration change is taken
 * against the latest readable report before run's date: config_changed when
 * both configurations' sha256 are known and differ, and then (unless the
 * run is partial) the checks added and removed (ids, sorted).  A day is asserted when at least one
 * paging check passed or failed; one whose paging checks were all skipped
 * (or errored) asserted nothing, even though its gate status may be pass. */
void history_gate(const struct history *h, struct run *run, struct gate *g);

/* Put the run's own day into h (replacing an earlier report of that date),
 * so the index lists it; strings are copied into h's arena. */
void history_put(struct history *h, const struct run *run, const struct gate *g);

const char *day_status_name(enum day_status s);	/* "missing", "pass", ... */

#endif
