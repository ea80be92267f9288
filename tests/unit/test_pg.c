/*
 * test_pg.c: pg_source against a real, throwaway PostgreSQL server, one
 * test per rule of the contract that source_pg.c implements.
 *
 * The server is the one tests/lib/pg_server.sh starts: in RECON_PG_DIR when set
 * (already running), else this program starts one in a fresh directory
 * under /tmp and stops it at the end (run from the repository root, as
 * `make unit` does).  Without server binaries the suite says so and fails.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <libpq-fe.h>

#include "source_bisect.h"
#include "source_pg.h"

#define PASSWORD "r3con-Test-Pw!"

static char pgdir[256];
static char admin_url[512];

/* ---- helpers ---------------------------------------------------------- */

struct collect {
	struct strbuf out;	/* "a|b\n" per row, header first as "#a|b\n" */
	long rows;
	long stop_after;	/* stop (return 1) after this many rows; 0: never */
};

static int c_header(void *ctx, size_t n, const char *const *names)
{
	struct collect *c = ctx;
	size_t i;

	sb_putc(&c->out, '#');
	for (i = 0; i < n; i++)
		sb_addf(&c->out, "%s%s", i ? "|" : "", names[i]);
	sb_putc(&c->out, '\n');
	return 0;
}

static int c_row(void *ctx, size_t n, const struct cell *cells)
{
	struct collect *c = ctx;
	size_t i;

	c->rows++;
	if (c->out.len < 4096) {
		for (i = 0; i < n; i++) {
			sb_puts(&c->out, i ? "|" : "");
			if (cells[i].s)
				sb_add(&c->out, cells[i].s, cells[i].len);
			else
				sb_puts(&c->out, "<NULL>");
		}
		sb_putc(&c->out, '\n');
	}
	return c->stop_after && c->rows >= c->stop_after ? 1 : 0;
}

static struct source_cfg cfg_of(const char *url, int timeout)
{
	struct source_cfg cfg = { "db", SOURCE_POSTGRES, NULL, url, timeout, 1 };

	return cfg;
}

/* Run sql; returns the collected text (caller frees) or NULL with d set. */
static char *run(struct pg_source *ps, const char *sql, struct diag *d)
{
	struct collect c = { { NULL, 0, 0, 0, false }, 0, 0 };
	struct row_sink sink = { c_header, c_row, &c };

	sb_init(&c.out);
	if (pg_source_query(ps, sql, &sink, d) < 0) {
		sb_release(&c.out);
		return NULL;
	}
	return sb_detach(&c.out, NULL);
}

static void quiet(void *arg, const char *message)
{
	(void)arg;
	(void)message;
}

static void admin(const char *sql)
{
	PGconn *c = PQconnectdb(admin_url);
	PGresult *r;

	ck_assert_msg(PQstatus(c) == CONNECTION_OK, "admin: %s", PQerrorMessage(c));
	PQsetNoticeProcessor(c, quiet, NULL);
	r = PQexec(c, sql);
	ck_assert_msg(PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK,
		      "admin %s: %s", sql, PQerrorMessage(c));
	PQclear(r);
	PQfinish(c);
}

static struct pg_source *open_admin(int timeout, struct source_cfg *cfg)
{
	struct pg_source *ps = NULL;
	struct diag d = { "" };

	*cfg = cfg_of(admin_url, timeout);
	ck_assert_msg(pg_source_open(&ps, cfg, &d) == 0, "open: %s", d.msg);
	return ps;
}

/* ---- tests ------------------------------------------------------------ */

START_TEST(values_read_like_the_csv_export)
{
	struct source_cfg cfg;
	struct pg_source *ps = open_admin(0, &cfg);
	struct diag d = { "" };
	char *out;

	ck_assert_int_eq(pg_source_begin(ps, &d), 0);
	out = run(ps,
		  "SELECT 3.50::numeric AS n, 1000.00::numeric(10,2) AS m, 0.1::float8 AS f, "
		  "1.5::float4 AS r, 9007199254740993::int8 AS i, true AS b, false AS c, "
		  "NULL::text AS z, 'Zürich ✓'::text AS u, '2026-11-22 10:00:00'::timestamp AS ts, "
		  "'08123'::text AS lead, 'NaN'::numeric AS nan, -0.0::numeric AS negz",
		  &d);
	ck_assert_msg(out != NULL, "%s", d.msg);
	ck_assert_str_eq(out, "#n|m|f|r|i|b|c|z|u|ts|lead|nan|negz\n"
			      "3.5|1000|0.1|1.5|9007199254740993|t|f|<NULL>|Zürich ✓|"
			      "2026-11-22 10:00:00|08123|NaN|0\n");
	free(out);
	pg_source_close(ps);
}
END_TEST

START_TEST(copy_escapes_comments_and_statements_copy_refuses)
{
	struct source_cfg cfg;
	struct pg_source *ps = open_admin(0, &cfg);
	struct diag d = { "" };
	char *out;

	ck_assert_int_eq(pg_source_begin(ps, &d), 0);
	out = run(ps, "SELECT E'a\\tb\\nc\\\\d\\re' AS x, '\\N' AS y, NULL AS z, '' AS e; -- done", &d);
	ck_assert_msg(out != NULL, "%s", d.msg);
	ck_assert_str_eq(out, "#x|y|z|e\na\tb\nc\\d\re|\\N|<NULL>|\n");
	free(out);
	out = run(ps, "SHOW DateStyle", &d);
	ck_assert_msg(out != NULL, "%s", d.msg);
	ck_assert_str_eq(out, "#DateStyle\nISO, MDY\n");
	free(out);
	ck_assert_ptr_null(run(ps, "SELECT 1 / (g - 3) FROM generate_series(1, 5) g", &d));
	ck_assert_str_eq(d.msg, "SQL error: division by zero (SQLSTATE 22012)");
	ck_assert_ptr_null(run(ps, "SELECT 1) TO STDOUT; DELETE FROM pg_class; COPY (SELECT 1", &d));
	ck_assert_msg(strstr(d.msg, "SQL error: ") == d.msg, "%s", d.msg);
	out = run(ps, "SELECT 4 AS four", &d);
	ck_assert_msg(out != NULL, "%s", d.msg);
	ck_assert_str_eq(out, "#four\n4\n");
	free(out);
	pg_source_close(ps);
}
END_TEST

/* Column pairs (number, its text): the number must read as format_double
 * of the text. */
static int same_number(void *ctx, size_t n, const struct cell *cells)
{
	char want[32];
	size_t i;

	for (i = 0; i + 1 < n; i += 2) {
		format_double(strtod(cells[i + 1].s, NULL), want);
		ck_assert_msg(cells[i].len == strlen(want) && !memcmp(cells[i].s, want, cells[i].len),
			      "%s read as %.*s, not %s", cells[i + 1].s, (int)cells[i].len,
			      cells[i].s, want);
	}
	++*(long *)ctx;
	return 0;
}

START_TEST(numbers_read_as_format_double_prints_them)
{
	struct source_cfg cfg;
	struct pg_source *ps = open_admin(0, &cfg);
	long rows = 0;
	struct row_sink sink = { NULL, same_number, &rows };
	struct diag d = { "" };

	ck_assert_int_eq(pg_source_begin(ps, &d), 0);
	ck_assert_msg(pg_source_query(ps,
		"WITH v AS (SELECT round(((random() - 0.3) * 10 ^ (g % 40 - 20))::numeric, g % 25) AS n "
		"FROM generate_series(1, 200000) g "
		"UNION ALL SELECT unnest('{0,-0.00,0.0001,0.00001,-0.0001,1000.00,3.50,"
		"999999999999999,1000000000000000,123456789012345.6,0.123456789012345,"
		"0.1234567890123456,-12.25,NaN}'::numeric[])) "
		"SELECT n, n::text, n::float8, n::float8::text, n::float4, n::float4::text FROM v",
		&sink, &d) == 0, "%s", d.msg);
	ck_assert_int_eq(rows, 200014);
	pg_source_close(ps);
}
END_TEST

START_TEST(empty_result_still_has_a_header)
{
	struct source_cfg cfg;
	struct pg_source *ps = open_admin(0, &cfg);
	struct diag d = { "" };
	char *out;

	ck_assert_int_eq(pg_source_begin(ps, &d), 0);
	out = run(ps, "SELECT 1 AS a, 2 AS b WHERE false", &d);
	ck_assert_msg(out != NULL, "%s", d.msg);
	ck_assert_str_eq(out, "#a|b\n");
	free(out);
	pg_source_close(ps);
}
END_TEST

START_TEST(sql_error_names_state_and_the_cut_survives)
{
	struct source_cfg cfg;
	struct pg_source *ps = open_admin(0, &cfg);
	struct diag d = { "" };
	char *out;

	ck_assert_int_eq(pg_source_begin(ps, &d), 0);
	ck_assert_ptr_nonnull(pg_source_snapshot(ps));
	ck_assert_ptr_null(run(ps, "SELECT * FROM no_such_table", &d));
	ck_assert_str_eq(d.msg, "SQL error: relation \"no_such_table\" does not exist (SQLSTATE 42P01)");
	out = run(ps, "SELECT 1 AS one", &d);
	ck_assert_msg(out != NULL, "%s", d.msg);
	ck_assert_str_eq(out, "#one\n1\n");
	free(out);
	pg_source_close(ps);
}
END_TEST

START_TEST(one_cut_for_every_query)
{
	struct source_cfg cfg;
	struct pg_source *ps;
	struct diag d = { "" };
	char *a, *b;

	admin("DROP TABLE IF EXISTS cut; CREATE TABLE cut (id int); INSERT INTO cut VALUES (1)");
	ps = open_admin(0, &cfg);
	ck_assert_int_eq(pg_source_begin(ps, &d), 0);
	a = run(ps, "SELECT count(*) FROM cut", &d);
	admin("INSERT INTO cut SELECT generate_series(2, 100)");
	b = run(ps, "SELECT count(*) FROM cut", &d);
	ck_assert_ptr_nonnull(a);
	ck_assert_ptr_nonnull(b);
	ck_assert_str_eq(a, "#count\n1\n");
	ck_assert_str_eq(b, a);
	free(a);
	free(b);
	pg_source_close(ps);
}
END_TEST

START_TEST(queries_before_begin_see_new_data)
{
	struct source_cfg cfg;
	struct pg_source *ps;
	struct diag d = { "" };
	char *a, *b;

	admin("DROP TABLE IF EXISTS lag; CREATE TABLE lag (id int)");
	ps = open_admin(0, &cfg);
	a = run(ps, "SELECT count(*) FROM lag", &d);
	admin("INSERT INTO lag VALUES (1)");
	b = run(ps, "SELECT count(*) FROM lag", &d);
	ck_assert_str_eq(a, "#count\n0\n");
	ck_assert_str_eq(b, "#count\n1\n");
	free(a);
	free(b);
	/* and they cannot write either */
	ck_assert_ptr_null(run(ps, "INSERT INTO lag VALUES (2) RETURNING id", &d));
	ck_assert_msg(strstr(d.msg, "read-only transaction") != NULL, "%s", d.msg);
	pg_source_close(ps);
}
END_TEST

START_TEST(writes_are_refused_and_change_nothing)
{
	struct source_cfg cfg;
	struct pg_source *ps;
	struct diag d = { "" };
	char *out;

	admin("DROP TABLE IF EXISTS ro; CREATE TABLE ro (id int); INSERT INTO ro VALUES (1)");
	ps = open_admin(0, &cfg);
	ck_assert_int_eq(pg_source_begin(ps, &d), 0);
	ck_assert_ptr_null(run(ps, "INSERT INTO ro VALUES (2) RETURNING id", &d));
	ck_assert_str_eq(d.msg, "SQL error: cannot execute INSERT in a read-only transaction "
				"(SQLSTATE 25006)");
	ck_assert_ptr_null(run(ps, "DELETE FROM ro", &d));
	ck_assert_ptr_null(run(ps, "SELECT 1; DELETE FROM ro", &d));
	ck_assert_msg(strstr(d.msg, "multiple commands") != NULL, "%s", d.msg);
	ck_assert_ptr_null(run(ps, "COPY ro TO STDOUT", &d));
	ck_assert_str_eq(d.msg, "SQL error: COPY is not supported in a check");
	out = run(ps, "SELECT count(*) FROM ro", &d);
	ck_assert_str_eq(out, "#count\n1\n");
	free(out);
	pg_source_close(ps);
}
END_TEST

START_TEST(statement_timeout_is_an_error_and_the_next_query_runs)
{
	struct source_cfg cfg;
	struct pg_source *ps = open_admin(1, &cfg);
	struct diag d = { "" };
	char *out;

	ck_assert_int_eq(pg_source_begin(ps, &d), 0);
	ck_assert_ptr_null(run(ps, "SELECT pg_sleep(3)", &d));
	ck_assert_str_eq(d.msg, "statement timeout (1 s): the query was cancelled");
	out = run(ps, "SELECT 2 AS two", &d);
	ck_assert_msg(out != NULL, "%s", d.msg);
	ck_assert_str_eq(out, "#two\n2\n");
	free(out);
	pg_source_close(ps);
}
END_TEST

START_TEST(a_sink_that_stops_early_does_not_read_everything)
{
	struct source_cfg cfg;
	struct pg_source *ps = open_admin(0, &cfg);
	struct collect c = { { NULL, 0, 0, 0, false }, 0, 1 };
	struct row_sink sink = { c_header, c_row, &c };
	struct diag d = { "" };
	struct timespec t0, t1;
	char *out;

	ck_assert_int_eq(pg_source_begin(ps, &d), 0);
	sb_init(&c.out);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	ck_assert_int_eq(pg_source_query(ps, "SELECT a FROM generate_series(1, 1000) a, "
					     "generate_series(1, 1000) b, generate_series(1, 1000) c", &sink, &d), 0);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ck_assert_int_eq(c.rows, 1);
	ck_assert_msg(t1.tv_sec - t0.tv_sec < 5, "took %ld s", (long)(t1.tv_sec - t0.tv_sec));
	sb_release(&c.out);
	out = run(ps, "SELECT 3 AS three", &d);
	ck_assert_msg(out != NULL, "%s", d.msg);
	ck_assert_str_eq(out, "#three\n3\n");
	free(out);
	pg_source_close(ps);
}
END_TEST

static int count_row(void *ctx, size_t n, const struct cell *cells)
{
	(void)n;
	(void)cells;
	++*(long *)ctx;
	return 0;
}

START_TEST(memory_does_not_grow_with_the_row_count)
{
	struct source_cfg cfg;
	struct pg_source *ps = open_admin(0, &cfg);
	long rows = 0;
	struct row_sink sink = { NULL, count_row, &rows };
	struct diag d = { "" };
	struct rusage before, after;

	ck_assert_int_eq(pg_source_begin(ps, &d), 0);
	getrusage(RUSAGE_SELF, &before);
	ck_assert_int_eq(pg_source_query(ps, "SELECT g, 'tenant-' || g % 100, g * 0.25 "
					     "FROM generate_series(1, 2000000) g", &sink, &d), 0);
	getrusage(RUSAGE_SELF, &after);
	ck_assert_int_eq(rows, 2000000);
	/* a whole result would be well over 100 MB.  Under AddressSanitizer
	 * freed memory sits in its quarantine (256 MB), so RSS says nothing. */
#ifndef __SANITIZE_ADDRESS__
	ck_assert_msg(after.ru_maxrss - before.ru_maxrss < 16 * 1024, "grew %ld kB",
		      after.ru_maxrss - before.ru_maxrss);
#endif
	pg_source_close(ps);
}
END_TEST

START_TEST(env_url_names_a_missing_variable)
{
	struct source_cfg cfg = cfg_of("env:RECON_TEST_NO_SUCH_VAR", 0);
	struct pg_source *ps = NULL;
	struct diag d = { "" };

	unsetenv("RECON_TEST_NO_SUCH_VAR");
	ck_assert_int_eq(pg_source_open(&ps, &cfg, &d), -1);
	ck_assert_ptr_null(ps);
	ck_assert_str_eq(d.msg, "source 'db': environment variable RECON_TEST_NO_SUCH_VAR is not set");
	setenv("RECON_TEST_URL", admin_url, 1);
	cfg = cfg_of("env:RECON_TEST_URL", 0);
	ck_assert_msg(pg_source_open(&ps, &cfg, &d) == 0, "%s", d.msg);
	pg_source_close(ps);
}
END_TEST

START_TEST(the_password_never_appears)
{
	static const char *const urls[] = {
		"host=@ dbname=postgres user=recon_ro password=Wr0ng" PASSWORD,
		"postgresql://recon_ro:Wr0ng%21" PASSWORD "@@/postgres",
		"postgresql:///postgres?host=@&user=recon_ro&password=Wr0ng" PASSWORD,
		"host=@/nowhere dbname=postgres user=recon_ro password=Wr0ng" PASSWORD,
		"host=@ dbname=postgres user=recon_ro password='Wr0ng" PASSWORD "' bogus",
	};
	char url[1024], esc[512];
	struct source_cfg cfg;
	struct pg_source *ps;
	struct diag d;
	struct strbuf sb;
	const char *p;
	size_t i, j, k;

	for (i = 0; i < sizeof(urls) / sizeof(urls[0]); i++) {
		const char *dir = pgdir;

		if (i == 1) {	/* a URI spells the socket directory percent-encoded */
			for (j = k = 0; pgdir[j] && k + 4 < sizeof(esc); j++) {
				if (pgdir[j] == '/') {
					memcpy(esc + k, "%2F", 3);
					k += 3;
				} else {
					esc[k++] = pgdir[j];
				}
			}
			esc[k] = '\0';
			dir = esc;
		}
		/* the last '@' of a pattern is the socket directory */
		sb_init(&sb);
		p = strrchr(urls[i], '@');
		sb_add(&sb, urls[i], (size_t)(p - urls[i]));
		sb_puts(&sb, dir);
		sb_puts(&sb, p + 1);
		snprintf(url, sizeof(url), "%s", sb.buf);
		sb_release(&sb);
		cfg = cfg_of(url, 0);
		ps = NULL;
		memset(&d, 0, sizeof(d));
		ck_assert_int_eq(pg_source_open(&ps, &cfg, &d), -1);
		if (getenv("TEST_PG_VERBOSE"))
			fprintf(stderr, "%s\n", d.msg);
		ck_assert_ptr_null(ps);
		ck_assert_msg(strncmp(d.msg, "source 'db': ", 13) == 0, "%s", d.msg);
		ck_assert_msg(strstr(d.msg, PASSWORD) == NULL, "leaked: %s", d.msg);
		ck_assert_msg(strstr(d.msg, "Wr0ng") == NULL, "leaked: %s", d.msg);
		ck_assert_msg(strstr(d.msg, "password=") == NULL, "conninfo: %s", d.msg);
		ck_assert_msg(strchr(d.msg, '\n') == NULL, "one line: %s", d.msg);
		if (i < 3)
			ck_assert_msg(strstr(d.msg, "password authentication failed") != NULL,
				      "%s", d.msg);
		if (i == 3)
			ck_assert_msg(strstr(d.msg, "No such file or directory") != NULL, "%s",
				      d.msg);
		if (i == 4)
			ck_assert_msg(strstr(d.msg, "invalid connection string") != NULL, "%s",
				      d.msg);
	}
	/* the right password connects */
	snprintf(url, sizeof(url), "host=%s dbname=postgres user=recon_ro password=%s", pgdir,
		 PASSWORD);
	cfg = cfg_of(url, 0);
	ck_assert_msg(pg_source_open(&ps, &cfg, &d) == 0, "%s", d.msg);
	ck_assert_int_eq(pg_source_begin(ps, &d), 0);
	pg_source_close(ps);
}
END_TEST

START_TEST(a_lost_connection_fails_every_later_query)
{
	struct source_cfg cfg;
	struct pg_source *ps = open_admin(0, &cfg);
	struct diag d = { "" };
	char *out;

	admin("DROP TABLE IF EXISTS lost; CREATE TABLE lost (id int)");
	ck_assert_int_eq(pg_source_begin(ps, &d), 0);
	out = run(ps, "SELECT pg_backend_pid()::text AS pid", &d);
	ck_assert_ptr_nonnull(out);
	{
		char sql[128];

		snprintf(sql, sizeof(sql), "SELECT pg_terminate_backend(%s)", out + 5);
		admin(sql);
	}
	free(out);
	ck_assert_ptr_null(run(ps, "SELECT 1", &d));
	ck_assert_msg(strstr(d.msg, "source 'db': connection lost") == d.msg, "%s", d.msg);
	ck_assert_ptr_null(run(ps, "SELECT 1", &d));
	ck_assert_str_eq(d.msg, "source 'db': connection lost");
	pg_source_close(ps);
}
END_TEST

START_TEST(a_sibling_reads_the_same_cut_on_its_own_connection)
{
	struct source_cfg cfg;
	struct pg_source *ps, *sib = NULL, *sib2 = NULL;
	struct diag d = { "" };
	char *a, *b, *pa, *pb;

	admin("DROP TABLE IF EXISTS sib; CREATE TABLE sib (id int); INSERT INTO sib VALUES (1)");
	ps = open_admin(0, &cfg);
	/* no cut yet: nothing to share */
	ck_assert_int_eq(pg_source_sibling(ps, &sib, &d), -1);
	ck_assert_ptr_null(sib);
	ck_assert_int_eq(pg_source_begin(ps, &d), 0);
	admin("INSERT INTO sib SELECT generate_series(2, 10)");
	ck_assert_int_eq(pg_source_sibling(ps, &sib, &d), 0);
	ck_assert_ptr_nonnull(sib);
	admin("INSERT INTO sib SELECT generate_series(11, 20)");
	/* a second sibling joins the same (once exported) snapshot */
	ck_assert_int_eq(pg_source_sibling(ps, &sib2, &d), 0);
	a = run(ps, "SELECT count(*), pg_current_snapshot()::text AS s FROM sib", &d);
	b = run(sib, "SELECT count(*), pg_current_snapshot()::text AS s FROM sib", &d);
	ck_assert_ptr_nonnull(a);
	ck_assert_ptr_nonnull(b);
	ck_assert_msg(!strncmp(a, "#count|s\n1|", 11), "%s", a);
	ck_assert_str_eq(b, a);
	free(b);
	b = run(sib2, "SELECT count(*), pg_current_snapshot()::text AS s FROM sib", &d);
	ck_assert_ptr_nonnull(b);
	ck_assert_str_eq(b, a);
	ck_assert_str_eq(pg_source_snapshot(sib), pg_source_snapshot(ps));
	/* two connections, and the sibling is read-only and survives errors */
	pa = run(ps, "SELECT pg_backend_pid()", &d);
	pb = run(sib, "SELECT pg_backend_pid()", &d);
	ck_assert_ptr_nonnull(pa);
	ck_assert_ptr_nonnull(pb);
	ck_assert_str_ne(pa, pb);
	ck_assert_ptr_null(run(sib, "INSERT INTO sib VALUES (0)", &d));
	ck_assert_msg(strstr(d.msg, "SQLSTATE 25006"), "%s", d.msg);
	ck_assert_ptr_null(run(sib, "SELECT nope FROM sib", &d));
	free(b);
	b = run(sib, "SELECT count(*), pg_current_snapshot()::text AS s FROM sib", &d);
	ck_assert_ptr_nonnull(b);
	ck_assert_str_eq(b, a);
	/* a sibling that loses its connection says so; the cut goes on */
	{
		char sql[128];

		snprintf(sql, sizeof(sql), "SELECT pg_terminate_backend(%s)",
			 pb + strlen("#pg_backend_pid\n"));
		admin(sql);
	}
	ck_assert_ptr_null(run(sib, "SELECT 1", &d));
	ck_assert_msg(strstr(d.msg, "source 'db': connection lost") == d.msg, "%s", d.msg);
	ck_assert(pg_source_lost(sib));
	ck_assert(!pg_source_lost(ps));
	free(b);
	b = run(ps, "SELECT count(*), pg_current_snapshot()::text AS s FROM sib", &d);
	ck_assert_ptr_nonnull(b);
	ck_assert_str_eq(b, a);
	free(a);
	free(b);
	free(pa);
	free(pb);
	pg_source_close(sib2);
	pg_source_close(sib);
	pg_source_close(ps);
}
END_TEST

/* ---- the server ------------------------------------------------------- */

static bool started;

static void server_start(void)
{
	const char *env = getenv("RECON_PG_DIR");
	char cmd[512];

	if (env && *env) {
		snprintf(pgdir, sizeof(pgdir), "%s", env);
	} else {
		snprintf(pgdir, sizeof(pgdir), "/tmp/rpg-unit.XXXXXX");
		if (!mkdtemp(pgdir)) {
			perror("mkdtemp");
			exit(1);
		}
		snprintf(cmd, sizeof(cmd), "tests/lib/pg_server.sh start %s", pgdir);
		if (system(cmd) != 0) {
			fprintf(stderr, "test_pg: cannot start a PostgreSQL server\n");
			rmdir(pgdir);
			exit(1);
		}
		started = true;
	}
	snprintf(admin_url, sizeof(admin_url), "host=%s dbname=postgres user=postgres", pgdir);
}

static void server_stop(void)
{
	char cmd[512];

	if (!started)
		return;
	snprintf(cmd, sizeof(cmd), "tests/lib/pg_server.sh stop %s", pgdir);
	if (system(cmd) != 0)
		fprintf(stderr, "test_pg: could not stop the server in %s\n", pgdir);
}

START_TEST(prepare_gives_the_columns_and_runs_nothing)
{
	struct source_cfg cfg;
	struct pg_source *ps = open_admin(0, &cfg);
	struct source_columns cols = { NULL, 0 };
	struct diag d = { "" };
	time_t t0 = time(NULL);

	ck_assert_msg(pg_source_prepare(ps, "SELECT 1 AS one, pg_sleep(5) AS slept, 'x' AS \"Mixed Case\"",
					"query", &cols, &d) == 0, "%s", d.msg);
	ck_assert_int_le(time(NULL) - t0, 2);
	ck_assert_uint_eq(cols.n, 3);
	ck_assert_str_eq(cols.names[0], "one");
	ck_assert_str_eq(cols.names[1], "slept");
	ck_assert_str_eq(cols.names[2], "Mixed Case");
	source_columns_release(&cols);
	ck_assert_int_eq(pg_source_prepare(ps, "SELECT * FROM no_such_table", "query", NULL, &d), -1);
	ck_assert_str_eq(d.msg, "SQL error: relation \"no_such_table\" does not exist (SQLSTATE 42P01)");
	pg_source_close(ps);
}
END_TEST

START_TEST(bind_parameters_are_errors_naming_them)
{
	static const struct {
		const char *sql, *msg;
	} cases[] = {
		{ "SELECT count(*) FROM pg_class WHERE relpages > $1",
		  "query has a bind parameter $1, which recon never binds; write its value in the SQL" },
		{ "SELECT $2::int AS x",
		  "query has a bind parameter $1, which recon never binds; write its value in the SQL" },
		{ "SELECT 1 WHERE now()::date = :date",
		  "query has a bind parameter :date, which recon never binds; write ${date} for the report's date" },
		{ "SELECT 1 WHERE 1 = ?",
		  "query has a bind parameter ?, which recon never binds; write its value in the SQL" },
		{ "SELECT 1 WHERE 1 = ?2",
		  "query has a bind parameter ?2, which recon never binds; write its value in the SQL" },
	};
	struct source_cfg cfg;
	struct pg_source *ps = open_admin(0, &cfg);
	struct diag d = { "" };
	char *out;
	size_t i;

	ck_assert_int_eq(pg_source_begin(ps, &d), 0);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ck_assert_int_eq(pg_source_prepare(ps, cases[i].sql, "query", NULL, &d), -1);
		ck_assert_str_eq(d.msg, cases[i].msg);
		ck_assert_ptr_null(run(ps, cases[i].sql, &d));
		ck_assert_str_eq(d.msg, cases[i].msg);
	}
	/* casts and dollar-quoted bodies are no parameters; the cut survived */
	out = run(ps, "SELECT '2026-11-22'::date AS d, $$ $1 :date ? $$ AS body, "
		      "$f$ SELECT $1 $f$ AS fn", &d);
	ck_assert_msg(out != NULL, "%s", d.msg);
	ck_assert_str_eq(out, "#d|body|fn\n2026-11-22| $1 :date ? | SELECT $1 \n");
	free(out);
	pg_source_close(ps);
}
END_TEST

/* SHOW lock_timeout on a fresh source opened with url and timeout. */
static char *lock_timeout_of(const char *url, int timeout)
{
	struct source_cfg cfg = cfg_of(url, timeout);
	struct pg_source *ps = NULL;
	struct diag d = { "" };
	char *out;

	ck_assert_msg(pg_source_open(&ps, &cfg, &d) == 0, "open: %s", d.msg);
	out = run(ps, "SHOW lock_timeout", &d);
	ck_assert_msg(out != NULL, "%s", d.msg);
	pg_source_close(ps);
	return out;
}

START_TEST(locks_are_waited_for_boundedly_unless_the_session_says)
{
	char url[700], *out;

	out = lock_timeout_of(admin_url, 0);
	ck_assert_str_eq(out, "#lock_timeout\n1min\n");
	free(out);
	out = lock_timeout_of(admin_url, 4);
	ck_assert_str_eq(out, "#lock_timeout\n2s\n");
	free(out);
	snprintf(url, sizeof(url), "%s options='-c lock_timeout=5s'", admin_url);
	out = lock_timeout_of(url, 4);
	ck_assert_str_eq(out, "#lock_timeout\n5s\n");
	free(out);
}
END_TEST


/* Joined into one line of keys, each with its bucket: "k@b k@b ...". */
static char *quantile_text(char ***q, const size_t *bucket, size_t n)
{
	struct strbuf sb;
	size_t i;

	sb_init(&sb);
	for (i = 0; i < n; i++)
		sb_addf(&sb, "%s%s@%zu", i ? " " : "", q[i][0], bucket[i]);
	return sb_detach(&sb, NULL);
}

/* Bisect's quantiles of a bucket that holds every integer of its range
 * are worked out rather than read: the same keys as the query gives. */
START_TEST(quantiles_of_a_dense_bucket_are_its_integers)
{
	struct source_cfg cfg = cfg_of(admin_url, 0);
	struct source *src;
	struct bisect_table *t;
	struct diag d = { "" };
	const char *keys[] = { "id" }, *cols[] = { "v" };
	char b[4][1][8] = { { "101" }, { "301" }, { "501" }, { "701" } };
	char *bp[4][1] = { { b[0][0] }, { b[1][0] }, { b[2][0] }, { b[3][0] } };
	char **g[4] = { bp[0], bp[1], bp[2], bp[3] };
	/* buckets: below 101, [101, 301) whole, [301, 501) and [501, 701)
	 * with gaps, from 701 on; the step of each split one */
	long long step[5] = { 0, 7, 13, 0, 32 };
	struct bisect_sum rows[5] = { { 100, 0, "" }, { 200, 0, "" }, { 190, 0, "" },
				      { 200, 0, "" }, { 300, 0, "" } };
	struct bisect_sum none[5] = { { 0, 0, "" } };
	char ***q1, ***q2;
	size_t *b1, *b2, n1, n2;
	char *s1, *s2;

	admin("DROP TABLE IF EXISTS q; CREATE TABLE q (id int PRIMARY KEY, v int);"
	      "INSERT INTO q SELECT i, i FROM generate_series(1, 1000) i "
	      "WHERE i NOT BETWEEN 400 AND 409 AND i NOT IN (550, 600);"
	      "GRANT SELECT ON q TO recon_ro; ANALYZE q");
	src = source_open(&cfg, NULL);
	ck_assert_msg(!source_error(src), "%s", source_error(src));
	t = bisect_table_open(src, "q", keys, 1, cols, 1, &d);
	ck_assert_msg(t != NULL, "%s", d.msg);
	/* rows as the level counted them: [101, 301) dense, [501, 701) one
	 * short (a gap), so read; none: every bucket read */
	rows[3].rows = 198;
	ck_assert_int_eq(bisect_table_quantiles(t, g, 4, step, rows, &q1, &b1, &n1, &d), 0);
	ck_assert_int_eq(bisect_table_quantiles(t, g, 4, step, none, &q2, &b2, &n2, &d), 0);
	s1 = quantile_text(q1, b1, n1);
	s2 = quantile_text(q2, b2, n2);
	ck_assert_str_eq(s1, s2);
	ck_assert_uint_eq(n1, 28 + 14 + 9);
	ck_assert_str_eq(q1[0][0], "107");	/* the 7th row of [101, 301) */
	free(s1);
	free(s2);
	free(b1);
	free(b2);
	bisect_bounds_free(t, q1, n1);
	bisect_bounds_free(t, q2, n2);
	bisect_table_close(t);
	source_close(src);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("pg_source");
	TCase *tc = tcase_create("pg");
	SRunner *sr;
	int failed;

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, values_read_like_the_csv_export);
	tcase_add_test(tc, empty_result_still_has_a_header);
	tcase_add_test(tc, numbers_read_as_format_double_prints_them);
	tcase_add_test(tc, copy_escapes_comments_and_statements_copy_refuses);
	tcase_add_test(tc, sql_error_names_state_and_the_cut_survives);
	tcase_add_test(tc, one_cut_for_every_query);
	tcase_add_test(tc, queries_before_begin_see_new_data);
	tcase_add_test(tc, writes_are_refused_and_change_nothing);
	tcase_add_test(tc, statement_timeout_is_an_error_and_the_next_query_runs);
	tcase_add_test(tc, a_sink_that_stops_early_does_not_read_everything);
	tcase_add_test(tc, memory_does_not_grow_with_the_row_count);
	tcase_add_test(tc, env_url_names_a_missing_variable);
	tcase_add_test(tc, the_password_never_appears);
	tcase_add_test(tc, a_lost_connection_fails_every_later_query);
	tcase_add_test(tc, a_sibling_reads_the_same_cut_on_its_own_connection);
	tcase_add_test(tc, prepare_gives_the_columns_and_runs_nothing);
	tcase_add_test(tc, bind_parameters_are_errors_naming_them);
	tcase_add_test(tc, locks_are_waited_for_boundedly_unless_the_session_says);
	tcase_add_test(tc, quantiles_of_a_dense_bucket_are_its_integers);
	suite_add_tcase(s, tc);
	server_start();
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	server_stop();
	return failed ? 1 : 0;
}
