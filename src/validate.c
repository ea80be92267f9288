/*
 * validate.c: every problem a run would meet before it reads a row (see
 * validate.h).  The SQL is prepared through the same calls a run makes
 * (sweep_prepare_check), so a bind parameter or a missing table reads the
 * same here as in the day's report.
 */
#include "validate.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "findings.h"
#include "hint.h"
#include "source.h"
#include "sweep.h"

struct opened {
	const struct source_cfg *cfg;
	struct source *src;
};

static struct source *find(struct opened *os, size_t n, const char *name)
{
	size_t i;

	for (i = 0; name && i < n; i++)
		if (strcmp(os[i].cfg->name, name) == 0)
			return os[i].src;
	return NULL;
}

static bool has_column(const struct source_columns *cols, const char *name)
{
	size_t i;

	for (i = 0; i < cols->n; i++)
		if (strcmp(cols->names[i], name) == 0)
			return true;
	return false;
}

/* One problem line: "check ID: WHAT: no KIND column 'NAME'" and a hint. */
static void no_column(struct strbuf *out, const char *id, const char *what, const char *kind,
		      const char *name, const struct source_columns *cols)
{
	const char *pick = closest_name(name, (const char *const *)cols->names, cols->n);

	sb_addf(out, "check %s: %s%sno %s column '%s'", id, what ? what : "",
		what ? ": " : "", kind, name);
	if (pick)
		sb_addf(out, " (did you mean '%s'?)", pick);
	sb_putc(out, '\n');
}

/* A compare check's sides: each must prepare, and hold every key, compared
 * and group column.  Returns the problems found. */
static size_t check_compare(const struct check_cfg *cc, struct source *srcs[2],
			    struct strbuf *out)
{
	const char *tables[2] = { cc->left_table, cc->right_table };
	const char *queries[2] = { cc->left_query, cc->right_query };
	const char *names[2] = { cc->left_source, cc->right_source };
	const char *labels[2] = { "left", "right" };
	size_t problems = 0, i;
	int s;

	for (s = 0; s < 2; s++) {
		struct source_columns cols = { NULL, 0 };
		struct diag d = { "" };
		struct strbuf sql, what;
		int ret;

		sb_init(&sql);
		sb_init(&what);
		if (tables[s]) {
			sb_puts(&sql, "SELECT * FROM ");
			sb_add_sql_ident(&sql, tables[s]);
			sb_addf(&what, "%s side %s:%s", labels[s], names[s], tables[s]);
		} else {
			sb_puts(&sql, queries[s] ? queries[s] : "");
			sb_addf(&what, "%s_query", labels[s]);
		}
		ret = source_prepare(srcs[s], sql.buf, what.buf, &cols, &d);
		if (ret < 0) {
			sb_addf(out, "check %s: %s: %s\n", cc->id, what.buf, d.msg);
			problems++;
		}
		for (i = 0; ret == 0 && i < cc->nkey; i++) {
			/* config.h: "left:right" gives each side its own name */
			const char *k = s == 0 || !cc->right_key ? cc->key[i] : cc->right_key[i];

			if (!has_column(&cols, k)) {
				no_column(out, cc->id, what.buf, "key", k, &cols);
				problems++;
			}
		}
		for (i = 0; ret == 0 && i < cc->ncolumns; i++) {
			const char *c = s == 0 || !cc->right_columns ? cc->columns[i]
								     : cc->right_columns[i];

			if (!has_column(&cols, c)) {
				no_column(out, cc->id, what.buf, "compared", c, &cols);
				problems++;
			}
		}
		if (ret == 0 && cc->group && !has_column(&cols, cc->group)) {
			no_column(out, cc->id, what.buf, "group", cc->group, &cols);
			problems++;
		}
		source_columns_release(&cols);
		sb_release(&sql);
		sb_release(&what);
	}
	return problems;
}

/* One check's problems; the first SQL that fails stops it, as in a run. */
static size_t check_one(const struct check_cfg *cc, struct opened *os, size_t nos,
			struct strbuf *out)
{
	bool compare = cc->kind == KIND_COMPARE;
	struct source *srcs[2] = { find(os, nos, compare ? cc->left_source : cc->source),
				   find(os, nos, compare ? cc->right_source : NULL) };
	struct source_columns cols = { NULL, 0 };
	struct diag d = { "" };
	size_t problems = 0, i;
	int s;

	/* an unusable source is a problem of every check that reads it */
	for (s = 0; s < 2; s++) {
		if (!srcs[s] || !source_error(srcs[s]) || (s == 1 && srcs[1] == srcs[0]))
			continue;
		sb_addf(out, "check %s: %s\n", cc->id, source_error(srcs[s]));
		problems++;
	}
	if (problems)
		return problems;
	if (sweep_prepare_check(cc, srcs[0], srcs[1], compare ? NULL : &cols, &d) < 0) {
		sb_addf(out, "check %s: %s\n", cc->id, d.msg);
		source_columns_release(&cols);
		return 1;
	}
	if (compare)
		return check_compare(cc, srcs, out);
	if (cc->group && !has_column(&cols, cc->group)) {
		no_column(out, cc->id, "query", "group", cc->group, &cols);
		problems++;
	}
	for (i = 0; i < cc->nkey; i++) {
		if (!has_column(&cols, cc->key[i])) {
			no_column(out, cc->id, "query", "key", cc->key[i], &cols);
			problems++;
		}
	}
	source_columns_release(&cols);
	return problems;
}

/* Contract in validate.h. */
size_t validate_sources(const struct config *cfg, struct strbuf *out)
{
	struct source_opts so = { false };
	struct opened *os = xcalloc(cfg->nsources + 1, sizeof(*os));
	size_t nos = 0, problems = 0, i, j;

	for (i = 0; i < cfg->nsources; i++) {
		const struct source_cfg *sc = &cfg->sources[i];
		bool used = cfg->has_tenants && strcmp(cfg->tenants_source, sc->name) == 0;

		for (j = 0; j < cfg->nchecks && !used; j++) {
			const struct check_cfg *cc = &cfg->checks[j];

			used = cc->enabled &&
			       ((cc->source && strcmp(cc->source, sc->name) == 0) ||
				(cc->left_source && strcmp(cc->left_source, sc->name) == 0) ||
				(cc->right_source && strcmp(cc->right_source, sc->name) == 0));
		}
		if (!used)
			continue;
		os[nos].cfg = sc;
		os[nos].src = source_open(sc, &so);
		nos++;
	}
	if (cfg->has_tenants) {
		struct diag d = { "" };

		if (source_prepare(find(os, nos, cfg->tenants_source), cfg->tenants_query, "query",
				   NULL, &d) < 0) {
			sb_addf(out, "[tenants]: %s\n", d.msg);
			problems++;
		}
	}
	for (i = 0; i < cfg->nchecks; i++)
		if (cfg->checks[i].enabled)
			problems += check_one(&cfg->checks[i], os, nos, out);
	for (i = 0; i < nos; i++)
		source_close(os[i].src);
	free(os);
	return problems;
}

/* Each line of lines on stderr, after prefix. */
static void print_lines(const char *prefix, const struct strbuf *lines)
{
	const char *line, *nl;

	for (line = lines->buf; (nl = strchr(line, '\n')); line = nl + 1)
		fprintf(stderr, "%s%.*s\n", prefix, (int)(nl - line), line);
}

/* Contract in validate.h. */
int validate_command(const char *path, const char *today, bool sources)
{
	struct config cfg;
	struct diag d = { "" };
	struct strbuf lines = STRBUF_INIT;
	size_t n;

	if (config_load(&cfg, path, today, &d) < 0) {
		fprintf(stderr, "recon: %s\n", d.msg);
		return -1;
	}
	if (sources && (n = validate_sources(&cfg, &lines)) > 0) {
		print_lines("recon: ", &lines);
		fprintf(stderr, "recon: %s: %zu problem%s with the sources\n", path, n,
			n == 1 ? "" : "s");
		sb_release(&lines);
		config_release(&cfg);
		return -1;
	}
	sb_release(&lines);
	printf("%s: ok (%zu sources, %zu checks%s)\n", path, cfg.nsources, cfg.nchecks,
	       sources ? ", every query prepared" : "");
	waivers_warn(&cfg, today, &lines);
	print_lines("recon: warning: ", &lines);
	sb_release(&lines);
	config_release(&cfg);
	return 0;
}
