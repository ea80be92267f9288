/*
 * outcome.c: the exit policy of a finished run (see outcome.h).
 */
#include "outcome.h"

/* Contract in outcome.h. */
enum run_outcome run_outcome(const struct run *run)
{
	size_t i;
	bool errored = false;

	for (i = 0; i < run->nchecks; i++) {
		const struct check_result *c = &run->checks[i];

		if (c->cfg && !c->cfg->paging)
			continue;
		if (c->status == STATUS_FAIL)
			return OUTCOME_DRIFT;
		if (c->status == STATUS_ERROR)
			errored = true;
	}
	return errored ? OUTCOME_TROUBLE : OUTCOME_PASS;
}
