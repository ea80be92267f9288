/*
 * shadow.c: shadow agreement and skip rates over past reports (see
 * shadow.h).
 */
#include "shadow.h"

#include <limits.h>
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

const char *episode_kind_name(enum episode_kind k)
{
	return k == EPISODE_DISAGREE ? "disagree" : k == EPISODE_ERROR ? "error" : "skipped";
}

const char *verdict_name(enum adjudication_verdict v)
{
	return v == ADJUDICATED_REAL_BREAK ? "real-break" : v == ADJUDICATED_CHECK_BUG ? "check-bug" : NULL;
}

enum day_class { DAY_NONE, DAY_AGREE, DAY_DISAGREE, DAY_ERROR, DAY_SKIPPED };

/* The episodes of s over the window's days (cls[0] is day from), each with
 * the latest adjudication of s whose date it holds. */
static void episodes_of(struct shadow *s, const enum day_class *cls, long from, long ndays,
			const struct config *cfg, struct arena *a)
{
	long d = 0;
	size_t j;

	s->episodes = arena_alloc(a, (size_t)(ndays + 1) * sizeof(*s->episodes));
	while (d < ndays) {
		struct shadow_episode *e;
		long first = d;

		if (cls[d] == DAY_NONE || cls[d] == DAY_AGREE) {
			d++;
			continue;
		}
		while (d + 1 < ndays && cls[d + 1] == cls[first])
			d++;
		e = &s->episodes[s->nepisodes++];
		e->kind = cls[first] == DAY_DISAGREE ? EPISODE_DISAGREE
			  : cls[first] == DAY_ERROR ? EPISODE_ERROR : EPISODE_SKIPPED;
		date_format(from + first, e->first);
		date_format(from + d, e->last);
		e->days = d - first + 1;
		e->adjudication = NULL;
		for (j = 0; j < cfg->nadjudications; j++) {
			const struct adjudication_cfg *adj = &cfg->adjudications[j];

			if (strcmp(adj->shadow, s->id) == 0 && strcmp(adj->date, e->first) >= 0 &&
			    strcmp(adj->date, e->last) <= 0)
				e->adjudication = adj;	/* sorted by date: the latest wins */
		}
		d++;
	}
}

/* The day after the latest check-bug adjudication of id on or before
 * today, or LONG_MIN. */
static long restart_of(const struct config *cfg, const char *id, long today)
{
	long best = LONG_MIN, day;
	size_t j;

	for (j = 0; j < cfg->nadjudications; j++) {
		const struct adjudication_cfg *adj = &cfg->adjudications[j];

		if (adj->verdict != ADJUDICATED_CHECK_BUG || strcmp(adj->shadow, id) != 0 ||
		    date_parse(adj->date, &day) < 0 || day > today)
			continue;
		if (day + 1 > best)
			best = day + 1;
	}
	return best;
}

size_t shadows_compute(const struct history *h, struct run *run, struct shadow **out)
{
	const struct config *cfg = run->cfg;
	struct shadow *sh;
	enum day_class *cls;
	long today, day, from, restart;
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
		from = today - cfg->soak_days + 1;
		cls = arena_alloc(&run->arena, (size_t)cfg->soak_days * sizeof(*cls));
		for (day = from; day <= today; day++) {
			const char *a = status_on(h, run, today, day, cc->id);
			const char *b = status_on(h, run, today, day, cc->shadow_of);
			enum day_class *c = &cls[day - from];

			if (!a || !b) {
				*c = DAY_NONE;
			} else if (!strcmp(a, "error") || !strcmp(b, "error")) {
				*c = DAY_ERROR;
			} else if (!strcmp(a, "skipped") || !strcmp(b, "skipped")) {
				*c = DAY_SKIPPED;
			} else if (!strcmp(a, b)) {
				*c = DAY_AGREE;
			} else {
				struct shadow_disagreement *dis =
					&s->disagreements[s->ndisagreements++];

				*c = DAY_DISAGREE;
				date_format(day, dis->date);
				dis->status = a;
				dis->of_status = b;
				if (day == today)
					s->disagree_today = true;
			}
		}
		episodes_of(s, cls, from, cfg->soak_days, cfg, &run->arena);
		/* the counted days: from the latest restart on */
		restart = restart_of(cfg, cc->id, today);
		date_format(restart > from ? restart : from, s->soak_from);
		s->restarted = restart > from;
		for (day = restart > from ? restart : from; day <= today; day++) {
			const struct shadow_episode *e = NULL;
			char date[11];
			size_t k;

			if (cls[day - from] == DAY_NONE)
				continue;
			s->days++;
			switch (cls[day - from]) {
			case DAY_ERROR:
				s->errors++;
				break;
			case DAY_SKIPPED:
				s->skipped++;
				break;
			case DAY_AGREE:
				s->agree++;
				break;
			default:
				date_format(day, date);
				for (k = 0; k < s->nepisodes; k++)
					if (strcmp(s->episodes[k].first, date) <= 0 &&
					    strcmp(s->episodes[k].last, date) >= 0)
						e = &s->episodes[k];
				if (e && e->adjudication &&
				    e->adjudication->verdict == ADJUDICATED_REAL_BREAK) {
					s->agree++;	/* the shadow caught a real break */
					s->adjudicated++;
				} else {
					s->disagree++;
					s->unadjudicated += !e || !e->adjudication;
				}
				break;
			}
		}
		s->skip_rate = s->days ? (double)s->skipped / (double)s->days : 0;
		s->ready = s->days >= cfg->soak_days && !s->unadjudicated && !s->errors &&
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
