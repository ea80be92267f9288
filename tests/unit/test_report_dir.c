/*
 * test_report_dir.c: the report directory's promises, one test each:
 * a batch of files is written all or nothing (also when a late rename
 * fails: the files already renamed are put back), a killed run's temporary
 * files go at the next open, one run at a time holds the lock, a planted
 * symlink is replaced and never followed, and an unwritable place is found
 * before any source is read.
 */
#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "report_dir.h"

static char dir[64];

static void setup(void)
{
	snprintf(dir, sizeof(dir), "/tmp/recon-test-rd-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void teardown(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}

static char *path_of(const char *name)
{
	static char p[2][256];
	static int k;

	k ^= 1;
	snprintf(p[k], sizeof(p[k]), "%s/%s", dir, name);
	return p[k];
}

/* The whole content of dir/name, "" when missing (static buffer). */
static const char *content(const char *name)
{
	static char buf[4096];
	FILE *f = fopen(path_of(name), "rb");
	size_t n;

	buf[0] = '\0';
	if (!f)
		return buf;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static void put(const char *name, const char *data)
{
	FILE *f = fopen(path_of(name), "wb");

	ck_assert_ptr_nonnull(f);
	fputs(data, f);
	fclose(f);
}

/* Entries of dir whose name holds ".tmp-". */
static int temps(void)
{
	DIR *dp = opendir(dir);
	struct dirent *e;
	int n = 0;

	ck_assert_ptr_nonnull(dp);
	while ((e = readdir(dp)))
		n += strstr(e->d_name, ".tmp-") != NULL;
	closedir(dp);
	return n;
}

START_TEST(a_batch_is_written_whole)
{
	struct report_dir rd = REPORT_DIR_INIT;
	struct diag d = { "" };
	const struct report_file files[] = { { "a.md", "alpha\n", 6 }, { "b.json", "{}", 2 } };

	ck_assert_int_eq(report_dir_open(&rd, dir, 0, &d), 0);
	ck_assert_int_eq(report_dir_write(&rd, files, 2, &d), 0);
	ck_assert_str_eq(content("a.md"), "alpha\n");
	ck_assert_str_eq(content("b.json"), "{}");
	ck_assert_int_eq(temps(), 0);
	report_dir_close(&rd);
}
END_TEST

START_TEST(a_batch_that_cannot_be_written_changes_no_final_name)
{
	struct report_dir rd = REPORT_DIR_INIT;
	struct diag d = { "" };
	char longname[300];
	struct report_file files[] = { { "a.md", "new\n", 4 }, { longname, "x", 1 } };

	memset(longname, 'n', sizeof(longname) - 1);	/* longer than a name may be */
	longname[sizeof(longname) - 1] = '\0';
	put("a.md", "old\n");
	ck_assert_int_eq(report_dir_open(&rd, dir, 0, &d), 0);
	ck_assert_int_eq(report_dir_write(&rd, files, 2, &d), -1);
	ck_assert_msg(d.msg[0] != '\0', "a failed write says why");
	ck_assert_str_eq(content("a.md"), "old\n");
	ck_assert_int_eq(temps(), 0);
	report_dir_close(&rd);
}
END_TEST

START_TEST(a_late_rename_that_fails_puts_back_every_earlier_file)
{
	struct report_dir rd = REPORT_DIR_INIT;
	struct diag d = { "" };
	const struct report_file files[] = { { "a.md", "new a\n", 6 }, { "b.md", "new b\n", 6 },
					     { "new.md", "new\n", 4 }, { "c.md", "new c\n", 6 } };
	char target[256];
	ssize_t n;
	struct stat st;

	put("a.md", "old a\n");
	put("outside", "untouched");
	ck_assert_int_eq(symlink(path_of("outside"), path_of("b.md")), 0);
	ck_assert_int_eq(mkdir(path_of("c.md"), 0755), 0);	/* in the way of the last rename */
	ck_assert_int_eq(report_dir_open(&rd, dir, 0, &d), 0);
	ck_assert_int_eq(report_dir_write(&rd, files, 4, &d), -1);
	ck_assert_msg(strstr(d.msg, "c.md: cannot write: Is a directory"), "%s", d.msg);
	ck_assert_str_eq(content("a.md"), "old a\n");
	/* the symlink is back as it was, and what it points to never changed */
	ck_assert_int_eq(lstat(path_of("b.md"), &st), 0);
	ck_assert(S_ISLNK(st.st_mode));
	n = readlink(path_of("b.md"), target, sizeof(target) - 1);
	ck_assert_int_gt(n, 0);
	target[n] = '\0';
	ck_assert_str_eq(target, path_of("outside"));
	ck_assert_str_eq(content("outside"), "untouched");
	ck_assert_int_eq(access(path_of("new.md"), F_OK), -1);	/* not there before */
	ck_assert_int_eq(stat(path_of("c.md"), &st), 0);
	ck_assert(S_ISDIR(st.st_mode));
	ck_assert_int_eq(temps(), 0);
	/* with the way clear, the same batch is written whole */
	ck_assert_int_eq(rmdir(path_of("c.md")), 0);
	ck_assert_int_eq(report_dir_write(&rd, files, 4, &d), 0);
	ck_assert_str_eq(content("a.md"), "new a\n");
	ck_assert_str_eq(content("c.md"), "new c\n");
	ck_assert_str_eq(content("outside"), "untouched");
	ck_assert_int_eq(temps(), 0);
	report_dir_close(&rd);
}
END_TEST

START_TEST(a_killed_runs_temporary_files_go_at_open)
{
	struct report_dir rd = REPORT_DIR_INIT;
	struct diag d = { "" };

	put("2026-11-02.md.tmp-4242-0", "partial");
	put("index.html.tmp-1-7", "partial");
	put("notes.tmp", "kept: not a temporary name of recon's");
	ck_assert_int_eq(report_dir_open(&rd, dir, 0, &d), 0);
	ck_assert_int_eq(temps(), 0);
	ck_assert_str_eq(content("notes.tmp"), "kept: not a temporary name of recon's");
	report_dir_close(&rd);
}
END_TEST

START_TEST(one_run_at_a_time_holds_the_lock)
{
	struct report_dir a = REPORT_DIR_INIT, b = REPORT_DIR_INIT;
	struct diag d = { "" };

	ck_assert_int_eq(report_dir_open(&a, dir, 0, &d), 0);
	ck_assert_int_eq(report_dir_open(&b, dir, 0, &d), -1);
	ck_assert_msg(strstr(d.msg, "another recon run is writing this directory"), "%s", d.msg);
	ck_assert_int_eq(b.lock_fd, -1);
	report_dir_close(&a);
	ck_assert_int_eq(report_dir_open(&b, dir, 0, &d), 0);
	report_dir_close(&b);
	report_dir_close(&b);	/* closing twice is safe */
}
END_TEST

START_TEST(a_planted_symlink_is_replaced_not_followed)
{
	struct report_dir rd = REPORT_DIR_INIT;
	struct diag d = { "" };
	const struct report_file files[] = { { "a.md", "report\n", 7 } };
	struct stat st;

	put("outside", "untouched");
	ck_assert_int_eq(symlink(path_of("outside"), path_of("a.md")), 0);
	ck_assert_int_eq(report_dir_open(&rd, dir, 0, &d), 0);
	ck_assert_int_eq(report_dir_write(&rd, files, 1, &d), 0);
	ck_assert_int_eq(lstat(path_of("a.md"), &st), 0);
	ck_assert(S_ISREG(st.st_mode));
	ck_assert_str_eq(content("a.md"), "report\n");
	ck_assert_str_eq(content("outside"), "untouched");
	report_dir_close(&rd);
}
END_TEST

START_TEST(a_missing_directory_is_created)
{
	struct report_dir rd = REPORT_DIR_INIT;
	struct diag d = { "" };
	char *nested = path_of("x/y/reports");
	struct stat st;

	ck_assert_int_eq(report_dir_open(&rd, nested, 0, &d), 0);
	ck_assert_int_eq(stat(nested, &st), 0);
	ck_assert(S_ISDIR(st.st_mode));
	report_dir_close(&rd);
}
END_TEST

START_TEST(an_unwritable_place_is_found_before_the_run)
{
	struct diag d = { "" };

	put("file", "a file, not a directory");
	ck_assert_int_eq(write_probe(path_of("no/such/dir/metrics.prom"), &d), -1);
	ck_assert_msg(strstr(d.msg, "cannot write"), "%s", d.msg);
	d.msg[0] = '\0';
	ck_assert_int_eq(write_probe(path_of("file/metrics.prom"), &d), -1);
	ck_assert_msg(strstr(d.msg, "cannot write"), "%s", d.msg);
	ck_assert_int_eq(write_probe(path_of("metrics.prom"), &d), 0);
	ck_assert_int_eq(access(path_of("metrics.prom"), F_OK), -1);	/* the probe leaves nothing */
	ck_assert_int_eq(temps(), 0);
}
END_TEST

START_TEST(a_single_file_is_replaced_atomically)
{
	struct diag d = { "" };

	put("metrics.prom", "old");
	ck_assert_int_eq(write_file_atomic(path_of("metrics.prom"), "new", 3, &d), 0);
	ck_assert_str_eq(content("metrics.prom"), "new");
	ck_assert_int_eq(temps(), 0);
}
END_TEST

static Suite *report_dir_suite(void)
{
	Suite *s = suite_create("report_dir");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, a_batch_is_written_whole);
	tcase_add_test(tc, a_batch_that_cannot_be_written_changes_no_final_name);
	tcase_add_test(tc, a_late_rename_that_fails_puts_back_every_earlier_file);
	tcase_add_test(tc, a_killed_runs_temporary_files_go_at_open);
	tcase_add_test(tc, one_run_at_a_time_holds_the_lock);
	tcase_add_test(tc, a_planted_symlink_is_replaced_not_followed);
	tcase_add_test(tc, a_missing_directory_is_created);
	tcase_add_test(tc, an_unwritable_place_is_found_before_the_run);
	tcase_add_test(tc, a_single_file_is_replaced_atomically);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(report_dir_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
