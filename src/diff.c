/*
 * diff.c: `recon diff` (see diff.h).  Both reports are read with jansson
 * into the same shape history.c gives a day, then walked side by side in id
 * order (checks) and group order (groups), both sorted in every report.
 */
#include "diff.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "history.h"
#include "render.h"

static json_t *load(const char *dir, const char *date, struct diag *d)
{
	char path[4096];
	struct arena a;
	const char *why = NULL;
	json_t *root;
	long day;

	if (date_parse(date, &day) < 0)
		return diag_error(d, "%s: not a date (YYYY-MM-DD)", date), NULL;
	snprintf(path, sizeof(path), "%s/%s.json", dir, date);
	arena_init(&a);
	/* history's rule: a report the streak would not count is not compared */
	root = history_read_report(path, path, date, &a, &why);
	if (!root && access(path, F_OK) < 0 && errno == ENOENT)
		diag_error(d, "%s: no report for %s", path, date);
	else if (!root)
		diag_error(d, "%s", why);
	else if (!json_is_array(json_object_get(root, "checks"))) {
		json_decref(root);
		root = NULL;
		diag_error(d, "%s: checks is missing", path);
	}
	arena_release(&a);
	return root;
}

static const char *str(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s ? s : "";
}

static long long num(json_t *o, const char *key)
{
	return json_integer_value(json_object_get(o, key));
}

static void delta(struct strbuf *out, long long a, long long b)
{
	if (b > a)
		sb_addf(out, "+%lld", b - a);
	else
		sb_addf(out, "%lld", b - a);
}

/* Checks and groups are sorted in every report; walk both lists at once. */
static json_t *at(json_t *arr, size_t i)
{
	return i < json_array_size(arr) ? json_array_get(arr, i) : NULL;
}

static int cmp_key(json_t *a, json_t *b, const char *key)
{
	if (!a || !b)
		return a ? -1 : b ? 1 : 0;
	return strcmp(str(a, key), str(b, key));
}

/* Append id, escaped, to a comma-separated list. */
static void id_list(struct strbuf *list, const char *id)
{
	sb_puts(list, list->len ? ", " : "");
	md_text(list, id);
}

/* A value check's value in both reports: a line "- ID: value 0.5 → 8"
 * when it changed (also when one report has none).  Returns 1 then. */
static int diff_value(struct strbuf *rows, const char *id, json_t *va, json_t *vb)
{
	char a[32] = "—", b[32] = "—";

	if (!json_is_number(va) && !json_is_number(vb))
		return 0;
	if (json_is_number(va))
		format_double(json_number_value(va), a);
	if (json_is_number(vb))
		format_double(json_number_value(vb), b);
	if (json_is_number(va) && json_is_number(vb) &&
	    json_number_value(va) == json_number_value(vb))
		return 0;
	sb_puts(rows, "- ");
	md_text(rows, id);
	sb_addf(rows, ": value %s → %s\n", a, b);
	return 1;
}

/* A group's value: NULL for SQL NULL ("group": null), a group apart from
 * the text 'NULL'. */
static const char *group_of(json_t *g)
{
	return json_string_value(json_object_get(g, "group"));
}

/* Order of two group rows as every report sorts them: NULL first. */
static int cmp_group(json_t *a, json_t *b)
{
	const char *x, *y;

	if (!a || !b)
		return a ? -1 : b ? 1 : 0;
	x = group_of(a);
	y = group_of(b);
	if (!x || !y)
		return x ? 1 : y ? -1 : 0;
	return strcmp(x, y);
}

/* A group in a table: SQL NULL as an italic NULL, as the report shows it. */
static void group_cell(struct strbuf *out, const char *g)
{
	if (g)
		md_text(out, g);
	else
		sb_puts(out, "*NULL*");
}

/* Group rows of one check; returns how many differ. */
static int diff_groups(struct strbuf *rows, const char *id, json_t *ga, json_t *gb,
		       struct strbuf *newly, struct strbuf *recovered)
{
	size_t i = 0, j = 0;
	int n = 0;

	while (at(ga, i) || at(gb, j)) {
		json_t *a = at(ga, i), *b = at(gb, j);
		int c = cmp_group(a, b);
		long long da = c <= 0 ? num(a, "drift") : 0;
		long long db = c >= 0 ? num(b, "drift") : 0;
		const char *g = c <= 0 ? group_of(a) : group_of(b);

		if (c <= 0)
			i++;
		if (c >= 0)
			j++;
		if (da == db)
			continue;
		n++;
		sb_puts(rows, "| ");
		md_text(rows, id);
		sb_puts(rows, " | ");
		group_cell(rows, g);
		sb_addf(rows, " | %lld | %lld | ", da, db);
		delta(rows, da, db);
		sb_puts(rows, " |\n");
		if (da == 0 && db > 0) {
			sb_puts(newly, newly->len ? ", " : "");
			group_cell(newly, g);
			sb_puts(newly, " (");
			md_text(newly, id);
			sb_puts(newly, ")");
		} else if (da > 0 && db == 0) {
			sb_puts(recovered, recovered->len ? ", " : "");
			group_cell(recovered, g);
			sb_puts(recovered, " (");
			md_text(recovered, id);
			sb_puts(recovered, ")");
		}
	}
	return n;
}

#define DIFF_FINDINGS_SHOWN 20	/* keys listed per check and direction */

static int cmp_cstr(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The keys of a check's followed findings (`tracked`), sorted; *n of them
 * (malloc'd array of borrowed strings). */
static const char **tracked_keys(json_t *check, size_t *n)
{
	json_t *t = json_object_get(check, "tracked");
	const char **v = xcalloc(json_array_size(t) + 1, sizeof(*v));
	size_t i;

	*n = 0;
	for (i = 0; i < json_array_size(t); i++) {
		const char *k = json_string_value(json_object_get(json_array_get(t, i), "key"));

		if (k)
			v[(*n)++] = k;
	}
	qsort(v, *n, sizeof(*v), cmp_cstr);
	return v;
}

static void key_list(struct strbuf *rows, const char *sep, const char *what, const char **keys,
		     size_t n)
{
	size_t i;

	sb_addf(rows, "%s%zu %s: ", sep, n, what);
	for (i = 0; i < n && i < DIFF_FINDINGS_SHOWN; i++) {
		sb_puts(rows, i ? "; " : "");
		md_text(rows, keys[i]);
	}
	if (n > DIFF_FINDINGS_SHOWN)
		sb_addf(rows, " and %zu more", n - DIFF_FINDINGS_SHOWN);
}

/* Findings of one check that appeared and disappeared between the two
 * reports (their followed findings): a line "- ID: 1 appeared: KEY; 2
 * disappeared: KEY; KEY" when any did (keys separated by "; ", since a
 * key of several columns holds ", ").  Returns 1 then. */
static int diff_findings(struct strbuf *rows, const char *id, json_t *a, json_t *b)
{
	size_t na, nb, i = 0, j = 0, nup = 0, ndown = 0;
	const char **ka = tracked_keys(a, &na), **kb = tracked_keys(b, &nb);
	const char **up = xcalloc(nb + 1, sizeof(*up)), **down = xcalloc(na + 1, sizeof(*down));

	while (i < na || j < nb) {
		int c = i == na ? 1 : j == nb ? -1 : strcmp(ka[i], kb[j]);

		if (c < 0)
			down[ndown++] = ka[i];
		else if (c > 0)
			up[nup++] = kb[j];
		i += c <= 0;
		j += c >= 0;
	}
	if (nup || ndown) {
		sb_puts(rows, "- ");
		md_text(rows, id);
		if (nup)
			key_list(rows, ": ", "appeared", up, nup);
		if (ndown)
			key_list(rows, nup ? "; " : ": ", "disappeared", down, ndown);
		if (json_is_false(json_object_get(a, "tracked_complete")) ||
		    json_is_false(json_object_get(b, "tracked_complete")))
			sb_puts(rows, " (of the findings each report followed)");
		sb_putc(rows, '\n');
	}
	free(ka);
	free(kb);
	free(up);
	free(down);
	return nup || ndown;
}

int diff_reports(const char *dir, const char *date_a, const char *date_b,
		 struct strbuf *out, struct diag *d)
{
	json_t *ra = NULL, *rb = NULL, *ca, *cb, *gate_a, *gate_b;
	struct strbuf checks, groups, newly, recovered, values, added, removed, findings;
	const char *sha_a, *sha_b;
	size_t i = 0, j = 0;
	int changes = 0, ret = -1;

	sb_init(&values);
	sb_init(&findings);
	sb_init(&added);
	sb_init(&removed);
	sb_init(&checks);
	sb_init(&groups);
	sb_init(&newly);
	sb_init(&recovered);
	if (!(ra = load(dir, date_a, d)) || !(rb = load(dir, date_b, d)))
		goto out;
	gate_a = json_object_get(ra, "gate");
	gate_b = json_object_get(rb, "gate");
	ca = json_object_get(ra, "checks");
	cb = json_object_get(rb, "checks");
	sb_addf(out, "# recon diff %s → %s\n\n", date_a, date_b);
	if (strcmp(str(gate_a, "status"), str(gate_b, "status")) != 0)
		changes++;
	sb_addf(out, "- Gate status: %s → %s%s\n", str(gate_a, "status"), str(gate_b, "status"),
		strcmp(str(gate_a, "status"), str(gate_b, "status")) ? " (changed)" : "");
	sb_addf(out, "- Streak: %lld → %lld (gate met: %s → %s)\n", num(gate_a, "streak"),
		num(gate_b, "streak"), json_is_true(json_object_get(gate_a, "met")) ? "yes" : "no",
		json_is_true(json_object_get(gate_b, "met")) ? "yes" : "no");
	sb_addf(out, "- Total drift: %lld → %lld\n",
		num(json_object_get(ra, "summary"), "drift"),
		num(json_object_get(rb, "summary"), "drift"));
	while (at(ca, i) || at(cb, j)) {
		json_t *a = at(ca, i), *b = at(cb, j);
		int c = cmp_key(a, b, "id");


		if (c < 0) {
			sb_puts(&checks, "| ");
			md_text(&checks, str(a, "id"));
			sb_addf(&checks, " | removed | %s → — | %lld → — | |\n", str(a, "status"),
				num(a, "drift"));
			changes++;
			id_list(&removed, str(a, "id"));
			/* its tenants stop drifting with it */
			diff_groups(&groups, str(a, "id"), json_object_get(a, "groups"), NULL, &newly,
				    &recovered);
			i++;
		} else if (c > 0) {
			sb_puts(&checks, "| ");
			md_text(&checks, str(b, "id"));
			sb_addf(&checks, " | new | — → %s | — → %lld | |\n", str(b, "status"),
				num(b, "drift"));
			changes++;
			id_list(&added, str(b, "id"));
			/* a new check's drifting tenants are newly drifting */
			diff_groups(&groups, str(b, "id"), NULL, json_object_get(b, "groups"), &newly,
				    &recovered);
			j++;
		} else {
			const char *sa = str(a, "status"), *sb = str(b, "status");
			long long da = num(a, "drift"), db = num(b, "drift");

			if (strcmp(sa, sb) != 0 || da != db) {
				sb_puts(&checks, "| ");
				md_text(&checks, str(a, "id"));
				sb_addf(&checks, " | %s | %s → %s | %lld → %lld | ",
					strcmp(sa, sb) ? "status changed" : "drift changed", sa, sb,
					da, db);
				delta(&checks, da, db);
				sb_puts(&checks, " |\n");
				changes++;
			}
			changes += diff_value(&values, str(a, "id"), json_object_get(a, "value"),
					      json_object_get(b, "value"));
			changes += diff_groups(&groups, str(a, "id"), json_object_get(a, "groups"),
					       json_object_get(b, "groups"), &newly, &recovered);
			/* listed, but not a difference of their own: the same drift
			 * over other rows shows in the findings, and a difference is a
			 * change of status, drift, value or a group's drift */
			diff_findings(&findings, str(a, "id"), a, b);
			i++;
			j++;
		}
	}
	/* a configuration whose sha256 changed: recorded by both reports */
	sha_a = json_string_value(json_object_get(ra, "config_sha256"));
	sha_b = json_string_value(json_object_get(rb, "config_sha256"));
	if (sha_a && sha_b && strcmp(sha_a, sha_b) != 0) {
		/* said, not counted: what the change did shows as checks added
		 * or removed and as changed results */
		sb_puts(out, "- Configuration: changed");
		if (added.len || removed.len) {
			sb_puts(out, " (");
			if (added.len)
				sb_addf(out, "added %s%s", added.buf, removed.len ? "; " : "");
			if (removed.len)
				sb_addf(out, "removed %s", removed.buf);
			sb_putc(out, ')');
		}
		sb_putc(out, '\n');
	}
	if (checks.len) {
		sb_puts(out, "\n## Checks\n\n| check | change | status | drift | delta |\n"
			     "|---|---|---|---:|---:|\n");
		sb_add(out, checks.buf, checks.len);
	}
	if (values.len) {
		sb_puts(out, "\n## Values\n\n");
		sb_add(out, values.buf, values.len);
	}
	if (groups.len) {
		sb_puts(out, "\n## Tenants\n\n| check | tenant | drift before | drift after | delta |\n"
			     "|---|---|---:|---:|---:|\n");
		sb_add(out, groups.buf, groups.len);
	}
	if (findings.len) {
		sb_puts(out, "\n## Findings\n\n");
		sb_add(out, findings.buf, findings.len);
	}
	if (newly.len)
		sb_addf(out, "\nNewly drifting: %s\n", newly.buf);
	if (recovered.len)
		sb_addf(out, "\nRecovered: %s\n", recovered.buf);
	if (!changes)
		sb_puts(out, "\nNo differences.\n");
	ret = changes ? 1 : 0;
out:
	json_decref(ra);
	json_decref(rb);
	sb_release(&checks);
	sb_release(&groups);
	sb_release(&newly);
	sb_release(&recovered);
	sb_release(&values);
	sb_release(&findings);
	sb_release(&added);
	sb_release(&removed);
	return ret;
}

/* Whether name is "YYYY-MM-DD.json" with a real date. */
static bool report_name(const char *name, char date[11])
{
	long day;

	if (strlen(name) != 15 || strcmp(name + 10, ".json") != 0)
		return false;
	memcpy(date, name, 10);
	date[10] = '\0';
	return date_parse(date, &day) == 0;
}

int diff_newest(const char *dir, char older[11], char newer[11], struct diag *d)
{
	DIR *dp = opendir(dir);
	struct dirent *de;
	char date[11];
	int n = 0;

	if (!dp)
		return diag_error(d, "%s: %s", dir, strerror(errno));
	older[0] = newer[0] = '\0';
	while ((de = readdir(dp)) != NULL) {
		if (!report_name(de->d_name, date))
			continue;
		n++;
		if (strcmp(date, newer) > 0) {
			memcpy(older, newer, 11);
			memcpy(newer, date, 11);
		} else if (strcmp(date, older) > 0) {
			memcpy(older, date, 11);
		}
	}
	closedir(dp);
	if (n < 2)
		return diag_error(d, "%s: %s report%s, two are needed to compare", dir,
				  n ? "only one" : "no", n ? "" : "s");
	return 0;
}

/* Contract in diff.h. */
int diff_command(const char *config, const char *output, const char *today,
		 const char *date_a, const char *date_b)
{
	struct config cfg;
	struct diag d = { "" };
	struct strbuf out = STRBUF_INIT;
	char older[11], newer[11];
	const char *dir;
	int status = -1;

	if (config_load(&cfg, config, today, &d) < 0) {
		fprintf(stderr, "recon: %s\n", d.msg);
		return -1;
	}
	dir = output ? output : cfg.output_dir;
	if (!date_a && diff_newest(dir, older, newer, &d) < 0)
		goto fail;
	status = date_a ? diff_reports(dir, date_a, date_b, &out, &d)
			: diff_reports(dir, older, newer, &out, &d);
	if (status < 0)
		goto fail;
	fwrite(out.buf, 1, out.len, stdout);
	goto out;
fail:
	fprintf(stderr, "recon: %s\n", d.msg);
	status = -1;
out:
	sb_release(&out);
	config_release(&cfg);
	return status;
}
