/*
 * hint.c: the nearest of a few known names to a mistyped one (see hint.h),
 * by optimal string alignment distance: Levenshtein's three edits plus the
 * swap of two neighbouring characters, the commonest typo.
 */
#include "hint.h"

#include <stdlib.h>
#include <string.h>

#define HINT_MAX_EDITS 2
#define HINT_MIN_PREFIX 3
#define HINT_MAX_LEN 64		/* longer words are not typos of a short name */

static int lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

static int min3(int a, int b, int c)
{
	int m = a < b ? a : b;

	return m < c ? m : c;
}

/* Edits between a and b (both at most HINT_MAX_LEN bytes). */
static int distance(const char *a, size_t la, const char *b, size_t lb)
{
	int d[HINT_MAX_LEN + 1][HINT_MAX_LEN + 1];
	size_t i, j;

	for (i = 0; i <= la; i++)
		d[i][0] = (int)i;
	for (j = 0; j <= lb; j++)
		d[0][j] = (int)j;
	for (i = 1; i <= la; i++) {
		for (j = 1; j <= lb; j++) {
			int cost = lower((unsigned char)a[i - 1]) != lower((unsigned char)b[j - 1]);

			d[i][j] = min3(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
			if (i > 1 && j > 1 &&
			    lower((unsigned char)a[i - 1]) == lower((unsigned char)b[j - 2]) &&
			    lower((unsigned char)a[i - 2]) == lower((unsigned char)b[j - 1]) &&
			    d[i - 2][j - 2] + 1 < d[i][j])
				d[i][j] = d[i - 2][j - 2] + 1;
		}
	}
	return d[la][lb];
}

/* One is a prefix of the other, case aside, and the shorter is long
 * enough to mean something. */
static int prefix(const char *a, size_t la, const char *b, size_t lb)
{
	size_t n = la < lb ? la : lb, i;

	if (n < HINT_MIN_PREFIX)
		return 0;
	for (i = 0; i < n; i++)
		if (lower((unsigned char)a[i]) != lower((unsigned char)b[i]))
			return 0;
	return 1;
}

/* See hint.h. */
const char *closest_name(const char *word, const char *const *names, size_t n)
{
	size_t lw = strlen(word), i;
	const char *best = NULL;
	int best_d = HINT_MAX_EDITS + 2;	/* a prefix match scores this - 1 */

	if (lw == 0 || lw > HINT_MAX_LEN)
		return NULL;
	for (i = 0; i < n; i++) {
		size_t ln;
		int dist;

		if (!names[i] || strcmp(names[i], word) == 0)
			continue;
		ln = strlen(names[i]);
		if (ln > HINT_MAX_LEN)
			continue;
		dist = (size_t)abs((int)ln - (int)lw) > HINT_MAX_EDITS
			       ? HINT_MAX_EDITS + 1
			       : distance(word, lw, names[i], ln);
		if (dist > HINT_MAX_EDITS || (size_t)dist >= lw)
			dist = prefix(word, lw, names[i], ln) ? HINT_MAX_EDITS + 1 : -1;
		if (dist >= 0 && dist < best_d) {
			best = names[i];
			best_d = dist;
		}
	}
	return best;
}
