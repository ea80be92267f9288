/*
 * test_util.c: the building blocks every stage shares: the capped string
 * builder and its initialisers, the arena, calendar dates, locale-free
 * doubles and the UTF-8 check.
 */
#include <check.h>
#include <locale.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

START_TEST(a_new_strbuf_is_empty_never_null)
{
	struct strbuf a = STRBUF_INIT, b;

	sb_init(&b);
	ck_assert_ptr_nonnull(a.buf);
	ck_assert_str_eq(a.buf, "");
	ck_assert_int_eq(a.len, 0);
	ck_assert(!a.overflow);
	ck_assert_int_eq(a.max, b.max);
	ck_assert_ptr_eq(a.buf, b.buf);
	sb_release(&a);
	sb_release(&b);
}
END_TEST

START_TEST(a_zeroed_strbuf_is_safe_to_release)
{
	struct strbuf sb;

	memset(&sb, 0, sizeof(sb));
	sb_release(&sb);	/* no flag says whether it was started */
	ck_assert_ptr_nonnull(sb.buf);
	ck_assert_int_eq(sb_puts(&sb, "usable after"), 0);
	ck_assert_str_eq(sb.buf, "usable after");
	sb_release(&sb);
	sb_release(&sb);	/* twice is fine too */
	ck_assert_str_eq(sb.buf, "");
}
END_TEST

START_TEST(strbuf_grows_and_stays_nul_terminated)
{
	struct strbuf sb = STRBUF_INIT;
	size_t i;

	for (i = 0; i < 10000; i++)
		ck_assert_int_eq(sb_putc(&sb, (char)('a' + i % 26)), 0);
	ck_assert_int_eq(sb.len, 10000);
	ck_assert_int_eq(sb.buf[10000], '\0');
	ck_assert_int_eq(sb_addf(&sb, "%d-%s", 42, "x"), 0);
	ck_assert_str_eq(sb.buf + 10000, "42-x");
	sb_reset(&sb);
	ck_assert_str_eq(sb.buf, "");
	sb_release(&sb);
}
END_TEST

START_TEST(strbuf_refuses_to_pass_its_cap)
{
	struct strbuf sb = STRBUF_INIT;

	sb.max = 8;
	ck_assert_int_eq(sb_puts(&sb, "12345678"), 0);
	ck_assert_int_eq(sb_putc(&sb, '9'), -1);
	ck_assert(sb.overflow);
	ck_assert_int_eq(sb.len, 8);
	ck_assert_str_eq(sb.buf, "12345678");
	ck_assert_int_eq(sb_addf(&sb, "%s", "more"), -1);
	ck_assert_int_eq(sb.len, 8);
	sb_release(&sb);
}
END_TEST

START_TEST(sql_identifiers_double_their_quotes)
{
	struct strbuf sb = STRBUF_INIT;

	sb_add_sql_ident(&sb, "a\"b");
	ck_assert_str_eq(sb.buf, "\"a\"\"b\"");
	sb_release(&sb);
}
END_TEST

START_TEST(detach_hands_the_buffer_over)
{
	struct strbuf sb = STRBUF_INIT;
	size_t len = 0;
	char *s;

	sb_puts(&sb, "kept");
	s = sb_detach(&sb, &len);
	ck_assert_str_eq(s, "kept");
	ck_assert_int_eq(len, 4);
	ck_assert_str_eq(sb.buf, "");
	free(s);
	s = sb_detach(&sb, &len);	/* an empty buffer still gives a string to free */
	ck_assert_str_eq(s, "");
	free(s);
	sb_release(&sb);
}
END_TEST

START_TEST(arena_memory_is_zeroed_and_freed_at_once)
{
	struct arena a = ARENA_INIT;
	char *p, *big;
	size_t i;

	for (i = 0; i < 1000; i++) {
		p = arena_alloc(&a, 37);
		ck_assert_int_eq(p[0] | p[36], 0);
		memset(p, 0xff, 37);
	}
	big = arena_alloc(&a, 1 << 20);	/* larger than a block */
	ck_assert_int_eq(big[0] | big[(1 << 20) - 1], 0);
	ck_assert_str_eq(arena_strdup(&a, "x"), "x");
	ck_assert_ptr_null(arena_strdup(&a, NULL));
	ck_assert_str_eq(arena_strndup(&a, "abcdef", 3), "abc");
	ck_assert_str_eq(arena_printf(&a, "%s=%d", "n", 7), "n=7");
	arena_release(&a);
	ck_assert_ptr_null(a.head);
	arena_release(&a);
}
END_TEST

START_TEST(dates_are_real_calendar_days)
{
	long d;
	char out[11];

	ck_assert_int_eq(date_parse("1970-01-01", &d), 0);
	ck_assert_int_eq(d, 0);
	ck_assert_int_eq(date_parse("2024-02-29", &d), 0);
	date_format(d, out);
	ck_assert_str_eq(out, "2024-02-29");
	ck_assert_int_eq(date_parse("2026-12-03", &d), 0);
	date_format(d + 29, out);
	ck_assert_str_eq(out, "2027-01-01");
	ck_assert_int_eq(date_parse("1969-12-31", &d), 0);
	ck_assert_int_eq(d, -1);
	ck_assert_int_eq(date_parse("2026-02-29", &d), -1);
	ck_assert_int_eq(date_parse("2026-02-30", &d), -1);
	ck_assert_int_eq(date_parse("2026-13-01", &d), -1);
	ck_assert_int_eq(date_parse("2026-1-01", &d), -1);
	ck_assert_int_eq(date_parse("2026-01-01x", &d), -1);
	ck_assert_int_eq(date_parse("2026/01/01", &d), -1);
	ck_assert_int_eq(date_parse("", &d), -1);
}
END_TEST

static const char *fd(double v)
{
	static char out[32];

	format_double(v, out);
	return out;
}

START_TEST(doubles_print_as_sqlite_prints_them)
{
	ck_assert_str_eq(fd(0.1), "0.1");
	ck_assert_str_eq(fd(0.1 + 0.2), "0.3");
	ck_assert_str_eq(fd(12.0), "12");
	ck_assert_str_eq(fd(-0.0), "0");
	ck_assert_str_eq(fd(1e20), "1e+20");
	ck_assert_str_eq(fd(999999999999999.0), "999999999999999");
	ck_assert_str_eq(fd(NAN), "NaN");
	ck_assert_str_eq(fd(INFINITY), "Infinity");
	ck_assert_str_eq(fd(-INFINITY), "-Infinity");
}
END_TEST

/* A test that cannot run says so, as tests/lib/skip.sh does: on stdout,
 * and in RECON_SKIP_LOG when make check names one. */
static void skip(const char *name, const char *reason)
{
	const char *log = getenv("RECON_SKIP_LOG");
	FILE *f;

	printf("SKIP %s: %s\n", name, reason);
	if (log && *log && (f = fopen(log, "a"))) {
		fprintf(f, "SKIP %s: %s\n", name, reason);
		fclose(f);
	}
}

START_TEST(doubles_ignore_the_locale)
{
	if (!setlocale(LC_NUMERIC, "de_DE.UTF-8") && !setlocale(LC_NUMERIC, "fr_FR.UTF-8")) {
		skip("doubles_ignore_the_locale", "no locale with a decimal comma installed");
		return;
	}
	ck_assert_str_eq(fd(2.5), "2.5");
	setlocale(LC_NUMERIC, "C");
}
END_TEST

START_TEST(utf8_prefix_stops_at_the_first_bad_byte)
{
	static const unsigned char ok[] = "a\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80z";
	static const unsigned char bad[] = "ab\xc3(";
	static const unsigned char overlong[] = "a\xc0\xaf";
	static const unsigned char surrogate[] = "\xed\xa0\x80";
	static const unsigned char cut[] = "abc\xe2\x82";

	ck_assert_int_eq(utf8_valid_prefix(ok, sizeof(ok) - 1), sizeof(ok) - 1);
	ck_assert_int_eq(utf8_valid_prefix(bad, sizeof(bad) - 1), 2);
	ck_assert_int_eq(utf8_valid_prefix(overlong, sizeof(overlong) - 1), 1);
	ck_assert_int_eq(utf8_valid_prefix(surrogate, sizeof(surrogate) - 1), 0);
	ck_assert_int_eq(utf8_valid_prefix(cut, sizeof(cut) - 1), 3);
	ck_assert_int_eq(utf8_valid_prefix(ok, 0), 0);
}
END_TEST

static Suite *util_suite(void)
{
	Suite *s = suite_create("util");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, a_new_strbuf_is_empty_never_null);
	tcase_add_test(tc, a_zeroed_strbuf_is_safe_to_release);
	tcase_add_test(tc, strbuf_grows_and_stays_nul_terminated);
	tcase_add_test(tc, strbuf_refuses_to_pass_its_cap);
	tcase_add_test(tc, sql_identifiers_double_their_quotes);
	tcase_add_test(tc, detach_hands_the_buffer_over);
	tcase_add_test(tc, arena_memory_is_zeroed_and_freed_at_once);
	tcase_add_test(tc, dates_are_real_calendar_days);
	tcase_add_test(tc, doubles_print_as_sqlite_prints_them);
	tcase_add_test(tc, doubles_ignore_the_locale);
	tcase_add_test(tc, utf8_prefix_stops_at_the_first_bad_byte);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(util_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
