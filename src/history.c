/*
 * history.c: the earlier days, read back from the report directory's JSON
 * (see history.h).  Only files named YYYY-MM-DD.json with a real date
 * count; anything else in the directory is ignored.  A file that does not
 * parse, or lacks the keys the streak needs, is an unreadable day: it
 * breaks the streak like a missing day, and the report names it.
 */
#include "history.h"
#include "findings.h"
#include "recovery.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

const char *day_status_name(enum day_status s)
{
	switch (s) {
	case DAY_MISSING:
		return "missing";
	case DAY_PASS:
		return "pass";
	case DAY_FAIL:
		return "fail";
	case DAY_UNREADABLE:
		return "unreadable";
	case DAY_WARN:
		return "warn";
	}
	return "unreadable";
}

static const char *jstr(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	return json_is_string(v) ? json_string_value(v) : NULL;
}

static bool jint(json_t *o, const char *key, long long *out)
{
	json_t *v = json_object_get(o, key);

	if (!json_is_integer(v))
		return false;
	*out = json_integer_value(v);
	return true;
}

static int day_check_cmp(const void *a, const void *b)
{
	return strcmp(((const struct day_check *)a)->id, ((const struct day_check *)b)->id);
}

/* The per-check part a later day compares with (statuses and drift; the
 * groups are read only by recon diff, from the JSON itself). */
static void read_checks(struct day *day, json_t *checks, struct arena *a)
{
	size_t i, n = json_array_size(checks);

	day->checks = arena_alloc(a, (n ? n : 1) * sizeof(*day->checks));
	for (i = 0; i < n; i++) {
		json_t *c = json_array_get(checks, i);
		struct day_check *dc = &day->checks[day->nchecks];
		const char *id = jstr(c, "id"), *st = jstr(c, "status");
		long since;

		if (!id || !st)
			continue;
		dc->id = arena_strdup(a, id);
		dc->status = arena_strdup(a, st);
		if (!jint(c, "drift", &dc->drift))
			dc->drift = 0;
		/* an integer (a whole value) or a real */
		if (findings_failing_status(st) && jstr(c, "failing_since") &&
		    strlen(jstr(c, "failing_since")) == 10 &&
		    date_parse(jstr(c, "failing_since"), &since) == 0)
			dc->failing_since = arena_strdup(a, jstr(c, "failing_since"));
		if (json_is_number(json_object_get(c, "value"))) {
			dc->has_value = true;
			dc->value = json_number_value(json_object_get(c, "value"));
		}
		day->nchecks++;
	}
	qsort(day->checks, day->nchecks, sizeof(*day->checks), day_check_cmp);
}

/* The checks of history_read_report on a parsed root; NULL (root freed)
 * with *why when it is not a readable report of date. */
static json_t *validated(json_t *root, const char *name, const char *date, struct arena *a,
			 const char **why)
{
	json_t *gate, *summary;
	const char *schema, *status, *d, *problem = NULL;
	long long v;

	schema = jstr(root, "schema");
	d = jstr(root, "date");
	gate = json_object_get(root, "gate");
	summary = json_object_get(root, "summary");
	status = json_is_object(gate) ? jstr(gate, "status") : NULL;
	if (!json_is_object(root))
		problem = "not a JSON object";
	else if (!schema || strcmp(schema, "recon-report/1") != 0)
		problem = "schema is not recon-report/1";
	else if (!d || strcmp(d, date) != 0)
		problem = "its date does not match its file name";
	else if (!status || (strcmp(status, "pass") != 0 && strcmp(status, "fail") != 0))
		problem = "gate.status is neither pass nor fail";
	else if (!json_is_object(summary) || !jint(summary, "drift", &v))
		problem = "summary.drift is missing";
	else if (!jint(gate, "streak", &v))
		problem = "gate.streak is missing";
	if (problem) {
		*why = arena_printf(a, "%s: %s", name, problem);
		json_decref(root);
		return NULL;
	}
	return root;
}

json_t *history_read_report(const char *path, const char *name, const char *date,
			    struct arena *a, const char **why)
{
	json_error_t err;
	json_t *root;
	struct stat st;

	/* jansson would report a directory as a parse error */
	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
		*why = arena_printf(a, "%s: is a directory", name);
		return NULL;
	}
	root = json_load_file(path, 0, &err);
	if (!root) {
		if (err.line < 1)	/* it could not be opened: err.text says why */
			*why = arena_printf(a, "%s: %s", name, err.text);
		else
			*why = arena_printf(a, "%s:%d: %s", name, err.line, err.text);
		return NULL;
	}
	return validated(root, name, date, a, why);
}

/* Where a scan over JSON text stands: in a string or not (after a
 * backslash in one), and how many objects and arrays are open.  The two
 * scans below (a report's head, its followed findings) read only this. */
struct json_scan {
	bool in_str;		/* inside a string */
	bool esc;		/* inside a string, after a backslash */
	int depth;		/* objects and arrays open */
};

#define JSON_SCAN_INIT { false, false, 0 }

/* Advance s over c.  True when c is a '"' outside a string: the caller
 * looks at what follows, then sets s->in_str (the quote opens a string). */
static bool json_scan_quote(struct json_scan *s, char c)
{
	if (s->in_str) {
		if (s->esc)
			s->esc = false;
		else if (c == '\\')
			s->esc = true;
		else if (c == '"')
			s->in_str = false;
		return false;
	}
	if (c == '"')
		return true;
	if (c == '{' || c == '[')
		s->depth++;
	else if (c == '}' || c == ']')
		s->depth--;
	return false;
}

/* The head of a report: its top-level keys before "checks", parsed from
 * the file's first HEAD_BYTES, or NULL when the file does not have that
 * shape (recon writes "checks" after the gate and the summary, so an old
 * day's streak, status and drift are read without parsing its checks and
 * their followed findings).  The caller then reads the whole file. */
#define HEAD_BYTES 65536

static json_t *read_head(const char *path)
{
	char *buf = xmalloc(HEAD_BYTES + 2);
	size_t n = 0, want = 4096, i = 0, cut = 0;
	struct json_scan js = JSON_SCAN_INIT;
	json_t *root = NULL;
	ssize_t r;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		goto out;
more:	/* most heads fit the first 4 KiB */
	while (n < want && (r = read(fd, buf + n, want - n)) > 0)
		n += (size_t)r;
	for (; i < n && !cut; i++) {
		if (!json_scan_quote(&js, buf[i]))
			continue;
		if (js.depth == 1 && n - i > 8 && memcmp(buf + i, "\"checks\"", 8) == 0) {
			size_t j = i;

			while (j > 0 && strchr(" \t\r\n", buf[j - 1]))
				j--;
			if (j > 0 && buf[j - 1] == ',')
				cut = j - 1;
			break;
		}
		js.in_str = true;
	}
	if (!cut && n == want && want < HEAD_BYTES) {
		want = HEAD_BYTES;
		goto more;
	}
	close(fd);
	if (!cut)
		goto out;
	buf[cut] = '}';
	root = json_loadb(buf, cut + 1, 0, NULL);
out:
	free(buf);
	return root;
}

/* Blank the elements of every "tracked" array in buf[0..n) (spaces, the
 * newlines kept, so a parse error names the same line): history never
 * reads the followed findings (findings.c reads the previous report's
 * itself), and a report can hold thousands of them. */
static void blank_tracked(char *buf, size_t n)
{
	struct json_scan js = JSON_SCAN_INIT, arr;
	size_t i, j;

	for (i = 0; i < n; i++) {
		if (!json_scan_quote(&js, buf[i]))
			continue;
		js.in_str = true;	/* a string opens here, a key or not */
		if (n - i < 10 || memcmp(buf + i, "\"tracked\"", 9) != 0)
			continue;
		for (j = i + 9; j < n && strchr(" \t\r\n", buf[j]); j++)
			;
		if (j == n || buf[j] != ':')
			continue;
		for (j++; j < n && strchr(" \t\r\n", buf[j]); j++)
			;
		if (j == n || buf[j] != '[')
			continue;
		/* blank to the matching ']', which stays */
		arr = (struct json_scan){ .depth = 1 };	/* inside the '[' */
		for (i = j + 1; i < n; i++) {
			if (json_scan_quote(&arr, buf[i]))
				arr.in_str = true;
			else if (arr.depth == 0)
				break;
			if (buf[i] != '\n')
				buf[i] = ' ';
		}
		js.in_str = false;
	}
}

/* The whole report with its followed findings left out, or NULL when it
 * cannot be read so (history_read_report then says why). */
static json_t *read_whole(const char *path)
{
	struct stat st;
	char *buf;
	size_t n = 0;
	ssize_t r;
	json_t *root = NULL;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size > (off_t)1 << 30) {
		close(fd);
		return NULL;
	}
	buf = xmalloc((size_t)st.st_size + 1);
	while (n < (size_t)st.st_size && (r = read(fd, buf + n, (size_t)st.st_size - n)) > 0)
		n += (size_t)r;
	close(fd);
	blank_tracked(buf, n);
	root = json_loadb(buf, n, 0, NULL);
	free(buf);
	return root;
}

/* Fill day from the file; on a problem, mark it unreadable with why. */
static void read_day(struct day *day, const char *path, const char *name, bool head_only,
		     struct arena *a)
{
	json_t *root = NULL, *gate;
	const char *why = NULL;
	long long v;

	if (head_only && (root = read_head(path)) != NULL)
		root = validated(root, name, day->date, a, &why);
	if (root)
		day->head_only = true;
	else if ((root = read_whole(path)) != NULL)
		root = validated(root, name, day->date, a, &day->error);
	else
		root = history_read_report(path, name, day->date, a, &day->error);
	if (!root) {
		day->status = DAY_UNREADABLE;
		day->drift = -1;
		return;
	}
	gate = json_object_get(root, "gate");
	jint(json_object_get(root, "summary"), "drift", &day->drift);
	jint(gate, "streak", &day->streak);
	day->status = strcmp(jstr(gate, "status"), "pass") == 0 ? DAY_PASS : DAY_FAIL;
	day->met = json_is_true(json_object_get(gate, "met"));
	day->baseline = json_is_true(json_object_get(root, "baseline"));
	day->title = arena_strdup(a, jstr(root, "title"));
	day->config_sha256 = arena_strdup(a, jstr(root, "config_sha256"));
	if (jint(gate, "required", &v) && v < 0)
		day->met = false;
	read_checks(day, json_object_get(root, "checks"), a);
	json_decref(root);
}

static int day_cmp(const void *a, const void *b)
{
	const struct day *x = a, *y = b;

	return x->day < y->day ? -1 : x->day > y->day;
}

int history_load(struct history *h, const char *dir, struct diag *d)
{
	return history_load_recent(h, dir, LONG_MIN, 0, d);
}

int history_load_recent(struct history *h, const char *dir, long today, long keep_days,
			struct diag *d)
{
	DIR *dp;
	struct dirent *e;
	size_t cap = 0, i;
	long keep_from = today == LONG_MIN ? LONG_MIN : today - keep_days;
	const struct day *prev;

	memset(h, 0, sizeof(*h));
	arena_init(&h->arena);
	h->dir = arena_strdup(&h->arena, dir);
	dp = opendir(dir);
	if (!dp) {
		if (errno == ENOENT)
			return 0;
		return diag_error(d, "%s: cannot read the report directory: %s", dir,
				  strerror(errno));
	}
	while ((e = readdir(dp)) != NULL) {
		char date[11];
		long day;
		struct day *dy;

		if (strlen(e->d_name) != 15 || strcmp(e->d_name + 10, ".json") != 0)
			continue;
		memcpy(date, e->d_name, 10);
		date[10] = '\0';
		if (date_parse(date, &day) < 0)
			continue;
		if (h->ndays == cap) {
			cap = cap ? 2 * cap : 64;
			h->days = xrealloc(h->days, cap * sizeof(*h->days));
		}
		dy = &h->days[h->ndays++];
		memset(dy, 0, sizeof(*dy));
		dy->day = day;
		memcpy(dy->date, date, 11);
	}
	closedir(dp);
	if (h->ndays > 1)	/* qsort(NULL, 0, ...) is undefined */
		qsort(h->days, h->ndays, sizeof(*h->days), day_cmp);
	for (i = 0; i < h->ndays; i++) {
		struct day *dy = &h->days[i];
		const char *name = arena_printf(&h->arena, "%s.json", dy->date);

		read_day(dy, path_join(&h->arena, dir, name), name, dy->day < keep_from,
			 &h->arena);
	}
	/* the latest readable report before today is compared check by check */
	prev = today == LONG_MIN ? NULL : history_previous_readable(h, today);
	if (prev && prev->head_only) {
		struct day *dy = (struct day *)prev;
		const char *name = arena_printf(&h->arena, "%s.json", dy->date);

		dy->head_only = false;
		read_day(dy, path_join(&h->arena, dir, name), name, false, &h->arena);
	}
	return 0;
}

void history_release(struct history *h)
{
	free(h->days);
	arena_release(&h->arena);
	memset(h, 0, sizeof(*h));
}

/* Index of the first day of h not before day (h->ndays when none). */
static size_t lower_bound(const struct history *h, long day)
{
	size_t lo = 0, hi = h->ndays;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (h->days[mid].day < day)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

const struct day *history_find(const struct history *h, long day)
{
	size_t i = lower_bound(h, day);

	return i < h->ndays && h->days[i].day == day ? &h->days[i] : NULL;
}

const struct day *history_previous(const struct history *h, long day)
{
	size_t i = lower_bound(h, day);

	return i > 0 ? &h->days[i - 1] : NULL;
}

const struct day *history_previous_readable(const struct history *h, long day)
{
	size_t i = lower_bound(h, day);

	while (i > 0 && h->days[i - 1].status == DAY_UNREADABLE)
		i--;
	return i > 0 ? &h->days[i - 1] : NULL;
}

/* Contract in history.h. */
const struct day_check *history_day_check(const struct day *day, const char *id)
{
	size_t i;

	for (i = 0; i < day->nchecks; i++)
		if (day->checks[i].id && strcmp(day->checks[i].id, id) == 0)
			return &day->checks[i];
	return NULL;
}

/* g's configuration change against the latest readable report before
 * today (see history.h).  Both lists are sorted by id, like their sources. */
static void config_change(const struct history *h, struct run *run, long today, struct gate *g)
{
	const struct day *prev = history_previous_readable(h, today);
	const char *sha = run->cfg->sha256[0] ? run->cfg->sha256 : NULL;
	size_t i = 0, j = 0;

	if (!prev)
		return;
	/* a copy: history_put may move the days before the gate is printed */
	g->config_since = arena_strdup(&run->arena, prev->date);
	if (!sha || !prev->config_sha256 || strcmp(sha, prev->config_sha256) == 0)
		return;
	g->config_changed = true;
	if (run->partial)	/* a --check run lists only some checks */
		return;
	g->checks_added = arena_alloc(&run->arena, (run->nchecks + 1) * sizeof(char *));
	g->checks_removed = arena_alloc(&run->arena, (prev->nchecks + 1) * sizeof(char *));
	while (i < run->nchecks || j < prev->nchecks) {
		const char *a = i < run->nchecks ? run->checks[i].cfg->id : NULL;
		const char *b = j < prev->nchecks ? prev->checks[j].id : NULL;
		int c = !a ? 1 : !b ? -1 : strcmp(a, b);

		if (c < 0)
			g->checks_added[g->nchecks_added++] = a;
		else if (c > 0)
			g->checks_removed[g->nchecks_removed++] = b;
		i += c <= 0;
		j += c >= 0;
	}
}

void history_gate(const struct history *h, struct run *run, struct gate *g)
{
	const struct config *cfg = run->cfg;
	long today, day;
	size_t i, n = (size_t)cfg->window_days;

	memset(g, 0, sizeof(*g));
	date_parse(run->date, &today);
	g->required = cfg->gate_days;
	/* the streak: today, then each earlier calendar day while it passed */
	if (run->gate == STATUS_PASS) {
		g->streak = 1;
		for (day = today - 1;; day--) {
			const struct day *dy = history_find(h, day);

			if (!dy || dy->status != DAY_PASS) {
				if (dy && dy->status == DAY_UNREADABLE) {
					g->unreadable = arena_alloc(&run->arena,
								    sizeof(*g->unreadable));
					g->unreadable[0] = dy->error;
					g->nunreadable = 1;
				}
				break;
			}
			g->streak++;
		}
	}
	g->met = g->streak >= g->required;
	for (i = 0; i < run->nchecks; i++)
		if (run->checks[i].cfg->paging && (run->checks[i].status == STATUS_PASS ||
						    run->checks[i].status == STATUS_FAIL ||
						    run->checks[i].status == STATUS_WARN))
			g->asserted = true;
	config_change(h, run, today, g);
	findings_compute(h, run);
	g->nfollowup = recovery_followup(h, run, &g->followup);
	g->window = arena_alloc(&run->arena, (n ? n : 1) * sizeof(*g->window));
	g->nwindow = n;
	for (i = 0; i < n; i++) {
		struct window_day *w = &g->window[i];
		const struct day *dy;

		day = today - (long)(n - 1 - i);
		date_format(day, w->date);
		if (day == today) {
			w->status = run->gate == STATUS_PASS ? DAY_PASS : DAY_FAIL;
			w->drift = run->drift;
			continue;
		}
		dy = history_find(h, day);
		w->status = dy ? dy->status : DAY_MISSING;
		w->drift = dy && dy->status != DAY_UNREADABLE ? dy->drift : -1;
	}
}

void history_put(struct history *h, const struct run *run, const struct gate *g)
{
	struct day *dy;
	long today;
	size_t i;

	date_parse(run->date, &today);
	dy = (struct day *)history_find(h, today);
	if (!dy) {
		h->days = xrealloc(h->days, (h->ndays + 1) * sizeof(*h->days));
		dy = &h->days[h->ndays++];
	}
	memset(dy, 0, sizeof(*dy));
	dy->day = today;
	memcpy(dy->date, run->date, 11);
	dy->status = run->gate == STATUS_PASS ? DAY_PASS : DAY_FAIL;
	dy->baseline = run->baseline;
	dy->drift = run->drift;
	dy->streak = g->streak;
	dy->met = g->met;
	dy->title = arena_strdup(&h->arena, run->cfg->title);
	dy->checks = arena_alloc(&h->arena, (run->nchecks + 1) * sizeof(*dy->checks));
	for (i = 0; i < run->nchecks; i++) {
		struct day_check *dc = &dy->checks[dy->nchecks++];

		dc->id = arena_strdup(&h->arena, run->checks[i].cfg->id);
		dc->status = status_name(run->checks[i].status);
		dc->drift = run->checks[i].drift;
		dc->has_value = run->checks[i].has_value;
		dc->value = run->checks[i].value;
		if (run->checks[i].life && run->checks[i].life->failing_since)
			dc->failing_since = arena_strdup(&h->arena,
							 run->checks[i].life->failing_since);
	}
	dy->config_sha256 = run->cfg->sha256[0] ? arena_strdup(&h->arena, run->cfg->sha256)
						: NULL;
	qsort(h->days, h->ndays, sizeof(*h->days), day_cmp);
}
