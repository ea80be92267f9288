/*
 * source_snapshot_query.c: running SQL over a snapshot directory, its
 * results converted to text (see source_snapshot.c for the whole design).
 */
#include "source_snapshot_int.h"

/* ---- queries ----------------------------------------------------------- */

/* A whole number of 128 bits, in decimal, into out (at least 42 bytes);
 * scale digits after a point. */
static size_t format_i128(i128 v, int scale, char *out)
{
	char tmp[48];
	size_t n = 0, k = 0;
	bool neg = v < 0;
	u128 u = neg ? (u128)0 - (u128)v : (u128)v;

	do {
		tmp[n++] = (char)('0' + (int)(u % 10));
		u /= 10;
	} while (u || (int)n <= scale);
	if (neg)
		out[k++] = '-';
	while (n > 0) {
		if ((int)n == scale)
			out[k++] = '.';
		out[k++] = tmp[--n];
	}
	out[k] = '\0';
	return k;
}

static bool native(duckdb_type t)
{
	switch (t) {
	case DUCKDB_TYPE_BOOLEAN:
	case DUCKDB_TYPE_TINYINT:
	case DUCKDB_TYPE_SMALLINT:
	case DUCKDB_TYPE_INTEGER:
	case DUCKDB_TYPE_BIGINT:
	case DUCKDB_TYPE_UTINYINT:
	case DUCKDB_TYPE_USMALLINT:
	case DUCKDB_TYPE_UINTEGER:
	case DUCKDB_TYPE_UBIGINT:
	case DUCKDB_TYPE_HUGEINT:
	case DUCKDB_TYPE_UHUGEINT:
	case DUCKDB_TYPE_FLOAT:
	case DUCKDB_TYPE_DOUBLE:
	case DUCKDB_TYPE_DECIMAL:
	case DUCKDB_TYPE_VARCHAR:
	case DUCKDB_TYPE_SQLNULL:
		return true;
	default:
		return false;
	}
}

/* One column of a result chunk, read as text. */
struct outcol {
	duckdb_type type;
	duckdb_type internal;	/* DECIMAL: its storage */
	int scale;		/* DECIMAL */
	void *data;
	uint64_t *validity;
	char num[48];		/* this row's number as text */
};

/* Row row of a vector of whole numbers stored as type t into *v; false
 * when t is not such a type (nor HUGEINT). */
static bool whole_at(duckdb_type t, const void *data, idx_t row, i128 *v)
{
	switch (t) {
	case DUCKDB_TYPE_TINYINT:
		*v = ((const int8_t *)data)[row];
		return true;
	case DUCKDB_TYPE_SMALLINT:
		*v = ((const int16_t *)data)[row];
		return true;
	case DUCKDB_TYPE_INTEGER:
		*v = ((const int32_t *)data)[row];
		return true;
	case DUCKDB_TYPE_BIGINT:
		*v = ((const int64_t *)data)[row];
		return true;
	case DUCKDB_TYPE_UTINYINT:
		*v = ((const uint8_t *)data)[row];
		return true;
	case DUCKDB_TYPE_USMALLINT:
		*v = ((const uint16_t *)data)[row];
		return true;
	case DUCKDB_TYPE_UINTEGER:
		*v = ((const uint32_t *)data)[row];
		return true;
	case DUCKDB_TYPE_UBIGINT:
		*v = ((const uint64_t *)data)[row];
		return true;
	case DUCKDB_TYPE_HUGEINT: {
		duckdb_hugeint h = ((const duckdb_hugeint *)data)[row];

		*v = (i128)(((u128)(uint64_t)h.upper << 64) | h.lower);
		return true;
	}
	default:
		return false;
	}
}

static void cell_of(struct outcol *c, idx_t row, struct cell *cell)
{
	i128 v = 0;
	int scale = 0;

	if (c->type == DUCKDB_TYPE_SQLNULL ||
	    (c->validity && !duckdb_validity_row_is_valid(c->validity, row))) {
		cell->s = NULL;
		cell->len = 0;
		return;
	}
	switch (c->type) {
	case DUCKDB_TYPE_VARCHAR: {
		duckdb_string_t *s = (duckdb_string_t *)c->data + row;

		cell->len = duckdb_string_t_length(*s);
		cell->s = duckdb_string_t_data(s);
		return;
	}
	case DUCKDB_TYPE_BOOLEAN:
		cell->s = ((bool *)c->data)[row] ? "true" : "false";
		cell->len = strlen(cell->s);
		return;
	case DUCKDB_TYPE_FLOAT:
		format_double(((float *)c->data)[row], c->num);
		cell->s = c->num;
		cell->len = strlen(c->num);
		return;
	case DUCKDB_TYPE_DOUBLE:
		format_double(((double *)c->data)[row], c->num);
		cell->s = c->num;
		cell->len = strlen(c->num);
		return;
	case DUCKDB_TYPE_UHUGEINT: {
		duckdb_uhugeint h = ((duckdb_uhugeint *)c->data)[row];
		u128 u = ((u128)h.upper << 64) | h.lower;
		char tmp[48];
		size_t n = 0, k = 0;

		do {
			tmp[n++] = (char)('0' + (int)(u % 10));
			u /= 10;
		} while (u);
		while (n > 0)
			c->num[k++] = tmp[--n];
		c->num[k] = '\0';
		cell->s = c->num;
		cell->len = k;
		return;
	}
	case DUCKDB_TYPE_DECIMAL:
		/* stored as SMALLINT, INTEGER, BIGINT or HUGEINT */
		scale = c->scale;
		if (!whole_at(c->internal, c->data, row, &v))
			whole_at(DUCKDB_TYPE_HUGEINT, c->data, row, &v);
		break;
	default:
		if (!whole_at(c->type, c->data, row, &v)) {
			cell->s = "";
			cell->len = 0;
			return;
		}
		break;
	}
	cell->len = format_i128(v, scale, c->num);
	cell->s = c->num;
}

/* The message of a failed query, and the table and column when it is the
 * error() of a column that was not loaded. */
static struct snap_table *unloaded(struct snapshot *sn, const char *msg)
{
	const char *p = msg ? strstr(msg, UNLOADED) : NULL;
	size_t i;

	if (!p)
		return NULL;
	i = (size_t)strtoul(p + strlen(UNLOADED), NULL, 10);
	return i < sn->ntables && !sn->tables[i].parquet ? &sn->tables[i] : NULL;
}

/* "Table with name T does not exist": the file's story instead. */
static int query_error(struct snapshot *sn, const char *msg, struct diag *d)
{
	static const char prefix[] = "Catalog Error: Table with name ";
	const char *p = msg ? strstr(msg, prefix) : NULL;

	if (p) {
		const char *name = p + sizeof prefix - 1, *end = strstr(name, " does not exist");

		if (end) {
			char *t = arena_strndup(&sn->arena, name, (size_t)(end - name));
			char *file = arena_printf(&sn->arena, "%s.csv", t);

			return diag_error(d, "%s: no such file", path_join(&sn->arena, sn->dir, file));
		}
	}
	if (!msg)
		return diag_error(d, "SQL error: unknown error");
	if (snap_memory_error(sn, msg, d->msg, sizeof d->msg))
		return -1;
	/* DuckDB's first line says it; the rest quotes the SQL with a caret */
	return diag_error(d, "SQL error: %.*s", (int)strcspn(msg, "\n"), msg);
}

/* Prepare sql; wrap it to cast to text every column of a type that is not
 * read natively. */
static int prepare(struct snapshot *sn, const char *sql, duckdb_prepared_statement *st,
		   struct diag *d)
{
	struct strbuf sb;
	idx_t n, i;
	bool wrap = false;
	size_t len = strlen(sql);

	sb_init(&sb);
	if (duckdb_prepare(sn->con, sql, st) != DuckDBSuccess)
		return query_error(sn, duckdb_prepare_error(*st), d);
	if (duckdb_nparams(*st) > 0) {
		struct refs r = { sn, sql, NULL, NULL, 0, 0, NULL, 0, 0, false, d, 0 };

		return snap_param_error(&r, SIZE_MAX);
	}
	if (duckdb_prepared_statement_type(*st) != DUCKDB_STATEMENT_TYPE_SELECT)
		return diag_error(d, "SQL error: not a query: checks only read (SELECT)");
	n = duckdb_prepared_statement_column_count(*st);
	for (i = 0; i < n && !wrap; i++)
		wrap = !native(duckdb_prepared_statement_column_type(*st, i));
	if (!wrap)
		return 0;
	while (len > 0 && (sql[len - 1] == ';' || sql[len - 1] == ' ' || sql[len - 1] == '\n' ||
			   sql[len - 1] == '\t' || sql[len - 1] == '\r'))
		len--;
	sb_puts(&sb, "SELECT ");
	for (i = 0; i < n; i++) {
		duckdb_type t = duckdb_prepared_statement_column_type(*st, i);

		sb_puts(&sb, i ? ", " : "");
		if (native(t))
			sb_addf(&sb, "#%llu", (unsigned long long)i + 1);
		else
			sb_addf(&sb, "CAST(#%llu AS VARCHAR)", (unsigned long long)i + 1);
	}
	sb_puts(&sb, " FROM (\n");
	sb_add(&sb, sql, len);
	sb_puts(&sb, "\n) AS recon_q");
	duckdb_destroy_prepare(st);
	if (duckdb_prepare(sn->con, sb.buf, st) != DuckDBSuccess) {
		query_error(sn, duckdb_prepare_error(*st), d);
		sb_release(&sb);
		return -1;
	}
	sb_release(&sb);
	return 0;
}

/* A streamed table's scan failed the query: 1 when it took the whole
 * file's types (primed again now: run again), -1 when the file is broken
 * (d says how), 0 for any other error. */
static int stream_error(struct snapshot *sn, const char *msg, struct diag *d)
{
	const char *p;
	size_t i;

	if (msg && (p = strstr(msg, RETYPE)) != NULL) {
		i = (size_t)strtoul(p + strlen(RETYPE), NULL, 10);
		if (i < sn->ntables) {
			snap_load_stale(sn, false);
			return 1;
		}
	}
	if (msg && (p = strstr(msg, BROKEN)) != NULL) {
		i = (size_t)strtoul(p + strlen(BROKEN), NULL, 10);
		if (i < sn->ntables && sn->tables[i].error)
			return diag_error(d, "%s", sn->tables[i].error);
	}
	return 0;
}


/* What run returns for a query that failed with msg: a streamed scan's
 * own error (stream_error's result); before any row reached the sink, 1
 * once the table whose column was not loaded is loaded, to run again;
 * else -1 with d set. */
static int failed(struct snapshot *sn, const char *msg, bool began, struct diag *d)
{
	struct snap_table *t = unloaded(sn, msg);
	int rc;

	if (!began && (rc = stream_error(sn, msg, d)) != 0)
		return rc;
	if (t && !began) {
		snap_mark_all(t);
		snap_load_stale(sn, false);
		return 1;
	}
	query_error(sn, msg, d);
	return -1;
}

/* Run once: 0 done, -1 error, 1 a column not loaded was read (loaded now:
 * run again). */
static int run(struct snapshot *sn, const char *sql, const struct row_sink *sink, bool *began,
	       struct diag *d)
{
	duckdb_prepared_statement st = NULL, names = NULL;
	duckdb_result res;
	duckdb_data_chunk chunk = NULL;
	const char **colnames = NULL;
	struct outcol *cols = NULL;
	struct cell *cells = NULL;
	idx_t n = 0, i;
	int ret = -1, rc;
	bool streamed = false, serial = false;

	memset(&res, 0, sizeof res);
	/* column names as the SQL gives them, even when wrapped */
	if (duckdb_prepare(sn->con, sql, &names) != DuckDBSuccess) {
		query_error(sn, duckdb_prepare_error(names), d);
		goto out;
	}
	if (prepare(sn, sql, &st, d) < 0)
		goto out;
	n = duckdb_prepared_statement_column_count(st);
	colnames = xcalloc(n + 1, sizeof *colnames);
	cols = xcalloc(n + 1, sizeof *cols);
	cells = xcalloc(n + 1, sizeof *cells);
	for (i = 0; i < n; i++)
		colnames[i] = duckdb_prepared_statement_column_name(names, i);
	/* a streamed table's scan may end in RETYPE: no row reaches the sink
	 * before the whole query has run */
	for (i = 0; i < sn->ntables && !streamed; i++)
		streamed = sn->tables[i].hit && sn->tables[i].stream;
	/* a scan's batches are converted by all of DuckDB's threads, beside
	 * the scan's own producer, in no fixed order: a sum of DOUBLEs, whose
	 * last digits follow the order of its partial sums, would vary from
	 * run to run, so a streamed table with a DOUBLE column is read by one
	 * thread, in the file's order */
	for (i = 0; i < sn->ntables && !serial; i++)
		for (size_t k = 0; sn->tables[i].hit && sn->tables[i].stream && k < sn->tables[i].nst; k++)
			serial = serial || sn->tables[i].st[k].type == CT_DOUBLE;
	if (serial)
		snap_exec(sn->con, "SET threads = 1", NULL);
	if (streamed)
		snap_start_ahead(sn);
	rc = streamed ? duckdb_execute_prepared(st, &res) : duckdb_execute_prepared_streaming(st, &res);
	if (streamed)
		snap_stop_ahead(sn);
	if (serial)
		snap_exec(sn->con, sn->threads, NULL);
	if (rc != DuckDBSuccess) {
		ret = failed(sn, duckdb_result_error(&res), *began, d);
		goto out;
	}
	for (i = 0; i < n; i++) {
		duckdb_logical_type lt = duckdb_column_logical_type(&res, i);

		cols[i].type = duckdb_column_type(&res, i);
		if (cols[i].type == DUCKDB_TYPE_DECIMAL) {
			cols[i].internal = duckdb_decimal_internal_type(lt);
			cols[i].scale = duckdb_decimal_scale(lt);
		}
		duckdb_destroy_logical_type(&lt);
	}
	/* streamed tables whose scans stopped early are read whole now */
	for (size_t k = 0; streamed && k < sn->ntables; k++) {
		struct snap_table *t = &sn->tables[k];

		if (!t->hit || !t->stream || t->loaded || t->error)
			continue;
		if ((rc = snap_validate(sn, t)) < 0) {
			diag_error(d, "%s", t->error);
			goto out;
		}
		if (rc > 0) {
			snap_load_stale(sn, false);
			ret = 1;
			goto out;
		}
	}
	while ((chunk = duckdb_fetch_chunk(res)) != NULL) {
		idx_t rows = duckdb_data_chunk_get_size(chunk);

		if (!*began) {
			*began = true;
			if (sink->header &&
			    (rc = sink->header(sink->ctx, (size_t)n, colnames)) != 0) {
				ret = rc < 0 ? -1 : 0;
				goto out;
			}
		}
		for (i = 0; i < n; i++) {
			duckdb_vector v = duckdb_data_chunk_get_vector(chunk, i);

			cols[i].data = duckdb_vector_get_data(v);
			cols[i].validity = duckdb_vector_get_validity(v);
		}
		for (idx_t r = 0; r < rows; r++) {
			for (i = 0; i < n; i++)
				cell_of(&cols[i], r, &cells[i]);
			if ((rc = sink->row(sink->ctx, (size_t)n, cells)) != 0) {
				ret = rc < 0 ? -1 : 0;
				goto out;
			}
		}
		duckdb_destroy_data_chunk(&chunk);
	}
	if (duckdb_result_error(&res)) {
		ret = failed(sn, duckdb_result_error(&res), *began, d);
		goto out;
	}
	if (!*began) {
		*began = true;
		if (sink->header && (rc = sink->header(sink->ctx, (size_t)n, colnames)) != 0) {
			ret = rc < 0 ? -1 : 0;
			goto out;
		}
	}
	ret = 0;
out:
	if (chunk)
		duckdb_destroy_data_chunk(&chunk);
	duckdb_destroy_result(&res);
	duckdb_destroy_prepare(&st);
	duckdb_destroy_prepare(&names);
	for (i = 0; colnames && i < n; i++)
		duckdb_free((void *)colnames[i]);	/* DuckDB's malloc */
	free(colnames);
	free(cols);
	free(cells);
	return ret;
}

/* Contract in source_snapshot.h.  SQL that was never planned still works: the
 * tables and columns it reads are loaded now. */
int snapshot_query(struct snapshot *sn, const char *sql, const struct row_sink *sink,
		   struct diag *d)
{
	bool began = false;
	int rc, tries;

	if (snap_record(sn, sql, d) < 0)
		return -1;
	snap_load_stale(sn, false);
	if (snap_hit_error(sn, d) < 0)
		return -1;
	for (tries = 0; tries <= (int)sn->ntables; tries++) {
		rc = run(sn, sql, sink, &began, d);
		if (rc <= 0)
			return rc;
		if (snap_hit_error(sn, d) < 0)
			return -1;
	}
	return diag_error(d, "SQL error: columns of its tables could not be loaded");
}
