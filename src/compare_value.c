/*
 * compare_value.c: canonical numbers, value equality and value hashes for
 * kind = compare (see compare_value.h).  These run once per compared field
 * of every row, so the common cases (a field that cannot be a number, two
 * byte-equal fields) leave after a byte or two.
 */
#include "compare_value.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

__extension__ typedef __int128 cv_i128;

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Contract in compare_value.h. */
bool cv_parse(const char *s, size_t len, struct cv_num *n)
{
	size_t i = 0, istart, iend, fstart, fend, ilen, total, k, first, last;
	long long e10 = 0, exp;
	bool neg = false;

	if (!cv_may_be_number(s, len))
		return false;
	if (s[0] == '-') {
		neg = true;
		i++;
	}
	if (i >= len || !is_digit(s[i]))
		return false;
	istart = i;
	if (s[i] == '0') {
		i++;
		if (i < len && is_digit(s[i]))
			return false;	/* leading zero: 08123 is text */
	} else {
		while (i < len && is_digit(s[i]))
			i++;
	}
	iend = i;
	fstart = fend = i;
	if (i < len && s[i] == '.') {
		fstart = ++i;
		while (i < len && is_digit(s[i]))
			i++;
		if (i == fstart)
			return false;
		fend = i;
	}
	if (i < len && (s[i] == 'e' || s[i] == 'E')) {
		bool eneg = false;
		size_t start;

		i++;
		if (i < len && (s[i] == '+' || s[i] == '-'))
			eneg = s[i++] == '-';
		start = i;
		while (i < len && is_digit(s[i])) {
			if (e10 < 1000000000)
				e10 = e10 * 10 + (s[i] - '0');
			i++;
		}
		if (i == start || e10 >= 1000000000)
			return false;
		if (eneg)
			e10 = -e10;
	}
	if (i != len)
		return false;

	/* significant digits: the integer part, then the fraction */
	ilen = iend - istart;
	total = ilen + (fend - fstart);
#define DIGIT_AT(k) ((k) < ilen ? s[istart + (k)] : s[fstart + (k) - ilen])
	for (first = 0; first < total && DIGIT_AT(first) == '0'; first++)
		;
	if (first == total) {
		n->sign = 0;
		n->exp = 0;
		n->ndigits = 0;
		return true;
	}
	for (last = total - 1; DIGIT_AT(last) == '0'; last--)
		;
	if (last - first + 1 > CV_MAX_DIGITS)
		return false;
	exp = (long long)ilen - (long long)first + e10;
	if (exp > INT32_MAX / 2 || exp < INT32_MIN / 2)
		return false;
	n->sign = neg ? -1 : 1;
	n->exp = (int32_t)exp;
	n->ndigits = (uint8_t)(last - first + 1);
	for (k = first; k <= last; k++)
		n->digits[k - first] = DIGIT_AT(k);
#undef DIGIT_AT
	return true;
}

/* Contract in compare_value.h. */
bool cv_num_equal(const struct cv_num *a, const struct cv_num *b)
{
	return a->sign == b->sign && a->exp == b->exp && a->ndigits == b->ndigits &&
	       memcmp(a->digits, b->digits, a->ndigits) == 0;
}

/* Order of |a| and |b|. */
static int mag_cmp(const struct cv_num *a, const struct cv_num *b)
{
	size_t m;
	int c;

	if (a->sign == 0 || b->sign == 0)
		return (a->sign != 0) - (b->sign != 0);
	if (a->exp != b->exp)
		return a->exp < b->exp ? -1 : 1;
	m = a->ndigits < b->ndigits ? a->ndigits : b->ndigits;
	c = memcmp(a->digits, b->digits, m);
	if (c)
		return c < 0 ? -1 : 1;
	return (a->ndigits > b->ndigits) - (a->ndigits < b->ndigits);
}

/* Contract in compare_value.h. */
int cv_num_cmp(const struct cv_num *a, const struct cv_num *b)
{
	if (a->sign != b->sign)
		return a->sign < b->sign ? -1 : 1;
	return a->sign < 0 ? -mag_cmp(a, b) : mag_cmp(a, b);
}

/* The value as an integer scaled by 10^-lo (fits: checked by the caller). */
static cv_i128 scaled(const struct cv_num *n, long lo)
{
	cv_i128 v = 0;
	long k, zeros;

	if (n->sign == 0)
		return 0;
	for (k = 0; k < n->ndigits; k++)
		v = v * 10 + (n->digits[k] - '0');
	zeros = (long)n->exp - n->ndigits - lo;
	while (zeros-- > 0)
		v *= 10;
	return n->sign < 0 ? -v : v;
}

static long double to_ld(const struct cv_num *n)
{
	char buf[CV_MAX_DIGITS + 32];

	if (n->sign == 0)
		return 0;
	snprintf(buf, sizeof(buf), "%s0.%.*se%ld", n->sign < 0 ? "-" : "", (int)n->ndigits,
		 n->digits, (long)n->exp);
	return strtold(buf, NULL);
}

/* Contract in compare_value.h. */
bool cv_num_within(const struct cv_num *a, const struct cv_num *b, const struct cv_num *tol)
{
	const struct cv_num *v[3] = { a, b, tol };
	long lo = 0, hi = 0;
	bool any = false;
	int i;

	if (cv_num_equal(a, b))
		return true;
	for (i = 0; i < 3; i++) {
		long l, h;

		if (v[i]->sign == 0)
			continue;
		l = (long)v[i]->exp - v[i]->ndigits;
		h = v[i]->exp;
		if (!any || l < lo)
			lo = l;
		if (!any || h > hi)
			hi = h;
		any = true;
	}
	if (hi - lo <= 37) {
		cv_i128 d = scaled(a, lo) - scaled(b, lo);

		if (d < 0)
			d = -d;
		return d <= scaled(tol, lo);
	}
	return fabsl(to_ld(a) - to_ld(b)) <= to_ld(tol);
}

/* Contract in compare_value.h. */
bool cv_equal(const char *a, size_t alen, const char *b, size_t blen,
	      const struct cv_num *tol)
{
	struct cv_num x, y;

	if (!a || !b)
		return a == b;
	if (alen == blen && memcmp(a, b, alen) == 0)
		return true;
	if (!cv_may_be_number(a, alen) || !cv_may_be_number(b, blen))
		return false;
	if (!cv_parse(a, alen, &x) || !cv_parse(b, blen, &y))
		return false;
	return tol ? cv_num_within(&x, &y, tol) : cv_num_equal(&x, &y);
}

/* 64x64 -> 128-bit multiply, folded: the mixing step of wyhash. */
static inline uint64_t mum(uint64_t a, uint64_t b)
{
	__extension__ unsigned __int128 r = (unsigned __int128)a * b;

	return (uint64_t)r ^ (uint64_t)(r >> 64);
}

static inline uint64_t load64(const unsigned char *p)
{
	uint64_t v;

	memcpy(&v, p, 8);
	return v;
}

static inline uint64_t load32(const unsigned char *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return v;
}

#define K0 0xa0761d6478bd642fULL
#define K1 0xe7037ed1a0b428dbULL
#define K2 0x8ebc6af09c88c6e3ULL

/* Contract in compare_value.h.  A wyhash-like hash: short inputs (most
 * fields) take two overlapping loads and two multiplies. */
uint64_t cv_hash(const void *data, size_t len, uint64_t seed)
{
	const unsigned char *s = data;
	uint64_t a, b;

	seed ^= K0;
	if (len <= 16) {
		if (len >= 8) {
			a = load64(s);
			b = load64(s + len - 8);
		} else if (len >= 4) {
			a = load32(s);
			b = load32(s + len - 4);
		} else if (len > 0) {
			a = (uint64_t)s[0] << 16 | (uint64_t)s[len >> 1] << 8 | s[len - 1];
			b = 0;
		} else {
			a = b = 0;
		}
	} else {
		size_t i = len;

		while (i > 16) {
			seed = mum(load64(s) ^ K1, load64(s + 8) ^ seed);
			s += 16;
			i -= 16;
		}
		a = load64(s + i - 16);
		b = load64(s + i - 8);
	}
	return mum(K1 ^ len, mum(a ^ K1, b ^ seed) ^ K2);
}

#define SEED_NULL 0x6e756c6c6e756c6cULL
#define SEED_NUM 0x6e756d6265727321ULL
#define SEED_STR 0x737472696e677321ULL

/* Contract in compare_value.h. */
uint64_t cv_hash_value(const char *s, size_t len)
{
	struct cv_num n;

	if (!s)
		return SEED_NULL;
	if (cv_may_be_number(s, len) && cv_parse(s, len, &n)) {
		uint64_t h = cv_hash(n.digits, n.ndigits, SEED_NUM);

		return cv_mix(h, (uint64_t)(int64_t)n.exp * 4 + (uint64_t)(n.sign + 1));
	}
	return cv_hash(s, len, SEED_STR);
}
