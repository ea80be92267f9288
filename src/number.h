/*
 * number.h: the one scanner of decimal numbers.  Every place that asks
 * whether text is a number (typing a CSV field, canonical values for
 * kind = compare, PostgreSQL's numbers read as the CSV source reads them,
 * numbers in the configuration) scans it here, by one of two grammars:
 *
 *   NUMBER_PLAIN   a plain number, recon.ini(5)'s typing of CSV fields,
 *                  -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
 *                  no leading zeros (08123 is text), no '+', no
 *                  separators, digits on both sides of a '.'.
 *   NUMBER_CONFIG  a number as recon.ini takes it: also a leading '+',
 *                  leading zeros, ".5" and "5." (never "." alone).
 *
 * The scanner is inline because compare runs it on every compared field
 * of every row.  It allocates nothing and keeps no pointer into s.
 */
#ifndef RECON_NUMBER_H
#define RECON_NUMBER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum number_grammar {
	NUMBER_PLAIN,	/* a plain number (recon.ini(5)) */
	NUMBER_CONFIG,	/* the configuration's looser decimal */
};

/* An exponent at or beyond this magnitude is kept as this magnitude:
 * no caller can use it, and the sum never overflows. */
#define NUMBER_EXP_CAP 1000000000LL

/* Where the parts of a scanned number are in its text. */
struct number_parts {
	bool neg;		/* a leading '-' */
	bool point;		/* has a '.' */
	bool has_exp;		/* has an exponent */
	size_t int_start;	/* integer digits are s[int_start..int_end) */
	size_t int_end;
	size_t frac_start;	/* fraction digits are s[frac_start..frac_end) */
	size_t frac_end;
	long long exp;		/* the exponent's value, capped at +-NUMBER_EXP_CAP */
};

static inline bool number_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Scan s[0..len) by grammar g.  true when the whole text is a number, with
 * its parts in *p (p may be NULL); false otherwise (*p then undefined). */
static inline bool number_scan(const char *s, size_t len, enum number_grammar g,
			       struct number_parts *p)
{
	struct number_parts q = { 0 };
	size_t i = 0;

	if (i < len && s[i] == '-') {
		q.neg = true;
		i++;
	} else if (g == NUMBER_CONFIG && i < len && s[i] == '+') {
		i++;
	}
	q.int_start = i;
	if (g == NUMBER_PLAIN && i < len && s[i] == '0') {
		i++;
		if (i < len && number_digit(s[i]))
			return false;	/* leading zero: 08123 is text */
	} else {
		while (i < len && number_digit(s[i]))
			i++;
	}
	q.int_end = q.frac_start = q.frac_end = i;
	if (i < len && s[i] == '.') {
		q.point = true;
		q.frac_start = ++i;
		while (i < len && number_digit(s[i]))
			i++;
		q.frac_end = i;
		if (g == NUMBER_PLAIN && q.frac_end == q.frac_start)
			return false;	/* "5." */
	}
	if (q.int_end == q.int_start && (g == NUMBER_PLAIN || q.frac_end == q.frac_start))
		return false;		/* no digits, or ".5" in a plain number */
	if (i < len && (s[i] == 'e' || s[i] == 'E')) {
		bool eneg = false;
		size_t start;

		q.has_exp = true;
		i++;
		if (i < len && (s[i] == '+' || s[i] == '-'))
			eneg = s[i++] == '-';
		start = i;
		while (i < len && number_digit(s[i])) {
			if (q.exp < NUMBER_EXP_CAP)
				q.exp = q.exp * 10 + (s[i] - '0');
			i++;
		}
		if (i == start)
			return false;
		if (q.exp > NUMBER_EXP_CAP)
			q.exp = NUMBER_EXP_CAP;
		if (eneg)
			q.exp = -q.exp;
	}
	if (i != len)
		return false;
	if (p)
		*p = q;
	return true;
}

/* Whether s[0..len) is a plain number; sets *is_int (is_int may be NULL)
 * when it has neither fraction nor exponent. */
static inline bool is_plain_number(const char *s, size_t len, bool *is_int)
{
	struct number_parts p;

	if (!number_scan(s, len, NUMBER_PLAIN, &p))
		return false;
	if (is_int)
		*is_int = !p.point && !p.has_exp;
	return true;
}

/* What a plain number holds, for typing a column by its values: the value
 * is M * 10^(exp - frac), M the digits of the integer and fraction parts. */
struct plain_number {
	int digits;	/* significant digits of M (leading zeros dropped; 0 for zero) */
	int frac;	/* digits after the point, as written */
	int exp;	/* the exponent, 0 when none (its magnitude capped at 10^6) */
	bool is_int;	/* no point and no exponent */
};

/* is_plain_number, and fills pn (if not NULL) when s is one. */
bool plain_number_scan(const char *s, size_t len, struct plain_number *pn);

/* The value of s[0..len) when it is a plain whole number (no fraction, no
 * exponent) from INT64_MIN to INT64_MAX; false otherwise (then a caller
 * takes it as a double, or as text). */
bool number_int64(const char *s, size_t len, int64_t *out);

/* The scale a scanned number needs: the digits after its point less its
 * exponent, 0 when that is negative ("1.50" 2, "1.5e-2" 3, "1e3" 0). */
long long number_scale(const struct number_parts *p);

#endif
