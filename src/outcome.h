/*
 * outcome.h: the exit policy of recon(1) (EXIT STATUS), decided in one
 * place.
 *
 * A run's outcome is what `recon run` exits with: 1 when a gating (paging)
 * check failed, else 2 when a gating check could not be evaluated, else 0.
 * Signal-only checks, warnings and skips never change it.  The day's gate
 * status is pass exactly when the outcome is OUTCOME_PASS (sweep sets
 * run->gate from it); main returns it and the report's banner explains
 * it; none of them restates the rule.  Pure: it reads the run and
 * allocates nothing.
 */
#ifndef RECON_OUTCOME_H
#define RECON_OUTCOME_H

#include "sweep.h"

enum run_outcome {
	OUTCOME_PASS = 0,	/* no gating check failed or errored */
	OUTCOME_DRIFT = 1,	/* a gating check failed */
	OUTCOME_TROUBLE = 2,	/* no gating check failed, but one errored */
};

/* The outcome of the finished run (the exit status of recon run). */
enum run_outcome run_outcome(const struct run *run);

#endif
