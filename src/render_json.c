/*
 * render_json.c: the day's JSON, schema recon-report/1 (recon-report(5),
 * "THE JSON REPORT").  It is the machine-readable record that later runs
 * read back for their window and streak, so keys come in that page's order
 * (inserted in that order, dumped with JSON_PRESERVE_ORDER), with two-space
 * indentation, reals with 15 significant digits, and a final newline: the
 * same run always gives the same bytes.
 *
 * jansson ownership: every *_new call steals the reference it is given, so
 * the tree is built bottom-up and freed once with json_decref at the root;
 * the json_dumps string is freed here.  Strings from data are made valid
 * UTF-8 first (invalid bytes become U+FFFD), since jansson refuses others.
 */
#include "render.h"
#include "findings.h"
#include "recovery.h"

#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define JSON_DUMP_FLAGS (JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15))

/* A JSON string of s (null for NULL), invalid UTF-8 replaced by U+FFFD. */
static json_t *jstr(const char *s)
{
	struct strbuf sb;
	size_t len;
	json_t *j;

	if (!s)
		return json_null();
	len = strlen(s);
	if (utf8_valid_prefix((const unsigned char *)s, len) == len)
		return json_stringn(s, len);
	sb_init(&sb);
	sb_add_utf8(&sb, s, len);
	j = json_stringn(sb.buf, sb.len);
	sb_release(&sb);
	return j;
}

static json_t *jreal(double v)
{
	return isfinite(v) ? json_real(v) : json_null();
}

/* A value as a JSON number written as format_double writes it: a whole
 * number without a fraction (634, not 634.0), others with 15 significant
 * digits, which is what JSON_REAL_PRECISION(15) gives a real. */
static json_t *jvalue(double v)
{
	char text[32];

	if (!isfinite(v))
		return json_null();
	format_double(v, text);
	if (text[strspn(text, "-0123456789")] == '\0')
		return json_integer((json_int_t)strtoll(text, NULL, 10));
	return json_real(v);
}

size_t sample_cut(const char *s, size_t len, size_t max)
{
	if (len <= max)
		return len;
	len = max;
	while (len > 0 && ((unsigned char)s[len] & 0xC0) == 0x80)
		len--;
	return len;
}

/* A sampled cell: capped at SAMPLE_JSON_BYTES (see render.h). */
static json_t *jcell(const char *s)
{
	struct strbuf sb;
	size_t len, keep;
	json_t *j;

	if (!s)
		return json_null();
	len = strlen(s);
	keep = sample_cut(s, len, SAMPLE_JSON_BYTES);
	if (keep == len)
		return jstr(s);
	sb_init(&sb);
	sb_add(&sb, s, keep);
	sb_addf(&sb, "… [truncated, %zu bytes]", len);
	j = jstr(sb.buf);
	sb_release(&sb);
	return j;
}

/* [item(items[0]), ...]: strings as jstr or sampled cells as jcell. */
static json_t *array_of(const char *const *items, size_t n, json_t *(*item)(const char *))
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; a && i < n; i++)
		json_array_append_new(a, item(items[i]));
	return a;
}

static json_t *jnum(long long v)
{
	return json_integer((json_int_t)v);
}

/* set obj[key] = v; returns -1 when v is NULL (jansson out of memory or
 * refused a value) so the caller can fail as a whole. */
static int put(json_t *obj, const char *key, json_t *v)
{
	return json_object_set_new(obj, key, v);
}

/* {"COLUMN": n, ...} in compared order: changed rows in which each column
 * differs (per: one count per column, as column_changes). */
static json_t *columns_changed_json(const struct check_result *c, const long long *per)
{
	json_t *o = json_object();
	size_t j;

	for (j = 0; o && j < c->ncolumn_changes; j++)
		if (put(o, c->column_changes[j].column,
			jnum(per ? per[j] : c->column_changes[j].changed)) < 0) {
			json_decref(o);
			return NULL;
		}
	return o;
}

/* A compare check's explanation: rows compared, changed rows per column,
 * the classes of the changed values and each shifted column's offset. */
static int put_changes(json_t *o, const struct check_result *c)
{
	json_t *classes = json_object(), *offsets = json_object();
	long long sum[CHANGE_NCLASSES] = { 0 };
	size_t j, k;
	int bad = 0;

	if (!classes || !offsets) {
		json_decref(classes);
		json_decref(offsets);
		return -1;
	}
	for (j = 0; j < c->ncolumn_changes; j++) {
		const struct change_tally *t = &c->column_changes[j].classes;
		char buf[16];

		for (k = 0; k < CHANGE_NCLASSES; k++)
			sum[k] += t->n[k];
		if (t->n[CHANGE_TIMEZONE]) {
			change_offset_format(t->offset, buf, sizeof(buf));
			bad |= put(offsets, c->column_changes[j].column, json_string(buf));
		}
	}
	for (k = 0; k < CHANGE_NCLASSES; k++)
		bad |= put(classes, change_class_name((enum change_class)k), jnum(sum[k]));
	bad |= put(o, "compared", jnum(c->scanned));
	bad |= put(o, "columns_changed", columns_changed_json(c, NULL));
	bad |= put(o, "change_classes", classes);
	bad |= put(o, "timezone_offsets", offsets);
	return bad;
}

/* [{"key", "first_seen"}] of at most max findings (pointers when ptrs). */
static json_t *finding_list(const struct finding_seen *v, const struct finding_seen *const *ptrs, size_t n,
			    size_t max)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; a && i < n && i < max; i++) {
		const struct finding_seen *f = ptrs ? ptrs[i] : &v[i];
		json_t *o = json_object();

		put(o, "key", jstr(f->key));
		put(o, "first_seen", json_string(f->first_seen));
		if (f->waiver)
			put(o, "waiver", jstr(f->waiver->name));
		json_array_append_new(a, o);
	}
	return a;
}

/* Findings over time: failing_since, the lists of at most `samples` new,
 * resolved and oldest open findings, and every followed finding with its
 * first_seen (`tracked`, read back by the next run). */
static int life_json(json_t *o, const struct check_result *c, size_t samples)
{
	const struct finding_life *fl = c->life;
	int bad = 0;

	bad |= put(o, "waived", jnum(c->waived));
	if (!fl)
		return bad;
	bad |= put(o, "failing_since", jstr(fl->failing_since));
	bad |= put(o, "new", finding_list(fl->fresh, NULL, fl->nfresh, samples));
	bad |= put(o, "resolved", finding_list(fl->resolved, NULL, fl->nresolved, samples));
	bad |= put(o, "oldest", finding_list(NULL, fl->oldest, fl->nopen, samples));
	bad |= put(o, "tracked_complete", json_boolean(!fl->open_more));
	bad |= put(o, "tracked", finding_list(fl->open, NULL, fl->nopen, fl->nopen));
	return bad;
}

/* Every configured waiver with its status on the run's date (active or
 * expired) and how many findings it took out of drift today. */
static json_t *waivers_json(const struct run *run)
{
	json_t *a = json_array();
	size_t i, j, k;

	for (i = 0; a && run->cfg && i < run->cfg->nwaivers; i++) {
		const struct waiver_cfg *w = &run->cfg->waivers[i];
		json_t *o = json_object();
		long long hits = 0;

		for (j = 0; j < run->nchecks; j++)
			for (k = 0; k < run->checks[j].nwaivers; k++)
				if (run->checks[j].waivers[k] == w)
					hits = run->checks[j].waiver_hits[k];
		put(o, "name", jstr(w->name));
		put(o, "check", jstr(w->check));
		put(o, "group", jstr(w->group));
		put(o, "key", jstr(w->key));
		put(o, "owner", jstr(w->owner));
		put(o, "reason", jstr(w->reason));
		put(o, "expires", json_string(w->expires));
		put(o, "status", json_string(waiver_expired(w, run->date) ? "expired" : "active"));
		put(o, "matched", jnum(hits));
		json_array_append_new(a, o);
	}
	return a;
}

static json_t *check_json(const struct check_result *c, const struct report *r)
{
	const struct check_cfg *k = c->cfg;
	bool cmp = k->kind == KIND_COMPARE;
	json_t *o = json_object(), *groups = json_array(), *samples = json_array();
	size_t i;
	int bad = 0;

	if (!o || !groups || !samples) {
		json_decref(o);
		json_decref(groups);
		json_decref(samples);
		return NULL;
	}
	for (i = 0; i < c->ngroups; i++) {
		const struct group_result *g = &c->groups[i];
		json_t *jg = json_object();

		bad |= put(jg, "group", jstr(g->group));
		bad |= put(jg, "drift", jnum(g->drift));
		if (c->life && c->life->group_since)
			bad |= put(jg, "since", jstr(c->life->group_since[i]));
		if (g->waived)
			bad |= put(jg, "waived", jnum(g->waived));
		if (cmp) {
			bad |= put(jg, "missing", jnum(g->missing));
			bad |= put(jg, "extra", jnum(g->extra));
			bad |= put(jg, "changed", jnum(g->changed));
			if (g->columns_changed)
				bad |= put(jg, "columns_changed",
					   columns_changed_json(c, g->columns_changed));
		}
		bad |= json_array_append_new(groups, jg);
	}
	for (i = 0; i < c->nsamples; i++) {
		const char *const *row = c->samples[i];

		bad |= json_array_append_new(samples, array_of(row, c->ncolumns, jcell));
	}

	bad |= put(o, "id", jstr(k->id));
	bad |= put(o, "kind", json_string(check_kind_name(k->kind)));
	bad |= put(o, "status", json_string(status_name(c->status)));
	bad |= put(o, "paging", json_boolean(k->paging));
	bad |= put(o, "drift", jnum(c->drift));
	bad |= put(o, "description", jstr(k->description));
	bad |= put(o, "groups", groups);
	bad |= put(o, "columns", array_of(c->columns, c->ncolumns, jstr));
	bad |= put(o, "samples", samples);
	bad |= put(o, "recovery", k->recovery == RECOVERY_RECHECK ? json_string("recheck")
				 : k->recovery == RECOVERY_REPROCESS ? json_string("reprocess")
								     : json_null());
	bad |= put(o, "target", jstr(k->target));
	if (cmp) {
		json_t *f = json_object();

		bad |= put(f, "missing", jnum(c->missing));
		bad |= put(f, "extra", jnum(c->extra));
		bad |= put(f, "changed", jnum(c->changed));
		bad |= put(o, "findings", f);
		if (c->column_changes)
			bad |= put_changes(o, c);
		if (k->strategy != STRATEGY_ROWS && c->strategy) {
			json_t *st = json_object();

			bad |= put(o, "strategy", jstr(c->strategy));
			if (c->strategy_note)
				bad |= put(o, "strategy_note", jstr(c->strategy_note));
			bad |= put(o, "ranges", jnum(c->ranges));
			if (c->cut)
				bad |= put(o, "cut", jstr(c->cut));
			bad |= put(st, "left", jnum(c->streamed[0]));
			bad |= put(st, "right", jnum(c->streamed[1]));
			bad |= put(o, "rows_streamed", st);
		}
	}
	if (k->kind == KIND_VALUE && c->has_value)
		bad |= put(o, "value", jvalue(c->value));
	if (c->status == STATUS_ERROR)
		bad |= put(o, "error", jstr(c->error ? c->error : "unknown error"));
	if (c->status == STATUS_SKIPPED && c->skip_reason)
		bad |= put(o, "skip_reason", jstr(c->skip_reason));
	bad |= life_json(o, c, (size_t)r->run->cfg->samples);
	for (size_t si = 0; si < r->nskips; si++) {
		const struct skip_rate *sr = &r->skips[si];
		json_t *w;

		if (strcmp(sr->id, k->id) != 0)
			continue;
		/* a check that skips most days asserts nothing */
		w = json_object();

		bad |= put(w, "days", jnum(sr->days));
		bad |= put(w, "skipped", jnum(sr->skipped));
		bad |= put(o, "window_skips", w);
	}
	if (bad) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static json_t *targets_json(const struct recovery_item *items, size_t n)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; a && i < n; i++)
		json_array_append_new(a, jstr(items[i].target));
	return a;
}

/* The shadow pairs' agreement over the soak window (shadow.c). */
/* Every episode of every shadow in its soak window, with its
 * adjudication (verdict and note null when none). */
static json_t *episodes_json(const struct report *r)
{
	json_t *a = json_array();
	size_t i, k;

	for (i = 0; a && i < r->nshadows; i++) {
		const struct shadow *s = &r->shadows[i];

		for (k = 0; k < s->nepisodes; k++) {
			const struct shadow_episode *e = &s->episodes[k];
			json_t *o = json_object();

			put(o, "shadow", jstr(s->id));
			put(o, "of", jstr(s->of));
			put(o, "kind", json_string(episode_kind_name(e->kind)));
			put(o, "first", json_string(e->first));
			put(o, "last", json_string(e->last));
			put(o, "days", jnum(e->days));
			put(o, "adjudication", e->adjudication ? json_string(e->adjudication->date)
							      : json_null());
			put(o, "verdict", e->adjudication
						  ? json_string(verdict_name(e->adjudication->verdict))
						  : json_null());
			put(o, "note", jstr(e->adjudication ? e->adjudication->note : NULL));
			json_array_append_new(a, o);
		}
	}
	return a;
}

/* The recovery follow-up of the previous report's plan (recovery.h). */
static json_t *followup_json(const struct gate *g)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; a && i < g->nfollowup; i++) {
		const struct followup_item *f = &g->followup[i];
		json_t *o = json_object();

		put(o, "target", jstr(f->target));
		put(o, "action", json_string(recovery_name(f->action)));
		put(o, "status", json_string(followup_status_name(f->status)));
		put(o, "days", jnum(f->days));
		put(o, "repeated", json_boolean(f->repeated));
		json_array_append_new(a, o);
	}
	return a;
}

static json_t *shadows_json(const struct report *r)
{
	json_t *a = json_array();
	size_t i, k;
	int bad = 0;

	for (i = 0; a && i < r->nshadows; i++) {
		const struct shadow *s = &r->shadows[i];
		json_t *o = json_object(), *dis = json_array();

		bad |= put(o, "id", jstr(s->id));
		bad |= put(o, "of", jstr(s->of));
		bad |= put(o, "days", jnum(s->days));
		bad |= put(o, "agree", jnum(s->agree));
		bad |= put(o, "disagree", jnum(s->disagree));
		bad |= put(o, "skipped", jnum(s->skipped));
		bad |= put(o, "errors", jnum(s->errors));
		bad |= put(o, "skip_rate", jreal(s->skip_rate));
		bad |= put(o, "ready", json_boolean(s->ready));
		bad |= put(o, "soak_from", json_string(s->soak_from));
		bad |= put(o, "adjudicated", jnum(s->adjudicated));
		bad |= put(o, "unadjudicated", jnum(s->unadjudicated));
		for (k = 0; dis && k < s->ndisagreements; k++) {
			json_t *d = json_object();

			bad |= put(d, "date", jstr(s->disagreements[k].date));
			bad |= put(d, "status", jstr(s->disagreements[k].status));
			bad |= put(d, "of_status", jstr(s->disagreements[k].of_status));
			bad |= json_array_append_new(dis, d);
		}
		bad |= put(o, "disagreements", dis);
		bad |= json_array_append_new(a, o);
	}
	if (bad) {
		json_decref(a);
		return NULL;
	}
	return a;
}

static const struct source_cfg *find_source(const struct config *cfg, const char *name)
{
	size_t i;

	for (i = 0; cfg && name && i < cfg->nsources; i++)
		if (strcmp(cfg->sources[i].name, name) == 0)
			return &cfg->sources[i];
	return NULL;
}

static json_t *inputs_json(const struct run *run)
{
	json_t *a = json_array();
	size_t i;
	int bad = 0;

	for (i = 0; a && i < run->ninputs; i++) {
		const struct input *in = &run->inputs[i];
		const struct source_cfg *sc = find_source(run->cfg, in->source);
		json_t *o = json_object();

		bad |= put(o, "source", jstr(in->source));
		bad |= put(o, "table", jstr(in->table));
		if (in->table) {
			bad |= put(o, "rows", in->rows >= 0 ? jnum(in->rows) : json_null());
			bad |= put(o, "sha256", jstr(in->sha256));
		} else if ((sc && source_cfg_has_snapshot_id(sc)) || (!sc && in->snapshot)) {
			bad |= put(o, "snapshot", jstr(in->snapshot));
		} else {
			bad |= put(o, "sha256", jstr(in->sha256));
		}
		bad |= json_array_append_new(a, o);
	}
	if (bad) {
		json_decref(a);
		return NULL;
	}
	return a;
}

/* The window day's "values": each value check's value that day (today's
 * from the run, earlier ones from their reports), by check id; left out
 * when no value check has one. */
static int window_values(json_t *o, const struct report *r, const struct window_day *w)
{
	const struct run *run = r->run;
	const struct day *dy = NULL;
	json_t *vals;
	size_t i;
	long day;
	int bad = 0;

	if (strcmp(w->date, run->date) != 0) {
		if (date_parse(w->date, &day) < 0 || !(dy = history_find(r->history, day)) ||
		    dy->status == DAY_UNREADABLE)
			return 0;
	}
	vals = json_object();
	if (!vals)
		return -1;
	if (!dy) {
		for (i = 0; i < run->nchecks; i++)
			if (run->checks[i].has_value && isfinite(run->checks[i].value))
				bad |= put(vals, run->checks[i].cfg->id, jvalue(run->checks[i].value));
	} else {
		for (i = 0; i < dy->nchecks; i++)
			if (dy->checks[i].has_value && isfinite(dy->checks[i].value))
				bad |= put(vals, dy->checks[i].id, jvalue(dy->checks[i].value));
	}
	if (json_object_size(vals) == 0) {
		json_decref(vals);
		return bad;
	}
	return bad | put(o, "values", vals);
}

/* The day's JSON into out (see render.h).  Returns 0, or -1 with d set. */
int render_json(const struct report *r, struct strbuf *out, struct diag *d)
{
	const struct run *run = r->run;
	const struct gate *g = r->gate;
	const struct recovery_plan *plan = &r->plan;
	json_t *root = json_object(), *gate = json_object(), *sum = json_object();
	json_t *checks = json_array(), *rec = json_object(), *win = json_array();
	char *text = NULL;
	size_t i;
	int bad = 0, ret = -1;

	if (!root || !gate || !sum || !checks || !rec || !win) {
		json_decref(gate);
		json_decref(sum);
		json_decref(checks);
		json_decref(rec);
		json_decref(win);
		diag_error(d, "JSON report: out of memory");
		goto out;
	}

	bad |= put(gate, "status", json_string(run->gate == STATUS_PASS ? "pass" : "fail"));
	bad |= put(gate, "streak", jnum(g->streak));
	bad |= put(gate, "required", jnum(g->required));
	bad |= put(gate, "met", json_boolean(g->met));
	bad |= put(gate, "asserted", json_boolean(g->asserted));

	bad |= put(sum, "checks", jnum((long long)run->nchecks));
	bad |= put(sum, "pass", jnum((long long)run->npass));
	bad |= put(sum, "fail", jnum((long long)run->nfail));
	bad |= put(sum, "warn", jnum((long long)run->nwarn));
	bad |= put(sum, "error", jnum((long long)run->nerror));
	bad |= put(sum, "skipped", jnum((long long)run->nskipped));
	bad |= put(sum, "drift", jnum(run->drift));
	bad |= put(sum, "tenants_scanned",
		   run->tenants_scanned < 0 ? json_null() : jnum(run->tenants_scanned));
	bad |= put(sum, "tenants_with_drift", jnum(run->tenants_with_drift));
	if (run->tenants_error)
		bad |= put(sum, "tenants_error", jstr(run->tenants_error));

	for (i = 0; i < run->nchecks; i++)
		if (run->checks[i].cfg)
			bad |= json_array_append_new(checks, check_json(&run->checks[i], r));

	bad |= put(rec, "recheck", targets_json(plan->recheck, plan->nrecheck));
	bad |= put(rec, "reprocess", targets_json(plan->reprocess, plan->nreprocess));

	for (i = 0; i < g->nwindow; i++) {
		const struct window_day *w = &g->window[i];
		json_t *o = json_object();

		bad |= put(o, "date", json_string(w->date));
		bad |= put(o, "status", json_string(day_status_name(w->status)));
		bad |= put(o, "drift", w->drift < 0 ? json_null() : jnum(w->drift));
		bad |= window_values(o, r, w);
		bad |= json_array_append_new(win, o);
	}

	bad |= put(root, "schema", json_string("recon-report/1"));
	bad |= put(root, "recon", json_string(RECON_VERSION));
	bad |= put(root, "date", json_string(run->date));
	bad |= put(root, "title", jstr(run->cfg && run->cfg->title ? run->cfg->title
								  : "recon report"));
	bad |= put(root, "baseline", json_boolean(run->baseline));
	bad |= put(root, "config_sha256", run->cfg && run->cfg->sha256[0]
						 ? json_string(run->cfg->sha256) : json_null());
	bad |= put(root, "config_changed", json_boolean(g->config_changed));
	bad |= put(root, "checks_added", array_of(g->checks_added, g->nchecks_added, jstr));
	bad |= put(root, "checks_removed", array_of(g->checks_removed, g->nchecks_removed, jstr));
	bad |= put(root, "gate", gate);
	bad |= put(root, "summary", sum);
	bad |= put(root, "checks", checks);
	bad |= put(root, "recovery", rec);
	bad |= put(root, "window", win);
	bad |= put(root, "shadows", shadows_json(r));
	bad |= put(root, "waivers", waivers_json(run));
	bad |= put(root, "episodes", episodes_json(r));
	bad |= put(root, "recovery_followup", followup_json(g));
	bad |= put(root, "inputs", inputs_json(run));
	if (bad) {
		diag_error(d, "JSON report: cannot build the document (out of memory?)");
		goto out;
	}
	text = json_dumps(root, JSON_DUMP_FLAGS);
	if (!text) {
		diag_error(d, "JSON report: cannot serialize the document");
		goto out;
	}
	if (sb_puts(out, text) < 0 || sb_putc(out, '\n') < 0) {
		diag_error(d, "JSON report larger than %zu bytes", out->max);
		goto out;
	}
	ret = 0;
out:
	free(text);
	json_decref(root);
	return ret;
}
