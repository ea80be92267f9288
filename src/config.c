/*
 * config.c: the INI configuration, from bytes to a checked struct config.
 *
 * Loading runs in three passes.  (1) The file is read whole (its SHA-256 is
 * taken from the same bytes) and parsed into a tree in a temporary arena,
 * values expanded (config_read.c).  (2) Each section is converted into the
 * public structs, with values validated and defaults applied; every string
 * is copied into cfg->arena (config_build.c).  (3) Here, the arrays are
 * sorted and references between sections, cycles of parents and the gate's
 * need for an enabled paging check are checked.  The first error stops
 * everything with "FILE:LINE: ...".  The lookups answer from the sorted
 * arrays.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config_int.h"

/* ---- references -------------------------------------------------------- */

static int cmp_adjudication(const void *x, const void *y)
{
	const struct adjudication_cfg *a = x, *b = y;
	int c = strcmp(a->shadow, b->shadow);

	return c ? c : strcmp(a->date, b->date);
}

static int cmp_waiver(const void *x, const void *y)
{
	return strcmp(((const struct waiver_cfg *)x)->name, ((const struct waiver_cfg *)y)->name);
}

static int cmp_source(const void *x, const void *y)
{
	return strcmp(((const struct source_cfg *)x)->name, ((const struct source_cfg *)y)->name);
}

static int cmp_target(const void *x, const void *y)
{
	return strcmp(((const struct target_cfg *)x)->name, ((const struct target_cfg *)y)->name);
}

static int cmp_check(const void *x, const void *y)
{
	return strcmp(((const struct check_cfg *)x)->id, ((const struct check_cfg *)y)->id);
}

/* A reference from key kv of s to an undefined section of kind what, with
 * the defined one of that kind it was probably meant to be. */
static int undefined(struct build *b, const struct section *s, const struct kv *kv,
		     const char *what, const char *name)
{
	const struct config *cfg = b->cfg;
	size_t n = 0, i;
	const char **names;

	if (strcmp(what, "source") == 0) {
		names = arena_alloc(b->tmp, (cfg->nsources + 1) * sizeof(*names));
		for (i = 0; i < cfg->nsources; i++)
			names[n++] = cfg->sources[i].name;
	} else if (strcmp(what, "target") == 0) {
		names = arena_alloc(b->tmp, (cfg->ntargets + 1) * sizeof(*names));
		for (i = 0; i < cfg->ntargets; i++)
			names[n++] = cfg->targets[i].name;
	} else {
		names = arena_alloc(b->tmp, (cfg->nchecks + 1) * sizeof(*names));
		for (i = 0; i < cfg->nchecks; i++)
			names[n++] = cfg->checks[i].id;
	}
	return diag_error(b->d, "%s:%d: '%s' in %s refers to undefined [%s \"%s\"]%s", b->path,
			  kv->line, kv->name, config_section_label(b->tmp, s), what, name,
			  config_did_you_mean(b->tmp, name, (const char *const *)names, n));
}

static int check_refs(struct build *b, const struct section *sections)
{
	const struct config *cfg = b->cfg;
	const struct section *s;
	const struct kv *kv;

	for (s = sections; s; s = s->next) {
		if (s->kind == SEC_ADJUDICATION) {
			const struct check_cfg *cc = config_check(cfg, s->name);

			if (!cc || !cc->shadow_of)
				return diag_error(b->d, "%s:%d: %s: '%s' is not a shadow check (a "
						  "check with shadow_of)", b->path, s->line,
						  config_section_label(b->tmp, s), s->name);
		}
		for (kv = s->keys; kv; kv = kv->next) {
			const char *n = kv->name;

			if (s->kind == SEC_TENANTS && strcmp(n, "source") == 0 &&
			    !config_source(cfg, cfg->tenants_source))
				return undefined(b, s, kv, "source", cfg->tenants_source);
			if (s->kind == SEC_WAIVER && strcmp(n, "check") == 0 &&
			    !config_check(cfg, kv->value))
				return undefined(b, s, kv, "check", kv->value);
			if (s->kind == SEC_TARGET && strcmp(n, "parent") == 0 &&
			    !config_target(cfg, kv->value))
				return undefined(b, s, kv, "target", kv->value);
			if (s->kind == SEC_CHECK) {
				const struct check_cfg *cc = config_check(cfg, s->name);
				const char *src = strcmp(n, "source") == 0 ? cc->source
						  : strcmp(n, "left") == 0 ? cc->left_source
						  : strcmp(n, "right") == 0 ? cc->right_source : NULL;

				if (src && !config_source(cfg, src))
					return undefined(b, s, kv, "source", src);
				if (strcmp(n, "target") == 0 && !config_target(cfg, cc->target))
					return undefined(b, s, kv, "target", cc->target);
				if (strcmp(n, "shadow_of") == 0) {
					if (strcmp(cc->shadow_of, cc->id) == 0)
						return diag_error(b->d, "%s:%d: check '%s' cannot "
								  "be a shadow of itself", b->path,
								  kv->line, cc->id);
					if (!config_check(cfg, cc->shadow_of))
						return undefined(b, s, kv, "check", cc->shadow_of);
				}
			}
		}
	}
	return 0;
}

/* Where the walk up a target's parents has been (xcalloc: all NEW). */
enum visit { VISIT_NEW, VISIT_ON_PATH, VISIT_DONE };

/* Find a cycle of parents among the (sorted) targets.  lines[i] is the
 * line of targets[i]'s parent key. */
static int check_cycles(struct build *b, const int *lines)
{
	const struct config *cfg = b->cfg;
	size_t n = cfg->ntargets, i, j, len, start, best;
	unsigned char *state = xcalloc(n ? n : 1, 1);	/* enum visit per target */
	size_t *path = xcalloc(n ? n : 1, sizeof(*path));
	int ret = 0;

	for (i = 0; i < n && ret == 0; i++) {
		size_t cur = i;
		bool cyc = false;

		len = 0;
		for (;;) {
			const struct target_cfg *pt;

			if (state[cur] == VISIT_DONE)
				break;
			if (state[cur] == VISIT_ON_PATH) {
				cyc = true;
				break;
			}
			state[cur] = VISIT_ON_PATH;
			path[len++] = cur;
			if (!cfg->targets[cur].parent)
				break;
			pt = config_target(cfg, cfg->targets[cur].parent);
			cur = (size_t)(pt - cfg->targets);
		}
		if (cyc) {
			struct strbuf sb;

			for (start = 0; path[start] != cur; start++)
				;
			best = start;	/* indices follow name order: smallest index */
			for (j = start; j < len; j++)
				if (path[j] < path[best])
					best = j;
			sb_init(&sb);
			for (j = 0; j <= len - start; j++) {
				size_t at = start + (best - start + j) % (len - start);

				sb_addf(&sb, "%s%s", j ? " -> " : "", cfg->targets[path[at]].name);
			}
			ret = diag_error(b->d, "%s:%d: cycle of parents: %s", b->path,
					 lines[path[best]], sb.buf);
			sb_release(&sb);
		}
		for (j = 0; j < len; j++)
			state[path[j]] = VISIT_DONE;
	}
	free(state);
	free(path);
	return ret;
}

/* ---- loading ----------------------------------------------------------- */

/* Read path whole into sb. */
static int read_file(const char *path, struct strbuf *sb, struct diag *d)
{
	FILE *f = fopen(path, "rb");
	char buf[65536];
	size_t n;
	int ret = 0;

	if (!f)
		return diag_error(d, "%s: cannot open: %s", path, strerror(errno));
	sb->max = CONFIG_MAX_BYTES;
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0) {
		if (sb_add(sb, buf, n) < 0) {
			ret = diag_error(d, "%s: larger than %zu bytes", path, CONFIG_MAX_BYTES);
			break;
		}
	}
	if (ret == 0 && ferror(f))
		ret = diag_error(d, "%s: cannot read: %s", path, strerror(errno));
	fclose(f);
	return ret;
}

/* The directory part of path: "." when none, "/" for "/x.ini". */
static const char *dir_of(struct arena *a, const char *path)
{
	const char *slash = strrchr(path, '/');

	if (!slash)
		return arena_strdup(a, ".");
	if (slash == path)
		return arena_strdup(a, "/");
	return arena_strndup(a, path, (size_t)(slash - path));
}

/* See config.h.  cfg is overwritten; on success the caller owns it and
 * frees it with config_release; on error it is released already. */
int config_load(struct config *cfg, const char *path, const char *date, struct diag *d)
{
	struct arena tmp;
	struct strbuf file;
	struct config_tree tree;
	struct build b;
	struct sha256_ctx *sha;
	const struct section *s;
	size_t i;
	int *parent_lines = NULL;
	int ret = -1;

	memset(cfg, 0, sizeof(*cfg));
	arena_init(&cfg->arena);
	arena_init(&tmp);
	sb_init(&file);
	if (read_file(path, &file, d) < 0)
		goto out;
	sha = sha256_new();
	sha256_update(sha, file.buf, file.len);
	sha256_final_hex(sha, cfg->sha256);

	cfg->path = arena_strdup(&cfg->arena, path);
	cfg->dir = dir_of(&cfg->arena, path);
	cfg->title = arena_strdup(&cfg->arena, "recon report");
	cfg->output_dir = config_resolve(cfg, "reports");
	cfg->gate_days = 7;
	cfg->window_days = 7;
	cfg->samples = 20;
	cfg->soak_days = 28;
	cfg->max_skip_rate = 0.05;
	cfg->track = 1000;

	/* pass 1: lines -> parse tree, values expanded */
	if (config_read(&tree, file.buf, file.len, path, date, &tmp, d) < 0)
		goto out;

	/* pass 2: sections -> structs */
	b.cfg = cfg;
	b.path = path;
	b.tmp = &tmp;
	b.d = d;
	if (config_build(&b, &tree) < 0)
		goto out;

	/* pass 3: sort, then references and cycles */
	qsort(cfg->sources, cfg->nsources, sizeof(*cfg->sources), cmp_source);
	qsort(cfg->targets, cfg->ntargets, sizeof(*cfg->targets), cmp_target);
	qsort(cfg->checks, cfg->nchecks, sizeof(*cfg->checks), cmp_check);
	qsort(cfg->waivers, cfg->nwaivers, sizeof(*cfg->waivers), cmp_waiver);
	qsort(cfg->adjudications, cfg->nadjudications, sizeof(*cfg->adjudications),
	      cmp_adjudication);
	if (check_refs(&b, tree.sections) < 0)
		goto out;
	parent_lines = xcalloc(cfg->ntargets ? cfg->ntargets : 1, sizeof(*parent_lines));
	for (s = tree.sections; s; s = s->next)
		if (s->kind == SEC_TARGET) {
			const struct target_cfg *t = config_target(cfg, s->name);

			parent_lines[t - cfg->targets] = config_key_line(s, "parent");
		}
	if (check_cycles(&b, parent_lines) < 0)
		goto out;
	for (i = 0; i < cfg->nchecks; i++)
		if (cfg->checks[i].enabled && cfg->checks[i].paging)
			break;
	if (i == cfg->nchecks) {
		/* no key to point at: the end of the file, where one would go */
		diag_error(d, "%s:%d: no enabled paging check: a gate with nothing to assert "
			   "cannot be met", path, tree.lines > 0 ? tree.lines : 1);
		goto out;
	}
	ret = 0;
out:
	free(parent_lines);
	arena_release(&tmp);
	sb_release(&file);
	if (ret < 0)
		config_release(cfg);
	return ret;
}

/* Free everything config_load allocated; cfg is left empty (releasing
 * twice is harmless). */
void config_release(struct config *cfg)
{
	arena_release(&cfg->arena);
	memset(cfg, 0, sizeof(*cfg));
	arena_init(&cfg->arena);
}

/* ---- lookups ----------------------------------------------------------- */

/* The source named name, or NULL (binary search: sources[] is sorted). */
const struct source_cfg *config_source(const struct config *cfg, const char *name)
{
	struct source_cfg key;

	if (!name || !cfg->nsources)
		return NULL;
	key.name = name;
	return bsearch(&key, cfg->sources, cfg->nsources, sizeof(key), cmp_source);
}

/* The check with that id, or NULL. */
const struct check_cfg *config_check(const struct config *cfg, const char *id)
{
	struct check_cfg key;

	if (!id || !cfg->nchecks)
		return NULL;
	key.id = id;
	return bsearch(&key, cfg->checks, cfg->nchecks, sizeof(key), cmp_check);
}

/* The target named name, or NULL. */
const struct target_cfg *config_target(const struct config *cfg, const char *name)
{
	struct target_cfg key;

	if (!name || !cfg->ntargets)
		return NULL;
	key.name = name;
	return bsearch(&key, cfg->targets, cfg->ntargets, sizeof(key), cmp_target);
}

/* "rows", "value" or "compare" (static strings). */
const char *check_kind_name(enum check_kind k)
{
	switch (k) {
	case KIND_ROWS:
		return "rows";
	case KIND_VALUE:
		return "value";
	case KIND_COMPARE:
		return "compare";
	}
	return "rows";
}

/* NULL for RECOVERY_NONE, else "recheck" or "reprocess". */
const char *recovery_name(enum recovery r)
{
	switch (r) {
	case RECOVERY_RECHECK:
		return "recheck";
	case RECOVERY_REPROCESS:
		return "reprocess";
	case RECOVERY_NONE:
		break;
	}
	return NULL;
}
