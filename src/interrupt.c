/*
 * interrupt.c: the SIGTERM and SIGINT handler and what it undoes (see
 * interrupt.h).  Slots are written with the signals blocked in the
 * writing thread and under a mutex between threads (sibling connections
 * open from compare's threads' owner, files from the main thread); the
 * handler reads a slot only once its `used` flag is set.
 */
#include "interrupt.h"

#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define NCANCEL 64
#define NFILES 16
#define PATH_CAP 4200

static struct {
	volatile sig_atomic_t used;
	void (*fn)(void *);
	void *arg;
} cancels[NCANCEL];

static struct {
	volatile sig_atomic_t used;
	char path[PATH_CAP];
} files[NFILES];

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static void on_signal(int sig)
{
	int i;

	for (i = 0; i < NCANCEL; i++)
		if (cancels[i].used)
			cancels[i].fn(cancels[i].arg);
	for (i = 0; i < NFILES; i++)
		if (files[i].used)
			unlink(files[i].path);
	signal(sig, SIG_DFL);
	raise(sig);
}

void interrupt_install(void)
{
	struct sigaction sa, old;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigfillset(&sa.sa_mask);	/* one handler at a time */
	sigaction(SIGTERM, &sa, NULL);
	if (sigaction(SIGINT, NULL, &old) == 0 && old.sa_handler != SIG_IGN)
		sigaction(SIGINT, &sa, NULL);
}

/* Hold off the signals (in this thread) and other registrars. */
static void enter(sigset_t *saved)
{
	sigset_t block;

	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	pthread_sigmask(SIG_BLOCK, &block, saved);
	pthread_mutex_lock(&lock);
}

static void leave(const sigset_t *saved)
{
	pthread_mutex_unlock(&lock);
	pthread_sigmask(SIG_SETMASK, saved, NULL);
}

int interrupt_add_cancel(void (*fn)(void *), void *arg)
{
	sigset_t saved;
	int i, slot = -1;

	enter(&saved);
	for (i = 0; i < NCANCEL && slot < 0; i++) {
		if (cancels[i].used)
			continue;
		cancels[i].fn = fn;
		cancels[i].arg = arg;
		cancels[i].used = 1;
		slot = i;
	}
	leave(&saved);
	return slot;
}

void interrupt_remove_cancel(int slot)
{
	sigset_t saved;

	if (slot < 0 || slot >= NCANCEL)
		return;
	enter(&saved);
	cancels[slot].used = 0;
	leave(&saved);
}

void interrupt_add_file(const char *path)
{
	sigset_t saved;
	int i;

	if (strlen(path) >= PATH_CAP)
		return;
	enter(&saved);
	for (i = 0; i < NFILES; i++) {
		if (files[i].used)
			continue;
		snprintf(files[i].path, sizeof(files[i].path), "%s", path);
		files[i].used = 1;
		break;
	}
	leave(&saved);
}

void interrupt_forget_file(const char *path)
{
	sigset_t saved;
	int i;

	enter(&saved);
	for (i = 0; i < NFILES; i++)
		if (files[i].used && strcmp(files[i].path, path) == 0)
			files[i].used = 0;
	leave(&saved);
}
