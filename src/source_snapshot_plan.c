/*
 * source_snapshot_plan.c: what SQL reads from a snapshot directory.
 *
 * Planning parses each SQL text with DuckDB (json_serialize_sql) and marks
 * the tables it names and the columns it mentions, so that loading reads
 * only those (see source_snapshot.c for the whole design).
 */
#include "source_snapshot_int.h"

/* ---- planning: what SQL reads ---------------------------------------- */

static struct snap_table *find_table(struct snapshot *sn, const char *name)
{
	for (size_t i = 0; i < sn->ntables; i++)
		if (strcmp(sn->tables[i].name, name) == 0)
			return &sn->tables[i];
	for (size_t i = 0; i < sn->ntables; i++)
		if (strcasecmp(sn->tables[i].name, name) == 0)
			return &sn->tables[i];
	return NULL;
}

static void add_name(struct refs *r, const char *name)
{
	if (r->nnames == r->capnames) {
		r->capnames = r->capnames ? r->capnames * 2 : 32;
		r->names = xrealloc(r->names, r->capnames * sizeof *r->names);
	}
	r->names[r->nnames++] = name;
}

static bool ident_char(char c)
{
	return c == '_' || isalnum((unsigned char)c) || (unsigned char)c >= 0x80;
}

/* Where the first bind parameter (?, ?1, $1, $name) of sql begins, outside
 * strings, quoted names and comments; strlen(sql) when none is found. */
static size_t find_param(const char *s)
{
	size_t i = 0, n = strlen(s);

	while (i < n) {
		if (s[i] == '\'' || s[i] == '"') {
			char q = s[i++];

			while (i < n && !(s[i] == q && s[i + 1] != q))
				i += s[i] == q ? 2 : 1;
			i++;
		} else if (s[i] == '-' && s[i + 1] == '-') {
			while (i < n && s[i] != '\n')
				i++;
		} else if (s[i] == '/' && s[i + 1] == '*') {
			const char *e = strstr(s + i + 2, "*/");

			i = e ? (size_t)(e - s) + 2 : n;
		} else if (s[i] == '?') {
			return i;
		} else if (s[i] == '$' && (i == 0 || !ident_char(s[i - 1]))) {
			size_t j = i + 1;

			while (j < n && ident_char(s[j]))
				j++;
			if (s[j] != '$' && j > i + 1)
				return i;
			/* $$ or $tag$: a dollar-quoted string to its closing tag */
			{
				size_t tag = j + 1 - i;
				const char *e = NULL;

				for (const char *p = s + j + 1; (p = strchr(p, '$')); p++)
					if (strncmp(p, s + i, tag) == 0) {
						e = p;
						break;
					}
				i = e ? (size_t)(e - s) + tag : n;
			}
		} else {
			i++;
		}
	}
	return n;
}

/* The error of a bind parameter, named as the SQL writes it: the one at
 * at, or else the first find_param sees. */
int snap_param_error(struct refs *r, size_t at)
{
	const char *s = r->sql;
	size_t len = strlen(s), end;

	if (r->status < 0)
		return -1;
	if (at >= len)
		at = find_param(s);
	if (at >= len) {
		source_param_error(r->d, r->sn->what, "?");
		return r->status = -1;
	}
	for (end = at + 1; end < len && ident_char(s[end]); end++)
		;
	{
		char name[128];

		snprintf(name, sizeof(name), "%.*s", (int)(end - at), s + at);
		source_param_error(r->d, r->sn->what, name);
	}
	return r->status = -1;
}

static void walk(struct refs *r, json_t *node)
{
	const char *key;
	json_t *v;
	size_t i;

	if (json_is_array(node)) {
		json_array_foreach(node, i, v)
			walk(r, v);
		return;
	}
	if (!json_is_object(node))
		return;
	key = json_string_value(json_object_get(node, "class"));
	if (key && strcmp(key, "PARAMETER") == 0)
		snap_param_error(r, SIZE_MAX);
	if (key && (strcmp(key, "STAR") == 0 || strcmp(key, "POSITIONAL_REFERENCE") == 0))
		r->all = true;
	if (key && strcmp(key, "COLUMN_REF") == 0)
		json_array_foreach(json_object_get(node, "column_names"), i, v)
			if (json_is_string(v))
				add_name(r, json_string_value(v));
	/* "@name" is a bind parameter in other dialects; in DuckDB's, the
	 * prefix operator @ (absolute value) on a column: refuse it written
	 * without a space, as the parameter it most likely is */
	if (key && strcmp(key, "FUNCTION") == 0 &&
	    json_is_true(json_object_get(node, "is_operator")) &&
	    (v = json_object_get(node, "function_name")) && json_is_string(v) &&
	    strcmp(json_string_value(v), "@") == 0 &&
	    json_array_size(json_object_get(node, "children")) == 1) {
		json_t *loc = json_object_get(node, "query_location");
		size_t at = json_is_integer(loc) ? (size_t)json_integer_value(loc) : 0;

		if (at < strlen(r->sql) && r->sql[at] == '@' &&
		    (isalpha((unsigned char)r->sql[at + 1]) || r->sql[at + 1] == '_'))
			snap_param_error(r, at);
	}
	key = json_string_value(json_object_get(node, "type"));
	if (key && strcmp(key, "BASE_TABLE") == 0) {
		const char *schema = json_string_value(json_object_get(node, "schema_name"));
		const char *name = json_string_value(json_object_get(node, "table_name"));
		const char *alias = json_string_value(json_object_get(node, "alias"));
		struct snap_table *t;

		if (name && (!schema || !*schema || strcasecmp(schema, "main") == 0) &&
		    (t = find_table(r->sn, name))) {
			if (r->ntables == r->cap) {
				r->cap = r->cap ? r->cap * 2 : 8;
				r->tables = xrealloc(r->tables, r->cap * sizeof *r->tables);
				r->aliases = xrealloc(r->aliases, r->cap * sizeof *r->aliases);
			}
			r->tables[r->ntables] = t;
			r->aliases[r->ntables++] = alias && *alias ? alias : NULL;
		}
	}
	key = json_string_value(json_object_get(node, "ref_type"));
	if (key && strcmp(key, "NATURAL") == 0)
		r->all = true;
	json_array_foreach(json_object_get(node, "using_columns"), i, v)
		if (json_is_string(v))
			add_name(r, json_string_value(v));
	json_object_foreach(node, key, v)
		if (json_is_object(v) || json_is_array(v))
			walk(r, v);
}

void snap_mark_all(struct snap_table *t)
{
	for (size_t i = 0; i < t->ncols; i++)
		t->need[i] = true;
}

/* Mark in each table the columns the statement names: a name that is a
 * table's name or alias is the whole row of that table. */
static void mark(struct refs *r)
{
	for (size_t k = 0; k < r->ntables; k++) {
		struct snap_table *t = r->tables[k];

		t->read = true;
		t->hit = true;
		if (r->all) {
			snap_mark_all(t);
			continue;
		}
		for (size_t n = 0; n < r->nnames; n++) {
			if (strcasecmp(r->names[n], t->name) == 0 ||
			    (r->aliases[k] && strcasecmp(r->names[n], r->aliases[k]) == 0)) {
				snap_mark_all(t);
				break;
			}
			for (size_t i = 0; i < t->ncols; i++)
				if (strcasecmp(t->cols[i], r->names[n]) == 0)
					t->need[i] = true;
		}
	}
}

/* DuckDB's parse error, and a ":name" parameter (which its parser does
 * not know) said as one. */
static int parse_error(struct snapshot *sn, const char *sql, json_t *root, struct diag *d)
{
	const char *msg = json_string_value(json_object_get(root, "error_message"));
	const char *type = json_string_value(json_object_get(root, "error_type"));
	const char *pos = json_string_value(json_object_get(root, "position"));
	struct refs r = { sn, sql, NULL, NULL, 0, 0, NULL, 0, 0, false, d, 0 };

	if (pos) {
		size_t at = (size_t)strtoul(pos, NULL, 10);

		if (at < strlen(sql) && sql[at] == ':' && ident_char(sql[at + 1]) &&
		    (at == 0 || sql[at - 1] != ':'))
			return snap_param_error(&r, at);
	}
	if (msg && strstr(msg, "named and positional parameters"))
		return snap_param_error(&r, SIZE_MAX);
	if (msg && strstr(msg, "Only SELECT statements"))
		return diag_error(d, "SQL error: not a query: checks only read (SELECT)");
	(void)type;
	if (!msg)
		return diag_error(d, "SQL error: cannot parse");
	return diag_error(d, "SQL error: %.*s", (int)strcspn(msg, "\n"), msg);
}

/* Parse sql and record what it reads into the tables' need and hit. */
int snap_record(struct snapshot *sn, const char *sql, struct diag *d)
{
	duckdb_prepared_statement st = NULL;
	duckdb_result res;
	json_t *root = NULL, *stmts, *s;
	json_error_t jerr;
	char *text = NULL;
	size_t i;
	int ret = -1;

	memset(&res, 0, sizeof res);
	for (i = 0; i < sn->ntables; i++)
		sn->tables[i].hit = false;
	if (snap_engine(sn, d) < 0)
		return -1;
	if (duckdb_prepare(sn->con, "SELECT json_serialize_sql($1::VARCHAR)", &st) != DuckDBSuccess ||
	    duckdb_bind_varchar(st, 1, sql) != DuckDBSuccess ||
	    duckdb_execute_prepared(st, &res) != DuckDBSuccess) {
		diag_error(d, "SQL error: %s", st ? duckdb_prepare_error(st) ? duckdb_prepare_error(st)
							       : duckdb_result_error(&res) : "cannot parse");
		goto out;
	}
	text = duckdb_value_varchar(&res, 0, 0);
	/* "no location" is 2^64 - 1, beyond jansson's integers: -1 instead */
	for (char *p = text; p && (p = strstr(p, "18446744073709551615")); p += 20)
		memcpy(p, "-1                  ", 20);
	root = text ? json_loads(text, 0, &jerr) : NULL;
	if (!root) {
		diag_error(d, "SQL error: cannot parse");
		goto out;
	}
	if (json_is_true(json_object_get(root, "error"))) {
		parse_error(sn, sql, root, d);
		goto out;
	}
	stmts = json_object_get(root, "statements");
	if (json_array_size(stmts) != 1) {
		diag_error(d, "SQL error: %zu statements; a check runs one query",
			   json_array_size(stmts));
		goto out;
	}
	json_array_foreach(stmts, i, s) {
		struct refs r = { sn, sql, NULL, NULL, 0, 0, NULL, 0, 0, false, d, 0 };

		walk(&r, s);
		if (r.status == 0)
			mark(&r);
		free(r.tables);
		free(r.aliases);
		free(r.names);
		if (r.status < 0)
			goto out;
	}
	ret = 0;
out:
	json_decref(root);
	duckdb_free(text);
	duckdb_destroy_result(&res);
	duckdb_destroy_prepare(&st);
	return ret;
}

/* The error of the first table sql reads that cannot be used, known
 * before loading (its header, or two files for it). */
int snap_hit_error(struct snapshot *sn, struct diag *d)
{
	for (size_t i = 0; i < sn->ntables; i++)
		if (sn->tables[i].hit && sn->tables[i].error)
			return diag_error(d, "%s", sn->tables[i].error);
	return 0;
}

/* Contract in source_snapshot.h. */
int snapshot_plan(struct snapshot *sn, const char *sql, struct diag *d)
{
	if (snap_record(sn, sql, d) < 0)
		return -1;
	for (size_t i = 0; i < sn->ntables; i++)
		sn->tables[i].readers += sn->tables[i].hit;
	return snap_hit_error(sn, d);
}

/* A view main."T" for each CSV table sql reads that has none yet (it was
 * not loaded): every header column as an untyped NULL and no row, so that
 * DuckDB can bind sql without reading a file.  Loading replaces it. */
static int describe_views(struct snapshot *sn, struct diag *d)
{
	struct strbuf sb;
	int ret = 0;

	sb_init(&sb);
	for (size_t i = 0; i < sn->ntables && ret == 0; i++) {
		struct snap_table *t = &sn->tables[i];

		if (!t->hit || t->parquet || t->loaded || t->error || t->described)
			continue;
		sb_reset(&sb);
		sb_puts(&sb, "CREATE OR REPLACE VIEW main.");
		sb_add_sql_ident(&sb, t->name);
		sb_puts(&sb, " AS SELECT ");
		for (size_t c = 0; c < t->ncols; c++) {
			sb_puts(&sb, c ? ", NULL AS " : "NULL AS ");
			sb_add_sql_ident(&sb, t->cols[c]);
		}
		sb_puts(&sb, " WHERE false");
		if (sb.overflow)
			ret = diag_error(d, "%s: header too large", t->path);
		else if ((ret = snap_exec(sn->con, sb.buf, d)) == 0)
			t->described = true;
	}
	sb_release(&sb);
	return ret;
}

/* Contract in source_snapshot.h. */
int snapshot_prepare(struct snapshot *sn, const char *sql, const char *what,
		     struct source_columns *cols, struct diag *d)
{
	duckdb_prepared_statement st = NULL;
	int ret;

	sn->what = what;
	ret = snapshot_plan(sn, sql, d);
	sn->what = "query";
	if (ret < 0 || !cols)
		return ret;
	ret = -1;
	if (describe_views(sn, d) < 0)
		return -1;
	if (duckdb_prepare(sn->con, sql, &st) != DuckDBSuccess) {
		const char *err = duckdb_prepare_error(st);
		size_t n = err ? strcspn(err, "\n") : 0;

		diag_error(d, "SQL error: %.*s", (int)n, err ? err : "cannot prepare");
		goto out;
	}
	{
		idx_t n = duckdb_prepared_statement_column_count(st);

		cols->names = xcalloc((size_t)n + 1, sizeof(*cols->names));
		cols->n = (size_t)n;
		for (idx_t i = 0; i < n; i++) {
			const char *name = duckdb_prepared_statement_column_name(st, i);

			cols->names[i] = xstrdup(name ? name : "");
			duckdb_free((void *)name);
		}
	}
	ret = 0;
out:
	duckdb_destroy_prepare(&st);
	return ret;
}

/* Contract in source_snapshot.h. */
size_t snapshot_table_names(const struct snapshot *sn, char ***out)
{
	char **names = xcalloc(sn->ntables + 1, sizeof(*names));

	for (size_t i = 0; i < sn->ntables; i++)
		names[i] = xstrdup(sn->tables[i].name);
	*out = names;
	return sn->ntables;
}
