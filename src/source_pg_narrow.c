/*
 * source_pg_narrow.c: the SQL with which a PostgreSQL table reads again
 * only (about) the rows of some keys (see pg_narrow_sql in source_pg.h).
 */
#include "source_pg.h"

#include <stdlib.h>
#include <string.h>

/* Append s as a PostgreSQL escape string literal (E'...'), which reads
 * the same whatever standard_conforming_strings says. */
static void add_sql_string(struct strbuf *sb, const char *s, size_t len)
{
	size_t i;

	sb_puts(sb, "E'");
	for (i = 0; i < len; i++) {
		if (s[i] == '\'' || s[i] == '\\')
			sb_putc(sb, s[i]);
		sb_putc(sb, s[i]);
	}
	sb_putc(sb, '\'');
}

static int text_cmp(const void *a, const void *b)
{
	const struct key_field *x = a, *y = b;
	int c = memcmp(x->s, y->s, x->len < y->len ? x->len : y->len);

	return c ? c : (x->len > y->len) - (x->len < y->len);
}

/* The distinct values of key field k over the n keys, sorted, into out
 * (room for n); 0 when some key is NULL there.  A number is its canonical
 * text: an integer column prints it so (a number spelled otherwise, as in
 * a text or numeric(p,2) column, is missed, and the caller reads every
 * row again). */
static size_t field_texts(const struct key_field *keys, size_t nkey, size_t n, size_t k,
			  struct key_field *out, bool *number)
{
	size_t i, m;

	*number = false;
	for (i = 0; i < n; i++) {
		const struct key_field *f = &keys[i * nkey + k];

		if (!f->s)
			return 0;
		*number |= f->any;
		out[i] = *f;
	}
	qsort(out, n, sizeof(*out), text_cmp);
	for (i = m = 0; i < n; i++)
		if (m == 0 || text_cmp(&out[m - 1], &out[i]) != 0)
			out[m++] = out[i];
	return m;
}

/* The filter on the key fields that hold text in every key, the field
 * with the most distinct values first: CAST(k AS text) = ANY (ARRAY[...]),
 * which PostgreSQL tests with a hash per row in one scan, where a hashed
 * IN (VALUES ...) of whole keys would be a semi-join.  Fields that hold a
 * number in some key only when no other field qualifies (their text may
 * miss a row).  false when no field qualifies. */
static bool add_text_filter(struct strbuf *sb, const char *const *cols, size_t nkey,
			    const struct key_field *keys, size_t n)
{
	struct key_field **vals = xcalloc(nkey, sizeof(*vals));
	size_t *nd = xcalloc(nkey, sizeof(*nd));
	bool *number = xcalloc(nkey ? nkey : 1, sizeof(*number)), text = false;
	size_t k, j, best, nf = 0;

	for (k = 0; k < nkey; k++) {
		vals[k] = xcalloc(n, sizeof(**vals));
		nd[k] = field_texts(keys, nkey, n, k, vals[k], &number[k]);
		text |= nd[k] && !number[k];
	}
	for (k = 0; text && k < nkey; k++)
		if (number[k])
			nd[k] = 0;
	for (;;) {
		for (k = 0, best = nkey; k < nkey; k++)
			if (nd[k] && (best == nkey || nd[k] > nd[best]))
				best = k;
		if (best == nkey)
			break;
		sb_puts(sb, nf++ ? " AND CAST(" : "CAST(");
		sb_add_sql_ident(sb, cols[best]);
		sb_puts(sb, " AS text) = ANY (ARRAY[");
		for (j = 0; j < nd[best]; j++) {
			if (j)
				sb_puts(sb, ", ");
			add_sql_string(sb, vals[best][j].s, vals[best][j].len);
		}
		sb_puts(sb, "])");
		nd[best] = 0;
	}
	for (k = 0; k < nkey; k++)
		free(vals[k]);
	free(vals);
	free(nd);
	free(number);
	return nf > 0;
}

/* pg_narrow_sql over table, or over the rows of query when table is
 * NULL. */
static char *narrow_sql(const char *table, const char *query, const char *const *cols,
			size_t nkey, const struct key_field *keys, size_t n)
{
	struct strbuf sb = STRBUF_INIT;
	size_t i, k, nf;
	bool filtered;

	if (n == 0)
		return NULL;
	sb_puts(&sb, "SELECT * FROM ");
	if (table)
		sb_add_sql_ident(&sb, table);
	else
		/* OFFSET 0 keeps the filter out of the query: pushed into
		 * it, the filter would be the planner's way to each row (a
		 * scan of the whole table), not the query's ranges */
		sb_addf(&sb, "(SELECT * FROM (%s) AS q OFFSET 0) AS r", query);
	sb_puts(&sb, " WHERE ");
	filtered = add_text_filter(&sb, cols, nkey, keys, n);
	if (!filtered && n > 1000) {
		sb_release(&sb);
		return NULL;
	}
	for (i = 0; !filtered && i < n; i++) {
		sb_puts(&sb, i ? " OR (" : "(");
		for (k = nf = 0; k < nkey; k++) {
			const struct key_field *f = &keys[i * nkey + k];

			if (f->any)
				continue;
			sb_puts(&sb, nf++ ? " AND " : "");
			if (!f->s) {
				sb_add_sql_ident(&sb, cols[k]);
				sb_puts(&sb, " IS NULL");
				continue;
			}
			sb_puts(&sb, "CAST(");
			sb_add_sql_ident(&sb, cols[k]);
			sb_puts(&sb, " AS text) = ");
			add_sql_string(&sb, f->s, f->len);
		}
		if (nf == 0) {
			sb_release(&sb);
			return NULL;
		}
		sb_putc(&sb, ')');
	}
	if (sb.overflow) {
		sb_release(&sb);
		return NULL;
	}
	return sb_detach(&sb, NULL);
}

/* Contract in source_pg.h. */
char *pg_narrow_sql(const char *table, const char *const *cols, size_t nkey,
		    const struct key_field *keys, size_t n)
{
	return narrow_sql(table, NULL, cols, nkey, keys, n);
}

/* Contract in source_pg.h. */
char *pg_narrow_sql_within(const char *query, const char *const *cols, size_t nkey,
			   const struct key_field *keys, size_t n)
{
	return narrow_sql(NULL, query, cols, nkey, keys, n);
}
