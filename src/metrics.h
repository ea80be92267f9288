/*
 * metrics.h: the run's results in the Prometheus text exposition format,
 * for node_exporter's textfile collector (written atomically, so the
 * collector never reads half a file).
 */
#ifndef RECON_METRICS_H
#define RECON_METRICS_H

#include "history.h"
#include "sweep.h"
#include "util.h"

/* Append the exposition text for run and g to out: the gate, streak and
 * total drift of the day, then per check its status, drift and (value
 * checks) value.  A partial run (--check) is not the day's gate: it gets
 * the per-check series of the checks it evaluated only. */
void render_metrics(const struct run *run, const struct gate *g, struct strbuf *out);

/* render_metrics into path, atomically.  -1 with d set.  A run checks
 * first, before any source is read, that path can be written (write_probe:
 * a missing or read-only directory, a full disk). */
int metrics_write(const char *path, const struct run *run, const struct gate *g,
		  struct diag *d);

#endif
