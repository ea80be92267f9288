/*
 * validate.h: `recon validate --sources`, the configuration tried against
 * its sources without running a check.
 *
 * validate_sources opens every source a check (or [tenants]) uses,
 * prepares, never runs, every query, precondition, ready query and compare
 * side, and checks that each group, key and compared column is among the
 * columns its side returns.  Nothing is written anywhere: CSV sources are
 * read for their headers, SQLite files are opened read-only, PostgreSQL
 * statements are prepared in a read-only session.  Each problem is one line
 * "check ID: message" (or "[tenants]: message") appended to out, in check
 * id order; a "did you mean" hint follows a name that is close to one
 * that exists.
 */
#ifndef RECON_VALIDATE_H
#define RECON_VALIDATE_H

#include "config.h"
#include "util.h"

/* Every problem of cfg's enabled checks against their sources, one line
 * each, into out (the caller's).  Returns how many. */
size_t validate_sources(const struct config *cfg, struct strbuf *out);

/* recon validate: the configuration at path loaded as of today, and with
 * sources validate_sources; each problem on stderr ("recon: check ID:
 * ...") and their count, or "PATH: ok (N sources, M checks)" on stdout and
 * the waivers' warnings (waivers_warn) on stderr.  -1 when the
 * configuration does not load or a source has a problem. */
int validate_command(const char *path, const char *today, bool sources);

#endif
