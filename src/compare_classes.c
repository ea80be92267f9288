/*
 * compare_classes.c: sorting changed values into classes of change (see
 * compare_classes.h).  This runs only on changed values, never on every
 * row of a compare, so it favours plain code over speed.
 */
#include "compare_classes.h"

#include <stdio.h>
#include <string.h>

#include "compare_value.h"

#define MAX_ZONE_OFFSET (14L * 3600)
#define ZONE_STEP (15L * 60)

const char *change_class_name(enum change_class c)
{
	switch (c) {
	case CHANGE_WHITESPACE:
		return "whitespace";
	case CHANGE_CASE:
		return "case";
	case CHANGE_SCALE:
		return "scale";
	case CHANGE_NULL_EMPTY:
		return "null_empty";
	case CHANGE_TIMEZONE:
		return "timezone";
	case CHANGE_OTHER:
	case CHANGE_NCLASSES:
		break;
	}
	return "other";
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static char lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* Equal once every whitespace byte is left out. */
static bool equal_but_space(const char *a, size_t alen, const char *b, size_t blen)
{
	size_t i = 0, j = 0;

	for (;;) {
		while (i < alen && is_space(a[i]))
			i++;
		while (j < blen && is_space(b[j]))
			j++;
		if (i == alen || j == blen)
			return i == alen && j == blen;
		if (a[i++] != b[j++])
			return false;
	}
}

static bool equal_but_case(const char *a, size_t alen, const char *b, size_t blen)
{
	size_t i;

	if (alen != blen)
		return false;
	for (i = 0; i < alen; i++)
		if (lower(a[i]) != lower(b[i]))
			return false;
	return true;
}

/* n digits at s[*i] as a number; false when they are not all digits. */
static bool digits(const char *s, size_t len, size_t *i, int n, int *out)
{
	int v = 0;

	if (*i + (size_t)n > len)
		return false;
	while (n--) {
		if (!is_digit(s[*i]))
			return false;
		v = v * 10 + (s[(*i)++] - '0');
	}
	*out = v;
	return true;
}

/* Days from 1970-01-01 to a proleptic Gregorian date. */
static long long days_from_civil(long long y, int m, int d)
{
	long long era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

/* A zone suffix: Z, or a sign and HH, HH:MM, HHMM (PostgreSQL adds :SS for
 * historic zones). */
static bool zone_suffix(const char *s, size_t len, size_t i)
{
	int v;

	if (i == len)
		return true;
	if (s[i] == 'Z')
		return i + 1 == len;
	if (s[i] != '+' && s[i] != '-')
		return false;
	i++;
	if (!digits(s, len, &i, 2, &v))
		return false;
	if (i < len && s[i] == ':')
		i++;
	if (i < len && !digits(s, len, &i, 2, &v))
		return false;
	if (i < len && s[i] == ':') {
		i++;
		if (!digits(s, len, &i, 2, &v))
			return false;
	}
	return i == len;
}

/* Contract in compare_classes.h. */
bool change_parse_timestamp(const char *s, size_t len, long long *secs, const char **frac,
			    size_t *fraclen)
{
	int y, mo, d, h, mi, sec = 0;
	size_t i = 0, f;

	if (!digits(s, len, &i, 4, &y) || i >= len || s[i++] != '-' ||
	    !digits(s, len, &i, 2, &mo) || i >= len || s[i++] != '-' ||
	    !digits(s, len, &i, 2, &d) || i >= len || (s[i] != ' ' && s[i] != 'T'))
		return false;
	i++;
	if (!digits(s, len, &i, 2, &h) || i >= len || s[i++] != ':' ||
	    !digits(s, len, &i, 2, &mi))
		return false;
	if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 24 || mi > 59)
		return false;
	if (i < len && s[i] == ':') {
		i++;
		if (!digits(s, len, &i, 2, &sec) || sec > 60)
			return false;
	}
	f = i;
	if (i < len && s[i] == '.') {
		f = ++i;
		while (i < len && is_digit(s[i]))
			i++;
		if (i == f)
			return false;
	}
	*frac = s + f;
	*fraclen = i - f;
	while (*fraclen && (*frac)[*fraclen - 1] == '0')
		(*fraclen)--;
	if (!zone_suffix(s, len, i))
		return false;
	*secs = days_from_civil(y, mo, d) * 86400 + h * 3600L + mi * 60L + sec;
	return true;
}

/* Both timestamps with equal fractions and wall clocks a zone offset apart. */
static bool zone_shift(const char *a, size_t alen, const char *b, size_t blen, long *offset)
{
	long long sa, sb, diff;
	const char *fa, *fb;
	size_t la, lb;

	if (!change_parse_timestamp(a, alen, &sa, &fa, &la) ||
	    !change_parse_timestamp(b, blen, &sb, &fb, &lb))
		return false;
	if (la != lb || memcmp(fa, fb, la) != 0)
		return false;
	diff = sb - sa;
	if (diff == 0 || diff % ZONE_STEP != 0 || diff > MAX_ZONE_OFFSET || diff < -MAX_ZONE_OFFSET)
		return false;
	*offset = (long)diff;
	return true;
}

/* Contract in compare_classes.h. */
enum change_class change_classify(const char *a, size_t alen, const char *b, size_t blen,
				  long *offset)
{
	struct cv_num na, nb;

	if (!a || !b) {
		if ((!a && b && blen == 0) || (!b && a && alen == 0))
			return CHANGE_NULL_EMPTY;
		return CHANGE_OTHER;
	}
	if (equal_but_space(a, alen, b, blen))
		return CHANGE_WHITESPACE;
	if (equal_but_case(a, alen, b, blen))
		return CHANGE_CASE;
	if (cv_parse(a, alen, &na) && cv_parse(b, blen, &nb) && cv_num_equal(&na, &nb))
		return CHANGE_SCALE;
	if (zone_shift(a, alen, b, blen, offset))
		return CHANGE_TIMEZONE;
	return CHANGE_OTHER;
}

void change_tally_add(struct change_tally *t, const char *a, size_t alen, const char *b,
		      size_t blen)
{
	long offset = 0;
	enum change_class c = change_classify(a, alen, b, blen, &offset);

	if (c == CHANGE_TIMEZONE) {
		if (t->n[CHANGE_TIMEZONE] == 0)
			t->offset = offset;
		else if (offset != t->offset)
			t->mixed = true;
	}
	t->n[c]++;
}

void change_tally_merge(struct change_tally *t, const struct change_tally *u)
{
	size_t i;

	if (u->n[CHANGE_TIMEZONE]) {
		if (t->n[CHANGE_TIMEZONE] == 0)
			t->offset = u->offset;
		else if (u->offset != t->offset)
			t->mixed = true;
	}
	t->mixed |= u->mixed;
	for (i = 0; i < CHANGE_NCLASSES; i++)
		t->n[i] += u->n[i];
}

void change_tally_finish(struct change_tally *t)
{
	if (t->mixed) {
		t->n[CHANGE_OTHER] += t->n[CHANGE_TIMEZONE];
		t->n[CHANGE_TIMEZONE] = 0;
		t->mixed = false;
	}
	if (t->n[CHANGE_TIMEZONE] == 0)
		t->offset = 0;
}

void change_offset_format(long offset, char *buf, size_t size)
{
	long a = offset < 0 ? -offset : offset;

	snprintf(buf, size, "%c%02ld:%02ld", offset < 0 ? '-' : '+', a / 3600, a % 3600 / 60);
}
