/*
 * source_bisect.c: the SQL of strategy = bisect on PostgreSQL (see
 * source_bisect.h).  Everything here is text: a table's column types come
 * from the catalog, key bounds travel as the text PostgreSQL sends for
 * them and go back as literals cast to the key column's type.
 */
#include "source_bisect.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "compare_value.h"

/* A text value that is a plain number under the contract's grammar.  The
 * exponent is held to three digits so that every match is a value numeric
 * can hold; a longer exponent hashes as text, which never makes two
 * unequal values equal. */
#define NUMBER_RE "'^-?(0|[1-9][0-9]*)(\\.[0-9]+)?([eE][-+]?[0-9]{1,3})?$'"

struct bcol {
	char *name;
	char *type;		/* format_type(): for casts of literals */
	char *expr;		/* its 64-bit hash, NULL for SQL NULL */
	bool collate;		/* ordered with COLLATE "C" */
	bool unique_ok;		/* NOT NULL, and SQL's equality is the compare's */
};

struct bisect_table {
	struct source *src;
	bool sqlite;		/* SQLite's dialect (else PostgreSQL's) */
	char *table;		/* quoted */
	size_t nkey, ncol;
	bool unique;		/* a unique index on the key: no duplicate to look for */
	struct bcol *key, *col;
	const char *sum;	/* the aggregate that adds hashes */
	char *hash;		/* the row's hash */
	char *khash;		/* the key's hash */
	char *nullkey;		/* some key cell is NULL */
	char *order;		/* the key as one row value, for < and >= */
};

/* ---- collecting rows ------------------------------------------------------ */

struct rows {
	size_t ncols, n, cap;
	char **cells;		/* n * ncols, NULL for SQL NULL */
};

static int rows_header(void *ctx, size_t ncols, const char *const *names)
{
	(void)names;
	((struct rows *)ctx)->ncols = ncols;
	return 0;
}

static char *copy_cell(const struct cell *c)
{
	char *p;

	if (!c->s)
		return NULL;
	p = xmalloc(c->len + 1);
	memcpy(p, c->s, c->len);
	p[c->len] = '\0';
	return p;
}

static int rows_row(void *ctx, size_t ncols, const struct cell *cells)
{
	struct rows *r = ctx;
	size_t i;

	if (r->n == r->cap) {
		r->cap = r->cap ? 2 * r->cap : 16;
		r->cells = xrealloc(r->cells, r->cap * ncols * sizeof(*r->cells));
	}
	for (i = 0; i < ncols; i++)
		r->cells[r->n * ncols + i] = copy_cell(&cells[i]);
	r->n++;
	return 0;
}

static void rows_free(struct rows *r)
{
	size_t i;

	for (i = 0; i < r->n * r->ncols; i++)
		free(r->cells[i]);
	free(r->cells);
	memset(r, 0, sizeof(*r));
}

static int run(struct bisect_table *t, struct strbuf *sql, struct rows *out, struct diag *d)
{
	struct row_sink sink = { rows_header, rows_row, out };

	if (sql->overflow)
		return diag_error(d, "bisect: SQL too long");
	return source_query(t->src, sql->buf, &sink, d);
}

/* ---- SQL pieces ----------------------------------------------------------- */

static void add_literal(struct strbuf *sb, const char *s)
{
	sb_putc(sb, '\'');
	for (; *s; s++) {
		if (*s == '\'')
			sb_putc(sb, '\'');
		sb_putc(sb, *s);
	}
	sb_putc(sb, '\'');
}

/* The hash of the numeric expression n by value: numeric's own hash
 * leaves out the sign (1 and -1 hash alike), so it is added. */
static void add_numeric_hash(struct strbuf *sb, const char *n, int seed)
{
	sb_addf(sb, "(hash_numeric_extended(%s, %d) # CASE WHEN %s < 0 THEN "
		"6364136223846793005 ELSE 0 END)", n, seed, n);
}

/* The hash of column q (quoted) of type typname, seeded with seed; NULL
 * when the type cannot be normalised. */
static char *hash_expr(const char *q, const char *typname, int seed)
{
	static const char *const numeric[] = { "int2", "int4", "int8", "numeric", NULL };
	static const char *const text[] = { "text", "varchar", NULL };
	static const char *const output[] = { "float4", "float8", "interval", "json", "jsonb",
					      NULL };
	/* types whose text is never a plain number: hashed as text at once */
	static const char *const never[] = { "date", "timestamp", "timestamptz", "time",
					     "timetz", "uuid", NULL };
	struct strbuf sb, v, n;
	const char *const *p;
	bool as_text = false;

	sb_init(&sb);
	sb_init(&v);
	sb_init(&n);
	for (p = numeric; *p; p++)
		if (strcmp(typname, *p) == 0) {
			sb_addf(&v, "CAST(%s AS numeric)", q);
			add_numeric_hash(&sb, v.buf, seed);
			goto out;
		}
	if (strcmp(typname, "bool") == 0) {
		sb_addf(&sb, "hashtextextended(CASE WHEN %s THEN 't' WHEN NOT %s THEN 'f' END, %d)", q, q, seed);
		goto out;
	}
	for (p = never; *p; p++)
		if (strcmp(typname, *p) == 0) {
			sb_addf(&sb, "hashtextextended(CAST(%s AS text), %d)", q, seed);
			goto out;
		}
	for (p = text; *p; p++)
		if (strcmp(typname, *p) == 0) {
			sb_addf(&v, "CAST(%s AS text)", q);
			as_text = true;
		}
	for (p = output; *p; p++)
		if (strcmp(typname, *p) == 0) {
			sb_addf(&v, "CAST(%s AS text)", q);
			as_text = true;
		}
	if (!as_text) {
		sb_release(&sb);
		sb_release(&v);
		sb_release(&n);
		return NULL;
	}
	sb_addf(&sb, "CASE WHEN %s ~ " NUMBER_RE " THEN ", v.buf);
	sb_addf(&n, "CAST(%s AS numeric)", v.buf);
	add_numeric_hash(&sb, n.buf, seed);
	sb_addf(&sb, " ELSE hashtextextended(%s, %d) END", v.buf, seed);
out:
	sb_release(&v);
	sb_release(&n);
	return sb_detach(&sb, NULL);
}

/* col1 # col2 # ... with each NULL a constant of its own. */
static void add_xor(struct strbuf *sb, const struct bcol *c, size_t n, int first)
{
	size_t i;

	for (i = 0; i < n; i++)
		sb_addf(sb, "%sCOALESCE(%s, %lld)", i ? " # " : "", c[i].expr,
			-7046029254386353131LL + 7919LL * (long long)(first + (int)i));
}

static void add_bound(struct strbuf *sb, const struct bisect_table *t, char **b)
{
	size_t i;

	sb_putc(sb, '(');
	for (i = 0; i < t->nkey && t->sqlite; i++)	/* b holds SQLite literals */
		sb_addf(sb, "%s%s", i ? ", " : "", b[i]);
	for (i = 0; i < t->nkey && !t->sqlite; i++) {
		sb_puts(sb, i ? ", CAST(" : "CAST(");
		add_literal(sb, b[i]);
		sb_addf(sb, " AS %s)", t->key[i].type);
		if (t->key[i].collate)
			sb_puts(sb, " COLLATE \"C\"");
	}
	sb_putc(sb, ')');
}

/* The condition of range r. */
static void add_range(struct strbuf *sb, const struct bisect_table *t,
		      const struct bisect_range *r)
{
	if (r->nulls) {
		sb_puts(sb, t->nullkey);
		return;
	}
	sb_addf(sb, "NOT %s", t->nullkey);
	if (r->lo) {
		sb_addf(sb, " AND %s >= ", t->order);
		add_bound(sb, t, r->lo);
	}
	if (r->hi) {
		sb_addf(sb, " AND %s < ", t->order);
		add_bound(sb, t, r->hi);
	}
}

static void sum_from(struct bisect_sum *s, char *const *cells, bool distinct)
{
	s->rows = cells[0] ? atoll(cells[0]) : 0;
	s->keys = distinct && cells[1] ? atoll(cells[1]) : 0;
	snprintf(s->sum, sizeof(s->sum), "%s", cells[distinct ? 2 : 1] ? cells[distinct ? 2 : 1] : "");
}

/* ---- the interface ---------------------------------------------------------- */

/* The catalog row (name, type, typname, collatable, not null) of column
 * name. */
static char **find(struct rows *cat, const char *name)
{
	size_t i;

	for (i = 0; i < cat->n; i++)
		if (strcmp(cat->cells[i * 5], name) == 0)
			return &cat->cells[i * 5];
	return NULL;
}

static int set_col(struct bcol *c, struct rows *cat, const char *name, int seed,
		   const char *table, struct diag *d)
{
	/* types whose equal values have one text, or equal numbers: two rows
	 * a unique index keeps apart never have keys the compare calls equal */
	static const char *const exact[] = { "int2", "int4", "int8", "numeric", "date",
					     "timestamp", "timestamptz", "uuid", "bool", NULL };
	const char *const *e;
	char **row = find(cat, name);
	struct strbuf q;

	if (!row)
		return diag_error(d, "%s: no column '%s'", table, name);
	sb_init(&q);
	sb_add_sql_ident(&q, name);
	c->name = sb_detach(&q, NULL);
	c->type = xstrdup(row[1]);
	c->collate = row[3] && strcmp(row[3], "t") == 0;
	for (e = exact; *e; e++)
		c->unique_ok |= strcmp(row[2], *e) == 0 && row[4] && strcmp(row[4], "t") == 0;
	if (!(c->expr = hash_expr(c->name, row[2], seed)))
		return diag_error(d, "column '%s' (%s) cannot be normalised in SQL", name, row[1]);
	return 0;
}

static struct bisect_table *open_sqlite(struct source *s, const char *table,
					const char *const *keys, size_t nkey,
					const char *const *cols, size_t ncol, struct diag *d);

/* Set t->unique when the table has a unique index (no predicate, no
 * expression) on exactly the key's columns and every key column allows
 * it (unique_ok): a duplicate key cannot exist, and the totals need not
 * count distinct keys, a sort of the whole table. */
static int find_unique(struct bisect_table *t, const char *const *keys, struct strbuf *sb,
		       struct diag *d)
{
	struct rows r = { 0 };
	size_t i;
	int ret;

	for (i = 0; i < t->nkey; i++)
		if (!t->key[i].unique_ok)
			return 0;
	sb_reset(sb);
	sb_puts(sb, "SELECT count(*) FROM pg_catalog.pg_index i WHERE i.indrelid = to_regclass(");
	add_literal(sb, t->table);
	sb_addf(sb, ") AND i.indisunique AND i.indpred IS NULL AND i.indexprs IS NULL "
		"AND i.indnkeyatts = %zu AND (SELECT array_agg(a.attname::text ORDER BY "
		"a.attname::text COLLATE \"C\") FROM pg_catalog.pg_attribute a WHERE "
		"a.attrelid = i.indrelid AND a.attnum = ANY ((i.indkey::int2[])[0:i.indnkeyatts - 1])) "
		"= (SELECT array_agg(k ORDER BY k COLLATE \"C\") FROM unnest(ARRAY[", t->nkey);
	for (i = 0; i < t->nkey; i++) {
		sb_puts(sb, i ? ", " : "");
		add_literal(sb, keys[i]);
	}
	sb_puts(sb, "]::text[]) k)");
	ret = run(t, sb, &r, d);
	t->unique = ret == 0 && r.n == 1 && r.cells[0] && strcmp(r.cells[0], "0") != 0;
	rows_free(&r);
	return ret;
}

struct bisect_table *bisect_table_open(struct source *s, const char *table,
				       const char *const *keys, size_t nkey,
				       const char *const *cols, size_t ncol, struct diag *d)
{
	struct bisect_table *t;
	struct strbuf sb, q;
	struct rows cat = { 0 };
	size_t i;
	int ret = 0;

	if (source_config(s)->type == SOURCE_SQLITE)
		return open_sqlite(s, table, keys, nkey, cols, ncol, d);
	if (source_config(s)->type != SOURCE_POSTGRES) {
		diag_error(d, "the source is neither PostgreSQL nor SQLite");
		return NULL;
	}
	t = xcalloc(1, sizeof(*t));
	t->src = s;
	t->sum = "sum";
	t->nkey = nkey;
	t->ncol = ncol;
	t->key = xcalloc(nkey ? nkey : 1, sizeof(*t->key));
	t->col = xcalloc(ncol ? ncol : 1, sizeof(*t->col));
	sb_init(&q);
	sb_add_sql_ident(&q, table);
	t->table = sb_detach(&q, NULL);
	sb_init(&sb);
	sb_puts(&sb, "SELECT a.attname, format_type(a.atttypid, a.atttypmod), y.typname, "
		"a.attcollation <> 0, a.attnotnull FROM pg_catalog.pg_attribute a "
		"JOIN pg_catalog.pg_type y "
		"ON y.oid = a.atttypid WHERE a.attrelid = to_regclass(");
	add_literal(&sb, t->table);
	sb_puts(&sb, ") AND a.attnum > 0 AND NOT a.attisdropped");
	ret = run(t, &sb, &cat, d);
	for (i = 0; i < nkey && ret == 0; i++)
		ret = set_col(&t->key[i], &cat, keys[i], (int)i + 1, table, d);
	for (i = 0; i < ncol && ret == 0; i++)
		ret = set_col(&t->col[i], &cat, cols[i], (int)(nkey + i) + 1, table, d);
	rows_free(&cat);
	if (ret == 0)
		ret = find_unique(t, keys, &sb, d);
	if (ret < 0) {
		sb_release(&sb);
		bisect_table_close(t);
		return NULL;
	}
	sb_reset(&sb);
	add_xor(&sb, t->key, nkey, 0);
	t->khash = xstrdup(sb.buf);
	if (ncol) {
		sb_puts(&sb, " # ");
		add_xor(&sb, t->col, ncol, (int)nkey);
	}
	t->hash = xstrdup(sb.buf);
	sb_reset(&sb);
	sb_putc(&sb, '(');
	for (i = 0; i < nkey; i++)
		sb_addf(&sb, "%s%s IS NULL", i ? " OR " : "", t->key[i].name);
	sb_putc(&sb, ')');
	t->nullkey = xstrdup(sb.buf);
	sb_reset(&sb);
	sb_putc(&sb, '(');
	for (i = 0; i < nkey; i++)
		sb_addf(&sb, "%s%s%s", i ? ", " : "", t->key[i].name,
			t->key[i].collate ? " COLLATE \"C\"" : "");
	sb_putc(&sb, ')');
	t->order = xstrdup(sb.buf);
	sb_release(&sb);
	return t;
}

/* ---- SQLite --------------------------------------------------------------- */

/* recon_hash(v, ...): the values as the compare reads them (their text),
 * each hashed by the rules (compare_value.h) and mixed in order. */
static void fn_hash(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	uint64_t h = 0x62697365637421ULL;
	int i;

	for (i = 0; i < argc; i++) {
		const char *s = NULL;
		size_t len = 0;

		if (sqlite3_value_type(argv[i]) != SQLITE_NULL) {
			s = (const char *)sqlite3_value_text(argv[i]);
			len = (size_t)sqlite3_value_bytes(argv[i]);
		}
		h = cv_mix(h, cv_hash_value(s, len));
	}
	sqlite3_result_int64(ctx, (sqlite3_int64)h);
}

/* recon_sum(h): the sum of 64-bit hashes modulo 2^64 (sum() stops on
 * overflow). */
static void fn_sum_step(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	uint64_t *acc = sqlite3_aggregate_context(ctx, sizeof(*acc));

	(void)argc;
	if (acc && sqlite3_value_type(argv[0]) != SQLITE_NULL)
		*acc += (uint64_t)sqlite3_value_int64(argv[0]);
}

static void fn_sum_final(sqlite3_context *ctx)
{
	uint64_t *acc = sqlite3_aggregate_context(ctx, 0);

	sqlite3_result_int64(ctx, acc ? (sqlite3_int64)*acc : 0);
}

int bisect_sqlite_functions(struct sqlite3 *db)
{
	int flags = SQLITE_UTF8 | SQLITE_DETERMINISTIC;

	if (sqlite3_create_function(db, "recon_hash", -1, flags, NULL, fn_hash, NULL, NULL) ||
	    sqlite3_create_function(db, "recon_sum", 1, flags, NULL, NULL, fn_sum_step,
				    fn_sum_final))
		return -1;
	return 0;
}

static int sqlite_col(struct bcol *c, struct rows *cat, const char *name, const char *table,
		      struct diag *d)
{
	struct strbuf q;
	size_t i;

	for (i = 0; i < cat->n; i++)
		if (strcmp(cat->cells[i * 2], name) == 0)
			break;
	if (i == cat->n)
		return diag_error(d, "%s: no column '%s'", table, name);
	sb_init(&q);
	sb_add_sql_ident(&q, name);
	c->name = sb_detach(&q, NULL);
	c->type = xstrdup(cat->cells[i * 2 + 1] ? cat->cells[i * 2 + 1] : "");
	return 0;
}

/* Every value of a SQLite table hashes by the rules in recon_hash, so any
 * column can be bisected; keys are ordered by SQLite's own order of values
 * (COLLATE BINARY), which is the same on both sides when their key
 * columns are declared alike (bisect_table_key_type). */
static struct bisect_table *open_sqlite(struct source *s, const char *table,
					const char *const *keys, size_t nkey,
					const char *const *cols, size_t ncol, struct diag *d)
{
	struct bisect_table *t = xcalloc(1, sizeof(*t));
	struct strbuf sb, q;
	struct rows cat = { 0 };
	size_t i;
	int ret;

	t->src = s;
	t->sqlite = true;
	t->sum = "recon_sum";
	t->nkey = nkey;
	t->ncol = ncol;
	t->key = xcalloc(nkey ? nkey : 1, sizeof(*t->key));
	t->col = xcalloc(ncol ? ncol : 1, sizeof(*t->col));
	sb_init(&q);
	sb_add_sql_ident(&q, table);
	t->table = sb_detach(&q, NULL);
	sb_init(&sb);
	sb_puts(&sb, "SELECT name, upper(type) FROM pragma_table_info(");
	add_literal(&sb, table);
	sb_putc(&sb, ')');
	ret = run(t, &sb, &cat, d);
	for (i = 0; i < nkey && ret == 0; i++)
		ret = sqlite_col(&t->key[i], &cat, keys[i], table, d);
	for (i = 0; i < ncol && ret == 0; i++)
		ret = sqlite_col(&t->col[i], &cat, cols[i], table, d);
	rows_free(&cat);
	if (ret < 0) {
		sb_release(&sb);
		bisect_table_close(t);
		return NULL;
	}
	sb_reset(&sb);
	sb_puts(&sb, "recon_hash(");
	for (i = 0; i < nkey; i++)
		sb_addf(&sb, "%s%s", i ? ", " : "", t->key[i].name);
	sb_putc(&sb, ')');
	t->khash = xstrdup(sb.buf);
	sb_reset(&sb);
	sb_puts(&sb, "recon_hash(");
	for (i = 0; i < nkey; i++)
		sb_addf(&sb, "%s%s", i ? ", " : "", t->key[i].name);
	for (i = 0; i < ncol; i++)
		sb_addf(&sb, ", %s", t->col[i].name);
	sb_putc(&sb, ')');
	t->hash = xstrdup(sb.buf);
	sb_reset(&sb);
	sb_putc(&sb, '(');
	for (i = 0; i < nkey; i++)
		sb_addf(&sb, "%s%s IS NULL", i ? " OR " : "", t->key[i].name);
	sb_putc(&sb, ')');
	t->nullkey = xstrdup(sb.buf);
	sb_reset(&sb);
	sb_putc(&sb, '(');
	for (i = 0; i < nkey; i++)
		sb_addf(&sb, "%s%s COLLATE BINARY", i ? ", " : "", t->key[i].name);
	sb_putc(&sb, ')');
	t->order = xstrdup(sb.buf);
	sb_release(&sb);
	return t;
}

const char *bisect_table_key_type(const struct bisect_table *t, size_t i)
{
	return t->key[i].type;
}

int bisect_table_total(struct bisect_table *t, struct bisect_sum out[2], struct diag *d)
{
	struct strbuf sb;
	struct rows r = { 0 };
	size_t i;
	int ret;

	sb_init(&sb);
	if (t->unique)	/* no duplicate: as many keys as rows */
		sb_addf(&sb, "SELECT %s, count(*), count(*), %s(%s) FROM %s GROUP BY 1",
			t->nullkey, t->sum, t->hash, t->table);
	else
		sb_addf(&sb, "SELECT %s, count(*), count(DISTINCT %s), %s(%s) FROM %s GROUP BY 1",
			t->nullkey, t->khash, t->sum, t->hash, t->table);
	memset(out, 0, 2 * sizeof(*out));
	ret = run(t, &sb, &r, d);
	for (i = 0; i < r.n && ret == 0; i++)
		sum_from(&out[r.cells[i * 4] && (strcmp(r.cells[i * 4], "t") == 0 ||
						  strcmp(r.cells[i * 4], "1") == 0)],
			 &r.cells[i * 4 + 1], true);
	rows_free(&r);
	sb_release(&sb);
	return ret;
}

int bisect_table_sums(struct bisect_table *t, const struct bisect_range *rg, char ***b,
		      size_t n, struct bisect_sum *out, struct diag *d)
{
	struct strbuf sb;
	struct rows r = { 0 };
	size_t i;
	long idx;
	int ret;

	sb_init(&sb);
	sb_puts(&sb, "SELECT ");
	if (n) {
		sb_puts(&sb, "CASE");
		for (i = 0; i < n; i++) {
			sb_addf(&sb, " WHEN %s < ", t->order);
			add_bound(&sb, t, b[i]);
			sb_addf(&sb, " THEN %zu", i);
		}
		sb_addf(&sb, " ELSE %zu END", n);
	} else {
		sb_puts(&sb, "0");
	}
	sb_addf(&sb, ", count(*), %s(%s) FROM %s WHERE ", t->sum, t->hash, t->table);
	add_range(&sb, t, rg);
	sb_puts(&sb, " GROUP BY 1");
	memset(out, 0, (n + 1) * sizeof(*out));
	ret = run(t, &sb, &r, d);
	for (i = 0; i < r.n && ret == 0; i++) {
		idx = r.cells[i * 3] ? atol(r.cells[i * 3]) : -1;
		if (idx < 0 || (size_t)idx > n)
			ret = diag_error(d, "bisect: unexpected range %ld", idx);
		else
			sum_from(&out[idx], &r.cells[i * 3 + 1], false);
	}
	rows_free(&r);
	sb_release(&sb);
	return ret;
}

int bisect_table_splits(struct bisect_table *t, const struct bisect_range *rg, long long rows,
			size_t parts, char ****out, size_t *n, struct diag *d)
{
	struct strbuf sb;
	struct rows r = { 0 };
	long long step = parts > 1 ? (rows + (long long)parts - 1) / (long long)parts : rows + 1;
	size_t i, k;
	int ret;

	*out = NULL;
	*n = 0;
	if (step < 1)
		step = 1;
	sb_init(&sb);
	sb_puts(&sb, "SELECT ");
	for (k = 0; k < t->nkey; k++)
		sb_addf(&sb, "%sk%zu", k ? ", " : "", k);
	sb_puts(&sb, " FROM (SELECT ");
	for (k = 0; k < t->nkey; k++)
		sb_addf(&sb, t->sqlite ? "quote(%s) AS k%zu, " : "%s AS k%zu, ", t->key[k].name, k);
	/* ORDER BY the key's columns: SQLite orders by no row value */
	sb_addf(&sb, "row_number() OVER (ORDER BY %.*s) AS rn FROM %s WHERE ",
		(int)strlen(t->order) - 2, t->order + 1, t->table);
	add_range(&sb, t, rg);
	sb_addf(&sb, ") s WHERE rn %% %lld = 0 ORDER BY rn", step);
	ret = run(t, &sb, &r, d);
	sb_release(&sb);
	if (ret == 0 && r.n) {
		*out = xcalloc(r.n, sizeof(**out));
		for (i = 0; i < r.n; i++) {
			(*out)[i] = xcalloc(t->nkey, sizeof(char *));
			for (k = 0; k < t->nkey; k++) {
				(*out)[i][k] = r.cells[i * t->nkey + k];
				r.cells[i * t->nkey + k] = NULL;
			}
		}
		*n = r.n;
	}
	rows_free(&r);
	return ret;
}

void bisect_bounds_free(const struct bisect_table *t, char ***b, size_t n)
{
	size_t i, k;

	for (i = 0; i < n; i++) {
		for (k = 0; k < t->nkey; k++)
			free(b[i][k]);
		free(b[i]);
	}
	free(b);
}

char *bisect_table_select(const struct bisect_table *t, const struct bisect_range *r, size_t n)
{
	struct strbuf sb;
	size_t i;

	sb_init(&sb);
	sb_addf(&sb, "SELECT * FROM %s WHERE ", t->table);
	if (n == 0)
		sb_puts(&sb, "false");
	for (i = 0; i < n; i++) {
		sb_puts(&sb, i ? " OR (" : "(");
		add_range(&sb, t, &r[i]);
		sb_putc(&sb, ')');
	}
	return sb_detach(&sb, NULL);
}

static void bcol_free(struct bcol *c, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(c[i].name);
		free(c[i].type);
		free(c[i].expr);
	}
	free(c);
}

void bisect_table_close(struct bisect_table *t)
{
	if (!t)
		return;
	bcol_free(t->key, t->nkey);
	bcol_free(t->col, t->ncol);
	free(t->table);
	free(t->hash);
	free(t->khash);
	free(t->nullkey);
	free(t->order);
	free(t);
}
