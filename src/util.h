/*
 * util.h: the few building blocks every stage shares.
 *
 * struct strbuf: a growable, always NUL-terminated string with a hard cap;
 *   sb_init or STRBUF_INIT gives an empty buffer whose buf is never NULL;
 *   the owner calls sb_release, which is also safe on a zeroed strbuf, so
 *   clean-up needs no flag for a builder that was never started.
 *   Appending past the cap returns -1 and sets sb->overflow.
 * struct arena: bump allocator for per-run data (config, results, strings).
 *   Everything allocated from an arena is freed by one arena_release.
 *   Built with -DRECON_ARENA_MALLOC, each allocation is a separate malloc so
 *   AddressSanitizer sees overflows and leaks.
 * struct diag: one error message.  diag_error formats it and returns -1, so a
 *   fallible function reports and fails in one statement.
 * Dates are "YYYY-MM-DD" strings and day numbers (days since 1970-01-01).
 * struct progress: the "loading ..." line a long read shows on a terminal.
 */
#ifndef RECON_UTIL_H
#define RECON_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "number.h"

/* Unbounded string functions do not compile here: use snprintf or a
 * strbuf.  <stdio.h> and <string.h> come first, so their declarations are
 * already seen when these names become errors. */
#define strcpy(...) recon_banned_use_snprintf_or_strbuf_instead_of_strcpy
#define strcat(...) recon_banned_use_snprintf_or_strbuf_instead_of_strcat
#define sprintf(...) recon_banned_use_snprintf_or_strbuf_instead_of_sprintf
#define vsprintf(...) recon_banned_use_vsnprintf_or_strbuf_instead_of_vsprintf
#define strtok(...) recon_banned_strtok_is_not_reentrant

#define RECON_VERSION "0.1.0"

#if defined(__GNUC__)
#define RECON_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define RECON_PRINTF(f, a)
#endif

/* ---- diagnostics ------------------------------------------------------ */

struct diag {
	char msg[2048];		/* the last error, "" when none */
};

/* Format an error into d (if not NULL); always returns -1. */
int diag_error(struct diag *d, const char *fmt, ...) RECON_PRINTF(2, 3);

/* ---- string builder --------------------------------------------------- */

#define SB_DEFAULT_MAX ((size_t)1 << 30)	/* 1 GiB: no report is larger */

struct strbuf {
	char *buf;		/* never NULL; always NUL-terminated */
	size_t len;		/* bytes used, without the NUL */
	size_t cap;		/* bytes allocated (0: buf is a static "") */
	size_t max;		/* hard cap on len */
	bool overflow;		/* set once an append hit the cap or OOM */
};

/* The empty string an unallocated strbuf points at; never written. */
extern char strbuf_empty[1];
#define STRBUF_INIT { strbuf_empty, 0, 0, SB_DEFAULT_MAX, false }

void sb_init(struct strbuf *sb);
void sb_release(struct strbuf *sb);
void sb_reset(struct strbuf *sb);	/* len = 0, keeps memory */
int sb_add(struct strbuf *sb, const void *data, size_t len);
int sb_puts(struct strbuf *sb, const char *s);
int sb_putc(struct strbuf *sb, char c);
int sb_addf(struct strbuf *sb, const char *fmt, ...) RECON_PRINTF(2, 3);
int sb_vaddf(struct strbuf *sb, const char *fmt, va_list ap) RECON_PRINTF(2, 0);
/* Append s as a double-quoted SQL identifier ("a""b" for a"b), valid in
 * SQLite and PostgreSQL alike. */
int sb_add_sql_ident(struct strbuf *sb, const char *s);
/* Append s as a single-quoted SQL string literal ('it''s' for it's), as
 * SQLite, DuckDB and PostgreSQL (standard_conforming_strings on) read it. */
int sb_add_sql_string(struct strbuf *sb, const char *s);
/* Give the buffer to the caller (free() it); sb is left empty. */
char *sb_detach(struct strbuf *sb, size_t *len);

/* ---- arena ------------------------------------------------------------ */

struct arena_block;
struct arena {
	struct arena_block *head;	/* newest block first */
};

#define ARENA_INIT { NULL }

void arena_init(struct arena *a);
void arena_release(struct arena *a);
/* Zeroed memory; aborts on out-of-memory (per-run data is small). */
void *arena_alloc(struct arena *a, size_t size);
char *arena_strdup(struct arena *a, const char *s);	/* NULL -> NULL */
char *arena_strndup(struct arena *a, const char *s, size_t n);
char *arena_printf(struct arena *a, const char *fmt, ...) RECON_PRINTF(2, 3);

/* ---- plain allocation that never returns NULL ------------------------- */

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);

/* ---- dates ------------------------------------------------------------ */

/* Parse "YYYY-MM-DD" (a real calendar date) into days since 1970-01-01. */
int date_parse(const char *s, long *days);
/* Write days as "YYYY-MM-DD" into out[11]. */
void date_format(long days, char out[11]);

/* ---- numbers ---------------------------------------------------------- */

/* A plain number (recon.ini(5)) is scanned in number.h. */

/* Locale-free formatting of a double with 15 significant digits, as SQLite
 * prints reals ("0.1", "12", "1e+20", 0.1 + 0.2 gives "0.3"); integral
 * values below 1e15 print without exponent.  Writes into out[32]. */
void format_double(double v, char out[32]);

/* ---- text ------------------------------------------------------------- */

/* Length of the valid UTF-8 prefix of s[0..len) (len when all valid). */
size_t utf8_valid_prefix(const unsigned char *s, size_t len);
/* Append s[0..len) to sb with each invalid UTF-8 byte replaced by U+FFFD:
 * text as the JSON report writes it (and reads it back). */
void sb_add_utf8(struct strbuf *sb, const char *s, size_t len);

/* SHA-256 hex digests (OpenSSL libcrypto).  out has 65 bytes. */
struct sha256_ctx;
struct sha256_ctx *sha256_new(void);
void sha256_update(struct sha256_ctx *c, const void *data, size_t len);
void sha256_final_hex(struct sha256_ctx *c, char out[65]);	/* frees c */
int sha256_file_hex(const char *path, char out[65], struct diag *d);

/* Join dir and a relative path ("" or absolute path returned as is). */
char *path_join(struct arena *a, const char *dir, const char *rel);

/* Seconds on CLOCK_MONOTONIC: for durations, never for reports. */
double monotonic_seconds(void);

/* ---- progress --------------------------------------------------------- */

/* A line on stderr while a long read runs, "\rloading WHAT: N rows, R
 * rows/s", redrawn at most every RECON_PROGRESS_DELAY seconds (0.5 unless
 * the environment says otherwise; 0 draws at every update, for tests) and
 * erased by progress_end.  Every call is a no-op unless progress_start was
 * told to show it and stderr is a terminal.  what is borrowed until
 * progress_end.  The clock is read on one update in every (a caller that
 * updates per row passes thousands; with no delay, on each). */
struct progress {
	bool on;
	const char *what;
	unsigned every, count;	/* updates between looks at the clock */
	double t0, last, delay;
};

void progress_start(struct progress *p, bool show, const char *what, unsigned every);
void progress_draw(struct progress *p, long long rows);	/* progress_update's slow part */
void progress_end(struct progress *p);

/* Called per row: inline, so that a read with no progress line pays one
 * branch a row and one with it a count. */
static inline void progress_update(struct progress *p, long long rows)
{
	if (p->on && ++p->count >= p->every) {
		p->count = 0;
		progress_draw(p, rows);
	}
}

/* Run fn(a) and fn(b): fn(b) in a thread of its own, at the same time,
 * when together is set and a thread can be had; otherwise after fn(a). */
void run_pair(void *(*fn)(void *), void *a, void *b, bool together);

#endif
