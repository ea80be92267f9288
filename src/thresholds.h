/*
 * thresholds.h: how much drift a check tolerates, and the one function
 * that turns a check's drift into its status.
 *
 * A threshold is "> N" (findings or rows) or "> P%" (of the rows scanned:
 * the rows compared for a compare check, the number its `scanned` query
 * returns for a rows check).  Below or at warn_if a check passes, above it
 * it is warn, above fail_if it fails; severity = warn turns what would fail
 * into warn.  Without warn_if, any drift is above it; without fail_if, a
 * check with warn_if never fails, and one without either fails on any
 * drift.  Percentages are held as whole millionths of a percent and
 * compared in integers: exactly P% of the rows is not above P%.  Pure: no
 * allocation, no global state.
 */
#ifndef RECON_THRESHOLDS_H
#define RECON_THRESHOLDS_H

#include <stdbool.h>

enum severity { SEVERITY_FAIL, SEVERITY_WARN };

enum threshold_unit { THRESHOLD_NONE, THRESHOLD_COUNT, THRESHOLD_PERCENT };

struct threshold {
	enum threshold_unit unit;	/* NONE: not given */
	long long n;	/* COUNT: rows; PERCENT: millionths of a percent */
};

#define THRESHOLD_INIT { THRESHOLD_NONE, 0 }
#define THRESHOLD_SCALE 1000000LL	/* PERCENT: n = P * THRESHOLD_SCALE */

/* Parse "> N" (N a whole number >= 0) or "> P%" (P a decimal from 0 to 100
 * with at most 6 decimals).  false when s is neither. */
bool threshold_parse(const char *s, struct threshold *t);

/* Whether drift is above t; scanned is the percentage's base (< 0: not
 * known, and then any drift exceeds a percentage: unknown is not safe). */
bool threshold_exceeded(const struct threshold *t, long long drift, long long scanned);

/* The verdict on drift under warn_if, fail_if and severity. */
enum verdict { VERDICT_PASS, VERDICT_WARN, VERDICT_FAIL };
enum verdict threshold_verdict(const struct threshold *warn_if, const struct threshold *fail_if,
			       enum severity severity, long long drift, long long scanned);

/* Whether warn_if is above fail_if when both are in the same unit. */
bool threshold_inverted(const struct threshold *warn_if, const struct threshold *fail_if);

#endif
