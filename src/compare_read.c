/*
 * compare_read.c: the two readers of kind = compare and the rows they read
 * again (see compare_int.h).
 *
 * A side is read through its source's scan (source_scan.h): each row's
 * needed cells (keys, compared columns, group) are picked by the header's
 * column positions, hashed into a struct pend (key encoding, digest of the
 * compared values, group id) and pushed through the reader's ring into the
 * key table (compare_table.h), which finds a duplicate key; the position
 * the scan gave the row is kept in its entry.  Rows are read again, for
 * verification and samples, by position (a file) or by key (SQL: the
 * source's narrower read when it has one, else everything again, the rows
 * matched here by their encoded key).  Both sides at once when their rows
 * were read at once.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "compare_int.h"
#include "compare_key.h"
#include "compare_table.h"
#include "compare_value.h"
#include "source_scan.h"

#define KEY_SEED 0x6b65797365656421ULL
#define RESERVE_SIZE ((size_t)4 << 20)	/* address space held back per side */

/* ---- reading a side ------------------------------------------------------- */

static void rowcopy_init(struct rowcopy *rc, size_t ncols);
static void rowcopy_free(struct rowcopy *rc);

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

	size_t size = 1;
	char *p;

	(void)i;
	for (k = 0; k < ncols; k++)
		size += cells[k].s ? cells[k].len + 1 : 0;
	p = rc->data = xmalloc(size);	/* every cell in one block */
	for (k = 0; k < ncols; k++) {
		if (cells[k].s) {
			rc->cells[k] = p;
			memcpy(p, cells[k].s, cells[k].len);
			p[cells[k].len] = '\0';
			p += cells[k].len + 1;
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
	rowcopy_free(&rc);
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

/* Contract in compare_int.h. */
void release_reserve(struct cmp *c)
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

/* Contract in compare_int.h. */
void *side_read(void *arg)
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

/* Contract in compare_int.h. */
int read_header(struct side *sd, struct diag *d)
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

/* Contract in compare_int.h. */
int resolve_columns(struct cmp *c, struct diag *d)
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

/* cells and lens in one block, the cells' text in another (copy_row) */
static void rowcopy_init(struct rowcopy *rc, size_t ncols)
{
	size_t n = ncols ? ncols : 1;

	rc->cells = xcalloc(n, sizeof(*rc->cells) + sizeof(*rc->lens));
	rc->lens = (size_t *)(void *)(rc->cells + n);
	rc->data = NULL;
	rc->found = false;
}

static void rowcopy_free(struct rowcopy *rc)
{
	free(rc->cells);
	free(rc->data);
	rc->cells = NULL;
	rc->lens = NULL;
	rc->data = NULL;
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
 * (a number as its canonical text, matched by value here: the source may
 * miss a row that spells it otherwise, and then all is read again); *cols
 * gets the side's key column names and *texts the numbers' text.  All
 * malloc'd. */
static struct key_field *key_fields(const struct side *sd, const struct want *w, size_t n,
				    const char ***cols, char **texts)
{
	size_t nkey = sd->c->nkey, i, k, *at = xcalloc(n * nkey + 1, sizeof(*at));
	struct key_field *f = xcalloc(n * nkey + 1, sizeof(*f));
	struct strbuf num = STRBUF_INIT;
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
			if (kf.type == KF_NUMBER) {
				at[i * nkey + k] = num.len;
				cv_num_text(&num, &kf.num);
				f[i * nkey + k].len = num.len - at[i * nkey + k];
				sb_putc(&num, '\0');
			}
		}
	}
	*texts = sb_detach(&num, NULL);
	for (i = 0; i < n * nkey; i++)	/* the text moved as it grew */
		if (f[i].any)
			f[i].s = *texts + at[i];
	free(at);
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
void reread_free(struct reread *rd)
{
	size_t i;
	int s;

	for (s = 0; s < 2; s++) {
		for (i = 0; i < rd->n; i++)
			rowcopy_free(&rd->rows[s][i]);
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
	char *texts;
	size_t i;
	int ret;

	for (i = 0; i < n; i++)
		rf.sorted[i] = &w[i];
	qsort(rf.sorted, n, sizeof(*rf.sorted), want_key_cmp);
	keys = key_fields(sd, w, n, &cols, &texts);
	ret = source_scan_narrow(sd->scan, cols, sd->c->nkey, keys, n, refetch_row, &rf,
				 &ignored);
	free(keys);
	free(cols);
	free(texts);
	for (i = 0; i < n && ret == 0; i++)
		if (!w[i].out->found)
			ret = -1;
	if (ret != 0) {
		/* not all found (or an error): the whole query decides */
		for (i = 0; i < n; i++) {
			rowcopy_free(w[i].out);
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

/* Contract in compare_int.h. */
int reread_both(struct cmp *c, struct reread *rd, struct entry *const *e, size_t n,
		struct diag *d)
{
	size_t i;

	reread_init(rd, n);
	for (i = 0; i < n; i++) {
		reread_add(rd, LEFT, i, e[i]);
		reread_add(rd, RIGHT, i, e[i]);
	}
	return fetch_both(c, rd, d);
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
