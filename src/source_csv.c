/*
 * source_csv.c: the one place that turns CSV bytes into records.
 *
 * The file is read in large chunks and handed to libcsv one physical line
 * at a time (a line longer than the read buffer goes in pieces), so the
 * reader always knows the line it is on: a record remembers the line and
 * byte offset where it began, and a field the line where it began (what an
 * unclosed quote is reported against).  Each line is checked for valid
 * UTF-8 and NUL bytes before libcsv sees it: the checks run once over all
 * the whole lines a read brought (see struct span), and a line only looks
 * up whether a fault lies in it, so a fault is still reported for its own
 * line, after every error of the lines before.  libcsv's field callback
 * only appends the field to a reusable buffer; pointers are fixed up once
 * per record, when the record is checked against the header and passed on.
 *
 * Most lines hold no quote: their fields are the bytes between their
 * commas, and the reader splits them itself (fast_lines), 16 bytes at a
 * time, without libcsv and without copying (each field ends in a NUL
 * written over its delimiter in the read buffer).  A line goes to libcsv
 * whole, exactly as before, as soon as it holds anything libcsv must
 * judge: a quote, or a CR other than the one before its newline; so does
 * a line that continues a quoted field, a line longer than the read
 * buffer and a last line without a newline.  The checks of a line (UTF-8,
 * NUL) and the records' lines and offsets are the same on both paths, so
 * every error names the same line with the same words.
 *
 * Spaces are part of a field (RFC 4180), so libcsv is given a space
 * function that says no character is a space; it calls that function for
 * nearly every byte, a call per byte worth sparing.  A line with
 * no space or tab where libcsv would trim one (at the line's start or end,
 * beside a comma, after a quote) reads the same either way, and is parsed
 * with libcsv's own test, which trims nothing there.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include <csv.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "source_csv.h"

#define READ_SIZE ((size_t)1 << 20)	/* bytes per read(2) */
#define NULL_FIELD SIZE_MAX		/* offset of an empty unquoted field */
#define NO_FAULT UINT64_MAX
#define SHORT_FIELD 32			/* bytes of a field copied without a call */

/* Parser states of libcsv 3.0.3 (libcsv.c; struct csv_parser is public).
 * Read only at line boundaries, to tell a new record from a quoted field
 * that goes on over the newline. */
enum {
	LIBCSV_ROW_NOT_BEGUN = 0,
	LIBCSV_FIELD_BEGUN = 2
};

/* What the checks found in a span of whole lines of the buffer, by file
 * offset: the first fault of each kind and every space where libcsv would
 * trim one (see edge_space).  A line inside the span looks these up; one
 * outside it (a piece of a line longer than the buffer, a last line with no
 * newline) is checked on its own. */
struct span {
	uint64_t from, to;		/* [from, to): whole lines, checked */
	uint64_t bad_utf8;		/* first byte that is not UTF-8, or NO_FAULT */
	uint64_t nul;			/* first NUL byte, or NO_FAULT */
	uint64_t *edges;		/* spaces at a field's edge, ascending */
	size_t nedges, capedges;
	size_t next;			/* first edge not before the line being fed */
	bool edged;			/* edges found (only once libcsv needs them) */
	const char *buf;		/* the buffer and the span's place in it, */
	size_t a, b;			/* to find the edges in */
};

struct reader {
	const char *path;
	const struct csv_parser *parser;	/* the one feeding on_field */
	csv_record_fn fn;
	void *ctx;
	struct diag *d;

	char *bytes;			/* current record's fields, each NUL-ended */
	size_t nbytes;			/* bytes used */
	size_t capbytes;		/* bytes allocated */
	size_t *offs;			/* each field's offset in bytes, or NULL_FIELD */
	struct csv_field *fields;	/* the record handed to fn */
	size_t nfields;			/* fields of the current record so far */
	size_t capfields;		/* entries allocated in offs and fields */

	bool have_header;		/* the first record has been seen */
	size_t header_fields;		/* its field count */
	long line;			/* physical line being fed (1-based) */
	long rec_line;			/* line where the current record began */
	uint64_t rec_offset;		/* byte offset where it began */
	long field_line;		/* line where the current field began */
	long long rows;			/* data records passed to fn */
	int status;			/* 0 go on, 1 stopped by fn, -1 failed */
	bool libcsv_only;		/* every line through libcsv */
	bool fn_failed;			/* the callback returned -1 */
	struct span span;		/* checks of the buffer's whole lines */
	struct progress progress;	/* "loading PATH: N rows" on a terminal */
};

static int keep_spaces(unsigned char c)
{
	(void)c;
	return 0;	/* RFC 4180: spaces are part of the field */
}

static void grow_fields(struct reader *r)
{
	size_t cap = r->capfields ? r->capfields * 2 : 64;

	r->offs = xrealloc(r->offs, cap * sizeof *r->offs);
	r->fields = xrealloc(r->fields, cap * sizeof *r->fields);
	r->capfields = cap;
}

static void grow_bytes(struct reader *r, size_t need)
{
	size_t cap = r->capbytes ? r->capbytes : 4096;

	while (cap - r->nbytes < need)
		cap *= 2;
	r->bytes = xrealloc(r->bytes, cap);
	r->capbytes = cap;
}

/* libcsv's field callback: the hot path, so it only copies. */
static void on_field(void *s, size_t len, void *data)
{
	struct reader *r = data;

	if (r->status)
		return;
	if (r->nfields == r->capfields)
		grow_fields(r);
	if (s == NULL) {
		r->offs[r->nfields] = NULL_FIELD;
		len = 0;
	} else {
		char *dst;

		if (r->capbytes - r->nbytes < len + SHORT_FIELD + 1)
			grow_bytes(r, len + SHORT_FIELD + 1);
		dst = r->bytes + r->nbytes;
		/* a short field (most are) in two fixed 16-byte moves, which
		 * may read past it in libcsv's buffer and write past it here */
		if (len <= SHORT_FIELD && s == r->parser->entry_buf &&
		    r->parser->entry_size >= SHORT_FIELD) {
			memcpy(dst, s, 16);
			if (len > 16)
				memcpy(dst + len - 16, (char *)s + len - 16, 16);
		} else {
			memcpy(dst, s, len);
		}
		dst[len] = '\0';
		r->offs[r->nfields] = r->nbytes;
		r->nbytes += len + 1;
	}
	r->fields[r->nfields].len = len;
	r->nfields++;
	/* the next field begins after this one's delimiter, on this line */
	r->field_line = r->line;
}

/* Check the shape of the record in r->fields, then pass it on. */
static void deliver(struct reader *r)
{
	struct csv_record rec;
	int rc;

	rec.fields = r->fields;
	rec.nfields = r->nfields;
	rec.line = r->rec_line;
	rec.offset = r->rec_offset;
	rec.header = !r->have_header;
	if (rec.header) {
		r->have_header = true;
		r->header_fields = r->nfields;
	} else if (r->nfields != r->header_fields) {
		r->status = diag_error(r->d, "%s:%ld: ragged row: %zu fields, header has %zu",
				       r->path, r->rec_line, r->nfields, r->header_fields);
		return;
	} else {
		r->rows++;
		progress_update(&r->progress, r->rows);
	}
	rc = r->fn(r->ctx, &rec);
	if (rc)
		r->status = rc < 0 ? -1 : 1;
	r->fn_failed = rc < 0;
}

/* libcsv's record callback: the fields in place, then deliver. */
static void on_record(int c, void *data)
{
	struct reader *r = data;

	(void)c;
	if (r->status == 0) {
		for (size_t i = 0; i < r->nfields; i++)
			r->fields[i].s = r->offs[i] == NULL_FIELD ? NULL : r->bytes + r->offs[i];
		deliver(r);
	}
	r->nfields = 0;
	r->nbytes = 0;
}

/* Read up to len bytes, retrying short reads; 0 only at end of file. */
static ssize_t read_full(int fd, char *buf, size_t len)
{
	size_t got = 0;

	while (got < len) {
		ssize_t n = read(fd, buf + got, len - got);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (n == 0)
			break;
		got += (size_t)n;
	}
	return (ssize_t)got;
}

/*
 * Reading ahead: when the digest of a file of two chunks or more is
 * wanted, a thread of the reader's own reads the file in chunks of READ_SIZE and hashes them while
 * the lines before are parsed (hashing costs about half as much as
 * parsing, and one file's reader is often the slowest thread of a query);
 * the parser copies each chunk into its buffer as it would have read it.
 * Shared between the two: the ring of chunks and the flags, under mu; a
 * chunk's bytes belong to the thread until it counts the chunk in, then to
 * the parser until it takes the chunk out.
 */
#define CHUNKS 3

struct ahead {
	int fd;
	struct sha256_ctx *sha;
	pthread_t tid;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	char *chunk[CHUNKS];
	size_t len[CHUNKS];
	size_t head, count;	/* filled chunks, from head */
	size_t used;		/* parser: bytes of chunk[head] taken */
	bool eof;		/* the thread read its last chunk */
	int err;		/* errno of a read that failed, or 0 */
	bool stop;		/* the parser wants no more */
};

static void *ahead_run(void *arg)
{
	struct ahead *a = arg;

	for (;;) {
		size_t slot;
		ssize_t n;

		pthread_mutex_lock(&a->mu);
		while (a->count == CHUNKS && !a->stop)
			pthread_cond_wait(&a->cv, &a->mu);
		slot = (a->head + a->count) % CHUNKS;
		if (a->stop) {
			pthread_mutex_unlock(&a->mu);
			return NULL;
		}
		pthread_mutex_unlock(&a->mu);
		n = read_full(a->fd, a->chunk[slot], READ_SIZE);
		if (n > 0)
			sha256_update(a->sha, a->chunk[slot], (size_t)n);
		pthread_mutex_lock(&a->mu);
		if (n < 0)
			a->err = errno ? errno : EIO;
		if (n > 0) {
			a->len[slot] = (size_t)n;
			a->count++;
		} else {
			a->eof = true;
		}
		pthread_cond_broadcast(&a->cv);
		pthread_mutex_unlock(&a->mu);
		if (n <= 0)
			return NULL;
	}
}

/* Start reading fd ahead, hashing into sha; NULL when no thread starts
 * (the parser then reads and hashes by itself). */
static struct ahead *ahead_start(int fd, struct sha256_ctx *sha)
{
	struct ahead *a = xcalloc(1, sizeof *a);

	a->fd = fd;
	a->sha = sha;
	for (size_t i = 0; i < CHUNKS; i++)
		a->chunk[i] = xmalloc(READ_SIZE);
	pthread_mutex_init(&a->mu, NULL);
	pthread_cond_init(&a->cv, NULL);
	if (pthread_create(&a->tid, NULL, ahead_run, a) == 0)
		return a;
	pthread_mutex_destroy(&a->mu);
	pthread_cond_destroy(&a->cv);
	for (size_t i = 0; i < CHUNKS; i++)
		free(a->chunk[i]);
	free(a);
	return NULL;
}

/* read_full's contract, from the chunks read ahead. */
static ssize_t ahead_read(struct ahead *a, char *dst, size_t len)
{
	size_t got = 0;

	while (got < len) {
		size_t slot, k;
		int err;

		pthread_mutex_lock(&a->mu);
		while (a->count == 0 && !a->eof)
			pthread_cond_wait(&a->cv, &a->mu);
		slot = a->head;
		err = a->err;
		k = a->count;
		pthread_mutex_unlock(&a->mu);
		if (k == 0) {
			if (got == 0 && err) {
				errno = err;
				return -1;
			}
			break;
		}
		k = a->len[slot] - a->used;
		if (k > len - got)
			k = len - got;
		memcpy(dst + got, a->chunk[slot] + a->used, k);
		a->used += k;
		got += k;
		if (a->used == a->len[slot]) {
			pthread_mutex_lock(&a->mu);
			a->head = (a->head + 1) % CHUNKS;
			a->count--;
			a->used = 0;
			pthread_cond_broadcast(&a->cv);
			pthread_mutex_unlock(&a->mu);
		}
	}
	return (ssize_t)got;
}

/* Stop reading ahead and free a.  rest: read (and hash) the file to its
 * end first. */
static void ahead_end(struct ahead *a, bool rest)
{
	pthread_mutex_lock(&a->mu);
	if (rest) {
		while (!a->eof || a->count) {
			if (a->count) {
				a->head = (a->head + 1) % CHUNKS;
				a->count--;
				pthread_cond_broadcast(&a->cv);
			} else {
				pthread_cond_wait(&a->cv, &a->mu);
			}
		}
	}
	a->stop = true;
	pthread_cond_broadcast(&a->cv);
	pthread_mutex_unlock(&a->mu);
	pthread_join(a->tid, NULL);
	pthread_mutex_destroy(&a->mu);
	pthread_cond_destroy(&a->cv);
	for (size_t i = 0; i < CHUNKS; i++)
		free(a->chunk[i]);
	free(a);
}

/* Without a thread: hash the rest of fd. */
static void hash_rest(int fd, struct sha256_ctx *sha, char *buf)
{
	ssize_t n;

	while ((n = read_full(fd, buf, READ_SIZE)) > 0)
		sha256_update(sha, buf, (size_t)n);
}

/* Where to cut a full buffer that holds no newline: before a UTF-8
 * sequence that the buffer's end splits, so validation sees it whole. */
static size_t utf8_cut(const unsigned char *s, size_t len)
{
	size_t i = len, k = 0, need;

	while (k < 3 && i > 0 && (s[i - 1] & 0xC0) == 0x80) {
		i--;
		k++;
	}
	if (i == 0 || s[i - 1] < 0xC0)
		return len;
	need = s[i - 1] >= 0xF0 ? 4 : s[i - 1] >= 0xE0 ? 3 : 2;
	return len - (i - 1) < need ? i - 1 : len;
}

/* Whether a space or tab between bytes prev and next is one libcsv's
 * default trimming could drop: next to a comma or a CR (which ends a record
 * for libcsv), at a line's start or end, or after a quote. */
static bool trimmed_between(unsigned char prev, unsigned char next)
{
	return prev == ',' || prev == '"' || prev == '\r' || prev == '\n' || next == ',' ||
	       next == '\r' || next == '\n';
}

/* Whether libcsv's trimming could change how it reads line s (the line's
 * start counts as after a newline, its end as before one). */
static bool edge_space(const char *s, size_t len)
{
	static const char ws[2] = { ' ', '\t' };
	const char *end = s + len;
	int k;

	for (k = 0; k < 2; k++) {
		const char *q = s;

		while ((q = memchr(q, ws[k], (size_t)(end - q)))) {
			if (trimmed_between(q == s ? '\n' : q[-1], q + 1 == end ? '\n' : q[1]))
				return true;
			q++;
		}
	}
	return false;
}

typedef unsigned char bytes16 __attribute__((vector_size(16)));

/* Note the trimmed spaces of s[i, end) (s[a] begins the span). */
static void span_edges(struct span *sp, const unsigned char *s, size_t a, size_t i, size_t end,
		       uint64_t base)
{
	for (; i < end; i++) {
		if ((s[i] != ' ' && s[i] != '\t') || !trimmed_between(i == a ? '\n' : s[i - 1], s[i + 1]))
			continue;
		if (sp->nedges == sp->capedges) {
			sp->capedges = sp->capedges ? sp->capedges * 2 : 64;
			sp->edges = xrealloc(sp->edges, sp->capedges * sizeof(*sp->edges));
		}
		sp->edges[sp->nedges++] = base + i;
	}
}

/* Check buf[a, b), whole lines (buf[b - 1] is a newline) at file offset
 * base + a, into r->span: one pass for UTF-8 and one for NUL.  The spaces
 * libcsv would trim are found later, and only if a line of the span goes
 * to libcsv (span_find_edges). */
static void span_check(struct reader *r, const char *buf, size_t a, size_t b, uint64_t base)
{
	struct span *sp = &r->span;
	size_t ok = utf8_valid_prefix((const unsigned char *)buf + a, b - a);
	const char *z = memchr(buf + a, '\0', b - a);

	sp->from = base + a;
	sp->to = base + b;
	sp->bad_utf8 = ok < b - a ? base + a + ok : NO_FAULT;
	sp->nul = z ? base + (uint64_t)(z - buf) : NO_FAULT;
	sp->nedges = sp->next = 0;
	sp->edged = false;
	sp->buf = buf;
	sp->a = a;
	sp->b = b;
}

/* Find the span's trimmed spaces from file offset from (a line's start)
 * on, 16 bytes at a time (a block that has one is looked at byte by byte).
 * Found once, when the first line of the span goes to libcsv: the lines
 * before it may have been read by the fast path, which writes NULs over
 * their delimiters, but nothing is looked up before it. */
static void span_find_edges(struct span *sp, uint64_t from)
{
	const unsigned char *s = (const unsigned char *)sp->buf;
	uint64_t base = sp->from - sp->a;	/* file offset of buf[0] */
	size_t a = (size_t)(from - base), b = sp->b, i;

	sp->edged = true;
	/* the first block byte by byte (its first byte has no byte before it
	 * in the buffer); then trimmed_between's test on 16 bytes at once,
	 * against the bytes before and after them */
	i = b - a < 16 ? b : a + 16;
	span_edges(sp, s, a, a, i, base);
	for (; i + 17 <= b; i += 16) {
		bytes16 v, prev, next, m;
		uint64_t w[2];

		memcpy(&v, s + i, 16);
		m = (bytes16)((v == ' ') | (v == '\t'));
		memcpy(w, &m, 16);
		if (!(w[0] | w[1]))
			continue;
		memcpy(&prev, s + i - 1, 16);
		memcpy(&next, s + i + 1, 16);
		m &= (bytes16)((prev == ',') | (prev == '"') | (prev == '\r') | (prev == '\n') |
			       (next == ',') | (next == '\r') | (next == '\n'));
		memcpy(w, &m, 16);
		if (w[0] | w[1])
			span_edges(sp, s, a, i, i + 16, base);
	}
	span_edges(sp, s, a, i, b, base);
}

/* A bit for each byte of s[0, n) (n <= 16) that the fast path stops at: a
 * comma, a newline, a quote or a CR. */
static unsigned stops16(const unsigned char *s, size_t n)
{
	unsigned m = 0;

#ifdef __SSE2__
	if (n == 16) {
		__m128i v = _mm_loadu_si128((const __m128i *)(const void *)s);
		__m128i hit = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8(',')),
							_mm_cmpeq_epi8(v, _mm_set1_epi8('\n'))),
					   _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('"')),
							_mm_cmpeq_epi8(v, _mm_set1_epi8('\r'))));

		return (unsigned)_mm_movemask_epi8(hit);
	}
#endif
	for (size_t i = 0; i < n; i++)
		if (s[i] == ',' || s[i] == '\n' || s[i] == '"' || s[i] == '\r')
			m |= 1u << i;
	return m;
}

/* Read the whole lines of buf[a, b) (the checked span, a at a line's
 * start and libcsv between records) while they hold no quote and no CR
 * but one just before their newline.  libcsv reads such a line as the
 * bytes between its commas, an empty one as NULL, a blank line as no
 * record, and ends in the state it began in; this does the same, 16 bytes
 * at a time, each field left in place with a NUL over its delimiter.
 * Returns where it stopped: b, the start of the first line libcsv must
 * read (its commas put back), or, with r->status set (an error, or the
 * callback stopped), the line after the last record. */
static size_t fast_lines(struct reader *r, char *buf, size_t a, size_t b, uint64_t base)
{
	const unsigned char *s = (const unsigned char *)buf;
	uint64_t fault = r->span.bad_utf8 < r->span.nul ? r->span.bad_utf8 : r->span.nul;
	size_t line = a, field = a, blk = a, nf = 0;
	unsigned mask = stops16(s + blk, b - blk < 16 ? b - blk : 16);

	for (;;) {
		size_t j, next;
		unsigned char c;

		while (mask == 0) {
			blk += 16;
			if (blk >= b)
				return line;	/* (b - 1 is a newline: not reached) */
			mask = stops16(s + blk, b - blk < 16 ? b - blk : 16);
		}
		j = blk + (size_t)__builtin_ctz(mask);
		mask &= mask - 1;
		if (j < field)
			continue;	/* the newline of a CRLF, taken with its CR */
		c = s[j];
		if (c == '"' || (c == '\r' && (j + 1 == b || s[j + 1] != '\n')))
			break;
		if (nf == r->capfields)
			grow_fields(r);
		r->fields[nf].s = j > field ? buf + field : NULL;
		r->fields[nf].len = j - field;
		r->offs[nf] = j;	/* to put the comma back */
		nf++;
		buf[j] = '\0';
		field = j + 1;
		if (c == ',')
			continue;
		next = j + 1 + (c == '\r');
		if (base + next > fault) {
			/* this line holds the span's first fault (see feed) */
			r->status = diag_error(r->d, "%s:%ld: %s", r->path, r->line,
					       r->span.bad_utf8 < base + next ? "invalid UTF-8"
									  : "NUL byte");
			return line;
		}
		if (j > line) {	/* else a blank line: no record */
			r->nfields = nf;
			r->rec_line = r->line;
			r->rec_offset = base + line;
			deliver(r);
			r->nfields = 0;
		}
		r->line++;
		line = field = next;
		nf = 0;
		if (r->status || line == b)
			return line;
	}
	/* a quote or a lone CR: libcsv reads this line, as it was */
	for (size_t k = 0; k < nf; k++)
		buf[r->offs[k]] = ',';
	return line;
}

/* csv_parse of s[0, len) at file offset offset, in pieces that end at
 * each CR but the last byte: libcsv ends a record at a lone CR, and the
 * record after it begins there, not at the line's start (where it is read
 * again).  Returns the bytes parsed, as csv_parse. */
static size_t parse_pieces(struct reader *r, struct csv_parser *p, const char *s, size_t len,
			   uint64_t offset)
{
	size_t n = 0;

	for (;;) {
		const char *cr = memchr(s + n, '\r', len - n);
		size_t piece = cr && (size_t)(cr - s) + 1 < len ? (size_t)(cr - s) + 1 - n : len - n;
		size_t got = csv_parse(p, s + n, piece, on_field, on_record, r);

		n += got;
		if (got < piece || n == len || r->status)
			return n;
		if (p->pstate == LIBCSV_ROW_NOT_BEGUN && s[n] != '\n') {
			r->rec_offset = offset + n;
			r->field_line = r->line;
		}
	}
}

/* Feed one line (or a piece of a long one) to libcsv.  whole: s is the
 * whole line.  -1 with r->d set on a format error, or when the callback
 * failed or stopped (r->status). */
static int feed(struct reader *r, struct csv_parser *p, const char *s, size_t len,
		uint64_t offset, bool line_start, bool whole)
{
	struct span *sp = &r->span;
	bool bad_utf8, nul, trims;
	size_t n;

	if (line_start && p->pstate == LIBCSV_ROW_NOT_BEGUN) {
		r->rec_line = r->line;
		r->rec_offset = offset;
		r->field_line = r->line;
	}
	if (offset >= sp->from && offset + len <= sp->to) {
		bad_utf8 = sp->bad_utf8 < offset + len;
		nul = sp->nul < offset + len;
		if (!sp->edged)
			span_find_edges(sp, offset);
		while (sp->next < sp->nedges && sp->edges[sp->next] < offset)
			sp->next++;
		trims = sp->next < sp->nedges && sp->edges[sp->next] < offset + len;
	} else {
		bad_utf8 = utf8_valid_prefix((const unsigned char *)s, len) < len;
		nul = memchr(s, '\0', len) != NULL;
		trims = whole && edge_space(s, len);
	}
	if (bad_utf8)
		return r->status = diag_error(r->d, "%s:%ld: invalid UTF-8", r->path, r->line);
	/* fields are C strings from here on: a NUL would cut one silently */
	if (nul)
		return r->status = diag_error(r->d, "%s:%ld: NUL byte", r->path, r->line);
	csv_set_space_func(p, whole && !trims ? NULL : keep_spaces);
	n = parse_pieces(r, p, s, len, offset);
	if (r->status)
		return -1;
	if (n < len) {
		int err = csv_error(p);

		if (err != CSV_EPARSE)
			return r->status = diag_error(r->d, "%s:%ld: %s", r->path, r->line,
						      csv_strerror(err));
		/* A quoted field that ran over lines and then broke is far more
		 * likely a quote left open where the field began. */
		if (p->quoted && r->field_line < r->line)
			return r->status = diag_error(r->d, "%s:%ld: unclosed quote (the field runs to line %ld)",
						      r->path, r->field_line, r->line);
		return r->status = diag_error(r->d, "%s:%ld: bad quoting", r->path, r->line);
	}
	return 0;
}

/* csv_read_file, or with libcsv_only csv_read_file_libcsv. */
static int read_file(const char *path, csv_record_fn fn, void *ctx,
		     const struct csv_read_opts *opts, bool libcsv_only, struct diag *d)
{
	struct reader r;
	struct csv_parser p;
	bool parser_ready = false, eof = false, bom_checked = false, line_start = true;
	size_t start = 0, end = 0;
	uint64_t base = 0;	/* file offset of buf[0] */
	char *buf = NULL;
	struct sha256_ctx *sha = opts ? opts->sha : NULL;
	struct ahead *ahead = NULL;
	struct stat st;
	bool io_error = false;
	int fd = -1, ret = -1;

	memset(&r, 0, sizeof r);
	r.path = path;
	r.fn = fn;
	r.ctx = ctx;
	r.d = d;
	r.line = 1;
	r.libcsv_only = libcsv_only;
	/* the clock is looked at every 4096 rows */
	progress_start(&r.progress, opts && opts->progress, path, 4096);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT)
			diag_error(d, "%s: no such file", path);
		else
			diag_error(d, "%s: %s", path, strerror(errno));
		goto out;
	}
	if (csv_init(&p, CSV_STRICT | CSV_STRICT_FINI | CSV_EMPTY_IS_NULL) != 0) {
		diag_error(d, "%s: out of memory", path);
		goto out;
	}
	parser_ready = true;
	r.parser = &p;
	csv_set_space_func(&p, keep_spaces);
	csv_set_blk_size(&p, 4096);
	buf = xmalloc(READ_SIZE);
	/* a file of a chunk or two has nothing to overlap */
	if (sha && fstat(fd, &st) == 0 && st.st_size >= (off_t)(2 * READ_SIZE))
		ahead = ahead_start(fd, sha);

	for (;;) {
		char *nl;
		size_t stop;

		if (!bom_checked && (end - start >= 3 || eof)) {
			if (end - start >= 3 && memcmp(buf + start, "\xEF\xBB\xBF", 3) == 0)
				start += 3;
			bom_checked = true;
		}
		nl = bom_checked ? memchr(buf + start, '\n', end - start) : NULL;
		if (nl) {
			stop = (size_t)(nl - buf) + 1;
			if (base + start >= r.span.to) {
				size_t last = end;	/* after the buffer's last newline */

				while (buf[last - 1] != '\n')
					last--;
				span_check(&r, buf, start, last, base);
			}
			if (line_start && p.pstate == LIBCSV_ROW_NOT_BEGUN && !r.libcsv_only) {
				size_t to = fast_lines(&r, buf, start, (size_t)(r.span.to - base), base);

				if (r.status)
					goto done;
				if (to > start) {
					start = to;
					continue;
				}
			}
		} else if (!eof && end - start < READ_SIZE) {
			ssize_t n;

			if (start > 0) {
				memmove(buf, buf + start, end - start);
				base += start;
				end -= start;
				start = 0;
			}
			n = ahead ? ahead_read(ahead, buf + end, READ_SIZE - end)
				  : read_full(fd, buf + end, READ_SIZE - end);
			if (n < 0) {
				diag_error(d, "%s: %s", path, strerror(errno));
				io_error = true;
				goto out;
			}
			if (n == 0)
				eof = true;
			if (sha && !ahead && n > 0)
				sha256_update(sha, buf + end, (size_t)n);
			end += (size_t)n;
			continue;
		} else if (eof) {
			if (start == end)
				break;
			stop = end;	/* the last line has no newline */
		} else {
			stop = start + utf8_cut((unsigned char *)buf + start, end - start);
		}
		if (feed(&r, &p, buf + start, stop - start, base + start, line_start,
			 line_start && (nl != NULL || eof)) < 0)
			goto done;
		line_start = nl != NULL;
		if (line_start)
			r.line++;
		start = stop;
	}
	if (csv_fini(&p, on_field, on_record, &r) != 0) {
		if (csv_error(&p) == CSV_EPARSE)
			diag_error(d, "%s:%ld: unclosed quote", path, r.field_line);
		else
			diag_error(d, "%s:%ld: %s", path, r.line, csv_strerror(csv_error(&p)));
		goto out;
	}
done:
	if (r.status < 0)
		goto out;
	if (!r.have_header) {
		diag_error(d, "%s: empty file (no header)", path);
		goto out;
	}
	ret = 0;
out:
	/* the digest of a file refused covers it whole, as the digest of one
	 * read through does */
	if (sha && !io_error && ret < 0 && !r.fn_failed) {
		if (ahead)
			ahead_end(ahead, true);
		else if (buf)
			hash_rest(fd, sha, buf);
		ahead = NULL;
	}
	if (ahead)
		ahead_end(ahead, false);
	progress_end(&r.progress);
	if (opts && opts->rows)
		*opts->rows = r.rows;
	if (parser_ready)
		csv_free(&p);
	if (fd >= 0)
		close(fd);
	free(buf);
	free(r.bytes);
	free(r.offs);
	free(r.fields);
	free(r.span.edges);
	return ret;
}

/* Contract in source_csv.h. */
int csv_read_file(const char *path, csv_record_fn fn, void *ctx,
		  const struct csv_read_opts *opts, struct diag *d)
{
	return read_file(path, fn, ctx, opts, false, d);
}

/* Contract in source_csv.h. */
int csv_read_file_libcsv(const char *path, csv_record_fn fn, void *ctx,
			 const struct csv_read_opts *opts, struct diag *d)
{
	return read_file(path, fn, ctx, opts, true, d);
}

/* ---- one record again, at its offset ------------------------------------ */

/* The record being read again: its fields, copied (libcsv hands a field
 * over only during its callback). */
struct one_record {
	struct csv_field *fields;
	char **copies;		/* per field, NULL for NULL */
	size_t n, cap;
	bool done;
};

static void one_field(void *s, size_t len, void *data)
{
	struct one_record *r = data;
	char *copy = NULL;

	if (r->done)
		return;
	if (r->n == r->cap) {
		r->cap = r->cap ? 2 * r->cap : 16;
		r->fields = xrealloc(r->fields, r->cap * sizeof(*r->fields));
		r->copies = xrealloc(r->copies, r->cap * sizeof(*r->copies));
	}
	if (s) {
		copy = xmalloc(len + 1);
		memcpy(copy, s, len);
		copy[len] = '\0';
	}
	r->copies[r->n] = copy;
	r->fields[r->n] = (struct csv_field){ copy, len };
	r->n++;
}

static void one_end(int ch, void *data)
{
	struct one_record *r = data;

	(void)ch;
	if (r->n > 0)
		r->done = true;
}

/* The record at the start of buf[0, n) when its line holds no quote and
 * no CR but one just before its newline (as fast_lines reads it): split in
 * place, each field a C string, an empty one NULL.  1 when read (and fn
 * called: its -1 fails), 0 when libcsv must read it. */
static int one_fast(char *buf, size_t n, size_t nfields, uint64_t at, csv_record_fn fn,
		    void *ctx, int *ret)
{
	struct csv_field small[32], *f = nfields <= 32 ? small : NULL;
	char *nl = memchr(buf, '\n', n), *p, *end;
	size_t k = 0;
	bool whole = false;

	if (!nl || nl == buf)
		return 0;
	end = nl[-1] == '\r' ? nl - 1 : nl;
	if (memchr(buf, '"', (size_t)(end - buf)) || memchr(buf, '\r', (size_t)(end - buf)))
		return 0;
	if (!f)
		f = xcalloc(nfields, sizeof(*f));
	for (p = buf; k < nfields; k++) {
		char *q = memchr(p, ',', (size_t)(end - p));

		if (!q)
			q = end;
		f[k] = (struct csv_field){ q > p ? p : NULL, (size_t)(q - p) };
		if (q == end) {
			whole = true;
			k++;
			break;
		}
		*q = '\0';
		p = q + 1;
	}
	if (whole && k == nfields) {
		struct csv_record rec = { f, nfields, 0, at, false };

		*end = '\0';
		*ret = fn(ctx, &rec) < 0 ? -1 : 0;
	} else {
		k = 0;	/* another width: libcsv's reading says so */
	}
	if (f != small)
		free(f);
	return k == nfields;
}

/* Contract in source_csv.h. */
int csv_read_record_at(int fd, const char *path, uint64_t off, size_t nfields,
		       csv_record_fn fn, void *ctx, struct diag *d)
{
	struct one_record r = { NULL, NULL, 0, 0, false };
	struct csv_parser p;
	uint64_t at = off;
	char buf[4096];
	size_t want = 256, i;	/* most records are short: parse little past one */
	int ret = 0;

	if (nfields > 0) {
		ssize_t n = pread(fd, buf, want, (off_t)off);

		if (n > 0 && one_fast(buf, (size_t)n, nfields, at, fn, ctx, &ret))
			return ret;
	}
	if (csv_init(&p, CSV_STRICT | CSV_STRICT_FINI | CSV_EMPTY_IS_NULL) != 0)
		return diag_error(d, "%s: out of memory", path);
	csv_set_space_func(&p, keep_spaces);
	while (!r.done) {
		ssize_t n = pread(fd, buf, want, (off_t)off);

		if (want < sizeof(buf))
			want *= 2;
		if (n < 0) {
			ret = diag_error(d, "%s: %s", path, strerror(errno));
			break;
		}
		if (n == 0) {
			csv_fini(&p, one_field, one_end, &r);
			break;
		}
		if (csv_parse(&p, buf, (size_t)n, one_field, one_end, &r) < (size_t)n && !r.done) {
			ret = diag_error(d, "%s: changed while it was read", path);
			break;
		}
		off += (uint64_t)n;
	}
	csv_free(&p);
	if (ret == 0 && (!r.done || r.n != nfields))
		ret = diag_error(d, "%s: changed while it was read", path);
	if (ret == 0) {
		struct csv_record rec = { r.fields, r.n, 0, at, false };

		ret = fn(ctx, &rec) < 0 ? -1 : 0;
	}
	for (i = 0; i < r.n; i++)
		free(r.copies[i]);
	free(r.copies);
	free(r.fields);
	return ret;
}
