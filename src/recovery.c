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

#include <jansson.h>

#include "history.h"

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

/* ---- follow-up ----------------------------------------------------------- */

const char *followup_status_name(enum followup_status s)
{
	return s == FOLLOWUP_NEW ? "new" : s == FOLLOWUP_AGAIN ? "planned again" : "resolved";
}

struct prev_target {
	const char *target;
	enum recovery action;
	long long days;
};

static int prev_target_cmp(const void *a, const void *b)
{
	return strcmp(((const struct prev_target *)a)->target,
		      ((const struct prev_target *)b)->target);
}

/* The previous report's plan, each target with its consecutive days. */
static size_t read_prev_plan(json_t *root, struct arena *a, struct prev_target **out)
{
	json_t *rec = json_object_get(root, "recovery"), *fu = json_object_get(root,
									   "recovery_followup");
	size_t n = json_array_size(json_object_get(rec, "recheck")) +
		   json_array_size(json_object_get(rec, "reprocess")), k = 0, i, j;
	struct prev_target *v = arena_alloc(a, (n ? n : 1) * sizeof(*v));
	static const char *const actions[] = { "recheck", "reprocess" };

	for (j = 0; j < 2; j++) {
		json_t *list = json_object_get(rec, actions[j]);

		for (i = 0; i < json_array_size(list); i++) {
			const char *t = json_string_value(json_array_get(list, i));
			size_t f;

			if (!t)
				continue;
			v[k].target = arena_strdup(a, t);
			v[k].action = j == 0 ? RECOVERY_RECHECK : RECOVERY_REPROCESS;
			v[k].days = 1;
			for (f = 0; f < json_array_size(fu); f++) {
				json_t *e = json_array_get(fu, f);
				const char *ft = json_string_value(json_object_get(e, "target"));
				const char *st = json_string_value(json_object_get(e, "status"));
				json_int_t d = json_integer_value(json_object_get(e, "days"));

				if (ft && st && strcmp(ft, t) == 0 && strcmp(st, "resolved") != 0 &&
				    d > 0)
					v[k].days = d;
			}
			k++;
		}
	}
	if (k > 1)
		qsort(v, k, sizeof(*v), prev_target_cmp);
	*out = v;
	return k;
}

size_t recovery_followup(const struct history *h, struct run *run, struct followup_item **out)
{
	struct recovery_plan plan;
	struct prev_target *prev = NULL;
	struct recovery_item **today;
	const struct day *pd = NULL;
	struct followup_item *v;
	struct arena tmp;
	json_t *root = NULL;
	size_t np = 0, nt, i = 0, j = 0, n = 0;
	long day;

	*out = NULL;
	if (run->partial || date_parse(run->date, &day) < 0)
		return 0;
	arena_init(&tmp);
	pd = history_previous_readable(h, day);
	if (pd && h->dir) {
		const char *name = arena_printf(&tmp, "%s.json", pd->date), *why = NULL;

		root = history_read_report(path_join(&tmp, h->dir, name), name, pd->date, &tmp,
					   &why);
	}
	if (root)
		np = read_prev_plan(root, &tmp, &prev);
	recovery_plan(run, &plan);
	nt = plan.nrecheck + plan.nreprocess;
	today = arena_alloc(&tmp, (nt ? nt : 1) * sizeof(*today));
	for (i = 0; i < plan.nrecheck; i++)
		today[i] = &plan.recheck[i];
	for (i = 0; i < plan.nreprocess; i++)
		today[plan.nrecheck + i] = &plan.reprocess[i];
	for (i = 1; i < nt; i++) {	/* by target: the two lists merged */
		struct recovery_item *x = today[i];

		for (j = i; j > 0 && strcmp(today[j - 1]->target, x->target) > 0; j--)
			today[j] = today[j - 1];
		today[j] = x;
	}
	v = arena_alloc(&run->arena, (nt + np + 1) * sizeof(*v));
	i = j = 0;
	while (i < nt || j < np) {
		int c = i == nt ? 1 : j == np ? -1 : strcmp(today[i]->target, prev[j].target);
		struct followup_item *f = &v[n++];

		if (c <= 0) {
			f->target = arena_strdup(&run->arena, today[i]->target);
			f->action = today[i]->action;
			f->status = c == 0 ? FOLLOWUP_AGAIN : FOLLOWUP_NEW;
			f->days = c == 0 ? prev[j].days + 1 : 1;
		} else {
			f->target = arena_strdup(&run->arena, prev[j].target);
			f->action = prev[j].action;
			f->status = FOLLOWUP_RESOLVED;
			f->days = prev[j].days;
		}
		f->repeated = f->status != FOLLOWUP_RESOLVED && f->days >= REPAIR_CYCLE_DAYS;
		i += c <= 0;
		j += c >= 0;
	}
	recovery_plan_release(&plan);
	json_decref(root);
	arena_release(&tmp);
	*out = v;
	return n;
}
