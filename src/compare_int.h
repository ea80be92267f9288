/*
 * compare_int.h: what the parts of kind = compare share, and nothing
 * else includes: the state of one compare (struct cmp) with its two sides
 * (struct side), the rows read again, and the functions of compare_read.c
 * (the readers, the rows read again) that compare.c and verification and
 * tallies (compare_verify.c) call.
 *
 * Ownership: a struct cmp is made and freed by compare.c (cmp_new,
 * cmp_free) and owns its key table, its sides' buffers and their group
 * values.  A struct reread owns its copies of rows: reread_free frees
 * them.
 *
 * Threads: while the sides are read, each reader changes only its own
 * struct side, the key table (compare_table.h says how) and, to stop
 * the other reader, stop and reserve (atomically); everything else is
 * read only, or used after both readers are joined.
 */
#ifndef RECON_COMPARE_INT_H
#define RECON_COMPARE_INT_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "compare_key.h"
#include "compare_table.h"
#include "compare_value.h"
#include "config.h"
#include "source.h"
#include "source_scan.h"
#include "util.h"

/* What a key is, when it is a finding. */
enum finding { F_MISSING, F_EXTRA, F_CHANGED };

/* A row read again (samples, verification): every column, copied. */
struct rowcopy {
	char **cells;		/* ncols; NULL = SQL NULL */
	size_t *lens;
	char *data;		/* the cells' text, one block */
	bool found;
};

struct cmp;

struct side {
	struct cmp *c;
	int idx;		/* LEFT or RIGHT */
	const char *what;	/* "left snap:departments" for messages */
	struct source *src;
	struct source_scan *scan;	/* how its source reads the side's rows */
	struct scan_traits tr;	/* and what they are like */
	const char *const *names;	/* header (the scan's) */
	size_t ncols;
	uint32_t *colidx;	/* names hashed: first column of a name + 1, 0 free */
	size_t colmask;		/* slots of colidx - 1 */
	size_t *need;		/* column of each needed cell: keys, compared, group */
	size_t nneed;
	struct cell *cells;	/* the current row's needed cells */
	unsigned char *kbuf;	/* the current row's encoded key */
	size_t kcap;
	struct gdict groups;
	long long rowno;	/* rows so far */
	struct kring ring;	/* rows in flight */
	unsigned char *qkey[PIPE];	/* sides read again by key: each ring row's key cells */
	size_t qkcap[PIPE];
	struct diag d;
	int ret;		/* of the read: 0 or -1 */
	bool threaded;
	bool reserved;		/* hold_reserve was called */
};

/* A compared column's own tolerance (tolerance.COLUMN). */
enum coltol_kind { COLTOL_CHECK, COLTOL_ABSOLUTE, COLTOL_RELATIVE };
struct coltol {
	enum coltol_kind kind;	/* CHECK: the check-wide tolerance, or none */
	struct cv_num v;	/* ABSOLUTE: the amount; RELATIVE: the percentage */
};

struct cmp {
	const struct check_cfg *cc;
	size_t nkey, ncmp;
	const char **cmp_names;	/* compared columns, left's order (left names) */
	const char **cmp_right;	/* their right names */
	struct coltol *tols;	/* per compared column, or NULL: none given */
	bool has_group;
	bool has_tol;
	struct cv_num tol;
	struct ktable kt;	/* the key table (compare_table.h) */
	struct side side[2];
	bool parallel;		/* two query sides read at once (source_scans_concurrent) */
	atomic_int stop;	/* set when one side failed */
	long long left_rows;	/* bisected: the left table's rows, else -1 */
	void *reserve[2];	/* per side: address space held back, see hold_reserve */
};

struct want;

/* Rows of n entries read again from both sides: where each is (want, only
 * the entries added on that side) and its copy (rows[s][i] for entry i). */
struct reread {
	struct want *want[2];
	size_t nwant[2];
	struct rowcopy *rows[2];
	size_t n;
};

/* Rows of n entries to read again (none added yet); reread_free frees. */
void reread_init(struct reread *rd, size_t n);

/* Read entry i's row on side s again. */
void reread_add(struct reread *rd, int s, size_t i, const struct entry *e);

/* Free rd's wants and row copies. */
void reread_free(struct reread *rd);

/* The rows of entries e[0..n-1] on both sides read again into rd
 * (reread_init'ed here; reread_free frees it, also on error): fetch_both. */
int reread_both(struct cmp *c, struct reread *rd, struct entry *const *e, size_t n,
		struct diag *d);

/* ---- compare_read.c: the readers ---- */

/* Learn side sd's column names without reading its rows (its scan is
 * open).  -1 with d set: the scan's error, or "WHAT: no columns". */
int read_header(struct side *sd, struct diag *d);

/* Decide the compared columns (given, or every non-key column both sides
 * share) and where each needed cell is on each side (sd->need: keys,
 * compared, group).  -1 with d naming a missing column. */
int resolve_columns(struct cmp *c, struct diag *d);

/* Read one side (a struct side *) into the key table, as a thread's
 * function or called in line; sets sd->ret and sd->d.  A left side that
 * fails stops the right one (c->stop), never the other way round. */
void *side_read(void *arg);

/* Give back the address space both sides hold in reserve (from either
 * reader, or at the end). */
void release_reserve(struct cmp *c);

/* Read the rows rd wants from both sides into rd->rows.  -1 on error (d
 * says why). */
int fetch_both(struct cmp *c, struct reread *rd, struct diag *d);

/* Compared column j of two re-read rows under the value rules. */
bool column_equal(const struct cmp *c, const struct rowcopy *l, const struct rowcopy *r,
		  size_t j);

#endif
