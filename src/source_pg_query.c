/*
 * source_pg_query.c: the queries of a PostgreSQL source: each statement
 * described, then its rows streamed through COPY (query) TO STDOUT or
 * single-row mode, their values as text (see source_pg.c for the whole
 * design).
 */
#include "source_pg_int.h"

#define OID_FLOAT4 700
#define OID_FLOAT8 701
#define OID_NUMERIC 1700

/* Rows read after a sink stopped before the query is cancelled instead. */
#define DRAIN_BEFORE_CANCEL 1000

/* ---- queries ---------------------------------------------------------- */

/* The message of a failed query.  57014 (query_canceled) that recon did not
 * ask for is the statement timeout. */
static int query_error(struct pg_source *ps, const PGresult *r, bool cancelled,
		       struct diag *d)
{
	const char *state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
	const char *primary = r ? PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY) : NULL;
	const char *severity = r ? PQresultErrorField(r, PG_DIAG_SEVERITY_NONLOCALIZED) : NULL;
	char prefix[256], suffix[64];

	if (ps->stalled)
		return pg_lost_error(ps, d);
	/* FATAL and PANIC end the session (a terminated backend, a shutdown):
	 * the server says so before the socket closes */
	if (severity && (!strcmp(severity, "FATAL") || !strcmp(severity, "PANIC")))
		ps->lost = true;
	if (PQstatus(ps->conn) == CONNECTION_BAD)
		ps->lost = true;
	if (ps->lost || !state) {
		snprintf(prefix, sizeof(prefix), "source '%s': %s", ps->cfg->name,
			 ps->lost ? "connection lost: " : "");
		return pg_error(ps, d, prefix,
				primary ? primary
				: r && *PQresultErrorMessage(r) ? PQresultErrorMessage(r)
								: PQerrorMessage(ps->conn),
				NULL);
	}
	/* 57014 is any cancel: a timeout's, recon's own, or a DBA's
	 * pg_cancel_backend ("due to user request"); the server says which */
	if (!strcmp(state, "57014") && !cancelled && primary &&
	    strstr(primary, "statement timeout"))
		return diag_error(d, "statement timeout (%g s): the query was cancelled",
				  (double)ps->statement_ms / 1000);
	if (!strcmp(state, "55P03") && primary && strstr(primary, "lock timeout"))
		return diag_error(d, "lock timeout (%g s): the query waited that long for a lock "
				  "another session holds, and was cancelled",
				  (double)ps->lock_ms / 1000);
	snprintf(suffix, sizeof(suffix), " (SQLSTATE %s)", state);
	return pg_error(ps, d, "SQL error: ", primary ? primary : PQresultErrorMessage(r),
			suffix);
}

/* After a query inside the cut: drop its savepoint, rolling back to it
 * first when the query failed, so the transaction stays usable, or when
 * it ran with a setting of its own (undo). */
static int end_savepoint(struct pg_source *ps, bool undo, struct diag *d)
{
	struct diag ignored;

	if (PQstatus(ps->conn) == CONNECTION_BAD) {
		ps->lost = true;
		return -1;
	}
	if ((PQtransactionStatus(ps->conn) == PQTRANS_INERROR || undo) &&
	    pg_exec_command(ps, "ROLLBACK TO SAVEPOINT recon_q", d ? d : &ignored) < 0)
		return -1;
	return pg_exec_command(ps, "RELEASE SAVEPOINT recon_q", d ? d : &ignored);
}

/* The fast path of normalise, which otherwise dominates the time of a
 * large result: a plain decimal -?D+(.D+)? with at most 15 significant
 * digits, below 1e15 and not below 1e-4, is exactly what format_double
 * would print once its fraction's trailing zeros (and a bare '.') are
 * dropped and a negative zero loses its sign (%.15g round-trips 15
 * digits).  Returns false when s is not such a number. */
static bool plain_decimal(const char *s, size_t len, char num[32], size_t *out)
{
	struct number_parts p;
	size_t i, intlen, end, sig = 0, lead = 0, k;
	bool nonzero = false, frac;

	if (len == 0 || len >= 32 || !number_scan(s, len, NUMBER_PLAIN, &p) || p.has_exp)
		return false;
	i = p.int_start;
	intlen = p.int_end - p.int_start;
	if (intlen > 15)
		return false;
	frac = p.point;
	/* drop the fraction's trailing zeros, then a bare '.' */
	end = len;
	if (frac) {
		while (s[end - 1] == '0')
			end--;
		if (s[end - 1] == '.')
			end--;
	}
	/* significant digits; leading zeros of 0.000ddd */
	for (k = i; k < end; k++) {
		if (s[k] == '.')
			continue;
		if (s[k] != '0')
			nonzero = true;
		if (nonzero)
			sig++;
		else if (k > i + intlen)
			lead++;
	}
	if (!nonzero) {
		memcpy(num, "0", 2);
		*out = 1;
		return true;
	}
	if (sig > 15 || (intlen == 1 && s[i] == '0' && lead > 3))
		return false;
	memcpy(num, s, end);
	num[end] = '\0';
	*out = end;
	return true;
}

/* float4, float8 and numeric values read as the CSV source reads the
 * same number: through format_double.  c->s must be NUL-terminated. */
static void normalise(struct cell *c, Oid type, char num[32])
{
	char *end;
	double x;

	if (!c->s || (type != OID_FLOAT4 && type != OID_FLOAT8 && type != OID_NUMERIC))
		return;
	if (plain_decimal(c->s, c->len, num, &c->len)) {
		c->s = num;
		return;
	}
	x = strtod(c->s, &end);
	if (end == c->s || *end != '\0')
		return;
	format_double(x, num);
	c->s = num;
	c->len = strlen(num);
}

/* What one query hands its sink, and how it stands. */
struct stream {
	struct pg_source *ps;
	const struct row_sink *sink;
	struct diag *d;
	int ncols;
	Oid *types;		/* per column */
	struct cell *cells;	/* per column, reused by every row */
	char (*num)[32];	/* per column: a reformatted number */
	bool stopped;		/* the sink said stop (or failed) */
	bool cancelled;		/* recon asked the server to stop */
	long drained;		/* rows read after the sink stopped */
	int ret;		/* 0, or -1 with d set */
};

static void stream_init(struct stream *st, const PGresult *desc)
{
	int i;

	st->ncols = PQnfields(desc);
	st->types = xcalloc((size_t)st->ncols + 1, sizeof(*st->types));
	st->cells = xcalloc((size_t)st->ncols + 1, sizeof(*st->cells));
	st->num = xcalloc((size_t)st->ncols + 1, sizeof(*st->num));
	for (i = 0; i < st->ncols; i++)
		st->types[i] = PQftype(desc, i);
}

static void stream_release(struct stream *st)
{
	free(st->types);
	free(st->cells);
	free(st->num);
}

static void give_header(struct stream *st, const PGresult *desc)
{
	const char **names;
	int i, rc;

	if (!st->sink->header)
		return;
	names = xcalloc((size_t)st->ncols + 1, sizeof(*names));
	for (i = 0; i < st->ncols; i++)
		names[i] = PQfname(desc, i);
	if ((rc = st->sink->header(st->sink->ctx, (size_t)st->ncols, names)) != 0) {
		st->stopped = true;
		st->ret = rc < 0 ? -1 : 0;
	}
	free(names);
}

/* Ask the server to stop the running query (a sink stopped early on a long
 * result); its error that follows is expected. */
static void cancel_query(struct pg_source *ps)
{
	char buf[256];

	if (ps->cancel)
		PQcancel(ps->cancel, buf, sizeof(buf));
}

/* Hand st->cells to the sink, or count a row the sink no longer wants. */
static void give_row(struct stream *st)
{
	int i, rc;

	if (st->stopped) {
		if (!st->cancelled && ++st->drained > DRAIN_BEFORE_CANCEL) {
			cancel_query(st->ps);
			st->cancelled = true;
		}
		return;
	}
	for (i = 0; i < st->ncols; i++)
		normalise(&st->cells[i], st->types[i], st->num[i]);
	if ((rc = st->sink->row(st->sink->ctx, (size_t)st->ncols, st->cells)) != 0) {
		st->stopped = true;
		st->ret = rc < 0 ? -1 : 0;
	}
}

/* A result that ends a query: record its error unless one is recorded or
 * the sink stopped.  Returns true when the result was an error. */
static bool take_final(struct stream *st, const PGresult *r)
{
	ExecStatusType s = PQresultStatus(r);

	if (s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK || s == PGRES_SINGLE_TUPLE)
		return false;
	if (s == PGRES_EMPTY_QUERY) {
		if (!st->stopped && st->ret == 0)
			st->ret = diag_error(st->d, "SQL error: empty query");
	} else if (!st->stopped && st->ret == 0) {
		st->ret = query_error(st->ps, r, st->cancelled, st->d);
	} else if (PQresultErrorField(r, PG_DIAG_SEVERITY_NONLOCALIZED) &&
		   !strcmp(PQresultErrorField(r, PG_DIAG_SEVERITY_NONLOCALIZED), "FATAL")) {
		st->ps->lost = true;
	}
	return true;
}

/* Read results until libpq has none left, keeping the first error. */
static void drain_results(struct stream *st)
{
	PGresult *r;

	while ((r = pg_get_result(st->ps))) {
		take_final(st, r);
		PQclear(r);
	}
}

/* Decode one COPY text-format line (without its newline) into st->cells,
 * in place: fields split on tabs, \N is NULL, backslash escapes undone.  A
 * field without a backslash (nearly all) is only found, not copied. */
static int decode_copy_line(struct stream *st, char *line, size_t len)
{
	char *p = line, *end = line + len, *w, *field, *tab, *bs;
	int n = 0;

	for (;;) {
		if (n >= st->ncols)
			return -1;
		field = p;
		if (!(tab = memchr(p, '\t', (size_t)(end - p))))
			tab = end;
		if (!(bs = memchr(p, '\\', (size_t)(tab - p)))) {
			w = tab;
		} else if (tab - p == 2 && bs == p && p[1] == 'N') {
			field = NULL;	/* \N: NULL */
			w = tab;
		} else {
			for (w = p = bs; p < tab;) {
				if (*p != '\\' || p + 1 >= tab) {
					*w++ = *p++;
					continue;
				}
				switch (p[1]) {
				case 'b': *w++ = '\b'; break;
				case 'f': *w++ = '\f'; break;
				case 'n': *w++ = '\n'; break;
				case 'r': *w++ = '\r'; break;
				case 't': *w++ = '\t'; break;
				case 'v': *w++ = '\v'; break;
				default: *w++ = p[1]; break;
				}
				p += 2;
			}
		}
		st->cells[n].s = field;
		st->cells[n].len = field ? (size_t)(w - field) : 0;
		n++;
		*w = '\0';	/* over the tab or the newline, or an escape's tail */
		if (tab == end)
			break;
		p = tab + 1;
	}
	return n == st->ncols ? 0 : -1;
}

/* The next line of a COPY out, as PQgetCopyData(..., 0) but waiting no
 * longer than the reply deadline: its length, -1 at the end, -2 on error
 * (a stall included). */
static int copy_line(struct pg_source *ps, char **line)
{
	int n;

	while ((n = PQgetCopyData(ps->conn, line, 1)) == 0)
		if (pg_wait_input(ps) < 0 || !PQconsumeInput(ps->conn))
			return -2;
	return n;
}

/* A bind parameter PostgreSQL refused to prepare, its name copied into
 * out: "$N" whose type it could not determine (42P18), or ":name", "?" or
 * "@name" where its parser stopped (42601, or 42883 for "?1", a prefix
 * operator "?" that does not exist): PostgreSQL numbers its
 * parameters, so the other spellings are syntax errors to it.  A "::"
 * cast is never taken for one. */
static bool refused_param(const PGresult *r, const char *sql, char *out, size_t size)
{
	const char *state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
	const char *msg = PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY);
	const char *pos = PQresultErrorField(r, PG_DIAG_STATEMENT_POSITION);
	const char *p, *q, *dollar;
	long chars;
	size_t n;

	if (!state)
		return false;
	if (!strcmp(state, "42P18") && msg && (dollar = strstr(msg, "parameter $"))) {
		dollar += strlen("parameter ");
		snprintf(out, size, "$%.*s", (int)strspn(dollar + 1, "0123456789"), dollar + 1);
		return true;
	}
	/* "?1" parses as a prefix operator "?" that does not exist */
	if ((strcmp(state, "42601") &&
	     (strcmp(state, "42883") || !msg || strncmp(msg, "operator does not exist: ?", 26))) ||
	    !pos || (chars = atol(pos)) < 1)
		return false;
	/* the position counts characters from 1; find its byte */
	for (p = sql; *p && chars > 1; p++)
		if (((unsigned char)p[1] & 0xC0) != 0x80)
			chars--;
	/* "x = ?" stops at the end of input, after the "?" */
	for (q = p; q > sql && (!*q || *q == ' ' || *q == '\n' || *q == '\t'); q--)
		;
	if (*q == '?')
		p = q;
	if (*p == '?') {
		snprintf(out, size, "?%.*s", (int)strspn(p + 1, "0123456789"), p + 1);
		return true;
	}
	if ((*p == ':' || *p == '@') && (p == sql || p[-1] != *p) && p[1] != *p) {
		n = strspn(p + 1, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_0123456789");
		if (n == 0 || (p[1] >= '0' && p[1] <= '9'))
			return false;
		snprintf(out, size, "%c%.*s", *p, (int)n, p + 1);
		return true;
	}
	return false;
}

/* Prepare sql as the unnamed statement and describe it: *out is the
 * description (the caller clears it), or NULL with d set when it does not
 * prepare or has a parameter. */
static int describe(struct pg_source *ps, const char *sql, const char *what, PGresult **out,
		    struct diag *d)
{
	PGresult *r = pg_last_result(ps, PQsendPrepare(ps->conn, "", sql, 0, NULL));
	char name[64];
	int ret;

	*out = NULL;
	if (PQresultStatus(r) != PGRES_COMMAND_OK) {
		if (!r)
			return query_error(ps, NULL, false, d);
		ret = refused_param(r, sql, name, sizeof(name)) ? source_param_error(d, what, name)
								 : query_error(ps, r, false, d);
		PQclear(r);
		return ret;
	}
	PQclear(r);
	r = pg_last_result(ps, PQsendDescribePrepared(ps->conn, ""));
	if (PQresultStatus(r) != PGRES_COMMAND_OK) {
		ret = query_error(ps, r, false, d);
		PQclear(r);
		return ret;
	}
	if (PQnparams(r) > 0) {
		snprintf(name, sizeof(name), "$%d", PQnparams(r));
		PQclear(r);
		return source_param_error(d, what, name);
	}
	*out = r;
	return 0;
}

/* Stream sql in single-row mode: one PGresult per row, cleared at once. */
static void stream_single_rows(struct stream *st, const char *sql)
{
	PGresult *r;
	bool headed = false;
	int i;

	if (!PQsendQueryParams(st->ps->conn, sql, 0, NULL, NULL, NULL, NULL, 0)) {
		st->ret = query_error(st->ps, NULL, false, st->d);
		return;
	}
	/* fails only when called at the wrong time; rows then come whole */
	(void)PQsetSingleRowMode(st->ps->conn);
	while ((r = pg_get_result(st->ps))) {
		ExecStatusType s = PQresultStatus(r);

		if (s == PGRES_SINGLE_TUPLE || s == PGRES_TUPLES_OK || s == PGRES_COMMAND_OK) {
			if (!headed) {
				headed = true;
				stream_release(st);
				stream_init(st, r);
				if (!st->stopped)
					give_header(st, r);
			}
			if (s == PGRES_SINGLE_TUPLE) {
				for (i = 0; i < st->ncols; i++) {
					st->cells[i].s = PQgetisnull(r, 0, i) ? NULL : PQgetvalue(r, 0, i);
					st->cells[i].len = (size_t)PQgetlength(r, 0, i);
				}
				give_row(st);
			}
		} else if (s == PGRES_COPY_OUT || s == PGRES_COPY_IN || s == PGRES_COPY_BOTH) {
			char *buf;

			/* the check's own COPY: read and drop, or send nothing */
			if (s == PGRES_COPY_OUT)
				while (copy_line(st->ps, &buf) > 0)
					PQfreemem(buf);
			else
				PQputCopyEnd(st->ps->conn, "recon sends no COPY data");
			if (!st->stopped && st->ret == 0)
				st->ret = diag_error(st->d, "SQL error: COPY is not supported in a check");
		} else {
			take_final(st, r);
		}
		PQclear(r);
		if (PQstatus(st->ps->conn) == CONNECTION_BAD)
			break;
	}
}

/* Stream sql (described by desc) through COPY (sql) TO STDOUT.  Sets
 * *retry when the server refuses to COPY that statement at all (SHOW,
 * EXPLAIN...), before any row: the caller runs it in single-row mode. */
static void stream_copy(struct stream *st, const char *sql, const PGresult *desc, bool *retry)
{
	struct strbuf q;
	PGresult *r;
	size_t len = strlen(sql);
	char *line;
	int n;

	*retry = false;
	while (len && strchr(" \t\r\n;", sql[len - 1]))
		len--;
	sb_init(&q);
	sb_puts(&q, "COPY (");
	sb_add(&q, sql, len);
	sb_puts(&q, "\n) TO STDOUT");	/* the newline ends a trailing -- comment */
	n = PQsendQueryParams(st->ps->conn, q.buf, 0, NULL, NULL, NULL, NULL, 0);
	sb_release(&q);
	if (!n) {
		st->ret = query_error(st->ps, NULL, false, st->d);
		return;
	}
	r = pg_get_result(st->ps);
	if (!r) {
		st->ret = query_error(st->ps, NULL, false, st->d);
		return;
	}
	if (PQresultStatus(r) != PGRES_COPY_OUT) {
		const char *state = PQresultErrorField(r, PG_DIAG_SQLSTATE);

		if (state && (!strcmp(state, "42601") || !strcmp(state, "0A000")))
			*retry = true;
		else
			take_final(st, r);
		PQclear(r);
		drain_results(st);
		return;
	}
	PQclear(r);
	give_header(st, desc);
	while ((n = copy_line(st->ps, &line)) > 0) {
		if (!st->stopped) {
			if (decode_copy_line(st, line, (size_t)n - (line[n - 1] == '\n')) < 0) {
				st->ret = diag_error(st->d, "SQL error: a COPY row does not have "
							    "%d fields", st->ncols);
				st->stopped = true;
			} else {
				give_row(st);
			}
		} else {
			give_row(st);	/* counts it, cancels a long tail */
		}
		PQfreemem(line);
	}
	drain_results(st);
}

/*
 * Run sql (one statement) and stream its rows into sink: header first,
 * then each row, cells valid during the call.  A statement that returns
 * rows is prepared (for its column names and types) and then read through
 * COPY (sql) TO STDOUT; others, and statements COPY refuses, run in
 * single-row mode.  Inside the cut the query runs under SAVEPOINT
 * recon_q, so its failure leaves the transaction usable.  Returns 0 (also
 * when the sink stopped early), or -1 with d set: "SQL error: MESSAGE
 * (SQLSTATE XXXXX)", "statement timeout (N s): ...", "source 'NAME':
 * connection lost...", or the sink's own message.  With no_jit (inside
 * the cut only) the query is planned with jit off, set local to its
 * savepoint, which is rolled back after it.
 */
static int run_query(struct pg_source *ps, const char *sql, const struct row_sink *sink,
		     bool no_jit, struct diag *d)
{
	struct stream st;
	struct diag ignored;
	PGresult *desc = NULL;
	bool retry = false;

	memset(&st, 0, sizeof(st));
	st.ps = ps;
	st.sink = sink;
	st.d = d;
	if (ps->lost || PQstatus(ps->conn) != CONNECTION_OK) {
		ps->lost = true;
		return pg_lost_error(ps, d);
	}
	if (ps->in_tx && pg_exec_command(ps, "SAVEPOINT recon_q", d) < 0)
		return -1;
	/* a server without the setting (before PostgreSQL 11) plans as ever */
	if (no_jit && pg_exec_command(ps, "SET LOCAL jit = off", &ignored) < 0) {
		if (ps->lost)
			st.ret = pg_lost_error(ps, d);
		else if (end_savepoint(ps, true, d) < 0 ||
			 pg_exec_command(ps, "SAVEPOINT recon_q", d) < 0)
			st.ret = -1;
		if (st.ret < 0)
			goto out;
	}
	if ((st.ret = describe(ps, sql, "query", &desc, d)) < 0)
		goto out;
	stream_init(&st, desc);
	if (st.ncols > 0)
		stream_copy(&st, sql, desc, &retry);
	/* the refused COPY aborted the transaction: back to the savepoint */
	if (retry && ps->in_tx &&
	    (end_savepoint(ps, no_jit, d) < 0 || pg_exec_command(ps, "SAVEPOINT recon_q", d) < 0))
		st.ret = -1;
	if (st.ret == 0 && !ps->lost && (st.ncols == 0 || retry))
		stream_single_rows(&st, sql);
	if (PQstatus(ps->conn) == CONNECTION_BAD)
		ps->lost = true;
	if (ps->lost && st.ret == 0 && (!st.stopped || ps->stalled))
		st.ret = pg_lost_error(ps, d);
out:
	PQclear(desc);
	stream_release(&st);
	if (ps->in_tx && !ps->lost && end_savepoint(ps, no_jit, st.ret < 0 ? NULL : d) < 0 &&
	    st.ret == 0)
		st.ret = -1;
	return st.ret;
}

int pg_source_query(struct pg_source *ps, const char *sql, const struct row_sink *sink,
		    struct diag *d)
{
	return run_query(ps, sql, sink, false, d);
}

/* Contract in source_pg.h. */
int pg_source_query_ranges(struct pg_source *ps, const char *sql, const struct row_sink *sink,
			   struct diag *d)
{
	return run_query(ps, sql, sink, ps->in_tx, d);
}

/* Contract in source_pg.h. */
int pg_source_prepare(struct pg_source *ps, const char *sql, const char *what,
		      struct source_columns *cols, struct diag *d)
{
	PGresult *desc = NULL;
	int ret, i;

	if (ps->lost || PQstatus(ps->conn) != CONNECTION_OK) {
		ps->lost = true;
		return pg_lost_error(ps, d);
	}
	if (ps->in_tx && pg_exec_command(ps, "SAVEPOINT recon_q", d) < 0)
		return -1;
	ret = describe(ps, sql, what, &desc, d);
	if (ret == 0 && cols) {
		cols->n = (size_t)PQnfields(desc);
		cols->names = xcalloc(cols->n + 1, sizeof(*cols->names));
		for (i = 0; i < (int)cols->n; i++)
			cols->names[i] = xstrdup(PQfname(desc, i));
	}
	PQclear(desc);
	if (ps->in_tx && !ps->lost && end_savepoint(ps, false, ret < 0 ? NULL : d) < 0 && ret == 0)
		ret = -1;
	return ret;
}
