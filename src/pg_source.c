/*
 * pg_source.c: PostgreSQL sources through libpq (see pg_source.h).
 *
 * One connection per source for the whole sweep.  pg_source_open connects
 * and makes the session read-only (default_transaction_read_only) with the
 * configured statement_timeout, so even the `ready` polls that run before
 * the cut can neither write nor hang.  pg_source_begin opens the one
 * REPEATABLE READ, READ ONLY transaction and records pg_current_snapshot()
 * as the cut's identity.  Each query inside it runs under a savepoint, so a
 * failing check rolls back to it and the next check still runs in the same
 * snapshot.
 *
 * Rows are streamed in single-row mode: one PGresult per row, cleared as
 * soon as the sink has seen it, so memory does not grow with the row count.
 * Single-row mode measured faster than COPY (query) TO STDOUT for a
 * 3M-row, 5-column result (0.61 s against 0.76 s, tests/pg/stream_bench.c),
 * and it keeps column names and types, runs any statement, and needs no
 * unescaping.  Queries go through the extended protocol (PQsendQueryParams),
 * which refuses more than one statement in a query string.
 *
 * Values are PostgreSQL's text output, except float4, float8 and numeric,
 * which are reformatted with format_double so they read as the same data
 * exported to CSV and loaded by the CSV source would (numeric 3.50 is 3.5,
 * 1000.00 is 1000).  Integers, booleans (t / f), timestamps and text are as
 * PostgreSQL prints them, which is also what COPY ... (FORMAT csv) writes.
 *
 * Secrets: no message ever contains the connection string, and every
 * message is scrubbed of the password (as parsed by PQconninfoParse, as
 * written in a URI, and PGPASSWORD) before it leaves this file.
 */
#include "pg_source.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#define OID_FLOAT4 700
#define OID_FLOAT8 701
#define OID_NUMERIC 1700

/* Rows read after a sink stopped before the query is cancelled instead. */
#define DRAIN_BEFORE_CANCEL 1000

struct pg_source {
	const struct source_cfg *cfg;	/* name, url, statement_timeout */
	PGconn *conn;			/* NULL once closed */
	char **secrets;			/* strings scrubbed from every message */
	size_t nsecrets;
	char *snapshot;			/* pg_current_snapshot() text, or NULL */
	bool in_tx;			/* the consistent cut is open */
	bool lost;			/* the connection is gone for good */
};

/* ---- messages --------------------------------------------------------- */

static void add_secret(struct pg_source *ps, const char *s, size_t len)
{
	if (!s || len == 0)
		return;
	ps->secrets = xrealloc(ps->secrets, (ps->nsecrets + 1) * sizeof(*ps->secrets));
	ps->secrets[ps->nsecrets] = xmalloc(len + 1);
	memcpy(ps->secrets[ps->nsecrets], s, len);
	ps->secrets[ps->nsecrets][len] = '\0';
	ps->nsecrets++;
}

/* Append raw to sb with runs of whitespace (libpq's messages span lines
 * with tabs) folded into one space and the ends trimmed. */
static void add_folded(struct strbuf *sb, const char *raw)
{
	bool space = false, any = false;

	for (; raw && *raw; raw++) {
		if (*raw == ' ' || *raw == '\n' || *raw == '\t' || *raw == '\r') {
			space = any;
			continue;
		}
		if (space)
			sb_putc(sb, ' ');
		sb_putc(sb, *raw);
		space = false;
		any = true;
	}
}

/* Replace every occurrence of every secret in sb by "***". */
static void scrub(const struct pg_source *ps, struct strbuf *sb)
{
	struct strbuf out;
	const char *p, *hit;
	size_t i, len;

	for (i = 0; ps && i < ps->nsecrets; i++) {
		len = strlen(ps->secrets[i]);
		if (!strstr(sb->buf, ps->secrets[i]))
			continue;
		sb_init(&out);
		for (p = sb->buf; (hit = strstr(p, ps->secrets[i])); p = hit + len) {
			sb_add(&out, p, (size_t)(hit - p));
			sb_puts(&out, "***");
		}
		sb_puts(&out, p);
		sb_release(sb);
		*sb = out;
	}
}

/* The one way a message leaves this file: prefix, then libpq's or the
 * server's text folded onto one line, then suffix, scrubbed.  Returns -1. */
static int pg_error(const struct pg_source *ps, struct diag *d, const char *prefix,
		    const char *raw, const char *suffix)
{
	struct strbuf sb;
	int ret;

	sb_init(&sb);
	sb_puts(&sb, prefix);
	add_folded(&sb, raw);
	sb_puts(&sb, suffix ? suffix : "");
	scrub(ps, &sb);
	ret = diag_error(d, "%s", sb.buf);
	sb_release(&sb);
	return ret;
}

/* libpq prints NOTICE and WARNING messages on stderr by default; a check's
 * notices are not recon's output. */
static void ignore_notice(void *arg, const char *message)
{
	(void)arg;
	(void)message;
}

/* ---- connecting ------------------------------------------------------- */

/* Learn the password as it is written in a URI (percent-encoded, so
 * possibly unlike the parsed value): the userinfo after ':' and any
 * password= query parameter. */
static void uri_secrets(struct pg_source *ps, const char *url)
{
	const char *p, *auth, *end, *at = NULL, *colon, *q;

	if (strncmp(url, "postgresql://", 13) && strncmp(url, "postgres://", 11))
		return;
	auth = strstr(url, "://") + 3;
	end = auth + strcspn(auth, "/?");
	for (p = auth; p < end; p++)
		if (*p == '@')
			at = p;
	if (at) {
		colon = memchr(auth, ':', (size_t)(at - auth));
		if (colon)
			add_secret(ps, colon + 1, (size_t)(at - colon - 1));
	}
	for (q = strchr(url, '?'); q; q = strchr(q + 1, '&')) {
		if (!strncmp(q + 1, "password=", 9))
			add_secret(ps, q + 10, strcspn(q + 10, "&"));
	}
}

/* libpq's reason a connection string does not parse may quote pieces of
 * it; keep the reason but blank every quoted piece, except one punctuation
 * character (missing "=" after "..."). */
static int parse_error(const struct pg_source *ps, struct diag *d, const char *reason)
{
	struct strbuf sb;
	const char *p, *close;
	char prefix[256];
	int ret;

	sb_init(&sb);
	for (p = reason ? reason : "unknown reason"; *p; p++) {
		if (*p != '"' || !(close = strchr(p + 1, '"'))) {
			sb_putc(&sb, *p);
			continue;
		}
		if (close == p + 2 && strchr("=&?@:/", p[1]))
			sb_add(&sb, p, 3);
		else
			sb_puts(&sb, "\"...\"");
		p = close;
	}
	snprintf(prefix, sizeof(prefix), "source '%s': invalid connection string: ",
		 ps->cfg->name);
	ret = pg_error(ps, d, prefix, sb.buf, NULL);
	sb_release(&sb);
	return ret;
}

/* Run one command whose result has no rows (BEGIN, SET, SAVEPOINT). */
static int exec_command(struct pg_source *ps, const char *sql, struct diag *d)
{
	PGresult *r = PQexec(ps->conn, sql);
	char prefix[256];
	int ret = 0;

	if (PQresultStatus(r) != PGRES_COMMAND_OK && PQresultStatus(r) != PGRES_TUPLES_OK) {
		if (PQstatus(ps->conn) == CONNECTION_BAD) {
			ps->lost = true;
			snprintf(prefix, sizeof(prefix), "source '%s': connection lost: ",
				 ps->cfg->name);
		} else {
			snprintf(prefix, sizeof(prefix), "source '%s': %.40s: ", ps->cfg->name,
				 sql);
		}
		ret = pg_error(ps, d, prefix, PQerrorMessage(ps->conn), NULL);
	}
	PQclear(r);
	return ret;
}

/*
 * Connect to cfg->url (or the connection string in the environment
 * variable it names as "env:VAR").  On success *out owns the connection;
 * on failure *out is NULL and d says why, naming the source and never the
 * connection string or the password.
 */
int pg_source_open(struct pg_source **out, const struct source_cfg *cfg, struct diag *d)
{
	/* recon's defaults; the connection string overrides any of them */
	static const char *const defaults[][2] = {
		{ "connect_timeout", "10" },
		{ "keepalives", "1" },
		{ "keepalives_idle", "30" },
		{ "keepalives_interval", "10" },
		{ "keepalives_count", "3" },
		{ "client_encoding", "UTF8" },
		{ "fallback_application_name", "recon" },
	};
	const size_t ndefaults = sizeof(defaults) / sizeof(defaults[0]);
	struct pg_source *ps = xcalloc(1, sizeof(*ps));
	PQconninfoOption *opts = NULL, *o;
	const char **keys = NULL, **vals = NULL;
	const char *url = cfg->url ? cfg->url : "", *env;
	char *err = NULL, prefix[256], sql[128];
	size_t n = 0, i;
	bool given;
	int ret = 0;

	*out = NULL;
	ps->cfg = cfg;
	if (!strncmp(url, "env:", 4)) {
		url = getenv(url + 4);
		if (!url || !*url) {
			ret = diag_error(d, "source '%s': environment variable %s is not set",
					 cfg->name, cfg->url + 4);
			goto out;
		}
	}
	if ((env = getenv("PGPASSWORD")))
		add_secret(ps, env, strlen(env));
	uri_secrets(ps, url);
	opts = PQconninfoParse(url, &err);
	if (!opts) {
		ret = parse_error(ps, d, err);
		goto out;
	}
	for (o = opts; o->keyword; o++)
		if (o->val && !strcmp(o->keyword, "password"))
			add_secret(ps, o->val, strlen(o->val));

	/* the parsed options, then each default the string did not give */
	for (o = opts; o->keyword; o++)
		n++;
	keys = xcalloc(n + ndefaults + 1, sizeof(*keys));
	vals = xcalloc(n + ndefaults + 1, sizeof(*vals));
	n = 0;
	for (o = opts; o->keyword; o++) {
		if (!o->val)
			continue;
		keys[n] = o->keyword;
		vals[n++] = o->val;
	}
	for (i = 0; i < ndefaults; i++) {
		given = false;
		for (o = opts; o->keyword; o++)
			if (o->val && !strcmp(o->keyword, defaults[i][0]))
				given = true;
		if (given)
			continue;
		keys[n] = defaults[i][0];
		vals[n++] = defaults[i][1];
	}
	ps->conn = PQconnectdbParams(keys, vals, 0);
	if (!ps->conn) {
		ret = diag_error(d, "source '%s': cannot connect: out of memory", cfg->name);
		goto out;
	}
	if (PQstatus(ps->conn) != CONNECTION_OK) {
		snprintf(prefix, sizeof(prefix), "source '%s': cannot connect: ", cfg->name);
		ret = pg_error(ps, d, prefix, PQerrorMessage(ps->conn), NULL);
		goto out;
	}
	PQsetNoticeProcessor(ps->conn, ignore_notice, NULL);
	/* read-only and bounded from the first query on, ready polls included */
	if (exec_command(ps, "SET default_transaction_read_only = on", d) < 0) {
		ret = -1;
		goto out;
	}
	if (cfg->statement_timeout > 0) {
		snprintf(sql, sizeof(sql), "SET statement_timeout = %lld",
			 (long long)cfg->statement_timeout * 1000);
		if (exec_command(ps, sql, d) < 0) {
			ret = -1;
			goto out;
		}
	}
out:
	if (opts)
		PQconninfoFree(opts);
	if (err)
		PQfreemem(err);
	free(keys);
	free(vals);
	if (ret < 0)
		pg_source_close(ps);
	else
		*out = ps;
	return ret;
}

/*
 * Open the sweep's consistent cut: one REPEATABLE READ, READ ONLY
 * transaction, and record its snapshot (pg_current_snapshot() on
 * PostgreSQL 13 and later, txid_current_snapshot() before).  -1 with d set
 * when the transaction cannot be opened.
 */
int pg_source_begin(struct pg_source *ps, struct diag *d)
{
	const char *fn = PQserverVersion(ps->conn) >= 130000 ? "SELECT pg_current_snapshot()::text"
							     : "SELECT txid_current_snapshot()::text";
	char sql[128], prefix[256];
	PGresult *r = NULL;
	int ret = 0;

	if (ps->lost || PQstatus(ps->conn) != CONNECTION_OK) {
		ps->lost = true;
		return diag_error(d, "source '%s': connection lost", ps->cfg->name);
	}
	if (ps->in_tx)
		return 0;
	if (exec_command(ps, "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY", d) < 0)
		return -1;
	ps->in_tx = true;
	if (ps->cfg->statement_timeout > 0) {
		snprintf(sql, sizeof(sql), "SET LOCAL statement_timeout = %lld",
			 (long long)ps->cfg->statement_timeout * 1000);
		if (exec_command(ps, sql, d) < 0)
			return -1;
	}
	r = PQexec(ps->conn, fn);
	if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 1) {
		snprintf(prefix, sizeof(prefix), "source '%s': cannot read the snapshot: ",
			 ps->cfg->name);
		ret = pg_error(ps, d, prefix, PQerrorMessage(ps->conn), NULL);
		goto out;
	}
	free(ps->snapshot);
	ps->snapshot = xstrdup(PQgetvalue(r, 0, 0));
out:
	PQclear(r);
	return ret;
}

/* ---- queries ---------------------------------------------------------- */

/* The message of a failed query.  57014 (query_canceled) that recon did not
 * ask for is the statement timeout. */
static int query_error(struct pg_source *ps, const PGresult *r, bool cancelled,
		       struct diag *d)
{
	const char *state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
	const char *primary = r ? PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY) : NULL;
	char prefix[256], suffix[64];

	if (PQstatus(ps->conn) == CONNECTION_BAD || !state) {
		if (PQstatus(ps->conn) == CONNECTION_BAD)
			ps->lost = true;
		snprintf(prefix, sizeof(prefix), "source '%s': %s", ps->cfg->name,
			 ps->lost ? "connection lost: " : "");
		return pg_error(ps, d, prefix,
				r && *PQresultErrorMessage(r) ? PQresultErrorMessage(r)
							      : PQerrorMessage(ps->conn),
				NULL);
	}
	if (!strcmp(state, "57014") && !cancelled && ps->cfg->statement_timeout > 0)
		return diag_error(d, "statement timeout (%d s): the query was cancelled",
				  ps->cfg->statement_timeout);
	snprintf(suffix, sizeof(suffix), " (SQLSTATE %s)", state);
	return pg_error(ps, d, "SQL error: ", primary ? primary : PQresultErrorMessage(r),
			suffix);
}

/* After a query inside the cut: drop its savepoint, rolling back to it
 * first when the query failed, so the transaction stays usable. */
static int end_savepoint(struct pg_source *ps, struct diag *d)
{
	struct diag ignored;

	if (PQstatus(ps->conn) == CONNECTION_BAD) {
		ps->lost = true;
		return -1;
	}
	if (PQtransactionStatus(ps->conn) == PQTRANS_INERROR &&
	    exec_command(ps, "ROLLBACK TO SAVEPOINT recon_q", d ? d : &ignored) < 0)
		return -1;
	return exec_command(ps, "RELEASE SAVEPOINT recon_q", d ? d : &ignored);
}

/* Hand one row (or, for the header, the column names) to the sink.
 * Numbers of float and numeric columns go through format_double. */
static int give_row(const PGresult *r, const struct row_sink *sink, struct cell *cells,
		    char (*num)[32], int ncols)
{
	const char *v;
	char *end;
	double x;
	Oid t;
	int i;

	for (i = 0; i < ncols; i++) {
		if (PQgetisnull(r, 0, i)) {
			cells[i].s = NULL;
			cells[i].len = 0;
			continue;
		}
		v = PQgetvalue(r, 0, i);
		cells[i].s = v;
		cells[i].len = (size_t)PQgetlength(r, 0, i);
		t = PQftype(r, i);
		if (t == OID_FLOAT4 || t == OID_FLOAT8 || t == OID_NUMERIC) {
			x = strtod(v, &end);
			if (end != v && *end == '\0') {
				format_double(x, num[i]);
				cells[i].s = num[i];
				cells[i].len = strlen(num[i]);
			}
		}
	}
	return sink->row(sink->ctx, (size_t)ncols, cells);
}

static int give_header(const PGresult *r, const struct row_sink *sink)
{
	const char **names;
	int i, n = PQnfields(r), rc = 0;

	if (!sink->header)
		return 0;
	names = xcalloc((size_t)n + 1, sizeof(*names));
	for (i = 0; i < n; i++)
		names[i] = PQfname(r, i);
	rc = sink->header(sink->ctx, (size_t)n, names);
	free(names);
	return rc;
}

/* Ask the server to stop the running query (a sink stopped early on a long
 * result); its error that follows is expected. */
static void cancel_query(struct pg_source *ps)
{
	PGcancel *c = PQgetCancel(ps->conn);
	char buf[256];

	if (c) {
		PQcancel(c, buf, sizeof(buf));
		PQfreeCancel(c);
	}
}

/* Leave a COPY the check's SQL started: read and drop what the server
 * sends, or refuse to send anything, until the server's own result. */
static void end_copy(struct pg_source *ps, ExecStatusType st)
{
	char *buf;

	if (st == PGRES_COPY_OUT) {
		while (PQgetCopyData(ps->conn, &buf, 0) > 0)
			PQfreemem(buf);
	} else {
		PQputCopyEnd(ps->conn, "recon sends no COPY data");
	}
}

/*
 * Run sql (one statement) and stream its rows into sink: header first,
 * then each row, cells valid during the call.  Inside the cut the query
 * runs under SAVEPOINT recon_q, so its failure leaves the transaction
 * usable.  Returns 0 (also when the sink stopped early), or -1 with d set:
 * "SQL error: MESSAGE (SQLSTATE XXXXX)", "statement timeout (N s): ...",
 * "source 'NAME': connection lost...", or the sink's own message.
 */
int pg_source_query(struct pg_source *ps, const char *sql, const struct row_sink *sink,
		    struct diag *d)
{
	PGresult *r = NULL;
	ExecStatusType st;
	struct cell *cells = NULL;
	char (*num)[32] = NULL;
	bool headed = false, stopped = false, cancelled = false, failed = false;
	long drained = 0;
	int ncols = 0, rc, ret = 0;

	if (ps->lost || PQstatus(ps->conn) != CONNECTION_OK) {
		ps->lost = true;
		return diag_error(d, "source '%s': connection lost", ps->cfg->name);
	}
	if (ps->in_tx && exec_command(ps, "SAVEPOINT recon_q", d) < 0)
		return -1;
	if (!PQsendQueryParams(ps->conn, sql, 0, NULL, NULL, NULL, NULL, 0)) {
		ret = query_error(ps, NULL, false, d);
		failed = true;
	} else {
		/* fails only when called at the wrong time; rows then come whole */
		(void)PQsetSingleRowMode(ps->conn);
	}
	while (!failed && (r = PQgetResult(ps->conn))) {
		st = PQresultStatus(r);
		if (st == PGRES_SINGLE_TUPLE || st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK) {
			if (!headed && !stopped) {
				headed = true;
				ncols = PQnfields(r);
				cells = xcalloc((size_t)ncols + 1, sizeof(*cells));
				num = xcalloc((size_t)ncols + 1, sizeof(*num));
				if ((rc = give_header(r, sink)) != 0) {
					stopped = true;
					ret = rc < 0 ? -1 : 0;
				}
			}
			if (st == PGRES_SINGLE_TUPLE && !stopped &&
			    (rc = give_row(r, sink, cells, num, ncols)) != 0) {
				stopped = true;
				ret = rc < 0 ? -1 : 0;
			} else if (st == PGRES_SINGLE_TUPLE && stopped && !cancelled &&
				   ++drained > DRAIN_BEFORE_CANCEL) {
				cancel_query(ps);
				cancelled = true;
			}
		} else if (st == PGRES_COPY_OUT || st == PGRES_COPY_IN || st == PGRES_COPY_BOTH) {
			end_copy(ps, st);
			if (!stopped && ret == 0)
				ret = diag_error(d, "SQL error: COPY is not supported in a check");
		} else if (st == PGRES_EMPTY_QUERY) {
			if (!stopped && ret == 0)
				ret = diag_error(d, "SQL error: empty query");
		} else if (!stopped && ret == 0) {
			ret = query_error(ps, r, cancelled, d);
		}
		PQclear(r);
		r = NULL;
		if (PQstatus(ps->conn) == CONNECTION_BAD) {
			ps->lost = true;
			if (ret == 0 && !stopped)
				ret = diag_error(d, "source '%s': connection lost", ps->cfg->name);
			break;
		}
	}
	if (ps->in_tx && !ps->lost && end_savepoint(ps, ret < 0 ? NULL : d) < 0 && ret == 0)
		ret = -1;
	free(cells);
	free(num);
	return ret;
}

const char *pg_source_snapshot(const struct pg_source *ps)
{
	return ps ? ps->snapshot : NULL;
}

/* End the transaction (a read-only one: nothing to commit) and free
 * everything.  NULL is a no-op. */
void pg_source_close(struct pg_source *ps)
{
	size_t i;

	if (!ps)
		return;
	if (ps->conn) {
		if (ps->in_tx && PQstatus(ps->conn) == CONNECTION_OK)
			PQclear(PQexec(ps->conn, "ROLLBACK"));
		PQfinish(ps->conn);
	}
	for (i = 0; i < ps->nsecrets; i++)
		free(ps->secrets[i]);
	free(ps->secrets);
	free(ps->snapshot);
	free(ps);
}
