/*
 * compare_value.c: canonical numbers, value equality and value hashes for
 * kind = compare (see compare_value.h).  These run once per compared field
 * of every row, so the common cases (a field that cannot be a number, two
 * byte-equal fields) leave after a byte or two.
 */
#include "compare_value.h"

#include <string.h>

#include "number.h"
#include "util.h"

/* Contract in compare_value.h. */
bool cv_parse(const char *s, size_t len, struct cv_num *n)
{
	struct number_parts p;
	size_t istart, fstart, ilen, total, k, first, last;
	long long exp;

	if (!cv_may_be_number(s, len) || !number_scan(s, len, NUMBER_PLAIN, &p))
		return false;
	if (p.exp >= NUMBER_EXP_CAP || p.exp <= -NUMBER_EXP_CAP)
		return false;
	istart = p.int_start;
	fstart = p.frac_start;

	/* significant digits: the integer part, then the fraction */
	ilen = p.int_end - istart;
	total = ilen + (p.frac_end - fstart);
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
	exp = (long long)ilen - (long long)first + p.exp;
	if (exp > INT32_MAX / 2 || exp < INT32_MIN / 2)
		return false;
	n->sign = p.neg ? -1 : 1;
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

/* Places of digits for cv_num_within: the three numbers' digits, the
 * gaps between them shortened to two places, and one for a carry. */
#define WITHIN_PLACES (3 * CV_MAX_DIGITS + 8)

/*
 * Lay a, b and tol out on one array of decimal places, least significant
 * first: dig[i][p] is number i's digit at place p.  A run of more than two
 * places where none of the three has a digit is shortened to two: through
 * such a run a sum carries 1 into its first place and 0s above it, a
 * difference borrows all 9s or all 0s, so two places give the same digits
 * at each end and the same order against tol (0 there).  So numbers of
 * exponents far apart (1e900000000 and 1e-900000000) still take a few
 * hundred places.  The count of places used, with one spare on top.
 */
static size_t lay_out(const struct cv_num *const v[3], unsigned char dig[3][WITHIN_PLACES])
{
	int order[3], n = 0, i, j, k;
	long shift[3] = { 0, 0, 0 }, hi = 0, cur = 0;
	size_t top = 0;

	for (i = 0; i < 3; i++)
		if (v[i]->sign != 0)
			order[n++] = i;
	for (i = 1; i < n; i++)	/* by lowest place */
		for (j = i; j > 0 && (long)v[order[j]]->exp - v[order[j]]->ndigits <
					      (long)v[order[j - 1]]->exp - v[order[j - 1]]->ndigits;
		     j--) {
			int t = order[j];

			order[j] = order[j - 1];
			order[j - 1] = t;
		}
	for (k = 0; k < n; k++) {
		const struct cv_num *x = v[order[k]];
		long lo = (long)x->exp - x->ndigits, h = (long)x->exp - 1;

		if (k == 0)
			cur = lo;	/* place lo is index 0 */
		else if (lo > hi + 3)
			cur = lo - (hi - cur) - 3;	/* the gap becomes two places */
		shift[order[k]] = cur;
		if (k == 0 || h > hi)
			hi = h;
		if ((size_t)(h - cur) + 1 > top)
			top = (size_t)(h - cur) + 1;
	}
	for (i = 0; i < 3; i++) {
		const struct cv_num *x = v[i];

		for (k = 0; k < x->ndigits; k++)
			dig[i][(long)x->exp - 1 - k - shift[i]] = (unsigned char)(x->digits[k] - '0');
	}
	return top + 1;
}

/* Contract in compare_value.h: exact decimal arithmetic on the digits, no
 * floating point. */
bool cv_num_within(const struct cv_num *a, const struct cv_num *b, const struct cv_num *tol)
{
	const struct cv_num *v[3] = { a, b, tol };
	unsigned char dig[3][WITHIN_PLACES], d[WITHIN_PLACES];
	size_t n, p;
	int carry = 0;

	if (cv_num_equal(a, b))
		return true;
	if (tol->sign <= 0)
		return false;
	memset(dig, 0, sizeof(dig));
	n = lay_out(v, dig);
	if (a->sign != 0 && b->sign != 0 && a->sign != b->sign) {
		/* opposite signs: |a - b| = |a| + |b| */
		for (p = 0; p < n; p++) {
			int s = dig[0][p] + dig[1][p] + carry;

			d[p] = (unsigned char)(s % 10);
			carry = s / 10;
		}
	} else {
		/* the same sign (or a zero): the larger magnitude less the other */
		const unsigned char *x = dig[0], *y = dig[1];

		if (mag_cmp(a, b) < 0) {
			x = dig[1];
			y = dig[0];
		}
		for (p = 0; p < n; p++) {
			int s = x[p] - y[p] - carry;

			carry = s < 0;
			d[p] = (unsigned char)(s + 10 * carry);
		}
	}
	for (p = n; p-- > 0;)
		if (d[p] != dig[2][p])
			return d[p] < dig[2][p];
	return true;
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

/* Contract in compare_value.h. */
void cv_num_percent_of(const struct cv_num *a, const struct cv_num *pct, struct cv_num *out)
{
	unsigned int prod[2 * CV_MAX_DIGITS + 1];
	size_t na = a->ndigits, np = pct->ndigits, n = na + np, i, j, first, last;

	memset(out, 0, sizeof(*out));
	if (a->sign == 0 || pct->sign == 0)
		return;
	/* 0.A * 0.P = 0.(A*P) with na + np digits, the first maybe zero */
	memset(prod, 0, sizeof(prod));
	for (i = na; i-- > 0;)
		for (j = np; j-- > 0;)
			prod[i + j + 1] += (unsigned)(a->digits[i] - '0') * (unsigned)(pct->digits[j] - '0');
	for (i = n; i-- > 1;) {
		prod[i - 1] += prod[i] / 10;
		prod[i] %= 10;
	}
	for (first = 0; first < n && prod[first] == 0; first++)
		;
	for (last = n; last > first && prod[last - 1] == 0; last--)
		;
	if (last - first > CV_MAX_DIGITS)
		last = first + CV_MAX_DIGITS;	/* cut: the tolerance rounds down */
	while (last > first && prod[last - 1] == 0)
		last--;
	out->sign = 1;
	out->ndigits = (uint8_t)(last - first);
	for (i = first; i < last; i++)
		out->digits[i - first] = (char)('0' + prod[i]);
	/* exponent: a's and pct's, less the leading zero, less 2 for percent */
	out->exp = a->exp + pct->exp - (int32_t)first - 2;
}

/* Contract in compare_value.h. */
bool cv_equal_relative(const char *a, size_t alen, const char *b, size_t blen,
		       const struct cv_num *pct)
{
	struct cv_num x, y, big, tol;

	if (!a || !b)
		return a == b;
	if (alen == blen && memcmp(a, b, alen) == 0)
		return true;
	if (!cv_may_be_number(a, alen) || !cv_may_be_number(b, blen))
		return false;
	if (!cv_parse(a, alen, &x) || !cv_parse(b, blen, &y))
		return false;
	big = x;
	big.sign = big.sign ? 1 : 0;
	if (y.sign) {
		struct cv_num ay = y;

		ay.sign = 1;
		if (cv_num_cmp(&ay, &big) > 0)
			big = ay;
	}
	cv_num_percent_of(&big, pct, &tol);
	return cv_num_within(&x, &y, &tol);
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

/* Contract in compare_value.h. */
void cv_num_text(struct strbuf *sb, const struct cv_num *n)
{
	int32_t i;

	if (n->sign == 0) {
		sb_putc(sb, '0');
		return;
	}
	if (n->sign < 0)
		sb_putc(sb, '-');
	if (n->exp > 40 || n->exp < -40) {
		sb_putc(sb, n->digits[0]);
		if (n->ndigits > 1) {
			sb_putc(sb, '.');
			sb_add(sb, n->digits + 1, n->ndigits - 1u);
		}
		sb_addf(sb, "e%ld", (long)n->exp - 1);
	} else if (n->exp <= 0) {
		sb_puts(sb, "0.");
		for (i = n->exp; i < 0; i++)
			sb_putc(sb, '0');
		sb_add(sb, n->digits, n->ndigits);
	} else {
		for (i = 0; i < n->exp || i < n->ndigits; i++) {
			if (i == n->exp)
				sb_putc(sb, '.');
			sb_putc(sb, i < n->ndigits ? n->digits[i] : '0');
		}
	}
}
