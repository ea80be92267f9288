/*
 * findings.c: the life of findings across days (see findings.h).
 *
 * The previous report is the latest readable one before the run's date.
 * Its `tracked` findings carry their first_seen forward: a key open today
 * and then keeps its first_seen, a key open today only is new (first_seen
 * today), a key open then only is resolved.  When either day followed
 * fewer findings than were open (more than [report] track), only the keys
 * both days could see are compared: a key beyond the other day's largest
 * followed key is neither new nor resolved.  A check that was not
 * evaluated today (error, skipped) carries the previous report's findings
 * unchanged, so an outage does not reset their ages.
 */
#include "findings.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

/* ---- the smallest distinct keys ---------------------------------------- */

void keyset_init(struct keyset *ks, size_t cap)
{
	memset(ks, 0, sizeof(*ks));
	ks->cap = cap;
}

/* strcmp order of a NUL-terminated a and s[0..len). */
static int key_cmp_n(const char *a, const char *s, size_t len)
{
	size_t la = strlen(a), m = la < len ? la : len;
	int c = memcmp(a, s, m);

	if (c)
		return c;
	return la < len ? -1 : la > len;
}

/* A key longer than FINDING_KEY_MAX bytes as its first bytes (cut at a
 * character boundary), "… #" and 16 hex digits of a hash of the whole key,
 * into short (FINDING_KEY_MAX + 1 bytes); its length. */
static size_t short_key(const char *s, size_t len, char *short_)
{
	uint64_t h = 1469598103934665603ULL;	/* FNV-1a */
	size_t i, keep = FINDING_KEY_MAX - 24;

	for (i = 0; i < len; i++) {
		h ^= (unsigned char)s[i];
		h *= 1099511628211ULL;
	}
	while (keep > 0 && ((unsigned char)s[keep] & 0xC0) == 0x80)
		keep--;
	memcpy(short_, s, keep);
	return keep + (size_t)snprintf(short_ + keep, FINDING_KEY_MAX + 1 - keep,
				       "\xE2\x80\xA6 #%016llx", (unsigned long long)h);
}

void keyset_offer(struct keyset *ks, const char *s, size_t len, int waiver)
{
	size_t lo = 0, hi = ks->n;
	char *k, short_[FINDING_KEY_MAX + 1];

	if (len > FINDING_KEY_MAX) {	/* megabyte cells make no key to show */
		len = short_key(s, len, short_);
		s = short_;
	}

	if (ks->n == ks->cap && (ks->n == 0 || key_cmp_n(ks->v[ks->n - 1], s, len) < 0)) {
		ks->more = true;
		return;
	}
	while (lo < hi) {	/* the first key not less than s */
		size_t mid = (lo + hi) / 2;

		if (key_cmp_n(ks->v[mid], s, len) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < ks->n && key_cmp_n(ks->v[lo], s, len) == 0)
		return;
	if (ks->n == ks->cap) {
		free(ks->v[ks->n - 1]);
		ks->n--;
		ks->more = true;
	}
	if (ks->n == ks->alloc) {
		ks->alloc = ks->alloc ? 2 * ks->alloc : 16;
		ks->v = xrealloc(ks->v, ks->alloc * sizeof(*ks->v));
		ks->w = xrealloc(ks->w, ks->alloc * sizeof(*ks->w));
	}
	k = xmalloc(len + 1);
	memcpy(k, s, len);
	k[len] = '\0';
	memmove(ks->v + lo + 1, ks->v + lo, (ks->n - lo) * sizeof(*ks->v));
	memmove(ks->w + lo + 1, ks->w + lo, (ks->n - lo) * sizeof(*ks->w));
	ks->v[lo] = k;
	ks->w[lo] = waiver;
	ks->n++;
}

struct key_w {
	const char *key;
	int w;
};

static int key_w_cmp(const void *a, const void *b)
{
	return strcmp(((const struct key_w *)a)->key, ((const struct key_w *)b)->key);
}

/* s with each invalid UTF-8 byte replaced by U+FFFD, as the JSON writes
 * it, so a key read back tomorrow is the same key. */
static const char *valid_utf8(struct arena *a, const char *s)
{
	size_t len = strlen(s);
	struct strbuf sb;
	const char *out;

	if (utf8_valid_prefix((const unsigned char *)s, len) == len)
		return arena_strdup(a, s);
	sb_init(&sb);
	sb_add_utf8(&sb, s, len);
	out = arena_strdup(a, sb.buf);
	sb_release(&sb);
	return out;
}

void keyset_take(struct keyset *ks, struct check_result *cr, struct arena *a)
{
	struct key_w *kw = xcalloc(ks->n ? ks->n : 1, sizeof(*kw));
	size_t i, n = 0;

	/* made valid UTF-8 as the JSON writes them, which may reorder them */
	for (i = 0; i < ks->n; i++) {
		kw[i].key = valid_utf8(a, ks->v[i]);
		kw[i].w = ks->w[i];
		free(ks->v[i]);
	}
	if (ks->n > 1)
		qsort(kw, ks->n, sizeof(*kw), key_w_cmp);
	cr->keys = arena_alloc(a, (ks->n ? ks->n : 1) * sizeof(*cr->keys));
	cr->key_waiver = arena_alloc(a, (ks->n ? ks->n : 1) * sizeof(*cr->key_waiver));
	for (i = 0; i < ks->n; i++) {
		if (n > 0 && strcmp(cr->keys[n - 1], kw[i].key) == 0)
			continue;
		cr->keys[n] = kw[i].key;
		cr->key_waiver[n++] = kw[i].w;
	}
	cr->nkeys = n;
	cr->keys_more = ks->more;
	free(kw);
	free(ks->v);
	free(ks->w);
	memset(ks, 0, sizeof(*ks));
}

void keyset_release(struct keyset *ks)
{
	size_t i;

	for (i = 0; i < ks->n; i++)
		free(ks->v[i]);
	free(ks->v);
	free(ks->w);
	memset(ks, 0, sizeof(*ks));
}

/* ---- waivers ------------------------------------------------------------ */

bool waiver_expired(const struct waiver_cfg *w, const char *date)
{
	return strcmp(date, w->expires) >= 0;
}

void waivers_prepare(struct check_result *cr, const struct config *cfg, const char *date,
		     struct arena *a)
{
	size_t i, n = 0;

	for (i = 0; i < cfg->nwaivers; i++)
		n += strcmp(cfg->waivers[i].check, cr->cfg->id) == 0;
	cr->waivers = arena_alloc(a, (n ? n : 1) * sizeof(*cr->waivers));
	cr->waiver_hits = arena_alloc(a, (n ? n : 1) * sizeof(*cr->waiver_hits));
	cr->nwaivers = 0;
	for (i = 0; i < cfg->nwaivers; i++) {
		const struct waiver_cfg *w = &cfg->waivers[i];

		if (strcmp(w->check, cr->cfg->id) != 0 || waiver_expired(w, date))
			continue;
		cr->waivers[cr->nwaivers] = w;
		cr->waiver_hits[cr->nwaivers++] = 0;
	}
}

size_t waivers_warn(const struct config *cfg, const char *today, struct strbuf *out)
{
	size_t i, n = 0;

	for (i = 0; i < cfg->nwaivers; i++) {
		const struct waiver_cfg *w = &cfg->waivers[i];
		long left = findings_days(today, w->expires);

		if (left <= 0)
			sb_addf(out, "%s:%d: waiver '%s' expired on %s: the findings it waived "
				     "count again\n", cfg->path, w->line, w->name, w->expires);
		else if (left <= WAIVER_WARN_DAYS)
			sb_addf(out, "%s:%d: waiver '%s' expires on %s, in %ld day%s\n", cfg->path,
				w->line, w->name, w->expires, left, left == 1 ? "" : "s");
		else
			continue;
		n++;
	}
	return n;
}

static bool same(const char *want, const char *s, size_t len)
{
	return strlen(want) == len && memcmp(want, s, len) == 0;
}

int waivers_match(struct check_result *cr, const char *key, size_t klen, const char *group,
		  size_t glen)
{
	size_t i;

	for (i = 0; i < cr->nwaivers; i++) {
		const struct waiver_cfg *w = cr->waivers[i];

		if (w->group && (!group || !same(w->group, group, glen)))
			continue;
		if (w->key && !same(w->key, key, klen))
			continue;
		cr->waiver_hits[i]++;
		cr->waived++;
		return (int)i;
	}
	return -1;
}

bool waivers_apply(struct check_result *cr)
{
	bool failing = cr->status == STATUS_FAIL || cr->status == STATUS_WARN;
	size_t i;

	if (!failing && cr->status != STATUS_PASS)
		return false;
	if (cr->cfg->kind == KIND_VALUE) {
		cr->key_waiver = NULL;
		if (!failing || waivers_match(cr, cr->cfg->id, strlen(cr->cfg->id), NULL, 0) < 0)
			return false;
		cr->drift = 0;
		cr->status = STATUS_PASS;
		return true;
	}
	if (!cr->waived)
		return false;
	cr->drift -= cr->waived;
	for (i = 0; i < cr->ngroups; i++)
		cr->groups[i].drift -= cr->groups[i].waived;
	if (cr->drift <= 0) {
		cr->drift = 0;
		cr->status = STATUS_PASS;
	}
	return true;
}

/* ---- dates -------------------------------------------------------------- */

long findings_days(const char *a, const char *b)
{
	long x, y;

	if (!a || !b || date_parse(a, &x) < 0 || date_parse(b, &y) < 0)
		return 0;
	return y - x;
}

bool findings_failing_status(const char *status)
{
	return status && (strcmp(status, "fail") == 0 || strcmp(status, "warn") == 0);
}

static bool is_date(const char *s)
{
	long d;

	return s && strlen(s) == 10 && date_parse(s, &d) == 0;
}

/* ---- the previous report ------------------------------------------------ */

struct prev_check {
	json_t *c;		/* the check's object, borrowed from the root */
	struct finding_seen *tracked;	/* sorted by key */
	size_t ntracked;
	bool more;		/* it followed fewer findings than were open */
};

static int finding_key_cmp(const void *a, const void *b)
{
	return strcmp(((const struct finding_seen *)a)->key, ((const struct finding_seen *)b)->key);
}

static json_t *find_check(json_t *checks, const char *id)
{
	size_t i;

	for (i = 0; i < json_array_size(checks); i++) {
		json_t *c = json_array_get(checks, i);
		const char *cid = json_string_value(json_object_get(c, "id"));

		if (cid && strcmp(cid, id) == 0)
			return c;
	}
	return NULL;
}

/* The previous report's check id: its followed findings (first_seen a
 * date, else the report's own date). */
static void read_prev(struct prev_check *p, json_t *checks, const char *id, const char *date,
		      struct arena *a)
{
	json_t *t;
	size_t i, n;

	memset(p, 0, sizeof(*p));
	p->c = find_check(checks, id);
	if (!p->c)
		return;
	t = json_object_get(p->c, "tracked");
	n = json_array_size(t);
	p->tracked = arena_alloc(a, (n ? n : 1) * sizeof(*p->tracked));
	for (i = 0; i < n; i++) {
		json_t *f = json_array_get(t, i);
		const char *k = json_string_value(json_object_get(f, "key"));
		const char *fs = json_string_value(json_object_get(f, "first_seen"));
		struct finding_seen *o = &p->tracked[p->ntracked];

		if (!k)
			continue;
		o->key = arena_strdup(a, k);
		memcpy(o->first_seen, is_date(fs) && strcmp(fs, date) <= 0 ? fs : date, 11);
		p->ntracked++;
	}
	if (p->ntracked > 1)
		qsort(p->tracked, p->ntracked, sizeof(*p->tracked), finding_key_cmp);
	p->more = json_is_false(json_object_get(p->c, "tracked_complete"));
}

/* ---- one check ----------------------------------------------------------- */

static int oldest_cmp(const void *a, const void *b)
{
	const struct finding_seen *x = *(const struct finding_seen *const *)a;
	const struct finding_seen *y = *(const struct finding_seen *const *)b;
	int c = strcmp(x->first_seen, y->first_seen);

	return c ? c : strcmp(x->key, y->key);
}

/* The first day of the check's current run of failing reports, ending
 * today: each earlier readable report in turn while the check failed in
 * it (an unreadable report ends the run; days without a report do not),
 * until one that recorded its own failing_since, which is taken. */
static const char *failing_since(const struct history *h, const struct run *run, long today,
				 const char *id)
{
	const char *since = run->date;
	size_t i = h->ndays;

	while (i > 0 && h->days[i - 1].day >= today)
		i--;
	for (; i > 0; i--) {
		const struct day *dy = &h->days[i - 1];
		const struct day_check *dc = NULL;
		size_t lo = 0, hi = dy->nchecks;

		if (dy->status == DAY_UNREADABLE)
			break;
		while (lo < hi) {
			size_t mid = (lo + hi) / 2;
			int c = strcmp(dy->checks[mid].id, id);

			if (c == 0) {
				dc = &dy->checks[mid];
				break;
			}
			if (c < 0)
				lo = mid + 1;
			else
				hi = mid;
		}
		if (!dc || !findings_failing_status(dc->status))
			break;
		since = dy->date;
		if (dc->failing_since && strcmp(dc->failing_since, since) <= 0) {
			since = dc->failing_since;	/* as that report worked it out */
			break;
		}
	}
	return since;
}

/* A drifting group of the previous report, for group_since's search. */
struct prev_group {
	const char *name;	/* NULL: the SQL NULL group */
	const char *since;	/* as that report gave it, or NULL */
	size_t order;		/* its place there: the first of equal names wins */
};

/* NULL first, then by bytes; equal names in their order. */
static int name_cmp(const char *x, const char *y)
{
	if (!x || !y)
		return !y - !x;
	return strcmp(x, y);
}

static int prev_group_cmp(const void *a, const void *b)
{
	const struct prev_group *x = a, *y = b;
	int c = name_cmp(x->name, y->name);

	return c ? c : (x->order > y->order) - (x->order < y->order);
}

/* Each drifting group's since: the previous report's since for a group
 * that was drifting there too (its date when it recorded none), else
 * today.  The previous groups are sorted once and searched, so a check
 * with many groups costs n log n, not n squared. */
static void group_since(struct finding_life *fl, const struct check_result *cr,
			const struct prev_check *p, const struct day *prev, const char *today,
			struct arena *a)
{
	json_t *groups = p->c && findings_failing_status(json_string_value(
						json_object_get(p->c, "status")))
				 ? json_object_get(p->c, "groups")
				 : NULL;
	size_t i, j, m = 0, n = json_array_size(groups);
	struct prev_group *pg = xcalloc(n ? n : 1, sizeof(*pg));

	for (j = 0; j < n; j++) {
		json_t *g = json_array_get(groups, j);

		if (json_integer_value(json_object_get(g, "drift")) <= 0)
			continue;
		pg[m].name = json_string_value(json_object_get(g, "group"));
		pg[m].since = json_string_value(json_object_get(g, "since"));
		pg[m].order = j;
		m++;
	}
	qsort(pg, m, sizeof(*pg), prev_group_cmp);
	fl->group_since = arena_alloc(a, (cr->ngroups ? cr->ngroups : 1) * sizeof(char *));
	for (i = 0; i < cr->ngroups; i++) {
		const char *since = NULL, *name = cr->groups[i].group;
		size_t lo = 0, hi = m;

		fl->group_since[i] = NULL;
		if (cr->groups[i].drift <= 0)
			continue;
		while (lo < hi) {	/* the first previous group not before name */
			size_t mid = (lo + hi) / 2;

			if (name_cmp(pg[mid].name, name) < 0)
				lo = mid + 1;
			else
				hi = mid;
		}
		if (lo < m && name_cmp(pg[lo].name, name) == 0) {
			const char *s = pg[lo].since;

			since = is_date(s) && strcmp(s, prev->date) <= 0 ? s : prev->date;
		}
		fl->group_since[i] = arena_strdup(a, since ? since : today);
	}
	free(pg);
}

/* Today's open findings against the previous report's. */
static void compare_open(struct finding_life *fl, const char *const *keys,
			 const struct waiver_cfg *const *waived, size_t nkeys, bool more,
			 const struct prev_check *p, const char *today, struct arena *a)
{
	/* keys past the other day's last followed key cannot be compared */
	const char *prev_last = p->more && p->ntracked ? p->tracked[p->ntracked - 1].key : NULL;
	const char *today_last = more && nkeys ? keys[nkeys - 1] : NULL;
	size_t i = 0, j = 0;

	fl->open = arena_alloc(a, (nkeys ? nkeys : 1) * sizeof(*fl->open));
	fl->fresh = arena_alloc(a, (nkeys ? nkeys : 1) * sizeof(*fl->fresh));
	fl->resolved = arena_alloc(a, (p->ntracked ? p->ntracked : 1) * sizeof(*fl->resolved));
	while (i < nkeys || j < p->ntracked) {
		int c = i == nkeys ? 1 : j == p->ntracked ? -1 : strcmp(keys[i], p->tracked[j].key);

		if (c == 0) {
			struct finding_seen *o = &fl->open[fl->nopen++];

			o->key = keys[i];
			o->waiver = waived[i];
			memcpy(o->first_seen, p->tracked[j].first_seen, 11);
			i++;
			j++;
		} else if (c < 0) {
			struct finding_seen *o = &fl->open[fl->nopen++];

			o->key = keys[i];
			o->waiver = waived[i];
			memcpy(o->first_seen, today, 11);
			if (!prev_last || strcmp(keys[i], prev_last) < 0)
				fl->fresh[fl->nfresh++] = *o;
			i++;
		} else {
			if (!today_last || strcmp(p->tracked[j].key, today_last) < 0)
				fl->resolved[fl->nresolved++] = p->tracked[j];
			j++;
		}
	}
	fl->open_more = more;
}

static void life_of(struct check_result *cr, const struct history *h, struct run *run,
		    long today, const struct day *prev, json_t *prev_checks, struct arena *tmp)
{
	struct arena *a = &run->arena;
	struct finding_life *fl = arena_alloc(a, sizeof(*fl));
	struct prev_check p;
	size_t i;

	memset(fl, 0, sizeof(*fl));
	fl->oldest_age = -1;
	fl->previous = prev ? arena_strdup(a, prev->date) : NULL;
	read_prev(&p, prev_checks, cr->cfg->id, prev ? prev->date : run->date, tmp);
	if (cr->status == STATUS_PASS || cr->status == STATUS_FAIL || cr->status == STATUS_WARN) {
		const char *const *keys = cr->keys;
		size_t nkeys = cr->nkeys;
		const char *one = cr->cfg->id;
		const struct waiver_cfg **waived;

		fl->evaluated = true;
		if (cr->cfg->kind == KIND_VALUE) {	/* one finding when it fails */
			keys = &one;
			nkeys = cr->status == STATUS_FAIL || cr->status == STATUS_WARN ||
				cr->waived > 0;
		}
		waived = arena_alloc(a, (nkeys ? nkeys : 1) * sizeof(*waived));
		for (i = 0; i < nkeys; i++) {
			waived[i] = NULL;
			if (cr->key_waiver && cr->key_waiver[i] >= 0)
				waived[i] = cr->waivers[cr->key_waiver[i]];
		}
		for (i = 0; cr->cfg->kind == KIND_VALUE && nkeys && i < cr->nwaivers; i++)
			if (cr->waiver_hits[i] && !waived[0])
				waived[0] = cr->waivers[i];
		if (cr->status == STATUS_FAIL || cr->status == STATUS_WARN)
			fl->failing_since = arena_strdup(a, failing_since(h, run, today, cr->cfg->id));
		group_since(fl, cr, &p, prev, run->date, a);
		compare_open(fl, keys, waived, nkeys, cr->keys_more, &p, run->date, a);
		for (i = 0; i < fl->nresolved; i++)
			fl->resolved[i].key = arena_strdup(a, fl->resolved[i].key);
	} else {		/* not evaluated: the previous findings stand */
		fl->open = arena_alloc(a, (p.ntracked ? p.ntracked : 1) * sizeof(*fl->open));
		for (i = 0; i < p.ntracked; i++) {
			fl->open[i].key = arena_strdup(a, p.tracked[i].key);
			memcpy(fl->open[i].first_seen, p.tracked[i].first_seen, 11);
		}
		fl->nopen = p.ntracked;
		fl->open_more = p.more;
	}
	fl->oldest = arena_alloc(a, (fl->nopen ? fl->nopen : 1) * sizeof(*fl->oldest));
	for (i = 0; i < fl->nopen; i++)
		fl->oldest[i] = &fl->open[i];
	if (fl->nopen > 1)
		qsort(fl->oldest, fl->nopen, sizeof(*fl->oldest), oldest_cmp);
	if (fl->nopen)
		fl->oldest_age = findings_days(fl->oldest[0]->first_seen, run->date);
	cr->life = fl;
}

void findings_compute(const struct history *h, struct run *run)
{
	const struct day *prev = NULL;
	struct arena tmp;
	json_t *root = NULL;
	long today;
	size_t i;

	if (date_parse(run->date, &today) < 0)
		return;
	arena_init(&tmp);
	prev = history_previous_readable(h, today);
	if (prev && h->dir) {
		const char *name = arena_printf(&tmp, "%s.json", prev->date);
		const char *why = NULL;

		root = history_read_report(path_join(&tmp, h->dir, name), name, prev->date, &tmp,
					   &why);
	}
	for (i = 0; i < run->nchecks; i++)
		life_of(&run->checks[i], h, run, today, prev, json_object_get(root, "checks"), &tmp);
	json_decref(root);
	arena_release(&tmp);
}
