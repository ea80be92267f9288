/*
 * test_findings.c: findings over time (the contract's "Findings over
 * time"): the smallest distinct keys a check follows, first_seen carried
 * from the previous report, new, resolved and oldest, failing_since and a
 * group's since; one test per rule.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "findings.h"
#include "history.h"

static char dir[64];
static struct config cfg;
static struct check_cfg checks[2];

static void setup(void)
{
	snprintf(dir, sizeof(dir), "/tmp/recon-findings-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	memset(&cfg, 0, sizeof(cfg));
	memset(checks, 0, sizeof(checks));
	cfg.title = "t";
	cfg.gate_days = 3;
	cfg.window_days = 4;
	cfg.samples = 5;
	cfg.track = 1000;
	checks[0].id = "c";
	checks[0].kind = KIND_ROWS;
	checks[0].paging = true;
	checks[0].enabled = true;
	checks[1].id = "v";
	checks[1].kind = KIND_VALUE;
	checks[1].paging = true;
	checks[1].enabled = true;
	cfg.checks = checks;
	cfg.nchecks = 2;
}

static void teardown(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	ck_assert_int_eq(system(cmd), 0);
}

/* An earlier report whose check c has status st, the followed findings
 * tracked (a JSON array's text), tracked_complete and groups (text). */
static void put_day(const char *date, const char *st, const char *tracked, bool complete,
		    const char *groups)
{
	char path[128], text[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s.json", dir, date);
	snprintf(text, sizeof(text),
		 "{\"schema\": \"recon-report/1\", \"date\": \"%s\", \"gate\": {\"status\": "
		 "\"%s\", \"streak\": 0, \"required\": 3, \"met\": false}, \"summary\": "
		 "{\"drift\": 1}, \"checks\": [{\"id\": \"c\", \"status\": \"%s\", \"drift\": 1, "
		 "\"groups\": %s, \"tracked_complete\": %s, \"tracked\": %s}]}\n",
		 date, strcmp(st, "pass") == 0 ? "pass" : "fail", st, groups ? groups : "[]",
		 complete ? "true" : "false", tracked ? tracked : "[]");
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
}

static void put_garbage(const char *date)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s.json", dir, date);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs("{not json", f);
	fclose(f);
}

/* A run for date whose check c has status st and the given keys (sorted). */
static void make_run(struct run *run, const char *date, enum status st, const char **keys,
		     size_t nkeys, bool more)
{
	size_t i;

	memset(run, 0, sizeof(*run));
	arena_init(&run->arena);
	run->cfg = &cfg;
	snprintf(run->date, sizeof(run->date), "%s", date);
	run->checks = arena_alloc(&run->arena, 2 * sizeof(*run->checks));
	memset(run->checks, 0, 2 * sizeof(*run->checks));
	run->checks[0].cfg = &checks[0];
	run->checks[0].status = st;
	run->checks[0].drift = (long long)nkeys;
	run->checks[0].keys = arena_alloc(&run->arena, (nkeys + 1) * sizeof(char *));
	for (i = 0; i < nkeys; i++)
		run->checks[0].keys[i] = keys[i];
	run->checks[0].nkeys = nkeys;
	run->checks[0].keys_more = more;
	run->checks[1].cfg = &checks[1];
	run->checks[1].status = STATUS_PASS;
	run->nchecks = 2;
	run->gate = st == STATUS_FAIL ? STATUS_FAIL : STATUS_PASS;
	run->tenants_scanned = -1;
}

/* Compute the life of the run's findings against dir. */
static const struct finding_life *life_on(struct history *h, struct run *run)
{
	struct diag d;

	ck_assert_int_eq(history_load(h, dir, &d), 0);
	findings_compute(h, run);
	ck_assert_ptr_nonnull(run->checks[0].life);
	return run->checks[0].life;
}

static void done(struct history *h, struct run *run)
{
	sweep_release(run);
	history_release(h);
}

START_TEST(test_keyset_keeps_the_smallest_distinct_keys)
{
	struct keyset ks;
	struct check_result cr;
	struct arena a;
	const char *in[] = { "d", "b", "e", "b", "a", "c" };
	size_t i;

	arena_init(&a);
	memset(&cr, 0, sizeof(cr));
	keyset_init(&ks, 3);
	for (i = 0; i < sizeof(in) / sizeof(in[0]); i++)
		keyset_offer(&ks, in[i], strlen(in[i]), -1);
	keyset_take(&ks, &cr, &a);
	ck_assert_uint_eq(cr.nkeys, 3);
	ck_assert_str_eq(cr.keys[0], "a");
	ck_assert_str_eq(cr.keys[1], "b");
	ck_assert_str_eq(cr.keys[2], "c");
	ck_assert(cr.keys_more);
	arena_release(&a);
}
END_TEST

START_TEST(test_keyset_under_its_cap_is_complete)
{
	struct keyset ks;
	struct check_result cr;
	struct arena a;
	size_t i;
	char k[32];

	arena_init(&a);
	memset(&cr, 0, sizeof(cr));
	keyset_init(&ks, 1000);
	for (i = 0; i < 100; i++) {	/* grows past its first allocation */
		snprintf(k, sizeof(k), "k%03zu", 99 - i);
		keyset_offer(&ks, k, strlen(k), -1);
		keyset_offer(&ks, k, strlen(k), -1);
	}
	keyset_take(&ks, &cr, &a);
	ck_assert_uint_eq(cr.nkeys, 100);
	ck_assert_str_eq(cr.keys[0], "k000");
	ck_assert_str_eq(cr.keys[99], "k099");
	ck_assert(!cr.keys_more);
	arena_release(&a);
}
END_TEST

START_TEST(test_a_long_key_is_kept_short_and_distinct)
{
	struct keyset ks;
	struct check_result cr;
	struct arena a;
	char *big = malloc(100000);

	arena_init(&a);
	memset(&cr, 0, sizeof(cr));
	memset(big, 'x', 100000);
	keyset_init(&ks, 10);
	keyset_offer(&ks, big, 100000, -1);
	big[99999] = 'y';	/* differs in its last byte only */
	keyset_offer(&ks, big, 100000, -1);
	keyset_offer(&ks, big, 100000, -1);
	keyset_take(&ks, &cr, &a);
	ck_assert_uint_eq(cr.nkeys, 2);
	ck_assert_uint_le(strlen(cr.keys[0]), FINDING_KEY_MAX);
	ck_assert_str_ne(cr.keys[0], cr.keys[1]);
	ck_assert(strncmp(cr.keys[0], "xxxx", 4) == 0);
	free(big);
	arena_release(&a);
}
END_TEST

START_TEST(test_without_earlier_reports_every_finding_is_new_today)
{
	struct history h;
	struct run run;
	const char *keys[] = { "t-1, u-1", "t-2, u-2" };
	const struct finding_life *fl;

	make_run(&run, "2026-11-05", STATUS_FAIL, keys, 2, false);
	fl = life_on(&h, &run);
	ck_assert_uint_eq(fl->nfresh, 2);
	ck_assert_uint_eq(fl->nopen, 2);
	ck_assert_str_eq(fl->open[0].first_seen, "2026-11-05");
	ck_assert_str_eq(fl->failing_since, "2026-11-05");
	ck_assert_int_eq(fl->oldest_age, 0);
	ck_assert_ptr_null(fl->previous);
	done(&h, &run);
}
END_TEST

START_TEST(test_first_seen_is_carried_and_new_and_resolved_are_the_differences)
{
	struct history h;
	struct run run;
	const char *keys[] = { "a", "c" };
	const struct finding_life *fl;

	put_day("2026-11-04", "fail",
		"[{\"key\": \"a\", \"first_seen\": \"2026-11-01\"}, "
		"{\"key\": \"b\", \"first_seen\": \"2026-11-03\"}]", true, NULL);
	make_run(&run, "2026-11-05", STATUS_FAIL, keys, 2, false);
	fl = life_on(&h, &run);
	ck_assert_uint_eq(fl->nopen, 2);
	ck_assert_str_eq(fl->open[0].key, "a");
	ck_assert_str_eq(fl->open[0].first_seen, "2026-11-01");
	ck_assert_str_eq(fl->open[1].first_seen, "2026-11-05");
	ck_assert_uint_eq(fl->nfresh, 1);
	ck_assert_str_eq(fl->fresh[0].key, "c");
	ck_assert_uint_eq(fl->nresolved, 1);
	ck_assert_str_eq(fl->resolved[0].key, "b");
	ck_assert_str_eq(fl->oldest[0]->key, "a");
	ck_assert_int_eq(fl->oldest_age, 4);
	ck_assert_str_eq(fl->previous, "2026-11-04");
	done(&h, &run);
}
END_TEST

START_TEST(test_a_finding_that_comes_back_is_new_again)
{
	struct history h;
	struct run run;
	const char *keys[] = { "a" };
	const struct finding_life *fl;

	put_day("2026-11-03", "fail", "[{\"key\": \"a\", \"first_seen\": \"2026-11-01\"}]", true,
		NULL);
	put_day("2026-11-04", "pass", "[]", true, NULL);
	make_run(&run, "2026-11-05", STATUS_FAIL, keys, 1, false);
	fl = life_on(&h, &run);
	ck_assert_uint_eq(fl->nfresh, 1);
	ck_assert_str_eq(fl->open[0].first_seen, "2026-11-05");
	ck_assert_str_eq(fl->failing_since, "2026-11-05");
	done(&h, &run);
}
END_TEST

START_TEST(test_failing_since_spans_consecutive_failing_reports)
{
	struct history h;
	struct run run;
	const char *keys[] = { "a" };
	const struct finding_life *fl;

	put_day("2026-11-01", "pass", NULL, true, NULL);
	put_day("2026-11-02", "fail", NULL, true, NULL);
	/* 11-03 has no report: a gap does not end the run */
	put_day("2026-11-04", "fail", NULL, true, NULL);
	make_run(&run, "2026-11-05", STATUS_FAIL, keys, 1, false);
	fl = life_on(&h, &run);
	ck_assert_str_eq(fl->failing_since, "2026-11-02");
	done(&h, &run);
}
END_TEST

START_TEST(test_an_unreadable_report_ends_the_failing_run)
{
	struct history h;
	struct run run;
	const char *keys[] = { "a" };
	const struct finding_life *fl;

	put_day("2026-11-02", "fail", NULL, true, NULL);
	put_garbage("2026-11-03");
	put_day("2026-11-04", "fail", NULL, true, NULL);
	make_run(&run, "2026-11-05", STATUS_FAIL, keys, 1, false);
	fl = life_on(&h, &run);
	ck_assert_str_eq(fl->failing_since, "2026-11-04");
	done(&h, &run);
}
END_TEST

START_TEST(test_a_passing_check_has_no_failing_since_and_resolves_all)
{
	struct history h;
	struct run run;
	const struct finding_life *fl;

	put_day("2026-11-04", "fail", "[{\"key\": \"a\", \"first_seen\": \"2026-11-01\"}]", true,
		NULL);
	make_run(&run, "2026-11-05", STATUS_PASS, NULL, 0, false);
	fl = life_on(&h, &run);
	ck_assert_ptr_null(fl->failing_since);
	ck_assert_uint_eq(fl->nopen, 0);
	ck_assert_uint_eq(fl->nresolved, 1);
	ck_assert_int_eq(fl->oldest_age, -1);
	done(&h, &run);
}
END_TEST

START_TEST(test_a_backfill_reads_only_the_reports_before_its_date)
{
	struct history h;
	struct run run;
	const char *keys[] = { "a" };
	const struct finding_life *fl;

	put_day("2026-11-02", "fail", "[{\"key\": \"a\", \"first_seen\": \"2026-11-02\"}]", true,
		NULL);
	put_day("2026-11-06", "fail", "[{\"key\": \"a\", \"first_seen\": \"2026-10-01\"}]", true,
		NULL);
	make_run(&run, "2026-11-04", STATUS_FAIL, keys, 1, false);
	fl = life_on(&h, &run);
	ck_assert_str_eq(fl->open[0].first_seen, "2026-11-02");
	ck_assert_str_eq(fl->previous, "2026-11-02");
	done(&h, &run);
}
END_TEST

START_TEST(test_an_errored_check_carries_its_findings)
{
	struct history h;
	struct run run;
	const struct finding_life *fl;

	put_day("2026-11-04", "fail", "[{\"key\": \"a\", \"first_seen\": \"2026-11-01\"}]", true,
		NULL);
	make_run(&run, "2026-11-05", STATUS_ERROR, NULL, 0, false);
	fl = life_on(&h, &run);
	ck_assert(!fl->evaluated);
	ck_assert_uint_eq(fl->nopen, 1);
	ck_assert_str_eq(fl->open[0].first_seen, "2026-11-01");
	ck_assert_uint_eq(fl->nresolved, 0);
	ck_assert_uint_eq(fl->nfresh, 0);
	ck_assert_ptr_null(fl->failing_since);
	done(&h, &run);
}
END_TEST

START_TEST(test_past_the_track_cap_only_comparable_keys_are_new_or_resolved)
{
	struct history h;
	struct run run;
	const char *keys[] = { "a", "d" };	/* today: more than these are open */
	const struct finding_life *fl;

	/* the previous report followed a, b, c and had more beyond c */
	put_day("2026-11-04", "fail",
		"[{\"key\": \"a\", \"first_seen\": \"2026-11-01\"}, "
		"{\"key\": \"b\", \"first_seen\": \"2026-11-01\"}, "
		"{\"key\": \"c\", \"first_seen\": \"2026-11-01\"}]", false, NULL);
	make_run(&run, "2026-11-05", STATUS_FAIL, keys, 2, true);
	fl = life_on(&h, &run);
	/* d lies past c, the last key followed then: not known to be new */
	ck_assert_uint_eq(fl->nfresh, 0);
	/* b and c lie before d, the last key followed today: resolved */
	ck_assert_uint_eq(fl->nresolved, 2);
	ck_assert(fl->open_more);
	done(&h, &run);
}
END_TEST

START_TEST(test_a_failing_value_check_is_one_finding)
{
	struct history h;
	struct run run;
	const struct finding_life *fl;

	make_run(&run, "2026-11-05", STATUS_PASS, NULL, 0, false);
	run.checks[1].status = STATUS_FAIL;
	life_on(&h, &run);
	fl = run.checks[1].life;
	ck_assert_uint_eq(fl->nopen, 1);
	ck_assert_str_eq(fl->open[0].key, "v");
	ck_assert_str_eq(fl->failing_since, "2026-11-05");
	done(&h, &run);
}
END_TEST

START_TEST(test_a_group_keeps_its_since_while_it_drifts)
{
	struct history h;
	struct run run;
	const char *keys[] = { "a" };
	const struct finding_life *fl;
	struct group_result groups[2] = { { .group = "t-1", .drift = 1 }, { .group = "t-2", .drift = 1 } };

	put_day("2026-11-04", "fail", NULL, true,
		"[{\"group\": \"t-1\", \"drift\": 2, \"since\": \"2026-11-02\"}, "
		"{\"group\": \"t-3\", \"drift\": 1, \"since\": \"2026-11-01\"}]");
	make_run(&run, "2026-11-05", STATUS_FAIL, keys, 1, false);
	run.checks[0].groups = groups;
	run.checks[0].ngroups = 2;
	fl = life_on(&h, &run);
	ck_assert_str_eq(fl->group_since[0], "2026-11-02");
	ck_assert_str_eq(fl->group_since[1], "2026-11-05");
	done(&h, &run);
}
END_TEST

/* The previous report's groups are searched, not scanned: whatever their
 * order there, the NULL group and a group that stopped drifting match as
 * they should. */
START_TEST(test_group_since_finds_groups_in_any_order)
{
	struct history h;
	struct run run;
	const char *keys[] = { "a" };
	const struct finding_life *fl;
	struct group_result groups[4] = { { .group = NULL, .drift = 1 },
					  { .group = "t-1", .drift = 1 },
					  { .group = "t-2", .drift = 1 },
					  { .group = "t-9", .drift = 1 } };

	put_day("2026-11-04", "fail", NULL, true,
		"[{\"group\": \"t-9\", \"drift\": 1, \"since\": \"2026-11-03\"}, "
		"{\"group\": \"t-2\", \"drift\": 0, \"since\": \"2026-11-01\"}, "
		"{\"group\": \"t-1\", \"drift\": 2, \"since\": \"2026-11-02\"}, "
		"{\"group\": null, \"drift\": 1, \"since\": \"2026-10-30\"}]");
	make_run(&run, "2026-11-05", STATUS_FAIL, keys, 1, false);
	run.checks[0].groups = groups;
	run.checks[0].ngroups = 4;
	fl = life_on(&h, &run);
	ck_assert_str_eq(fl->group_since[0], "2026-10-30");
	ck_assert_str_eq(fl->group_since[1], "2026-11-02");
	ck_assert_str_eq(fl->group_since[2], "2026-11-05");	/* not drifting there */
	ck_assert_str_eq(fl->group_since[3], "2026-11-03");
	done(&h, &run);
}
END_TEST

/* Load text as a configuration file in dir; config_load's result. */
static int load_config(struct config *c, const char *text, struct diag *d)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/recon.ini", dir);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
	return config_load(c, path, "2026-11-01", d);
}

#define ROWS_CHECK "[source \"s\"]\ntype = csv\npath = .\n[check \"c\"]\nsource = s\n" \
		   "query = SELECT 1\n"

START_TEST(test_config_track_defaults_to_1000_and_is_read)
{
	struct config c;
	struct diag d;

	ck_assert_int_eq(load_config(&c, ROWS_CHECK, &d), 0);
	ck_assert_int_eq(c.track, 1000);
	config_release(&c);
	ck_assert_int_eq(load_config(&c, "[report]\ntrack = 5\n" ROWS_CHECK, &d), 0);
	ck_assert_int_eq(c.track, 5);
	config_release(&c);
	ck_assert_int_eq(load_config(&c, "[report]\ntrack = -1\n" ROWS_CHECK, &d), -1);
	ck_assert_ptr_nonnull(strstr(d.msg, "recon.ini:2:"));
}
END_TEST

START_TEST(test_config_key_names_a_rows_checks_identity_not_a_values)
{
	struct config c;
	struct diag d;

	ck_assert_int_eq(load_config(&c, ROWS_CHECK "key = tenant, id\n", &d), 0);
	ck_assert_uint_eq(c.checks[0].nkey, 2);
	ck_assert_str_eq(c.checks[0].key[1], "id");
	config_release(&c);
	ck_assert_int_eq(load_config(&c, ROWS_CHECK "kind = value\nkey = id\n", &d), -1);
	ck_assert_ptr_nonnull(strstr(d.msg, "recon.ini:8: key 'key' does not apply to a value check"));
}
END_TEST

static struct waiver_cfg waivers[3];

/* A run of check c whose waivers are those of cfg in force on date. */
static void waiver_run(struct run *run, const char *date)
{
	memset(waivers, 0, sizeof(waivers));
	waivers[0] = (struct waiver_cfg){ "by-group", "c", "t-7", NULL, "ops", NULL,
					  "2026-11-04", 1 };
	waivers[1] = (struct waiver_cfg){ "by-key", "c", NULL, "u-1", "ops", NULL,
					  "2026-12-01", 2 };
	waivers[2] = (struct waiver_cfg){ "both", "c", "t-2", "u-2", "ops", NULL,
					  "2026-12-01", 3 };
	cfg.waivers = waivers;
	cfg.nwaivers = 3;
	make_run(run, date, STATUS_FAIL, NULL, 0, false);
	waivers_prepare(&run->checks[0], &cfg, date, &run->arena);
}

START_TEST(test_a_waiver_matches_by_group_and_or_key)
{
	struct run run;
	struct check_result *cr;

	waiver_run(&run, "2026-11-03");
	cr = &run.checks[0];
	ck_assert_uint_eq(cr->nwaivers, 3);
	ck_assert_int_eq(waivers_match(cr, "u-9", 3, "t-7", 3), 0);
	ck_assert_int_eq(waivers_match(cr, "u-1", 3, "t-1", 3), 1);
	ck_assert_int_eq(waivers_match(cr, "u-2", 3, "t-2", 3), 2);
	ck_assert_int_eq(waivers_match(cr, "u-2", 3, "t-3", 3), -1);	/* group differs */
	ck_assert_int_eq(waivers_match(cr, "u-3", 3, NULL, 0), -1);	/* no group */
	ck_assert_int_eq(cr->waived, 3);
	ck_assert_int_eq(cr->waiver_hits[0], 1);
	cfg.nwaivers = 0;
	sweep_release(&run);
}
END_TEST

START_TEST(test_a_waiver_stops_applying_on_its_expiry_date)
{
	struct run run;

	waiver_run(&run, "2026-11-04");
	ck_assert_uint_eq(run.checks[0].nwaivers, 2);	/* by-group expired */
	ck_assert_int_eq(waivers_match(&run.checks[0], "u-9", 3, "t-7", 3), -1);
	cfg.nwaivers = 0;
	sweep_release(&run);
}
END_TEST

START_TEST(test_waived_findings_leave_drift_and_status)
{
	struct run run;
	struct check_result *cr;
	struct group_result groups[2] = { { .group = "t-1", .drift = 1 },
					  { .group = "t-7", .drift = 2, .waived = 2 } };

	waiver_run(&run, "2026-11-03");
	cr = &run.checks[0];
	cr->drift = 3;
	cr->groups = groups;
	cr->ngroups = 2;
	cr->waived = 2;
	waivers_apply(cr);
	ck_assert_int_eq(cr->drift, 1);
	ck_assert_int_eq(groups[1].drift, 0);
	ck_assert_int_eq(cr->status, STATUS_FAIL);
	cr->waived = 1;
	waivers_apply(cr);	/* the last one waived too: it passes */
	ck_assert_int_eq(cr->drift, 0);
	ck_assert_int_eq(cr->status, STATUS_PASS);
	cfg.nwaivers = 0;
	sweep_release(&run);
}
END_TEST

START_TEST(test_a_failing_value_check_is_waived_by_its_id)
{
	struct run run;
	struct waiver_cfg w = { "v-ok", "v", NULL, "v", "ops", NULL, "2026-12-01", 1 };
	struct check_result *cr;

	cfg.waivers = &w;
	cfg.nwaivers = 1;
	make_run(&run, "2026-11-03", STATUS_PASS, NULL, 0, false);
	cr = &run.checks[1];
	cr->status = STATUS_FAIL;
	cr->drift = 1;
	waivers_prepare(cr, &cfg, run.date, &run.arena);
	waivers_apply(cr);
	ck_assert_int_eq(cr->status, STATUS_PASS);
	ck_assert_int_eq(cr->drift, 0);
	ck_assert_int_eq(cr->waived, 1);
	cfg.nwaivers = 0;
	sweep_release(&run);
}
END_TEST

START_TEST(test_validate_warns_of_waivers_expiring_within_7_days)
{
	struct waiver_cfg w[3] = {
		{ "soon", "c", "t", NULL, "o", NULL, "2026-11-10", 4 },
		{ "later", "c", "t", NULL, "o", NULL, "2026-11-11", 9 },
		{ "gone", "c", "t", NULL, "o", NULL, "2026-11-03", 14 },
	};
	struct strbuf out;

	cfg.path = "recon.ini";
	cfg.waivers = w;
	cfg.nwaivers = 3;
	sb_init(&out);
	ck_assert_uint_eq(waivers_warn(&cfg, "2026-11-03", &out), 2);
	ck_assert_str_eq(out.buf,
			 "recon.ini:4: waiver 'soon' expires on 2026-11-10, in 7 days\n"
			 "recon.ini:14: waiver 'gone' expired on 2026-11-03: the findings it "
			 "waived count again\n");
	sb_release(&out);
	cfg.nwaivers = 0;
}
END_TEST

START_TEST(test_config_waiver_needs_check_owner_expires_and_what)
{
	struct config c;
	struct diag d;

	ck_assert_int_eq(load_config(&c, ROWS_CHECK "[waiver \"w\"]\ncheck = c\ngroup = t\n"
					 "owner = o\nexpires = 2026-11-30\n", &d), 0);
	ck_assert_uint_eq(c.nwaivers, 1);
	ck_assert_str_eq(c.waivers[0].expires, "2026-11-30");
	config_release(&c);
	ck_assert_int_eq(load_config(&c, ROWS_CHECK "[waiver \"w\"]\ncheck = c\ngroup = t\n"
					 "expires = 2026-11-30\n", &d), -1);
	ck_assert_ptr_nonnull(strstr(d.msg, "recon.ini:7: [waiver \"w\"] needs 'owner'"));
	ck_assert_int_eq(load_config(&c, ROWS_CHECK "[waiver \"w\"]\ncheck = c\ngroup = t\n"
					 "owner = o\nexpires = soon\n", &d), -1);
	ck_assert_ptr_nonnull(strstr(d.msg, "recon.ini:11:"));
	ck_assert_int_eq(load_config(&c, ROWS_CHECK "[waiver \"w\"]\ncheck = nope\ngroup = t\n"
					 "owner = o\nexpires = 2026-11-30\n", &d), -1);
	ck_assert_ptr_nonnull(strstr(d.msg, "undefined [check \"nope\"]"));
	ck_assert_int_eq(load_config(&c, ROWS_CHECK "[waiver \"w\"]\ncheck = c\n"
					 "owner = o\nexpires = 2026-11-30\n", &d), -1);
	ck_assert_ptr_nonnull(strstr(d.msg, "needs 'group' or 'key'"));
}
END_TEST

START_TEST(test_old_reports_are_read_without_their_checks)
{
	struct history h;
	struct diag d;
	long today;
	char path[128];
	FILE *f;

	put_day("2026-10-01", "fail", "[{\"key\": \"a\", \"first_seen\": \"2026-10-01\"}]",
		true, NULL);
	put_day("2026-10-20", "fail", NULL, true, NULL);
	put_day("2026-11-04", "pass", NULL, true, NULL);
	/* checks before the gate: its head cannot be read alone */
	snprintf(path, sizeof(path), "%s/2026-10-02.json", dir);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs("{\"checks\": [{\"id\": \"c\", \"status\": \"fail\"}], \"schema\": "
	      "\"recon-report/1\", \"date\": \"2026-10-02\", \"gate\": {\"status\": "
	      "\"fail\", \"streak\": 0}, \"summary\": {\"drift\": 3}}\n", f);
	fclose(f);
	date_parse("2026-11-05", &today);
	ck_assert_int_eq(history_load_recent(&h, dir, today, 7, &d), 0);
	ck_assert_uint_eq(h.ndays, 4);
	/* 10-01: old, its head read alone: status and drift, no checks */
	ck_assert(h.days[0].head_only);
	ck_assert_int_eq(h.days[0].status, DAY_FAIL);
	ck_assert_int_eq(h.days[0].drift, 1);
	ck_assert_uint_eq(h.days[0].nchecks, 0);
	/* 10-02: read whole, since its head is not first */
	ck_assert(!h.days[1].head_only);
	ck_assert_uint_eq(h.days[1].nchecks, 1);
	ck_assert_int_eq(h.days[1].drift, 3);
	ck_assert(h.days[2].head_only);
	/* 11-04: the previous report, read whole */
	ck_assert(!h.days[3].head_only);
	ck_assert_uint_eq(h.days[3].nchecks, 1);
	history_release(&h);
	/* the previous report is read whole however old it is */
	date_parse("2026-10-25", &today);
	ck_assert_int_eq(history_load_recent(&h, dir, today, 2, &d), 0);
	ck_assert(!h.days[2].head_only);
	ck_assert_uint_eq(h.days[2].nchecks, 1);
	history_release(&h);
}
END_TEST

START_TEST(test_failing_since_takes_the_previous_reports_own)
{
	struct history h;
	struct run run;
	const char *keys[] = { "a" };
	const struct finding_life *fl;
	char path[128];
	FILE *f;

	/* only 11-04 is in the directory, failing since 10-01 as it says */
	snprintf(path, sizeof(path), "%s/2026-11-04.json", dir);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs("{\"schema\": \"recon-report/1\", \"date\": \"2026-11-04\", \"gate\": "
	      "{\"status\": \"fail\", \"streak\": 0}, \"summary\": {\"drift\": 1}, "
	      "\"checks\": [{\"id\": \"c\", \"status\": \"fail\", \"drift\": 1, "
	      "\"failing_since\": \"2026-10-01\"}]}\n", f);
	fclose(f);
	make_run(&run, "2026-11-05", STATUS_FAIL, keys, 1, false);
	fl = life_on(&h, &run);
	ck_assert_str_eq(fl->failing_since, "2026-10-01");
	done(&h, &run);
}
END_TEST

START_TEST(test_history_reads_past_followed_findings_with_brackets_in_keys)
{
	struct history h;
	struct diag d;

	put_day("2026-11-04", "fail",
		"[{\"key\": \"a]\\\"}, [\", \"first_seen\": \"2026-11-01\"}, "
		"{\"key\": \"b\", \"first_seen\": \"2026-11-02\"}]", true, NULL);
	ck_assert_int_eq(history_load(&h, dir, &d), 0);
	ck_assert_uint_eq(h.ndays, 1);
	ck_assert_int_eq(h.days[0].status, DAY_FAIL);
	ck_assert_uint_eq(h.days[0].nchecks, 1);
	ck_assert_str_eq(h.days[0].checks[0].status, "fail");
	history_release(&h);
}
END_TEST

START_TEST(test_days_between_dates)
{
	ck_assert_int_eq(findings_days("2026-12-30", "2027-01-02"), 3);
	ck_assert_int_eq(findings_days("2026-11-05", "2026-11-05"), 0);
	ck_assert_int_eq(findings_days("nope", "2026-11-05"), 0);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("findings");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_keyset_keeps_the_smallest_distinct_keys);
	tcase_add_test(tc, test_keyset_under_its_cap_is_complete);
	tcase_add_test(tc, test_a_long_key_is_kept_short_and_distinct);
	tcase_add_test(tc, test_without_earlier_reports_every_finding_is_new_today);
	tcase_add_test(tc, test_first_seen_is_carried_and_new_and_resolved_are_the_differences);
	tcase_add_test(tc, test_a_finding_that_comes_back_is_new_again);
	tcase_add_test(tc, test_failing_since_spans_consecutive_failing_reports);
	tcase_add_test(tc, test_an_unreadable_report_ends_the_failing_run);
	tcase_add_test(tc, test_a_passing_check_has_no_failing_since_and_resolves_all);
	tcase_add_test(tc, test_a_backfill_reads_only_the_reports_before_its_date);
	tcase_add_test(tc, test_an_errored_check_carries_its_findings);
	tcase_add_test(tc, test_past_the_track_cap_only_comparable_keys_are_new_or_resolved);
	tcase_add_test(tc, test_a_failing_value_check_is_one_finding);
	tcase_add_test(tc, test_a_group_keeps_its_since_while_it_drifts);
	tcase_add_test(tc, test_group_since_finds_groups_in_any_order);
	tcase_add_test(tc, test_days_between_dates);
	tcase_add_test(tc, test_history_reads_past_followed_findings_with_brackets_in_keys);
	tcase_add_test(tc, test_old_reports_are_read_without_their_checks);
	tcase_add_test(tc, test_failing_since_takes_the_previous_reports_own);
	tcase_add_test(tc, test_a_waiver_matches_by_group_and_or_key);
	tcase_add_test(tc, test_a_waiver_stops_applying_on_its_expiry_date);
	tcase_add_test(tc, test_waived_findings_leave_drift_and_status);
	tcase_add_test(tc, test_a_failing_value_check_is_waived_by_its_id);
	tcase_add_test(tc, test_validate_warns_of_waivers_expiring_within_7_days);
	tcase_add_test(tc, test_config_waiver_needs_check_owner_expires_and_what);
	tcase_add_test(tc, test_config_track_defaults_to_1000_and_is_read);
	tcase_add_test(tc, test_config_key_names_a_rows_checks_identity_not_a_values);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
