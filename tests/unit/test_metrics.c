/*
 * test_metrics.c: the Prometheus text of a run, and the check that the
 * metrics file can be written before any source is read.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "metrics.h"
#include "report_dir.h"

static struct config cfg;
static struct check_cfg checks[2];
static char dir[64];

static void setup(void)
{
	memset(&cfg, 0, sizeof(cfg));
	memset(checks, 0, sizeof(checks));
	cfg.title = "t";
	cfg.gate_days = 3;
	cfg.window_days = 4;
	checks[0].id = "ledger";
	checks[0].kind = KIND_VALUE;
	checks[0].paging = true;
	checks[1].id = "rows";
	checks[1].kind = KIND_ROWS;
	checks[1].paging = true;
	cfg.checks = checks;
	cfg.nchecks = 2;
	snprintf(dir, sizeof(dir), "/tmp/recon-metrics-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void teardown(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	ck_assert_int_eq(system(cmd), 0);
}

/* A run of both checks: ledger read value, rows passed. */
static void make_run(struct run *run, double value, bool partial)
{
	memset(run, 0, sizeof(*run));
	arena_init(&run->arena);
	run->cfg = &cfg;
	snprintf(run->date, sizeof(run->date), "2026-11-22");
	run->partial = partial;
	run->checks = arena_alloc(&run->arena, 2 * sizeof(*run->checks));
	run->checks[0].cfg = &checks[0];
	run->checks[0].status = STATUS_PASS;
	run->checks[0].has_value = true;
	run->checks[0].value = value;
	run->checks[1].cfg = &checks[1];
	run->checks[1].status = STATUS_PASS;
	run->nchecks = 2;
	run->gate = STATUS_PASS;
}

static void metrics_of(double value, bool partial, struct strbuf *out)
{
	struct run run;
	struct gate g;

	memset(&g, 0, sizeof(g));
	g.required = 3;
	make_run(&run, value, partial);
	sb_init(out);
	render_metrics(&run, &g, out);
	sweep_release(&run);
}

START_TEST(test_a_value_check_has_its_value_series)
{
	struct strbuf out;

	metrics_of(634, false, &out);
	ck_assert_ptr_nonnull(strstr(out.buf, "# TYPE recon_check_value gauge\n"
					      "recon_check_value{check=\"ledger\"} 634\n"));
	/* a rows check has no value */
	ck_assert_ptr_null(strstr(out.buf, "recon_check_value{check=\"rows\"}"));
	sb_release(&out);
	metrics_of(0.1 + 0.2, false, &out);
	ck_assert_ptr_nonnull(strstr(out.buf, "recon_check_value{check=\"ledger\"} 0.3\n"));
	sb_release(&out);
}
END_TEST

START_TEST(test_a_full_run_has_the_gate_series)
{
	struct strbuf out;

	metrics_of(1, false, &out);
	ck_assert_ptr_nonnull(strstr(out.buf, "\nrecon_gate_pass 1\n"));
	ck_assert_ptr_nonnull(strstr(out.buf, "\nrecon_streak_days 0\n"));
	sb_release(&out);
}
END_TEST

START_TEST(test_a_partial_run_has_only_the_checks_it_evaluated)
{
	struct strbuf out;

	metrics_of(1, true, &out);
	ck_assert_ptr_null(strstr(out.buf, "recon_gate_pass"));
	ck_assert_ptr_null(strstr(out.buf, "recon_gate_met"));
	ck_assert_ptr_null(strstr(out.buf, "recon_streak_days"));
	ck_assert_ptr_null(strstr(out.buf, "recon_drift_total"));
	ck_assert_ptr_nonnull(strstr(out.buf, "recon_check_status{check=\"rows\",status=\"pass\"} 1\n"));
	ck_assert_ptr_nonnull(strstr(out.buf, "recon_check_value{check=\"ledger\"} 1\n"));
	sb_release(&out);
}
END_TEST

START_TEST(test_probe_finds_a_missing_directory)
{
	char path[128];
	struct diag d;

	snprintf(path, sizeof(path), "%s/no-such-dir/m.prom", dir);
	ck_assert_int_eq(write_probe(path, &d), -1);
	ck_assert_ptr_nonnull(strstr(d.msg, "no-such-dir/m.prom: cannot write: No such file"));
}
END_TEST

START_TEST(test_probe_finds_a_directory_in_the_way)
{
	struct diag d;

	ck_assert_int_eq(write_probe(dir, &d), -1);
	ck_assert_ptr_nonnull(strstr(d.msg, "cannot write: Is a directory"));
}
END_TEST

START_TEST(test_probe_finds_a_file_where_a_directory_is_expected)
{
	char file[128], path[160];
	struct diag d;
	FILE *f;

	snprintf(file, sizeof(file), "%s/plain", dir);
	f = fopen(file, "w");
	ck_assert_ptr_nonnull(f);
	fclose(f);
	snprintf(path, sizeof(path), "%s/m.prom", file);
	ck_assert_int_eq(write_probe(path, &d), -1);
	ck_assert_ptr_nonnull(strstr(d.msg, "cannot write: Not a directory"));
}
END_TEST

START_TEST(test_probe_leaves_nothing_behind)
{
	char path[128];
	struct diag d;
	int n = 0;
	FILE *ls;
	char line[256];

	snprintf(path, sizeof(path), "%s/m.prom", dir);
	ck_assert_int_eq(write_probe(path, &d), 0);
	snprintf(line, sizeof(line), "ls -A %s", dir);
	ls = popen(line, "r");
	ck_assert_ptr_nonnull(ls);
	while (fgets(line, sizeof(line), ls))
		n++;
	pclose(ls);
	ck_assert_int_eq(n, 0);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("metrics");
	TCase *tc = tcase_create("metrics");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_a_value_check_has_its_value_series);
	tcase_add_test(tc, test_a_full_run_has_the_gate_series);
	tcase_add_test(tc, test_a_partial_run_has_only_the_checks_it_evaluated);
	tcase_add_test(tc, test_probe_finds_a_missing_directory);
	tcase_add_test(tc, test_probe_finds_a_directory_in_the_way);
	tcase_add_test(tc, test_probe_finds_a_file_where_a_directory_is_expected);
	tcase_add_test(tc, test_probe_leaves_nothing_behind);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
