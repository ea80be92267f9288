/*
 * config_int.h: the parse tree of a configuration file, private to the
 * configuration's three files.
 *
 * config_read.c reads the lines into the tree (sections, keys with their
 * lines, values expanded and joined); config_build.c turns each section
 * into the public structs of config.h; config.c loads the file, checks
 * references between sections and answers lookups.  The tree and every
 * string it holds live in a temporary arena the caller of config_read
 * owns and releases once the struct config is built.
 */
#ifndef RECON_CONFIG_INT_H
#define RECON_CONFIG_INT_H

#include <string.h>

#include "config.h"

#define CONFIG_MAX_BYTES ((size_t)16 << 20)	/* a configuration is small */
#define COLUMN_TOLERANCE "tolerance."	/* tolerance.COLUMN, compare checks */

enum sec_kind { SEC_REPORT, SEC_TENANTS, SEC_SOURCE, SEC_TARGET, SEC_CHECK, SEC_WAIVER,
		SEC_ADJUDICATION };

struct piece {
	struct piece *next;
	const char *text;	/* one physical line's part of the value */
	int line;		/* that line's number */
};

struct kv {
	struct kv *next;
	const char *name;
	int line;		/* line of "name = ..." */
	struct piece *first, *last;
	const char *value;	/* pieces joined with "\n", after parsing */
};

struct section {
	struct section *next;
	enum sec_kind kind;
	const char *name;	/* NULL for [report] and [tenants] */
	const char *name2;	/* [adjudication "SHADOW" "DATE"]: the date */
	int line;		/* line of the header */
	struct kv *keys, *last;	/* in file order */
};

/* A configuration file, parsed. */
struct config_tree {
	struct section *sections;	/* in file order */
	int lines;		/* the file's number of lines */
};

/* Parse the whole file buf[0..len) (modified in place: each line end
 * becomes a NUL, and the tree points into buf) into t, every allocation in
 * tmp: unknown sections and keys, duplicates and bad syntax are errors,
 * and each value is expanded (${date} is date, ${NAME} the environment
 * variable).  0, or -1 with d set to "PATH:LINE: ...". */
int config_read(struct config_tree *t, char *buf, size_t len, const char *path,
		const char *date, struct arena *tmp, struct diag *d);

/* What config_build needs, and config.c's checks of references. */
struct build {
	struct config *cfg;	/* being built */
	const char *path;	/* the file as given, for messages */
	struct arena *tmp;	/* scratch (messages), released after loading */
	struct diag *d;
};

/* Convert every section of t into b->cfg's structs (its defaults already
 * set): values checked, strings copied into b->cfg->arena.  Arrays are
 * left in file order; references are not checked yet.  0, or -1 with b->d
 * set. */
int config_build(struct build *b, const struct config_tree *t);

/* rel resolved against the configuration file's directory, in cfg's arena
 * (absolute paths stay as they are; path_join would give "//x" for the
 * root). */
const char *config_resolve(struct config *cfg, const char *rel);

/* The section as written in messages: [report], [check "x"] (in a). */
const char *config_section_label(struct arena *a, const struct section *s);

/* " (did you mean 'NAME'?)" when one of names[0..n) is close to word, else
 * "" (in a). */
const char *config_did_you_mean(struct arena *a, const char *word, const char *const *names,
				size_t n);

static inline bool config_is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

/* Shorten *n so that s[0..*n) has no trailing whitespace. */
static inline void config_rstrip_n(const char *s, size_t *n)
{
	while (*n > 0 && config_is_space(s[*n - 1]))
		(*n)--;
}

/* The key name of s, or NULL. */
static inline struct kv *config_find_kv(const struct section *s, const char *name)
{
	struct kv *kv;

	for (kv = s->keys; kv; kv = kv->next)
		if (strcmp(kv->name, name) == 0)
			return kv;
	return NULL;
}

/* Line of key name in s, 0 when absent. */
static inline int config_key_line(const struct section *s, const char *name)
{
	const struct kv *kv = config_find_kv(s, name);

	return kv ? kv->line : 0;
}

#endif
