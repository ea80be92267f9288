/*
 * test_diff.c: `recon diff` over two JSON reports written by hand; one test
 * per rule of what counts as a difference.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "diff.h"

static char dir[64];

static void setup(void)
{
	snprintf(dir, sizeof(dir), "/tmp/recon-diff-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void teardown(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	ck_assert_int_eq(system(cmd), 0);
}

/* DIR/DATE.json with the given configuration digest and checks. */
static void put_report(const char *date, const char *sha, const char *checks)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s.json", dir, date);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fprintf(f,
		"{\"schema\": \"recon-report/1\", \"date\": \"%s\", \"config_sha256\": \"%s\", "
		"\"gate\": {\"status\": \"pass\", \"streak\": 1, \"required\": 3, \"met\": false}, "
		"\"summary\": {\"drift\": 0}, \"checks\": [%s]}\n",
		date, sha, checks);
	fclose(f);
}

/* diff of the two days into a static buffer; returns diff_reports' status. */
static int diff(const char *a, const char *b, char **text)
{
	static char buf[8192];
	struct strbuf out;
	struct diag d;
	int st;

	sb_init(&out);
	st = diff_reports(dir, a, b, &out, &d);
	snprintf(buf, sizeof(buf), "%s", st < 0 ? d.msg : out.buf);
	sb_release(&out);
	*text = buf;
	return st;
}

#define VALUE_CHECK(v) "{\"id\": \"ledger\", \"kind\": \"value\", \"status\": \"pass\", " \
		       "\"drift\": 0, \"groups\": [], \"value\": " v "}"

START_TEST(test_a_value_change_is_a_difference)
{
	char *text;

	put_report("2026-11-21", "aa", VALUE_CHECK("0.5"));
	put_report("2026-11-22", "aa", VALUE_CHECK("8"));
	ck_assert_int_eq(diff("2026-11-21", "2026-11-22", &text), 1);
	ck_assert_ptr_nonnull(strstr(text, "- ledger: value 0.5 → 8\n"));
	ck_assert_ptr_null(strstr(text, "No differences"));
}
END_TEST

START_TEST(test_the_same_value_is_no_difference_however_written)
{
	char *text;

	put_report("2026-11-21", "aa", VALUE_CHECK("634.0"));
	put_report("2026-11-22", "aa", VALUE_CHECK("634"));
	ck_assert_int_eq(diff("2026-11-21", "2026-11-22", &text), 0);
	ck_assert_ptr_nonnull(strstr(text, "No differences."));
}
END_TEST

START_TEST(test_a_value_that_appears_is_a_difference)
{
	char *text;

	put_report("2026-11-21", "aa",
		   "{\"id\": \"ledger\", \"status\": \"pass\", \"drift\": 0, \"groups\": []}");
	put_report("2026-11-22", "aa", VALUE_CHECK("2"));
	ck_assert_int_eq(diff("2026-11-21", "2026-11-22", &text), 1);
	ck_assert_ptr_nonnull(strstr(text, "- ledger: value — → 2\n"));
}
END_TEST

/* The change is said; with the same results it is no difference (exit 0):
 * a difference is a change of gate, presence, status, drift, value or a
 * group's drift. */
START_TEST(test_a_configuration_change_is_said_not_counted)
{
	char *text;

	put_report("2026-11-21", "aa", VALUE_CHECK("1"));
	put_report("2026-11-22", "bb", VALUE_CHECK("1"));
	ck_assert_int_eq(diff("2026-11-21", "2026-11-22", &text), 0);
	ck_assert_ptr_nonnull(strstr(text, "- Configuration: changed\n"));
}
END_TEST

START_TEST(test_a_configuration_change_names_checks_added_and_removed)
{
	char *text;

	put_report("2026-11-21", "aa",
		   "{\"id\": \"a\", \"status\": \"fail\", \"drift\": 2, \"groups\": []}, "
		   "{\"id\": \"b\", \"status\": \"pass\", \"drift\": 0, \"groups\": []}");
	put_report("2026-11-22", "bb",
		   "{\"id\": \"b\", \"status\": \"pass\", \"drift\": 0, \"groups\": []}, "
		   "{\"id\": \"c\", \"status\": \"pass\", \"drift\": 0, \"groups\": []}");
	ck_assert_int_eq(diff("2026-11-21", "2026-11-22", &text), 1);
	ck_assert_ptr_nonnull(strstr(text, "- Configuration: changed (added c; removed a)\n"));
}
END_TEST

START_TEST(test_same_configuration_same_results_is_no_difference)
{
	char *text;

	put_report("2026-11-21", "aa", VALUE_CHECK("1"));
	put_report("2026-11-22", "aa", VALUE_CHECK("1"));
	ck_assert_int_eq(diff("2026-11-21", "2026-11-22", &text), 0);
	ck_assert_ptr_null(strstr(text, "Configuration"));
}
END_TEST

START_TEST(test_diff_without_dates_takes_the_two_newest)
{
	char older[11], newer[11];
	struct diag d;

	put_report("2026-11-20", "aa", "");
	put_report("2026-11-22", "aa", "");
	put_report("2026-11-21", "aa", "");
	ck_assert_int_eq(diff_newest(dir, older, newer, &d), 0);
	ck_assert_str_eq(older, "2026-11-21");
	ck_assert_str_eq(newer, "2026-11-22");
}
END_TEST

int main(void)
{
	Suite *s = suite_create("diff");
	TCase *tc = tcase_create("diff");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_a_value_change_is_a_difference);
	tcase_add_test(tc, test_the_same_value_is_no_difference_however_written);
	tcase_add_test(tc, test_a_value_that_appears_is_a_difference);
	tcase_add_test(tc, test_a_configuration_change_is_said_not_counted);
	tcase_add_test(tc, test_a_configuration_change_names_checks_added_and_removed);
	tcase_add_test(tc, test_same_configuration_same_results_is_no_difference);
	tcase_add_test(tc, test_diff_without_dates_takes_the_two_newest);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
