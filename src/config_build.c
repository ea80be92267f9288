/*
 * config_build.c: the parse tree's sections -> the structs of config.h
 * (see config_int.h).
 *
 * Each section's values are checked (numbers, booleans, names from a list,
 * column lists, sizes, dates, thresholds) and the keys that fit together
 * are checked against each other; defaults are applied and every string
 * is copied into the configuration's arena.  References between sections
 * are config.c's, once every section is built.
 */
#include "config_int.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define DAYS_MAX 100000			/* about 270 years */
#define TRACK_MAX 10000000		/* findings followed per check */
#define TIMEOUT_MAX (INT_MAX / 1000)	/* seconds, still fits in ms */

/* ---- values ------------------------------------------------------------ */

static int bad_value(struct build *b, const struct kv *kv, const char *expected)
{
	return diag_error(b->d, "%s:%d: bad value for '%s': '%s' (expected %s)", b->path,
			  kv->line, kv->name, kv->value, expected);
}

/* A decimal number as the configuration takes it (NUMBER_CONFIG), finite.
 * Scanned by hand so that neither the locale nor strtod's extras (hex,
 * inf, nan, leading spaces) are accepted. */
static bool parse_number(const char *s, double *out)
{
	char *end;
	double v;

	if (!number_scan(s, strlen(s), NUMBER_CONFIG, NULL))
		return false;
	v = strtod(s, &end);
	if (*end || !isfinite(v))
		return false;
	*out = v;
	return true;
}

static int get_int(struct build *b, const struct kv *kv, long lo, long hi, int *out)
{
	const char *s = kv->value;
	char *end;
	long v;

	if (!((*s >= '0' && *s <= '9') || (*s == '-' && s[1] >= '0' && s[1] <= '9')))
		goto bad;
	errno = 0;
	v = strtol(s, &end, 10);
	if (*end || errno || v < lo || v > hi)
		goto bad;
	*out = (int)v;
	return 0;
bad:
	return bad_value(b, kv, arena_printf(b->tmp, "an integer from %ld to %ld", lo, hi));
}

static int get_double(struct build *b, const struct kv *kv, double lo, double hi,
		      const char *expected, double *out)
{
	double v;

	if (!parse_number(kv->value, &v) || v < lo || v > hi)
		return bad_value(b, kv, expected);
	*out = v;
	return 0;
}

static int get_bool(struct build *b, const struct kv *kv, bool *out)
{
	static const char *const yes[] = { "true", "yes", "on", "1" };
	static const char *const no[] = { "false", "no", "off", "0" };
	size_t i;

	for (i = 0; i < 4; i++) {
		if (strcasecmp(kv->value, yes[i]) == 0) {
			*out = true;
			return 0;
		}
		if (strcasecmp(kv->value, no[i]) == 0) {
			*out = false;
			return 0;
		}
	}
	return bad_value(b, kv, "true, false, yes, no, on, off, 1 or 0");
}

/* Index of value in names[] (NULL-terminated) or -1 after reporting. */
static int get_enum(struct build *b, const struct kv *kv, const char *const *names,
		    const char *expected)
{
	int i;

	for (i = 0; names[i]; i++)
		if (strcmp(kv->value, names[i]) == 0)
			return i;
	bad_value(b, kv, expected);
	return -1;
}

/* A comma-separated list of column names, each trimmed, none empty or
 * repeated. */
static int get_list(struct build *b, const struct kv *kv, const char ***out, size_t *n)
{
	const char *s = kv->value, *e;
	size_t count = 1, i = 0, j;
	const char **v;

	for (e = s; *e; e++)
		if (*e == ',')
			count++;
	v = arena_alloc(&b->cfg->arena, count * sizeof(*v));
	for (;;) {
		size_t len;

		while (config_is_space(*s))
			s++;
		e = strchr(s, ',');
		len = e ? (size_t)(e - s) : strlen(s);
		config_rstrip_n(s, &len);
		if (len == 0)
			return bad_value(b, kv, "comma-separated column names");
		v[i] = arena_strndup(&b->cfg->arena, s, len);
		for (j = 0; j < i; j++)
			if (strcmp(v[j], v[i]) == 0)
				return diag_error(b->d, "%s:%d: column '%s' listed twice in '%s'",
						  b->path, kv->line, v[i], kv->name);
		i++;
		if (!e)
			break;
		s = e + 1;
	}
	*out = v;
	*n = i;
	return 0;
}

static const char *str(struct build *b, const struct kv *kv)
{
	return arena_strdup(&b->cfg->arena, kv->value);
}

/* ---- sections ---------------------------------------------------------- */

/* Of the keys x and y of s, the one given later; NULL when neither. */
static const struct kv *later(const struct section *s, const char *x, const char *y)
{
	const struct kv *a = config_find_kv(s, x), *b = config_find_kv(s, y);

	if (!a || !b)
		return a ? a : b;
	return a->line > b->line ? a : b;
}

static int missing(struct build *b, const struct section *s, const char *key,
		   const char *why)
{
	return diag_error(b->d, "%s:%d: %s needs '%s'%s", b->path, s->line,
			  config_section_label(b->tmp, s), key, why ? why : "");
}

static int not_for(struct build *b, const struct kv *kv, const char *what)
{
	return diag_error(b->d, "%s:%d: key '%s' does not apply to %s", b->path, kv->line,
			  kv->name, what);
}

/* See config_int.h. */
const char *config_resolve(struct config *cfg, const char *rel)
{
	if (strcmp(cfg->dir, "/") == 0 && rel[0] != '/')
		return arena_printf(&cfg->arena, "/%s", rel);
	return path_join(&cfg->arena, cfg->dir, rel);
}

/* A size as DuckDB reads one: a number and an optional unit, "16GB",
 * "512 MiB", "2.5GB" (no unit: bytes).  Kept as written. */
static int get_size(struct build *b, const struct kv *kv, const char **out)
{
	static const char *const units[] = { "", "b", "kb", "mb", "gb", "tb", "kib", "mib",
					     "gib", "tib", NULL };
	const char *p = kv->value;
	size_t i;

	if (!isdigit((unsigned char)*p))
		goto bad;
	while (isdigit((unsigned char)*p))
		p++;
	if (*p == '.') {
		if (!isdigit((unsigned char)p[1]))
			goto bad;
		for (p++; isdigit((unsigned char)*p); p++)
			;
	}
	while (*p == ' ')
		p++;
	for (i = 0; units[i]; i++)
		if (strcasecmp(p, units[i]) == 0) {
			*out = str(b, kv);
			return 0;
		}
bad:
	return diag_error(b->d, "%s:%d: bad value for '%s': '%s' (expected a size such as 16GB or 512MiB)",
			  b->path, kv->line, kv->name, kv->value);
}

static int build_report(struct build *b, const struct section *s)
{
	struct config *cfg = b->cfg;
	const struct kv *kv;

	for (kv = s->keys; kv; kv = kv->next) {
		const char *k = kv->name;
		int r = 0;

		if (strcmp(k, "title") == 0)
			cfg->title = str(b, kv);
		else if (strcmp(k, "output_dir") == 0)
			cfg->output_dir = config_resolve(cfg, kv->value);
		else if (strcmp(k, "templates") == 0)
			cfg->templates = config_resolve(cfg, kv->value);
		else if (strcmp(k, "gate_days") == 0)
			r = get_int(b, kv, 1, DAYS_MAX, &cfg->gate_days);
		else if (strcmp(k, "window_days") == 0)
			r = get_int(b, kv, 1, DAYS_MAX, &cfg->window_days);
		else if (strcmp(k, "samples") == 0)
			r = get_int(b, kv, 0, DAYS_MAX, &cfg->samples);
		else if (strcmp(k, "soak_days") == 0)
			r = get_int(b, kv, 1, DAYS_MAX, &cfg->soak_days);
		else if (strcmp(k, "max_skip_rate") == 0)
			r = get_double(b, kv, 0, 1, "a number from 0 to 1", &cfg->max_skip_rate);
		else if (strcmp(k, "temp_dir") == 0)
			cfg->temp_dir = config_resolve(cfg, kv->value);
		else if (strcmp(k, "memory_limit") == 0)
			r = get_size(b, kv, &cfg->memory_limit);
		else if (strcmp(k, "track") == 0)
			r = get_int(b, kv, 0, TRACK_MAX, &cfg->track);
		if (r < 0)
			return -1;
	}
	return 0;
}

static int build_tenants(struct build *b, const struct section *s)
{
	struct config *cfg = b->cfg;
	const struct kv *kv;

	cfg->has_tenants = true;
	for (kv = s->keys; kv; kv = kv->next) {
		if (strcmp(kv->name, "source") == 0)
			cfg->tenants_source = str(b, kv);
		else if (strcmp(kv->name, "query") == 0)
			cfg->tenants_query = str(b, kv);
	}
	if (!cfg->tenants_source)
		return missing(b, s, "source", NULL);
	if (!cfg->tenants_query)
		return missing(b, s, "query", NULL);
	return 0;
}

static int build_source(struct build *b, const struct section *s, struct source_cfg *sc)
{
	static const char *const types[] = { "csv", "postgres", "sqlite", NULL };
	const struct kv *kv = config_find_kv(s, "type");
	const char *tname;
	int t;

	sc->name = arena_strdup(&b->cfg->arena, s->name);
	sc->line = s->line;
	if (!kv)
		return missing(b, s, "type", " (csv, postgres or sqlite)");
	if ((t = get_enum(b, kv, types, "csv, postgres or sqlite")) < 0)
		return -1;
	sc->type = t == 0 ? SOURCE_CSV : t == 1 ? SOURCE_POSTGRES : SOURCE_SQLITE;
	tname = types[t];
	for (kv = s->keys; kv; kv = kv->next) {
		const char *k = kv->name;

		if (strcmp(k, "path") == 0) {
			if (sc->type == SOURCE_POSTGRES)
				return not_for(b, kv, "a postgres source (use 'url')");
			sc->path = config_resolve(b->cfg, kv->value);
		} else if (strcmp(k, "url") == 0) {
			if (sc->type != SOURCE_POSTGRES)
				return not_for(b, kv, arena_printf(b->tmp, "a %s source (use 'path')",
								   tname));
			sc->url = str(b, kv);
			if (strncmp(sc->url, "env:", 4) == 0 &&
			    (!getenv(sc->url + 4) || !*getenv(sc->url + 4)))
				return diag_error(b->d, "%s:%d: environment variable %s is not set "
						  "(in 'url')", b->path, kv->line, sc->url + 4);
		} else if (strcmp(k, "statement_timeout") == 0) {
			if (sc->type != SOURCE_POSTGRES)
				return not_for(b, kv, arena_printf(b->tmp, "a %s source", tname));
			if (get_int(b, kv, 0, TIMEOUT_MAX, &sc->statement_timeout) < 0)
				return -1;
		}
	}
	if (sc->type == SOURCE_POSTGRES && !sc->url)
		return missing(b, s, "url", " (a postgres source)");
	if (sc->type != SOURCE_POSTGRES && !sc->path)
		return missing(b, s, "path", arena_printf(b->tmp, " (a %s source)", tname));
	return 0;
}

/* Split a compare side "SOURCE" or "SOURCE:TABLE". */
static int parse_side(struct build *b, const struct kv *kv, const char **src, const char **table)
{
	const char *v = kv->value, *colon = strchr(v, ':');
	size_t n = colon ? (size_t)(colon - v) : strlen(v), tn;
	const char *t;

	config_rstrip_n(v, &n);
	if (n == 0)
		return bad_value(b, kv, "SOURCE or SOURCE:TABLE");
	*src = arena_strndup(&b->cfg->arena, v, n);
	*table = NULL;
	if (colon) {
		for (t = colon + 1; config_is_space(*t); t++)
			;
		tn = strlen(t);
		config_rstrip_n(t, &tn);
		if (tn == 0)
			return bad_value(b, kv, "SOURCE or SOURCE:TABLE");
		*table = arena_strndup(&b->cfg->arena, t, tn);
	}
	return 0;
}

/* Keys that only some kinds of check take. */
static bool key_fits_kind(const char *k, enum check_kind kind)
{
	static const char *const rows_value[] = { "source", "query", NULL };
	static const char *const value_only[] = { "expect", "min", "max", NULL };
	static const char *const compare_only[] = { "left", "right", "left_query",
						    "right_query", "columns", "explain",
						    "strategy", "bisect_rows", NULL };
	const char *const *l;

	for (l = rows_value; *l; l++)
		if (strcmp(*l, k) == 0)
			return kind != KIND_COMPARE;
	for (l = value_only; *l; l++)
		if (strcmp(*l, k) == 0)
			return kind == KIND_VALUE;
	for (l = compare_only; *l; l++)
		if (strcmp(*l, k) == 0)
			return kind == KIND_COMPARE;
	if (strcmp(k, "tolerance") == 0)
		return kind != KIND_ROWS;
	if (strcmp(k, "scanned") == 0)
		return kind == KIND_ROWS;
	if (strncmp(k, COLUMN_TOLERANCE, strlen(COLUMN_TOLERANCE)) == 0)
		return kind == KIND_COMPARE;
	if (strcmp(k, "key") == 0)	/* a rows check's finding identity */
		return kind != KIND_VALUE;
	return true;
}

/* Split each "left:right" of names[0..n) in place into names (the left
 * side's) and *right (the right side's; the same string when unmapped). */
static int split_mapping(struct build *b, const struct kv *kv, const char **names, size_t n,
			 const char ***right)
{
	size_t i, j;

	*right = arena_alloc(&b->cfg->arena, (n ? n : 1) * sizeof(**right));
	for (i = 0; i < n; i++) {
		const char *colon = strchr(names[i], ':');
		size_t ll;

		(*right)[i] = names[i];
		if (!colon)
			continue;
		ll = (size_t)(colon - names[i]);
		while (ll && config_is_space(names[i][ll - 1]))
			ll--;
		(*right)[i] = colon + 1;
		while (config_is_space(*(*right)[i]))
			(*right)[i]++;
		if (ll == 0 || !*(*right)[i] || strchr((*right)[i], ':'))
			return bad_value(b, kv, "column names, each NAME or LEFT_NAME:RIGHT_NAME");
		names[i] = arena_strndup(&b->cfg->arena, names[i], ll);
	}
	for (i = 0; i < n; i++)
		for (j = 0; j < i; j++)
			if (strcmp(names[i], names[j]) == 0 || strcmp((*right)[i], (*right)[j]) == 0)
				return diag_error(b->d, "%s:%d: column '%s' listed twice in '%s'",
						  b->path, kv->line,
						  strcmp(names[i], names[j]) == 0 ? names[i]
										 : (*right)[i],
						  kv->name);
	return 0;
}

/* tolerance.COLUMN keys of a compare check: a number >= 0, or a
 * percentage from 0 to 100; COLUMN must be compared when columns are
 * listed. */
static int build_column_tolerances(struct build *b, const struct section *s,
				   struct check_cfg *cc)
{
	const size_t plen = strlen(COLUMN_TOLERANCE);
	const struct kv *kv;
	size_t n = 0, i;

	for (kv = s->keys; kv; kv = kv->next)
		n += strncmp(kv->name, COLUMN_TOLERANCE, plen) == 0;
	if (!n)
		return 0;
	cc->tolerances = arena_alloc(&b->cfg->arena, n * sizeof(*cc->tolerances));
	for (kv = s->keys; kv; kv = kv->next) {
		struct column_tolerance *t;
		const char *v = kv->value;
		size_t len = strlen(v);
		double x;
		char *num;

		if (strncmp(kv->name, COLUMN_TOLERANCE, plen) != 0)
			continue;
		t = &cc->tolerances[cc->ntolerances++];
		t->column = arena_strdup(&b->cfg->arena, kv->name + plen);
		t->line = kv->line;
		t->relative = len > 0 && v[len - 1] == '%';
		if (t->relative)
			len--;
		config_rstrip_n(v, &len);
		num = arena_strndup(&b->cfg->arena, v, len);
		t->text = num;
		if (!parse_number(num, &x) || x < 0 || (t->relative && x > 100))
			return bad_value(b, kv, t->relative ? "a percentage from 0 to 100"
							    : "a number >= 0, or a percentage (0.1%)");
		if (cc->columns) {
			for (i = 0; i < cc->ncolumns; i++)
				if (strcmp(cc->columns[i], t->column) == 0)
					break;
			if (i == cc->ncolumns)
				return diag_error(b->d, "%s:%d: '%s': '%s' is not among the compared "
						  "columns (%s)", b->path, kv->line, kv->name,
						  t->column, config_find_kv(s, "columns")->value);
		}
		for (i = 0; cc->key && i < cc->nkey; i++)
			if (strcmp(cc->key[i], t->column) == 0)
				return diag_error(b->d, "%s:%d: '%s': '%s' is a key column, which "
						  "matches exactly", b->path, kv->line, kv->name,
						  t->column);
	}
	return 0;
}

/* severity, warn_if, fail_if and scanned of a check, and how they fit. */
static int build_thresholds(struct build *b, const struct section *s, struct check_cfg *cc)
{
	static const char *const severities[] = { "fail", "warn", NULL };
	static const char *const names[] = { "warn_if", "fail_if" };
	struct threshold *ts[] = { &cc->warn_if, &cc->fail_if };
	const struct kv *kv;
	size_t i;
	int k;

	if ((kv = config_find_kv(s, "severity"))) {
		if ((k = get_enum(b, kv, severities, "warn or fail")) < 0)
			return -1;
		cc->severity = k == 1 ? SEVERITY_WARN : SEVERITY_FAIL;
	}
	if ((kv = config_find_kv(s, "scanned")))
		cc->scanned = str(b, kv);
	for (i = 0; i < 2; i++) {
		if (!(kv = config_find_kv(s, names[i])))
			continue;
		if (!threshold_parse(kv->value, ts[i]))
			return bad_value(b, kv, "'> N' (a whole number of rows) or '> P%' "
					 "(a percentage of the rows scanned, 0 to 100)");
		if (ts[i]->unit != THRESHOLD_PERCENT)
			continue;
		if (cc->kind == KIND_VALUE)
			return diag_error(b->d, "%s:%d: '%s = %s': a value check scans no rows, "
					  "so a percentage has no base: give '> N'",
					  b->path, kv->line, kv->name, kv->value);
		if (cc->kind == KIND_ROWS && !cc->scanned)
			return diag_error(b->d, "%s:%d: '%s = %s' is a share of the rows scanned: "
					  "give 'scanned' (SQL that counts them), or a count "
					  "'> N'", b->path, kv->line, kv->name, kv->value);
	}
	if (threshold_inverted(&cc->warn_if, &cc->fail_if)) {
		const struct kv *at = later(s, "warn_if", "fail_if");

		return diag_error(b->d, "%s:%d: warn_if (%s) is above fail_if (%s): a check "
				  "warns before it fails", b->path, at->line,
				  config_find_kv(s, "warn_if")->value, config_find_kv(s, "fail_if")->value);
	}
	return 0;
}

static void build_target(struct build *b, const struct section *s, struct target_cfg *t)
{
	const struct kv *kv = config_find_kv(s, "parent");

	t->name = arena_strdup(&b->cfg->arena, s->name);
	t->line = s->line;
	t->parent = kv ? arena_strdup(&b->cfg->arena, kv->value) : NULL;
}

static int build_check(struct build *b, const struct section *s, struct check_cfg *cc)
{
	static const char *const kinds[] = { "rows", "value", "compare", NULL };
	static const char *const recoveries[] = { "recheck", "reprocess", NULL };
	static const char *const strategies[] = { "rows", "bisect", "auto", NULL };
	struct arena *a = &b->cfg->arena;
	const struct kv *kv = config_find_kv(s, "kind");
	int k;

	cc->id = arena_strdup(a, s->name);
	cc->line = s->line;
	cc->kind = KIND_ROWS;
	cc->paging = true;
	cc->enabled = true;
	cc->ready_timeout = 60;
	cc->explain = true;
	cc->bisect_rows = 100;
	if (kv) {
		if ((k = get_enum(b, kv, kinds, "rows, value or compare")) < 0)
			return -1;
		cc->kind = k == 0 ? KIND_ROWS : k == 1 ? KIND_VALUE : KIND_COMPARE;
	}
	for (kv = s->keys; kv; kv = kv->next) {
		const char *n = kv->name;
		int r = 0;

		if (!key_fits_kind(n, cc->kind))
			return not_for(b, kv, arena_printf(b->tmp, "a %s check",
							   check_kind_name(cc->kind)));
		if (strcmp(n, "description") == 0)
			cc->description = str(b, kv);
		else if (strcmp(n, "source") == 0)
			cc->source = str(b, kv);
		else if (strcmp(n, "query") == 0)
			cc->query = str(b, kv);
		else if (strcmp(n, "group") == 0)
			cc->group = str(b, kv);
		else if (strcmp(n, "recovery") == 0) {
			if ((k = get_enum(b, kv, recoveries, "recheck or reprocess")) < 0)
				return -1;
			cc->recovery = k == 0 ? RECOVERY_RECHECK : RECOVERY_REPROCESS;
		} else if (strcmp(n, "target") == 0)
			cc->target = str(b, kv);
		else if (strcmp(n, "paging") == 0)
			r = get_bool(b, kv, &cc->paging);
		else if (strcmp(n, "enabled") == 0)
			r = get_bool(b, kv, &cc->enabled);
		else if (strcmp(n, "explain") == 0)
			r = get_bool(b, kv, &cc->explain);
		else if (strcmp(n, "precondition") == 0)
			cc->precondition = str(b, kv);
		else if (strcmp(n, "ready") == 0)
			cc->ready = str(b, kv);
		else if (strcmp(n, "ready_timeout") == 0)
			r = get_double(b, kv, 0, 1e9, "a number of seconds >= 0",
				       &cc->ready_timeout);
		else if (strcmp(n, "shadow_of") == 0)
			cc->shadow_of = str(b, kv);
		else if (strcmp(n, "expect") == 0)
			r = get_double(b, kv, -HUGE_VAL, HUGE_VAL, "a number", &cc->expect);
		else if (strcmp(n, "tolerance") == 0) {
			r = get_double(b, kv, 0, HUGE_VAL, "a number >= 0", &cc->tolerance);
			cc->tolerance_text = str(b, kv);
		}
		else if (strcmp(n, "min") == 0) {
			r = get_double(b, kv, -HUGE_VAL, HUGE_VAL, "a number", &cc->min);
			cc->has_min = true;
		} else if (strcmp(n, "max") == 0) {
			r = get_double(b, kv, -HUGE_VAL, HUGE_VAL, "a number", &cc->max);
			cc->has_max = true;
		} else if (strcmp(n, "left") == 0)
			r = parse_side(b, kv, &cc->left_source, &cc->left_table);
		else if (strcmp(n, "right") == 0)
			r = parse_side(b, kv, &cc->right_source, &cc->right_table);
		else if (strcmp(n, "left_query") == 0)
			cc->left_query = str(b, kv);
		else if (strcmp(n, "right_query") == 0)
			cc->right_query = str(b, kv);
		else if (strcmp(n, "key") == 0)
			r = get_list(b, kv, &cc->key, &cc->nkey);
		else if (strcmp(n, "columns") == 0)
			r = get_list(b, kv, &cc->columns, &cc->ncolumns);
		else if (strcmp(n, "strategy") == 0) {
			if ((k = get_enum(b, kv, strategies, "rows, bisect or auto")) < 0)
				return -1;
			cc->strategy = k == 0 ? STRATEGY_ROWS : k == 1 ? STRATEGY_BISECT
								     : STRATEGY_AUTO;
		} else if (strcmp(n, "bisect_rows") == 0)
			r = get_int(b, kv, 1, 1000000000, &cc->bisect_rows);
		if (r < 0)
			return -1;
	}
	if (build_thresholds(b, s, cc) < 0)
		return -1;
	if (cc->kind != KIND_COMPARE) {
		if (!cc->source)
			return missing(b, s, "source", NULL);
		if (!cc->query)
			return missing(b, s, "query", NULL);
	}
	if (cc->kind == KIND_VALUE) {
		const struct kv *bound = later(s, "min", "max");
		const struct kv *exact = later(s, "expect", "tolerance");

		if (cc->has_min && cc->has_max && cc->min > cc->max)
			return diag_error(b->d, "%s:%d: min (%s) is greater than max (%s)",
					  b->path, bound->line, config_find_kv(s, "min")->value,
					  config_find_kv(s, "max")->value);
		if (bound && exact) {
			/* report at the later key, naming the earlier one */
			const struct kv *at = bound->line > exact->line ? bound : exact;
			const struct kv *other = at == bound ? exact : bound;

			return diag_error(b->d, "%s:%d: '%s' cannot be combined with '%s': give "
					  "'expect' and 'tolerance', or 'min' and/or 'max'",
					  b->path, at->line, at->name, other->name);
		}
	}
	if (cc->kind == KIND_COMPARE) {
		if (!cc->left_source)
			return missing(b, s, "left", " (SOURCE:TABLE, or SOURCE with left_query)");
		if (!cc->right_source)
			return missing(b, s, "right", " (SOURCE:TABLE, or SOURCE with right_query)");
		if (!cc->key)
			return missing(b, s, "key", " (comma-separated key columns)");
		if (!cc->left_table && !cc->left_query)
			return missing(b, s, "left_query", " ('left' names a source, no table)");
		if (!cc->right_table && !cc->right_query)
			return missing(b, s, "right_query", " ('right' names a source, no table)");
		if (cc->left_table && cc->left_query)
			return diag_error(b->d, "%s:%d: 'left_query' cannot be used when 'left' "
					  "names a table ('%s'): give 'left = %s' alone",
					  b->path, config_key_line(s, "left_query"), config_find_kv(s, "left")->value,
					  cc->left_source);
		if (cc->right_table && cc->right_query)
			return diag_error(b->d, "%s:%d: 'right_query' cannot be used when 'right' "
					  "names a table ('%s'): give 'right = %s' alone",
					  b->path, config_key_line(s, "right_query"),
					  config_find_kv(s, "right")->value, cc->right_source);
		if (split_mapping(b, config_find_kv(s, "key"), cc->key, cc->nkey, &cc->right_key) < 0)
			return -1;
		if (cc->columns && split_mapping(b, config_find_kv(s, "columns"), cc->columns,
						 cc->ncolumns, &cc->right_columns) < 0)
			return -1;
		if (build_column_tolerances(b, s, cc) < 0)
			return -1;
	}
	return 0;
}

static int build_waiver(struct build *b, const struct section *s, struct waiver_cfg *w)
{
	const struct kv *kv;
	long day;

	w->name = arena_strdup(&b->cfg->arena, s->name);
	w->line = s->line;
	for (kv = s->keys; kv; kv = kv->next) {
		const char *n = kv->name;

		if (strcmp(n, "check") == 0)
			w->check = str(b, kv);
		else if (strcmp(n, "group") == 0)
			w->group = str(b, kv);
		else if (strcmp(n, "key") == 0)
			w->key = str(b, kv);
		else if (strcmp(n, "owner") == 0)
			w->owner = str(b, kv);
		else if (strcmp(n, "reason") == 0)
			w->reason = str(b, kv);
		else if (strcmp(n, "expires") == 0) {
			if (strlen(kv->value) != 10 || date_parse(kv->value, &day) < 0)
				return bad_value(b, kv, "a date (YYYY-MM-DD)");
			memcpy(w->expires, kv->value, 11);
		}
	}
	if (!w->check)
		return missing(b, s, "check", NULL);
	if (!w->owner)
		return missing(b, s, "owner", NULL);
	if (!w->expires[0])
		return missing(b, s, "expires", " (a date, YYYY-MM-DD)");
	if (!w->group && !w->key)
		return missing(b, s, "group", " or 'key' (the findings it waives)");
	return 0;
}

static int build_adjudication(struct build *b, const struct section *s,
			      struct adjudication_cfg *j)
{
	static const char *const verdicts[] = { "real-break", "check-bug", NULL };
	const struct kv *kv;
	long day;
	int k;

	j->shadow = arena_strdup(&b->cfg->arena, s->name);
	j->line = s->line;
	if (strlen(s->name2) != 10 || date_parse(s->name2, &day) < 0)
		return diag_error(b->d, "%s:%d: %s: '%s' is not a date (YYYY-MM-DD)", b->path,
				  s->line, config_section_label(b->tmp, s), s->name2);
	memcpy(j->date, s->name2, 11);
	for (kv = s->keys; kv; kv = kv->next) {
		if (strcmp(kv->name, "verdict") == 0) {
			if ((k = get_enum(b, kv, verdicts, "real-break or check-bug")) < 0)
				return -1;
			j->verdict = k == 0 ? ADJUDICATED_REAL_BREAK : ADJUDICATED_CHECK_BUG;
		} else if (strcmp(kv->name, "note") == 0) {
			j->note = str(b, kv);
		}
	}
	if (!j->verdict)
		return missing(b, s, "verdict", " (real-break or check-bug)");
	return 0;
}

/* See config_int.h. */
int config_build(struct build *b, const struct config_tree *tree)
{
	struct config *cfg = b->cfg;
	const struct section *s;
	const struct kv *kv;
	size_t ns = 0, nt = 0, nc = 0, nw = 0, na = 0;
	int r;

	for (s = tree->sections; s; s = s->next) {
		for (kv = s->keys; kv; kv = kv->next)
			if (!*kv->value)
				return diag_error(b->d, "%s:%d: no value for '%s'", b->path, kv->line,
						  kv->name);
		ns += s->kind == SEC_SOURCE;
		nt += s->kind == SEC_TARGET;
		nc += s->kind == SEC_CHECK;
		nw += s->kind == SEC_WAIVER;
		na += s->kind == SEC_ADJUDICATION;
	}
	cfg->adjudications = arena_alloc(&cfg->arena, (na ? na : 1) * sizeof(*cfg->adjudications));
	memset(cfg->adjudications, 0, (na ? na : 1) * sizeof(*cfg->adjudications));
	cfg->waivers = arena_alloc(&cfg->arena, (nw ? nw : 1) * sizeof(*cfg->waivers));
	memset(cfg->waivers, 0, (nw ? nw : 1) * sizeof(*cfg->waivers));
	cfg->sources = arena_alloc(&cfg->arena, (ns ? ns : 1) * sizeof(*cfg->sources));
	cfg->targets = arena_alloc(&cfg->arena, (nt ? nt : 1) * sizeof(*cfg->targets));
	cfg->checks = arena_alloc(&cfg->arena, (nc ? nc : 1) * sizeof(*cfg->checks));
	for (s = tree->sections; s; s = s->next) {
		switch (s->kind) {
		case SEC_REPORT:
			r = build_report(b, s);
			break;
		case SEC_TENANTS:
			r = build_tenants(b, s);
			break;
		case SEC_SOURCE:
			r = build_source(b, s, &cfg->sources[cfg->nsources++]);
			break;
		case SEC_TARGET:
			build_target(b, s, &cfg->targets[cfg->ntargets++]);
			r = 0;
			break;
		case SEC_CHECK:
			r = build_check(b, s, &cfg->checks[cfg->nchecks++]);
			break;
		case SEC_WAIVER:
			r = build_waiver(b, s, &cfg->waivers[cfg->nwaivers++]);
			break;
		case SEC_ADJUDICATION:
			r = build_adjudication(b, s, &cfg->adjudications[cfg->nadjudications++]);
			break;
		default:
			r = -1;
		}
		if (r < 0)
			return -1;
	}
	return 0;
}
