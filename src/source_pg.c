/*
 * source_pg.c: PostgreSQL sources through libpq (see source_pg.h).
 *
 * One connection per source for the whole sweep.  pg_source_open connects
 * and makes the session read-only (default_transaction_read_only) with the
 * configured statement_timeout, so even the `ready` polls that run before
 * the cut can neither write nor hang.  pg_source_begin opens the one
 * REPEATABLE READ, READ ONLY transaction and records pg_current_snapshot()
 * as the cut's identity.  Each query inside it runs under a savepoint, so a
 * failing check rolls back to it and the next check still runs in the same
 * snapshot.  A compare that reads two sides of one source at once asks
 * for a sibling (pg_source_sibling): a second connection whose transaction
 * joins the cut through pg_export_snapshot() / SET TRANSACTION SNAPSHOT,
 * as pg_dump -j does; each connection is used by one thread at a time.
 *
 * Rows are streamed, never held whole: a statement that returns rows is
 * prepared (which also gives its column names and types) and read through
 * COPY (query) TO STDOUT, one line at a time, decoded in place; anything
 * else (and a statement COPY refuses, such as SHOW) runs in single-row
 * mode.  COPY is preferred because the server sends a result as one
 * stream of text lines, where single-row mode builds a PGresult for every
 * row; memory stays bounded either way (tests/bench/stream_bench.c
 * compares the two).
 * Queries go through the extended protocol (PQprepare, PQsendQueryParams),
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
 * written in a URI, and PGPASSWORD) before it leaves this file.  A URI
 * whose password holds an unencoded '@' is refused unread.
 *
 * Bounds: no wait is open-ended.  Statements wait for a lock at most 60 s
 * and at most half the statement_timeout (set_bounds), and every reply is
 * awaited with poll() for at most statement_timeout plus as much again
 * (30 s at most): a server that stops answering is given up ("server
 * stopped answering"), its connection never used again.  A SIGTERM or
 * SIGINT cancels every connection's query through a PGcancel made at
 * connect (interrupt.h).
 *
 * Parameters: recon binds none.  A described statement with parameters,
 * or a :name or ? that PostgreSQL refuses to parse, is an error naming
 * the parameter (source_param_error).
 */
#include "source_pg.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "interrupt.h"

#define OID_FLOAT4 700
#define OID_FLOAT8 701
#define OID_NUMERIC 1700

/* The longest wait for a lock, when nothing else sets one. */
#define LOCK_TIMEOUT_MS 60000L
/* A reply may come this much after the statement_timeout, at most. */
#define REPLY_SLACK_MS 30000L
/* The longest wait for a reply to the session's setup commands. */
#define SETUP_REPLY_MS 30000

/* Rows read after a sink stopped before the query is cancelled instead. */
#define DRAIN_BEFORE_CANCEL 1000

struct pg_source {
	const struct source_cfg *cfg;	/* name, url, statement_timeout */
	PGconn *conn;			/* NULL once closed */
	long statement_ms;		/* the session's statement_timeout, 0 none */
	long lock_ms;			/* the session's lock_timeout, 0 none */
	int reply_ms;			/* longest wait for a byte, -1 unbounded */
	bool stalled;			/* the server stopped answering */
	PGcancel *cancel;		/* made at connect, for any thread or signal */
	int cancel_slot;		/* interrupt_add_cancel's, or -1 */
	char **secrets;			/* strings scrubbed from every message */
	size_t nsecrets;
	char *snapshot;			/* pg_current_snapshot() text, or NULL */
	char *exported;			/* pg_export_snapshot() of the cut, or NULL */
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

/* ---- waiting for the server, boundedly --------------------------------- */

/* Wait until the server sends something.  A server that sends nothing for
 * reply_ms (frozen, or a network that drops packets without a reset) is
 * given up: -1, the connection marked stalled and lost, and never used
 * again (not even for a ROLLBACK that would wait as long). */
static int wait_input(struct pg_source *ps)
{
	struct pollfd pfd = { PQsocket(ps->conn), POLLIN, 0 };
	double start = monotonic_seconds(), left;
	int rc;

	if (pfd.fd < 0)
		return -1;
	for (;;) {
		left = ps->reply_ms < 0 ? -1 : ps->reply_ms - (monotonic_seconds() - start) * 1000;
		if (ps->reply_ms >= 0 && left < 0)
			left = 0;
		rc = poll(&pfd, 1, left < 0 ? -1 : (int)left);
		if (rc > 0)
			return 0;
		if (rc == 0) {
			ps->stalled = true;
			ps->lost = true;
			return -1;
		}
		if (errno != EINTR)
			return -1;
	}
}

/* The next result of the command in flight, as PQgetResult, without
 * waiting past the reply deadline: NULL (as at the end) once stalled. */
static PGresult *get_result(struct pg_source *ps)
{
	if (ps->stalled)
		return NULL;
	while (PQisBusy(ps->conn)) {
		if (wait_input(ps) < 0) {
			if (ps->stalled)
				return NULL;
			break;	/* the socket failed: libpq says so next */
		}
		if (!PQconsumeInput(ps->conn))
			break;
	}
	return PQgetResult(ps->conn);
}

/* The last result of a command sent with sent (the outcome of PQsend*),
 * as PQexec and PQprepare give it; NULL when it could not be sent or the
 * server stalled (the caller's error path reads PQerrorMessage or
 * ps->stalled). */
static PGresult *last_result(struct pg_source *ps, int sent)
{
	PGresult *r, *last = NULL;

	if (!sent)
		return NULL;
	while ((r = get_result(ps))) {
		/* the first error is the one to tell */
		if (last && PQresultStatus(last) == PGRES_FATAL_ERROR) {
			PQclear(r);
			continue;
		}
		PQclear(last);
		last = r;
	}
	if (ps->stalled) {
		PQclear(last);
		return NULL;
	}
	return last;
}

static PGresult *exec_bounded(struct pg_source *ps, const char *sql)
{
	return last_result(ps, PQsendQuery(ps->conn, sql));
}

/* The message of a connection that is gone: stalled or lost.  -1. */
static int lost_error(const struct pg_source *ps, struct diag *d)
{
	if (ps->stalled)
		return diag_error(d, "source '%s': server stopped answering: nothing received "
				  "for %d s; the connection was given up", ps->cfg->name,
				  (ps->reply_ms + 999) / 1000);
	return diag_error(d, "source '%s': connection lost", ps->cfg->name);
}

/* ---- connecting ------------------------------------------------------- */

/* Learn the password as it is written in a URI (percent-encoded, so
 * possibly unlike the parsed value): the userinfo after ':' and any
 * password= query parameter.  Returns how many '@' the authority holds:
 * more than one is a password (or user) with an unencoded '@', which
 * libpq splits at the first, taking the rest for the host name and
 * printing it in its messages. */
static int uri_secrets(struct pg_source *ps, const char *url)
{
	const char *p, *auth, *end, *at = NULL, *colon, *q;
	int nat = 0;

	if (strncmp(url, "postgresql://", 13) && strncmp(url, "postgres://", 11))
		return 0;
	auth = strstr(url, "://") + 3;
	end = auth + strcspn(auth, "/?");
	for (p = auth; p < end; p++) {
		if (*p == '@') {
			at = p;
			nat++;
		}
	}
	if (at) {
		colon = memchr(auth, ':', (size_t)(at - auth));
		if (colon)
			add_secret(ps, colon + 1, (size_t)(at - colon - 1));
		/* each piece between the '@'s too, as libpq may quote one */
		for (p = auth; nat > 1 && (q = memchr(p, '@', (size_t)(at - p))); p = q + 1)
			if (p != auth)
				add_secret(ps, p, (size_t)(q - p));
		if (nat > 1)
			add_secret(ps, p, (size_t)(at - p));
	}
	for (q = strchr(url, '?'); q; q = strchr(q + 1, '&')) {
		if (!strncmp(q + 1, "password=", 9))
			add_secret(ps, q + 10, strcspn(q + 10, "&"));
	}
	return nat;
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
	PGresult *r = exec_bounded(ps, sql);
	char prefix[256];
	int ret = 0;

	if (ps->stalled) {
		ret = lost_error(ps, d);
	} else if (PQresultStatus(r) != PGRES_COMMAND_OK && PQresultStatus(r) != PGRES_TUPLES_OK) {
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

/* The one value of a one-row query run in the transaction, copied; NULL
 * with d set ("source 'NAME': WHAT: ..."). */
static char *exec_value(struct pg_source *ps, const char *sql, const char *what,
			struct diag *d)
{
	PGresult *r = exec_bounded(ps, sql);
	char prefix[256], *v = NULL;

	if (ps->stalled) {
		lost_error(ps, d);
	} else if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 1 || PQnfields(r) != 1) {
		if (PQstatus(ps->conn) == CONNECTION_BAD)
			ps->lost = true;
		snprintf(prefix, sizeof(prefix), "source '%s': %s: ", ps->cfg->name, what);
		pg_error(ps, d, prefix, PQerrorMessage(ps->conn), NULL);
	} else {
		v = xstrdup(PQgetvalue(r, 0, 0));
	}
	PQclear(r);
	return v;
}

/* A setting of the session in milliseconds (pg_settings' unit for both
 * timeouts); -1 with d set on error. */
static long setting_ms(struct pg_source *ps, const char *name, struct diag *d)
{
	char sql[128], *v;
	long ms;

	snprintf(sql, sizeof(sql), "SELECT setting FROM pg_catalog.pg_settings WHERE name = '%s'",
		 name);
	if (!(v = exec_value(ps, sql, "cannot read the session's settings", d)))
		return -1;
	ms = atol(v);
	free(v);
	return ms;
}

/*
 * Bound every wait of the session.  A statement waits for a lock at most
 * LOCK_TIMEOUT_MS, and at most half its statement_timeout (so a lock is
 * reported as one, not as a timeout), unless the server, the role, the
 * database or the connection string already set a lock_timeout.  A reply
 * is awaited at most statement_timeout plus as much again (30 s at most),
 * after which the server is taken to have stopped answering; without a
 * statement_timeout, only the TCP keepalives bound the wait.
 */
static int set_bounds(struct pg_source *ps, struct diag *d)
{
	char sql[128];
	long lock;

	ps->reply_ms = SETUP_REPLY_MS;
	if ((ps->statement_ms = setting_ms(ps, "statement_timeout", d)) < 0 ||
	    (ps->lock_ms = setting_ms(ps, "lock_timeout", d)) < 0)
		return -1;
	if (ps->lock_ms == 0) {
		lock = LOCK_TIMEOUT_MS;
		if (ps->statement_ms > 0 && ps->statement_ms / 2 < lock)
			lock = ps->statement_ms / 2 > 0 ? ps->statement_ms / 2 : 1;
		snprintf(sql, sizeof(sql), "SET lock_timeout = %ld", lock);
		if (exec_command(ps, sql, d) < 0)
			return -1;
		ps->lock_ms = lock;
	}
	if (ps->statement_ms > 0)
		ps->reply_ms = (int)(ps->statement_ms +
				     (ps->statement_ms < REPLY_SLACK_MS ? ps->statement_ms
									: REPLY_SLACK_MS));
	else
		ps->reply_ms = -1;
	return 0;
}

/* In the signal handler: PQcancel is async-signal-safe. */
static void cancel_on_signal(void *arg)
{
	char buf[256];

	PQcancel(arg, buf, sizeof(buf));
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
	ps->cancel_slot = -1;
	ps->reply_ms = SETUP_REPLY_MS;
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
	if (uri_secrets(ps, url) > 1) {
		ret = diag_error(d, "source '%s': invalid connection string: the URI has more "
				 "than one '@' before its host; write an '@' of the user name or "
				 "password as %%40", cfg->name);
		goto out;
	}
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
	/* a SIGTERM or SIGINT cancels what runs on the server */
	if ((ps->cancel = PQgetCancel(ps->conn)))
		ps->cancel_slot = interrupt_add_cancel(cancel_on_signal, ps->cancel);
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
	if (set_bounds(ps, d) < 0)
		ret = -1;
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

/* Open the REPEATABLE READ, READ ONLY transaction; when snapshot is not
 * NULL, join that exported snapshot (SET TRANSACTION SNAPSHOT must be the
 * transaction's first statement). */
static int open_tx(struct pg_source *ps, const char *snapshot, struct diag *d)
{
	char sql[128], *lit;
	struct strbuf sb;
	int ret;

	if (exec_command(ps, "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY", d) < 0)
		return -1;
	ps->in_tx = true;
	if (snapshot) {
		lit = PQescapeLiteral(ps->conn, snapshot, strlen(snapshot));
		if (!lit)
			return diag_error(d, "source '%s': cannot quote the snapshot identifier",
					  ps->cfg->name);
		sb_init(&sb);
		sb_puts(&sb, "SET TRANSACTION SNAPSHOT ");
		sb_puts(&sb, lit);
		PQfreemem(lit);
		ret = exec_command(ps, sb.buf, d);
		sb_release(&sb);
		if (ret < 0)
			return -1;
	}
	if (ps->cfg->statement_timeout > 0) {
		snprintf(sql, sizeof(sql), "SET LOCAL statement_timeout = %lld",
			 (long long)ps->cfg->statement_timeout * 1000);
		if (exec_command(ps, sql, d) < 0)
			return -1;
	}
	return 0;
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
	char *snap;

	if (ps->lost || PQstatus(ps->conn) != CONNECTION_OK) {
		ps->lost = true;
		return lost_error(ps, d);
	}
	if (ps->in_tx)
		return 0;
	if (open_tx(ps, NULL, d) < 0)
		return -1;
	if (!(snap = exec_value(ps, fn, "cannot read the snapshot", d)))
		return -1;
	free(ps->snapshot);
	ps->snapshot = snap;
	return 0;
}

/*
 * A second connection in the same cut (see source_pg.h): the first call
 * exports ps's snapshot (pg_export_snapshot(), valid while ps's
 * transaction lasts), each call connects anew and joins it, as pg_dump -j
 * does.  The sibling shares ps's configuration and learns the same secrets
 * (it parses the same connection string), so its messages are scrubbed
 * alike.
 */
int pg_source_sibling(struct pg_source *ps, struct pg_source **out, struct diag *d)
{
	struct pg_source *sib = NULL;

	*out = NULL;
	if (ps->lost || PQstatus(ps->conn) != CONNECTION_OK) {
		ps->lost = true;
		return lost_error(ps, d);
	}
	if (!ps->in_tx)
		return diag_error(d, "source '%s': no consistent cut to share yet",
				  ps->cfg->name);
	if (!ps->exported &&
	    !(ps->exported = exec_value(ps, "SELECT pg_export_snapshot()",
					"cannot export the snapshot", d)))
		return -1;
	if (pg_source_open(&sib, ps->cfg, d) < 0)
		return -1;
	if (open_tx(sib, ps->exported, d) < 0) {
		pg_source_close(sib);
		return -1;
	}
	sib->snapshot = ps->snapshot ? xstrdup(ps->snapshot) : NULL;
	*out = sib;
	return 0;
}

bool pg_source_lost(const struct pg_source *ps)
{
	return ps->lost || PQstatus(ps->conn) != CONNECTION_OK;
}

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
		return lost_error(ps, d);
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

	while ((r = get_result(st->ps))) {
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
		if (wait_input(ps) < 0 || !PQconsumeInput(ps->conn))
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
	PGresult *r = last_result(ps, PQsendPrepare(ps->conn, "", sql, 0, NULL));
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
	r = last_result(ps, PQsendDescribePrepared(ps->conn, ""));
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
	while ((r = get_result(st->ps))) {
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
	r = get_result(st->ps);
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
 * connection lost...", or the sink's own message.
 */
int pg_source_query(struct pg_source *ps, const char *sql, const struct row_sink *sink,
		    struct diag *d)
{
	struct stream st;
	PGresult *desc = NULL;
	bool retry = false;

	memset(&st, 0, sizeof(st));
	st.ps = ps;
	st.sink = sink;
	st.d = d;
	if (ps->lost || PQstatus(ps->conn) != CONNECTION_OK) {
		ps->lost = true;
		return lost_error(ps, d);
	}
	if (ps->in_tx && exec_command(ps, "SAVEPOINT recon_q", d) < 0)
		return -1;
	if ((st.ret = describe(ps, sql, "query", &desc, d)) < 0)
		goto out;
	stream_init(&st, desc);
	if (st.ncols > 0)
		stream_copy(&st, sql, desc, &retry);
	/* the refused COPY aborted the transaction: back to the savepoint */
	if (retry && ps->in_tx &&
	    (end_savepoint(ps, d) < 0 || exec_command(ps, "SAVEPOINT recon_q", d) < 0))
		st.ret = -1;
	if (st.ret == 0 && !ps->lost && (st.ncols == 0 || retry))
		stream_single_rows(&st, sql);
	if (PQstatus(ps->conn) == CONNECTION_BAD)
		ps->lost = true;
	if (ps->lost && st.ret == 0 && (!st.stopped || ps->stalled))
		st.ret = lost_error(ps, d);
out:
	PQclear(desc);
	stream_release(&st);
	if (ps->in_tx && !ps->lost && end_savepoint(ps, st.ret < 0 ? NULL : d) < 0 && st.ret == 0)
		st.ret = -1;
	return st.ret;
}

/* Contract in source_pg.h. */
int pg_source_prepare(struct pg_source *ps, const char *sql, const char *what,
		      struct source_columns *cols, struct diag *d)
{
	PGresult *desc = NULL;
	int ret, i;

	if (ps->lost || PQstatus(ps->conn) != CONNECTION_OK) {
		ps->lost = true;
		return lost_error(ps, d);
	}
	if (ps->in_tx && exec_command(ps, "SAVEPOINT recon_q", d) < 0)
		return -1;
	ret = describe(ps, sql, what, &desc, d);
	if (ret == 0 && cols) {
		cols->n = (size_t)PQnfields(desc);
		cols->names = xcalloc(cols->n + 1, sizeof(*cols->names));
		for (i = 0; i < (int)cols->n; i++)
			cols->names[i] = xstrdup(PQfname(desc, i));
	}
	PQclear(desc);
	if (ps->in_tx && !ps->lost && end_savepoint(ps, ret < 0 ? NULL : d) < 0 && ret == 0)
		ret = -1;
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
	interrupt_remove_cancel(ps->cancel_slot);
	if (ps->cancel)
		PQfreeCancel(ps->cancel);
	if (ps->conn) {
		if (ps->in_tx && !ps->lost && PQstatus(ps->conn) == CONNECTION_OK)
			PQclear(exec_bounded(ps, "ROLLBACK"));
		PQfinish(ps->conn);
	}
	for (i = 0; i < ps->nsecrets; i++)
		free(ps->secrets[i]);
	free(ps->secrets);
	free(ps->snapshot);
	free(ps->exported);
	free(ps);
}
