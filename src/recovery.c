/*
 * recovery.c: the root-cause attribution of the recovery plan.
 *
 * The number of failing checks and targets is small (tens), so plain linear
 * scans keep this obvious: for each failing check, walk its target's parent
 * chain and remember the highest ancestor that some failing or erroring
 * check also targets.  The config guarantees parents are defined and free of
 * cycles; the walk is still bounded by the number of targets.
 */
#include "recovery.h"

#include <stdlib.h>
#include <string.h>

static const struct target_cfg *find_target(const struct config *cfg, const char *name)
{
	size_t i;

	if (!cfg || !name)
		return NULL;
	for (i = 0; i < cfg->ntargets; i++)
		if (strcmp(cfg->targets[i].name, name) == 0)
			return &cfg->targets[i];
	return NULL;
}

/* Is name the target of a failing or erroring check of run? */
static bool target_in_trouble(const struct run *run, const char *name)
{
	size_t i;

	for (i = 0; i < run->nchecks; i++) {
		const struct check_result *c = &run->checks[i];

		if ((c->status == STATUS_FAIL || c->status == STATUS_ERROR) &&
		    c->cfg && c->cfg->target && strcmp(c->cfg->target, name) == 0)
			return true;
	}
	return false;
}

/* The highest ancestor of target (not target itself) in trouble, or NULL. */
static const char *root_cause(const struct run *run, const char *target)
{
	const struct config *cfg = run->cfg;
	const struct target_cfg *t = find_target(cfg, target);
	const char *highest = NULL;
	size_t steps = 0, limit = cfg ? cfg->ntargets : 0;

	while (t && t->parent && steps++ <= limit) {
		if (target_in_trouble(run, t->parent))
			highest = t->parent;
		t = find_target(cfg, t->parent);
	}
	return highest;
}

static int cmp_item(const void *a, const void *b)
{
	const struct recovery_item *x = a, *y = b;

	return strcmp(x->target, y->target);
}

/* Compute run's recovery plan into plan. */
void recovery_plan(const struct run *run, struct recovery_plan *plan)
{
	struct recovery_item *items;
	size_t nitems = 0, i, j, nre = 0, nrp = 0;

	memset(plan, 0, sizeof(*plan));
	arena_init(&plan->arena);
	items = arena_alloc(&plan->arena, (run->nchecks + 1) * sizeof(*items));
	plan->untargeted = arena_alloc(&plan->arena, (run->nchecks + 1) * sizeof(char *));

	for (i = 0; i < run->nchecks; i++) {
		const struct check_result *c = &run->checks[i];
		const char *target, *root;
		enum recovery action;
		struct recovery_item *it = NULL;

		if (c->status != STATUS_FAIL || !c->cfg)
			continue;
		if (!c->cfg->target) {
			plan->untargeted[plan->nuntargeted++] = c->cfg->id;
			continue;
		}
		target = c->cfg->target;
		action = c->cfg->recovery == RECOVERY_REPROCESS ? RECOVERY_REPROCESS
								: RECOVERY_RECHECK;
		root = root_cause(run, target);
		if (root) {
			target = root;
			action = RECOVERY_RECHECK;
		}
		for (j = 0; j < nitems; j++)
			if (strcmp(items[j].target, target) == 0)
				it = &items[j];
		if (!it) {
			it = &items[nitems++];
			it->target = target;
			it->action = action;
			it->checks = arena_alloc(&plan->arena,
						 (run->nchecks + 1) * sizeof(char *));
		} else if (action == RECOVERY_RECHECK) {
			it->action = RECOVERY_RECHECK;
		}
		/* run->checks is sorted by id, so each list stays sorted */
		it->checks[it->nchecks++] = c->cfg->id;
	}

	if (nitems)
		qsort(items, nitems, sizeof(*items), cmp_item);
	for (i = 0; i < nitems; i++) {
		if (items[i].action == RECOVERY_RECHECK)
			nre++;
		else
			nrp++;
	}
	plan->recheck = arena_alloc(&plan->arena, (nre + 1) * sizeof(*items));
	plan->reprocess = arena_alloc(&plan->arena, (nrp + 1) * sizeof(*items));
	for (i = 0; i < nitems; i++) {
		if (items[i].action == RECOVERY_RECHECK)
			plan->recheck[plan->nrecheck++] = items[i];
		else
			plan->reprocess[plan->nreprocess++] = items[i];
	}
}

/* Free what recovery_plan allocated. */
void recovery_plan_release(struct recovery_plan *plan)
{
	arena_release(&plan->arena);
	memset(plan, 0, sizeof(*plan));
}
