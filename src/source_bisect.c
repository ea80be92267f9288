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
#include "source_bisect_int.h"

/* A text value that is a plain number by recon.ini(5)'s grammar.  The
 * exponent is held to three digits so that every match is a value numeric
 * can hold; a longer exponent hashes as text, which never makes two
 * unequal values equal. */
#define NUMBER_RE "'^-?(0|[1-9][0-9]*)(\\.[0-9]+)?([eE][-+]?[0-9]{1,3})?$'"

/* ---- collecting rows ------------------------------------------------------ */

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

void bisect_rows_free(struct rows *r)
{
	size_t i;

	for (i = 0; i < r->n * r->ncols; i++)
		free(r->cells[i]);
	free(r->cells);
	memset(r, 0, sizeof(*r));
}

static int run(struct bisect_table *t, struct strbuf *sql, bool ranges, struct rows *out,
	       struct diag *d)
{
	struct row_sink sink = { rows_header, rows_row, out };

	if (sql->overflow)
		return diag_error(d, "bisect: SQL too long");
	return ranges ? source_query_ranges(t->src, sql->buf, &sink, d)
		      : source_query(t->src, sql->buf, &sink, d);
}

int bisect_run(struct bisect_table *t, struct strbuf *sql, struct rows *out, struct diag *d)
{
	return run(t, sql, false, out, d);
}

int bisect_run_ranges(struct bisect_table *t, struct strbuf *sql, struct rows *out,
		      struct diag *d)
{
	return run(t, sql, true, out, d);
}

/* ---- SQL pieces ----------------------------------------------------------- */

/* The hash of the numeric expression n by value: numeric's own hash
 * leaves out the sign (1 and -1 hash alike) and gives NaN and both
 * infinities the seed, so the sign and infinity are added. */
static void add_numeric_hash(struct strbuf *sb, const char *n, int seed, bool special)
{
	sb_addf(sb, "(hash_numeric_extended(%s, %d) # CASE WHEN %s < 0 THEN "
		"6364136223846793005 ", n, seed, n);
	if (special)
		sb_addf(sb, "WHEN %s = 'Infinity' THEN 1442695040888963407 ", n);
	sb_puts(sb, "ELSE 0 END)");
}

bool bisect_is_int(const char *typname)
{
	return strcmp(typname, "int2") == 0 || strcmp(typname, "int4") == 0 ||
	       strcmp(typname, "int8") == 0;
}

/* The hash of column q (quoted) of type type (its typname), seeded with
 * seed; NULL when the type cannot be normalised.  A numeric of a declared
 * precision holds no infinity. */
static char *hash_expr(const char *q, const char *type, const char *typname, int seed)
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
			add_numeric_hash(&sb, v.buf, seed, strcmp(typname, "numeric") == 0 &&
					 strcmp(type, "numeric") == 0);
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
	/* a plain number begins with '-' or a digit: the test of its first
	 * character spares the regular expression every other value (ascii,
	 * not a COLLATE "C" comparison, which postgres_fdw keeps from a shard) */
	sb_addf(&sb, "CASE WHEN ascii(%s) BETWEEN 45 AND 57 "
		"AND %s ~ " NUMBER_RE " THEN ", v.buf, v.buf);
	sb_addf(&n, "CAST(%s AS numeric)", v.buf);
	add_numeric_hash(&sb, n.buf, seed, false);
	sb_addf(&sb, " ELSE hashtextextended(%s, %d) END", v.buf, seed);
out:
	sb_release(&v);
	sb_release(&n);
	return sb_detach(&sb, NULL);
}

/* col1 # col2 # ... with each NULL a constant of its own (a CASE, not
 * COALESCE, which postgres_fdw does not send to a shard). */
static void add_xor(struct strbuf *sb, const struct bcol *c, size_t n, int first)
{
	size_t i;

	for (i = 0; i < n; i++)
		sb_addf(sb, "%sCASE WHEN %s IS NULL THEN %lld ELSE %s END", i ? " # " : "",
			c[i].name, -7046029254386353131LL + 7919LL * (long long)(first + (int)i),
			c[i].expr);
}

static void add_bound(struct strbuf *sb, const struct bisect_table *t, char **b)
{
	size_t i;

	sb_putc(sb, '(');
	for (i = 0; i < t->nkey && t->sqlite; i++)	/* b holds SQLite literals */
		sb_addf(sb, "%s%s", i ? ", " : "", b[i]);
	for (i = 0; i < t->nkey && !t->sqlite; i++) {
		sb_puts(sb, i ? ", CAST(" : "CAST(");
		sb_add_sql_string(sb, b[i]);
		sb_addf(sb, " AS %s)", t->key[i].type);
		if (t->key[i].collate)
			sb_puts(sb, " COLLATE \"C\"");
	}
	sb_putc(sb, ')');
}

/* The condition of range r. */
void bisect_add_range(struct strbuf *sb, const struct bisect_table *t,
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

void bisect_sum_from(struct bisect_sum *s, char *const *cells, bool distinct)
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
	c->typname = xstrdup(row[2]);
	c->plain = xstrdup(name);
	c->collate = row[3] && strcmp(row[3], "t") == 0;
	for (e = exact; *e; e++)
		c->exact |= strcmp(row[2], *e) == 0;
	c->unique_ok = c->exact && row[4] && strcmp(row[4], "t") == 0;
	if (!(c->expr = hash_expr(c->name, row[1], row[2], seed)))
		return diag_error(d, "column '%s' (%s) cannot be normalised in SQL", name, row[1]);
	return 0;
}

static struct bisect_table *open_sqlite(struct source *s, const char *table,
					const char *const *keys, size_t nkey,
					const char *const *cols, size_t ncol, struct diag *d);

/* t->khash and t->hash from the columns' hashes. */
static void build_hashes(struct bisect_table *t)
{
	struct strbuf sb;

	sb_init(&sb);
	add_xor(&sb, t->key, t->nkey, 0);
	free(t->khash);
	t->khash = xstrdup(sb.buf);
	if (t->ncol) {
		sb_puts(&sb, " # ");
		add_xor(&sb, t->col, t->ncol, (int)t->nkey);
	}
	free(t->hash);
	t->hash = xstrdup(sb.buf);
	sb_release(&sb);
}

static bool is_text(const char *typname)
{
	return strcmp(typname, "text") == 0 || strcmp(typname, "varchar") == 0;
}

/* Column c of both sides, hashed by what both its types allow.  A key
 * column keeps the rules' text hash: keys the rules call equal must hash
 * alike for the count of distinct keys that finds duplicates. */
static void agree_col(struct bcol *c[2], int seed, bool key)
{
	const char *l = c[0]->typname, *r = c[1]->typname;
	struct strbuf sb;
	int s;

	if (!l || !r)
		return;
	for (s = 0; s < 2; s++) {
		sb_init(&sb);
		if (bisect_is_int(l) && bisect_is_int(r)) {
			sb_addf(&sb, "hashint8extended(CAST(%s AS int8), %d)", c[s]->name, seed);
		} else if (!key && is_text(l) && is_text(r)) {
			/* the same number spelled two ways ('1.50', '1.5')
			 * checksums apart: its range is streamed, and there
			 * the compare calls it equal */
			sb_addf(&sb, "hashtextextended(CAST(%s AS text), %d)", c[s]->name, seed);
		} else if (strcmp(l, "date") == 0 && strcmp(r, "date") == 0) {
			/* a finite date by its day number, the infinities by
			 * constants of their own (no cast to text, which
			 * postgres_fdw keeps from a shard) */
			sb_addf(&sb, "CASE WHEN isfinite(%s) THEN hashint8extended(CAST(%s - "
				"DATE '2000-01-01' AS int8), %d) WHEN %s > DATE '2000-01-01' THEN "
				"%lld ELSE %lld END", c[s]->name, c[s]->name, seed, c[s]->name,
				3935559000370003845LL + seed, 2691343689449507681LL + seed);
		} else {
			sb_release(&sb);
			return;
		}
		free(c[s]->expr);
		c[s]->expr = sb_detach(&sb, NULL);
	}
}

void bisect_tables_agree(struct bisect_table *t[2])
{
	size_t i;
	int s;

	if (t[0]->sqlite || t[1]->sqlite || t[0]->nkey != t[1]->nkey || t[0]->ncol != t[1]->ncol)
		return;
	for (i = 0; i < t[0]->nkey; i++)
		agree_col((struct bcol *[2]){ &t[0]->key[i], &t[1]->key[i] }, (int)i + 1, true);
	for (i = 0; i < t[0]->ncol; i++)
		agree_col((struct bcol *[2]){ &t[0]->col[i], &t[1]->col[i] },
			  (int)(t[0]->nkey + i) + 1, false);
	for (s = 0; s < 2; s++)
		build_hashes(t[s]);
}

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
	sb_add_sql_string(sb, t->table);
	sb_addf(sb, ") AND i.indisunique AND i.indpred IS NULL AND i.indexprs IS NULL "
		"AND i.indnkeyatts = %zu AND (SELECT array_agg(a.attname::text ORDER BY "
		"a.attname::text COLLATE \"C\") FROM pg_catalog.pg_attribute a WHERE "
		"a.attrelid = i.indrelid AND a.attnum = ANY ((i.indkey::int2[])[0:i.indnkeyatts - 1])) "
		"= (SELECT array_agg(k ORDER BY k COLLATE \"C\") FROM unnest(ARRAY[", t->nkey);
	for (i = 0; i < t->nkey; i++) {
		sb_puts(sb, i ? ", " : "");
		sb_add_sql_string(sb, keys[i]);
	}
	sb_puts(sb, "]::text[]) k)");
	ret = bisect_run(t, sb, &r, d);
	t->unique = ret == 0 && r.n == 1 && r.cells[0] && strcmp(r.cells[0], "0") != 0;
	bisect_rows_free(&r);
	return ret;
}

/* A partitioned table's leaf partitions into t->leaf (none for a table
 * that is not partitioned). */
static int find_leaves(struct bisect_table *t, struct strbuf *sb, struct diag *d)
{
	struct rows r = { 0 };
	size_t i;
	int ret;

	sb_reset(sb);
	sb_puts(sb, "SELECT p.relid::regclass::text, c.relkind = 'f' FROM "
		"pg_catalog.pg_partition_tree(to_regclass(");
	sb_add_sql_string(sb, t->table);
	sb_puts(sb, ")) p JOIN pg_catalog.pg_class c ON c.oid = p.relid "
		"WHERE p.isleaf AND p.level > 0 ORDER BY 1");
	ret = bisect_run(t, sb, &r, d);
	if (ret == 0 && r.n) {
		t->leaf = xcalloc(r.n, sizeof(*t->leaf));
		for (i = 0; i < r.n; i++) {
			t->leaf[i] = r.cells[2 * i] ? r.cells[2 * i] : xstrdup("");
			r.cells[2 * i] = NULL;
			t->foreign |= r.cells[2 * i + 1] && strcmp(r.cells[2 * i + 1], "t") == 0;
		}
		t->nleaf = r.n;
	}
	bisect_rows_free(&r);
	/* a key index on the table, unless a shard holds its rows */
	if (ret == 0 && t->nkey == 1 && !t->key[0].collate) {
		sb_reset(sb);
		sb_puts(sb, "SELECT count(*) FROM pg_catalog.pg_index i JOIN pg_catalog.pg_attribute a "
			"ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0] "
			"WHERE i.indpred IS NULL AND i.indrelid = to_regclass(");
		sb_add_sql_string(sb, t->table);
		sb_puts(sb, ") AND a.attname = ");
		sb_add_sql_string(sb, t->key[0].plain);
		ret = bisect_run(t, sb, &r, d);
		t->indexed = ret == 0 && r.n == 1 && r.cells[0] && strcmp(r.cells[0], "0") != 0 &&
			     !t->foreign;
		bisect_rows_free(&r);
	}
	if (ret < 0 || !t->nleaf)
		return ret;
	/* every level partitioned by plain columns of the key */
	sb_reset(sb);
	sb_puts(sb, "SELECT count(*) FROM pg_catalog.pg_partitioned_table p "
		"WHERE p.partrelid IN (SELECT relid FROM pg_catalog.pg_partition_tree(to_regclass(");
	sb_add_sql_string(sb, t->table);
	sb_puts(sb, ")) WHERE NOT isleaf) AND (0 = ANY (p.partattrs::int2[]) OR EXISTS ("
		"SELECT 1 FROM pg_catalog.pg_attribute a WHERE a.attrelid = p.partrelid "
		"AND a.attnum = ANY (p.partattrs::int2[]) AND a.attname::text <> ALL (ARRAY[");
	for (i = 0; i < t->nkey; i++) {
		sb_puts(sb, i ? ", " : "");
		sb_add_sql_string(sb, t->key[i].plain);
	}
	sb_puts(sb, "]::text[])))");
	ret = bisect_run(t, sb, &r, d);
	t->leaf_keyed = ret == 0 && r.n == 1 && r.cells[0] && strcmp(r.cells[0], "0") == 0;
	bisect_rows_free(&r);
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
	sb_add_sql_string(&sb, t->table);
	sb_puts(&sb, ") AND a.attnum > 0 AND NOT a.attisdropped");
	ret = bisect_run(t, &sb, &cat, d);
	for (i = 0; i < nkey && ret == 0; i++)
		ret = set_col(&t->key[i], &cat, keys[i], (int)i + 1, table, d);
	for (i = 0; i < ncol && ret == 0; i++)
		ret = set_col(&t->col[i], &cat, cols[i], (int)(nkey + i) + 1, table, d);
	bisect_rows_free(&cat);
	if (ret == 0)
		ret = find_unique(t, keys, &sb, d);
	if (ret == 0)
		ret = find_leaves(t, &sb, d);
	if (ret < 0) {
		sb_release(&sb);
		bisect_table_close(t);
		return NULL;
	}
	build_hashes(t);
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
	sb_add_sql_string(&sb, table);
	sb_putc(&sb, ')');
	ret = bisect_run(t, &sb, &cat, d);
	for (i = 0; i < nkey && ret == 0; i++)
		ret = sqlite_col(&t->key[i], &cat, keys[i], table, d);
	for (i = 0; i < ncol && ret == 0; i++)
		ret = sqlite_col(&t->col[i], &cat, cols[i], table, d);
	bisect_rows_free(&cat);
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
	if (t->unique) {	/* no duplicate: as many keys as rows */
		sb_addf(&sb, "SELECT %s, count(*), count(*), %s(%s) FROM %s GROUP BY 1",
			t->nullkey, t->sum, t->hash, t->table);
	} else if (t->leaf_keyed) {
		/* a key's rows share a leaf: its distinct keys add up, and
		 * each leaf's aggregate goes whole to a foreign one's shard */
		sb_puts(&sb, "SELECT n, sum(c), sum(k), sum(s) FROM (");
		for (i = 0; i < t->nleaf; i++)
			sb_addf(&sb, "%sSELECT %s, count(*), count(DISTINCT %s), %s(%s) FROM %s "
				"GROUP BY 1", i ? " UNION ALL " : "", t->nullkey, t->khash, t->sum,
				t->hash, t->leaf[i]);
		sb_puts(&sb, ") u (n, c, k, s) GROUP BY 1");
	} else {
		sb_addf(&sb, "SELECT %s, count(*), count(DISTINCT %s), %s(%s) FROM %s GROUP BY 1",
			t->nullkey, t->khash, t->sum, t->hash, t->table);
	}
	memset(out, 0, 2 * sizeof(*out));
	ret = bisect_run(t, &sb, &r, d);
	for (i = 0; i < r.n && ret == 0; i++)
		bisect_sum_from(&out[r.cells[i * 4] && (strcmp(r.cells[i * 4], "t") == 0 ||
						  strcmp(r.cells[i * 4], "1") == 0)],
			 &r.cells[i * 4 + 1], true);
	bisect_rows_free(&r);
	sb_release(&sb);
	return ret;
}

/* The keys of name (t or a leaf of it) that more than one row holds,
 * grouped by the key's columns when SQL's equality is the compare's (an
 * index can find the groups), else by the key's hash. */
static void add_duplicates(struct strbuf *sb, const struct bisect_table *t, const char *name)
{
	size_t i;
	bool exact = true;

	for (i = 0; i < t->nkey; i++)
		exact &= t->key[i].exact;
	sb_addf(sb, "SELECT 1 FROM %s GROUP BY ", name);
	for (i = 0; i < t->nkey && exact; i++)
		sb_addf(sb, "%s%s", i ? ", " : "", t->key[i].name);
	if (!exact)
		sb_puts(sb, t->khash);
	sb_puts(sb, " HAVING count(*) > 1");
}

int bisect_table_duplicates(struct bisect_table *t, long long *dups, struct diag *d)
{
	struct strbuf sb;
	struct rows r = { 0 };
	size_t i;
	int ret;

	sb_init(&sb);
	sb_puts(&sb, "SELECT count(*) FROM (");
	if (t->leaf_keyed) {
		/* a key's rows share a leaf: each leaf's groups go whole to a
		 * foreign one's shard */
		for (i = 0; i < t->nleaf; i++) {
			sb_puts(&sb, i ? " UNION ALL " : "");
			add_duplicates(&sb, t, t->leaf[i]);
		}
	} else {
		add_duplicates(&sb, t, t->table);
	}
	sb_puts(&sb, ") u");
	ret = bisect_run(t, &sb, &r, d);
	*dups = ret == 0 && r.n == 1 && r.cells[0] ? atoll(r.cells[0]) : 0;
	bisect_rows_free(&r);
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
	bisect_add_range(&sb, t, rg);
	sb_puts(&sb, " GROUP BY 1");
	memset(out, 0, (n + 1) * sizeof(*out));
	ret = bisect_run(t, &sb, &r, d);
	for (i = 0; i < r.n && ret == 0; i++) {
		idx = r.cells[i * 3] ? atol(r.cells[i * 3]) : -1;
		if (idx < 0 || (size_t)idx > n)
			ret = diag_error(d, "bisect: unexpected range %ld", idx);
		else
			bisect_sum_from(&out[idx], &r.cells[i * 3 + 1], false);
	}
	bisect_rows_free(&r);
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
	bisect_add_range(&sb, t, rg);
	sb_addf(&sb, ") s WHERE rn %% %lld = 0 ORDER BY rn", step);
	ret = bisect_run(t, &sb, &r, d);
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
	bisect_rows_free(&r);
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

	if (bisect_table_bucketed(t) && n > 1)
		return bisect_table_select_many(t, r, n);
	sb_init(&sb);
	sb_addf(&sb, "SELECT * FROM %s WHERE ", t->table);
	if (n == 0)
		sb_puts(&sb, "false");
	for (i = 0; i < n; i++) {
		sb_puts(&sb, i ? " OR (" : "(");
		bisect_add_range(&sb, t, &r[i]);
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
		free(c[i].typname);
		free(c[i].plain);
		free(c[i].expr);
	}
	free(c);
}

void bisect_table_close(struct bisect_table *t)
{
	size_t i;

	if (!t)
		return;
	if (t->saved) {		/* the planner's setting put back */
		struct diag ignored = { "" };

		bisect_plan_settings(t, false, &ignored);
	}
	bcol_free(t->key, t->nkey);
	bcol_free(t->col, t->ncol);
	free(t->table);
	free(t->hash);
	free(t->khash);
	free(t->nullkey);
	free(t->order);
	free(t->saved);
	free(t->saved_mem);
	for (i = 0; i < t->nleaf; i++)
		free(t->leaf[i]);
	free(t->leaf);
	free(t);
}
