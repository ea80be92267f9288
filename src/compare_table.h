/*
 * compare_table.h: the key table of kind = compare, one entry per distinct
 * key, filled by the two side readers at once (compare_read.c reads the sides).
 *
 * An entry holds the encoded key (compare_key.h), a 64-bit digest of the
 * compared values of the side that brought the key first, where the row
 * is on each side, its group and three flags (seen on the left, seen on
 * the right, digests differ).  The table is split into NSTRIPES stripes
 * of open-addressed slots, each with its own spin lock; entries live in
 * an append-only arena per side, in chunks that never move.  A reader
 * keeps its rows in flight in a short ring (struct kring) whose batches
 * are prefetched, slots then entries, before they are committed.
 *
 * Ownership: struct ktable owns its stripes, slots, retired slot arrays
 * and both arenas: ktable_init sets it up, ktable_release frees all of it
 * (a zeroed or initialised table is safe to release).  An entry stays
 * where it is until then.  A struct kring is its reader's, with nothing
 * to free; a struct pend's key points into the pend itself or into a
 * buffer of the caller's.
 *
 * Threads: at most two inserting threads, one per side (LEFT, RIGHT):
 *   - a stripe's slots, its count and the entries its slots refer to are
 *     changed only under the stripe's spin lock (struct slock); a thread
 *     holds one stripe lock at a time, never two, so there is no lock
 *     order to keep;
 *   - each side's arena has one writer, its own reader, with no lock; the
 *     other reader reaches an entry of it only through a slot published
 *     under the stripe lock;
 *   - the prefetch hints read slots, masks and arena chunk pointers with
 *     no lock, atomically: a stale value only wastes a hint, and a slot
 *     array a stripe outgrew stays readable until ktable_release;
 *   - ktable_presize, ktable_populate (which may run while the readers
 *     start), ktable_walk and ktable_release run on one thread, before
 *     or after the readers (ktable_populate: see its comment).
 */
#ifndef RECON_COMPARE_TABLE_H
#define RECON_COMPARE_TABLE_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define STRIPE_BITS 12
#define NSTRIPES ((size_t)1 << STRIPE_BITS)	/* locks of the key table */
#define CHUNK_BITS 23
#define CHUNK_SIZE ((size_t)1 << CHUNK_BITS)	/* bytes of entries per chunk */
#define MAX_CHUNKS 1024				/* 8 GiB of entries per side */
#define CHUNK_START 64				/* no entry has ref 0; 32-byte entries
					   keep to one cache line each */
#define REF_EMPTY 0
#define HUGE_PAGE ((size_t)1 << 21)
#define BATCH 16				/* rows whose prefetches go together */
#define PIPE (4 * BATCH)			/* rows in flight per reader */
#define KEY_INLINE 64				/* key bytes a row in flight holds */

enum { LEFT, RIGHT };
enum { SEEN_LEFT = 1, SEEN_RIGHT = 2, DIFFERS = 4 };

/* One distinct key.  Lives in the entry arena of the side that first
 * brought the key; changed only under its stripe's lock. */
/* Packed (25 bytes before the key, entries 4-byte aligned): there is one
 * entry per distinct key, so every byte here is paid once per key in
 * memory the kernel must zero and the caches must hold. */
struct entry {
	uint64_t digest;	/* of the compared values of the first side */
	uint32_t group;		/* side << 31 | group id in that side's dict */
	uint32_t pos_lo[2];	/* per side: the scan's position of the row, */
	uint8_t pos_hi[2];	/*   40 bits: pos_hi << 32 | pos_lo */
	uint8_t flags;		/* SEEN_LEFT, SEEN_RIGHT, DIFFERS */
	uint16_t klen;		/* bytes of key[] */
	unsigned char key[];	/* encode_key()'s form */
} __attribute__((packed));

#define MAX_POS (((uint64_t)1 << 40) - 1)	/* 1 TiB files, 1T rows */

struct slot {
	uint32_t h;		/* low 32 bits of the key hash */
	uint32_t ref;		/* entry reference, REF_EMPTY when free */
};

/* A part of the key table with its own lock (a spin lock: the two readers
 * hold it for a few dozen instructions).  Where its slots are is written
 * only when the stripe grows, so both readers' caches keep it; the lock and
 * the count, written by every row, are apart in struct slock, whose line
 * moves between the readers and is prefetched for writing ahead. */
struct stripe {
	bool owned;		/* slots is malloc'ed (else part of the presized block) */
	struct slot *slots;	/* mask + 1 slots, or NULL */
	uint32_t mask;
	struct slot **retired;	/* outgrown malloc'ed arrays, freed by ktable_release */
	uint32_t nretired;
};

struct slock {
	atomic_flag lock;
	uint32_t n;		/* slots used */
};

/* Memory mapped for large tables, with transparent huge pages advised: the
 * table is probed at random, and 4 KiB pages would cost a TLB miss each. */
struct bigmem {
	void *base;		/* as mapped, NULL when none */
	size_t len;
};

/* Append-only entry storage of one side, in fixed chunks that never move
 * (the other reader may hold a reference while this one appends). */
struct earena {
	unsigned char *chunks[MAX_CHUNKS];
	struct bigmem maps[MAX_CHUNKS];
	size_t used[MAX_CHUNKS];	/* bytes used per chunk */
	size_t nchunks;
};

/* A row between parsing and entering the key table: rows wait in a
 * short ring while their slot and entry are prefetched. */
struct pend {
	uint64_t h;		/* key hash */
	uint64_t digest;	/* of the compared values */
	uint64_t pos;		/* the scan's position of the row */
	long long line;		/* line or row number, for messages */
	uint32_t gid;
	uint32_t klen;
	const unsigned char *key;	/* inl, or a longer key's buffer */
	unsigned char inl[KEY_INLINE];
};

/* The key table. */
struct ktable {
	struct stripe *stripes;
	struct slock *slocks;	/* per stripe */
	struct bigmem slotmem;	/* presized slots of every stripe */
	void *slots_all;	/* in it, the slots themselves (NULL: none) */
	size_t slots_size;
	struct earena *ea[2];
	size_t first_fault;	/* bytes of each arena's first chunk faulted in at once */
};

/* One reader's rows in flight: row[i % PIPE] for ndone <= i < nring. */
struct kring {
	struct pend row[PIPE];
	size_t nring;		/* rows pushed so far */
	size_t ndone;		/* rows committed so far */
	const struct pend *failed;	/* the row a commit refused */
	uint64_t first;		/* KT_DUPLICATE: where failed's key was first */
};

/* What inserting a row did. */
enum ktable_status {
	KT_OK,			/* a new entry, or the other side's entry found */
	KT_DUPLICATE,		/* this side brought the key before */
	KT_NOMEM,		/* no memory for slots or a chunk of entries */
	KT_FULL			/* the side's arena holds MAX_CHUNKS chunks */
};

/* An empty table (stripes allocated, no slots, no entries). */
void ktable_init(struct ktable *t);

/* Free everything t holds; t is then zeroed (and may be released again). */
void ktable_release(struct ktable *t);

/* Size every stripe for about keys distinct keys (and a tenth more) up
 * front, in one huge-page block, and fault in as much of each arena's
 * first chunk as that many keys need.  keys 0: not known, the stripes
 * grow as keys arrive.  Before any insert. */
void ktable_presize(struct ktable *t, uint64_t keys);

/* Fault the presized slots in.  May run on its own thread while the
 * readers start inserting (see the comment at its definition). */
void ktable_populate(struct ktable *t);

/* The entry of reference ref. */
struct entry *ktable_entry(const struct ktable *t, uint32_t ref);

/* Where a side's row is: its byte offset or row number. */
uint64_t entry_pos(const struct entry *e, int side);

/* Enter row p of side into t: a new entry, or the other side's entry found
 * (its flags, position and DIFFERS set).  KT_DUPLICATE when side brought
 * the key before (*first: where, entry_pos's value); KT_NOMEM or KT_FULL
 * when there is no room (the table is then as before the call). */
enum ktable_status ktable_insert(struct ktable *t, int side, const struct pend *p,
				 uint64_t *first);

/* Bytes of memory the table holds (entries' chunks of both sides and the
 * presized slots), for messages; may be called while the readers run. */
size_t ktable_bytes(const struct ktable *t);

/* Call fn on every entry, the left arena's first, each in the order it
 * was made; stops at fn's first non-zero return, which it returns.  Only
 * once no reader inserts any more. */
int ktable_walk(const struct ktable *t, int (*fn)(struct entry *e, void *ctx), void *ctx);

/* The ring's next place: prepare the row there, then kring_push it. */
static inline struct pend *kring_next(struct kring *r)
{
	return &r->row[r->nring % PIPE];
}

/* Put the prepared row p (kring_next's place) in flight for side; rows
 * are committed (ktable_insert) in the order they were pushed, a batch
 * at a time, after their slots and entries were prefetched.  A key longer
 * than KEY_INLINE (p->key not p->inl) is committed at once, after the
 * rows in flight.  KT_OK, or what the refused row's insert returned, with
 * r->failed that row (and r->first for KT_DUPLICATE). */
enum ktable_status kring_push(struct ktable *t, int side, struct kring *r, struct pend *p);

/* Commit rows until at most keep are in flight (0: all); as kring_push. */
enum ktable_status kring_drain(struct ktable *t, int side, struct kring *r, size_t keep);

#endif
