/*
 * source_snapshot_load.c: typing and loading a CSV snapshot into DuckDB.
 *
 * Each needed column is typed from the whole file (BIGINT, DECIMAL(38,S),
 * DOUBLE, VARCHAR) and appended a data chunk at a time; a field that does
 * not fit its column's type makes a second pass (see source_snapshot.c
 * for the whole design).
 */
#include "source_snapshot_int.h"

/* ---- typing ------------------------------------------------------------ */

/* Fold one field into a column's statistics. */
void snap_classify(struct colstat *cs, const char *s, size_t len)
{
	struct plain_number pn;
	int scale, intdigits;

	if (s == NULL || cs->text)
		return;
	cs->any = true;
	if (!plain_number_scan(s, len, &pn)) {
		cs->text = true;
		return;
	}
	scale = pn.frac - pn.exp;
	intdigits = pn.digits - scale;
	if (scale < 0)
		scale = 0;
	if (intdigits < 0)
		intdigits = 0;
	if (scale > cs->scale)
		cs->scale = scale;
	if (intdigits > cs->intdigits)
		cs->intdigits = intdigits;
	if (!pn.is_int || pn.digits > 19)
		cs->wide = true;
	else if (pn.digits == 19) {
		/* 19 digits: within 64 bits only up to 9223372036854775807
		 * (and -9223372036854775808) */
		const char *p = s + (*s == '-');

		if (memcmp(p, *s == '-' ? "9223372036854775808" : "9223372036854775807", 19) > 0)
			cs->wide = true;
	}
}

/* The type a column's statistics call for. */
enum ctype snap_decide(const struct colstat *cs, int *scale)
{
	*scale = 0;
	if (!cs->any)
		return CT_NULL;
	if (cs->text)
		return CT_TEXT;
	if (!cs->wide)
		return CT_BIGINT;
	if (cs->intdigits + cs->scale <= DEC_WIDTH) {
		*scale = cs->scale;
		return CT_DECIMAL;
	}
	return CT_DOUBLE;
}

/* ---- loading ----------------------------------------------------------- */

static i128 pow10_i128(int n)
{
	i128 v = 1;

	while (n-- > 0)
		v *= 10;
	return v;
}

/* The exact DECIMAL(38, scale) integer of plain number s, or -1 when it
 * does not fit (checked by classify before). */
static int to_decimal(const char *s, size_t len, int scale, duckdb_hugeint *out)
{
	struct plain_number pn;
	const char *p = s, *end = s + len;
	u128 m = 0;
	int shift, ndig = 0;
	i128 v;

	if (!plain_number_scan(s, len, &pn))
		return -1;
	shift = scale - (pn.frac - pn.exp);
	if (shift < 0 || pn.digits - (pn.frac - pn.exp) + scale > DEC_WIDTH)
		return -1;
	if (*p == '-')
		p++;
	for (; p < end && *p != 'e' && *p != 'E'; p++) {
		if (*p == '.')
			continue;
		m = m * 10 + (u128)(*p - '0');
		if (m && ++ndig > DEC_WIDTH)
			return -1;
	}
	v = (i128)m * pow10_i128(shift);
	if (*s == '-')
		v = -v;
	out->lower = (uint64_t)(u128)v;
	out->upper = (int64_t)(v >> 64);
	return 0;
}

/* A plain whole number within 64 bits, fast. */
static bool to_bigint(const char *s, size_t len, int64_t *out)
{
	const char *p = s, *end = s + len;
	bool neg = *p == '-';
	uint64_t u = 0;

	if (neg)
		p++;
	/* 19 digits always fit a uint64 */
	if (p == end || end - p > 19 || (*p == '0' && end - p > 1))
		return false;
	for (; p < end; p++) {
		if (*p < '0' || *p > '9')
			return false;
		u = u * 10 + (uint64_t)(*p - '0');
	}
	if (u > (uint64_t)INT64_MAX + neg)
		return false;
	*out = neg ? (int64_t)(0 - u) : (int64_t)u;
	return true;
}

/* Write field (s, len) into row of column k of the chunk; false when it
 * does not fit the column's type. */
bool snap_put_vec(duckdb_vector vec, const struct store *st, idx_t row, const char *s,
		  size_t len)
{
	if (s == NULL) {
		uint64_t *validity;

		duckdb_vector_ensure_validity_writable(vec);
		validity = duckdb_vector_get_validity(vec);
		duckdb_validity_set_row_invalid(validity, row);
		return true;
	}
	switch (st->type) {
	case CT_TEXT:
		duckdb_vector_assign_string_element_len(vec, row, s, len);
		return true;
	case CT_BIGINT:
		return to_bigint(s, len, (int64_t *)duckdb_vector_get_data(vec) + row);
	case CT_DECIMAL:
		return to_decimal(s, len, st->scale,
				  (duckdb_hugeint *)duckdb_vector_get_data(vec) + row) == 0;
	case CT_DOUBLE:
		if (!is_plain_number(s, len, NULL))
			return false;
		((double *)duckdb_vector_get_data(vec))[row] = strtod(s, NULL);
		return true;
	case CT_NULL:
		return false;
	}
	return false;
}

static bool put(struct loader *L, size_t k, idx_t row, const char *s, size_t len)
{
	return snap_put_vec(duckdb_data_chunk_get_vector(L->chunk, (idx_t)k), &L->st[k], row, s, len);
}

static int duck_error(struct loader *L, const char *what)
{
	char buf[1024];
	const char *oom = snap_memory_error(L->sn, what, buf, sizeof buf);

	return diag_error(L->d, "%s: %s", L->t->path, oom ? oom : what);
}

static int flush_chunk(struct loader *L)
{
	if (L->chunk_rows == 0)
		return 0;
	duckdb_data_chunk_set_size(L->chunk, L->chunk_rows);
	if (duckdb_append_data_chunk(L->app, L->chunk) != DuckDBSuccess)
		return duck_error(L, duckdb_appender_error(L->app));
	duckdb_data_chunk_reset(L->chunk);
	L->chunk_rows = 0;
	return 0;
}

static void add_type(struct strbuf *sb, enum ctype type, int scale)
{
	switch (type) {
	case CT_BIGINT:
		sb_puts(sb, "BIGINT");
		break;
	case CT_DECIMAL:
		sb_addf(sb, "DECIMAL(%d, %d)", DEC_WIDTH, scale);
		break;
	case CT_DOUBLE:
		sb_puts(sb, "DOUBLE");
		break;
	default:
		sb_puts(sb, "VARCHAR");
		break;
	}
}

duckdb_logical_type snap_logical(enum ctype type, int scale)
{
	switch (type) {
	case CT_BIGINT:
		return duckdb_create_logical_type(DUCKDB_TYPE_BIGINT);
	case CT_DECIMAL:
		return duckdb_create_decimal_type(DEC_WIDTH, (uint8_t)scale);
	case CT_DOUBLE:
		return duckdb_create_logical_type(DUCKDB_TYPE_DOUBLE);
	default:
		return duckdb_create_logical_type(DUCKDB_TYPE_VARCHAR);
	}
}

/* Drop recon."T" and the appender on it. */
static void drop(struct loader *L)
{
	struct strbuf sb;

	sb_init(&sb);
	if (L->app)
		duckdb_appender_destroy(&L->app);
	if (L->chunk)
		duckdb_destroy_data_chunk(&L->chunk);
	sb_puts(&sb, "DROP TABLE IF EXISTS recon.");
	sb_add_sql_ident(&sb, L->t->name);
	snap_exec(L->con, sb.buf, NULL);
	sb_release(&sb);
	L->created = false;
	L->chunk_rows = 0;
}

/* Create recon."T" with the stored columns' types (a column of no value
 * yet is VARCHAR: it holds only NULLs), its appender and a chunk. */
static int create(struct loader *L)
{
	struct strbuf sb;
	duckdb_logical_type *types = xcalloc(L->nst, sizeof *types);
	struct diag d = { "" };
	int ret = -1;

	sb_init(&sb);
	sb_puts(&sb, "CREATE OR REPLACE TABLE recon.");
	sb_add_sql_ident(&sb, L->t->name);
	sb_puts(&sb, " (");
	for (size_t k = 0; k < L->nst; k++) {
		if (k)
			sb_puts(&sb, ", ");
		sb_add_sql_ident(&sb, L->t->cols[L->st[k].col]);
		sb_putc(&sb, ' ');
		add_type(&sb, L->st[k].type, L->st[k].scale);
		types[k] = snap_logical(L->st[k].type, L->st[k].scale);
	}
	sb_putc(&sb, ')');
	if (sb.overflow) {
		duck_error(L, "header too large");
		goto out;
	}
	if (snap_exec(L->con, sb.buf, &d) < 0) {
		duck_error(L, d.msg);
		goto out;
	}
	if (duckdb_appender_create_ext(L->con, NULL, "recon", L->t->name, &L->app) != DuckDBSuccess) {
		duck_error(L, L->app ? duckdb_appender_error(L->app) : "cannot append");
		goto out;
	}
	L->chunk = duckdb_create_data_chunk(types, L->nst);
	L->created = true;
	ret = 0;
out:
	for (size_t k = 0; k < L->nst; k++)
		duckdb_destroy_logical_type(&types[k]);
	free(types);
	sb_release(&sb);
	return ret;
}

/* Put one row's stored fields into the chunk; false when one does not
 * fit its column (the caller then retypes). */
static bool put_row(struct loader *L, const struct csv_field *fields, bool held, idx_t hrow)
{
	idx_t row = L->chunk_rows;

	for (size_t k = 0; k < L->nst; k++) {
		const char *s;
		size_t len;

		if (held) {
			size_t off = L->heldoff[hrow * L->nst + k];

			s = off == SIZE_MAX ? NULL : L->held + off;
			len = L->heldlen[hrow * L->nst + k];
		} else {
			s = fields[L->st[k].col].s;
			len = fields[L->st[k].col].len;
		}
		if (!put(L, k, row, s, len))
			return false;
	}
	L->chunk_rows++;
	return true;
}

/* The first chunk's types are known: create the table, append the held
 * rows.  -1 on a DuckDB error. */
static int start(struct loader *L)
{
	for (size_t k = 0; k < L->nst; k++) {
		L->st[k].type = snap_decide(&L->st[k].stat, &L->st[k].scale);
		if (L->st[k].type == CT_NULL)
			L->st[k].type = CT_TEXT;
	}
	if (create(L) < 0)
		return -1;
	for (idx_t r = 0; r < L->nheldrows; r++)
		if (!put_row(L, NULL, true, r)) {
			L->retype = true;	/* cannot happen: typed by these rows */
			return 0;
		}
	L->nheldrows = 0;
	L->nheld = 0;
	return L->chunk_rows == L->cap ? flush_chunk(L) : 0;
}

static void hold(struct loader *L, const struct csv_record *rec)
{
	idx_t r = L->nheldrows++;

	for (size_t k = 0; k < L->nst; k++) {
		const struct csv_field *f = &rec->fields[L->st[k].col];

		L->heldlen[r * L->nst + k] = f->len;
		if (f->s == NULL) {
			L->heldoff[r * L->nst + k] = SIZE_MAX;
			continue;
		}
		/* NUL-terminated, as the reader's fields are (strtod) */
		if (L->capheld - L->nheld < f->len + 1) {
			size_t cap = L->capheld ? L->capheld : 65536;

			while (cap - L->nheld < f->len + 1)
				cap *= 2;
			L->held = xrealloc(L->held, cap);
			L->capheld = cap;
		}
		memcpy(L->held + L->nheld, f->s, f->len);
		L->held[L->nheld + f->len] = '\0';
		L->heldoff[r * L->nst + k] = L->nheld;
		L->nheld += f->len + 1;
	}
}

static int load_record(void *ctx, const struct csv_record *rec)
{
	struct loader *L = ctx;
	struct snap_table *t = L->t;

	if (rec->header) {
		/* the columns were named by the header read at open */
		bool same = rec->nfields == t->ncols;

		for (size_t i = 0; same && i < t->ncols; i++)
			same = rec->fields[i].s && rec->fields[i].len == strlen(t->cols[i]) &&
			       memcmp(rec->fields[i].s, t->cols[i], rec->fields[i].len) == 0;
		if (!same)
			return diag_error(L->d, "%s:%ld: header changed while recon was running",
					  t->path, rec->line);
		return 0;
	}
	L->line = rec->line;
	if (!L->fixed)
		for (size_t k = 0; k < L->nst; k++)
			snap_classify(&L->st[k].stat, rec->fields[L->st[k].col].s,
				 rec->fields[L->st[k].col].len);
	if (L->retype || L->nst == 0)
		return 0;
	if (!L->created) {
		hold(L, rec);
		if (L->nheldrows == L->cap && start(L) < 0)
			return -1;
		return 0;
	}
	if (!put_row(L, rec->fields, false, 0)) {
		if (L->fixed)
			return diag_error(L->d, "%s:%ld: file changed while recon was running",
					  t->path, rec->line);
		L->retype = true;
		return 0;
	}
	if (L->chunk_rows == L->cap)
		return flush_chunk(L);
	return 0;
}

/* One pass over t's file.  sha: the digest to feed, or NULL. */
static int pass(struct loader *L, struct sha256_ctx *sha, bool progress, long long *rows)
{
	struct csv_read_opts opts = { sha, progress, rows };

	if (csv_read_file(L->t->path, load_record, L, &opts, L->d) < 0)
		return -1;
	if (!L->retype && L->nst > 0 && !L->created && start(L) < 0)
		return -1;
	if (!L->retype && L->created && flush_chunk(L) < 0)
		return -1;
	return 0;
}

/* SELECT list of the view main."T": each header column as loaded, as NULL
 * (no value in the whole file), or as error() when not loaded. */
int snap_create_view(struct loader *L, long long rows)
{
	struct snap_table *t = L->t;
	struct strbuf sb;
	struct diag d = { "" };
	size_t k = 0;
	int ret;

	sb_init(&sb);
	sb_puts(&sb, "CREATE OR REPLACE VIEW main.");
	sb_add_sql_ident(&sb, t->name);
	sb_puts(&sb, " AS SELECT ");
	for (size_t i = 0; i < t->ncols; i++) {
		if (i)
			sb_puts(&sb, ", ");
		if (k < L->nst && L->st[k].col == i) {
			if (L->st[k].type == CT_NULL)
				sb_puts(&sb, "NULL");
			else
				sb_add_sql_ident(&sb, t->cols[i]);
			k++;
		} else {
			sb_addf(&sb, "error('" UNLOADED "%zu:%zu')", (size_t)(t - L->sn->tables), i);
		}
		sb_puts(&sb, " AS ");
		sb_add_sql_ident(&sb, t->cols[i]);
	}
	if (L->stream) {
		sb_addf(&sb, " FROM recon_scan(%zu)", (size_t)(t - L->sn->tables));
	} else if (L->created) {
		sb_puts(&sb, " FROM recon.");
		sb_add_sql_ident(&sb, t->name);
	} else {
		/* nothing stored: as many rows as the file has */
		sb_addf(&sb, " FROM range(%lld)", rows);
	}
	if (sb.overflow)
		ret = duck_error(L, "header too large");
	else if ((ret = snap_exec(L->con, sb.buf, &d)) < 0)
		duck_error(L, d.msg);
	sb_release(&sb);
	return ret;
}

/* Load t's file: the columns in t->need, typed from the whole file.  On
 * any error the table keeps no rows and t->error says why.  Runs in a
 * worker thread: touches only t, and DuckDB through con. */
void snap_load_table(struct snapshot *sn, struct snap_table *t, duckdb_connection con,
		     bool progress)
{
	struct loader L;
	struct sha256_ctx *sha = sha256_new();
	struct diag d = { "" };
	long long rows = 0;
	char hex[65];
	size_t n = 0;

	memset(&L, 0, sizeof L);
	L.sn = sn;
	L.t = t;
	L.con = con;
	L.d = &d;
	L.cap = duckdb_vector_size();
	L.st = xcalloc(t->ncols ? t->ncols : 1, sizeof *L.st);
	for (size_t i = 0; i < t->ncols; i++)
		if (t->need[i])
			L.st[n++].col = i;
	L.nst = n;
	L.heldoff = xcalloc(L.cap * (n ? n : 1), sizeof *L.heldoff);
	L.heldlen = xcalloc(L.cap * (n ? n : 1), sizeof *L.heldlen);
	t->loaded = false;
	if (pass(&L, sha, progress, &rows) < 0)
		goto out;
	sha256_final_hex(sha, hex);
	sha = NULL;
	if (L.retype) {
		/* a second pass with the whole file's types */
		drop(&L);
		for (size_t k = 0; k < L.nst; k++) {
			L.st[k].type = snap_decide(&L.st[k].stat, &L.st[k].scale);
			if (L.st[k].type == CT_NULL)
				L.st[k].type = CT_TEXT;
		}
		L.fixed = true;
		L.retype = false;
		if (create(&L) < 0 || pass(&L, NULL, progress, NULL) < 0)
			goto out;
	}
	if (L.app && duckdb_appender_close(L.app) != DuckDBSuccess) {
		duck_error(&L, duckdb_appender_error(L.app));
		goto out;
	}
	/* a column with no value anywhere shows as NULL, of no type */
	for (size_t k = 0; k < L.nst; k++)
		if (!L.st[k].stat.any)
			L.st[k].type = CT_NULL;
	if (snap_create_view(&L, rows) < 0)
		goto out;
	for (size_t i = 0; i < t->ncols; i++)
		t->have[i] = t->need[i];
	memcpy(t->sha256, hex, sizeof hex);
	t->rows = rows;
	t->loaded = true;
out:
	if (d.msg[0]) {
		drop(&L);
		snap_set_error(t, d.msg);
		t->rows = -1;
		/* provenance of the bytes that failed */
		if (sha256_file_hex(t->path, hex, NULL) == 0)
			memcpy(t->sha256, hex, sizeof hex);
	}
	if (L.app)
		duckdb_appender_destroy(&L.app);
	if (L.chunk)
		duckdb_destroy_data_chunk(&L.chunk);
	if (sha)
		sha256_final_hex(sha, hex);	/* frees it */
	free(L.st);
	free(L.held);
	free(L.heldoff);
	free(L.heldlen);
}
