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
 * written in a URI, and PGPASSWORD) before it leaves the source.  A URI
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
 *
 * Connecting, the transaction, the bounded waits and the messages are
 * here; the queries, COPY streaming and the values' text are in
 * source_pg_query.c; source_pg_int.h holds what the two share.
 */
#include "source_pg_int.h"

/* The longest wait for a lock, when nothing else sets one. */
#define LOCK_TIMEOUT_MS 60000L
/* A reply may come this much after the statement_timeout, at most. */
#define REPLY_SLACK_MS 30000L
/* The longest wait for a reply to the session's setup commands. */
#define SETUP_REPLY_MS 30000

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

/* The one way a message leaves the source: prefix, then libpq's or the
 * server's text folded onto one line, then suffix, scrubbed.  Returns -1. */
int pg_error(const struct pg_source *ps, struct diag *d, const char *prefix,
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
int pg_wait_input(struct pg_source *ps)
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
PGresult *pg_get_result(struct pg_source *ps)
{
	if (ps->stalled)
		return NULL;
	while (PQisBusy(ps->conn)) {
		if (pg_wait_input(ps) < 0) {
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
PGresult *pg_last_result(struct pg_source *ps, int sent)
{
	PGresult *r, *last = NULL;

	if (!sent)
		return NULL;
	while ((r = pg_get_result(ps))) {
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
	return pg_last_result(ps, PQsendQuery(ps->conn, sql));
}

/* The message of a connection that is gone: stalled or lost.  -1. */
int pg_lost_error(const struct pg_source *ps, struct diag *d)
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
int pg_exec_command(struct pg_source *ps, const char *sql, struct diag *d)
{
	PGresult *r = exec_bounded(ps, sql);
	char prefix[256];
	int ret = 0;

	if (ps->stalled) {
		ret = pg_lost_error(ps, d);
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
		pg_lost_error(ps, d);
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
		if (pg_exec_command(ps, sql, d) < 0)
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
	if (pg_exec_command(ps, "SET default_transaction_read_only = on", d) < 0) {
		ret = -1;
		goto out;
	}
	if (cfg->statement_timeout > 0) {
		snprintf(sql, sizeof(sql), "SET statement_timeout = %lld",
			 (long long)cfg->statement_timeout * 1000);
		if (pg_exec_command(ps, sql, d) < 0) {
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

	if (pg_exec_command(ps, "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY", d) < 0)
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
		ret = pg_exec_command(ps, sb.buf, d);
		sb_release(&sb);
		if (ret < 0)
			return -1;
	}
	if (ps->cfg->statement_timeout > 0) {
		snprintf(sql, sizeof(sql), "SET LOCAL statement_timeout = %lld",
			 (long long)ps->cfg->statement_timeout * 1000);
		if (pg_exec_command(ps, sql, d) < 0)
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
		return pg_lost_error(ps, d);
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
		return pg_lost_error(ps, d);
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
