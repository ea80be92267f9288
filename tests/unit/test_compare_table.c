/*
 * test_compare_table.c: compare's key table (compare_table.h), one test
 * per rule: two threads inserting at once, one per side, as compare's
 * readers do (distinct keys each found once, a key of both sides one
 * entry that both saw, a key twice on one side a duplicate naming where
 * it was first), and the prefetch ring (rows wait in flight, a batch at a
 * time, and are committed in the order they came).
 *
 * Keys here are short text ("k123", of several lengths, so entries of
 * several sizes sit side by side) with a hash mixed from their number:
 * the table takes keys as bytes, whatever encoded them.  `make tsan` runs
 * this suite under ThreadSanitizer.
 */
#include <check.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compare_table.h"

#define NKEYS 20000		/* keys per side */

/* A 64-bit mix of n (splitmix64's finaliser): stripes and slots from
 * every bit. */
static uint64_t mix(uint64_t n)
{
	n += 0x9e3779b97f4a7c15ULL;
	n = (n ^ (n >> 30)) * 0xbf58476d1ce4e5b9ULL;
	n = (n ^ (n >> 27)) * 0x94d049bb133111ebULL;
	return n ^ (n >> 31);
}

/* Prepare key number k, at position pos, in the ring's next place, its
 * hash shifted right by shift bits (STRIPE_BITS: every key in stripe 0). */
static struct pend *prepare_in(struct kring *r, uint64_t k, uint64_t pos, uint64_t digest,
			       uint32_t gid, int shift)
{
	struct pend *p = kring_next(r);
	int n = snprintf((char *)p->inl, sizeof(p->inl), "k%llu", (unsigned long long)k);

	p->key = p->inl;
	p->klen = (uint32_t)n;
	p->h = mix(k) >> shift;
	p->digest = digest;
	p->pos = pos;
	p->line = (long long)pos + 2;
	p->gid = gid;
	return p;
}

static struct pend *prepare(struct kring *r, uint64_t k, uint64_t pos, uint64_t digest,
			    uint32_t gid)
{
	return prepare_in(r, k, pos, digest, gid, 0);
}

/* Key number of an entry ("k123" -> 123). */
static uint64_t key_number(const struct entry *e)
{
	char buf[32];

	ck_assert_uint_lt(e->klen, sizeof(buf));
	memcpy(buf, e->key, e->klen);
	buf[e->klen] = '\0';
	ck_assert_int_eq(buf[0], 'k');
	return strtoull(buf + 1, NULL, 10);
}

/* One side's reader: keys from, from + step, ... below to, each at
 * position key * 10 + side, through the ring, as compare's readers push
 * rows; then key dup once more (dup < to; none when UINT64_MAX). */
struct reader {
	struct ktable *t;
	int side;
	uint64_t from, to, step, dup;
	uint64_t (*digest)(uint64_t k, int side);
	int shift;		/* of the keys' hashes (prepare_in) */
	struct kring r;
	enum ktable_status st;
};

static uint64_t digest_plain(uint64_t k, int side)
{
	(void)side;
	return mix(k ^ 0xd1);
}

/* Every third key's values differ between the sides. */
static uint64_t digest_third(uint64_t k, int side)
{
	return mix(k ^ 0xd1) + (k % 3 == 0 ? (uint64_t)side : 0);
}

static void *reader_run(void *arg)
{
	struct reader *rd = arg;
	uint64_t k;

	memset(&rd->r, 0, sizeof(rd->r));
	for (k = rd->from; k < rd->to; k += rd->step) {
		struct pend *p = prepare_in(&rd->r, k, k * 10 + (uint64_t)rd->side,
					    rd->digest(k, rd->side), (uint32_t)rd->side << 31 | 7,
					    rd->shift);

		if ((rd->st = kring_push(rd->t, rd->side, &rd->r, p)) != KT_OK)
			return NULL;
	}
	if (rd->dup != UINT64_MAX) {
		struct pend *p = prepare_in(&rd->r, rd->dup, 999999990 + (uint64_t)rd->side,
					    rd->digest(rd->dup, rd->side), 0, rd->shift);

		if ((rd->st = kring_push(rd->t, rd->side, &rd->r, p)) != KT_OK)
			return NULL;
	}
	rd->st = kring_drain(rd->t, rd->side, &rd->r, 0);
	return NULL;
}

/* Both readers at once, the right one on a thread of its own, the left
 * on another while this thread faults the presized slots in, as
 * compare_eval does. */
static void run_both(struct ktable *t, struct reader *l, struct reader *r)
{
	pthread_t tid[2];

	l->t = r->t = t;
	l->side = LEFT;
	r->side = RIGHT;
	ck_assert_int_eq(pthread_create(&tid[0], NULL, reader_run, l), 0);
	ck_assert_int_eq(pthread_create(&tid[1], NULL, reader_run, r), 0);
	ktable_populate(t);
	ck_assert_int_eq(pthread_join(tid[0], NULL), 0);
	ck_assert_int_eq(pthread_join(tid[1], NULL), 0);
}

/* What a walk saw: per key number, how often, and the entries' flags. */
struct seen {
	unsigned char *count;	/* per key number */
	uint8_t *flags;
	struct entry **e;
	uint64_t n, total;
};

static int seen_entry(struct entry *e, void *ctx)
{
	struct seen *s = ctx;
	uint64_t k = key_number(e);

	ck_assert_uint_lt(k, s->n);
	s->count[k]++;
	s->flags[k] = e->flags;
	s->e[k] = e;
	s->total++;
	return 0;
}

static void seen_walk(struct ktable *t, struct seen *s, uint64_t n)
{
	s->n = n;
	s->total = 0;
	s->count = calloc(n, 1);
	s->flags = calloc(n, 1);
	s->e = calloc(n, sizeof(*s->e));
	ck_assert_ptr_nonnull(s->count);
	ck_assert_ptr_nonnull(s->flags);
	ck_assert_ptr_nonnull(s->e);
	ck_assert_int_eq(ktable_walk(t, seen_entry, s), 0);
}

static void seen_free(struct seen *s)
{
	free(s->count);
	free(s->flags);
	free(s->e);
}

START_TEST(distinct_keys_from_two_threads_are_each_found_once)
{
	struct ktable t;
	struct reader l = { .from = 0, .to = 2 * NKEYS, .step = 2, .dup = UINT64_MAX,
			    .digest = digest_plain };
	struct reader r = { .from = 1, .to = 2 * NKEYS, .step = 2, .dup = UINT64_MAX,
			    .digest = digest_plain };
	struct seen s;
	uint64_t k;

	/* not presized: each stripe gets its first slots while both threads
	 * insert, the keys spread over all of them */
	ktable_init(&t);
	run_both(&t, &l, &r);
	ck_assert_int_eq(l.st, KT_OK);
	ck_assert_int_eq(r.st, KT_OK);
	ck_assert_uint_eq(l.r.ndone, NKEYS);
	ck_assert_uint_eq(r.r.ndone, NKEYS);
	seen_walk(&t, &s, 2 * NKEYS);
	ck_assert_uint_eq(s.total, 2 * NKEYS);
	for (k = 0; k < 2 * NKEYS; k++) {
		int side = k % 2 ? RIGHT : LEFT;

		ck_assert_uint_eq(s.count[k], 1);
		ck_assert_uint_eq(s.flags[k], side == LEFT ? SEEN_LEFT : SEEN_RIGHT);
		ck_assert_uint_eq(entry_pos(s.e[k], side), k * 10 + (uint64_t)side);
		ck_assert_uint_eq(s.e[k]->digest, digest_plain(k, side));
	}
	seen_free(&s);
	ktable_release(&t);
}
END_TEST

START_TEST(a_key_of_both_sides_is_one_entry_both_saw)
{
	struct ktable t;
	/* every key in one stripe: the two threads take turns at one lock,
	 * and the stripe outgrows its presized slots while both insert */
	struct reader l = { .from = 0, .to = NKEYS, .step = 1, .dup = UINT64_MAX,
			    .digest = digest_third, .shift = STRIPE_BITS };
	struct reader r = { .from = 0, .to = NKEYS, .step = 1, .dup = UINT64_MAX,
			    .digest = digest_third, .shift = STRIPE_BITS };
	struct seen s;
	uint64_t k;

	ktable_init(&t);
	ktable_presize(&t, 200000);
	ck_assert_ptr_nonnull(t.slots_all);
	run_both(&t, &l, &r);
	ck_assert_int_eq(l.st, KT_OK);
	ck_assert_int_eq(r.st, KT_OK);
	seen_walk(&t, &s, NKEYS);
	ck_assert_uint_eq(s.total, NKEYS);
	ck_assert(t.stripes[0].owned);
	ck_assert_uint_gt(t.stripes[0].mask + 1, NKEYS);
	for (k = 0; k < NKEYS; k++) {
		ck_assert_uint_eq(s.count[k], 1);
		ck_assert_uint_eq(s.flags[k],
				  SEEN_LEFT | SEEN_RIGHT | (k % 3 == 0 ? DIFFERS : 0));
		ck_assert_uint_eq(entry_pos(s.e[k], LEFT), k * 10);
		ck_assert_uint_eq(entry_pos(s.e[k], RIGHT), k * 10 + 1);
		/* the left side's group, whichever side came first */
		ck_assert_uint_eq(s.e[k]->group, 7);
	}
	seen_free(&s);
	ktable_release(&t);
}
END_TEST

START_TEST(a_key_twice_on_one_side_is_a_duplicate_naming_the_first)
{
	struct ktable t;
	/* both sides bring the same keys at once; each brings one of them
	 * a second time */
	struct reader l = { .from = 0, .to = NKEYS, .step = 1, .dup = 1234,
			    .digest = digest_plain };
	struct reader r = { .from = 0, .to = NKEYS, .step = 1, .dup = NKEYS - 1,
			    .digest = digest_plain };
	struct seen s;

	ktable_init(&t);
	run_both(&t, &l, &r);
	ck_assert_int_eq(l.st, KT_DUPLICATE);
	ck_assert_int_eq(r.st, KT_DUPLICATE);
	ck_assert_uint_eq(l.r.first, 1234 * 10);
	ck_assert_uint_eq(l.r.failed->pos, 999999990);
	ck_assert_uint_eq(r.r.first, (NKEYS - 1) * 10 + 1);
	ck_assert_uint_eq(r.r.failed->pos, 999999991);
	/* the refused rows changed nothing */
	seen_walk(&t, &s, NKEYS);
	ck_assert_uint_eq(s.total, NKEYS);
	ck_assert_uint_eq(s.flags[1234], SEEN_LEFT | SEEN_RIGHT);
	ck_assert_uint_eq(entry_pos(s.e[1234], LEFT), 1234 * 10);
	ck_assert_uint_eq(entry_pos(s.e[NKEYS - 1], RIGHT), (NKEYS - 1) * 10 + 1);
	seen_free(&s);
	ktable_release(&t);
}
END_TEST

START_TEST(the_ring_keeps_rows_in_flight_a_batch_at_a_time)
{
	struct ktable t;
	struct kring r;
	struct seen s;
	uint64_t k;

	ktable_init(&t);
	memset(&r, 0, sizeof(r));
	/* a batch not yet full: nothing committed */
	for (k = 0; k < BATCH - 1; k++)
		ck_assert_int_eq(kring_push(&t, LEFT, &r, prepare(&r, k, k, 0, 0)), KT_OK);
	ck_assert_uint_eq(r.ndone, 0);
	/* three batches: the first is committed, two stay in flight (their
	 * slots, then their entries, prefetched) */
	for (; k < 3 * BATCH; k++)
		ck_assert_int_eq(kring_push(&t, LEFT, &r, prepare(&r, k, k, 0, 0)), KT_OK);
	ck_assert_uint_eq(r.nring, 3 * BATCH);
	ck_assert_uint_eq(r.ndone, BATCH);
	seen_walk(&t, &s, 3 * BATCH);
	ck_assert_uint_eq(s.total, BATCH);
	for (k = 0; k < 3 * BATCH; k++)
		ck_assert_uint_eq(s.count[k], k < BATCH);
	seen_free(&s);
	/* many batches: never more than PIPE rows in flight */
	for (; k < 40 * BATCH; k++) {
		ck_assert_int_eq(kring_push(&t, LEFT, &r, prepare(&r, k, k, 0, 0)), KT_OK);
		ck_assert_uint_le(r.nring - r.ndone, PIPE);
	}
	ck_assert_int_eq(kring_drain(&t, LEFT, &r, 0), KT_OK);
	ck_assert_uint_eq(r.ndone, 40 * BATCH);
	seen_walk(&t, &s, 40 * BATCH);
	ck_assert_uint_eq(s.total, 40 * BATCH);
	seen_free(&s);
	ktable_release(&t);
}
END_TEST

/* Entries in the order they were made (one side: ktable_walk's order). */
struct order {
	uint64_t keys[64];
	size_t n;
};

static int order_entry(struct entry *e, void *ctx)
{
	struct order *o = ctx;

	if (e->klen > 8 && e->key[0] == 'L') {
		o->keys[o->n++] = 1000;		/* the long key */
		return 0;
	}
	o->keys[o->n++] = key_number(e);
	return 0;
}

START_TEST(rows_are_committed_in_the_order_they_came)
{
	struct ktable t;
	struct kring r;
	struct order o = { { 0 }, 0 };
	unsigned char longkey[KEY_INLINE + 20];
	struct pend *p;
	uint64_t k;

	ktable_init(&t);
	memset(&r, 0, sizeof(r));
	for (k = 0; k < 5; k++)
		ck_assert_int_eq(kring_push(&t, RIGHT, &r, prepare(&r, k, k, 0, 0)), KT_OK);
	ck_assert_uint_eq(r.ndone, 0);
	/* a key too long for the ring goes in at once, after the rows in
	 * flight */
	memset(longkey, 'L', sizeof(longkey));
	p = prepare(&r, 5, 5, 0, 0);
	p->key = longkey;
	p->klen = sizeof(longkey);
	ck_assert_int_eq(kring_push(&t, RIGHT, &r, p), KT_OK);
	ck_assert_uint_eq(r.ndone, 5);
	ck_assert_uint_eq(r.nring, 5);
	/* a duplicate in flight is found when committed: the later row is
	 * the one refused, the earlier one is where the key was first */
	ck_assert_int_eq(kring_push(&t, RIGHT, &r, prepare(&r, 6, 60, 0, 0)), KT_OK);
	ck_assert_int_eq(kring_push(&t, RIGHT, &r, prepare(&r, 7, 70, 0, 0)), KT_OK);
	ck_assert_int_eq(kring_push(&t, RIGHT, &r, prepare(&r, 6, 61, 0, 0)), KT_OK);
	ck_assert_int_eq(kring_drain(&t, RIGHT, &r, 0), KT_DUPLICATE);
	ck_assert_uint_eq(r.first, 60);
	ck_assert_uint_eq(r.failed->pos, 61);
	ck_assert_ptr_eq(r.failed, &r.row[7]);
	ck_assert_int_eq(ktable_walk(&t, order_entry, &o), 0);
	ck_assert_uint_eq(o.n, 8);
	for (k = 0; k < 5; k++)
		ck_assert_uint_eq(o.keys[k], k);
	ck_assert_uint_eq(o.keys[5], 1000);
	ck_assert_uint_eq(o.keys[6], 6);
	ck_assert_uint_eq(o.keys[7], 7);
	ktable_release(&t);
}
END_TEST

START_TEST(a_released_table_can_be_released_again)
{
	struct ktable t;

	memset(&t, 0, sizeof(t));
	ktable_release(&t);
	ktable_init(&t);
	ktable_presize(&t, 1000000);
	ck_assert_ptr_nonnull(t.slots_all);
	ck_assert_uint_gt(ktable_bytes(&t), 0);
	ktable_release(&t);
	ck_assert_ptr_null(t.stripes);
	ktable_release(&t);
}
END_TEST

static Suite *table_suite(void)
{
	Suite *s = suite_create("compare_table");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, distinct_keys_from_two_threads_are_each_found_once);
	tcase_add_test(tc, a_key_of_both_sides_is_one_entry_both_saw);
	tcase_add_test(tc, a_key_twice_on_one_side_is_a_duplicate_naming_the_first);
	tcase_add_test(tc, the_ring_keeps_rows_in_flight_a_batch_at_a_time);
	tcase_add_test(tc, rows_are_committed_in_the_order_they_came);
	tcase_add_test(tc, a_released_table_can_be_released_again);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(table_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
