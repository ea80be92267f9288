/*
 * test_compare_tolerance.c: a relative tolerance (tolerance.COLUMN = P%),
 * exact at its boundary: P percent of the larger absolute value, computed
 * from digits, never in floating point.
 */
#include <check.h>
#include <string.h>

#include "compare_value.h"

static struct cv_num num(const char *s)
{
	struct cv_num n;

	ck_assert_msg(cv_parse(s, strlen(s), &n), "'%s' should parse", s);
	return n;
}

static bool rel(const char *a, const char *b, const char *pct)
{
	struct cv_num p = num(pct);

	return cv_equal_relative(a, a ? strlen(a) : 0, b, b ? strlen(b) : 0, &p);
}

START_TEST(percent_of_is_exact)
{
	struct cv_num a = num("1000"), p = num("0.1"), out;

	cv_num_percent_of(&a, &p, &out);
	ck_assert(cv_num_equal(&out, &(struct cv_num){ 0 }) == false);
	ck_assert(cv_num_equal(&out, &(struct cv_num){ 1, 1, 1, "1" }));
	a = num("123.45");
	p = num("12.5");
	cv_num_percent_of(&a, &p, &out);	/* 15.43125 */
	{
		struct cv_num want = num("15.43125");

		ck_assert(cv_num_equal(&out, &want));
	}
	a = num("0.001");
	p = num("0.1");
	cv_num_percent_of(&a, &p, &out);	/* 0.000001 */
	{
		struct cv_num want = num("1e-6");

		ck_assert(cv_num_equal(&out, &want));
	}
	a = num("0");
	cv_num_percent_of(&a, &p, &out);
	ck_assert_int_eq(out.sign, 0);
}
END_TEST

START_TEST(relative_tolerance_at_its_boundary)
{
	ck_assert(rel("1000", "999", "0.1"));		/* 1 of 1000: exactly 0.1% */
	ck_assert(rel("999", "1000", "0.1"));
	ck_assert(rel("1000", "1001", "0.1"));		/* 1 of 1001 */
	ck_assert(!rel("1000", "998.9", "0.1"));	/* 1.1 of 1000 */
	ck_assert(!rel("1000", "998.999999999999999999", "0.1"));
	ck_assert(rel("-1000", "-1001", "0.1"));
	ck_assert(!rel("-1", "1", "100"));		/* 2 apart, 100% of 1 is 1 */
	ck_assert(rel("-1", "1", "200"));		/* 200% of 1 is 2: exactly within */
	ck_assert(rel("0", "0.001", "100"));		/* 100% of 0.001 */
	ck_assert(!rel("0", "0.001", "99.9"));
	ck_assert(rel("0.1", "0.1000000000000000000001", "0.000000000000000001"));
	ck_assert(rel("1.50", "1.5", "0"));		/* equal numbers need no tolerance */
}
END_TEST

START_TEST(relative_tolerance_keeps_the_value_rules)
{
	ck_assert(rel(NULL, NULL, "1"));
	ck_assert(!rel(NULL, "0", "1"));
	ck_assert(!rel("abc", "abd", "100"));
	ck_assert(rel("abc", "abc", "1"));
	ck_assert(!rel("08123", "8123", "50"));	/* text, compared as text */
}
END_TEST

static Suite *tolerance_suite(void)
{
	Suite *s = suite_create("compare_tolerance");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, percent_of_is_exact);
	tcase_add_test(tc, relative_tolerance_at_its_boundary);
	tcase_add_test(tc, relative_tolerance_keeps_the_value_rules);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(tolerance_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
