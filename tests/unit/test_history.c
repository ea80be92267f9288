/*
 * test_history.c: the streak, the window and the gate, read back from the
 * JSON files of a report directory; one test per rule of the contract.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "history.h"
#include "render.h"

static char dir[64];
static struct config cfg;
static struct check_cfg checks[1];

static void setup(void)
{
	snprintf(dir, sizeof(dir), "/tmp/recon-history-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	memset(&cfg, 0, sizeof(cfg));	/* sha256 "": no configuration digest */
	memset(checks, 0, sizeof(checks));
	cfg.title = "t";
	cfg.gate_days = 3;
	cfg.window_days = 4;
	cfg.samples = 5;
	checks[0].id = "c";
	checks[0].kind = KIND_ROWS;
	checks[0].paging = true;
	checks[0].enabled = true;
	cfg.checks = checks;
	cfg.nchecks = 1;
}

static void teardown(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	ck_assert_int_eq(system(cmd), 0);
}

static void put_file(const char *name, const char *text)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
}

/* A minimal valid earlier report. */
static void put_day(const char *date, const char *status, long long drift)
{
	char name[32], text[512];

	snprintf(name, sizeof(name), "%s.json", date);
	snprintf(text, sizeof(text),
		 "{\"schema\": \"recon-report/1\", \"date\": \"%s\", \"gate\": {\"status\": "
		 "\"%s\", \"streak\": 1, \"required\": 3, \"met\": false}, \"summary\": "
		 "{\"drift\": %lld}, \"checks\": []}\n",
		 date, status, drift);
	put_file(name, text);
}

/* A run for date whose one check has the given status. */
static void make_run(struct run *run, const char *date, enum status st)
{
	memset(run, 0, sizeof(*run));
	arena_init(&run->arena);
	run->cfg = &cfg;
	snprintf(run->date, sizeof(run->date), "%s", date);
	run->checks = arena_alloc(&run->arena, sizeof(*run->checks));
	run->checks[0].cfg = &checks[0];
	run->checks[0].status = st;
	run->checks[0].drift = st == STATUS_FAIL ? 4 : 0;
	run->nchecks = 1;
	run->drift = run->checks[0].drift;
	run->gate = st == STATUS_FAIL || st == STATUS_ERROR ? STATUS_FAIL : STATUS_PASS;
	run->tenants_scanned = -1;
}

static long long streak_on(const char *date, enum status st, bool *met)
{
	struct history h;
	struct diag d;
	struct run run;
	struct gate g;
	long long s;

	ck_assert_int_eq(history_load(&h, dir, &d), 0);
	make_run(&run, date, st);
	history_gate(&h, &run, &g);
	s = g.streak;
	if (met)
		*met = g.met;
	sweep_release(&run);
	history_release(&h);
	return s;
}

START_TEST(test_streak_counts_consecutive_pass_days)
{
	bool met;

	put_day("2026-11-01", "pass", 0);
	put_day("2026-11-02", "pass", 0);
	ck_assert_int_eq(streak_on("2026-11-03", STATUS_PASS, &met), 3);
	ck_assert(met);
}
END_TEST

START_TEST(test_a_day_without_report_breaks_the_streak)
{
	bool met;

	put_day("2026-11-01", "pass", 0);
	put_day("2026-11-03", "pass", 0);
	ck_assert_int_eq(streak_on("2026-11-04", STATUS_PASS, &met), 2);
	ck_assert(!met);
}
END_TEST

START_TEST(test_a_fail_day_breaks_the_streak)
{
	put_day("2026-11-01", "pass", 0);
	put_day("2026-11-02", "fail", 3);
	ck_assert_int_eq(streak_on("2026-11-03", STATUS_PASS, NULL), 1);
}
END_TEST

START_TEST(test_todays_fail_means_streak_zero)
{
	put_day("2026-11-01", "pass", 0);
	ck_assert_int_eq(streak_on("2026-11-02", STATUS_FAIL, NULL), 0);
}
END_TEST

START_TEST(test_error_of_a_paging_check_is_not_a_pass_day)
{
	put_day("2026-11-01", "pass", 0);
	ck_assert_int_eq(streak_on("2026-11-02", STATUS_ERROR, NULL), 0);
}
END_TEST

START_TEST(test_backfill_counts_only_earlier_days)
{
	put_day("2026-11-01", "pass", 0);
	put_day("2026-11-03", "pass", 0);
	put_day("2026-11-04", "pass", 0);
	/* backfilling 11-02: 11-03 and 11-04 are later and do not count */
	ck_assert_int_eq(streak_on("2026-11-02", STATUS_PASS, NULL), 2);
}
END_TEST

START_TEST(test_streak_crosses_month_and_year_ends)
{
	put_day("2026-12-30", "pass", 0);
	put_day("2026-12-31", "pass", 0);
	ck_assert_int_eq(streak_on("2027-01-01", STATUS_PASS, NULL), 3);
	put_day("2028-02-28", "pass", 0);
	put_day("2028-02-29", "pass", 0);
	ck_assert_int_eq(streak_on("2028-03-01", STATUS_PASS, NULL), 3);
}
END_TEST

START_TEST(test_unreadable_report_breaks_the_streak_and_is_named)
{
	struct history h;
	struct diag d;
	struct run run;
	struct gate g;

	put_day("2026-11-01", "pass", 0);
	put_file("2026-11-02.json", "{\"schema\": \"recon-report/1\", \"gate\": ");
	ck_assert_int_eq(history_load(&h, dir, &d), 0);
	ck_assert_int_eq(h.ndays, 2);
	ck_assert_int_eq(h.days[1].status, DAY_UNREADABLE);
	ck_assert_ptr_nonnull(strstr(h.days[1].error, "2026-11-02.json"));
	make_run(&run, "2026-11-03", STATUS_PASS);
	history_gate(&h, &run, &g);
	ck_assert_int_eq(g.streak, 1);
	ck_assert_int_eq(g.nunreadable, 1);
	ck_assert_int_eq(g.window[2].status, DAY_UNREADABLE);
	sweep_release(&run);
	history_release(&h);
}
END_TEST

START_TEST(test_hand_edited_report_with_wrong_date_is_unreadable)
{
	struct history h;
	struct diag d;

	put_file("2026-11-02.json",
		 "{\"schema\": \"recon-report/1\", \"date\": \"2026-11-05\", \"gate\": "
		 "{\"status\": \"pass\", \"streak\": 1}, \"summary\": {\"drift\": 0}}");
	put_file("2026-11-03.json",
		 "{\"schema\": \"recon-report/1\", \"date\": \"2026-11-03\", \"gate\": "
		 "{\"status\": \"maybe\", \"streak\": 1}, \"summary\": {\"drift\": 0}}");
	ck_assert_int_eq(history_load(&h, dir, &d), 0);
	ck_assert_int_eq(h.days[0].status, DAY_UNREADABLE);
	ck_assert_int_eq(h.days[1].status, DAY_UNREADABLE);
	history_release(&h);
}
END_TEST

/* The followed findings are skipped unparsed, wherever they stand, even
 * after a string "tracked" that is not their key (a check's id): so a
 * damaged finding there does not make the day unreadable. */
START_TEST(test_followed_findings_are_skipped_after_a_string_tracked)
{
	struct history h;
	struct diag d;

	put_file("2026-11-02.json",
		 "{\"schema\": \"recon-report/1\", \"date\": \"2026-11-02\", \"gate\": "
		 "{\"status\": \"pass\", \"streak\": 1, \"required\": 3, \"met\": false}, "
		 "\"summary\": {\"drift\": 0}, \"checks\": [{\"id\": \"tracked\", "
		 "\"status\": \"pass\", \"drift\": 0, \"findings\": {\"tracked\": "
		 "[{\"key\": \"a\\\"]\", ,}]}}]}\n");
	ck_assert_int_eq(history_load(&h, dir, &d), 0);
	ck_assert_int_eq(h.ndays, 1);
	ck_assert_int_eq(h.days[0].status, DAY_PASS);
	ck_assert_int_eq(h.days[0].nchecks, 1);
	history_release(&h);
}
END_TEST

START_TEST(test_other_files_are_ignored)
{
	struct history h;
	struct diag d;

	put_file("notes.json", "{}");
	put_file("2026-13-01.json", "{}");
	put_file("2026-11-01.md", "# x");
	ck_assert_int_eq(history_load(&h, dir, &d), 0);
	ck_assert_int_eq(h.ndays, 0);
	history_release(&h);
}
END_TEST

START_TEST(test_window_lists_window_days_oldest_first_with_missing)
{
	struct history h;
	struct diag d;
	struct run run;
	struct gate g;

	put_day("2026-11-02", "fail", 7);
	ck_assert_int_eq(history_load(&h, dir, &d), 0);
	make_run(&run, "2026-11-04", STATUS_PASS);
	history_gate(&h, &run, &g);
	ck_assert_int_eq(g.nwindow, 4);
	ck_assert_str_eq(g.window[0].date, "2026-11-01");
	ck_assert_int_eq(g.window[0].status, DAY_MISSING);
	ck_assert_int_eq(g.window[0].drift, -1);
	ck_assert_int_eq(g.window[1].status, DAY_FAIL);
	ck_assert_int_eq(g.window[1].drift, 7);
	ck_assert_int_eq(g.window[2].status, DAY_MISSING);
	ck_assert_str_eq(g.window[3].date, "2026-11-04");
	ck_assert_int_eq(g.window[3].status, DAY_PASS);
	sweep_release(&run);
	history_release(&h);
}
END_TEST

START_TEST(test_missing_directory_is_empty_history)
{
	struct history h;
	struct diag d;

	ck_assert_int_eq(history_load(&h, "/nonexistent/recon/dir", &d), 0);
	ck_assert_int_eq(h.ndays, 0);
	history_release(&h);
}
END_TEST

START_TEST(test_json_round_trip_through_history)
{
	struct history h, back;
	struct diag d;
	struct run run;
	struct gate g;
	struct strbuf json;
	struct report r;
	const struct day *dy;

	put_day("2026-11-01", "pass", 0);
	ck_assert_int_eq(history_load(&h, dir, &d), 0);
	make_run(&run, "2026-11-02", STATUS_FAIL);
	run.checks[0].groups = arena_alloc(&run.arena, 2 * sizeof(struct group_result));
	run.checks[0].groups[0].group = "t-1";
	run.checks[0].groups[0].drift = 3;
	run.checks[0].groups[1].group = "t-2";
	run.checks[0].groups[1].drift = 1;
	run.checks[0].ngroups = 2;
	run.nfail = 1;
	history_gate(&h, &run, &g);
	memset(&r, 0, sizeof(r));
	r.run = &run;
	r.gate = &g;
	r.history = &h;
	r.link_ext = ".md";
	report_derive(&r);
	sb_init(&json);
	ck_assert_int_eq(render_json(&r, &json, &d), 0);
	report_release(&r);
	put_file("2026-11-02.json", json.buf);
	ck_assert_int_eq(history_load(&back, dir, &d), 0);
	ck_assert_int_eq(back.ndays, 2);
	dy = &back.days[1];
	ck_assert_int_eq(dy->status, DAY_FAIL);
	ck_assert_int_eq(dy->drift, 4);
	ck_assert_int_eq(dy->streak, 0);
	ck_assert_int_eq(dy->nchecks, 1);
	ck_assert_str_eq(dy->checks[0].id, "c");
	ck_assert_str_eq(dy->checks[0].status, "fail");
	{
		/* the groups are in the report, for recon diff */
		json_t *root = json_loads(json.buf, 0, NULL), *gs;

		ck_assert_ptr_nonnull(root);
		gs = json_object_get(json_array_get(json_object_get(root, "checks"), 0), "groups");
		ck_assert_int_eq(json_array_size(gs), 2);
		ck_assert_str_eq(json_string_value(json_object_get(json_array_get(gs, 1), "group")),
				 "t-2");
		ck_assert_int_eq(json_integer_value(json_object_get(json_array_get(gs, 1), "drift")),
				 1);
		json_decref(root);
	}
	sb_release(&json);
	sweep_release(&run);
	history_release(&h);
	history_release(&back);
}
END_TEST

/* The JSON of r (a struct report over run, g and h) as a parsed tree. */
static json_t *json_of(struct run *run, struct gate *g, struct history *h, struct strbuf *out)
{
	struct report r;
	struct diag d;
	json_t *root;

	memset(&r, 0, sizeof(r));
	r.run = run;
	r.gate = g;
	r.history = h;
	r.link_ext = ".md";
	report_derive(&r);
	sb_init(out);
	ck_assert_int_eq(render_json(&r, out, &d), 0);
	report_release(&r);
	root = json_loads(out->buf, 0, NULL);
	ck_assert_ptr_nonnull(root);
	return root;
}

START_TEST(test_value_is_history_and_a_whole_number_has_no_fraction)
{
	struct history h, back;
	struct diag d;
	struct run run;
	struct gate g;
	struct strbuf json;
	json_t *root;

	checks[0].kind = KIND_VALUE;
	ck_assert_int_eq(history_load(&h, dir, &d), 0);
	make_run(&run, "2026-11-02", STATUS_PASS);
	run.checks[0].has_value = true;
	run.checks[0].value = 634;
	history_gate(&h, &run, &g);
	root = json_of(&run, &g, &h, &json);
	ck_assert_ptr_nonnull(strstr(json.buf, "\"value\": 634,\n"));
	ck_assert_ptr_null(strstr(json.buf, "634.0"));
	/* the window carries each value check's value per day */
	ck_assert_ptr_nonnull(strstr(json.buf, "\"values\": {\n        \"c\": 634\n"));
	json_decref(root);
	put_file("2026-11-02.json", json.buf);
	sb_release(&json);
	sweep_release(&run);

	ck_assert_int_eq(history_load(&back, dir, &d), 0);
	ck_assert_int_eq(back.ndays, 1);
	ck_assert(back.days[0].checks[0].has_value);
	ck_assert(back.days[0].checks[0].value == 634);

	/* a fraction keeps format_double's 15 digits: 0.1 + 0.2 is 0.3 */
	make_run(&run, "2026-11-03", STATUS_PASS);
	run.checks[0].has_value = true;
	run.checks[0].value = 0.1 + 0.2;
	history_gate(&back, &run, &g);
	root = json_of(&run, &g, &back, &json);
	ck_assert_ptr_nonnull(strstr(json.buf, "\"value\": 0.3,\n"));
	/* yesterday's value, read back, is in today's window */
	ck_assert_ptr_nonnull(strstr(json.buf, "\"c\": 634\n"));
	json_decref(root);
	sb_release(&json);
	sweep_release(&run);
	history_release(&h);
	history_release(&back);
}
END_TEST

static void put_report(const char *date, const char *sha, const char *ids)
{
	char name[32], text[1024];

	snprintf(name, sizeof(name), "%s.json", date);
	snprintf(text, sizeof(text),
		 "{\"schema\": \"recon-report/1\", \"date\": \"%s\", %s%s%s \"gate\": "
		 "{\"status\": \"pass\", \"streak\": 1, \"required\": 3, \"met\": false}, "
		 "\"summary\": {\"drift\": 0}, \"checks\": [%s]}\n",
		 date, sha ? "\"config_sha256\": \"" : "", sha ? sha : "", sha ? "\"," : "", ids);
	put_file(name, text);
}

START_TEST(test_config_change_names_checks_added_and_removed)
{
	struct history h;
	struct diag d;
	struct run run;
	struct gate g;

	/* the previous report had b (failing, say) and c; today has c only
	 * plus a new a: removing b must not pass unnoticed */
	put_report("2026-11-01", "1111", "{\"id\": \"b\", \"status\": \"fail\", \"drift\": 3}, "
					 "{\"id\": \"c\", \"status\": \"pass\", \"drift\": 0}");
	ck_assert_int_eq(history_load(&h, dir, &d), 0);
	snprintf(cfg.sha256, sizeof(cfg.sha256), "2222");
	make_run(&run, "2026-11-02", STATUS_PASS);
	history_gate(&h, &run, &g);
	ck_assert(g.config_changed);
	ck_assert_str_eq(g.config_since, "2026-11-01");
	ck_assert_int_eq(g.nchecks_added, 0);
	ck_assert_int_eq(g.nchecks_removed, 1);
	ck_assert_str_eq(g.checks_removed[0], "b");
	sweep_release(&run);

	checks[0].id = "a";
	make_run(&run, "2026-11-02", STATUS_PASS);
	history_gate(&h, &run, &g);
	ck_assert_int_eq(g.nchecks_added, 1);
	ck_assert_str_eq(g.checks_added[0], "a");
	ck_assert_int_eq(g.nchecks_removed, 2);
	ck_assert_str_eq(g.checks_removed[0], "b");
	ck_assert_str_eq(g.checks_removed[1], "c");
	sweep_release(&run);

	/* the same configuration: no change, whatever the checks */
	snprintf(cfg.sha256, sizeof(cfg.sha256), "1111");
	make_run(&run, "2026-11-02", STATUS_PASS);
	history_gate(&h, &run, &g);
	ck_assert(!g.config_changed);
	ck_assert_int_eq(g.nchecks_added + g.nchecks_removed, 0);
	sweep_release(&run);
	history_release(&h);
}
END_TEST

START_TEST(test_config_change_needs_both_digests)
{
	struct history h;
	struct diag d;
	struct run run;
	struct gate g;

	put_report("2026-11-01", NULL, "");
	ck_assert_int_eq(history_load(&h, dir, &d), 0);
	snprintf(cfg.sha256, sizeof(cfg.sha256), "2222");
	make_run(&run, "2026-11-02", STATUS_PASS);
	history_gate(&h, &run, &g);
	ck_assert(!g.config_changed);
	sweep_release(&run);
	history_release(&h);
}
END_TEST

START_TEST(test_config_change_looks_past_an_unreadable_report)
{
	struct history h;
	struct diag d;
	struct run run;
	struct gate g;

	put_report("2026-11-01", "1111", "{\"id\": \"c\", \"status\": \"pass\", \"drift\": 0}");
	put_file("2026-11-02.json", "{ not json");
	ck_assert_int_eq(history_load(&h, dir, &d), 0);
	snprintf(cfg.sha256, sizeof(cfg.sha256), "2222");
	make_run(&run, "2026-11-03", STATUS_PASS);
	history_gate(&h, &run, &g);
	ck_assert(g.config_changed);
	ck_assert_str_eq(g.config_since, "2026-11-01");
	sweep_release(&run);
	history_release(&h);
}
END_TEST

START_TEST(test_config_change_is_in_the_json)
{
	struct history h;
	struct diag d;
	struct run run;
	struct gate g;
	struct strbuf json;
	json_t *root, *rm;

	put_report("2026-11-01", "1111", "{\"id\": \"b\", \"status\": \"fail\", \"drift\": 3}, "
					 "{\"id\": \"c\", \"status\": \"pass\", \"drift\": 0}");
	ck_assert_int_eq(history_load(&h, dir, &d), 0);
	snprintf(cfg.sha256, sizeof(cfg.sha256), "2222");
	make_run(&run, "2026-11-02", STATUS_PASS);
	history_gate(&h, &run, &g);
	root = json_of(&run, &g, &h, &json);
	ck_assert(json_is_true(json_object_get(root, "config_changed")));
	ck_assert_int_eq(json_array_size(json_object_get(root, "checks_added")), 0);
	rm = json_object_get(root, "checks_removed");
	ck_assert_int_eq(json_array_size(rm), 1);
	ck_assert_str_eq(json_string_value(json_array_get(rm, 0)), "b");
	json_decref(root);
	sb_release(&json);
	sweep_release(&run);
	history_release(&h);
}
END_TEST

START_TEST(test_a_day_whose_gating_checks_were_all_skipped_asserted_nothing)
{
	struct history h;
	struct diag d;
	struct run run;
	struct gate g;
	struct strbuf json;
	json_t *root;

	ck_assert_int_eq(history_load(&h, dir, &d), 0);
	make_run(&run, "2026-11-02", STATUS_SKIPPED);
	history_gate(&h, &run, &g);
	ck_assert_int_eq(run.gate, STATUS_PASS);
	ck_assert(!g.asserted);
	root = json_of(&run, &g, &h, &json);
	ck_assert(json_is_false(json_object_get(json_object_get(root, "gate"), "asserted")));
	json_decref(root);
	sb_release(&json);
	sweep_release(&run);

	make_run(&run, "2026-11-02", STATUS_PASS);
	history_gate(&h, &run, &g);
	ck_assert(g.asserted);
	sweep_release(&run);

	/* a signal-only pass asserts nothing for the gate */
	checks[0].paging = false;
	make_run(&run, "2026-11-02", STATUS_PASS);
	history_gate(&h, &run, &g);
	ck_assert(!g.asserted);
	sweep_release(&run);
	history_release(&h);
}
END_TEST

START_TEST(test_json_caps_each_sampled_cell)
{
	struct history h;
	struct diag d;
	struct run run;
	struct gate g;
	struct strbuf json;
	json_t *root, *cell;
	size_t big = 5u << 20, i;
	char *value = malloc(big + 1), want[64];
	const char **row;

	ck_assert_ptr_nonnull(value);
	/* "é" (2 bytes) throughout: the cut must not split a character */
	value[0] = 'x';	/* then pairs from byte 1: byte 4096 is mid-character */
	for (i = 1; i + 1 < big; i += 2) {
		value[i] = (char)0xC3;
		value[i + 1] = (char)0xA9;
	}
	value[big - 1] = 'x';
	value[big] = '\0';
	ck_assert_int_eq(history_load(&h, dir, &d), 0);
	make_run(&run, "2026-11-02", STATUS_FAIL);
	row = arena_alloc(&run.arena, 2 * sizeof(*row));
	row[0] = "small";
	row[1] = value;
	run.checks[0].columns = arena_alloc(&run.arena, 2 * sizeof(char *));
	run.checks[0].columns[0] = "id";
	run.checks[0].columns[1] = "payload";
	run.checks[0].ncolumns = 2;
	run.checks[0].samples = arena_alloc(&run.arena, sizeof(*run.checks[0].samples));
	run.checks[0].samples[0] = row;
	run.checks[0].nsamples = 1;
	history_gate(&h, &run, &g);
	root = json_of(&run, &g, &h, &json);
	ck_assert_uint_lt(json.len, 3 * SAMPLE_JSON_BYTES);
	cell = json_array_get(json_array_get(json_object_get(json_array_get(
		json_object_get(root, "checks"), 0), "samples"), 0), 1);
	ck_assert_str_eq(json_string_value(json_array_get(json_array_get(json_object_get(
		json_array_get(json_object_get(root, "checks"), 0), "samples"), 0), 0)), "small");
	snprintf(want, sizeof(want), "… [truncated, %zu bytes]", big);
	ck_assert_uint_eq(json_string_length(cell), SAMPLE_JSON_BYTES - 1 + strlen(want));
	ck_assert_str_eq(json_string_value(cell) + json_string_length(cell) - strlen(want), want);
	ck_assert_int_eq(memcmp(json_string_value(cell), value, SAMPLE_JSON_BYTES - 1), 0);
	json_decref(root);
	sb_release(&json);
	sweep_release(&run);
	history_release(&h);
	free(value);
}
END_TEST

START_TEST(test_dates_parse_only_real_calendar_days)
{
	long day;
	char out[11];

	ck_assert_int_eq(date_parse("1970-01-01", &day), 0);
	ck_assert_int_eq(day, 0);
	ck_assert_int_eq(date_parse("2026-02-29", &day), -1);
	ck_assert_int_eq(date_parse("2028-02-29", &day), 0);
	date_format(day + 1, out);
	ck_assert_str_eq(out, "2028-03-01");
	ck_assert_int_eq(date_parse("2026-1-01", &day), -1);
	ck_assert_int_eq(date_parse("2026-11-31", &day), -1);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("history");
	TCase *tc = tcase_create("history");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_streak_counts_consecutive_pass_days);
	tcase_add_test(tc, test_a_day_without_report_breaks_the_streak);
	tcase_add_test(tc, test_a_fail_day_breaks_the_streak);
	tcase_add_test(tc, test_todays_fail_means_streak_zero);
	tcase_add_test(tc, test_error_of_a_paging_check_is_not_a_pass_day);
	tcase_add_test(tc, test_backfill_counts_only_earlier_days);
	tcase_add_test(tc, test_streak_crosses_month_and_year_ends);
	tcase_add_test(tc, test_unreadable_report_breaks_the_streak_and_is_named);
	tcase_add_test(tc, test_hand_edited_report_with_wrong_date_is_unreadable);
	tcase_add_test(tc, test_other_files_are_ignored);
	tcase_add_test(tc, test_followed_findings_are_skipped_after_a_string_tracked);
	tcase_add_test(tc, test_window_lists_window_days_oldest_first_with_missing);
	tcase_add_test(tc, test_missing_directory_is_empty_history);
	tcase_add_test(tc, test_json_round_trip_through_history);
	tcase_add_test(tc, test_dates_parse_only_real_calendar_days);
	tcase_add_test(tc, test_value_is_history_and_a_whole_number_has_no_fraction);
	tcase_add_test(tc, test_config_change_names_checks_added_and_removed);
	tcase_add_test(tc, test_config_change_needs_both_digests);
	tcase_add_test(tc, test_config_change_looks_past_an_unreadable_report);
	tcase_add_test(tc, test_config_change_is_in_the_json);
	tcase_add_test(tc, test_a_day_whose_gating_checks_were_all_skipped_asserted_nothing);
	tcase_add_test(tc, test_json_caps_each_sampled_cell);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
