/*
 * compare_classes.h: what kind of change a changed value is, so a compare
 * can say whether its drift is real.
 *
 * A changed value (the left and right text of one column of one changed
 * row; NULL is SQL NULL) falls in exactly one class:
 *   whitespace  the two differ only in whitespace (spaces, tabs, line ends)
 *   case        the two differ only in ASCII letter case
 *   scale       both are plain numbers of equal value (1.5 and 1.50), as
 *               when one side holds the number as text
 *   null_empty  one side is NULL, the other the empty string
 *   timezone    both are timestamps whose wall-clock times differ by a
 *               whole time-zone offset (a multiple of 15 minutes, at most
 *               14 hours), and every such value of the column differs by
 *               that same offset: the column is shifted as a whole
 *   other       anything else
 * The offset is right minus left: +02:00 means the right side's clock
 * reads two hours later.  Everything here is pure: no allocation, no
 * global state, safe from any thread.
 */
#ifndef RECON_COMPARE_CLASSES_H
#define RECON_COMPARE_CLASSES_H

#include <stdbool.h>
#include <stddef.h>

enum change_class {
	CHANGE_WHITESPACE,
	CHANGE_CASE,
	CHANGE_SCALE,
	CHANGE_NULL_EMPTY,
	CHANGE_TIMEZONE,
	CHANGE_OTHER,
	CHANGE_NCLASSES
};

/* "whitespace", "case", "scale", "null_empty", "timezone", "other". */
const char *change_class_name(enum change_class c);

/* The class of one changed value taken alone (a == NULL is SQL NULL).  For
 * CHANGE_TIMEZONE *offset is set to the shift in seconds (right minus
 * left); whether the column shifts as a whole is change_tally's to say. */
enum change_class change_classify(const char *a, size_t alen, const char *b, size_t blen,
				  long *offset);

/* Parse a timestamp "YYYY-MM-DD[ T]HH:MM[:SS[.FRACTION]]" with an optional
 * zone suffix (Z, +HH, +HH:MM, +HHMM, -...), which is read and ignored:
 * *secs is the wall-clock time in seconds from 1970-01-01, *frac and
 * *fraclen its fraction's digits without trailing zeros. */
bool change_parse_timestamp(const char *s, size_t len, long long *secs, const char **frac,
			    size_t *fraclen);

/* The classes of one column's changed values. */
struct change_tally {
	long long n[CHANGE_NCLASSES];	/* per class; TIMEZONE counts candidates */
	long offset;			/* the candidates' offset, seconds */
	bool mixed;			/* candidates with more than one offset */
};

#define CHANGE_TALLY_INIT { { 0 }, 0, false }

/* Count one changed value of the column. */
void change_tally_add(struct change_tally *t, const char *a, size_t alen, const char *b,
		      size_t blen);

/* Merge another tally of the same column into t (from a second reader). */
void change_tally_merge(struct change_tally *t, const struct change_tally *u);

/* Settle the column: candidates of mixed offsets become other. */
void change_tally_finish(struct change_tally *t);

/* Write an offset as "+HH:MM" or "-HH:MM" into buf (at least 8 bytes). */
void change_offset_format(long offset, char *buf, size_t size);

#endif
