/*
 * config_read.c: a configuration file's lines -> its parse tree (see
 * config_int.h).
 *
 * The file, read whole, is split into lines of any length, in place.  Each
 * line is blank, a comment (';' or '#' first), a continuation (indented,
 * after a key of the same section), a section header ('[' first) or a key
 * line (name, then '=' or ':'); a ';' after whitespace starts an inline
 * comment anywhere.  Unknown sections and keys are rejected here, with
 * the name they were probably meant to be.  Each value piece is then
 * expanded (${date}, ${NAME}) and a key's pieces are joined with "\n".
 */
#include "config_int.h"

#include <stdlib.h>
#include <string.h>

#include "hint.h"

/* ---- the parse tree ---------------------------------------------------- */

static const char *const sec_names[] = { "report", "tenants", "source", "target", "check",
					 "waiver", "adjudication" };

/* Keys allowed in each kind of section, as recon.ini(5) lists them. */
static const char *const report_keys[] = { "title", "output_dir", "gate_days", "window_days",
					   "samples", "soak_days", "templates",
					   "max_skip_rate", "temp_dir", "memory_limit", "track",
					   NULL };
static const char *const tenants_keys[] = { "source", "query", NULL };
static const char *const source_keys[] = { "type", "path", "url", "statement_timeout", NULL };
static const char *const target_keys[] = { "parent", NULL };
static const char *const check_keys[] = { "kind", "description", "source", "query", "group",
					  "recovery", "target", "paging", "enabled",
					  "precondition", "ready", "ready_timeout", "shadow_of",
					  "expect", "tolerance", "min", "max", "left", "right",
					  "left_query", "right_query", "key", "columns",
					  "severity", "warn_if", "fail_if", "scanned", "explain",
					  "strategy", "bisect_rows", NULL };
static const char *const waiver_keys[] = { "check", "group", "key", "owner", "reason",
					   "expires", NULL };
static const char *const adjudication_keys[] = { "verdict", "note", NULL };
static const char *const *const sec_keys[] = { report_keys, tenants_keys, source_keys,
					       target_keys, check_keys, waiver_keys,
					       adjudication_keys };

struct parser {
	const char *path;	/* the file as given, for messages */
	const char *date;	/* the report's date, for ${date} */
	int line;		/* number of the line being read */
	struct kv *prev;	/* the key indented lines continue; NULL after a header */
	struct section *sections, *last, *cur;
	struct arena *tmp;	/* owns the parse tree */
	struct diag *d;
};

/* See config_int.h. */
const char *config_section_label(struct arena *a, const struct section *s)
{
	if (!s->name)
		return arena_printf(a, "[%s]", sec_names[s->kind]);
	if (s->name2)
		return arena_printf(a, "[%s \"%s\" \"%s\"]", sec_names[s->kind], s->name,
				    s->name2);
	return arena_printf(a, "[%s \"%s\"]", sec_names[s->kind], s->name);
}

/* See config_int.h. */
const char *config_did_you_mean(struct arena *a, const char *word, const char *const *names,
				size_t n)
{
	const char *hint = closest_name(word, names, n);

	return hint ? arena_printf(a, " (did you mean '%s'?)", hint) : "";
}

/* The first of chars in s, or a ';' after whitespace (an inline comment),
 * or the end of s. */
static char *find_chars_or_comment(char *s, const char *chars)
{
	bool was_space = false;

	while (*s && !(chars && strchr(chars, *s)) && !(was_space && *s == ';')) {
		was_space = config_is_space(*s);
		s++;
	}
	return s;
}

/* Cut trailing whitespace off s in place. */
static char *rstrip(char *s)
{
	size_t n = strlen(s);

	config_rstrip_n(s, &n);
	s[n] = '\0';
	return s;
}

static int parse_fail(struct parser *p, const char *msg, const char *arg)
{
	if (arg)
		return diag_error(p->d, "%s:%d: %s '%s'", p->path, p->line, msg, arg);
	return diag_error(p->d, "%s:%d: %s", p->path, p->line, msg);
}

/* The error for a header whose kind is not one recon knows: the header as
 * written, and the header it was probably meant to be. */
static int unknown_section(struct parser *p, const char *t, const char *close,
			   const char *kind, size_t klen, const char *name, size_t nlen)
{
	size_t n = (size_t)(close - t - 1);
	const char *word = arena_strndup(p->tmp, kind, klen), *hint, *fix = "";

	hint = closest_name(word, sec_names, sizeof(sec_names) / sizeof(sec_names[0]));
	if (hint && (strcmp(hint, "report") == 0 || strcmp(hint, "tenants") == 0))
		fix = arena_printf(p->tmp, " (did you mean [%s]?)", hint);
	else if (hint && name)
		fix = arena_printf(p->tmp, " (did you mean [%s \"%.*s\"]?)", hint, (int)nlen, name);
	else if (hint)
		fix = arena_printf(p->tmp, " (did you mean [%s \"NAME\"]?)", hint);
	config_rstrip_n(t + 1, &n);
	return diag_error(p->d, "%s:%d: unknown section '[%.*s]'%s", p->path, p->line, (int)n,
			  t + 1, fix);
}

/* Parse the header "[KIND]" or "[KIND "NAME"]" at t (t[0] == '[') and make it
 * the current section.  Returns 0 or -1. */
static int section_header(struct parser *p, char *t)
{
	const char *close = find_chars_or_comment(t + 1, "]");
	const char *s = t + 1, *e, *kind, *name = NULL, *name2 = NULL;
	size_t klen, nlen = 0, n2len = 0;
	struct section *sec, *o;
	int k = -1, i;

	if (*close != ']')
		return parse_fail(p, "section header without ']'", NULL);
	/* after ']': nothing but whitespace and an inline comment */
	for (e = close + 1; config_is_space(*e); e++)
		;
	if (*e && !(*e == ';' && e > close + 1))
		return parse_fail(p, "unexpected text after section header", NULL);
	while (s < close && config_is_space(*s))
		s++;
	kind = s;
	while (s < close && !config_is_space(*s) && *s != '"')
		s++;
	klen = (size_t)(s - kind);
	while (s < close && config_is_space(*s))
		s++;
	if (s < close && *s == '"') {
		name = ++s;
		while (s < close && *s != '"')
			s++;
		if (s == close)
			return parse_fail(p, "unterminated name in section header", NULL);
		nlen = (size_t)(s - name);
		for (s++; s < close && config_is_space(*s); s++)
			;
		if (s < close && *s == '"') {	/* [adjudication "SHADOW" "DATE"] */
			name2 = ++s;
			while (s < close && *s != '"')
				s++;
			if (s == close)
				return parse_fail(p, "unterminated name in section header", NULL);
			n2len = (size_t)(s - name2);
			for (s++; s < close && config_is_space(*s); s++)
				;
		}
	}
	for (i = 0; i < (int)(sizeof(sec_names) / sizeof(sec_names[0])); i++)
		if (strlen(sec_names[i]) == klen && memcmp(sec_names[i], kind, klen) == 0)
			k = i;
	if (s != close || k < 0)
		return unknown_section(p, t, close, kind, klen, name, nlen);
	if ((k == SEC_ADJUDICATION) != (name2 != NULL)) {
		if (k == SEC_ADJUDICATION)
			return diag_error(p->d, "%s:%d: section [adjudication] needs a shadow check "
					  "and a date: [adjudication \"SHADOW\" \"YYYY-MM-DD\"]",
					  p->path, p->line);
		return diag_error(p->d, "%s:%d: section [%s] takes one name", p->path, p->line,
				  sec_names[k]);
	}
	if ((k == SEC_REPORT || k == SEC_TENANTS) && name)
		return diag_error(p->d, "%s:%d: section [%s] takes no name", p->path, p->line,
				  sec_names[k]);
	if (k != SEC_REPORT && k != SEC_TENANTS) {
		if (!name || nlen == 0)
			return diag_error(p->d, "%s:%d: section [%s] needs a name: [%s \"NAME\"]",
					  p->path, p->line, sec_names[k], sec_names[k]);
		for (i = 0; i < (int)nlen; i++) {
			unsigned char c = (unsigned char)name[i];

			if (c < 0x20 || c == 0x7f || c == '\\' || (k == SEC_SOURCE && c == ':'))
				return diag_error(p->d, "%s:%d: bad name in section header: '%.*s' "
						  "(no control characters, '\\'%s)", p->path,
						  p->line, (int)nlen, name,
						  k == SEC_SOURCE ? " or ':'" : "");
		}
	}
	sec = arena_alloc(p->tmp, sizeof(*sec));
	sec->kind = (enum sec_kind)k;
	sec->name = name ? arena_strndup(p->tmp, name, nlen) : NULL;
	sec->name2 = name2 ? arena_strndup(p->tmp, name2, n2len) : NULL;
	sec->line = p->line;
	for (o = p->sections; o; o = o->next) {
		if (o->kind == sec->kind &&
		    (!o->name || strcmp(o->name, sec->name) == 0) &&
		    (!o->name2 || strcmp(o->name2, sec->name2) == 0))
			return diag_error(p->d, "%s:%d: duplicate section %s (first at line %d)",
					  p->path, p->line, config_section_label(p->tmp, sec), o->line);
	}
	if (p->last)
		p->last->next = sec;
	else
		p->sections = sec;
	p->last = sec;
	p->cur = sec;
	return 0;
}

static size_t count_names(const char *const *names)
{
	size_t n = 0;

	while (names[n])
		n++;
	return n;
}

static bool known_key(enum sec_kind k, const char *name)
{
	const char *const *keys = sec_keys[k];

	if (k == SEC_CHECK && strncmp(name, COLUMN_TOLERANCE, strlen(COLUMN_TOLERANCE)) == 0 &&
	    name[strlen(COLUMN_TOLERANCE)])
		return true;

	for (; *keys; keys++)
		if (strcmp(*keys, name) == 0)
			return true;
	return false;
}

/* What an unknown key of the current section was probably meant to be: a
 * close key of this section, else the section the key belongs in. */
static const char *key_hint(struct parser *p, const char *name)
{
	enum sec_kind k = p->cur->kind;
	const char *mean = config_did_you_mean(p->tmp, name, sec_keys[k], count_names(sec_keys[k]));
	int i;

	if (*mean)
		return mean;
	for (i = 0; i < (int)(sizeof(sec_names) / sizeof(sec_names[0])); i++)
		if (i != (int)k && known_key((enum sec_kind)i, name))
			return arena_printf(p->tmp, " (a key of [%s%s])", sec_names[i],
					    i == SEC_REPORT || i == SEC_TENANTS ? "" : " \"NAME\"");
	return "";
}

/* Append text (a NUL-terminated piece of the file buffer) to kv's value. */
static void add_piece(struct parser *p, struct kv *kv, const char *text)
{
	struct piece *pc = arena_alloc(p->tmp, sizeof(*pc));

	pc->text = text;
	pc->line = p->line;
	if (kv->last)
		kv->last->next = pc;
	else
		kv->first = pc;
	kv->last = pc;
}

/* A "name = value" (or "name: value") line, t at its first non-blank. */
static int parse_key(struct parser *p, char *t)
{
	char *sep = find_chars_or_comment(t, "=:"), *value;
	struct kv *kv;
	const char *name;

	if (*sep != '=' && *sep != ':')
		return parse_fail(p, "expected 'key = value', a [section] or a comment", NULL);
	if (sep == t)
		return parse_fail(p, "missing key name before '='", NULL);
	*sep = '\0';
	name = rstrip(t);
	value = sep + 1;
	*find_chars_or_comment(value, NULL) = '\0';
	while (config_is_space(*value))
		value++;
	rstrip(value);
	if (!p->cur)
		return diag_error(p->d, "%s:%d: key '%s' outside of any section", p->path,
				  p->line, name);
	if (!known_key(p->cur->kind, name))
		return diag_error(p->d, "%s:%d: unknown key '%s' in %s%s", p->path, p->line, name,
				  config_section_label(p->tmp, p->cur), key_hint(p, name));
	if ((kv = config_find_kv(p->cur, name)) != NULL)
		return diag_error(p->d, "%s:%d: duplicate key '%s' in %s (first at line %d)",
				  p->path, p->line, name, config_section_label(p->tmp, p->cur), kv->line);
	kv = arena_alloc(p->tmp, sizeof(*kv));
	kv->name = name;
	kv->line = p->line;
	add_piece(p, kv, value);
	if (p->cur->last)
		p->cur->last->next = kv;
	else
		p->cur->keys = kv;
	p->cur->last = kv;
	p->prev = kv;
	return 0;
}

/* One physical line t (NUL-terminated, without its line end).  A line is
 * blank, a comment (';' or '#' first), a continuation (indented, after a
 * key of the same section), a section header ('[' first) or a key line. */
static int parse_line(struct parser *p, char *t)
{
	char *start = t;

	while (config_is_space(*start))
		start++;
	if (!*start || *start == ';' || *start == '#')
		return 0;
	if (p->prev && start > t) {
		*find_chars_or_comment(start, NULL) = '\0';
		add_piece(p, p->prev, rstrip(start));
		return 0;
	}
	if (*start == '[') {
		p->prev = NULL;
		return section_header(p, start);
	}
	return parse_key(p, start);
}

/* Split buf (the whole file, modified in place: each line end becomes a
 * NUL) into lines and parse each; p->line ends as the number of lines.
 * Lines may be of any length. */
static int parse_lines(struct parser *p, char *buf, size_t len)
{
	size_t pos = 0;

	while (pos < len) {
		char *s = buf + pos, *nl = memchr(s, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - s) : len - pos;

		pos += nl ? n + 1 : n;
		p->line++;
		if (memchr(s, '\0', n))
			return parse_fail(p, "NUL byte in line", NULL);
		if (n > 0 && s[n - 1] == '\r')
			n--;
		s[n] = '\0';	/* the '\n' or '\r', or the strbuf's own NUL */
		if (p->line == 1 && n >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0)
			s += 3;	/* a UTF-8 byte order mark */
		if (parse_line(p, s) < 0)
			return -1;
	}
	return 0;
}

/* ---- expansion --------------------------------------------------------- */

static bool is_env_name(const char *s, size_t n)
{
	size_t i;

	if (n == 0 || (s[0] >= '0' && s[0] <= '9'))
		return false;
	for (i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
		      (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
			return false;
	return true;
}

/* Append text to sb with ${date} and ${NAME} expanded; a '$' not followed
 * by '{' is kept.  An expanded value is not expanded again.  Errors name
 * line and key, and a variable by its name, never by its value. */
static int expand(struct parser *p, const struct kv *kv, int line, const char *text,
		  struct strbuf *sb)
{
	const char *s = text, *open;

	while ((open = strstr(s, "${")) != NULL) {
		const char *name = open + 2, *close = strchr(name, '}');
		size_t n;

		sb_add(sb, s, (size_t)(open - s));
		if (!close)
			return diag_error(p->d, "%s:%d: '${' without '}' in '%s'", p->path, line,
					  kv->name);
		n = (size_t)(close - name);
		if (n == 4 && memcmp(name, "date", 4) == 0) {
			sb_puts(sb, p->date);
		} else if (is_env_name(name, n)) {
			const char *var = arena_strndup(p->tmp, name, n), *val = getenv(var);

			if (!val)
				return diag_error(p->d, "%s:%d: environment variable %s is not "
						  "set (in '%s')", p->path, line, var, kv->name);
			sb_puts(sb, val);
		} else {
			return diag_error(p->d, "%s:%d: unknown expansion '${%.*s}' in '%s' "
					  "(${date} is the report's date, ${NAME} an "
					  "environment variable)", p->path, line,
					  n > 40 ? 40 : (int)n, name, kv->name);
		}
		s = close + 1;
	}
	sb_puts(sb, s);
	return 0;
}

/* Expand each key's pieces and join them with "\n" (an empty first piece,
 * as in "query =" followed by indented lines, adds no newline). */
static int join_values(struct parser *p)
{
	struct strbuf sb;
	struct section *s;
	struct kv *kv;
	struct piece *pc;
	int ret = 0;

	sb_init(&sb);
	sb.max = CONFIG_MAX_BYTES;	/* expanded values stay small too */
	for (s = p->sections; s && ret == 0; s = s->next) {
		for (kv = s->keys; kv && ret == 0; kv = kv->next) {
			sb_reset(&sb);
			for (pc = kv->first; pc && ret == 0; pc = pc->next) {
				if (sb.len > 0)
					sb_putc(&sb, '\n');
				ret = expand(p, kv, pc->line, pc->text, &sb);
			}
			if (ret == 0 && sb.overflow)
				ret = diag_error(p->d, "%s:%d: value of '%s' longer than %zu bytes "
						 "once expanded", p->path, kv->line, kv->name,
						 CONFIG_MAX_BYTES);
			kv->value = arena_strndup(p->tmp, sb.buf, sb.len);
		}
	}
	sb_release(&sb);
	return ret;
}

/* See config_int.h. */
int config_read(struct config_tree *t, char *buf, size_t len, const char *path,
		const char *date, struct arena *tmp, struct diag *d)
{
	struct parser p;

	memset(&p, 0, sizeof(p));
	p.path = path;
	p.date = date;
	p.tmp = tmp;
	p.d = d;
	if (parse_lines(&p, buf, len) < 0 || join_values(&p) < 0)
		return -1;
	t->sections = p.sections;
	t->lines = p.line;
	return 0;
}
