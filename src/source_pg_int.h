/*
 * source_pg_int.h: what the parts of a PostgreSQL source share, for
 * source_pg*.c only: the connection and the bounded waits and messages
 * that the queries use (their contracts are at their definitions).
 * Ownership is as in source_pg.h.
 */
#ifndef RECON_SOURCE_PG_INT_H
#define RECON_SOURCE_PG_INT_H

#include "source_pg.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "interrupt.h"

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

int pg_error(const struct pg_source *ps, struct diag *d, const char *prefix,
	     const char *raw, const char *suffix);
int pg_wait_input(struct pg_source *ps);
PGresult *pg_get_result(struct pg_source *ps);
PGresult *pg_last_result(struct pg_source *ps, int sent);
int pg_lost_error(const struct pg_source *ps, struct diag *d);
int pg_exec_command(struct pg_source *ps, const char *sql, struct diag *d);

#endif
