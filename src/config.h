/*
 * config.h: the INI configuration, parsed and checked (the file format is
 * recon.ini(5)).
 *
 * config_load reads the file (lines of any length; every error names
 * FILE:LINE), joins continuation lines, expands ${date} and ${NAME} in every
 * value, rejects unknown sections and keys, missing required keys,
 * references to undefined sources, targets or checks, cycles of parents,
 * an unset environment variable, and a configuration with no enabled
 * paging check (a gate with nothing to assert).  Every string of a struct config
 * lives in its arena; config_release frees them all at once.  Paths are
 * resolved against the configuration file's directory.  checks[] is sorted
 * by id; sources[] and targets[] by name.
 */
#ifndef RECON_CONFIG_H
#define RECON_CONFIG_H

#include "thresholds.h"
#include "util.h"

enum source_type { SOURCE_CSV, SOURCE_POSTGRES, SOURCE_SQLITE };
enum check_kind { KIND_ROWS, KIND_VALUE, KIND_COMPARE };
enum recovery { RECOVERY_NONE, RECOVERY_RECHECK, RECOVERY_REPROCESS };
enum strategy { STRATEGY_ROWS, STRATEGY_BISECT, STRATEGY_AUTO };

struct source_cfg {
	const char *name;	/* section name: [source "NAME"] */
	enum source_type type;
	const char *path;	/* csv: directory; sqlite: file (resolved) */
	const char *url;	/* postgres: expanded ("env:VAR" kept as is; VAR is set) */
	int statement_timeout;	/* postgres: seconds, 0 = none */
	int line;		/* line of the section header */
};

struct target_cfg {
	const char *name;	/* [target "NAME"] */
	const char *parent;	/* NULL when none; always a defined target */
	int line;
};

/* tolerance.COLUMN of a compare check: absolute (0.01) or relative to the
 * larger absolute value of the two (0.1%). */
struct column_tolerance {
	const char *column;	/* a compared column, by its left name */
	const char *text;	/* the number as written, without a '%' */
	bool relative;		/* written with '%': a percentage */
	int line;
};

struct check_cfg {
	const char *id;		/* [check "ID"] */
	enum check_kind kind;
	const char *description;	/* NULL when not given */
	const char *source;	/* rows, value, compare with queries */
	const char *query;	/* rows, value */
	const char *group;	/* group column, NULL when none */
	enum recovery recovery;	/* NONE when not given */
	const char *target;	/* NULL when none; always a defined target */
	bool paging;		/* default true */
	bool enabled;		/* default true */
	const char *precondition;	/* SQL or NULL */
	const char *ready;	/* SQL or NULL */
	double ready_timeout;	/* seconds, default 60 */
	const char *shadow_of;	/* check id or NULL; always a defined check */
	/* value */
	double expect;		/* default 0 */
	double tolerance;	/* value and compare, default 0 */
	const char *tolerance_text;	/* as written (compare's exact digits), or NULL */
	bool has_min, has_max;
	double min, max;
	/* compare: sides are "SOURCE:TABLE" or "SOURCE" with a *_query */
	const char *left_source, *left_table, *left_query;
	const char *right_source, *right_table, *right_query;
	const char **key;	/* key columns (compare); identity columns (rows, NULL: all) */
	size_t nkey;
	const char **columns;	/* compared columns; NULL: all shared */
	size_t ncolumns;
	enum strategy strategy;	/* default rows */
	int bisect_rows;	/* bisect: most rows of a range streamed unsplit, default 100 */
	int line;		/* line of the section header */
	/* severity and thresholds, every kind (thresholds.h) */
	enum severity severity;	/* default SEVERITY_FAIL */
	struct threshold warn_if, fail_if;	/* unit NONE when not given */
	const char *scanned;	/* rows: SQL counting the rows scanned, or NULL */
	/* compare: the right side's names of key[] and columns[] (the same
	 * strings when a name is not mapped, "left:right"), and per-column
	 * tolerances (tolerance.COLUMN, COLUMN a left name) */
	const char **right_key;
	const char **right_columns;	/* NULL when columns is */
	struct column_tolerance *tolerances;
	size_t ntolerances;
	bool explain;		/* compare: changed columns and classes, default true */
};

/* [waiver "NAME"]: findings of a check, by group and/or key, that are
 * known and accepted until a date (findings.h applies them). */
struct waiver_cfg {
	const char *name;	/* section name */
	const char *check;	/* a defined check's id */
	const char *group;	/* NULL: any group */
	const char *key;	/* a finding's key as shown; NULL: any key */
	const char *owner;
	const char *reason;	/* NULL when not given */
	char expires[11];	/* YYYY-MM-DD: it applies before this day only */
	int line;
};

/* [adjudication "SHADOW" "DATE"]: an operator's verdict on the episode of
 * a shadow check's disagreement, error or skip that holds DATE. */
enum adjudication_verdict { ADJUDICATED_NONE, ADJUDICATED_REAL_BREAK, ADJUDICATED_CHECK_BUG };

struct adjudication_cfg {
	const char *shadow;	/* a check with shadow_of */
	char date[11];		/* YYYY-MM-DD */
	enum adjudication_verdict verdict;	/* real-break: the shadow caught a real break;
				 * check-bug: its soak restarts the day after date */
	const char *note;	/* NULL when not given */
	int line;
};

struct config {
	const char *path;	/* the file as given */
	const char *dir;	/* its directory ("." when none) */
	char sha256[65];	/* of the file's bytes */
	/* [report] */
	const char *title;	/* default "recon report" */
	const char *output_dir;	/* resolved; default DIR/reports */
	int gate_days;		/* default 7 */
	int window_days;	/* default 7 */
	int samples;		/* default 20 */
	int soak_days;		/* default 28 */
	const char *templates;	/* resolved directory or NULL (built-in) */
	double max_skip_rate;	/* default 0.05 */
	const char *temp_dir;	/* resolved; where the snapshot engine may spill, or NULL */
	const char *memory_limit;	/* the snapshot engine's limit ("16GB"), or NULL */
	int track;		/* findings per check followed across days, default 1000 */
	/* [tenants] */
	bool has_tenants;
	const char *tenants_source;
	const char *tenants_query;
	struct source_cfg *sources;
	size_t nsources;
	struct target_cfg *targets;
	size_t ntargets;
	struct check_cfg *checks;
	size_t nchecks;
	struct waiver_cfg *waivers;	/* sorted by name */
	size_t nwaivers;
	struct adjudication_cfg *adjudications;	/* sorted by shadow, then date */
	size_t nadjudications;
	struct arena arena;	/* owns every string above */
};

/* Parse and check path.  date is the report's date ("YYYY-MM-DD", never
 * NULL), the value of ${date}.  On error returns -1 with d->msg "FILE:LINE: ..." (the
 * file as given, and the line of the offending key or section); the struct
 * is then released already.  No message holds an expanded url. */
int config_load(struct config *cfg, const char *path, const char *date, struct diag *d);
void config_release(struct config *cfg);

const struct source_cfg *config_source(const struct config *cfg, const char *name);
const struct check_cfg *config_check(const struct config *cfg, const char *id);
const struct target_cfg *config_target(const struct config *cfg, const char *name);

const char *check_kind_name(enum check_kind k);	/* "rows", ... */
const char *recovery_name(enum recovery r);	/* NULL, "recheck", "reprocess" */

#endif
