/*
 * init.h: `recon init`, a commented starter configuration for a new user to
 * edit: the [report] section with its defaults, one snapshot directory, one
 * rows check and one compare check, and a small example snapshot for them
 * to read, so that `recon init`, `recon validate` and `recon run` in an
 * empty directory give a first report (with real findings to look at).
 */
#ifndef RECON_INIT_H
#define RECON_INIT_H

#include "util.h"

/* Write the starter configuration to path, which must not exist (it is
 * never overwritten), and the example snapshot beside it: the directory
 * "snapshots" next to path and, in it, each example table's CSV file that
 * does not exist yet (an existing file is kept as it is: the user's data).
 * Appends one line per file written to log ("PATH: written").  -1 with d
 * set ("PATH: already exists", or why a file could not be written); then
 * nothing that this call created is left behind. */
int init_write(const char *path, struct strbuf *log, struct diag *d);

/* recon init: init_write, then each file written and the next steps on
 * stdout, or the error on stderr.  0, or -1 when nothing was written. */
int init_command(const char *path);

#endif
