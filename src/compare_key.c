/*
 * compare_key.c: the keys of kind = compare (see compare_key.h): a row's
 * key cells encoded so that keys equal under the value rules are equal
 * bytes, decoded field by field and ordered; and each side's group values
 * as small ids.
 */
#include "compare_key.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

/* ---- keys ----------------------------------------------------------------
 * An encoded key is, per key column: 0 (NULL); or 1, sign + 1, exponent (4
 * bytes), digit count, digits (a number in canonical form); or 2, length
 * (1 byte), bytes; or 3, length (4 bytes), bytes (a string); or, for a
 * whole number below 10^19 in size (most keys), INT_POS | L or INT_NEG | L
 * and the L bytes of its magnitude, least significant first (L = 0 for
 * zero).  Each value has one form, so equal keys under the value rules
 * have equal encodings; the compact one keeps an entry of two integer key
 * columns at 32 bytes where the canonical digits took 50. */
#define INT_POS 0x10
#define INT_NEG 0x20
#define INT_MAX_DIGITS 19		/* 10^19 - 1 < 2^64 */

/* The compact form of a whole number into out; its length (at most 9). */
static size_t encode_int(unsigned char *out, bool neg, uint64_t v)
{
	size_t l = 0;

	for (; v; v >>= 8)
		out[1 + l++] = (unsigned char)v;
	out[0] = (unsigned char)((neg && l ? INT_NEG : INT_POS) | l);
	return 1 + l;
}

/* A cell written as a plain whole number (-?(0|[1-9][0-9]*), at most 19
 * digits) in compact form into out; 0 for any other cell.  cv_parse gives
 * such a number the same value, without the canonical digits. */
static size_t encode_plain_int(unsigned char *out, const char *s, size_t len)
{
	size_t i = s[0] == '-';
	uint64_t v = 0;

	if (len - i == 0 || len - i > INT_MAX_DIGITS || (s[i] == '0' && len - i > 1))
		return 0;
	for (; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return 0;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	return encode_int(out, s[0] == '-', v);
}

/* A canonical number in compact form into out when it is whole and below
 * 10^19 in size; 0 otherwise. */
static size_t encode_num_int(unsigned char *out, const struct cv_num *n)
{
	uint64_t v = 0;
	int32_t i;

	if (n->sign == 0)
		return encode_int(out, false, 0);
	if (n->exp < n->ndigits || n->exp > INT_MAX_DIGITS)
		return 0;
	for (i = 0; i < n->exp; i++)
		v = v * 10 + (uint64_t)(i < n->ndigits ? n->digits[i] - '0' : 0);
	return encode_int(out, n->sign < 0, v);
}

/* The canonical form of a compact whole number (see encode_int). */
static void decode_int(const unsigned char *p, struct cv_num *n)
{
	size_t l = p[0] & 0x0f, i;
	uint64_t v = 0;
	char buf[24];
	int nd = 0;

	for (i = l; i > 0; i--)
		v = v << 8 | p[i];
	if (v == 0) {
		n->sign = 0;
		n->exp = 0;
		n->ndigits = 0;
		return;
	}
	for (; v; v /= 10)
		buf[nd++] = (char)('0' + v % 10);	/* least significant first */
	n->sign = (p[0] & 0xf0) == INT_NEG ? -1 : 1;
	n->exp = nd;
	for (i = 0; i < (size_t)nd && buf[i] == '0'; i++)
		;	/* trailing zeros are not significant */
	n->ndigits = (uint8_t)(nd - (int)i);
	for (int k = 0; k < n->ndigits; k++)
		n->digits[k] = buf[nd - 1 - k];
}

/* Room enough for the encoding of key cells: at most 7 bytes of header
 * per cell beside its bytes (a number has no more digits than bytes). */
size_t key_room(const struct cell *cells, size_t nkey)
{
	size_t i, room = 0;

	for (i = 0; i < nkey; i++)
		room += 7 + (cells[i].s ? cells[i].len : 0);
	return room;
}

/* A number cell's encoding into out, compact when it can be; 0 when the
 * cell is text. */
static size_t encode_number(unsigned char *out, const char *s, size_t len)
{
	struct cv_num n;
	size_t m;
	int32_t e;

	if (!cv_may_be_number(s, len))
		return 0;
	if ((m = encode_plain_int(out, s, len)) > 0)
		return m;
	if (!cv_parse(s, len, &n))
		return 0;
	if ((m = encode_num_int(out, &n)) > 0)
		return m;
	e = n.exp;
	out[0] = 1;
	out[1] = (unsigned char)(n.sign + 1);
	memcpy(out + 2, &e, 4);
	out[6] = n.ndigits;
	memcpy(out + 7, n.digits, n.ndigits);
	return 7 + (size_t)n.ndigits;
}

/* Contract in compare_key.h. */
size_t encode_key_to(unsigned char *out, const struct cell *cells, size_t nkey)
{
	size_t i, m, len = 0;

	for (i = 0; i < nkey; i++) {
		const struct cell *k = &cells[i];

		if (!k->s) {
			out[len++] = 0;
		} else if ((m = encode_number(out + len, k->s, k->len)) > 0) {
			len += m;
		} else if (k->len < 256) {
			out[len] = 2;
			out[len + 1] = (unsigned char)k->len;
			memcpy(out + len + 2, k->s, k->len);
			len += 2 + k->len;
		} else {
			uint32_t l = (uint32_t)k->len;

			out[len] = 3;
			memcpy(out + len + 1, &l, 4);
			memcpy(out + len + 5, k->s, k->len);
			len += 5 + k->len;
		}
	}
	return len;
}

/* Contract in compare_key.h. */
int encode_key(unsigned char **buf, size_t *bufcap, const struct cell *cells, size_t nkey,
	       size_t *klen)
{
	size_t i, room;

	for (i = 0; i < nkey; i++)
		if (cells[i].s && cells[i].len > MAX_KEY)
			return -1;
	room = key_room(cells, nkey);
	if (room > *bufcap) {
		size_t cap = *bufcap ? *bufcap : 256;

		while (cap < room)
			cap *= 2;
		*buf = xrealloc(*buf, cap);
		*bufcap = cap;
	}
	*klen = encode_key_to(*buf, cells, nkey);
	return *klen > MAX_KEY ? -1 : 0;
}

/* Contract in compare_key.h. */
int bytes_cmp(const void *a, size_t alen, const void *b, size_t blen)
{
	int c = memcmp(a, b, alen < blen ? alen : blen);

	return c ? c : (alen > blen) - (alen < blen);
}

/* Contract in compare_key.h. */
const unsigned char *decode_field(const unsigned char *p, struct kfield *f)
{
	uint32_t l;

	if ((*p & 0xf0) == INT_POS || (*p & 0xf0) == INT_NEG) {
		f->type = KF_NUMBER;
		decode_int(p, &f->num);
		return p + 1 + (*p & 0x0f);
	}
	switch (*p) {
	case 0:
		f->type = KF_NULL;
		return p + 1;
	case 1:
		f->type = KF_NUMBER;
		f->num.sign = (int)p[1] - 1;
		memcpy(&f->num.exp, p + 2, 4);
		f->num.ndigits = p[6];
		memcpy(f->num.digits, p + 7, p[6]);
		return p + 7 + p[6];
	case 2:
		f->type = KF_STRING;
		f->len = p[1];
		f->s = p + 2;
		return p + 2 + f->len;
	default:
		f->type = KF_STRING;
		memcpy(&l, p + 1, 4);
		f->len = l;
		f->s = p + 5;
		return p + 5 + f->len;
	}
}

/* Contract in compare_key.h. */
int key_cmp(const unsigned char *a, const unsigned char *b, size_t nkey)
{
	size_t i;

	for (i = 0; i < nkey; i++) {
		struct kfield x, y;
		int c = 0;

		a = decode_field(a, &x);
		b = decode_field(b, &y);
		if (x.type != y.type)
			return x.type < y.type ? -1 : 1;
		if (x.type == KF_NUMBER) {
			c = cv_num_cmp(&x.num, &y.num);
		} else if (x.type == KF_STRING) {
			c = bytes_cmp(x.s, x.len, y.s, y.len);
		}
		if (c)
			return c < 0 ? -1 : 1;
	}
	return 0;
}

/* ---- group values --------------------------------------------------------- */

/* Contract in compare_key.h. */
uint32_t gdict_get(struct gdict *g, const char *s, size_t len)
{
	uint64_t h;
	size_t i;
	char *copy;

	if (2 * (g->n + 1) > g->cap) {
		size_t cap = g->cap ? 2 * g->cap : 64, j;
		uint64_t *hashes = calloc(cap, sizeof(*hashes));
		uint32_t *ids = calloc(cap, sizeof(*ids));
		char **names = NULL;
		size_t *lens = NULL;

		if (hashes && ids && (names = realloc(g->names, cap / 2 * sizeof(*names))))
			g->names = names;
		if (names && (lens = realloc(g->lens, cap / 2 * sizeof(*lens))))
			g->lens = lens;
		if (!lens) {
			free(hashes);
			free(ids);
			return GID_NONE;
		}
		for (j = 0; j < g->cap; j++) {
			size_t k;

			if (!g->ids[j])
				continue;
			k = g->hashes[j] & (cap - 1);
			while (ids[k])
				k = (k + 1) & (cap - 1);
			ids[k] = g->ids[j];
			hashes[k] = g->hashes[j];
		}
		free(g->hashes);
		free(g->ids);
		g->hashes = hashes;
		g->ids = ids;
		g->cap = cap;
	}
	if (!s) {
		/* SQL NULL: a group of its own (name NULL), apart from 'NULL' */
		if (!g->null_id) {
			g->names[g->n] = NULL;
			g->lens[g->n] = 0;
			g->null_id = (uint32_t)++g->n;
		}
		return g->null_id - 1;
	}
	h = cv_hash(s, len, 0);
	i = h & (g->cap - 1);
	while (g->ids[i]) {
		uint32_t id = g->ids[i] - 1;

		if (g->hashes[i] == h && g->lens[id] == len && memcmp(g->names[id], s, len) == 0)
			return id;
		i = (i + 1) & (g->cap - 1);
	}
	if (!(copy = malloc(len + 1)))
		return GID_NONE;
	memcpy(copy, s, len);
	copy[len] = '\0';
	g->names[g->n] = copy;
	g->lens[g->n] = len;
	g->hashes[i] = h;
	g->ids[i] = (uint32_t)++g->n;
	return (uint32_t)(g->n - 1);
}

/* Contract in compare_key.h. */
void gdict_free(struct gdict *g)
{
	size_t i;

	for (i = 0; i < g->n; i++)
		free(g->names[i]);
	free(g->names);
	free(g->lens);
	free(g->hashes);
	free(g->ids);
}
