/* test_names.c: the "did you mean" hints validate --sources gives for
 * columns and tables (closest_name on the names a source returns). */
#include <check.h>

#include "hint.h"

static const char *const cols[] = { "tenant_id", "unit_id", "name", "amount" };
#define NCOLS (sizeof(cols) / sizeof(cols[0]))

START_TEST(test_a_transposition_is_one_edit)
{
	ck_assert_str_eq(closest_name("nmae", cols, NCOLS), "name");
	ck_assert_str_eq(closest_name("amuont", cols, NCOLS), "amount");
}
END_TEST

START_TEST(test_a_word_before_an_underscore_suggests_the_whole)
{
	ck_assert_str_eq(closest_name("unit", cols, NCOLS), "unit_id");
	ck_assert_str_eq(closest_name("tenant", cols, NCOLS), "tenant_id");
}
END_TEST

START_TEST(test_letter_case_is_not_a_difference)
{
	ck_assert_str_eq(closest_name("Tenant_ID", cols, NCOLS), "tenant_id");
}
END_TEST

START_TEST(test_nothing_close_gives_no_hint)
{
	ck_assert_ptr_null(closest_name("zzz", cols, NCOLS));
	ck_assert_ptr_null(closest_name("id", cols, NCOLS));
	ck_assert_ptr_null(closest_name("x", cols, 0));
}
END_TEST

START_TEST(test_an_exact_name_needs_no_hint)
{
	ck_assert_ptr_null(closest_name("name", cols, NCOLS));
}
END_TEST

START_TEST(test_the_closest_of_several_wins)
{
	static const char *const tables[] = { "org_units", "org_unit_memberships", "orgs" };

	ck_assert_str_eq(closest_name("org_unit", tables, 3), "org_units");
}
END_TEST

int main(void)
{
	Suite *s = suite_create("names");
	TCase *tc = tcase_create("closest");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_a_transposition_is_one_edit);
	tcase_add_test(tc, test_a_word_before_an_underscore_suggests_the_whole);
	tcase_add_test(tc, test_letter_case_is_not_a_difference);
	tcase_add_test(tc, test_nothing_close_gives_no_hint);
	tcase_add_test(tc, test_an_exact_name_needs_no_hint);
	tcase_add_test(tc, test_the_closest_of_several_wins);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
