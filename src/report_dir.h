/*
 * report_dir.h: the report directory users commit to git.
 *
 * Writes are atomic: each file is written to a temporary name in the same
 * directory, flushed to disk, and renamed over its final name only when
 * every file of the batch was written, so a failed or killed run never
 * leaves a partial file under a report's name and never changes an earlier
 * report.  A lock (flock on the directory itself) keeps two runs from writing the
 * same directory at once.  Temporary files are opened O_EXCL|O_NOFOLLOW and
 * renames replace a planted symlink, never the file it points to.
 */
#ifndef RECON_REPORT_DIR_H
#define RECON_REPORT_DIR_H

#include "util.h"

struct report_dir {
	const char *path;	/* the directory (borrowed) */
	int lock_fd;		/* -1 when not locked */
};

/* Not open: report_dir_close is safe on it. */
#define REPORT_DIR_INIT { NULL, -1 }

struct report_file {
	const char *name;	/* file name inside the directory */
	const char *data;
	size_t len;
};

/* Create path if needed, take the lock (waits up to wait_seconds, then
 * fails) and check that a file can be written there (write_probe).  -1 with
 * d set when the directory cannot be created, locked or written.
 * With the lock held, removes the temporary files (NAME.tmp-PID-N) that a
 * killed run left behind. */
int report_dir_open(struct report_dir *rd, const char *path, int wait_seconds,
		    struct diag *d);

/* Write every file, all or nothing.  -1 with d set; then no final name was
 * touched. */
int report_dir_write(struct report_dir *rd, const struct report_file *files, size_t n,
		     struct diag *d);

/* Write one file atomically anywhere (the metrics file). */
int write_file_atomic(const char *path, const char *data, size_t len, struct diag *d);

/* Can a file be written atomically at path?  Writes a block to a temporary
 * file beside it, syncs it and removes it, so a missing or read-only
 * directory, a full disk or a directory at path is found before a run reads
 * any source.  -1 with d set: "PATH: cannot write: why". */
int write_probe(const char *path, struct diag *d);

void report_dir_close(struct report_dir *rd);

#endif
