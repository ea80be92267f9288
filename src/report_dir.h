/*
 * report_dir.h: the report directory users commit to git.
 *
 * Writes are atomic: each file is written to a temporary name in the same
 * directory and flushed to disk; only when every file of the batch was
 * written are they renamed over their final names.  Each final name that
 * holds a file first gets a second, temporary name (a hard link), so a
 * rename that fails, even the last one, is undone: the files already
 * renamed get their previous versions back (a file that did not exist is
 * removed), and a failed run leaves every earlier report byte for byte as
 * it was.  A reader never finds a name missing or a file partial.  Hard
 * links and rename within one directory are what Linux's own filesystems
 * (ext4, xfs, btrfs, tmpfs) and NFS give; on one without hard links (FAT,
 * some FUSE file systems) a batch that would replace a file fails before
 * any name changes.  SIGTERM and SIGINT wait while the names change; a
 * SIGKILL or a crash in that moment can leave some names new and some old
 * (each file whole), which running the date again completes.
 * A lock (flock on the directory itself) keeps two runs from writing the
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

/* Write every file, all or nothing.  -1 with d set ("DIR/NAME: cannot
 * write: why"); then every final name holds what it held before. */
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
