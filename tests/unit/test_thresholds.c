/*
 * test_thresholds.c: "> N" and "> P%" as written in a configuration, and
 * the status a drift gets under warn_if, fail_if and severity, at each
 * boundary (exactly N is not above N; exactly P% is not above P%).
 */
#include <check.h>

#include "thresholds.h"

static struct threshold th(const char *s)
{
	struct threshold t = THRESHOLD_INIT;

	ck_assert_msg(threshold_parse(s, &t), "'%s' should parse", s);
	return t;
}

START_TEST(counts_and_percentages_parse)
{
	struct threshold t = th("> 5");

	ck_assert_int_eq(t.unit, THRESHOLD_COUNT);
	ck_assert_int_eq(t.n, 5);
	t = th(">0");
	ck_assert_int_eq(t.n, 0);
	t = th("> 2.5%");
	ck_assert_int_eq(t.unit, THRESHOLD_PERCENT);
	ck_assert_int_eq(t.n, 2500000);
	t = th(" >  0.000001 % ");
	ck_assert_int_eq(t.n, 1);
	t = th("> 100%");
	ck_assert_int_eq(t.n, 100 * THRESHOLD_SCALE);
}
END_TEST

START_TEST(malformed_thresholds_are_refused)
{
	static const char *const bad[] = { "", "5", ">", "> ", "> -1", "> 1.5", "> 1e3",
					   "> 5 rows", ">= 5", "> 100.1%", "> 1.0000001%",
					   "> .5%", "> 5.%", "> 5%%", "< 5", NULL };
	size_t i;

	for (i = 0; bad[i]; i++) {
		struct threshold t = THRESHOLD_INIT;

		ck_assert_msg(!threshold_parse(bad[i], &t), "'%s' should not parse", bad[i]);
	}
}
END_TEST

START_TEST(exactly_n_is_not_above_n)
{
	struct threshold w = th("> 3"), f = th("> 5"), none = THRESHOLD_INIT;

	ck_assert_int_eq(threshold_verdict(&w, &f, SEVERITY_FAIL, 0, -1), VERDICT_PASS);
	ck_assert_int_eq(threshold_verdict(&w, &f, SEVERITY_FAIL, 3, -1), VERDICT_PASS);
	ck_assert_int_eq(threshold_verdict(&w, &f, SEVERITY_FAIL, 4, -1), VERDICT_WARN);
	ck_assert_int_eq(threshold_verdict(&w, &f, SEVERITY_FAIL, 5, -1), VERDICT_WARN);
	ck_assert_int_eq(threshold_verdict(&w, &f, SEVERITY_FAIL, 6, -1), VERDICT_FAIL);
	/* no thresholds: any drift fails */
	ck_assert_int_eq(threshold_verdict(&none, &none, SEVERITY_FAIL, 0, -1), VERDICT_PASS);
	ck_assert_int_eq(threshold_verdict(&none, &none, SEVERITY_FAIL, 1, -1), VERDICT_FAIL);
	/* warn_if alone never fails; fail_if alone warns up to it */
	ck_assert_int_eq(threshold_verdict(&w, &none, SEVERITY_FAIL, 1000, -1), VERDICT_WARN);
	ck_assert_int_eq(threshold_verdict(&none, &f, SEVERITY_FAIL, 1, -1), VERDICT_WARN);
	ck_assert_int_eq(threshold_verdict(&none, &f, SEVERITY_FAIL, 6, -1), VERDICT_FAIL);
}
END_TEST

START_TEST(exactly_p_percent_is_not_above_p_percent)
{
	struct threshold w = th("> 1%"), f = th("> 2.5%");

	ck_assert_int_eq(threshold_verdict(&w, &f, SEVERITY_FAIL, 10, 1000), VERDICT_PASS);
	ck_assert_int_eq(threshold_verdict(&w, &f, SEVERITY_FAIL, 11, 1000), VERDICT_WARN);
	ck_assert_int_eq(threshold_verdict(&w, &f, SEVERITY_FAIL, 25, 1000), VERDICT_WARN);
	ck_assert_int_eq(threshold_verdict(&w, &f, SEVERITY_FAIL, 26, 1000), VERDICT_FAIL);
	/* one in three is 33.333...%: above 33.333333%, not above 33.333334% */
	w = th("> 33.333333%");
	f = th("> 33.333334%");
	ck_assert_int_eq(threshold_verdict(&w, &f, SEVERITY_FAIL, 1, 3), VERDICT_WARN);
	/* large counts stay exact */
	w = th("> 50%");
	ck_assert(!threshold_exceeded(&w, 4000000000000000000LL, 8000000000000000000LL));
	ck_assert(threshold_exceeded(&w, 4000000000000000001LL, 8000000000000000000LL));
	/* no rows scanned: any drift is above any share; none is not */
	ck_assert(threshold_exceeded(&w, 1, 0));
	ck_assert(!threshold_exceeded(&w, 0, 0));
	/* an unknown base is not taken as safe */
	ck_assert(threshold_exceeded(&w, 1, -1));
}
END_TEST

START_TEST(severity_warn_turns_fail_into_warn)
{
	struct threshold none = THRESHOLD_INIT, w = th("> 1"), f = th("> 2");

	ck_assert_int_eq(threshold_verdict(&none, &none, SEVERITY_WARN, 0, -1), VERDICT_PASS);
	ck_assert_int_eq(threshold_verdict(&none, &none, SEVERITY_WARN, 1, -1), VERDICT_WARN);
	ck_assert_int_eq(threshold_verdict(&w, &f, SEVERITY_WARN, 1, -1), VERDICT_PASS);
	ck_assert_int_eq(threshold_verdict(&w, &f, SEVERITY_WARN, 9, -1), VERDICT_WARN);
}
END_TEST

START_TEST(inverted_thresholds_are_found_in_one_unit)
{
	struct threshold a = th("> 5"), b = th("> 4"), p = th("> 1%"), q = th("> 0.5%");
	struct threshold none = THRESHOLD_INIT;

	ck_assert(threshold_inverted(&a, &b));
	ck_assert(!threshold_inverted(&b, &a));
	ck_assert(!threshold_inverted(&a, &a));
	ck_assert(threshold_inverted(&p, &q));
	ck_assert(!threshold_inverted(&a, &q));	/* units differ: the data decides */
	ck_assert(!threshold_inverted(&a, &none));
}
END_TEST

static Suite *thresholds_suite(void)
{
	Suite *s = suite_create("thresholds");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, counts_and_percentages_parse);
	tcase_add_test(tc, malformed_thresholds_are_refused);
	tcase_add_test(tc, exactly_n_is_not_above_n);
	tcase_add_test(tc, exactly_p_percent_is_not_above_p_percent);
	tcase_add_test(tc, severity_warn_turns_fail_into_warn);
	tcase_add_test(tc, inverted_thresholds_are_found_in_one_unit);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(thresholds_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
