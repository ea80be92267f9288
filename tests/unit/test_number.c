/*
 * test_number.c: the plain-number grammar of the contract and the looser
 * decimal of the configuration, one test per rule, and the callers that
 * must agree with the scanner (canonical compare values).
 */
#include <check.h>
#include <stdint.h>
#include <string.h>

#include "compare_value.h"
#include "number.h"

static bool plain(const char *s)
{
	return number_scan(s, strlen(s), NUMBER_PLAIN, NULL);
}

static bool config(const char *s)
{
	return number_scan(s, strlen(s), NUMBER_CONFIG, NULL);
}

static struct number_parts parts(const char *s, enum number_grammar g)
{
	struct number_parts p;

	ck_assert_msg(number_scan(s, strlen(s), g, &p), "'%s' should scan", s);
	return p;
}

START_TEST(plain_numbers_read_like_minus_12_3_50_1e3)
{
	static const char *const good[] = { "0",    "-0",     "7",       "-12",    "3.50",
					    "1e3",  "1E3",    "1.5e+10", "2.5E-07", "0.001",
					    "-0.0", "1000000", "0e0",    NULL };
	size_t i;

	for (i = 0; good[i]; i++)
		ck_assert_msg(plain(good[i]), "'%s' is a plain number", good[i]);
}
END_TEST

START_TEST(no_leading_zeros)
{
	ck_assert(!plain("08123"));
	ck_assert(!plain("00"));
	ck_assert(!plain("-01"));
	ck_assert(!plain("00.5"));
	ck_assert(plain("0.5"));
	ck_assert(plain("10"));
	ck_assert(plain("1e05"));	/* the exponent's digits are not the number's */
	/* the configuration takes them */
	ck_assert(config("08123"));
	ck_assert(config("00.5"));
}
END_TEST

START_TEST(no_plus_sign)
{
	ck_assert(!plain("+1"));
	ck_assert(!plain("+0.5"));
	ck_assert(!plain("--1"));
	ck_assert(plain("1e+3"));	/* an exponent's sign is its own */
	ck_assert(config("+1"));
	ck_assert(config("+0.5"));
	ck_assert(!config("+-1"));
	ck_assert(!config("-+1"));
}
END_TEST

START_TEST(no_separators_spaces_or_words)
{
	static const char *const bad[] = { "",    "-",     ".",    "1,000", "1_000", " 1",
					   "1 ",  "1.2.3", "0x10", "inf",   "NaN",   "1e3.5",
					   "1-",  "1d",    "\xd9\xa1",    "e3",    "-e3",   NULL };
	size_t i;

	for (i = 0; bad[i]; i++) {
		ck_assert_msg(!plain(bad[i]), "'%s' is not a plain number", bad[i]);
		ck_assert_msg(!config(bad[i]), "'%s' is not a configuration number", bad[i]);
	}
}
END_TEST

START_TEST(digits_on_both_sides_of_the_point)
{
	ck_assert(!plain(".5"));
	ck_assert(!plain("5."));
	ck_assert(!plain("-.5"));
	ck_assert(!plain("5.e3"));
	ck_assert(config(".5"));
	ck_assert(config("5."));
	ck_assert(config("-.5"));
	ck_assert(config("5.e3"));
	ck_assert(!config("."));
	ck_assert(!config("-."));
	ck_assert(!config(".e3"));
}
END_TEST

START_TEST(exponent_forms)
{
	struct number_parts p;

	ck_assert(!plain("1e"));
	ck_assert(!plain("1e+"));
	ck_assert(!plain("1e-"));
	ck_assert(!plain("1ee3"));
	ck_assert(!config("1e"));
	p = parts("1.5e-7", NUMBER_PLAIN);
	ck_assert(p.has_exp);
	ck_assert_int_eq(p.exp, -7);
	p = parts("2E+12", NUMBER_PLAIN);
	ck_assert_int_eq(p.exp, 12);
	p = parts("3.25", NUMBER_PLAIN);
	ck_assert(!p.has_exp);
	ck_assert_int_eq(p.exp, 0);
	/* a huge exponent is still a number; its value stops at the cap */
	p = parts("1e99999999999999999999", NUMBER_PLAIN);
	ck_assert_int_eq(p.exp, NUMBER_EXP_CAP);
	p = parts("1e-99999999999999999999", NUMBER_PLAIN);
	ck_assert_int_eq(p.exp, -NUMBER_EXP_CAP);
}
END_TEST

START_TEST(parts_locate_the_digits)
{
	const char *s = "-120.0500e3";
	struct number_parts p = parts(s, NUMBER_PLAIN);

	ck_assert(p.neg);
	ck_assert(p.point);
	ck_assert_int_eq(p.int_end - p.int_start, 3);
	ck_assert(memcmp(s + p.int_start, "120", 3) == 0);
	ck_assert_int_eq(p.frac_end - p.frac_start, 4);
	ck_assert(memcmp(s + p.frac_start, "0500", 4) == 0);
	p = parts("+.5", NUMBER_CONFIG);
	ck_assert(!p.neg);
	ck_assert_int_eq(p.int_end, p.int_start);
	ck_assert_int_eq(p.frac_end - p.frac_start, 1);
}
END_TEST

START_TEST(whole_numbers_are_those_without_fraction_or_exponent)
{
	bool is_int = false;

	ck_assert(is_plain_number("12", 2, &is_int));
	ck_assert(is_int);
	ck_assert(is_plain_number("-0", 2, &is_int));
	ck_assert(is_int);
	ck_assert(is_plain_number("1.0", 3, &is_int));
	ck_assert(!is_int);
	ck_assert(is_plain_number("1e3", 3, &is_int));
	ck_assert(!is_int);
	ck_assert(is_plain_number("1", 1, NULL));
	ck_assert(!is_plain_number("1x", 2, NULL));
	/* the length is the field's: no NUL is needed */
	ck_assert(is_plain_number("12,34", 2, NULL));
}
END_TEST

START_TEST(whole_numbers_within_64_bits)
{
	int64_t v = 1;

	ck_assert(number_int64("9223372036854775807", 19, &v));
	ck_assert(v == INT64_MAX);
	ck_assert(number_int64("-9223372036854775808", 20, &v));
	ck_assert(v == INT64_MIN);
	ck_assert(number_int64("-0", 2, &v));
	ck_assert(v == 0);
	ck_assert(number_int64("-42", 3, &v));
	ck_assert(v == -42);
	ck_assert(!number_int64("9223372036854775808", 19, &v));
	ck_assert(!number_int64("-9223372036854775809", 20, &v));
	ck_assert(!number_int64("18446744073709551616", 20, &v));
	ck_assert(!number_int64("99999999999999999999999", 23, &v));
	ck_assert(!number_int64("1.0", 3, &v));
	ck_assert(!number_int64("1e3", 3, &v));
	ck_assert(!number_int64("012", 3, &v));
	ck_assert(!number_int64("+1", 2, &v));
	ck_assert(v == -42);	/* untouched when false */
}
END_TEST

START_TEST(scale_is_fraction_digits_less_exponent)
{
	struct number_parts p;

	p = parts("12", NUMBER_PLAIN);
	ck_assert_int_eq(number_scale(&p), 0);
	p = parts("1.50", NUMBER_PLAIN);
	ck_assert_int_eq(number_scale(&p), 2);
	p = parts("1.5e-2", NUMBER_PLAIN);
	ck_assert_int_eq(number_scale(&p), 3);
	p = parts("15e-1", NUMBER_PLAIN);
	ck_assert_int_eq(number_scale(&p), 1);
	p = parts("1.25e1", NUMBER_PLAIN);
	ck_assert_int_eq(number_scale(&p), 1);
	p = parts("1e3", NUMBER_PLAIN);
	ck_assert_int_eq(number_scale(&p), 0);
	p = parts("1.5e9", NUMBER_PLAIN);
	ck_assert_int_eq(number_scale(&p), 0);
}
END_TEST

START_TEST(column_typing_sees_digits_fraction_and_exponent)
{
	struct plain_number pn;

	ck_assert(plain_number_scan("0.05", 4, &pn));
	ck_assert_int_eq(pn.digits, 1);	/* leading zeros are not significant */
	ck_assert_int_eq(pn.frac, 2);
	ck_assert_int_eq(pn.exp, 0);
	ck_assert(!pn.is_int);
	ck_assert(plain_number_scan("-1200", 5, &pn));
	ck_assert_int_eq(pn.digits, 4);	/* trailing zeros are */
	ck_assert_int_eq(pn.frac, 0);
	ck_assert(pn.is_int);
	ck_assert(plain_number_scan("0", 1, &pn));
	ck_assert_int_eq(pn.digits, 0);
	ck_assert(plain_number_scan("12.50e-3", 8, &pn));
	ck_assert_int_eq(pn.digits, 4);
	ck_assert_int_eq(pn.frac, 2);
	ck_assert_int_eq(pn.exp, -3);
	ck_assert(plain_number_scan("1e99999999", 10, &pn));
	ck_assert_int_eq(pn.exp, 1000000);
	ck_assert(plain_number_scan("1e-99999999", 11, &pn));
	ck_assert_int_eq(pn.exp, -1000000);
	ck_assert(!plain_number_scan("012", 3, &pn));
	ck_assert(plain_number_scan("7", 1, NULL));
}
END_TEST

START_TEST(compare_values_follow_the_same_grammar)
{
	static const char *const cases[] = { "0",   "-12",  "3.50", "1e3",   "08123", "+1",
					     ".5",  "5.",   "1e",   "1,000", "-0",    "0.001",
					     "1e+", "00",   "7E-3", "-.5",   "9",     NULL };
	struct cv_num n;
	size_t i;

	for (i = 0; cases[i]; i++)
		ck_assert_msg(cv_parse(cases[i], strlen(cases[i]), &n) == plain(cases[i]),
			      "cv_parse and the scanner disagree on '%s'", cases[i]);
}
END_TEST

static Suite *number_suite(void)
{
	Suite *s = suite_create("number");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, plain_numbers_read_like_minus_12_3_50_1e3);
	tcase_add_test(tc, no_leading_zeros);
	tcase_add_test(tc, no_plus_sign);
	tcase_add_test(tc, no_separators_spaces_or_words);
	tcase_add_test(tc, digits_on_both_sides_of_the_point);
	tcase_add_test(tc, exponent_forms);
	tcase_add_test(tc, parts_locate_the_digits);
	tcase_add_test(tc, whole_numbers_are_those_without_fraction_or_exponent);
	tcase_add_test(tc, whole_numbers_within_64_bits);
	tcase_add_test(tc, scale_is_fraction_digits_less_exponent);
	tcase_add_test(tc, column_typing_sees_digits_fraction_and_exponent);
	tcase_add_test(tc, compare_values_follow_the_same_grammar);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(number_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
