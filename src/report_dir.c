/*
 * report_dir.c: atomic, locked writes into the report directory (see
 * report_dir.h).
 */
#include "report_dir.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "interrupt.h"

/* mkdir -p */
static int make_dirs(const char *path, struct diag *d)
{
	char *p = xstrdup(path), *s;
	int ret = 0;

	for (s = p + 1; ; s++) {
		if (*s == '/' || *s == '\0') {
			char c = *s;

			*s = '\0';
			if (mkdir(p, 0777) < 0 && errno != EEXIST) {
				ret = diag_error(d, "%s: cannot create directory: %s", p,
						 strerror(errno));
				goto out;
			}
			*s = c;
			if (c == '\0')
				break;
		}
	}
	{
		struct stat st;

		if (stat(path, &st) < 0 || !S_ISDIR(st.st_mode))
			ret = diag_error(d, "%s: not a directory", path);
	}
out:
	free(p);
	return ret;
}

/* Is name a temporary file of write_temp: "NAME.tmp-PID-COUNTER"? */
static bool is_temp_name(const char *name)
{
	const char *t = NULL, *p;
	size_t n;

	for (p = strstr(name, ".tmp-"); p; p = strstr(p + 1, ".tmp-"))
		t = p;
	if (!t || t == name)
		return false;
	t += 5;
	n = strspn(t, "0123456789");
	if (n == 0 || t[n] != '-')
		return false;
	t += n + 1;
	n = strspn(t, "0123456789");
	return n > 0 && t[n] == '\0';
}

/* A run killed while writing leaves its temporary files behind (never a
 * partial report).  The next run, holding the lock so that no other run
 * is writing, removes them, so they never end up committed to git. */
static void remove_stale_temps(int dir_fd)
{
	int fd = dup(dir_fd);
	DIR *dp = fd >= 0 ? fdopendir(fd) : NULL;
	struct dirent *e;

	if (!dp) {
		if (fd >= 0)
			close(fd);
		return;
	}
	while ((e = readdir(dp)) != NULL)
		if (is_temp_name(e->d_name))
			unlinkat(dir_fd, e->d_name, 0);
	closedir(dp);
}

/* Write a block to a new temporary file beside path, sync and remove it:
 * 0, or the errno of the step that failed. */
static int probe_errno(const char *path)
{
	static const char block[4096];
	static unsigned counter;
	char tmp[4200];
	int fd, err = 0;

	/* a name remove_stale_temps knows, should the run be killed here */
	snprintf(tmp, sizeof(tmp), "%s.tmp-%ld-%u", path, (long)getpid(), counter++);
	interrupt_add_file(tmp);
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0) {
		err = errno;
		interrupt_forget_file(tmp);
		return err;
	}
	errno = 0;
	if (write(fd, block, sizeof(block)) != (ssize_t)sizeof(block) || fsync(fd) < 0)
		err = errno ? errno : ENOSPC;
	if (close(fd) < 0 && !err)
		err = errno;
	unlink(tmp);
	interrupt_forget_file(tmp);
	return err;
}

int report_dir_open(struct report_dir *rd, const char *path, int wait_seconds,
		    struct diag *d)
{
	int waited = 0;

	rd->path = path;
	rd->lock_fd = -1;
	if (make_dirs(path, d) < 0)
		return -1;
	/* the lock is on the directory itself: no lock file to commit */
	rd->lock_fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (rd->lock_fd < 0)
		return diag_error(d, "%s: cannot write the report directory: %s", path,
				  strerror(errno));
	while (flock(rd->lock_fd, LOCK_EX | LOCK_NB) < 0) {
		struct timespec ts = { 0, 200 * 1000 * 1000 };

		if (errno != EWOULDBLOCK || waited >= wait_seconds * 5) {
			close(rd->lock_fd);
			rd->lock_fd = -1;
			return diag_error(d, "%s: another recon run is writing this directory",
					  path);
		}
		nanosleep(&ts, NULL);
		waited++;
	}
	remove_stale_temps(rd->lock_fd);
	{
		/* a read-only directory or a full disk stops the run now, before
		 * any source is read, not after the sweep */
		char probe[4096];
		int err;

		snprintf(probe, sizeof(probe), "%s/.recon-write-test", path);
		if ((err = probe_errno(probe)) != 0) {
			report_dir_close(rd);
			return diag_error(d, "%s: cannot write the report directory: %s", path,
					  strerror(err));
		}
	}
	return 0;
}

void report_dir_close(struct report_dir *rd)
{
	if (rd->lock_fd >= 0)
		close(rd->lock_fd);	/* releases the flock */
	rd->lock_fd = -1;
}

/* A new temporary name beside final, "FINAL.tmp-PID-N", into tmp: a name
 * remove_stale_temps knows. */
static void temp_name(const char *final, char *tmp, size_t tmpsize)
{
	static unsigned counter;

	snprintf(tmp, tmpsize, "%s.tmp-%ld-%u", final, (long)getpid(), counter++);
}

/* Write data to a new temporary file beside final; its name goes to tmp. */
static int write_temp(const char *final, const char *data, size_t len, char *tmp,
		      size_t tmpsize, struct diag *d)
{
	size_t off = 0;
	int fd, ret = 0;

	temp_name(final, tmp, tmpsize);
	interrupt_add_file(tmp);	/* a signal from now on removes it */
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0) {
		ret = diag_error(d, "%s: cannot write: %s", final, strerror(errno));
		interrupt_forget_file(tmp);
		return ret;
	}
	while (off < len) {
		ssize_t w = write(fd, data + off, len - off);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			ret = diag_error(d, "%s: cannot write: %s", final, strerror(errno));
			goto out;
		}
		off += (size_t)w;
	}
	if (fsync(fd) < 0)
		ret = diag_error(d, "%s: cannot write: %s", final, strerror(errno));
out:
	if (close(fd) < 0 && ret == 0)
		ret = diag_error(d, "%s: cannot write: %s", final, strerror(errno));
	if (ret < 0) {
		unlink(tmp);
		interrupt_forget_file(tmp);
	}
	return ret;
}

int write_probe(const char *path, struct diag *d)
{
	struct stat st;
	int err;

	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
		return diag_error(d, "%s: cannot write: %s", path, strerror(EISDIR));
	if ((err = probe_errno(path)) != 0)
		return diag_error(d, "%s: cannot write: %s", path, strerror(err));
	return 0;
}

static void sync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
}

/* One file of a batch while its names change. */
struct commit {
	char final[4096];	/* DIR/NAME */
	char tmp[4200];		/* the new content; "" once renamed or removed */
	char old[4200];		/* the previous version, kept aside; "" when none */
	bool moved;		/* old was renamed aside (no hard links here) */
	bool replaced;		/* final now holds the new content */
};

/* Put the names of c[0..n) back as they were before the batch: each
 * replaced file's previous version renamed back over it (or the new file
 * removed when there was none), every other previous version unlinked.
 * Failures are added to d's message: the previous version then stays at
 * its temporary name, which the message gives. */
static void commit_undo(struct commit *c, size_t n, struct diag *d)
{
	size_t i = n;

	while (i-- > 0) {
		if ((c[i].replaced || c[i].moved) && c[i].old[0]) {
			if (rename(c[i].old, c[i].final) < 0) {
				size_t len = strlen(d->msg);

				snprintf(d->msg + len, sizeof(d->msg) - len,
					 "; %s could not be put back (%s): its previous version is %s",
					 c[i].final, strerror(errno), c[i].old);
			}
		} else if (c[i].replaced) {
			unlink(c[i].final);
		} else if (c[i].old[0]) {
			unlink(c[i].old);
		}
	}
}

/* Whether a link refused with err means the file system has no hard
 * links (FAT, exFAT, some FUSE mounts), rather than a real failure. */
static bool no_hard_links(int err)
{
	return err == EPERM || err == ENOTSUP || err == EOPNOTSUPP || err == EMLINK ||
	       err == ENOSYS;
}

/* Make every temporary file of c[0..n) its report, or none: each final
 * name that holds a file gets a second name (a hard link, so a reader
 * always finds the file whole; on a file system without hard links the
 * file is renamed aside, and the name is missing for a moment) before the
 * new file is renamed over it, and the first failure undoes the renames
 * before it. */
static int commit_all(struct commit *c, size_t n, struct diag *d)
{
	struct stat st;
	size_t i;

	for (i = 0; i < n; i++) {
		if (lstat(c[i].final, &st) == 0 && !S_ISDIR(st.st_mode)) {
			temp_name(c[i].final, c[i].old, sizeof(c[i].old));
			/* flag 0: a symlink is linked, never the file it points to */
			if (linkat(AT_FDCWD, c[i].final, AT_FDCWD, c[i].old, 0) < 0) {
				int err = errno;

				if (no_hard_links(err) && rename(c[i].final, c[i].old) == 0) {
					c[i].moved = true;
					goto aside;
				}
				c[i].old[0] = '\0';
				if (err != ENOENT) {	/* gone since: nothing to keep */
					diag_error(d, "%s: cannot write: keeping the previous "
						   "version aside: %s", c[i].final, strerror(err));
					goto undo;
				}
			}
		}
aside:
		if (rename(c[i].tmp, c[i].final) < 0) {
			diag_error(d, "%s: cannot write: %s", c[i].final, strerror(errno));
			i++;	/* its link aside, if any, goes too */
			goto undo;
		}
		interrupt_forget_file(c[i].tmp);
		c[i].tmp[0] = '\0';
		c[i].replaced = true;
	}
	for (i = 0; i < n; i++)
		if (c[i].old[0])
			unlink(c[i].old);
	return 0;
undo:
	commit_undo(c, i, d);
	return -1;
}

int report_dir_write(struct report_dir *rd, const struct report_file *files, size_t n,
		     struct diag *d)
{
	struct commit *c = xcalloc(n + 1, sizeof(*c));
	sigset_t block, saved;
	size_t i, done = 0;
	int ret = 0;

	for (i = 0; i < n; i++, done++) {
		snprintf(c[i].final, sizeof(c[i].final), "%s/%s", rd->path, files[i].name);
		if (write_temp(c[i].final, files[i].data, files[i].len, c[i].tmp,
			       sizeof(c[i].tmp), d) < 0) {
			ret = -1;
			goto out;
		}
	}
	/* every temporary file is complete: now make them the reports, with
	 * SIGTERM and SIGINT held until the names are all new or all old */
	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	pthread_sigmask(SIG_BLOCK, &block, &saved);
	ret = commit_all(c, n, d);
	sync_dir(rd->path);
	pthread_sigmask(SIG_SETMASK, &saved, NULL);
out:
	for (i = 0; i < done; i++) {
		if (c[i].tmp[0]) {
			unlink(c[i].tmp);
			interrupt_forget_file(c[i].tmp);
		}
	}
	free(c);
	return ret;
}

int write_file_atomic(const char *path, const char *data, size_t len, struct diag *d)
{
	char tmp[4200], *dir = xstrdup(path), *slash;
	int ret;

	ret = write_temp(path, data, len, tmp, sizeof(tmp), d);
	if (ret == 0 && rename(tmp, path) < 0) {
		ret = diag_error(d, "%s: cannot write: %s", path, strerror(errno));
		unlink(tmp);
	}
	interrupt_forget_file(tmp);	/* renamed, removed or never made */
	slash = strrchr(dir, '/');
	if (slash) {
		*slash = '\0';
		sync_dir(*dir ? dir : "/");
	} else {
		sync_dir(".");
	}
	free(dir);
	return ret;
}
