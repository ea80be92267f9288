/*
 * compare_verify.h: the walks over the key table once both sides of a
 * compare were read: verification of changed rows under a tolerance, the
 * findings tallied per kind and group with the samples kept and the keys
 * followed, the changed rows explained per column, and the merge of both
 * sides' group values.
 *
 * A walk is walk_entries with one of the *_entry functions and its
 * context; the *_batch functions and explain_changes read rows again
 * through compare_read.c (fetch_both).  Ownership: the caller allocates and
 * frees each context's arrays (batch, kept, picks, gmap, gcount, ...);
 * merge_groups returns an array the caller frees, whose names belong to
 * the sides' group values.  One thread, after the readers were joined.
 */
#ifndef RECON_COMPARE_VERIFY_H
#define RECON_COMPARE_VERIFY_H

#include "compare_int.h"
#include "findings.h"
#include "sweep.h"

#define VERIFY_BATCH 65536			/* rows re-read at once */

typedef int (*entry_fn)(struct cmp *c, struct entry *e, void *ctx);

/* fn on every entry of c's key table (ktable_walk): its first non-zero
 * return, else 0. */
int walk_entries(struct cmp *c, entry_fn fn, void *ctx);

/* With a tolerance: re-read rows whose digests differ, in batches, and
 * clear DIFFERS where every compared value is within it. */
struct verify {
	struct entry **batch;
	size_t n;
	struct diag *d;
};

/* Take entry e into v's batch when both sides have it and their digests
 * differ; a full batch is verified.  -1 on error (v->d says why). */
int verify_entry(struct cmp *c, struct entry *e, void *ctx);

/* Read v's batch again and clear DIFFERS of its entries whose compared
 * values are all equal under the value rules; the batch is then empty.
 * -1 on error (v->d says why). */
int verify_batch(struct cmp *c, struct verify *v);

/* Findings, per group, and the smallest findings of each kind for
 * samples. */
struct pick {
	enum finding kind;
	struct entry *e;
};

struct explain;

struct tally {
	long long keys;		/* entries walked: the rows compared */
	long long count[3];
	uint32_t *gmap[2];	/* side's group id -> merged group index */
	long long (*gcount)[3];	/* per merged group */
	struct pick *kept[3];	/* per kind: its smallest, sorted, at most cap */
	size_t nkept[3];
	struct pick *picks;	/* the samples chosen from kept, in order */
	size_t npicks, cap;
	struct keyset followed;	/* the findings' keys followed across days */
	struct strbuf key;	/* one key's text, reused */
	struct check_result *cr;	/* its waivers (findings.h) */
	const char **gnames;	/* merged group names */
	long long *gwaived;	/* per merged group: findings waived */
	struct explain *x;	/* explains the changed rows, or NULL */
};

/* Count entry e's finding (none, missing, extra or changed) in t, per
 * group too, keep it for the samples when among the smallest of its kind,
 * offer its key to the keys followed, and hand a changed row to t->x when
 * set (explain_add).  -1 when that fails (t->x->d says why), else 0. */
int tally_entry(struct cmp *c, struct entry *e, void *ctx);

/* Choose t->picks from t->kept. */
void choose_samples(struct tally *t);

/* Per compared column: the changed rows in which it differs (overall and
 * per group) and the classes of their values.  Only changed rows are read
 * again, in batches, as for a tolerance. */
struct explain {
	struct entry **batch;
	size_t n;
	const struct tally *t;	/* its gmap gives an entry's group */
	long long *changed;	/* per compared column */
	struct change_tally *classes;	/* per compared column */
	long long *gchanged;	/* per group and compared column, or NULL */
	size_t ngroups;		/* gchanged's groups */
	struct {		/* a second thread's counts, when two read */
		long long *changed;
		struct change_tally *classes;
		long long *gchanged;
	} more;
	struct diag *d;
};

/* Explaining changed rows: x->t, x->d and x->ngroups set, then
 * explain_begin; each changed row's entry to explain_add (the tally's walk
 * hands them over); explain_end puts the counts into cr->column_changes
 * (from a) and x->gchanged.  explain_add reads a full batch again and
 * explain_end the rest: -1 on error (x->d says why). */
void explain_begin(struct cmp *c, struct explain *x);
int explain_add(struct cmp *c, struct explain *x, struct entry *e);
int explain_end(struct cmp *c, struct explain *x, struct check_result *cr, struct arena *a);

/* Merge both sides' group values into one sorted list (freed by the
 * caller; *nout names) and map each side's ids to it in t->gmap. */
const char **merge_groups(struct cmp *c, struct tally *t, size_t *nout);

#endif
