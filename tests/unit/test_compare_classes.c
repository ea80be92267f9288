/*
 * test_compare_classes.c: the classes of change of a compare's changed
 * values, one test per class and per way a value misses its class: text
 * that only looks numeric, timestamps a second or a day apart, and a
 * column whose timestamps move by more than one offset.
 */
#include <check.h>
#include <string.h>

#include "compare_classes.h"

/* The class of a pair of C strings (NULL is SQL NULL). */
static enum change_class cls(const char *a, const char *b)
{
	long offset = 0;

	return change_classify(a, a ? strlen(a) : 0, b, b ? strlen(b) : 0, &offset);
}

static long offset_of(const char *a, const char *b)
{
	long offset = 0;

	ck_assert_int_eq(change_classify(a, strlen(a), b, strlen(b), &offset), CHANGE_TIMEZONE);
	return offset;
}

static void add(struct change_tally *t, const char *a, const char *b)
{
	change_tally_add(t, a, a ? strlen(a) : 0, b, b ? strlen(b) : 0);
}

START_TEST(whitespace_only)
{
	ck_assert_int_eq(cls("abc", "abc "), CHANGE_WHITESPACE);
	ck_assert_int_eq(cls("  abc", "abc"), CHANGE_WHITESPACE);
	ck_assert_int_eq(cls("a b\tc", "abc"), CHANGE_WHITESPACE);
	ck_assert_int_eq(cls("line\r\n", "line\n"), CHANGE_WHITESPACE);
	ck_assert_int_eq(cls("", "   "), CHANGE_WHITESPACE);
	ck_assert_int_eq(cls("abc", "abd "), CHANGE_OTHER);
	ck_assert_int_eq(cls("abc", "ab"), CHANGE_OTHER);
}
END_TEST

START_TEST(letter_case_only)
{
	ck_assert_int_eq(cls("Berlin", "BERLIN"), CHANGE_CASE);
	ck_assert_int_eq(cls("a-1", "A-1"), CHANGE_CASE);
	ck_assert_int_eq(cls("Berlin", "Bern"), CHANGE_OTHER);
	/* case and whitespace at once is neither alone */
	ck_assert_int_eq(cls("Berlin", "BERLIN "), CHANGE_OTHER);
}
END_TEST

START_TEST(numbers_at_another_scale)
{
	ck_assert_int_eq(cls("1.5", "1.50"), CHANGE_SCALE);
	ck_assert_int_eq(cls("10", "10.000"), CHANGE_SCALE);
	ck_assert_int_eq(cls("-0.10", "-0.1"), CHANGE_SCALE);
	ck_assert_int_eq(cls("1e3", "1000"), CHANGE_SCALE);
	ck_assert_int_eq(cls("1.5", "1.51"), CHANGE_OTHER);
	ck_assert_int_eq(cls("1.5", "-1.5"), CHANGE_OTHER);
}
END_TEST

START_TEST(text_that_only_looks_numeric_is_other)
{
	ck_assert_int_eq(cls("08123", "8123"), CHANGE_OTHER);	/* a leading zero: text */
	ck_assert_int_eq(cls("1,000", "1000"), CHANGE_OTHER);
	ck_assert_int_eq(cls(".5", "0.5"), CHANGE_OTHER);
	ck_assert_int_eq(cls("+1", "1"), CHANGE_OTHER);
	ck_assert_int_eq(cls("1.5x", "1.50x"), CHANGE_OTHER);
	ck_assert_int_eq(cls("0x10", "16"), CHANGE_OTHER);
	ck_assert_int_eq(cls("NaN", "nan"), CHANGE_CASE);	/* letters, not a number */
}
END_TEST

START_TEST(null_against_empty_string)
{
	ck_assert_int_eq(cls(NULL, ""), CHANGE_NULL_EMPTY);
	ck_assert_int_eq(cls("", NULL), CHANGE_NULL_EMPTY);
	ck_assert_int_eq(cls(NULL, " "), CHANGE_OTHER);
	ck_assert_int_eq(cls(NULL, "x"), CHANGE_OTHER);
	ck_assert_int_eq(cls("NULL", NULL), CHANGE_OTHER);
}
END_TEST

START_TEST(timestamps_a_zone_offset_apart)
{
	ck_assert_int_eq(offset_of("2022-06-21 07:41:50.707316+00",
				   "2022-06-21 09:41:50.707316+02"), 7200);
	ck_assert_int_eq(offset_of("2022-06-21 01:00:00", "2022-06-20 20:00:00"), -5 * 3600);
	ck_assert_int_eq(offset_of("2022-01-01T00:00:00Z", "2022-01-01T05:30:00+05:30"),
			 5 * 3600 + 1800);
	ck_assert_int_eq(offset_of("2020-02-28 23:00", "2020-02-29 01:00"), 7200);
	ck_assert_int_eq(offset_of("2020-12-31 23:00:00", "2021-01-01 01:00:00"), 7200);
	ck_assert_int_eq(offset_of("2022-06-21 07:41:50.5", "2022-06-21 21:41:50.50"), 14 * 3600);
}
END_TEST

START_TEST(other_timestamp_changes_are_not_a_shift)
{
	ck_assert_int_eq(cls("2022-06-26 22:37:21.783785+00", "2022-06-26 22:37:22.783785+00"),
			 CHANGE_OTHER);	/* a second */
	ck_assert_int_eq(cls("2022-06-26 10:00:00", "2022-06-27 10:00:00"), CHANGE_OTHER);
	ck_assert_int_eq(cls("2022-06-26 10:00:00", "2022-06-26 10:10:00"), CHANGE_OTHER);
	ck_assert_int_eq(cls("2022-06-26 10:00:00.1", "2022-06-26 12:00:00.2"), CHANGE_OTHER);
	ck_assert_int_eq(cls("2022-06-26 10:00:00+00", "2022-06-26 10:00:00+02"), CHANGE_OTHER);
	ck_assert_int_eq(cls("2022-06-26", "2022-06-27"), CHANGE_OTHER);	/* dates alone */
	ck_assert_int_eq(cls("2022-06-26 10:00:00 UTC", "2022-06-26 12:00:00 UTC"),
			 CHANGE_OTHER);
	ck_assert_int_eq(cls("2022-13-26 10:00:00", "2022-13-26 12:00:00"), CHANGE_OTHER);
}
END_TEST

START_TEST(a_column_shifted_by_one_offset)
{
	struct change_tally t = CHANGE_TALLY_INIT;
	char buf[16];

	add(&t, "2022-06-21 07:41:50+00", "2022-06-21 09:41:50+02");
	add(&t, "2022-01-29 23:58:52+00", "2022-01-30 01:58:52+02");
	add(&t, "x", "y");
	change_tally_finish(&t);
	ck_assert_int_eq(t.n[CHANGE_TIMEZONE], 2);
	ck_assert_int_eq(t.n[CHANGE_OTHER], 1);
	change_offset_format(t.offset, buf, sizeof(buf));
	ck_assert_str_eq(buf, "+02:00");
}
END_TEST

START_TEST(a_column_with_mixed_offsets_is_not_a_shift)
{
	struct change_tally t = CHANGE_TALLY_INIT;

	add(&t, "2022-06-21 07:41:50+00", "2022-06-21 03:41:50-04");	/* summer */
	add(&t, "2022-01-21 07:41:50+00", "2022-01-21 02:41:50-05");	/* winter */
	add(&t, "a", "a ");
	change_tally_finish(&t);
	ck_assert_int_eq(t.n[CHANGE_TIMEZONE], 0);
	ck_assert_int_eq(t.n[CHANGE_OTHER], 2);
	ck_assert_int_eq(t.n[CHANGE_WHITESPACE], 1);
}
END_TEST

START_TEST(tallies_merge_and_keep_mixed_offsets_apart)
{
	struct change_tally t = CHANGE_TALLY_INIT, u = CHANGE_TALLY_INIT, v = CHANGE_TALLY_INIT;

	add(&t, "2022-06-21 07:00:00", "2022-06-21 09:00:00");
	add(&u, "2022-06-22 07:00:00", "2022-06-22 09:00:00");
	add(&v, "2022-06-22 07:00:00", "2022-06-22 08:00:00");
	change_tally_merge(&t, &u);
	ck_assert(!t.mixed);
	ck_assert_int_eq(t.n[CHANGE_TIMEZONE], 2);
	change_tally_merge(&t, &v);
	change_tally_finish(&t);
	ck_assert_int_eq(t.n[CHANGE_TIMEZONE], 0);
	ck_assert_int_eq(t.n[CHANGE_OTHER], 3);
}
END_TEST

START_TEST(offsets_are_written_as_hours_and_minutes)
{
	char buf[16];

	change_offset_format(-5 * 3600 - 1800, buf, sizeof(buf));
	ck_assert_str_eq(buf, "-05:30");
	change_offset_format(14 * 3600, buf, sizeof(buf));
	ck_assert_str_eq(buf, "+14:00");
	ck_assert_str_eq(change_class_name(CHANGE_NULL_EMPTY), "null_empty");
	ck_assert_str_eq(change_class_name(CHANGE_TIMEZONE), "timezone");
}
END_TEST

static Suite *classes_suite(void)
{
	Suite *s = suite_create("compare_classes");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, whitespace_only);
	tcase_add_test(tc, letter_case_only);
	tcase_add_test(tc, numbers_at_another_scale);
	tcase_add_test(tc, text_that_only_looks_numeric_is_other);
	tcase_add_test(tc, null_against_empty_string);
	tcase_add_test(tc, timestamps_a_zone_offset_apart);
	tcase_add_test(tc, other_timestamp_changes_are_not_a_shift);
	tcase_add_test(tc, a_column_shifted_by_one_offset);
	tcase_add_test(tc, a_column_with_mixed_offsets_is_not_a_shift);
	tcase_add_test(tc, tallies_merge_and_keep_mixed_offsets_apart);
	tcase_add_test(tc, offsets_are_written_as_hours_and_minutes);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(classes_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
