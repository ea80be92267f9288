/*
 * compare_key.h: the keys of kind = compare, and each side's group values.
 *
 * A row's key cells are encoded into bytes (the encoding is described in
 * compare_key.c) so that keys equal under the value rules (10 = 1e1 =
 * 10.0, text byte for byte, NULL only with NULL) have equal encodings:
 * the key table (compare_table.h) hashes and compares them as bytes.  An
 * encoded key is read back field by field (decode_field) and ordered by
 * key_cmp: per column NULL first, numbers by value, then strings by bytes.
 *
 * Ownership: encode_key grows a buffer the caller owns and frees; a
 * decoded field's string points into the encoding it was read from.  A
 * struct gdict (zeroed to start) owns copies of its names, freed by
 * gdict_free.  Nothing here keeps state between calls: the key functions
 * are safe from any thread, and a gdict is its one reader's own.
 */
#ifndef RECON_COMPARE_KEY_H
#define RECON_COMPARE_KEY_H

#include <stddef.h>
#include <stdint.h>

#include "compare_value.h"
#include "source.h"

#define MAX_KEY 65535				/* bytes of an encoded key */

/* Room enough for the encoding of the nkey key cells cells. */
size_t key_room(const struct cell *cells, size_t nkey);

/* Encode key cells into out, which has key_room() bytes; the length. */
size_t encode_key_to(unsigned char *out, const struct cell *cells, size_t nkey);

/* Encode key cells into *buf (of *cap bytes, grown as needed; NULL and 0
 * to start), the length in *klen.  -1 when longer than MAX_KEY bytes. */
int encode_key(unsigned char **buf, size_t *cap, const struct cell *cells, size_t nkey,
	       size_t *klen);

/* Order of two byte strings: by their bytes, then the shorter first. */
int bytes_cmp(const void *a, size_t alen, const void *b, size_t blen);

/* What a key field holds, in key order: NULL first, then numbers, then
 * strings. */
enum kfield_type { KF_NULL, KF_NUMBER, KF_STRING };

/* One decoded key field. */
struct kfield {
	enum kfield_type type;
	struct cv_num num;	/* KF_NUMBER: its value */
	const unsigned char *s;	/* KF_STRING: its bytes, in the encoding */
	size_t len;
};

/* Read the field at p into f; where the next field starts. */
const unsigned char *decode_field(const unsigned char *p, struct kfield *f);

/* Order of two encoded keys of nkey fields: per column NULL first,
 * numbers by value, then strings by bytes. */
int key_cmp(const unsigned char *a, const unsigned char *b, size_t nkey);

/* Group values of one side: text -> id. */
struct gdict {
	uint64_t *hashes;	/* per slot; meaningful when ids[i] != 0 */
	uint32_t *ids;		/* per slot: id + 1, 0 = free */
	size_t cap, n;
	char **names;		/* by id, NUL-terminated copies; NULL for SQL NULL */
	size_t *lens;
	uint32_t null_id;	/* id + 1 of SQL NULL, 0 = not seen */
};

#define GID_NONE UINT32_MAX	/* gdict_get: no memory */

/* The id of group value s[0..len) in g (s NULL: SQL NULL, a group of its
 * own), added when new; GID_NONE when there is no memory for it. */
uint32_t gdict_get(struct gdict *g, const char *s, size_t len);

/* Free what g holds. */
void gdict_free(struct gdict *g);

#endif
