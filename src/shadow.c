/*
 * shadow.c: shadow agreement and skip rates over past reports (see
 * shadow.h).
 */
#include "shadow.h"

#include <string.h>

/* The status of check id on day (today: from the run), or NULL when that
 * day's report does not hold it or does not count. */
static const char *status_on(const struct history *h, const struct run *run, long today,
			     long day, const char *id)
{
	const struct day *dy;
	size_t lo, hi;

	if (day == today) {
		for (lo = 0; lo < run->nchecks; lo++)
			if (strcmp(run->checks[lo].cfg->id, id) == 0)
				return run->baseline ? NULL : status_name(run->checks[lo].status);
		return NULL;
	}
	dy = history_find(h, day);
	if (!dy || dy->baseline || (dy->status != DAY_PASS && dy->status != DAY_FAIL))
		return NULL;
	lo = 0;
	hi = dy->nchecks;
	while (lo < hi) {	/* checks are sorted by id */
		size_t mid = (lo + hi) / 2;
		int c = strcmp(dy->checks[mid].id, id);

		if (c == 0)
			return dy->checks[mid].status;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

size_t shadows_compute(const struct history *h, struct run *run, struct shadow **out)
{
	const struct config *cfg = run->cfg;
	struct shadow *sh;
	long today, day;
	size_t i, n = 0;

	date_parse(run->date, &today);
	sh = arena_alloc(&run->arena, (run->nchecks + 1) * sizeof(*sh));
	for (i = 0; i < run->nchecks; i++) {
		const struct check_cfg *cc = run->checks[i].cfg;
		struct shadow *s;

		if (!cc->shadow_of)
			continue;
		s = &sh[n++];
		s->id = cc->id;
		s->of = cc->shadow_of;
		s->disagreements = arena_alloc(&run->arena, (size_t)cfg->soak_days *
							    sizeof(*s->disagreements));
		for (day = today - cfg->soak_days + 1; day <= today; day++) {
			const char *a = status_on(h, run, today, day, cc->id);
			const char *b = status_on(h, run, today, day, cc->shadow_of);

			if (!a || !b)
				continue;
			s->days++;
			if (!strcmp(a, "error") || !strcmp(b, "error")) {
				s->errors++;
			} else if (!strcmp(a, "skipped") || !strcmp(b, "skipped")) {
				s->skipped++;
			} else if (!strcmp(a, b)) {
				s->agree++;
			} else {
				struct shadow_disagreement *dis =
					&s->disagreements[s->ndisagreements++];

				s->disagree++;
				date_format(day, dis->date);
				dis->status = a;
				dis->of_status = b;
				if (day == today)
					s->disagree_today = true;
			}
		}
		s->skip_rate = s->days ? (double)s->skipped / (double)s->days : 0;
		s->ready = s->days >= cfg->soak_days && !s->disagree && !s->errors &&
			   s->skip_rate <= cfg->max_skip_rate;
	}
	*out = sh;
	return n;
}

size_t skip_rates_compute(const struct history *h, struct run *run, struct skip_rate **out)
{
	const struct config *cfg = run->cfg;
	struct skip_rate *sr;
	long today, day;
	size_t i, n = 0;

	date_parse(run->date, &today);
	sr = arena_alloc(&run->arena, (run->nchecks + 1) * sizeof(*sr));
	for (i = 0; i < run->nchecks; i++) {
		const struct check_cfg *cc = run->checks[i].cfg;
		struct skip_rate *s;

		if (!cc->precondition)
			continue;
		s = &sr[n++];
		s->id = cc->id;
		for (day = today - cfg->window_days + 1; day <= today; day++) {
			const char *st = status_on(h, run, today, day, cc->id);

			if (!st)
				continue;
			s->days++;
			if (!strcmp(st, "skipped"))
				s->skipped++;
		}
	}
	*out = sr;
	return n;
}
