/*
 * util.c: string builder, arena, diagnostics, dates, numbers, UTF-8 and
 * SHA-256 helpers shared by every stage.  See util.h for ownership.
 */
#include "util.h"

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>

/* ---- diagnostics ------------------------------------------------------ */

int diag_error(struct diag *d, const char *fmt, ...)
{
	va_list ap;

	if (!d)
		return -1;
	va_start(ap, fmt);
	vsnprintf(d->msg, sizeof(d->msg), fmt, ap);
	va_end(ap);
	return -1;
}

/* ---- allocation ------------------------------------------------------- */

static void oom(void)
{
	fputs("recon: out of memory\n", stderr);
	abort();
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (!p)
		oom();
	return p;
}

void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (!p)
		oom();
	return p;
}

void *xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);

	if (!q)
		oom();
	return q;
}

char *xstrdup(const char *s)
{
	size_t n = strlen(s) + 1;
	char *p = xmalloc(n);

	memcpy(p, s, n);
	return p;
}

/* ---- string builder --------------------------------------------------- */

char strbuf_empty[1];

void sb_init(struct strbuf *sb)
{
	*sb = (struct strbuf)STRBUF_INIT;
}

void sb_release(struct strbuf *sb)
{
	if (sb->cap)
		free(sb->buf);
	sb_init(sb);
}

void sb_reset(struct strbuf *sb)
{
	sb->len = 0;
	if (sb->cap)
		sb->buf[0] = '\0';
}

/* Make room for extra more bytes plus the NUL; -1 past the cap. */
static int sb_grow(struct strbuf *sb, size_t extra)
{
	size_t need, cap;
	char *p;

	if (extra > sb->max - sb->len) {
		sb->overflow = true;
		return -1;
	}
	need = sb->len + extra + 1;
	if (need <= sb->cap)
		return 0;
	cap = sb->cap ? sb->cap : 64;
	while (cap < need)
		cap *= 2;
	p = realloc(sb->cap ? sb->buf : NULL, cap);
	if (!p) {
		sb->overflow = true;
		return -1;
	}
	if (!sb->cap)
		p[0] = '\0';
	sb->buf = p;
	sb->cap = cap;
	return 0;
}

int sb_add(struct strbuf *sb, const void *data, size_t len)
{
	if (sb_grow(sb, len) < 0)
		return -1;
	if (len)
		memcpy(sb->buf + sb->len, data, len);
	sb->len += len;
	sb->buf[sb->len] = '\0';
	return 0;
}

int sb_puts(struct strbuf *sb, const char *s)
{
	return sb_add(sb, s, strlen(s));
}

int sb_putc(struct strbuf *sb, char c)
{
	return sb_add(sb, &c, 1);
}

int sb_vaddf(struct strbuf *sb, const char *fmt, va_list ap)
{
	va_list cp;
	int n;

	va_copy(cp, ap);
	n = vsnprintf(NULL, 0, fmt, cp);
	va_end(cp);
	if (n < 0 || sb_grow(sb, (size_t)n) < 0)
		return -1;
	vsnprintf(sb->buf + sb->len, (size_t)n + 1, fmt, ap);
	sb->len += (size_t)n;
	return 0;
}

int sb_addf(struct strbuf *sb, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = sb_vaddf(sb, fmt, ap);
	va_end(ap);
	return r;
}

int sb_add_sql_ident(struct strbuf *sb, const char *s)
{
	int r = sb_putc(sb, '"');

	for (; *s; s++) {
		if (*s == '"')
			r |= sb_putc(sb, '"');
		r |= sb_putc(sb, *s);
	}
	return r | sb_putc(sb, '"');
}

int sb_add_sql_string(struct strbuf *sb, const char *s)
{
	int r = sb_putc(sb, '\'');

	for (; *s; s++) {
		if (*s == '\'')
			r |= sb_putc(sb, '\'');
		r |= sb_putc(sb, *s);
	}
	return r | sb_putc(sb, '\'');
}

char *sb_detach(struct strbuf *sb, size_t *len)
{
	char *p;

	if (len)
		*len = sb->len;
	p = sb->cap ? sb->buf : xstrdup("");
	sb_init(sb);
	return p;
}

/* ---- arena ------------------------------------------------------------ */

struct arena_block {
	struct arena_block *next;
	size_t used, size;
	max_align_t data[];	/* size bytes follow */
};

#define ARENA_BLOCK (64 * 1024)

void arena_init(struct arena *a)
{
	a->head = NULL;
}

void arena_release(struct arena *a)
{
	struct arena_block *b = a->head, *next;

	for (; b; b = next) {
		next = b->next;
		free(b);
	}
	a->head = NULL;
}

void *arena_alloc(struct arena *a, size_t size)
{
	struct arena_block *b = a->head;
	size_t al = sizeof(max_align_t);
	size_t need = (size + al - 1) / al * al;
	char *p;

	if (need == 0)
		need = al;
#ifdef RECON_ARENA_MALLOC
	b = NULL;		/* every allocation its own block: sanitizers see it */
#endif
	if (!b || b->size - b->used < need) {
		size_t bsize = need > ARENA_BLOCK ? need : ARENA_BLOCK;
#ifdef RECON_ARENA_MALLOC
		bsize = need;
#endif
		b = xmalloc(sizeof(*b) + bsize);
		b->used = 0;
		b->size = bsize;
		if (a->head && need > ARENA_BLOCK) {
			/* keep the partly used head block current */
			b->next = a->head->next;
			a->head->next = b;
		} else {
			b->next = a->head;
			a->head = b;
		}
	}
	p = (char *)b->data + b->used;
	b->used += need;
	memset(p, 0, size);
	return p;
}

char *arena_strndup(struct arena *a, const char *s, size_t n)
{
	char *p;

	if (!s)
		return NULL;
	p = arena_alloc(a, n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *arena_strdup(struct arena *a, const char *s)
{
	return s ? arena_strndup(a, s, strlen(s)) : NULL;
}

char *arena_printf(struct arena *a, const char *fmt, ...)
{
	va_list ap, cp;
	int n;
	char *p;

	va_start(ap, fmt);
	va_copy(cp, ap);
	n = vsnprintf(NULL, 0, fmt, cp);
	va_end(cp);
	if (n < 0)
		n = 0;
	p = arena_alloc(a, (size_t)n + 1);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return p;
}

/* ---- dates ------------------------------------------------------------ */

/* Howard Hinnant's days_from_civil / civil_from_days: exact for the
 * proleptic Gregorian calendar, no time zone, no libc. */
static long days_from_civil(long y, unsigned m, unsigned d)
{
	long era;
	unsigned yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (long)doe - 719468;
}

void date_format(long z, char out[11])
{
	long era, y;
	unsigned doe, yoe, doy, mp, d, m;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = (unsigned)(z - era * 146097);
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	y = (long)yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	d = doy - (153 * mp + 2) / 5 + 1;
	m = mp < 10 ? mp + 3 : mp - 9;
	y += m <= 2;
	if (y < 0 || y > 9999)
		y = 0;
	snprintf(out, 11, "%04ld-%02u-%02u", y, m % 100, d % 100);
}

int date_parse(const char *s, long *days)
{
	long y, m, d, z;
	char back[11];
	int i;

	if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return -1;
	for (i = 0; i < 10; i++)
		if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
			return -1;
	y = strtol(s, NULL, 10);
	m = strtol(s + 5, NULL, 10);
	d = strtol(s + 8, NULL, 10);
	if (m < 1 || m > 12 || d < 1 || d > 31)
		return -1;
	z = days_from_civil(y, (unsigned)m, (unsigned)d);
	date_format(z, back);	/* rejects 2026-02-30 */
	if (memcmp(back, s, 10) != 0)
		return -1;
	*days = z;
	return 0;
}

/* ---- numbers ---------------------------------------------------------- */

void format_double(double v, char out[32])
{
	if (isnan(v)) {
		snprintf(out, 32, "NaN");
		return;
	}
	if (isinf(v)) {
		snprintf(out, 32, v < 0 ? "-Infinity" : "Infinity");
		return;
	}
	if (v == 0) {
		snprintf(out, 32, "0");
		return;
	}
	if (fabs(v) < 1e15 && v == floor(v)) {
		snprintf(out, 32, "%.0f", v);
		return;
	}
	/* 15 significant digits, as SQLite prints reals: a sum of decimal
	 * amounts reads 412.5, not its binary neighbour 412.50000000000034 */
	snprintf(out, 32, "%.15g", v);
	/* the C locale is never changed by recon, so '.' is the separator */
}

/* ---- UTF-8 ------------------------------------------------------------ */

void sb_add_utf8(struct strbuf *sb, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;

	while (i < len) {
		size_t n = utf8_valid_prefix(p + i, len - i);

		sb_add(sb, p + i, n);
		i += n;
		if (i < len) {
			sb_puts(sb, "\xEF\xBF\xBD");
			i++;
		}
	}
}

size_t utf8_valid_prefix(const unsigned char *s, size_t len)
{
	size_t i = 0;

	while (i < len) {
		unsigned c = s[i];
		size_t n;
		unsigned min, cp;

		if (c < 0x80) {
			/* ASCII fast path: 8 bytes at a time */
			while (i + 8 <= len) {
				uint64_t w;

				memcpy(&w, s + i, 8);
				if (w & 0x8080808080808080ULL)
					break;
				i += 8;
			}
			if (i < len && s[i] < 0x80)
				i++;
			continue;
		}
		if (c >= 0xC2 && c <= 0xDF) {
			n = 1;
			cp = c & 0x1F;
			min = 0x80;
		} else if (c >= 0xE0 && c <= 0xEF) {
			n = 2;
			cp = c & 0x0F;
			min = 0x800;
		} else if (c >= 0xF0 && c <= 0xF4) {
			n = 3;
			cp = c & 0x07;
			min = 0x10000;
		} else {
			return i;
		}
		if (len - i <= n)
			return i;
		for (size_t k = 1; k <= n; k++) {
			if ((s[i + k] & 0xC0) != 0x80)
				return i;
			cp = (cp << 6) | (s[i + k] & 0x3F);
		}
		if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
			return i;
		i += n + 1;
	}
	return len;
}

/* ---- SHA-256 ---------------------------------------------------------- */

struct sha256_ctx {
	EVP_MD_CTX *md;
};

struct sha256_ctx *sha256_new(void)
{
	struct sha256_ctx *c = xmalloc(sizeof(*c));

	c->md = EVP_MD_CTX_new();
	if (!c->md || EVP_DigestInit_ex(c->md, EVP_sha256(), NULL) != 1)
		oom();
	return c;
}

void sha256_update(struct sha256_ctx *c, const void *data, size_t len)
{
	EVP_DigestUpdate(c->md, data, len);
}

void sha256_final_hex(struct sha256_ctx *c, char out[65])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0, i;
	static const char hex[] = "0123456789abcdef";

	EVP_DigestFinal_ex(c->md, md, &n);
	for (i = 0; i < n && i < 32; i++) {
		out[2 * i] = hex[md[i] >> 4];
		out[2 * i + 1] = hex[md[i] & 15];
	}
	out[2 * i] = '\0';
	EVP_MD_CTX_free(c->md);
	free(c);
}

int sha256_file_hex(const char *path, char out[65], struct diag *d)
{
	FILE *f = fopen(path, "rb");
	struct sha256_ctx *c;
	char buf[65536];
	size_t n;
	int ret = 0;

	if (!f)
		return diag_error(d, "%s: cannot open: %s", path, strerror(errno));
	c = sha256_new();
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		sha256_update(c, buf, n);
	if (ferror(f))
		ret = diag_error(d, "%s: read error: %s", path, strerror(errno));
	fclose(f);
	sha256_final_hex(c, out);
	return ret;
}

/* ---- paths ------------------------------------------------------------ */

char *path_join(struct arena *a, const char *dir, const char *rel)
{
	size_t n;

	if (!rel)
		return NULL;
	if (rel[0] == '/' || !dir || !*dir || strcmp(dir, ".") == 0)
		return arena_strdup(a, rel);
	n = strlen(dir);
	while (n > 0 && dir[n - 1] == '/')
		n--;
	return arena_printf(a, "%.*s/%s", (int)n, dir, rel);	/* "/" gives "/x" */
}

/* ---- progress --------------------------------------------------------- */

void progress_start(struct progress *p, bool show, const char *what, unsigned every)
{
	const char *env = getenv("RECON_PROGRESS_DELAY");
	char *end;

	memset(p, 0, sizeof(*p));
	p->on = show && isatty(2);
	if (!p->on)
		return;
	p->what = what;
	p->delay = 0.5;
	if (env && *env) {
		double d = strtod(env, &end);

		if (*end == '\0' && d >= 0 && d <= 3600)
			p->delay = d;
	}
	p->every = p->delay > 0 && every > 1 ? every : 1;
	p->t0 = p->last = monotonic_seconds();
}

void progress_draw(struct progress *p, long long rows)
{
	double t = monotonic_seconds();

	if (t - p->last < p->delay)
		return;
	fprintf(stderr, "\rloading %s: %lld rows, %.0f rows/s", p->what, rows,
		t > p->t0 ? (double)rows / (t - p->t0) : 0.0);
	p->last = t;
}

void progress_end(struct progress *p)
{
	if (p->on)
		fputs("\r\033[K", stderr);
	p->on = false;
}

double monotonic_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Contract in util.h. */
void run_pair(void *(*fn)(void *), void *a, void *b, bool together)
{
	pthread_t tid;
	bool threaded = together && pthread_create(&tid, NULL, fn, b) == 0;

	fn(a);
	if (threaded)
		pthread_join(tid, NULL);
	else
		fn(b);
}
