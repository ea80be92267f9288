/*
 * render_findings.c: the report as a triage queue (see findings.h).  A
 * failing check's section leads with how long it has been failing, the
 * findings new today and the oldest open ones with their ages; the index
 * lists the checks failing in the latest report and for how many days.
 * Markdown only: the HTML page is rendered from it.
 */
#include "findings.h"
#include "recovery.h"
#include "render.h"

#include <string.h>

/* "3 days": the calendar days from since to today, both counted. */
static long failing_days(const char *since, const char *today)
{
	return findings_days(since, today) + 1;
}

static void finding_table(struct strbuf *o, const struct finding_seen *v,
			  const struct finding_seen *const *ptrs, size_t n, const char *today)
{
	size_t i;

	sb_puts(o, "| finding | first seen | age (days) |\n|---|---|--:|\n");
	for (i = 0; i < n; i++) {
		const struct finding_seen *f = ptrs ? ptrs[i] : &v[i];

		sb_puts(o, "| ");
		md_text(o, f->key);
		if (f->waiver) {
			sb_puts(o, " — waived \\(");
			md_text(o, f->waiver->name);
			sb_puts(o, ", ");
			md_text(o, f->waiver->owner);
			sb_puts(o, "\\)");
		}
		sb_addf(o, " | %s | %ld |\n", f->first_seen, findings_days(f->first_seen, today));
	}
	sb_putc(o, '\n');
}

void findings_md_check(struct strbuf *o, const struct check_result *c, const char *today,
		       size_t samples)
{
	const struct finding_life *fl = c->life;
	size_t n;

	if (!fl)
		return;
	if (fl->failing_since) {
		long days = failing_days(fl->failing_since, today);

		sb_addf(o, "Failing for %ld %s (since %s).", days, md_plural(days, "day", "days"),
			fl->failing_since);
		if (fl->nopen)
			sb_addf(o, " Oldest open finding: %ld %s old.", fl->oldest_age,
				md_plural(fl->oldest_age, "day", "days"));
		sb_puts(o, "\n\n");
	}
	sb_puts(o, "#### New today\n\n");
	if (!fl->nfresh) {
		sb_puts(o, "No new finding.\n\n");
	} else {
		n = fl->nfresh < samples ? fl->nfresh : samples;
		sb_addf(o, "%zu new %s", fl->nfresh, md_plural((long long)fl->nfresh, "finding", "findings"));
		if (n < fl->nfresh)
			sb_addf(o, "; the first %zu by key", n);
		sb_puts(o, ":\n\n");
		finding_table(o, fl->fresh, NULL, n, today);
	}
	if (fl->nopen > fl->nfresh) {	/* not only today's */
		n = fl->nopen < samples ? fl->nopen : samples;
		sb_addf(o, "#### Oldest open\n\n%zu open %s followed%s", fl->nopen,
			md_plural((long long)fl->nopen, "finding", "findings"),
			fl->open_more ? " (more are open than are followed)" : "");
		if (n < fl->nopen)
			sb_addf(o, "; the %zu oldest", n);
		sb_puts(o, ":\n\n");
		finding_table(o, NULL, fl->oldest, n, today);
	}
	if (fl->nresolved) {
		n = fl->nresolved < samples ? fl->nresolved : samples;
		sb_addf(o, "#### Resolved today\n\n%zu %s open in the report of %s no longer %s",
			fl->nresolved, md_plural((long long)fl->nresolved, "finding", "findings"),
			fl->previous, md_plural((long long)fl->nresolved, "is", "are"));
		if (n < fl->nresolved)
			sb_addf(o, "; the first %zu by key", n);
		sb_puts(o, ":\n\n");
		finding_table(o, fl->resolved, NULL, n, today);
	}
}

void findings_md_index(struct strbuf *o, const struct history *h)
{
	const struct day *last;
	size_t i, n = 0;

	if (!h->ndays)
		return;
	last = &h->days[h->ndays - 1];
	for (i = 0; i < last->nchecks; i++)
		if (last->checks[i].failing_since)
			n++;
	if (!n)
		return;
	sb_addf(o, "## Failing checks\n\nFailing in the latest report (%s), and for how long:\n\n"
		   "| check | status | failing since | days |\n|---|---|---|--:|\n", last->date);
	for (i = 0; i < last->nchecks; i++) {
		const struct day_check *dc = &last->checks[i];

		if (!dc->failing_since)
			continue;
		sb_puts(o, "| ");
		md_text(o, dc->id);
		sb_addf(o, " | %s | %s | %ld |\n", dc->status, dc->failing_since,
			failing_days(dc->failing_since, last->date));
	}
	sb_putc(o, '\n');
}

static void cell_or_dash(struct strbuf *o, const char *s)
{
	if (s)
		md_text(o, s);
	else
		sb_puts(o, "—");
}

void findings_md_waivers(struct strbuf *o, const struct run *run, size_t samples)
{
	const struct config *cfg = run->cfg;
	size_t i, j, k, expired = 0, listed = 0;
	struct strbuf nothing;

	if (!cfg || !cfg->nwaivers)
		return;
	sb_init(&nothing);
	sb_puts(o, "## Waivers\n\nFindings a waiver covers stay listed but are not counted in "
		   "their check's drift, status or the gate, until the waiver expires.\n\n"
		   "| waiver | check | group | key | owner | expires | status | findings waived |\n"
		   "|---|---|---|---|---|---|---|--:|\n");
	for (i = 0; i < cfg->nwaivers; i++) {
		const struct waiver_cfg *w = &cfg->waivers[i];
		bool active = !waiver_expired(w, run->date), seen = false;
		long long hits = 0;

		for (j = 0; j < run->nchecks; j++) {
			if (strcmp(run->checks[j].cfg->id, w->check) != 0)
				continue;
			seen = run->checks[j].status == STATUS_PASS ||
			       run->checks[j].status == STATUS_FAIL;
			for (k = 0; k < run->checks[j].nwaivers; k++)
				if (run->checks[j].waivers[k] == w)
					hits = run->checks[j].waiver_hits[k];
		}
		sb_puts(o, "| ");
		md_text(o, w->name);
		sb_puts(o, " | ");
		md_text(o, w->check);
		sb_puts(o, " | ");
		cell_or_dash(o, w->group);
		sb_puts(o, " | ");
		cell_or_dash(o, w->key);
		sb_puts(o, " | ");
		md_text(o, w->owner);
		sb_addf(o, " | %s | %s | %lld |\n", w->expires, active ? "active" : "**expired**", hits);
		if (active && seen && hits == 0) {
			sb_puts(&nothing, nothing.len ? ", " : "");
			md_text(&nothing, w->name);
		}
		expired += !active;
	}
	sb_putc(o, '\n');
	for (i = 0; i < cfg->nwaivers; i++) {
		if (!cfg->waivers[i].reason)
			continue;
		sb_puts(o, "- ");
		md_text(o, cfg->waivers[i].name);
		sb_puts(o, ": ");
		md_text(o, cfg->waivers[i].reason);
		sb_putc(o, '\n');
	}
	sb_putc(o, '\n');
	if (expired)
		sb_addf(o, "%zu %s expired: %s findings count again.\n\n", expired,
			expired == 1 ? "waiver has" : "waivers have", expired == 1 ? "its" : "their");
	if (nothing.len)
		sb_addf(o, "Matching nothing today (a typo in a check, group or key would look "
			   "like this): %s.\n\n", nothing.buf);
	sb_release(&nothing);
	for (j = 0; j < run->nchecks; j++) {
		const struct finding_life *fl = run->checks[j].life;

		for (k = 0; fl && k < fl->nopen; k++) {
			const struct finding_seen *f = fl->oldest[k];

			if (!f->waiver || listed >= samples)
				continue;
			if (!listed++)
				sb_puts(o, "| check | waived finding | waiver | owner | first seen | "
					   "age (days) |\n|---|---|---|---|---|--:|\n");
			sb_puts(o, "| ");
			md_text(o, run->checks[j].cfg->id);
			sb_puts(o, " | ");
			md_text(o, f->key);
			sb_puts(o, " | ");
			md_text(o, f->waiver->name);
			sb_puts(o, " | ");
			md_text(o, f->waiver->owner);
			sb_addf(o, " | %s | %ld |\n", f->first_seen,
				findings_days(f->first_seen, run->date));
		}
	}
	if (listed)
		sb_putc(o, '\n');
}

void findings_md_episodes(struct strbuf *o, const struct shadow *sh, size_t n)
{
	size_t i, k, total = 0;

	for (i = 0; i < n; i++)
		total += sh[i].nepisodes;
	if (!total)
		return;
	sb_puts(o, "### Episodes\n\nEvery run of days on which a shadow check disagreed with its "
		   "original, errored or was skipped, and its adjudication: a real-break counts as "
		   "agreement, a check-bug restarts the soak the day after its date.\n\n"
		   "| shadow | episode | first day | last day | days | adjudication | note |\n"
		   "|---|---|---|---|--:|---|---|\n");
	for (i = 0; i < n; i++) {
		for (k = 0; k < sh[i].nepisodes; k++) {
			const struct shadow_episode *e = &sh[i].episodes[k];

			sb_puts(o, "| ");
			md_text(o, sh[i].id);
			sb_addf(o, " | %s | %s | %s | %lld | ", episode_kind_name(e->kind), e->first,
				e->last, e->days);
			if (e->adjudication) {
				sb_addf(o, "%s (%s) | ", verdict_name(e->adjudication->verdict),
					e->adjudication->date);
				if (e->adjudication->note)
					md_text(o, e->adjudication->note);
			} else {
				sb_puts(o, "**not adjudicated** | ");
			}
			sb_puts(o, " |\n");
		}
	}
	sb_putc(o, '\n');
	for (i = 0; i < n; i++) {
		if (sh[i].restarted) {
			md_text(o, sh[i].id);
			sb_addf(o, ": its soak restarted on %s after a check-bug; %lld %s counted "
				   "since.\n\n", sh[i].soak_from, sh[i].days,
				sh[i].days == 1 ? "day" : "days");
		}
		if (sh[i].adjudicated) {
			md_text(o, sh[i].id);
			sb_addf(o, ": %lld disagreeing %s adjudicated real-break, counted as agreement.\n\n",
				sh[i].adjudicated, sh[i].adjudicated == 1 ? "day" : "days");
		}
	}
}

void findings_md_followup(struct strbuf *o, const struct gate *g)
{
	size_t i, nrep = 0;

	if (!g->nfollowup)
		return;
	sb_puts(o, "### Follow-up\n\nEach target of the previous report's plan, and of "
		   "today's: resolved when its checks no longer fail, or planned again, with the "
		   "consecutive reports that planned it.\n\n"
		   "| target | action | since the previous report | days planned |\n"
		   "|---|---|---|--:|\n");
	for (i = 0; i < g->nfollowup; i++) {
		const struct followup_item *f = &g->followup[i];

		sb_puts(o, "| ");
		md_text(o, f->target);
		sb_addf(o, " | %s | %s | %lld%s |\n", recovery_name(f->action),
			followup_status_name(f->status), f->days,
			f->repeated ? " — **repeated repair cycle**" : "");
		nrep += f->repeated;
	}
	sb_putc(o, '\n');
	if (nrep)
		sb_addf(o, "A target planned on %d or more consecutive reports is a repeated "
			   "repair cycle: repairing it has not held, so its root cause is "
			   "elsewhere.\n\n", REPAIR_CYCLE_DAYS);
}
