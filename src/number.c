/*
 * number.c: the parts of the number scanner that are not on a hot path
 * (see number.h).
 */
#include "number.h"

#define PLAIN_EXP_CAP 1000000	/* struct plain_number's exponent bound */

/* Contract in number.h. */
bool plain_number_scan(const char *s, size_t len, struct plain_number *pn)
{
	struct number_parts p;
	size_t i;
	int digits = 0;

	if (!number_scan(s, len, NUMBER_PLAIN, &p))
		return false;
	if (!pn)
		return true;
	/* 0.05: the zeros before the first other digit are not significant */
	for (i = p.int_start; i < p.int_end; i++)
		if (digits || s[i] != '0')
			digits++;
	for (i = p.frac_start; i < p.frac_end; i++)
		if (digits || s[i] != '0')
			digits++;
	pn->digits = digits;
	pn->frac = (int)(p.frac_end - p.frac_start);
	pn->exp = p.exp > PLAIN_EXP_CAP	  ? PLAIN_EXP_CAP
		  : p.exp < -PLAIN_EXP_CAP ? -PLAIN_EXP_CAP
					   : (int)p.exp;
	pn->is_int = !p.point && !p.has_exp;
	return true;
}

/* Contract in number.h. */
bool number_int64(const char *s, size_t len, int64_t *out)
{
	struct number_parts p;
	uint64_t u = 0;
	size_t i;

	if (!number_scan(s, len, NUMBER_PLAIN, &p) || p.point || p.has_exp)
		return false;
	for (i = p.int_start; i < p.int_end; i++) {
		unsigned d = (unsigned)(s[i] - '0');

		if (u > (UINT64_MAX - d) / 10)
			return false;
		u = u * 10 + d;
	}
	if (u > (uint64_t)INT64_MAX + p.neg)
		return false;
	*out = p.neg ? (int64_t)(0 - u) : (int64_t)u;
	return true;
}

/* Contract in number.h. */
long long number_scale(const struct number_parts *p)
{
	long long scale = (long long)(p->frac_end - p->frac_start) - p->exp;

	return scale > 0 ? scale : 0;
}
