/*
 * test_sweep.c: the status each check ends with, through a tiny SQLite
 * source: rows found fail with drift = rows, none pass, SQL that cannot
 * run is an error (never a fail), a precondition that does not hold
 * skips, a baseline reads nothing, and --check names only enabled checks.
 */
#include <check.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "sweep.h"

static char dir[64];
static char ini[128];

static void setup(void)
{
	char db[128];
	sqlite3 *h;
	FILE *f;

	snprintf(dir, sizeof(dir), "/tmp/recon-test-sweep-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(db, sizeof(db), "%s/shop.db", dir);
	ck_assert_int_eq(sqlite3_open(db, &h), SQLITE_OK);
	ck_assert_int_eq(sqlite3_exec(h,
		"CREATE TABLE orders (id INTEGER, tenant TEXT, status TEXT);"
		"INSERT INTO orders VALUES (1, 't1', 'ok'), (2, 't1', 'lost'), (3, 't2', 'lost'),"
		" (4, 't2', 'ok'), (5, 't3', 'lost');", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(h);
	snprintf(ini, sizeof(ini), "%s/recon.ini", dir);
	f = fopen(ini, "w");
	ck_assert_ptr_nonnull(f);
	fputs("[report]\ntitle = Sweep\n\n"
	      "[source \"db\"]\ntype = sqlite\npath = shop.db\n\n"
	      "[check \"lost-orders\"]\nsource = db\ngroup = tenant\n"
	      "query = SELECT tenant, id FROM orders WHERE status = 'lost'\n\n"
	      "[check \"no-unknown\"]\nsource = db\n"
	      "query = SELECT id FROM orders WHERE status NOT IN ('ok', 'lost')\n\n"
	      "[check \"broken\"]\nsource = db\nquery = SELECT id FROM no_such_table\n\n"
	      "[check \"quiet\"]\nsource = db\nprecondition = SELECT 0\n"
	      "query = SELECT id FROM orders\n\n"
	      "[check \"signal\"]\nsource = db\npaging = false\n"
	      "query = SELECT id FROM orders WHERE status = 'ok'\n\n"
	      "[check \"off\"]\nsource = db\nenabled = false\nquery = SELECT 1\n", f);
	fclose(f);
}

static void teardown(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}

struct fx {
	struct config cfg;
	struct run run;
	struct diag d;
};

static int fx_run(struct fx *f, bool baseline, const char **only)
{
	struct sweep_opts so = { .date = "2026-11-02", .baseline = baseline, .only = only };

	memset(f, 0, sizeof(*f));
	ck_assert_msg(config_load(&f->cfg, ini, "2026-11-02", &f->d) == 0, "%s", f->d.msg);
	return sweep_run(&f->run, &f->cfg, &so, &f->d);
}

static void fx_done(struct fx *f)
{
	sweep_release(&f->run);
	config_release(&f->cfg);
}

static const struct check_result *result(const struct run *run, const char *id)
{
	size_t i;

	for (i = 0; i < run->nchecks; i++)
		if (strcmp(run->checks[i].cfg->id, id) == 0)
			return &run->checks[i];
	ck_abort_msg("no result for %s", id);
	return NULL;
}

START_TEST(rows_found_fail_with_drift_equal_to_the_rows)
{
	struct fx f;
	const struct check_result *c;

	ck_assert_int_eq(fx_run(&f, false, NULL), 0);
	c = result(&f.run, "lost-orders");
	ck_assert_int_eq(c->status, STATUS_FAIL);
	ck_assert_int_eq(c->drift, 3);
	ck_assert_int_eq(c->ngroups, 3);	/* t1, t2 and t3 each lost one */
	fx_done(&f);
}
END_TEST

START_TEST(no_rows_pass)
{
	struct fx f;

	ck_assert_int_eq(fx_run(&f, false, NULL), 0);
	ck_assert_int_eq(result(&f.run, "no-unknown")->status, STATUS_PASS);
	ck_assert_int_eq(result(&f.run, "no-unknown")->drift, 0);
	fx_done(&f);
}
END_TEST

START_TEST(sql_that_cannot_run_is_an_error_not_a_fail)
{
	struct fx f;
	const struct check_result *c;

	ck_assert_int_eq(fx_run(&f, false, NULL), 0);
	c = result(&f.run, "broken");
	ck_assert_int_eq(c->status, STATUS_ERROR);
	ck_assert_ptr_nonnull(c->error);
	ck_assert_msg(strstr(c->error, "no_such_table"), "%s", c->error);
	ck_assert_int_eq(c->drift, 0);
	fx_done(&f);
}
END_TEST

START_TEST(a_precondition_that_does_not_hold_skips)
{
	struct fx f;
	const struct check_result *c;

	ck_assert_int_eq(fx_run(&f, false, NULL), 0);
	c = result(&f.run, "quiet");
	ck_assert_int_eq(c->status, STATUS_SKIPPED);
	ck_assert_ptr_nonnull(c->skip_reason);
	ck_assert_int_eq(c->drift, 0);
	fx_done(&f);
}
END_TEST

START_TEST(the_summary_counts_each_status_and_disabled_checks_are_absent)
{
	struct fx f;

	ck_assert_int_eq(fx_run(&f, false, NULL), 0);
	ck_assert_int_eq(f.run.nchecks, 5);	/* "off" is not run */
	ck_assert_int_eq(f.run.npass, 1);
	ck_assert_int_eq(f.run.nfail, 2);	/* lost-orders, and signal fails too */
	ck_assert_int_eq(f.run.nerror, 1);
	ck_assert_int_eq(f.run.nskipped, 1);
	ck_assert_int_eq(f.run.drift, 3 + 2);
	ck_assert_int_eq(f.run.gate, STATUS_FAIL);
	/* checks are in id order */
	ck_assert_str_eq(f.run.checks[0].cfg->id, "broken");
	ck_assert_str_eq(f.run.checks[4].cfg->id, "signal");
	fx_done(&f);
}
END_TEST

START_TEST(a_baseline_reads_nothing_and_skips_every_check)
{
	struct fx f;
	size_t i;

	ck_assert_int_eq(fx_run(&f, true, NULL), 0);
	for (i = 0; i < f.run.nchecks; i++)
		ck_assert_int_eq(f.run.checks[i].status, STATUS_SKIPPED);
	ck_assert_int_eq(f.run.drift, 0);
	ck_assert_int_eq(f.run.gate, STATUS_PASS);
	fx_done(&f);
}
END_TEST

START_TEST(check_selects_only_enabled_checks_by_id)
{
	struct fx f;
	const char *one[] = { "no-unknown", NULL };
	const char *off[] = { "off", NULL };

	ck_assert_int_eq(fx_run(&f, false, one), 0);
	ck_assert_int_eq(f.run.nchecks, 1);
	ck_assert(f.run.partial);
	fx_done(&f);
	ck_assert_int_eq(fx_run(&f, false, off), -1);
	ck_assert_msg(strstr(f.d.msg, "--check off: no enabled check with that id"), "%s",
		      f.d.msg);
	fx_done(&f);
}
END_TEST

static Suite *sweep_suite(void)
{
	Suite *s = suite_create("sweep");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, rows_found_fail_with_drift_equal_to_the_rows);
	tcase_add_test(tc, no_rows_pass);
	tcase_add_test(tc, sql_that_cannot_run_is_an_error_not_a_fail);
	tcase_add_test(tc, a_precondition_that_does_not_hold_skips);
	tcase_add_test(tc, the_summary_counts_each_status_and_disabled_checks_are_absent);
	tcase_add_test(tc, a_baseline_reads_nothing_and_skips_every_check);
	tcase_add_test(tc, check_selects_only_enabled_checks_by_id);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(sweep_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
