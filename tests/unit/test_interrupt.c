/* test_interrupt.c: a SIGTERM or SIGINT removes the registered temporary
 * files, calls the cancellers, and the process still dies by the signal. */
#include <check.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "interrupt.h"

static char dir[64];
static char kept[4200], forgotten[4200], marker[4200];

static void touch(const char *path)
{
	FILE *f = fopen(path, "w");

	ck_assert_ptr_nonnull(f);
	fclose(f);
}

/* The canceller: leaves a file behind as its trace (open and close are
 * async-signal-safe). */
static void leave_marker(void *arg)
{
	FILE *f = fopen(arg, "w");

	if (f)
		fclose(f);
}

static int child_dies_by(int sig)
{
	pid_t pid = fork();
	int status;

	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		interrupt_install();
		interrupt_add_cancel(leave_marker, marker);
		interrupt_add_file(kept);
		interrupt_add_file(forgotten);
		interrupt_forget_file(forgotten);
		raise(sig);
		_exit(0);	/* not reached */
	}
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	return WIFSIGNALED(status) ? WTERMSIG(status) : -1;
}

static void setup(void)
{
	snprintf(dir, sizeof(dir), "/tmp/recon-interrupt.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(kept, sizeof(kept), "%s/a.json.tmp-1-0", dir);
	snprintf(forgotten, sizeof(forgotten), "%s/b.json", dir);
	snprintf(marker, sizeof(marker), "%s/cancelled", dir);
	touch(kept);
	touch(forgotten);
}

static void teardown(void)
{
	unlink(kept);
	unlink(forgotten);
	unlink(marker);
	rmdir(dir);
}

START_TEST(test_sigterm_removes_temporaries_cancels_and_kills)
{
	ck_assert_int_eq(child_dies_by(SIGTERM), SIGTERM);
	ck_assert_int_ne(access(kept, F_OK), 0);
	ck_assert_int_eq(access(forgotten, F_OK), 0);
	ck_assert_int_eq(access(marker, F_OK), 0);
}
END_TEST

START_TEST(test_sigint_does_the_same)
{
	ck_assert_int_eq(child_dies_by(SIGINT), SIGINT);
	ck_assert_int_ne(access(kept, F_OK), 0);
	ck_assert_int_eq(access(marker, F_OK), 0);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("interrupt");
	TCase *tc = tcase_create("signals");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_sigterm_removes_temporaries_cancels_and_kills);
	tcase_add_test(tc, test_sigint_does_the_same);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
