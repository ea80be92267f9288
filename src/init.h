/*
 * init.h: `recon init`, a commented starter configuration for a new user to
 * edit: the [report] section with its defaults, one snapshot directory, one
 * rows check and one compare check.
 */
#ifndef RECON_INIT_H
#define RECON_INIT_H

#include "util.h"

/* Write the starter configuration to path, which must not exist (it is
 * never overwritten).  -1 with d set ("PATH: already exists", or why the
 * file could not be written). */
int init_write(const char *path, struct diag *d);

#endif
