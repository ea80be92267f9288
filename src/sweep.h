/*
 * sweep.h: one deterministic pass over every enabled check, and the results
 * every renderer reads.
 *
 * sweep_run opens each source once, evaluates the checks in id order and
 * fills a struct run.  Every string and array of a struct run lives in its
 * arena; sweep_release frees them.  A check that cannot be evaluated is
 * STATUS_ERROR with a message; nothing in here decides an exit status.
 */
#ifndef RECON_SWEEP_H
#define RECON_SWEEP_H

#include "compare_classes.h"
#include "config.h"
#include "source.h"
#include "util.h"

struct finding_life;

/* WARN: drift its severity or thresholds tolerate; never part of the gate. */
enum status { STATUS_PASS, STATUS_FAIL, STATUS_ERROR, STATUS_SKIPPED, STATUS_WARN };

struct group_result {
	const char *group;	/* group value as text; NULL for SQL NULL */
	long long drift;
	long long missing, extra, changed;	/* compare only */
	long long *columns_changed;	/* compare: per column_changes entry, or NULL */
	long long waived;	/* findings a waiver took out of drift */
};

/* A compared column of a compare check: in how many changed rows it
 * differs, and the classes of those changed values (compare_classes.h). */
struct column_change {
	const char *column;	/* the left side's name */
	long long changed;	/* changed rows in which it differs */
	struct change_tally classes;	/* settled: change_tally_finish */
};

struct check_result {
	const struct check_cfg *cfg;
	enum status status;
	long long drift;
	const char *error;	/* STATUS_ERROR: the message */
	const char *skip_reason;	/* STATUS_SKIPPED: why */
	bool has_value;		/* value checks that read a number */
	double value;
	const char **columns;	/* sample columns */
	size_t ncolumns;
	const char ***samples;	/* nsamples rows of ncolumns (NULL = SQL NULL) */
	size_t nsamples;
	struct group_result *groups;	/* sorted by group */
	size_t ngroups;
	long long missing, extra, changed;	/* compare findings */
	long long scanned;	/* base of a percentage threshold; -1 unknown
				   (compare: the rows compared, keys of both sides) */
	struct column_change *column_changes;	/* compare: compared columns, in order */
	size_t ncolumn_changes;
	/* findings followed across days (findings.h) */
	const char **keys;	/* the smallest distinct finding keys, sorted, at most [report] track */
	size_t nkeys;
	bool keys_more;		/* some finding's key was left out (over track) */
	int *key_waiver;	/* per key: index in waivers, -1 when not waived */
	/* the check's waivers in force today, and how many findings each took
	 * out of drift (waived: their sum, not counted in drift) */
	const struct waiver_cfg **waivers;
	long long *waiver_hits;
	size_t nwaivers;
	long long waived;
	const struct finding_life *life;	/* set by findings_compute, NULL before */
	const char *strategy;	/* compare: "rows" or "bisect", as evaluated */
	const char *strategy_note;	/* why strategy = bisect fell back to rows, or NULL */
	long long ranges;	/* bisect: key ranges whose checksums were compared */
	const char *cut;	/* bisect: "per shard" when a side's partitions are
				   postgres_fdw tables (each shard's own snapshot), or NULL */
	long long streamed[2];	/* compare: rows read from the left and right sides */
	long long previous_drift;	/* in: this check's drift in the previous report,
					   -1 when it has none (not evaluated, error) */
};

struct run {
	const struct config *cfg;
	char date[11];		/* report date */
	bool baseline;
	bool partial;		/* --check: only some checks */
	struct check_result *checks;	/* sorted by id; enabled checks only */
	size_t nchecks;
	struct input *inputs;	/* sorted by source, then table */
	size_t ninputs;
	long long tenants_scanned;	/* -1: no [tenants] or not read */
	const char *tenants_error;	/* why tenants_scanned is unknown */
	/* summary */
	size_t npass, nfail, nerror, nskipped;
	size_t nwarn;
	long long drift;	/* sum over all checks */
	long long tenants_with_drift;
	enum status gate;	/* PASS or FAIL: the day's gate status */
	struct arena arena;
};

/* A run that holds nothing yet: sweep_release is safe on it. */
#define RUN_INIT { .cfg = NULL, .arena = ARENA_INIT }

struct day;

struct sweep_opts {
	const char *date;	/* YYYY-MM-DD */
	bool baseline;		/* evaluate nothing: every check skipped */
	const char **only;	/* --check ids, NULL-terminated, or NULL */
	bool progress;
	const struct day *previous;	/* the latest report before date, or NULL
					   (strategy = auto reads its drift) */
};

/* Evaluate cfg's enabled checks into run.  Returns 0; -1 only when an --check
 * id names no enabled check (d says which). */
int sweep_run(struct run *run, const struct config *cfg, const struct sweep_opts *opts,
	      struct diag *d);
void sweep_release(struct run *run);

/* The first source (by name) that the checks opts selects read and that
 * shows its data as it is now (a database, not a dated snapshot), or NULL:
 * a run dated another day than today reads today's data there. */
const char *sweep_live_source(const struct config *cfg, const struct sweep_opts *opts);

/* Prepare, never run, every SQL text of cc on its open sources (src: the
 * check's, the left side's for compare; right: a compare's right side):
 * -1 with d set at the first that does not prepare or has a bind
 * parameter.  cols, when not NULL, receives a rows or value query's
 * columns.  run and validate --sources both start here. */
int sweep_prepare_check(const struct check_cfg *cc, struct source *src, struct source *right,
			struct source_columns *cols, struct diag *d);

const char *status_name(enum status s);	/* "pass", "fail", ... */

#endif
