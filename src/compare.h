/*
 * compare.h: kind = compare, the reconciliation of two sides that no single
 * database can join (the compare rules of recon.ini(5): findings missing,
 * extra and changed; numbers compare numerically, NULL equals only NULL,
 * strings byte-exactly; a duplicate key is an error naming it).
 *
 * A side is SOURCE:TABLE or SOURCE with a query, read through its source's
 * scan (source_scan.h), which decides how: a snapshot's CSV table straight
 * from its file, anything else as SQL rows arrive.  Memory is proportional to one side's keys
 * plus a fixed-size digest of its compared values.  Results (findings,
 * groups, samples) are written into a check_result from the given arena.
 */
#ifndef RECON_COMPARE_H
#define RECON_COMPARE_H

#include "config.h"
#include "source.h"
#include "sweep.h"

/* Announce what a compare check will read to its sources (query sides,
 * tables read with SQL).
 * -1 when it cannot be prepared (d says why). */
int compare_plan(const struct check_cfg *cc, struct source *left, struct source *right,
		 struct diag *d);

/* Evaluate cr->cfg into cr: status, drift, missing/extra/changed, groups,
 * columns and samples.  -1 on error (d says why; the sweep marks the check
 * error). */
int compare_eval(struct check_result *cr, struct source *left, struct source *right,
		 const struct config *cfg, struct arena *a, struct diag *d);

#endif
