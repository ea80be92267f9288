/*
 * compare_table.c: the key table of kind = compare (see compare_table.h):
 * striped slots under spin locks, entries in per-side arenas of chunks
 * that never move, and the ring that prefetches a batch of rows' slots,
 * then entries, before committing them.
 *
 * The table is sized up front from what the larger side is known to hold
 * (ktable_presize), in memory with transparent huge pages advised: at 10M
 * rows the table is far larger than any cache or the TLB's reach, and its
 * misses are most of the cost of a compare beyond parsing (see
 * kring_push).
 */
#include "compare_table.h"

#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "util.h"

static size_t entry_size(size_t klen)
{
	return (sizeof(struct entry) + klen + 3) & ~(size_t)3;
}

/* Contract in compare_table.h. */
uint64_t entry_pos(const struct entry *e, int side)
{
	return (uint64_t)e->pos_hi[side] << 32 | e->pos_lo[side];
}

static void entry_set_pos(struct entry *e, int side, uint64_t pos)
{
	e->pos_lo[side] = (uint32_t)pos;
	e->pos_hi[side] = (uint8_t)(pos >> 32);
}

/* Contract in compare_table.h. */
struct entry *ktable_entry(const struct ktable *t, uint32_t ref)
{
	struct earena *ea = t->ea[ref >> 31];
	uint64_t off = (uint64_t)(ref & 0x7fffffffu) << 2;

	return (struct entry *)(ea->chunks[off >> CHUNK_BITS] + (off & (CHUNK_SIZE - 1)));
}

/* Zeroed, 2 MiB-aligned memory with huge pages advised; NULL on failure. */
static void *huge_alloc(size_t size, struct bigmem *m)
{
	size_t len = size + HUGE_PAGE;
	char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char *q;

	if (p == MAP_FAILED)
		return NULL;
	m->base = p;
	m->len = len;
	q = (char *)(((uintptr_t)p + HUGE_PAGE - 1) & ~(uintptr_t)(HUGE_PAGE - 1));
	madvise(q, size, MADV_HUGEPAGE);
	return q;
}

static void huge_free(struct bigmem *m)
{
	if (m->base)
		munmap(m->base, m->len);
	m->base = NULL;
}

/* Fault memory in now, writable, without changing what it holds (no-op
 * where the kernel cannot). */
static void prefault(void *p, size_t len)
{
#ifdef MADV_POPULATE_WRITE
	madvise(p, len, MADV_POPULATE_WRITE);
#else
	(void)p;
	(void)len;
#endif
}

/* Make sure side's arena can take an entry of klen key bytes: a new chunk,
 * faulted in here, when the last one is full.  Called before the stripe
 * lock is taken: a new chunk is zeroed a huge page at a time, which can be
 * slow when the kernel must first find the memory, and the other reader
 * would wait that long on the lock.  When the arena cannot grow, entry_new
 * says so. */
static void arena_reserve(struct ktable *t, int side, size_t klen)
{
	struct earena *ea = t->ea[side];
	unsigned char *chunk;

	if (ea->nchunks > 0 && ea->used[ea->nchunks - 1] + entry_size(klen) <= CHUNK_SIZE)
		return;
	if (ea->nchunks == MAX_CHUNKS || !(chunk = huge_alloc(CHUNK_SIZE, &ea->maps[ea->nchunks])))
		return;
	prefault(chunk, ea->nchunks ? CHUNK_SIZE : t->first_fault);
	/* published to the other reader under a stripe lock, later */
	__atomic_store_n(&ea->chunks[ea->nchunks], chunk, __ATOMIC_RELAXED);
	ea->used[ea->nchunks] = CHUNK_START;
	/* atomic (relaxed) for the other reader's oom_error */
	__atomic_store_n(&ea->nchunks, ea->nchunks + 1, __ATOMIC_RELAXED);
}

/* A new zeroed entry in side's arena (arena_reserve made room); REF_EMPTY
 * when the arena is full. */
static uint32_t entry_new(struct ktable *t, int side, size_t klen, struct entry **out)
{
	struct earena *ea = t->ea[side];
	size_t size = entry_size(klen);
	uint64_t off;

	if (ea->nchunks == 0 || ea->used[ea->nchunks - 1] + size > CHUNK_SIZE)
		return REF_EMPTY;
	off = (uint64_t)(ea->nchunks - 1) * CHUNK_SIZE + ea->used[ea->nchunks - 1];
	*out = (struct entry *)(ea->chunks[ea->nchunks - 1] + ea->used[ea->nchunks - 1]);
	ea->used[ea->nchunks - 1] += size;
	return (uint32_t)side << 31 | (uint32_t)(off >> 2);
}

/* Double a stripe's slots (or give it its first 64).  -1 when there is no
 * memory for them: the stripe is then as it was. */
static int stripe_grow(struct stripe *st)
{
	uint32_t cap = st->slots ? (st->mask + 1) * 2 : 64, i;
	struct slot *slots = calloc(cap, sizeof(*slots));

	if (!slots)
		return -1;
	if (st->owned) {
		struct slot **retired = realloc(st->retired,
						(st->nretired + 1) * sizeof(*st->retired));

		if (!retired) {
			free(slots);
			return -1;
		}
		st->retired = retired;
	}
	if (st->slots) {
		for (i = 0; i <= st->mask; i++) {
			uint32_t j;

			if (st->slots[i].ref == REF_EMPTY)
				continue;
			j = st->slots[i].h & (cap - 1);
			while (slots[j].ref != REF_EMPTY)
				j = (j + 1) & (cap - 1);
			slots[j] = st->slots[i];
		}
		/* the other reader's prefetches look at the slots without the
		 * lock: an outgrown array stays readable until the compare ends
		 * (doubling, so all of them together are no larger than the last) */
		if (st->owned)
			st->retired[st->nretired++] = st->slots;
	}
	/* publish the array (initialised) before the mask: a reader that loads
	 * the new mask (acquire) then sees the new, larger array, never an
	 * index past the end of the old one; one that sees the new array sees
	 * its contents */
	__atomic_store_n(&st->slots, slots, __ATOMIC_RELEASE);
	__atomic_store_n(&st->mask, cap - 1, __ATOMIC_RELEASE);
	st->owned = true;
	return 0;
}

/* How much of each arena's first chunk to fault in up front, for about
 * keys keys: all of it when that many need a chunk or more, or when the
 * sides' sizes are not known (0); else what they need, in whole huge pages,
 * and the rest of the chunk, if a wrong estimate ever reaches it, faults in
 * on first touch.  A compare of a few thousand rows then zeroes one huge
 * page a side instead of a whole chunk: CPU that a configuration of many
 * small compare checks would otherwise pay for each of them. */
static size_t first_fault(uint64_t keys)
{
	uint64_t need = keys * 64;	/* an entry with a long key, for each */

	if (keys == 0 || need >= CHUNK_SIZE)
		return CHUNK_SIZE;
	return (size_t)(need + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1);
}

/* Size every stripe for about keys keys up front, in one huge-page block
 * (no rehashing while reading); a stripe that outgrows it moves out. */
static void presize(struct ktable *t, uint64_t keys)
{
	uint64_t per = keys / NSTRIPES * 3 / 2 + 1;
	uint32_t cap = 64;
	struct slot *all;
	size_t i;

	while (cap < per && cap < ((uint32_t)1 << 24))
		cap *= 2;
	if (cap <= 64 || !(all = huge_alloc(NSTRIPES * cap * sizeof(struct slot), &t->slotmem)))
		return;
	t->slots_all = all;
	t->slots_size = NSTRIPES * cap * sizeof(struct slot);
	for (i = 0; i < NSTRIPES; i++) {
		t->stripes[i].slots = all + i * cap;
		t->stripes[i].mask = cap - 1;
		t->stripes[i].owned = false;
	}
}

/* Contract in compare_table.h. */
void ktable_presize(struct ktable *t, uint64_t keys)
{
	presize(t, keys * 11 / 10);
	t->first_fault = first_fault(keys);
}

/* Fault the presized slots in, as huge pages: the readers' lock-free
 * prefetches would map the zero page first and copy it on the first write.
 * Called while the readers start: a page a reader has written already is
 * left as it is, and zeroing the slots of a large table is long enough
 * that the other core should not wait for it. */
void ktable_populate(struct ktable *t)
{
	if (t->slots_all)
		prefault(t->slots_all, t->slots_size);
}

static void spin_lock(atomic_flag *f)
{
	int spins = 0;

	while (atomic_flag_test_and_set_explicit(f, memory_order_acquire)) {
		if (++spins == 100) {
			sched_yield();	/* the holder may have been descheduled */
			spins = 0;
		}
	}
}

static void spin_unlock(atomic_flag *f)
{
	atomic_flag_clear_explicit(f, memory_order_release);
}

/* Contract in compare_table.h. */
void ktable_init(struct ktable *t)
{
	size_t i;

	memset(t, 0, sizeof(*t));
	t->stripes = xcalloc(NSTRIPES, sizeof(*t->stripes));
	t->slocks = xcalloc(NSTRIPES, sizeof(*t->slocks));
	for (i = 0; i < NSTRIPES; i++)
		atomic_flag_clear(&t->slocks[i].lock);
	t->ea[LEFT] = xcalloc(1, sizeof(struct earena));
	t->ea[RIGHT] = xcalloc(1, sizeof(struct earena));
	t->first_fault = CHUNK_SIZE;
}

/* Contract in compare_table.h. */
void ktable_release(struct ktable *t)
{
	size_t i, k;
	int s;

	for (i = 0; t->stripes && i < NSTRIPES; i++) {
		struct stripe *st = &t->stripes[i];

		if (st->owned)
			free(st->slots);
		for (k = 0; k < st->nretired; k++)
			free(st->retired[k]);
		free(st->retired);
	}
	free(t->stripes);
	free(t->slocks);
	huge_free(&t->slotmem);
	for (s = 0; s < 2; s++) {
		for (k = 0; t->ea[s] && k < t->ea[s]->nchunks; k++)
			huge_free(&t->ea[s]->maps[k]);
		free(t->ea[s]);
	}
	memset(t, 0, sizeof(*t));
}

/* Contract in compare_table.h. */
size_t ktable_bytes(const struct ktable *t)
{
	size_t chunks = __atomic_load_n(&t->ea[LEFT]->nchunks, __ATOMIC_RELAXED) +
			__atomic_load_n(&t->ea[RIGHT]->nchunks, __ATOMIC_RELAXED);

	return chunks * CHUNK_SIZE + t->slots_size;
}

/* Contract in compare_table.h. */
int ktable_walk(const struct ktable *t, int (*fn)(struct entry *e, void *ctx), void *ctx)
{
	int s;

	for (s = 0; s < 2; s++) {
		struct earena *ea = t->ea[s];
		size_t k;

		for (k = 0; k < ea->nchunks; k++) {
			size_t p = CHUNK_START;

			while (p < ea->used[k]) {
				struct entry *e = (struct entry *)(ea->chunks[k] + p);
				int rc = fn(e, ctx);

				if (rc)
					return rc;
				p += entry_size(e->klen);
			}
		}
	}
	return 0;
}

/* Contract in compare_table.h. */
enum ktable_status ktable_insert(struct ktable *t, int side, const struct pend *p,
				 uint64_t *first)
{
	uint8_t seen = side == LEFT ? SEEN_LEFT : SEEN_RIGHT;
	uint32_t h32 = (uint32_t)p->h, i, ref;
	struct stripe *st = &t->stripes[p->h >> (64 - STRIPE_BITS)];
	struct slock *sl = &t->slocks[p->h >> (64 - STRIPE_BITS)];
	struct entry *e = NULL;

	arena_reserve(t, side, p->klen);
	spin_lock(&sl->lock);
	if (!st->slots && stripe_grow(st) < 0) {
		spin_unlock(&sl->lock);
		return KT_NOMEM;
	}
	for (i = h32 & st->mask; (ref = st->slots[i].ref) != REF_EMPTY; i = (i + 1) & st->mask) {
		if (st->slots[i].h != h32)
			continue;
		e = ktable_entry(t, ref);
		if (e->klen == p->klen && memcmp(e->key, p->key, p->klen) == 0)
			break;
	}
	if (ref != REF_EMPTY) {
		if (e->flags & seen) {
			*first = entry_pos(e, side);
			spin_unlock(&sl->lock);
			return KT_DUPLICATE;
		}
		e->flags |= seen;
		entry_set_pos(e, side, p->pos);
		if (e->digest != p->digest)
			e->flags |= DIFFERS;
		if (side == LEFT)
			e->group = p->gid;
	} else {
		ref = entry_new(t, side, p->klen, &e);
		if (ref == REF_EMPTY) {
			spin_unlock(&sl->lock);
			return t->ea[side]->nchunks < MAX_CHUNKS ? KT_NOMEM : KT_FULL;
		}
		e->digest = p->digest;
		entry_set_pos(e, side, p->pos);
		e->group = p->gid;
		e->klen = (uint16_t)p->klen;
		e->flags = seen;
		memcpy(e->key, p->key, p->klen);
		/* atomic (relaxed) for the other reader's prefetch hints */
		__atomic_store_n(&st->slots[i].h, h32, __ATOMIC_RELAXED);
		__atomic_store_n(&st->slots[i].ref, ref, __ATOMIC_RELAXED);
		/* a stripe that cannot grow would fill up: stop here */
		if (4 * ++sl->n > 3 * (st->mask + 1) && stripe_grow(st) < 0) {
			spin_unlock(&sl->lock);
			return KT_NOMEM;
		}
	}
	spin_unlock(&sl->lock);
	return KT_OK;
}

/* Prefetch hints for a row in flight, for writing (the commit writes the
 * slot or the entry, and a line only read in would have to be asked for
 * again, from the other reader's core, before the write).  They read the
 * table without its lock (atomically, relaxed): a stale address only
 * wastes the hint. */
static void prefetch_slot(struct ktable *t, const struct pend *p)
{
	struct stripe *st = &t->stripes[p->h >> (64 - STRIPE_BITS)];
	uint32_t mask = __atomic_load_n(&st->mask, __ATOMIC_ACQUIRE);	/* before slots */
	struct slot *slots = __atomic_load_n(&st->slots, __ATOMIC_ACQUIRE);

	__builtin_prefetch(&t->slocks[p->h >> (64 - STRIPE_BITS)], 1);
	if (slots)
		__builtin_prefetch(&slots[(uint32_t)p->h & mask], 1);
}

static void prefetch_entry(struct ktable *t, const struct pend *p)
{
	struct stripe *st = &t->stripes[p->h >> (64 - STRIPE_BITS)];
	uint32_t mask = __atomic_load_n(&st->mask, __ATOMIC_ACQUIRE), ref = REF_EMPTY, i, k;
	struct slot *slots = __atomic_load_n(&st->slots, __ATOMIC_ACQUIRE);	/* after mask */
	struct earena *ea;
	uint64_t off;
	unsigned char *chunk;

	if (!slots)
		return;
	/* the probe sequence within the slot's cache line: the entry whose
	 * tag matches is most likely the one (a key further on is rare) */
	for (i = (uint32_t)p->h & mask, k = 0; k < 8; k++, i = (i + 1) & mask) {
		uint32_t r = __atomic_load_n(&slots[i].ref, __ATOMIC_RELAXED);

		if (r == REF_EMPTY)
			return;
		if (__atomic_load_n(&slots[i].h, __ATOMIC_RELAXED) == (uint32_t)p->h) {
			ref = r;
			break;
		}
	}
	if (ref == REF_EMPTY)
		return;
	ea = t->ea[ref >> 31];
	off = (uint64_t)(ref & 0x7fffffffu) << 2;
	if ((off >> CHUNK_BITS) >= MAX_CHUNKS)
		return;
	chunk = __atomic_load_n(&ea->chunks[off >> CHUNK_BITS], __ATOMIC_RELAXED);
	if (chunk) {
		const unsigned char *e = chunk + (off & (CHUNK_SIZE - 1));

		/* and its key's last byte: entries are 4-byte aligned, so two
		 * in three of them run into the next cache line (an entry of
		 * another length only wastes the hint) */
		__builtin_prefetch(e, 1);
		if (off % CHUNK_SIZE + sizeof(struct entry) + p->klen <= CHUNK_SIZE)
			__builtin_prefetch(e + sizeof(struct entry) + p->klen - 1, 1);
	}
}

/* Commit row p, or say in r why it was refused. */
static enum ktable_status commit_row(struct ktable *t, int side, struct kring *r,
				     const struct pend *p)
{
	enum ktable_status st = ktable_insert(t, side, p, &r->first);

	if (st != KT_OK)
		r->failed = p;
	return st;
}

/* Contract in compare_table.h. */
enum ktable_status kring_drain(struct ktable *t, int side, struct kring *r, size_t keep)
{
	enum ktable_status st;

	while (r->nring - r->ndone > keep) {
		if ((st = commit_row(t, side, r, &r->row[r->ndone % PIPE])) != KT_OK)
			return st;
		r->ndone++;
	}
	return KT_OK;
}

/* Contract in compare_table.h.  Rows go
 * through in batches: when a batch is full its rows' slots are prefetched,
 * the batch before has its entries prefetched (its slots are in cache by
 * now), and the one before that is committed, finding both in cache.  The
 * prefetches of a batch are issued back to back because each may wait for
 * a page walk (the table is far larger than the TLB's reach): one row's
 * prefetches alone, between two rows' parsing, would wait their whole
 * latency; a batch's wait together.
 * A long key has no room in the ring and is committed in order at once. */
enum ktable_status kring_push(struct ktable *t, int side, struct kring *r, struct pend *p)
{
	enum ktable_status st;
	size_t i;

	if (p->key != p->inl) {
		if ((st = kring_drain(t, side, r, 0)) != KT_OK)
			return st;
		return commit_row(t, side, r, p);
	}
	if (++r->nring % BATCH)
		return KT_OK;
	if ((st = kring_drain(t, side, r, 2 * BATCH)) != KT_OK)
		return st;
	for (i = r->nring - BATCH; i < r->nring; i++)
		prefetch_slot(t, &r->row[i % PIPE]);
	for (i = r->nring - 2 * BATCH; i < r->nring - BATCH && i >= r->ndone; i++)
		prefetch_entry(t, &r->row[i % PIPE]);
	return KT_OK;
}
