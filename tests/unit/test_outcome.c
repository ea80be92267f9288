/*
 * test_outcome.c: the exit policy of a finished run, one test per rule:
 * a gating failure exits 1, a gating error without one exits 2, and
 * signal-only checks, warnings and skips never change the status.
 */
#include <check.h>
#include <string.h>

#include "outcome.h"

struct fx {
	struct check_cfg cfg[4];
	struct check_result res[4];
	struct run run;
};

/* A run of n checks; paging[i] and status[i] for each. */
static void fx_run(struct fx *f, size_t n, const bool *paging, const enum status *status)
{
	size_t i;

	memset(f, 0, sizeof(*f));
	for (i = 0; i < n; i++) {
		f->cfg[i].id = "c";
		f->cfg[i].paging = paging[i];
		f->cfg[i].enabled = true;
		f->res[i].cfg = &f->cfg[i];
		f->res[i].status = status[i];
	}
	f->run.checks = f->res;
	f->run.nchecks = n;
}

START_TEST(a_run_without_failures_or_errors_exits_0)
{
	struct fx f;
	const bool paging[] = { true, true, true };
	const enum status st[] = { STATUS_PASS, STATUS_SKIPPED, STATUS_WARN };

	fx_run(&f, 3, paging, st);
	ck_assert_int_eq(run_outcome(&f.run), OUTCOME_PASS);
	fx_run(&f, 0, paging, st);
	ck_assert_int_eq(run_outcome(&f.run), OUTCOME_PASS);
}
END_TEST

START_TEST(a_gating_failure_exits_1_even_beside_an_error)
{
	struct fx f;
	const bool paging[] = { true, true };
	const enum status st[] = { STATUS_ERROR, STATUS_FAIL };

	fx_run(&f, 2, paging, st);
	ck_assert_int_eq(run_outcome(&f.run), OUTCOME_DRIFT);
	ck_assert_int_eq((int)OUTCOME_DRIFT, 1);
}
END_TEST

START_TEST(a_gating_error_without_a_failure_exits_2)
{
	struct fx f;
	const bool paging[] = { true, true };
	const enum status st[] = { STATUS_PASS, STATUS_ERROR };

	fx_run(&f, 2, paging, st);
	ck_assert_int_eq(run_outcome(&f.run), OUTCOME_TROUBLE);
	ck_assert_int_eq((int)OUTCOME_TROUBLE, 2);
}
END_TEST

START_TEST(signal_only_checks_never_change_the_exit_status)
{
	struct fx f;
	const bool paging[] = { false, false, true };
	const enum status st[] = { STATUS_FAIL, STATUS_ERROR, STATUS_PASS };
	const enum status st2[] = { STATUS_FAIL, STATUS_PASS, STATUS_ERROR };

	fx_run(&f, 3, paging, st);
	ck_assert_int_eq(run_outcome(&f.run), OUTCOME_PASS);
	fx_run(&f, 3, paging, st2);
	ck_assert_int_eq(run_outcome(&f.run), OUTCOME_TROUBLE);
}
END_TEST

static Suite *outcome_suite(void)
{
	Suite *s = suite_create("outcome");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, a_run_without_failures_or_errors_exits_0);
	tcase_add_test(tc, a_gating_failure_exits_1_even_beside_an_error);
	tcase_add_test(tc, a_gating_error_without_a_failure_exits_2);
	tcase_add_test(tc, signal_only_checks_never_change_the_exit_status);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(outcome_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
