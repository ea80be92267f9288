/*
 * compare_value.h: the value rules of kind = compare, and the hashes that
 * stand in for values while a side is read.
 *
 * A value is NULL, a number or a string.  A field is a number when it is
 * recon.ini(5)'s plain number (is_plain_number's grammar); numbers are put
 * in a canonical decimal form (sign, significant digits without leading or
 * trailing zeros, decimal exponent) so that 10.10, 10.1, 1.01e1 and
 * 10.100 have one form and hash alike, without any floating point.  A
 * number of more than CV_MAX_DIGITS significant digits, or with an exponent
 * beyond +-10^9, is compared as a string.  Everything here is pure: no
 * allocation, no global state, safe from any thread.
 */
#ifndef RECON_COMPARE_VALUE_H
#define RECON_COMPARE_VALUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CV_MAX_DIGITS 200	/* significant digits kept in canonical form */

/* A number in canonical form: value = sign * 0.DIGITS * 10^exp. */
struct cv_num {
	int sign;		/* -1, 0 (the value zero) or 1 */
	int32_t exp;		/* decimal exponent; 0 for zero */
	uint8_t ndigits;	/* significant digits, 0 for zero */
	char digits[CV_MAX_DIGITS];	/* '1'..'9' first and last */
};

/* Parse s[0..len) into n.  false when it is not a plain number (or is
 * beyond the canonical range): compare it as a string. */
bool cv_parse(const char *s, size_t len, struct cv_num *n);

struct strbuf;

/* Append n in canonical form as text: 1.5, -20, 0.003 (a far exponent as
 * 1.5e40); an integer as PostgreSQL prints it. */
void cv_num_text(struct strbuf *sb, const struct cv_num *n);

/* Whether s[0..len) may be a number at all (it begins with a digit or a
 * minus and ends with a digit): the test to make before calling cv_parse
 * on every row, which most text fails at once. */
static inline bool cv_may_be_number(const char *s, size_t len)
{
	return len > 0 && ((s[0] >= '0' && s[0] <= '9') || s[0] == '-') && s[len - 1] >= '0' &&
	       s[len - 1] <= '9';
}

/* Exact equality of two canonical numbers. */
bool cv_num_equal(const struct cv_num *a, const struct cv_num *b);

/* Order of two canonical numbers: <0, 0, >0. */
int cv_num_cmp(const struct cv_num *a, const struct cv_num *b);

/* |a - b| <= tol, exactly (decimal arithmetic on the digits, whatever
 * their exponents; no floating point). */
bool cv_num_within(const struct cv_num *a, const struct cv_num *b, const struct cv_num *tol);

/* The value equality of recon.ini(5): NULL (s == NULL) equals only NULL; two
 * numbers compare numerically (within tol when tol is not NULL, exactly
 * otherwise); anything else byte for byte. */
bool cv_equal(const char *a, size_t alen, const char *b, size_t blen,
	      const struct cv_num *tol);

/* pct percent of a (pct / 100 * a) into out, exactly; a product of more
 * than CV_MAX_DIGITS significant digits is cut, rounding toward zero. */
void cv_num_percent_of(const struct cv_num *a, const struct cv_num *pct, struct cv_num *out);

/* cv_equal with a relative tolerance: two numbers are equal when they
 * differ by at most pct percent of the larger absolute value of the two
 * (tolerance.COLUMN = 0.1%); NULL and text as cv_equal. */
bool cv_equal_relative(const char *a, size_t alen, const char *b, size_t blen,
		       const struct cv_num *pct);

/* 64-bit hash of bytes (not cryptographic; well mixed). */
uint64_t cv_hash(const void *data, size_t len, uint64_t seed);

/* Hash of one value under the rules above: equal values hash alike. */
uint64_t cv_hash_value(const char *s, size_t len);

/* Mix a value's hash into a running row digest (order matters). */
static inline uint64_t cv_mix(uint64_t digest, uint64_t h)
{
	digest ^= h + 0x9e3779b97f4a7c15ULL + (digest << 6) + (digest >> 2);
	digest *= 0xbf58476d1ce4e5b9ULL;
	return digest ^ (digest >> 31);
}

#endif
