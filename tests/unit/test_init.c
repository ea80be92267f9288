/*
 * test_init.c: `recon init`, one test per rule of init.h: the starter
 * configuration loads as written and has something to assert, nothing is
 * ever overwritten, the user's own snapshot files are kept, and a failure
 * leaves nothing behind.
 */
#include "config.h"
#include "init.h"

#include <check.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char tmpdir[256];	/* this test's directory */
static char ini[PATH_MAX];	/* tmpdir/recon.ini */
static struct diag d;

static void setup(void)
{
	snprintf(tmpdir, sizeof(tmpdir), "%s/recon-init-XXXXXX",
		 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
	snprintf(ini, sizeof(ini), "%s/recon.ini", tmpdir);
	d.msg[0] = '\0';
}

static void teardown(void)
{
	char cmd[PATH_MAX + 16];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	ck_assert_int_eq(system(cmd), 0);
}

static char *path_in(const char *rel)
{
	static char buf[4][PATH_MAX];
	static int next;
	char *p = buf[next++ % 4];

	snprintf(p, PATH_MAX, "%s/%s", tmpdir, rel);
	return p;
}

static void write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "wb");

	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
}

static char *read_text(const char *path)
{
	static char buf[65536];
	FILE *f = fopen(path, "rb");
	size_t n;

	ck_assert_ptr_nonnull(f);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

START_TEST(test_starter_loads_as_written)
{
	struct strbuf log;
	struct config cfg;
	size_t i, gating = 0;

	sb_init(&log);
	ck_assert_msg(init_write(ini, &log, &d) == 0, "%s", d.msg);
	ck_assert_msg(config_load(&cfg, ini, "2026-11-22", &d) == 0, "%s", d.msg);
	ck_assert_uint_eq(cfg.nsources, 1);
	ck_assert_int_eq(cfg.sources[0].type, SOURCE_CSV);
	ck_assert_str_eq(cfg.sources[0].path, path_in("snapshots"));
	ck_assert_uint_eq(cfg.nchecks, 2);
	ck_assert_int_eq(config_check(&cfg, "units-present")->kind, KIND_ROWS);
	ck_assert_int_eq(config_check(&cfg, "units-match")->kind, KIND_COMPARE);
	for (i = 0; i < cfg.nchecks; i++)
		gating += cfg.checks[i].enabled && cfg.checks[i].paging;
	ck_assert_uint_eq(gating, 2);
	ck_assert_int_eq(cfg.gate_days, 7);
	config_release(&cfg);
	ck_assert_int_eq(access(path_in("snapshots/departments.csv"), R_OK), 0);
	ck_assert_int_eq(access(path_in("snapshots/org_units.csv"), R_OK), 0);
	ck_assert_ptr_nonnull(strstr(log.buf, "/recon.ini: written\n"));
	ck_assert_ptr_nonnull(strstr(log.buf, "/snapshots/org_units.csv: written (example data)\n"));
	sb_release(&log);
}
END_TEST

START_TEST(test_init_never_overwrites_a_configuration)
{
	struct strbuf log;
	char want[PATH_MAX + 64];

	sb_init(&log);
	write_text(ini, "; mine\n");
	ck_assert_int_eq(init_write(ini, &log, &d), -1);
	snprintf(want, sizeof(want), "%s: already exists; init never overwrites a file", ini);
	ck_assert_str_eq(d.msg, want);
	ck_assert_str_eq(read_text(ini), "; mine\n");
	ck_assert_int_eq(access(path_in("snapshots"), F_OK), -1);	/* nothing else made */
	ck_assert_str_eq(log.buf, "");
	sb_release(&log);
}
END_TEST

START_TEST(test_init_keeps_existing_snapshot_files)
{
	struct strbuf log;

	sb_init(&log);
	ck_assert_int_eq(mkdir(path_in("snapshots"), 0777), 0);
	write_text(path_in("snapshots/org_units.csv"), "tenant_id,unit_id,name\n");
	ck_assert_msg(init_write(ini, &log, &d) == 0, "%s", d.msg);
	ck_assert_str_eq(read_text(path_in("snapshots/org_units.csv")), "tenant_id,unit_id,name\n");
	ck_assert_ptr_nonnull(strstr(read_text(path_in("snapshots/departments.csv")), "t-002"));
	ck_assert_ptr_null(strstr(log.buf, "org_units.csv"));
	ck_assert_ptr_nonnull(strstr(log.buf, "departments.csv: written (example data)"));
	sb_release(&log);
}
END_TEST

START_TEST(test_init_failure_leaves_nothing_behind)
{
	struct strbuf log;

	sb_init(&log);
	write_text(path_in("snapshots"), "a file where the directory would go\n");
	ck_assert_int_eq(init_write(ini, &log, &d), -1);
	ck_assert_ptr_nonnull(strstr(d.msg, "snapshots/departments.csv: Not a directory"));
	ck_assert_int_eq(access(ini, F_OK), -1);
	ck_assert_str_eq(log.buf, "");
	sb_release(&log);
}
END_TEST

static Suite *init_suite(void)
{
	Suite *s = suite_create("init");
	TCase *tc = tcase_create("rules");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_starter_loads_as_written);
	tcase_add_test(tc, test_init_never_overwrites_a_configuration);
	tcase_add_test(tc, test_init_keeps_existing_snapshot_files);
	tcase_add_test(tc, test_init_failure_leaves_nothing_behind);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(init_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
