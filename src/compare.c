/*
 * compare.c: kind = compare (see compare.h), the reconciliation of two sides
 * by key.
 *
 * Both sides are read at once, each by its own thread, through its
 * source's scan (source_scan.h), which decides how: a snapshot directory's
 * CSV table is streamed from its file, any other side as SQL rows arrive
 * (two query sides on one PostgreSQL source through two connections in the
 * same snapshot; on a source that cannot read two at once they are read
 * one after the other).  Every row becomes a small entry in one hash table
 * shared by the two readers: the canonical encoding of its key, a 64-bit
 * digest of its compared values (numbers in canonical form, so equal
 * values hash alike), where the row is on each side (the position its scan
 * gave it: a byte offset in a file, a row number of SQL), its group and
 * three flags (seen on the left, seen on the right, digests differ).  The
 * first side to bring a key creates its entry; the other side finds it and
 * compares digests.  So memory is one entry per distinct key (25 bytes
 * plus the encoded key, rounded to 4, and about 13 bytes of index)
 * whatever the width of the rows, and nothing more of either side.
 *
 * The table is split into 4096 stripes, each with its own spin lock, so the
 * two readers rarely meet.  It is sized up front from what the larger side
 * is known to hold (as its source estimates it; a query side is not known
 * and the table grows as rows arrive), in memory with transparent huge
 * pages advised; each reader keeps a few batches of rows in flight,
 * prefetching (for writing) a batch's slots, then its entries, before it
 * takes the locks: at 10M rows the table is far larger than any cache or
 * the TLB's reach, and these misses are most of the cost beyond parsing
 * (see ring_push).
 *
 * Keys follow the value rules too: key cells that are numbers match
 * numerically (10 = 1e1 = 10.0), text byte for byte, and a NULL key cell
 * matches only a NULL one (so NULL is a key like any other, and two rows
 * with a NULL key on one side are a duplicate).
 *
 * At the end one walk over the entries gives the findings: seen only on the
 * left is missing, only on the right extra, on both with different digests
 * changed.  With a tolerance, equal digests still mean equal values, but
 * different digests are verified by re-reading both rows (by position or
 * by key, as the scan reads rows again) and comparing them value by
 * value.  Samples are the smallest findings of each kind by key (NULL
 * first, numbers by value, then strings by bytes), the kinds taking turns
 * (see choose_samples), so shuffled inputs give the same samples; only
 * their rows are read again to show the values (a side read again by key
 * first asks its source for a narrower read of the wanted keys, and reads
 * everything again when that misses a row).
 */
#include "compare.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "compare_classes.h"
#include "compare_bisect.h"
#include "compare_int.h"
#include "compare_key.h"
#include "compare_table.h"
#include "compare_value.h"
#include "compare_verify.h"
#include "findings.h"
#include "source_scan.h"

#define KEY_SEED 0x6b65797365656421ULL
#define RESERVE_SIZE ((size_t)4 << 20)	/* address space held back per side */

static const char *const finding_name[] = { "missing", "extra", "changed" };

/* ---- reading a side ------------------------------------------------------- */

static void rowcopy_init(struct rowcopy *rc, size_t ncols);
static void rowcopy_free(struct rowcopy *rc, size_t ncols);

/* Key column i's name on side s ("left:right" maps them). */
static const char *key_name(const struct check_cfg *cc, int s, size_t i)
{
	return s == RIGHT && cc->right_key ? cc->right_key[i] : cc->key[i];
}

/* "tenant_id=t-1, unit_id=u-2" from key cells. */
static void key_text(const struct side *sd, const struct cell *cells, struct strbuf *sb)
{
	size_t i;

	for (i = 0; i < sd->c->nkey; i++) {
		sb_addf(sb, "%s%s=", i ? ", " : "", key_name(sd->c->cc, sd->idx, i));
		if (cells[i].s)
			sb_add(sb, cells[i].s, cells[i].len > 200 ? 200 : cells[i].len);
		else
			sb_puts(sb, "NULL");
	}
}

/* Copy a row read again into the rowcopy ctx. */
static int copy_row(void *ctx, size_t i, const struct cell *cells, size_t ncols)
{
	struct rowcopy *rc = ctx;
	size_t k;

	(void)i;
	for (k = 0; k < ncols; k++) {
		if (cells[k].s) {
			rc->cells[k] = xmalloc(cells[k].len + 1);
			memcpy(rc->cells[k], cells[k].s, cells[k].len);
			rc->cells[k][cells[k].len] = '\0';
		}
		rc->lens[k] = cells[k].len;
	}
	rc->found = true;
	return 0;
}

/* The key of the row p as its side wrote it: a row read by position is
 * read again (it may be a row in flight), one read by key kept its key
 * cells (save_query_key). */
static void pend_key_text(struct side *sd, const struct pend *p, struct strbuf *sb)
{
	struct rowcopy rc;
	struct diag d;
	struct cell *cells;
	size_t i;

	if (!sd->tr.by_position) {
		const unsigned char *b;
		uint32_t l;

		if (p < sd->ring.row || p >= sd->ring.row + PIPE || !sd->qkey[p - sd->ring.row]) {
			key_text(sd, sd->cells, sb);
			return;
		}
		/* the row's own key cells, as save_query_key kept them */
		cells = xcalloc(sd->c->nkey, sizeof(*cells));
		b = sd->qkey[p - sd->ring.row];
		for (i = 0; i < sd->c->nkey; i++) {
			memcpy(&l, b + 1, 4);
			cells[i].s = b[0] ? (const char *)b + 5 : NULL;
			cells[i].len = l;
			b += 5 + l;
		}
		key_text(sd, cells, sb);
		free(cells);
		return;
	}
	cells = xcalloc(sd->c->nkey, sizeof(*cells));
	rowcopy_init(&rc, sd->ncols);
	if (source_scan_fetch(sd->scan, &p->pos, 1, copy_row, &rc, &d) == 0) {
		for (i = 0; i < sd->c->nkey; i++) {
			cells[i].s = rc.cells[sd->need[i]];
			cells[i].len = rc.lens[sd->need[i]];
		}
		key_text(sd, cells, sb);
	} else {
		sb_puts(sb, "?");
	}
	rowcopy_free(&rc, sd->ncols);
	free(cells);
}

static int dup_error(struct side *sd, const struct pend *p, uint64_t first)
{
	struct strbuf key = STRBUF_INIT, where = STRBUF_INIT;
	int ret;

	pend_key_text(sd, p, &key);
	source_scan_where(sd->scan, first, p->pos, &where);
	ret = diag_error(&sd->d, "%s: duplicate key (%s) %s", sd->what, key.buf, where.buf);
	sb_release(&key);
	sb_release(&where);
	return ret;
}

/* Give back the address space both sides hold in reserve (from either
 * reader, or at the end). */
static void release_reserve(struct cmp *c)
{
	int s;

	for (s = 0; s < 2; s++) {
		void *p = __atomic_exchange_n(&c->reserve[s], NULL, __ATOMIC_ACQ_REL);

		if (p)
			munmap(p, RESERVE_SIZE);
	}
}

/* The key table (or a group's name) could not get memory at row line:
 * this check fails with that message, both readers stop, and the reserve
 * is given back so that they can (see hold_reserve). */
static int oom_error(struct side *sd, long long line)
{
	struct cmp *c = sd->c;

	atomic_store(&c->stop, 1);
	release_reserve(c);
	return diag_error(&sd->d, "out of memory: %s: the key table held %zu MiB at %s %lld",
			  sd->what, ktable_bytes(&c->kt) >> 20,
			  sd->tr.row_word, line);
}

/*
 * Hold back some address space for side sd (mapped, never touched, so it
 * costs no memory), at its first row: after its reader made its own
 * buffers, before its keys fill the table.  Under a limit on address
 * space (ulimit -v) the key table meets the limit first, but the readers'
 * small allocations would meet it too, and running out there ends the
 * process; given back when the table fails (oom_error), the reserve lets
 * both readers reach their next row, see that the compare stopped, and
 * return.  -1 when even the reserve cannot be had.
 */
static int hold_reserve(struct side *sd, long long line)
{
	void *p;

	sd->reserved = true;
	if (atomic_load(&sd->c->stop))
		return 0;
	p = mmap(NULL, RESERVE_SIZE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1,
		 0);
	if (p == MAP_FAILED)
		return oom_error(sd, line);
	/* given back by release_reserve, from either reader or at the end */
	__atomic_store_n(&sd->c->reserve[sd->idx], p, __ATOMIC_RELEASE);
	return 0;
}

/* Hash the current row (sd->cells) into p.  pos: where the row is (offset
 * or row number); line: its line or row number for messages.  The key is
 * encoded in p when it fits there (most keys, straight away), else it
 * stays in sd->kbuf. */
static int prepare_row(struct side *sd, struct pend *p, uint64_t pos, long long line)
{
	struct cmp *c = sd->c;
	const struct cell *cells = sd->cells;
	uint64_t digest = 0;
	size_t klen, j;

	if (key_room(cells, c->nkey) <= KEY_INLINE) {
		klen = encode_key_to(p->inl, cells, c->nkey);
		p->key = p->inl;
	} else if (encode_key(&sd->kbuf, &sd->kcap, cells, c->nkey, &klen) < 0) {
		struct strbuf sb;

		sb_init(&sb);
		key_text(sd, cells, &sb);
		diag_error(&sd->d, "%s: key (%s) at %s %lld is longer than %d bytes", sd->what,
			   sb.buf, sd->tr.row_word, line, MAX_KEY);
		sb_release(&sb);
		return -1;
	} else if (klen <= KEY_INLINE) {
		memcpy(p->inl, sd->kbuf, klen);
		p->key = p->inl;
	} else {
		p->key = sd->kbuf;
	}
	p->h = cv_hash(p->key, klen, KEY_SEED);
	for (j = 0; j < c->ncmp; j++)
		digest = cv_mix(digest, cv_hash_value(cells[c->nkey + j].s, cells[c->nkey + j].len));
	p->digest = digest;
	p->gid = 0;
	if (c->has_group) {
		const struct cell *g = &cells[c->nkey + c->ncmp];
		uint32_t id = gdict_get(&sd->groups, g->s, g->len);

		if (id == GID_NONE)
			return oom_error(sd, line);
		p->gid = (uint32_t)sd->idx << 31 | id;
	}
	if (pos > MAX_POS)
		return diag_error(&sd->d, "%s: beyond %s %llu: too large", sd->what,
				  sd->tr.pos_word, (unsigned long long)MAX_POS);
	p->pos = pos;
	p->line = line;
	p->klen = (uint32_t)klen;
	return 0;
}

/* A row the key table refused (compare_table.h), as sd's error. */
static int insert_error(struct side *sd, enum ktable_status st)
{
	if (st == KT_DUPLICATE)
		return dup_error(sd, sd->ring.failed, sd->ring.first);
	if (st == KT_FULL)
		return diag_error(&sd->d, "%s: too many keys (%zu GiB of them)", sd->what,
				  (MAX_CHUNKS * CHUNK_SIZE) >> 30);
	return oom_error(sd, sd->ring.failed->line);
}

/* Commit ring rows until at most keep are in flight. */
static int drain(struct side *sd, size_t keep)
{
	enum ktable_status st = kring_drain(&sd->c->kt, sd->idx, &sd->ring, keep);

	return st == KT_OK ? 0 : insert_error(sd, st);
}

/* Put the prepared row p (the ring's next place) in flight (kring_push). */
static int ring_push(struct side *sd, struct pend *p)
{
	enum ktable_status st = kring_push(&sd->c->kt, sd->idx, &sd->ring, p);

	return st == KT_OK ? 0 : insert_error(sd, st);
}

/* Keep the key cells of the current row of a side read by key (up to the
 * 200 bytes a message shows of each) for ring slot k: a duplicate found
 * when the row is committed names its own key, not the row read last. */
static void save_query_key(struct side *sd, size_t k)
{
	size_t i, need = 0, off = 0;
	uint32_t l;

	for (i = 0; i < sd->c->nkey; i++)
		need += 5 + (sd->cells[i].len > 200 ? 200 : sd->cells[i].len);
	if (need > sd->qkcap[k]) {
		sd->qkey[k] = xrealloc(sd->qkey[k], need);
		sd->qkcap[k] = need;
	}
	for (i = 0; i < sd->c->nkey; i++) {
		unsigned char *b = sd->qkey[k] + off;

		l = !sd->cells[i].s ? 0 : sd->cells[i].len > 200 ? 200 : (uint32_t)sd->cells[i].len;
		b[0] = sd->cells[i].s != NULL;
		memcpy(b + 1, &l, 4);
		if (l)
			memcpy(b + 5, sd->cells[i].s, l);
		off += 5 + l;
	}
}

/* The scan's callback: the row joins the ring (see ring_push). */
static int side_row(void *ctx, const struct scan_row *row)
{
	struct side *sd = ctx;
	struct pend *p;
	size_t i;

	if (atomic_load_explicit(&sd->c->stop, memory_order_relaxed))
		return 1;
	if (row->ncols != sd->ncols)
		return diag_error(&sd->d, "%s: the query returned %zu columns, then %zu", sd->what,
				  sd->ncols, row->ncols);
	for (i = 0; i < sd->nneed; i++)
		sd->cells[i] = row->cells[sd->need[i]];
	sd->rowno++;
	if (!sd->reserved && hold_reserve(sd, row->line) < 0)
		return -1;
	if (drain(sd, PIPE - 1) < 0)
		return -1;
	p = kring_next(&sd->ring);
	if (prepare_row(sd, p, row->pos, row->line) < 0)
		return -1;
	if (!sd->tr.by_position)
		save_query_key(sd, sd->ring.nring % PIPE);
	return ring_push(sd, p);
}

/* Read one side into the key table; sets sd->ret. */
static void *side_read(void *arg)
{
	struct side *sd = arg;

	sd->ret = source_scan_rows(sd->scan, sd->what, side_row, sd, &sd->d);
	if (sd->ret == 0)
		sd->ret = drain(sd, 0);
	/* The left side's error is the one reported when both sides have
	 * one, so a failed left side stops the right, and never the other way
	 * round: the right side's error cannot cut the left short of its own,
	 * and the same inputs always give the same message. */
	if (sd->ret < 0 && sd->idx == LEFT)
		atomic_store(&sd->c->stop, 1);
	return NULL;
}

/* ---- headers and columns -------------------------------------------------- */

static void index_columns(struct side *sd);

/* Learn a side's column names without reading its rows. */
static int read_header(struct side *sd, struct diag *d)
{
	if (source_scan_header(sd->scan, &sd->names, &sd->ncols, d) < 0)
		return -1;
	if (!sd->names)
		return diag_error(d, "%s: no columns", sd->what);
	index_columns(sd);
	return 0;
}

/* Hash the header's names (the first column of each name), so that
 * finding every column of a header of a million names is linear. */
static void index_columns(struct side *sd)
{
	size_t cap = 16, i, j;

	while (cap < 2 * sd->ncols)
		cap *= 2;
	sd->colidx = xcalloc(cap, sizeof(*sd->colidx));
	sd->colmask = cap - 1;
	for (i = 0; i < sd->ncols; i++) {
		const char *name = sd->names[i];

		for (j = cv_hash(name, strlen(name), 0) & sd->colmask; sd->colidx[j];
		     j = (j + 1) & sd->colmask)
			if (strcmp(sd->names[sd->colidx[j] - 1], name) == 0)
				break;
		if (!sd->colidx[j])
			sd->colidx[j] = (uint32_t)i + 1;
	}
}

/* The first column named name, or -1. */
static long find_col(const struct side *sd, const char *name)
{
	size_t j;

	for (j = cv_hash(name, strlen(name), 0) & sd->colmask; sd->colidx[j];
	     j = (j + 1) & sd->colmask)
		if (strcmp(sd->names[sd->colidx[j] - 1], name) == 0)
			return (long)sd->colidx[j] - 1;
	return -1;
}

static bool is_key(const struct check_cfg *cc, int s, const char *name)
{
	size_t i;

	for (i = 0; i < cc->nkey; i++)
		if (strcmp(key_name(cc, s, i), name) == 0)
			return true;
	return false;
}

/* Decide the compared columns and where each needed cell is on each side. */
static int resolve_columns(struct cmp *c, struct diag *d)
{
	const struct check_cfg *cc = c->cc;
	struct side *l = &c->side[LEFT];
	size_t i, s, n = 0;

	if (cc->nkey == 0)
		return diag_error(d, "compare check needs a key");
	if (cc->ncolumns) {
		c->cmp_names = xcalloc(cc->ncolumns, sizeof(*c->cmp_names));
		c->cmp_right = xcalloc(cc->ncolumns, sizeof(*c->cmp_right));
		for (i = 0; i < cc->ncolumns; i++) {
			c->cmp_right[n] = cc->right_columns ? cc->right_columns[i] : cc->columns[i];
			c->cmp_names[n++] = cc->columns[i];
		}
	} else {
		c->cmp_names = xcalloc(l->ncols ? l->ncols : 1, sizeof(*c->cmp_names));
		c->cmp_right = xcalloc(l->ncols ? l->ncols : 1, sizeof(*c->cmp_right));
		for (i = 0; i < l->ncols; i++) {
			bool dup = find_col(l, l->names[i]) != (long)i;

			if (!dup && !is_key(cc, LEFT, l->names[i]) &&
			    !is_key(cc, RIGHT, l->names[i]) &&
			    find_col(&c->side[RIGHT], l->names[i]) >= 0) {
				c->cmp_right[n] = l->names[i];
				c->cmp_names[n++] = l->names[i];
			}
		}
	}
	c->nkey = cc->nkey;
	c->ncmp = n;
	c->has_group = cc->group != NULL;
	for (s = 0; s < 2; s++) {
		struct side *sd = &c->side[s];
		size_t k = 0;
		long col;

		sd->nneed = c->nkey + c->ncmp + (c->has_group ? 1 : 0);
		sd->need = xcalloc(sd->nneed, sizeof(*sd->need));
		sd->cells = xcalloc(sd->nneed, sizeof(*sd->cells));
		for (i = 0; i < c->nkey; i++, k++) {
			if ((col = find_col(sd, key_name(cc, (int)s, i))) < 0)
				return diag_error(d, "%s: no key column '%s'", sd->what,
						  key_name(cc, (int)s, i));
			sd->need[k] = (size_t)col;
		}
		for (i = 0; i < c->ncmp; i++, k++) {
			const char *name = s == RIGHT ? c->cmp_right[i] : c->cmp_names[i];

			if ((col = find_col(sd, name)) < 0)
				return diag_error(d, "%s: no compared column '%s'", sd->what, name);
			sd->need[k] = (size_t)col;
		}
		if (c->has_group) {
			if ((col = find_col(sd, cc->group)) < 0)
				return diag_error(d, "%s: no group column '%s'", sd->what, cc->group);
			sd->need[k] = (size_t)col;
		}
	}
	return 0;
}

/* ---- reading rows again --------------------------------------------------- */

struct want {
	uint64_t pos;		/* sides read again by position: where the row is */
	const unsigned char *key;	/* sides read again by key: the encoded key */
	size_t klen;
	struct rowcopy *out;
};

static void rowcopy_init(struct rowcopy *rc, size_t ncols)
{
	rc->cells = xcalloc(ncols ? ncols : 1, sizeof(*rc->cells));
	rc->lens = xcalloc(ncols ? ncols : 1, sizeof(*rc->lens));
	rc->found = false;
}

static void rowcopy_free(struct rowcopy *rc, size_t ncols)
{
	size_t i;

	if (!rc->cells)
		return;
	for (i = 0; i < ncols; i++)
		free(rc->cells[i]);
	free(rc->cells);
	free(rc->lens);
	rc->cells = NULL;
	rc->lens = NULL;
}

struct refetch {
	struct side *sd;
	struct want **sorted;	/* by key */
	size_t n;
	struct diag *d;
};

static int want_key_cmp(const void *a, const void *b)
{
	const struct want *x = *(const struct want *const *)a, *y = *(const struct want *const *)b;

	return bytes_cmp(x->key, x->klen, y->key, y->klen);
}

static int refetch_row(void *ctx, const struct scan_row *row)
{
	struct refetch *rf = ctx;
	struct side *sd = rf->sd;
	struct want probe, *pp = &probe, **hit;
	size_t i, klen;

	if (row->ncols != sd->ncols)
		return 0;
	for (i = 0; i < sd->c->nkey; i++)
		sd->cells[i] = row->cells[sd->need[i]];
	if (encode_key(&sd->kbuf, &sd->kcap, sd->cells, sd->c->nkey, &klen) < 0)
		return 0;
	probe.key = sd->kbuf;
	probe.klen = klen;
	hit = bsearch(&pp, rf->sorted, rf->n, sizeof(*rf->sorted), want_key_cmp);
	if (!hit || (*hit)->out->found)
		return 0;
	return copy_row((*hit)->out, 0, row->cells, row->ncols);
}

/* The wanted keys as their fields, for the source to narrow its read by
 * (a number is matched by value here, not by the source); *cols gets the
 * side's key column names.  Both malloc'd. */
static struct key_field *key_fields(const struct side *sd, const struct want *w, size_t n,
				    const char ***cols)
{
	size_t nkey = sd->c->nkey, i, k;
	struct key_field *f = xcalloc(n * nkey + 1, sizeof(*f));
	struct kfield kf;

	*cols = xcalloc(nkey ? nkey : 1, sizeof(**cols));
	for (k = 0; k < nkey; k++)
		(*cols)[k] = sd->names[sd->need[k]];
	for (i = 0; i < n; i++) {
		const unsigned char *p = w[i].key;

		for (k = 0; k < nkey; k++) {
			p = decode_field(p, &kf);
			f[i * nkey + k] = (struct key_field){
				kf.type == KF_STRING ? (const char *)kf.s : NULL, kf.len,
				kf.type == KF_NUMBER };
		}
	}
	return f;
}

/* Contract in compare_int.h. */
void reread_init(struct reread *rd, size_t n)
{
	int s;

	for (s = 0; s < 2; s++) {
		rd->want[s] = xcalloc(n ? n : 1, sizeof(*rd->want[s]));
		rd->rows[s] = xcalloc(n ? n : 1, sizeof(*rd->rows[s]));
		rd->nwant[s] = 0;
	}
	rd->n = n;
}

/* Contract in compare_int.h. */
void reread_add(struct reread *rd, int s, size_t i, const struct entry *e)
{
	rd->want[s][rd->nwant[s]++] = (struct want){ entry_pos(e, s), e->key, e->klen,
						     &rd->rows[s][i] };
}

/* Contract in compare_int.h. */
void reread_free(struct cmp *c, struct reread *rd)
{
	size_t i;
	int s;

	for (s = 0; s < 2; s++) {
		for (i = 0; i < rd->n; i++)
			rowcopy_free(&rd->rows[s][i], c->side[s].ncols);
		free(rd->want[s]);
		free(rd->rows[s]);
	}
}

/* Where each wanted row of a side read again by position is, into the
 * rowcopy of fetch_at's ctx. */
static int fetch_at(void *ctx, size_t i, const struct cell *cells, size_t ncols)
{
	struct want *w = ctx;

	return copy_row(w[i].out, i, cells, ncols);
}

/* Rows read again by key: the source's narrower read first, when it has
 * one and it brings every wanted row; else all of the side's rows. */
static int fetch_by_key(struct side *sd, struct want *w, size_t n, struct diag *d)
{
	struct refetch rf = { sd, xcalloc(n, sizeof(struct want *)), n, d };
	struct diag ignored = { "" };
	const char **cols;
	struct key_field *keys;
	size_t i;
	int ret;

	for (i = 0; i < n; i++)
		rf.sorted[i] = &w[i];
	qsort(rf.sorted, n, sizeof(*rf.sorted), want_key_cmp);
	keys = key_fields(sd, w, n, &cols);
	ret = source_scan_narrow(sd->scan, cols, sd->c->nkey, keys, n, refetch_row, &rf,
				 &ignored);
	free(keys);
	free(cols);
	for (i = 0; i < n && ret == 0; i++)
		if (!w[i].out->found)
			ret = -1;
	if (ret != 0) {
		/* not all found (or an error): the whole query decides */
		for (i = 0; i < n; i++) {
			rowcopy_free(w[i].out, sd->ncols);
			rowcopy_init(w[i].out, sd->ncols);
		}
		ret = source_scan_reread(sd->scan, refetch_row, &rf, d);
	}
	free(rf.sorted);
	for (i = 0; i < n && ret == 0; i++)
		if (!w[i].out->found)
			ret = diag_error(d, "%s: a row changed while it was read", sd->what);
	return ret;
}

/* Read the wanted rows of a side again, every column. */
static int fetch_rows(struct side *sd, struct want *w, size_t n, struct diag *d)
{
	uint64_t *pos;
	size_t i;
	int ret;

	for (i = 0; i < n; i++)
		rowcopy_init(w[i].out, sd->ncols);
	if (n == 0)
		return 0;
	if (!sd->tr.by_position)
		return fetch_by_key(sd, w, n, d);
	pos = xcalloc(n, sizeof(*pos));
	for (i = 0; i < n; i++)
		pos[i] = w[i].pos;
	ret = source_scan_fetch(sd->scan, pos, n, fetch_at, w, d);
	free(pos);
	return ret;
}

struct fetch_job {
	struct side *sd;
	struct want *w;
	size_t n;
	struct diag d;
	int ret;
};

static void *fetch_job_run(void *arg)
{
	struct fetch_job *j = arg;

	j->ret = fetch_rows(j->sd, j->w, j->n, &j->d);
	return NULL;
}

/* fetch_rows of both sides: at once when their rows were read at once,
 * else left then right (not right after left failed).  The left side's
 * error comes first. */
int fetch_both(struct cmp *c, struct reread *rd, struct diag *d)
{
	size_t nl = rd->nwant[LEFT], nr = rd->nwant[RIGHT];
	struct fetch_job j[2] = { { &c->side[LEFT], rd->want[LEFT], nl, { "" }, 0 },
				  { &c->side[RIGHT], rd->want[RIGHT], nr, { "" }, 0 } };
	pthread_t tid;
	bool threaded = false;
	int s;

	if (c->parallel && nl > 0 && nr > 0)
		threaded = pthread_create(&tid, NULL, fetch_job_run, &j[RIGHT]) == 0;
	fetch_job_run(&j[LEFT]);
	if (threaded)
		pthread_join(tid, NULL);
	else if (j[LEFT].ret == 0)
		fetch_job_run(&j[RIGHT]);
	for (s = 0; s < 2; s++)
		if (j[s].ret < 0)
			return diag_error(d, "%s", j[s].d.msg);
	return 0;
}

/* Contract in compare_int.h. */
bool column_equal(const struct cmp *c, const struct rowcopy *l, const struct rowcopy *r,
		  size_t j)
{
	size_t li = c->side[LEFT].need[c->nkey + j], ri = c->side[RIGHT].need[c->nkey + j];
	const struct coltol *t = c->tols ? &c->tols[j] : NULL;

	if (t && t->kind == COLTOL_RELATIVE)
		return cv_equal_relative(l->cells[li], l->lens[li], r->cells[ri], r->lens[ri],
					 &t->v);
	if (t && t->kind == COLTOL_ABSOLUTE)
		return cv_equal(l->cells[li], l->lens[li], r->cells[ri], r->lens[ri], &t->v);
	return cv_equal(l->cells[li], l->lens[li], r->cells[ri], r->lens[ri],
			c->has_tol ? &c->tol : NULL);
}

/* ---- samples -------------------------------------------------------------- */

/* A value as a SQL literal, for a list of several differing columns. */
static void add_literal(struct strbuf *sb, const char *s, size_t len)
{
	struct cv_num n;
	size_t i;

	if (!s) {
		sb_puts(sb, "NULL");
		return;
	}
	if (cv_parse(s, len, &n)) {
		sb_add(sb, s, len);	/* a number */
		return;
	}
	sb_putc(sb, '\'');
	for (i = 0; i < len; i++) {
		if (s[i] == '\'')
			sb_putc(sb, '\'');
		sb_putc(sb, s[i]);
	}
	sb_putc(sb, '\'');
}

static const char *cell_dup(struct arena *a, const struct rowcopy *rc, size_t col)
{
	return rc->cells[col] ? arena_strndup(a, rc->cells[col], rc->lens[col]) : NULL;
}

/* Sample rows: finding, key columns, column, left, right.  A changed row
 * is one sample (samples never outnumber findings): `column` names the
 * differing column and left/right hold its two values as they are; when
 * several columns differ, `column` lists them ("name, parent_id") and
 * left/right list the values as SQL literals ('Sales', NULL). */
static int build_samples(struct cmp *c, struct tally *t, struct check_result *cr,
			 struct arena *a, struct diag *d)
{
	size_t n = t->npicks, ncols = c->nkey + 4, i, j;
	struct reread rd;
	struct rowcopy *rl, *rr;
	int ret;

	reread_init(&rd, n);
	rl = rd.rows[LEFT];
	rr = rd.rows[RIGHT];

	cr->ncolumns = ncols;
	cr->columns = arena_alloc(a, ncols * sizeof(*cr->columns));
	cr->columns[0] = "finding";
	for (j = 0; j < c->nkey; j++)
		cr->columns[1 + j] = arena_strdup(a, c->cc->key[j]);
	cr->columns[1 + c->nkey] = "column";
	cr->columns[2 + c->nkey] = "left";
	cr->columns[3 + c->nkey] = "right";

	for (i = 0; i < n; i++) {
		struct entry *e = t->picks[i].e;

		if (t->picks[i].kind != F_EXTRA)
			reread_add(&rd, LEFT, i, e);
		if (t->picks[i].kind != F_MISSING)
			reread_add(&rd, RIGHT, i, e);
	}
	if ((ret = fetch_both(c, &rd, d)) < 0)
		goto out;

	cr->samples = arena_alloc(a, (n ? n : 1) * sizeof(*cr->samples));
	for (i = 0; i < n; i++) {
		enum finding kind = t->picks[i].kind;
		const struct side *ks = &c->side[kind == F_EXTRA ? RIGHT : LEFT];
		const struct rowcopy *kr = kind == F_EXTRA ? &rr[i] : &rl[i];
		const char **row = arena_alloc(a, ncols * sizeof(*row));

		row[0] = finding_name[kind];
		for (j = 0; j < c->nkey; j++)
			row[1 + j] = cell_dup(a, kr, ks->need[j]);
		if (kind == F_CHANGED) {
			struct strbuf names, lv, rv;
			size_t ndiff = 0, last = 0;

			sb_init(&names);
			sb_init(&lv);
			sb_init(&rv);
			for (j = 0; j < c->ncmp; j++) {
				size_t li = c->side[LEFT].need[c->nkey + j];
				size_t ri = c->side[RIGHT].need[c->nkey + j];

				if (column_equal(c, &rl[i], &rr[i], j))
					continue;
				if (ndiff++) {
					sb_puts(&names, ", ");
					sb_puts(&lv, ", ");
					sb_puts(&rv, ", ");
				}
				sb_puts(&names, c->cmp_names[j]);
				add_literal(&lv, rl[i].cells[li], rl[i].lens[li]);
				add_literal(&rv, rr[i].cells[ri], rr[i].lens[ri]);
				last = j;
			}
			if (ndiff == 1) {
				row[1 + c->nkey] = arena_strdup(a, c->cmp_names[last]);
				row[2 + c->nkey] = cell_dup(a, &rl[i], c->side[LEFT].need[c->nkey + last]);
				row[3 + c->nkey] = cell_dup(a, &rr[i], c->side[RIGHT].need[c->nkey + last]);
			} else if (ndiff > 1) {
				row[1 + c->nkey] = arena_strdup(a, names.buf);
				row[2 + c->nkey] = arena_strdup(a, lv.buf);
				row[3 + c->nkey] = arena_strdup(a, rv.buf);
			}
			sb_release(&names);
			sb_release(&lv);
			sb_release(&rv);
		}
		cr->samples[i] = row;
	}
	cr->nsamples = n;
out:
	reread_free(c, &rd);
	return ret;
}

/* ---- setting up ----------------------------------------------------------- */

static int side_init(struct side *sd, struct cmp *c, int idx, struct source *src,
		     struct arena *a, struct diag *d)
{
	const struct check_cfg *cc = c->cc;
	const char *sname = idx == LEFT ? cc->left_source : cc->right_source;
	const char *table = idx == LEFT ? cc->left_table : cc->right_table;
	const char *query = idx == LEFT ? cc->left_query : cc->right_query;
	const char *label = idx == LEFT ? "left" : "right";
	struct diag e = { "" };

	sd->c = c;
	sd->idx = idx;
	sd->src = src;
	if (!src)
		return diag_error(d, "%s side: source '%s' is not open", label, sname ? sname : "?");
	if (table)
		sd->what = arena_printf(a, "%s %s:%s", label, source_config(src)->name, table);
	else if (query)
		sd->what = arena_printf(a, "%s query on %s", label, source_config(src)->name);
	else
		return diag_error(d, "%s side: no table and no query", label);
	if (source_scan_open(&sd->scan, src, table, table ? NULL : query, &e) < 0)
		return diag_error(d, "%s: %s", sd->what, e.msg);
	sd->tr = source_scan_traits(sd->scan);
	return 0;
}

/* About how many distinct keys the two sides bring, to size the key table
 * up front: the larger side's rows, as its source estimates them; 0 when
 * neither side knows (a query side: the table grows as rows arrive). */
static uint64_t estimate_keys(struct cmp *c)
{
	uint64_t most = 0, n;
	int s;

	for (s = 0; s < 2; s++)
		if ((n = source_scan_estimate(c->side[s].scan)) > most)
			most = n;
	/* a stale estimate must not reserve absurd memory */
	return most < ((uint64_t)1 << 32) ? most : (uint64_t)1 << 32;
}

static struct cmp *cmp_new(const struct check_cfg *cc)
{
	struct cmp *c = xcalloc(1, sizeof(*c));

	c->cc = cc;
	c->left_rows = -1;
	ktable_init(&c->kt);
	atomic_init(&c->stop, 0);
	return c;
}

static void cmp_free(struct cmp *c)
{
	size_t k;
	int s;

	ktable_release(&c->kt);
	release_reserve(c);
	for (s = 0; s < 2; s++) {
		struct side *sd = &c->side[s];

		source_scan_free(sd->scan);
		free(sd->colidx);
		free(sd->need);
		free(sd->cells);
		free(sd->kbuf);
		gdict_free(&sd->groups);
		for (k = 0; k < PIPE; k++)
			free(sd->qkey[k]);
	}
	free(c->cmp_names);
	free(c->cmp_right);
	free(c->tols);
	free(c);
}

/* The tolerance in canonical form, from its own digits as written (a
 * double would turn 0.1 into 0.1000000000000000055511 and 1e400 into
 * infinity).  The configuration also takes "+0.5", ".5", "5." and leading
 * zeros, which the plain-number grammar does not: those are set right
 * first.  false when it still does not parse (then the checks compare
 * exactly, as without a tolerance). */
static bool parse_tolerance_text(const char *s, struct cv_num *out);

static bool parse_tolerance(const struct check_cfg *cc, struct cv_num *out)
{
	char dbl[32];

	if (!cc->tolerance_text) {
		format_double(cc->tolerance, dbl);
		return cv_parse(dbl, strlen(dbl), out);
	}
	return parse_tolerance_text(cc->tolerance_text, out);
}

/* A number as the configuration takes it, in canonical form: written
 * again as a plain number (no '+', no leading zeros, no bare '.'). */
static bool parse_tolerance_text(const char *s, struct cv_num *out)
{
	struct number_parts p;
	struct strbuf sb;
	size_t i;
	bool ok;

	if (!number_scan(s, strlen(s), NUMBER_CONFIG, &p))
		return false;
	sb_init(&sb);
	if (p.neg)
		sb_putc(&sb, '-');
	for (i = p.int_start; i + 1 < p.int_end && s[i] == '0'; i++)
		;
	if (i == p.int_end)
		sb_putc(&sb, '0');
	sb_add(&sb, s + i, p.int_end - i);
	if (p.frac_end > p.frac_start) {
		sb_putc(&sb, '.');
		sb_add(&sb, s + p.frac_start, p.frac_end - p.frac_start);
	}
	if (p.has_exp)
		sb_addf(&sb, "e%lld", p.exp);
	ok = cv_parse(sb.buf, sb.len, out);
	sb_release(&sb);
	return ok;
}

/* Contract in compare.h. */
int compare_plan(const struct check_cfg *cc, struct source *left, struct source *right,
		 struct diag *d)
{
	struct source *srcs[2] = { left, right };
	const char *tables[2] = { cc->left_table, cc->right_table };
	const char *queries[2] = { cc->left_query, cc->right_query };
	int s, ret = 0;

	for (s = 0; s < 2 && ret == 0; s++) {
		if (!srcs[s])
			continue;
		if (queries[s] && !tables[s])
			ret = source_plan(srcs[s], queries[s], d);
		else if (tables[s])
			ret = source_scan_plan(srcs[s], tables[s], d);
	}
	return ret;
}

/* Each tolerance.COLUMN onto its compared column. */
static int resolve_tolerances(struct cmp *c, struct diag *d)
{
	const struct check_cfg *cc = c->cc;
	size_t k, j;

	if (!cc->ntolerances)
		return 0;
	c->tols = xcalloc(c->ncmp ? c->ncmp : 1, sizeof(*c->tols));
	for (k = 0; k < cc->ntolerances; k++) {
		const struct column_tolerance *t = &cc->tolerances[k];

		for (j = 0; j < c->ncmp; j++)
			if (strcmp(c->cmp_names[j], t->column) == 0)
				break;
		if (j == c->ncmp)
			return diag_error(d, "tolerance.%s: '%s' is not a compared column",
					  t->column, t->column);
		if (!parse_tolerance_text(t->text, &c->tols[j].v))
			return diag_error(d, "tolerance.%s: '%s' is not a number", t->column,
					  t->text);
		c->tols[j].kind = t->relative ? COLTOL_RELATIVE : COLTOL_ABSOLUTE;
	}
	return 0;
}

/* strategy = auto, for two PostgreSQL table sides: bisect unless the
 * tables are small (at most 10 ranges of bisect_rows rows by the planner's
 * estimate, or never analysed) or the previous report found this check's
 * drift at 1% of the larger table's rows or more (then most ranges differ
 * and bisection costs more than it saves).  No previous drift (a first
 * run, a new check, an error) means bisect.  false for rows, with the
 * reason in cr->strategy_note. */
static bool auto_bisects(struct cmp *c, struct check_result *cr, struct arena *a)
{
	long long rows = -1, est;
	int s;

	for (s = 0; s < 2; s++) {
		est = source_row_estimate(c->side[s].src, source_scan_table(c->side[s].scan));
		if (est > rows)
			rows = est;
	}
	if (rows <= 10LL * c->cc->bisect_rows) {
		cr->strategy_note = arena_printf(a, "auto: %s tables", rows < 0 ? "unanalysed"
										 : "small");
		return false;
	}
	if (cr->previous_drift >= 0 && cr->previous_drift * 100 >= rows) {
		cr->strategy_note = arena_printf(a, "auto: the previous drift (%lld) is 1%% "
						 "or more of the rows", cr->previous_drift);
		return false;
	}
	return true;
}

/* strategy = bisect: when both sides are PostgreSQL tables, let their
 * databases checksum key ranges and read only the rows of the ranges that
 * differ (compare_bisect.h); otherwise, or when a column cannot be
 * normalised in SQL or a side has a duplicate key, the rows strategy reads
 * everything and cr says why.  Returns whether the sides' queries were
 * narrowed. */
static bool bisect_sides(struct cmp *c, struct check_result *cr, struct arena *a)
{
	struct source *src[2] = { c->side[LEFT].src, c->side[RIGHT].src };
	const char *tables[2] = { source_scan_table(c->side[LEFT].scan),
				  source_scan_table(c->side[RIGHT].scan) };
	struct bisect_plan p;
	int s;

	cr->strategy = "rows";
	if (c->cc->strategy == STRATEGY_ROWS)
		return false;
	if (!source_scans_bisect(c->side[LEFT].scan, c->side[RIGHT].scan)) {
		cr->strategy_note = "bisect needs two table sides, both PostgreSQL or both SQLite";
		return false;
	}
	if (c->cc->strategy == STRATEGY_AUTO && !auto_bisects(c, cr, a))
		return false;
	compare_bisect_plan(c->cc, src, tables, c->cmp_names, c->ncmp, &p);
	if (!p.sql[LEFT]) {
		cr->strategy_note = arena_strdup(a, p.why);
		return false;
	}
	for (s = 0; s < 2; s++)
		source_scan_narrow_to(c->side[s].scan, p.sql[s]);
	cr->strategy = "bisect";
	cr->ranges = p.ranges;
	cr->cut = p.per_shard ? "per shard" : NULL;
	c->left_rows = p.rows[LEFT];
	compare_bisect_release(&p);
	return true;
}

/* Contract in compare.h. */
int compare_eval(struct check_result *cr, struct source *left, struct source *right,
		 const struct config *cfg, struct arena *a, struct diag *d)
{
	const struct check_cfg *cc = cr->cfg;
	struct cmp *c = cmp_new(cc);
	struct tally t;
	struct verify v = { NULL, 0, d };
	struct explain x;
	pthread_t tid[2];
	const char **groups = NULL;
	size_t ngroups = 0, i;
	uint64_t keys;
	int s, ret = -1;

	memset(&t, 0, sizeof(t));
	memset(&x, 0, sizeof(x));
	x.t = &t;
	x.d = d;
	if (side_init(&c->side[LEFT], c, LEFT, left, a, d) < 0 ||
	    side_init(&c->side[RIGHT], c, RIGHT, right, a, d) < 0)
		goto out;
	if (cc->tolerance > 0)
		c->has_tol = parse_tolerance(cc, &c->tol);
	if (read_header(&c->side[LEFT], d) < 0 || read_header(&c->side[RIGHT], d) < 0 ||
	    resolve_columns(c, d) < 0 || resolve_tolerances(c, d) < 0)
		goto out;

	/* a bisected compare reads only the rows that differ */
	keys = bisect_sides(c, cr, a) ? 0 : estimate_keys(c);
	ktable_presize(&c->kt, keys);
	/* own_thread sides (files) in threads of their own; two others too
	 * when their sources can read them at once (otherwise here, in order) */
	c->parallel = !c->side[LEFT].tr.own_thread && !c->side[RIGHT].tr.own_thread &&
		      source_scans_concurrent(c->side[LEFT].scan, c->side[RIGHT].scan);
	for (s = 0; s < 2; s++)
		if (c->side[s].tr.own_thread || c->parallel)
			c->side[s].threaded = pthread_create(&tid[s], NULL, side_read, &c->side[s]) == 0;
	ktable_populate(&c->kt);
	for (s = 0; s < 2; s++)
		if (!c->side[s].threaded)
			side_read(&c->side[s]);
	for (s = 0; s < 2; s++)
		if (c->side[s].threaded)
			pthread_join(tid[s], NULL);
	for (s = 0; s < 2; s++) {
		if (c->side[s].ret < 0) {
			ret = diag_error(d, "%s", c->side[s].d.msg);
			goto out;
		}
	}
	for (s = 0; s < 2; s++) {
		cr->streamed[s] = c->side[s].rowno;
		source_scan_note(c->side[s].scan);
	}

	if (c->has_tol || c->tols) {
		v.batch = xcalloc(VERIFY_BATCH, sizeof(*v.batch));
		if (walk_entries(c, verify_entry, &v) < 0 || verify_batch(c, &v) < 0)
			goto out;
	}
	t.cap = cfg && cfg->samples > 0 ? (size_t)cfg->samples : 0;
	t.picks = xcalloc(t.cap ? t.cap : 1, sizeof(*t.picks));
	for (i = 0; i < 3; i++)
		t.kept[i] = xcalloc(t.cap ? t.cap : 1, sizeof(*t.kept[i]));
	if (c->has_group) {
		groups = merge_groups(c, &t, &ngroups);
		t.gcount = xcalloc(ngroups ? ngroups : 1, sizeof(*t.gcount));
	}
	keyset_init(&t.followed, cfg ? (size_t)cfg->track : 0);
	sb_init(&t.key);
	t.cr = cr;
	t.gnames = groups;
	t.gwaived = xcalloc(ngroups ? ngroups : 1, sizeof(*t.gwaived));
	walk_entries(c, tally_entry, &t);
	keyset_take(&t.followed, cr, a);
	sb_release(&t.key);
	choose_samples(&t);

	cr->missing = t.count[F_MISSING];
	cr->extra = t.count[F_EXTRA];
	cr->changed = t.count[F_CHANGED];
	cr->drift = cr->missing + cr->extra + cr->changed;
	cr->status = cr->drift > 0 ? STATUS_FAIL : STATUS_PASS;
	/* the rows of ranges left out are keys on both sides, one each */
	cr->scanned = t.keys + (c->left_rows >= 0 ? c->left_rows - c->side[LEFT].rowno : 0);
	if (c->has_group && cr->changed > 0)
		x.gchanged = xcalloc(ngroups * (c->ncmp ? c->ncmp : 1), sizeof(*x.gchanged));
	if (cc->explain && explain_changes(c, &x, cr, a) < 0)
		goto out;
	cr->ngroups = 0;
	cr->groups = arena_alloc(a, (ngroups ? ngroups : 1) * sizeof(*cr->groups));
	for (i = 0; i < ngroups; i++) {
		long long *n = t.gcount[i];
		struct group_result *g;

		if (n[F_MISSING] + n[F_EXTRA] + n[F_CHANGED] == 0)
			continue;
		g = &cr->groups[cr->ngroups++];
		g->group = groups[i] ? arena_strdup(a, groups[i]) : NULL;
		g->missing = n[F_MISSING];
		g->extra = n[F_EXTRA];
		g->changed = n[F_CHANGED];
		g->drift = g->missing + g->extra + g->changed;
		if (x.gchanged && g->changed) {
			g->columns_changed = arena_alloc(a, (c->ncmp ? c->ncmp : 1) *
							       sizeof(*g->columns_changed));
			memcpy(g->columns_changed, x.gchanged + i * c->ncmp,
			       c->ncmp * sizeof(*g->columns_changed));
		}
		g->waived = t.gwaived[i];
	}
	ret = build_samples(c, &t, cr, a, d);
out:
	if (ret < 0) {
		/* an error asserts nothing: no drift, groups or samples of a
		 * part of the data flow on into the summary and the window */
		cr->drift = cr->missing = cr->extra = cr->changed = 0;
		cr->groups = NULL;
		cr->ngroups = 0;
		cr->samples = NULL;
		cr->nsamples = 0;
		cr->columns = NULL;
		cr->ncolumns = 0;
		cr->column_changes = NULL;
		cr->ncolumn_changes = 0;
	}
	free(x.batch);
	free(x.changed);
	free(x.classes);
	free(x.gchanged);
	free(v.batch);
	free(t.picks);
	for (i = 0; i < 3; i++)
		free(t.kept[i]);
	free(t.gmap[0]);
	free(t.gmap[1]);
	free(t.gcount);
	free(t.gwaived);
	free(groups);
	cmp_free(c);
	return ret;
}
