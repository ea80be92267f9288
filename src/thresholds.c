/*
 * thresholds.c: parsing "> N" and "> P%", and the status of a check's
 * drift under its thresholds and severity (see thresholds.h).
 */
#include "thresholds.h"

#include <stddef.h>

__extension__ typedef __int128 th_i128;

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Contract in thresholds.h. */
bool threshold_parse(const char *s, struct threshold *t)
{
	long long whole = 0, frac = 0, scale = THRESHOLD_SCALE;
	size_t nwhole = 0, nfrac = 0;

	while (*s == ' ' || *s == '\t')
		s++;
	if (*s++ != '>')
		return false;
	while (*s == ' ' || *s == '\t')
		s++;
	for (; is_digit(*s); s++, nwhole++) {
		if (whole > (long long)1e15)
			return false;
		whole = whole * 10 + (*s - '0');
	}
	if (nwhole == 0)
		return false;
	if (*s == '.') {
		for (s++; is_digit(*s); s++, nfrac++) {
			if (nfrac >= 6)
				return false;
			scale /= 10;
			frac += (*s - '0') * scale;
		}
		if (nfrac == 0)
			return false;
	}
	while (*s == ' ' || *s == '\t')
		s++;
	if (*s == '%') {
		s++;
		while (*s == ' ' || *s == '\t')
			s++;
		if (*s || whole > 100 || (whole == 100 && frac > 0))
			return false;
		t->unit = THRESHOLD_PERCENT;
		t->n = whole * THRESHOLD_SCALE + frac;
		return true;
	}
	if (*s || nfrac)
		return false;	/* a count is whole */
	t->unit = THRESHOLD_COUNT;
	t->n = whole;
	return true;
}

/* Contract in thresholds.h. */
bool threshold_exceeded(const struct threshold *t, long long drift, long long scanned)
{
	switch (t->unit) {
	case THRESHOLD_NONE:
		return drift > 0;
	case THRESHOLD_COUNT:
		return drift > t->n;
	case THRESHOLD_PERCENT:
		if (scanned < 0)
			return drift > 0;
		/* drift / scanned * 100 > n / SCALE, in integers */
		return (th_i128)drift * 100 * THRESHOLD_SCALE > (th_i128)t->n * scanned;
	}
	return drift > 0;
}

/* Contract in thresholds.h. */
enum verdict threshold_verdict(const struct threshold *warn_if, const struct threshold *fail_if,
			       enum severity severity, long long drift, long long scanned)
{
	bool fails, warns;

	if (fail_if->unit != THRESHOLD_NONE)
		fails = threshold_exceeded(fail_if, drift, scanned);
	else	/* warn_if alone: the check warns, never fails */
		fails = warn_if->unit == THRESHOLD_NONE && drift > 0;
	warns = threshold_exceeded(warn_if, drift, scanned);
	if (fails)
		return severity == SEVERITY_WARN ? VERDICT_WARN : VERDICT_FAIL;
	return warns ? VERDICT_WARN : VERDICT_PASS;
}

/* Contract in thresholds.h. */
bool threshold_inverted(const struct threshold *warn_if, const struct threshold *fail_if)
{
	return warn_if->unit != THRESHOLD_NONE && warn_if->unit == fail_if->unit &&
	       warn_if->n > fail_if->n;
}
