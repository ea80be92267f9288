/*
 * test_shadow.c: shadow agreement over the soak window and skip rates over
 * the rolling window, from hand-built histories.
 */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "shadow.h"

static struct config cfg;
static struct check_cfg cc[2];
static struct history h;
static struct day days[16];
static struct day_check dcs[16][2];

static void setup(void)
{
	memset(&cfg, 0, sizeof(cfg));
	memset(cc, 0, sizeof(cc));
	memset(&h, 0, sizeof(h));
	memset(days, 0, sizeof(days));
	cfg.soak_days = 5;
	cfg.window_days = 4;
	cfg.max_skip_rate = 0.25;
	cc[0] = (struct check_cfg){ .id = "old", .enabled = true, .paging = true,
				    .precondition = "SELECT 1" };
	cc[1] = (struct check_cfg){ .id = "old-live", .enabled = true, .paging = false,
				    .shadow_of = "old" };
	cfg.checks = cc;
	cfg.nchecks = 2;
	h.days = days;
}

/* An earlier report on 2026-11-DD with both checks' statuses (NULL: the
 * check is not in that report). */
static void day(int dd, const char *old, const char *live)
{
	struct day *d = &days[h.ndays];
	char date[11];

	snprintf(date, sizeof(date), "2026-11-%02d", dd);
	date_parse(date, &d->day);
	memcpy(d->date, date, 11);
	d->status = DAY_PASS;
	d->checks = dcs[h.ndays];
	if (old)
		d->checks[d->nchecks++] = (struct day_check){ .id = "old", .status = old };
	if (live)
		d->checks[d->nchecks++] = (struct day_check){ .id = "old-live", .status = live };
	h.ndays++;
}

static void today(struct run *run, int dd, enum status old, enum status live)
{
	memset(run, 0, sizeof(*run));
	arena_init(&run->arena);
	run->cfg = &cfg;
	snprintf(run->date, sizeof(run->date), "2026-11-%02d", dd);
	run->checks = arena_alloc(&run->arena, 2 * sizeof(*run->checks));
	run->checks[0] = (struct check_result){ .cfg = &cc[0], .status = old };
	run->checks[1] = (struct check_result){ .cfg = &cc[1], .status = live };
	run->nchecks = 2;
}

START_TEST(test_full_agreement_over_the_soak_window_is_ready)
{
	struct run run;
	struct shadow *s;

	day(1, "pass", "pass");
	day(2, "fail", "fail");
	day(3, "pass", "pass");
	day(4, "pass", "pass");
	today(&run, 5, STATUS_PASS, STATUS_PASS);
	ck_assert_int_eq(shadows_compute(&h, &run, &s), 1);
	ck_assert_str_eq(s->id, "old-live");
	ck_assert_str_eq(s->of, "old");
	ck_assert_int_eq(s->days, 5);
	ck_assert_int_eq(s->agree, 5);
	ck_assert(s->ready);
	sweep_release(&run);
}
END_TEST

START_TEST(test_a_gap_day_leaves_the_soak_window_short)
{
	struct run run;
	struct shadow *s;

	day(1, "pass", "pass");
	day(3, "pass", "pass");
	day(4, "pass", "pass");
	today(&run, 5, STATUS_PASS, STATUS_PASS);
	shadows_compute(&h, &run, &s);
	ck_assert_int_eq(s->days, 4);
	ck_assert(!s->ready);
	sweep_release(&run);
}
END_TEST

START_TEST(test_disagreement_is_listed_with_date_and_both_statuses)
{
	struct run run;
	struct shadow *s;

	day(1, "pass", "pass");
	day(2, "pass", "fail");
	day(3, "pass", "pass");
	day(4, "pass", "pass");
	today(&run, 5, STATUS_FAIL, STATUS_PASS);
	shadows_compute(&h, &run, &s);
	ck_assert_int_eq(s->disagree, 2);
	ck_assert_int_eq(s->agree, 3);
	ck_assert_int_eq(s->ndisagreements, 2);
	ck_assert_str_eq(s->disagreements[0].date, "2026-11-02");
	ck_assert_str_eq(s->disagreements[0].status, "fail");
	ck_assert_str_eq(s->disagreements[0].of_status, "pass");
	ck_assert(s->disagree_today);
	ck_assert(!s->ready);
	sweep_release(&run);
}
END_TEST

START_TEST(test_skips_and_errors_are_counted_apart)
{
	struct run run;
	struct shadow *s;

	day(1, "skipped", "pass");
	day(2, "pass", "error");
	day(3, "error", "skipped");	/* an error outranks a skip */
	day(4, "pass", "pass");
	today(&run, 5, STATUS_PASS, STATUS_PASS);
	shadows_compute(&h, &run, &s);
	ck_assert_int_eq(s->days, 5);
	ck_assert_int_eq(s->skipped, 1);
	ck_assert_int_eq(s->errors, 2);
	ck_assert_int_eq(s->agree, 2);
	ck_assert(s->skip_rate == 0.2);
	ck_assert(!s->ready);
	sweep_release(&run);
}
END_TEST

START_TEST(test_skip_rate_above_the_limit_is_not_ready)
{
	struct run run;
	struct shadow *s;

	cfg.max_skip_rate = 0.1;
	day(1, "skipped", "pass");
	day(2, "pass", "pass");
	day(3, "pass", "pass");
	day(4, "pass", "pass");
	today(&run, 5, STATUS_PASS, STATUS_PASS);
	shadows_compute(&h, &run, &s);
	ck_assert(s->skip_rate > cfg.max_skip_rate);
	ck_assert(!s->ready);
	sweep_release(&run);
}
END_TEST

START_TEST(test_pair_that_appears_mid_window_counts_from_then)
{
	struct run run;
	struct shadow *s;

	day(1, "pass", NULL);
	day(2, "pass", NULL);
	day(3, "pass", "pass");
	day(4, "fail", "fail");
	today(&run, 5, STATUS_PASS, STATUS_PASS);
	shadows_compute(&h, &run, &s);
	ck_assert_int_eq(s->days, 3);
	ck_assert_int_eq(s->agree, 3);
	ck_assert(!s->ready);
	sweep_release(&run);
}
END_TEST

START_TEST(test_baseline_and_unreadable_days_do_not_count)
{
	struct run run;
	struct shadow *s;

	day(1, "pass", "pass");
	day(2, "skipped", "skipped");
	days[1].baseline = true;
	day(3, "pass", "pass");
	days[2].status = DAY_UNREADABLE;
	day(4, "pass", "pass");
	today(&run, 5, STATUS_PASS, STATUS_PASS);
	shadows_compute(&h, &run, &s);
	ck_assert_int_eq(s->days, 3);
	ck_assert_int_eq(s->skipped, 0);
	sweep_release(&run);
}
END_TEST

START_TEST(test_days_before_the_soak_window_do_not_count)
{
	struct run run;
	struct shadow *s;

	day(1, "pass", "fail");	/* 2026-11-01: outside a 5-day window ending 11-06 */
	day(2, "pass", "pass");
	today(&run, 6, STATUS_PASS, STATUS_PASS);
	shadows_compute(&h, &run, &s);
	ck_assert_int_eq(s->days, 2);
	ck_assert_int_eq(s->disagree, 0);
	sweep_release(&run);
}
END_TEST

START_TEST(test_skip_rate_of_a_precondition_check_over_the_window)
{
	struct run run;
	struct skip_rate *sr;

	day(1, "skipped", "pass");	/* outside the 4-day window */
	day(3, "skipped", "pass");
	day(4, "pass", "pass");
	today(&run, 5, STATUS_SKIPPED, STATUS_PASS);
	ck_assert_int_eq(skip_rates_compute(&h, &run, &sr), 1);
	ck_assert_str_eq(sr->id, "old");
	ck_assert_int_eq(sr->days, 3);
	ck_assert_int_eq(sr->skipped, 2);
	sweep_release(&run);
}
END_TEST


static struct adjudication_cfg adj[2];

static void adjudicate(int n, const char *date, enum adjudication_verdict v)
{
	adj[n] = (struct adjudication_cfg){ .shadow = "old-live", .verdict = v, .line = 1 };
	memcpy(adj[n].date, date, 11);
	cfg.adjudications = adj;
	cfg.nadjudications = (size_t)n + 1;
}

START_TEST(test_episodes_are_runs_of_consecutive_days_of_one_kind)
{
	struct run run;
	struct shadow *s;

	day(1, "pass", "fail");
	day(2, "pass", "fail");
	day(3, "pass", "error");
	/* 11-04 has no report: it ends the error episode */
	today(&run, 5, STATUS_PASS, STATUS_ERROR);
	ck_assert_int_eq(shadows_compute(&h, &run, &s), 1);
	ck_assert_uint_eq(s->nepisodes, 3);
	ck_assert_int_eq(s->episodes[0].kind, EPISODE_DISAGREE);
	ck_assert_str_eq(s->episodes[0].first, "2026-11-01");
	ck_assert_str_eq(s->episodes[0].last, "2026-11-02");
	ck_assert_int_eq(s->episodes[0].days, 2);
	ck_assert_int_eq(s->episodes[1].kind, EPISODE_ERROR);
	ck_assert_str_eq(s->episodes[2].first, "2026-11-05");
	ck_assert_ptr_null(s->episodes[0].adjudication);
	ck_assert_int_eq(s->unadjudicated, 2);
	sweep_release(&run);
}
END_TEST

START_TEST(test_a_real_break_counts_as_agreement_and_makes_a_shadow_ready)
{
	struct run run;
	struct shadow *s;

	day(1, "pass", "pass");
	day(2, "pass", "fail");
	day(3, "pass", "fail");
	day(4, "pass", "pass");
	today(&run, 5, STATUS_PASS, STATUS_PASS);
	shadows_compute(&h, &run, &s);
	ck_assert(!s->ready);
	sweep_release(&run);
	adjudicate(0, "2026-11-03", ADJUDICATED_REAL_BREAK);	/* any day of the episode */
	today(&run, 5, STATUS_PASS, STATUS_PASS);
	shadows_compute(&h, &run, &s);
	ck_assert_ptr_nonnull(s->episodes[0].adjudication);
	ck_assert_int_eq(s->agree, 5);
	ck_assert_int_eq(s->adjudicated, 2);
	ck_assert_int_eq(s->disagree, 0);
	ck_assert(s->ready);
	sweep_release(&run);
}
END_TEST

START_TEST(test_a_check_bug_restarts_the_soak_the_day_after_its_date)
{
	struct run run;
	struct shadow *s;

	day(1, "pass", "pass");
	day(2, "pass", "fail");
	day(3, "pass", "pass");
	day(4, "pass", "pass");
	adjudicate(0, "2026-11-02", ADJUDICATED_CHECK_BUG);
	today(&run, 5, STATUS_PASS, STATUS_PASS);
	shadows_compute(&h, &run, &s);
	ck_assert(s->restarted);
	ck_assert_str_eq(s->soak_from, "2026-11-03");
	ck_assert_int_eq(s->days, 3);
	ck_assert_int_eq(s->disagree, 0);
	ck_assert(!s->ready);	/* 3 of 5 days since the restart */
	sweep_release(&run);
}
END_TEST

START_TEST(test_an_adjudicated_error_still_blocks_readiness)
{
	struct run run;
	struct shadow *s;

	day(1, "pass", "pass");
	day(2, "pass", "error");
	day(3, "pass", "pass");
	day(4, "pass", "pass");
	adjudicate(0, "2026-11-02", ADJUDICATED_REAL_BREAK);
	today(&run, 5, STATUS_PASS, STATUS_PASS);
	shadows_compute(&h, &run, &s);
	ck_assert_int_eq(s->errors, 1);
	ck_assert(!s->ready);
	sweep_release(&run);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("shadow");
	TCase *tc = tcase_create("agreement");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, test_full_agreement_over_the_soak_window_is_ready);
	tcase_add_test(tc, test_a_gap_day_leaves_the_soak_window_short);
	tcase_add_test(tc, test_disagreement_is_listed_with_date_and_both_statuses);
	tcase_add_test(tc, test_skips_and_errors_are_counted_apart);
	tcase_add_test(tc, test_skip_rate_above_the_limit_is_not_ready);
	tcase_add_test(tc, test_pair_that_appears_mid_window_counts_from_then);
	tcase_add_test(tc, test_baseline_and_unreadable_days_do_not_count);
	tcase_add_test(tc, test_days_before_the_soak_window_do_not_count);
	tcase_add_test(tc, test_skip_rate_of_a_precondition_check_over_the_window);
	tcase_add_test(tc, test_episodes_are_runs_of_consecutive_days_of_one_kind);
	tcase_add_test(tc, test_a_real_break_counts_as_agreement_and_makes_a_shadow_ready);
	tcase_add_test(tc, test_a_check_bug_restarts_the_soak_the_day_after_its_date);
	tcase_add_test(tc, test_an_adjudicated_error_still_blocks_readiness);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
