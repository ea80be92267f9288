/*
 * test_config.c: the configuration module, one test per rule of the
 * contract's "Configuration" section (and of config.h).
 *
 * Each test writes its INI text (a string literal) to recon.ini in a fresh
 * mkdtemp directory, loads it, and compares either the parsed fields or the
 * exact "FILE:LINE: message" error.
 */
#include "config.h"
#include "hint.h"

#include <check.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define DATE "2026-11-22"	/* the report's date of every load */

static char tmpdir[256];	/* this test's directory */
static char ini[300];	/* tmpdir/recon.ini */
static struct config cfg;
static struct diag d;

static void setup(void)
{
	snprintf(tmpdir, sizeof(tmpdir), "%s/recon-config-XXXXXX",
		 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
	snprintf(ini, sizeof(ini), "%s/recon.ini", tmpdir);
	memset(&cfg, 0, sizeof(cfg));
	d.msg[0] = '\0';
}

static void teardown(void)
{
	config_release(&cfg);
	unlink(ini);
	rmdir(tmpdir);
}

static void write_bytes(const char *text, size_t len)
{
	FILE *f = fopen(ini, "wb");

	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(text, 1, len, f), len);
	fclose(f);
}

/* Load text as tmpdir/recon.ini. */
static int load(const char *text)
{
	config_release(&cfg);
	write_bytes(text, strlen(text));
	return config_load(&cfg, ini, DATE, &d);
}

#define LOAD_OK(text)                                                         \
	do {                                                                  \
		int r_ = load(text);                                          \
		ck_assert_msg(r_ == 0, "config_load failed: %s", d.msg);      \
	} while (0)

/* The load fails with exactly "INI:LINE: MSG". */
#define LOAD_ERR(text, lineno, message)                                       \
	do {                                                                  \
		char want_[4096];                                             \
		ck_assert_int_eq(load(text), -1);                             \
		snprintf(want_, sizeof(want_), "%s:%d: %s", ini, lineno, message); \
		ck_assert_str_eq(d.msg, want_);                               \
		ck_assert_uint_eq(cfg.nchecks, 0);                            \
	} while (0)

/* A minimal valid preamble: one source of each type. */
#define SOURCES                                                               \
	"[source \"db\"]\ntype = sqlite\npath = db.sqlite\n"                  \
	"[source \"snap\"]\ntype = csv\npath = snap\n"
/* SOURCES uses lines 1-6. */

/* The one enabled paging check that a configuration needs to load (a gate
 * with nothing to assert is an error), with its own source; appended at
 * the end, so it moves no line of the text before it. */
#define GATE                                                                  \
	"[source \"gate\"]\ntype = sqlite\npath = gate.db\n"                  \
	"[check \"gate\"]\nsource = gate\nquery = SELECT 1\n"

/* ---- files, lines, comments -------------------------------------------- */

START_TEST(test_defaults)
{
	char want[PATH_MAX + 16];

	LOAD_OK(GATE);
	ck_assert_str_eq(cfg.title, "recon report");
	snprintf(want, sizeof(want), "%s/reports", tmpdir);
	ck_assert_str_eq(cfg.output_dir, want);
	ck_assert_str_eq(cfg.dir, tmpdir);
	ck_assert_str_eq(cfg.path, ini);
	ck_assert_int_eq(cfg.gate_days, 7);
	ck_assert_int_eq(cfg.window_days, 7);
	ck_assert_int_eq(cfg.samples, 20);
	ck_assert_int_eq(cfg.soak_days, 28);
	ck_assert_double_eq(cfg.max_skip_rate, 0.05);
	ck_assert_ptr_null(cfg.templates);
	ck_assert(!cfg.has_tenants);
	ck_assert_uint_eq(cfg.nsources, 1);
	ck_assert_uint_eq(cfg.ntargets, 0);
	ck_assert_uint_eq(cfg.nchecks, 1);
}
END_TEST

START_TEST(test_check_defaults)
{
	const struct check_cfg *c;

	LOAD_OK(SOURCES "[check \"c\"]\nsource = db\nquery = SELECT 1\n");
	c = config_check(&cfg, "c");
	ck_assert_ptr_nonnull(c);
	ck_assert_int_eq(c->kind, KIND_ROWS);
	ck_assert(c->paging);
	ck_assert(c->enabled);
	ck_assert_double_eq(c->ready_timeout, 60);
	ck_assert_double_eq(c->tolerance, 0);
	ck_assert_double_eq(c->expect, 0);
	ck_assert_int_eq(c->recovery, RECOVERY_NONE);
	ck_assert_ptr_null(c->target);
	ck_assert_ptr_null(c->group);
	ck_assert_ptr_null(c->description);
	ck_assert_ptr_null(c->shadow_of);
	ck_assert_int_eq(c->line, 7);
}
END_TEST

START_TEST(test_missing_file_names_path)
{
	char want[PATH_MAX + 64];

	snprintf(ini, sizeof(ini), "%s/nope.ini", tmpdir);
	ck_assert_int_eq(config_load(&cfg, ini, DATE, &d), -1);
	snprintf(want, sizeof(want), "%s: cannot open: No such file or directory", ini);
	ck_assert_str_eq(d.msg, want);
}
END_TEST

START_TEST(test_sha256_of_file_bytes)
{
	/* sha256sum of the file as written */
	LOAD_OK(GATE);
	ck_assert_str_eq(cfg.sha256,
			 "afb58dfae30fb0d2983dc4491ee2f72926f4d5e6942a4079cfe32b92a77ece04");
	config_release(&cfg);
	LOAD_OK("[report]\n" GATE);
	ck_assert_str_eq(cfg.sha256,
			 "a07db409154f128155ea881d48047908eaeea79e50c7670e819bcbf874ef7ce6");
}
END_TEST

START_TEST(test_comments_start_with_semicolon_or_hash)
{
	LOAD_OK("; a comment\n# another\n[report]\n  ; indented comment\ntitle = T\n"
		"# between\n" GATE);
	ck_assert_str_eq(cfg.title, "T");
}
END_TEST

START_TEST(test_inline_comment_needs_whitespace)
{
	LOAD_OK("[report]\ntitle = a;b ;comment\n" GATE);
	ck_assert_str_eq(cfg.title, "a;b");
	config_release(&cfg);
	LOAD_OK("[report]\ntitle = x\t; tab then semicolon\n" GATE);
	ck_assert_str_eq(cfg.title, "x");
}
END_TEST

START_TEST(test_inline_comment_after_section_header)
{
	LOAD_OK("[tenants]   ; the tenants\nsource = db\nquery = q\n" SOURCES GATE);
	ck_assert(cfg.has_tenants);
	LOAD_ERR("[report];x\n", 1, "unexpected text after section header");
}
END_TEST

START_TEST(test_continuation_lines_join_with_newline)
{
	const struct check_cfg *c;

	LOAD_OK(SOURCES "[check \"c\"]\nsource = db\nquery = SELECT a\n"
		"  FROM t\n\n\tWHERE x = 'a;b'\n");
	c = config_check(&cfg, "c");
	ck_assert_str_eq(c->query, "SELECT a\nFROM t\nWHERE x = 'a;b'");
}
END_TEST

START_TEST(test_continuation_after_empty_value_has_no_leading_newline)
{
	LOAD_OK(SOURCES "[check \"c\"]\nsource = db\nquery =\n  SELECT 1\n  FROM t\n");
	ck_assert_str_eq(config_check(&cfg, "c")->query, "SELECT 1\nFROM t");
}
END_TEST

START_TEST(test_inline_comment_on_continuation_line_is_cut)
{
	/* inih 55 keeps it; the contract says " ;" starts a comment anywhere */
	LOAD_OK(SOURCES "[check \"c\"]\nsource = db\nquery = SELECT 1 ; one\n"
		"  FROM t ; the table\n  ; a comment line\n  WHERE a;b\n");
	ck_assert_str_eq(config_check(&cfg, "c")->query, "SELECT 1\nFROM t\nWHERE a;b");
}
END_TEST

START_TEST(test_continuation_of_a_key_is_not_a_duplicate)
{
	LOAD_OK("[report]\ntitle = a\n  title = b\n" GATE);
	ck_assert_str_eq(cfg.title, "a\ntitle = b");
}
END_TEST

/* Text of n bytes: "SELECT a FROM t WHERE a IN (0, 1, 2, ...)" padded. */
static char *long_query(size_t n)
{
	char *q = malloc(n + 1);
	size_t len, i;

	ck_assert_ptr_nonnull(q);
	len = (size_t)snprintf(q, n + 1, "SELECT a FROM t WHERE a IN (0");
	for (i = 1; len + 24 < n; i++)
		len += (size_t)snprintf(q + len, n + 1 - len, ", %zu", i);
	while (len < n - 1)
		q[len++] = ' ';
	q[len++] = ')';
	q[len] = '\0';
	return q;
}

START_TEST(test_line_of_any_length_is_read_whole)
{
	static const size_t sizes[] = { 199, 200, 300, 10000, 1000000 };
	size_t i;

	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		char *q = long_query(sizes[i]);
		struct strbuf text;

		ck_assert_uint_eq(strlen(q), sizes[i]);
		sb_init(&text);
		/* the query on one line, then a key that must not be swallowed */
		sb_addf(&text, SOURCES "[check \"c\"]\nsource = db\nquery = %s\r\n"
			"group = a\n[report]\ntitle = x%s ; a comment\n", q, q);
		LOAD_OK(text.buf);
		ck_assert_str_eq(config_check(&cfg, "c")->query, q);
		ck_assert_str_eq(config_check(&cfg, "c")->group, "a");
		ck_assert_uint_eq(strlen(cfg.title), sizes[i] + 1);
		config_release(&cfg);
		sb_release(&text);
		free(q);
	}
}
END_TEST

START_TEST(test_long_line_errors_name_their_line)
{
	char *q = long_query(5000);
	struct strbuf text;

	sb_init(&text);
	sb_addf(&text, SOURCES "[check \"c\"]\nsource = db\nquery = %s\nquey = %s\n", q, q);
	LOAD_ERR(text.buf, 10, "unknown key 'quey' in [check \"c\"] (did you mean 'query'?)");
	sb_release(&text);
	free(q);
}
END_TEST

START_TEST(test_crlf_line_ends)
{
	LOAD_OK("[report]\r\ntitle = T\r\ngate_days = 2\r\n" GATE);
	ck_assert_str_eq(cfg.title, "T");
	ck_assert_int_eq(cfg.gate_days, 2);
	LOAD_ERR("[report]\r\n\r\nfoo = 1\r\n", 3, "unknown key 'foo' in [report]");
}
END_TEST

START_TEST(test_utf8_bom_is_skipped)
{
	LOAD_OK("\xEF\xBB\xBF[report]\ntitle = T\n" GATE);
	ck_assert_str_eq(cfg.title, "T");
}
END_TEST

START_TEST(test_nul_byte_is_an_error)
{
	write_bytes("[report]\ntitle = a\0b\n", 21);
	ck_assert_int_eq(config_load(&cfg, ini, DATE, &d), -1);
	ck_assert_ptr_nonnull(strstr(d.msg, ":2: NUL byte in line"));
}
END_TEST

START_TEST(test_line_without_equals_is_a_syntax_error)
{
	LOAD_ERR("[report]\ntitle T\n", 2,
		 "expected 'key = value', a [section] or a comment");
	LOAD_ERR("[report]\n= T\n", 2, "missing key name before '='");
}
END_TEST

/* ---- sections ----------------------------------------------------------- */

START_TEST(test_unknown_section_names_line)
{
	LOAD_ERR("[report]\n\n[x]\n", 3, "unknown section '[x]'");
	LOAD_ERR("[checks \"a\"]\n", 1,
		 "unknown section '[checks \"a\"]' (did you mean [check \"a\"]?)");
	LOAD_ERR("[check \"a\" b]\n", 1, "unknown section '[check \"a\" b]'");
}
END_TEST

START_TEST(test_section_header_without_bracket)
{
	LOAD_ERR("[report\n", 1, "section header without ']'");
	LOAD_ERR("[check \"a\n", 1, "section header without ']'");
}
END_TEST

START_TEST(test_section_names_in_double_quotes)
{
	LOAD_OK("[target \"a b\"]\n[target  \"c\" ]\n" GATE);
	ck_assert_ptr_nonnull(config_target(&cfg, "a b"));
	ck_assert_ptr_nonnull(config_target(&cfg, "c"));
	LOAD_ERR("[report \"x\"]\n", 1, "section [report] takes no name");
	LOAD_ERR("[check]\n", 1, "section [check] needs a name: [check \"NAME\"]");
	LOAD_ERR("[source \"\"]\n", 1, "section [source] needs a name: [source \"NAME\"]");
}
END_TEST

START_TEST(test_duplicate_section_is_an_error)
{
	LOAD_ERR("[report]\n[report]\n", 2, "duplicate section [report] (first at line 1)");
	LOAD_ERR(SOURCES "[source \"db\"]\n", 7,
		 "duplicate section [source \"db\"] (first at line 1)");
	LOAD_ERR("[check \"x\"]\nsource = db\n[target \"x\"]\n[check \"x\"]\n", 4,
		 "duplicate section [check \"x\"] (first at line 1)");
}
END_TEST

START_TEST(test_empty_sections_are_defined)
{
	LOAD_OK(SOURCES "[target \"t\"]\n[check \"c\"]\nsource = db\nquery = q\ntarget = t\n"
		"[report]\n");
	ck_assert_str_eq(config_check(&cfg, "c")->target, "t");
	ck_assert_ptr_null(config_target(&cfg, "t")->parent);
	ck_assert_int_eq(config_target(&cfg, "t")->line, 7);
}
END_TEST

/* ---- keys ---------------------------------------------------------------- */

START_TEST(test_unknown_key_names_line)
{
	LOAD_ERR(SOURCES "[check \"x\"]\nsource = db\nfoo = 1\n", 9,
		 "unknown key 'foo' in [check \"x\"]");
	LOAD_ERR("[report]\nTitle = a\n", 2,
		 "unknown key 'Title' in [report] (did you mean 'title'?)");
	LOAD_ERR("[target \"t\"]\nparent: u\nname = t\n", 3,
		 "unknown key 'name' in [target \"t\"]");
}
END_TEST

START_TEST(test_key_outside_any_section)
{
	LOAD_ERR("; top\ntitle = a\n", 2, "key 'title' outside of any section");
}
END_TEST

START_TEST(test_duplicate_key_is_an_error)
{
	LOAD_ERR("[report]\ntitle = a\n\ntitle = b\n", 4,
		 "duplicate key 'title' in [report] (first at line 2)");
}
END_TEST

START_TEST(test_empty_value_is_an_error)
{
	LOAD_ERR("[report]\ntitle =\n", 2, "no value for 'title'");
	LOAD_ERR("[report]\ntitle = ; just a comment\n", 2, "no value for 'title'");
}
END_TEST

START_TEST(test_key_of_another_kind_is_an_error)
{
	LOAD_ERR(SOURCES "[check \"c\"]\nsource = db\nquery = q\nleft = db:t\n", 10,
		 "key 'left' does not apply to a rows check");
	LOAD_ERR(SOURCES "[check \"c\"]\nexpect = 1\nkind = compare\n", 8,
		 "key 'expect' does not apply to a compare check");
	LOAD_ERR(SOURCES "[check \"c\"]\nsource = db\nquery = q\ntolerance = 1\n", 10,
		 "key 'tolerance' does not apply to a rows check");
	LOAD_ERR("[source \"p\"]\ntype = postgres\npath = x\n", 3,
		 "key 'path' does not apply to a postgres source (use 'url')");
	LOAD_ERR("[source \"p\"]\ntype = csv\nurl = x\n", 3,
		 "key 'url' does not apply to a csv source (use 'path')");
}
END_TEST

/* ---- values -------------------------------------------------------------- */

START_TEST(test_report_values)
{
	LOAD_OK("[report]\ntitle = Org model\ngate_days = 5\nwindow_days = 14\nsamples = 0\n"
		"soak_days = 1\nmax_skip_rate = 0.5\n" GATE);
	ck_assert_str_eq(cfg.title, "Org model");
	ck_assert_int_eq(cfg.gate_days, 5);
	ck_assert_int_eq(cfg.window_days, 14);
	ck_assert_int_eq(cfg.samples, 0);
	ck_assert_int_eq(cfg.soak_days, 1);
	ck_assert_double_eq(cfg.max_skip_rate, 0.5);
}
END_TEST

/* The snapshot engine's spill directory (relative to the configuration
 * file) and memory limit, a size as DuckDB reads one. */
START_TEST(test_snapshot_engine_limits)
{
	LOAD_OK("[report]\ntemp_dir = spill\nmemory_limit = 16GB\n" GATE);
	ck_assert_str_eq(cfg.memory_limit, "16GB");
	ck_assert_ptr_nonnull(strstr(cfg.temp_dir, "/spill"));
	config_release(&cfg);
	LOAD_OK("[report]\nmemory_limit = 512 MiB\n" GATE);
	ck_assert_ptr_null(cfg.temp_dir);
	config_release(&cfg);
	LOAD_OK("[report]\nmemory_limit = 2.5gb\n" GATE);
	LOAD_ERR("[report]\nmemory_limit = lots\n", 2,
		 "bad value for 'memory_limit': 'lots' (expected a size such as 16GB or 512MiB)");
	LOAD_ERR("[report]\nmemory_limit = 80%\n", 2,
		 "bad value for 'memory_limit': '80%' (expected a size such as 16GB or 512MiB)");
}
END_TEST

START_TEST(test_integers_must_be_in_range)
{
	LOAD_ERR("[report]\ngate_days = 0\n", 2,
		 "bad value for 'gate_days': '0' (expected an integer from 1 to 100000)");
	LOAD_ERR("[report]\nwindow_days = 7d\n", 2,
		 "bad value for 'window_days': '7d' (expected an integer from 1 to 100000)");
	LOAD_ERR("[report]\nsamples = -1\n", 2,
		 "bad value for 'samples': '-1' (expected an integer from 0 to 100000)");
	LOAD_ERR("[report]\nsoak_days = 99999999999999999999\n", 2,
		 "bad value for 'soak_days': '99999999999999999999' "
		 "(expected an integer from 1 to 100000)");
	LOAD_ERR("[report]\ngate_days = +3\n", 2,
		 "bad value for 'gate_days': '+3' (expected an integer from 1 to 100000)");
}
END_TEST

START_TEST(test_numbers_parse_fully)
{
	const struct check_cfg *c;

	LOAD_OK(SOURCES "[check \"v\"]\nkind = value\nsource = db\nquery = q\n"
		"expect = -1.5e2\ntolerance = .25\nready_timeout = 2.5\n");
	c = config_check(&cfg, "v");
	ck_assert_double_eq(c->expect, -150);
	ck_assert_double_eq(c->tolerance, 0.25);
	ck_assert_double_eq(c->ready_timeout, 2.5);
	LOAD_ERR("[report]\nmax_skip_rate = 0.05x\n", 2,
		 "bad value for 'max_skip_rate': '0.05x' (expected a number from 0 to 1)");
	LOAD_ERR("[report]\nmax_skip_rate = 0,05\n", 2,
		 "bad value for 'max_skip_rate': '0,05' (expected a number from 0 to 1)");
	LOAD_ERR("[report]\nmax_skip_rate = 1.5\n", 2,
		 "bad value for 'max_skip_rate': '1.5' (expected a number from 0 to 1)");
	LOAD_ERR(SOURCES "[check \"v\"]\nkind = value\nexpect = nan\n", 9,
		 "bad value for 'expect': 'nan' (expected a number)");
	LOAD_ERR(SOURCES "[check \"v\"]\nkind = value\nexpect = 0x10\n", 9,
		 "bad value for 'expect': '0x10' (expected a number)");
	LOAD_ERR(SOURCES "[check \"v\"]\nkind = value\nexpect = 1e999\n", 9,
		 "bad value for 'expect': '1e999' (expected a number)");
	LOAD_ERR(SOURCES "[check \"v\"]\nkind = value\ntolerance = -1\n", 9,
		 "bad value for 'tolerance': '-1' (expected a number >= 0)");
}
END_TEST

START_TEST(test_booleans)
{
	static const char *const forms[][2] = {
		{ "true", "1" }, { "false", "0" }, { "yes", "1" }, { "no", "0" },
		{ "on", "1" }, { "off", "0" }, { "1", "1" }, { "0", "0" }, { "TRUE", "1" },
	};
	size_t i;

	for (i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
		char text[512];

		snprintf(text, sizeof(text), SOURCES "[check \"c\"]\nsource = db\nquery = q\n"
			 "paging = %s\nenabled = %s\n" GATE, forms[i][0], forms[i][0]);
		LOAD_OK(text);
		ck_assert_int_eq(config_check(&cfg, "c")->paging, forms[i][1][0] == '1');
		ck_assert_int_eq(config_check(&cfg, "c")->enabled, forms[i][1][0] == '1');
		config_release(&cfg);
	}
	LOAD_ERR(SOURCES "[check \"c\"]\npaging = maybe\n", 8,
		 "bad value for 'paging': 'maybe' "
		 "(expected true, false, yes, no, on, off, 1 or 0)");
}
END_TEST

START_TEST(test_kind_is_rows_value_or_compare)
{
	LOAD_ERR(SOURCES "[check \"c\"]\nkind = x\n", 8,
		 "bad value for 'kind': 'x' (expected rows, value or compare)");
}
END_TEST

START_TEST(test_recovery_is_recheck_or_reprocess)
{
	LOAD_OK(SOURCES "[check \"c\"]\nsource = db\nquery = q\nrecovery = recheck\n"
		"[check \"d\"]\nsource = db\nquery = q\nrecovery = reprocess\n");
	ck_assert_int_eq(config_check(&cfg, "c")->recovery, RECOVERY_RECHECK);
	ck_assert_int_eq(config_check(&cfg, "d")->recovery, RECOVERY_REPROCESS);
	LOAD_ERR(SOURCES "[check \"c\"]\nrecovery = redo\n", 8,
		 "bad value for 'recovery': 'redo' (expected recheck or reprocess)");
}
END_TEST

START_TEST(test_source_type_is_csv_postgres_or_sqlite)
{
	const struct source_cfg *s;

	setenv("DATABASE_URL", "host=/nowhere", 1);
	LOAD_OK("[source \"pg\"]\ntype = postgres\nurl = env:DATABASE_URL\n"
		"statement_timeout = 600\n" GATE);
	s = config_source(&cfg, "pg");
	ck_assert_int_eq(s->type, SOURCE_POSTGRES);
	ck_assert_str_eq(s->url, "env:DATABASE_URL");
	ck_assert_int_eq(s->statement_timeout, 600);
	ck_assert_ptr_null(s->path);
	ck_assert_int_eq(s->line, 1);
	LOAD_ERR("[source \"x\"]\ntype = mysql\n", 2,
		 "bad value for 'type': 'mysql' (expected csv, postgres or sqlite)");
	LOAD_ERR("[source \"x\"]\npath = p\n", 1,
		 "[source \"x\"] needs 'type' (csv, postgres or sqlite)");
	LOAD_ERR("[source \"x\"]\ntype = csv\nstatement_timeout = 3\n", 3,
		 "key 'statement_timeout' does not apply to a csv source");
}
END_TEST

START_TEST(test_list_values_split_on_commas)
{
	const struct check_cfg *c;

	LOAD_OK(SOURCES "[check \"c\"]\nkind = compare\nleft = snap : departments\n"
		"right = db:org_units\nkey = tenant_id, unit_id\ncolumns = name,\n"
		"  parent_id\n");
	c = config_check(&cfg, "c");
	ck_assert_uint_eq(c->nkey, 2);
	ck_assert_str_eq(c->key[0], "tenant_id");
	ck_assert_str_eq(c->key[1], "unit_id");
	ck_assert_uint_eq(c->ncolumns, 2);
	ck_assert_str_eq(c->columns[0], "name");
	ck_assert_str_eq(c->columns[1], "parent_id");
	LOAD_ERR(SOURCES "[check \"c\"]\nkind = compare\nkey = a,,b\n", 9,
		 "bad value for 'key': 'a,,b' (expected comma-separated column names)");
	LOAD_ERR(SOURCES "[check \"c\"]\nkind = compare\ncolumns = a, b, a\n", 9,
		 "column 'a' listed twice in 'columns'");
}
END_TEST

/* ---- required keys --------------------------------------------------------- */

START_TEST(test_source_requires_path_or_url)
{
	LOAD_ERR("\n[source \"s\"]\ntype = csv\n", 2, "[source \"s\"] needs 'path' (a csv source)");
	LOAD_ERR("[source \"s\"]\ntype = sqlite\n", 1,
		 "[source \"s\"] needs 'path' (a sqlite source)");
	LOAD_ERR("[source \"s\"]\ntype = postgres\n", 1,
		 "[source \"s\"] needs 'url' (a postgres source)");
}
END_TEST

START_TEST(test_rows_and_value_need_source_and_query)
{
	LOAD_ERR(SOURCES "[check \"c\"]\nquery = q\n", 7, "[check \"c\"] needs 'source'");
	LOAD_ERR(SOURCES "[check \"c\"]\nkind = value\nsource = db\n", 7,
		 "[check \"c\"] needs 'query'");
}
END_TEST

START_TEST(test_value_expect_defaults_to_zero)
{
	const struct check_cfg *c;

	LOAD_OK(SOURCES "[check \"v\"]\nkind = value\nsource = db\nquery = q\n"
		"[check \"m\"]\nkind = value\nsource = db\nquery = q\nmax = 10\n");
	c = config_check(&cfg, "v");
	ck_assert_int_eq(c->kind, KIND_VALUE);
	ck_assert_double_eq(c->expect, 0);
	ck_assert_double_eq(c->tolerance, 0);
	ck_assert(!c->has_min && !c->has_max);
	c = config_check(&cfg, "m");
	ck_assert(!c->has_min && c->has_max);
	ck_assert_double_eq(c->max, 10);
}
END_TEST

START_TEST(test_compare_strategy)
{
	const struct check_cfg *c;

	LOAD_OK(SOURCES "[check \"c\"]\nkind = compare\nleft = db:a\nright = db:b\nkey = id\n"
		"[check \"d\"]\nkind = compare\nleft = db:a\nright = db:b\nkey = id\n"
		"strategy = bisect\nbisect_rows = 50\n");
	c = config_check(&cfg, "c");
	ck_assert_int_eq(c->strategy, STRATEGY_ROWS);
	ck_assert_int_eq(c->bisect_rows, 100);
	c = config_check(&cfg, "d");
	ck_assert_int_eq(c->strategy, STRATEGY_BISECT);
	ck_assert_int_eq(c->bisect_rows, 50);
	LOAD_ERR(SOURCES "[check \"c\"]\nkind = compare\nstrategy = fast\n", 9,
		 "bad value for 'strategy': 'fast' (expected rows, bisect or auto)");
	LOAD_ERR(SOURCES "[check \"c\"]\nkind = compare\nbisect_rows = 0\n", 9,
		 "bad value for 'bisect_rows': '0' (expected an integer from 1 to 1000000000)");
	LOAD_ERR(SOURCES "[check \"c\"]\nsource = db\nquery = q\nstrategy = bisect\n", 10,
		 "key 'strategy' does not apply to a rows check");
}
END_TEST

START_TEST(test_min_greater_than_max)
{
	LOAD_ERR(SOURCES "[check \"v\"]\nkind = value\nsource = db\nquery = q\nmin = 5\n"
		 "max = 3\n", 12, "min (5) is greater than max (3)");
}
END_TEST

START_TEST(test_expect_or_tolerance_with_min_or_max)
{
	LOAD_ERR(SOURCES "[check \"v\"]\nkind = value\nsource = db\nquery = q\nmin = 5\n"
		 "tolerance = 1\n", 12,
		 "'tolerance' cannot be combined with 'min': give 'expect' and "
		 "'tolerance', or 'min' and/or 'max'");
	LOAD_ERR(SOURCES "[check \"v\"]\nkind = value\nsource = db\nquery = q\nexpect = 5\n"
		 "max = 1\n", 12,
		 "'max' cannot be combined with 'expect': give 'expect' and "
		 "'tolerance', or 'min' and/or 'max'");
}
END_TEST

START_TEST(test_compare_needs_left_right_and_key)
{
	LOAD_ERR(SOURCES "[check \"c\"]\nkind = compare\nright = db:t\nkey = id\n", 7,
		 "[check \"c\"] needs 'left' (SOURCE:TABLE, or SOURCE with left_query)");
	LOAD_ERR(SOURCES "[check \"c\"]\nkind = compare\nleft = db:t\nkey = id\n", 7,
		 "[check \"c\"] needs 'right' (SOURCE:TABLE, or SOURCE with right_query)");
	LOAD_ERR(SOURCES "[check \"c\"]\nkind = compare\nleft = db:t\nright = snap:t\n", 7,
		 "[check \"c\"] needs 'key' (comma-separated key columns)");
}
END_TEST

START_TEST(test_compare_bare_source_needs_query)
{
	const struct check_cfg *c;

	LOAD_ERR(SOURCES "[check \"c\"]\nkind = compare\nleft = db\nright = snap:t\n"
		 "key = id\n", 7,
		 "[check \"c\"] needs 'left_query' ('left' names a source, no table)");
	LOAD_ERR(SOURCES "[check \"c\"]\nkind = compare\nleft = db:t\nright = snap\n"
		 "key = id\n", 7,
		 "[check \"c\"] needs 'right_query' ('right' names a source, no table)");
	LOAD_OK(SOURCES "[check \"c\"]\nkind = compare\nleft = db\nleft_query = SELECT 1\n"
		"right = snap:t\nkey = id\n");
	c = config_check(&cfg, "c");
	ck_assert_int_eq(c->kind, KIND_COMPARE);
	ck_assert_str_eq(c->left_source, "db");
	ck_assert_ptr_null(c->left_table);
	ck_assert_str_eq(c->left_query, "SELECT 1");
	ck_assert_str_eq(c->right_source, "snap");
	ck_assert_str_eq(c->right_table, "t");
	ck_assert_ptr_null(c->right_query);
	ck_assert_ptr_null(c->columns);
	ck_assert_uint_eq(c->ncolumns, 0);
}
END_TEST

START_TEST(test_compare_table_with_query_is_an_error)
{
	LOAD_ERR(SOURCES "[check \"c\"]\nkind = compare\nleft = db:t\nleft_query = q\n"
		 "right = snap:t\nkey = id\n", 10,
		 "'left_query' cannot be used when 'left' names a table ('db:t'): "
		 "give 'left = db' alone");
	LOAD_ERR(SOURCES "[check \"c\"]\nkind = compare\nleft = db:t\nright_query = q\n"
		 "right = snap:t\nkey = id\n", 10,
		 "'right_query' cannot be used when 'right' names a table ('snap:t'): "
		 "give 'right = snap' alone");
	LOAD_ERR(SOURCES "[check \"c\"]\nkind = compare\nleft = db:\n", 9,
		 "bad value for 'left': 'db:' (expected SOURCE or SOURCE:TABLE)");
}
END_TEST

START_TEST(test_tenants_needs_source_and_query)
{
	LOAD_ERR(SOURCES "[tenants]\nsource = db\n", 7, "[tenants] needs 'query'");
	LOAD_ERR(SOURCES "[tenants]\nquery = q\n", 7, "[tenants] needs 'source'");
	LOAD_OK(SOURCES "[tenants]\nsource = db\nquery = SELECT id FROM tenants\n" GATE);
	ck_assert(cfg.has_tenants);
	ck_assert_str_eq(cfg.tenants_source, "db");
	ck_assert_str_eq(cfg.tenants_query, "SELECT id FROM tenants");
}
END_TEST

/* ---- references ------------------------------------------------------------ */

START_TEST(test_reference_to_undefined_source)
{
	LOAD_ERR(SOURCES "[check \"c\"]\nsource = nope\nquery = q\n", 8,
		 "'source' in [check \"c\"] refers to undefined [source \"nope\"]");
	LOAD_ERR(SOURCES "[check \"c\"]\nkind = compare\nleft = db:t\nright = nope:t\n"
		 "key = id\n", 10,
		 "'right' in [check \"c\"] refers to undefined [source \"nope\"]");
	LOAD_ERR("[tenants]\nsource = app\nquery = q\n", 2,
		 "'source' in [tenants] refers to undefined [source \"app\"]");
}
END_TEST

START_TEST(test_reference_to_undefined_target)
{
	LOAD_ERR(SOURCES "[check \"c\"]\nsource = db\nquery = q\ntarget = t\n", 10,
		 "'target' in [check \"c\"] refers to undefined [target \"t\"]");
	LOAD_ERR("[target \"a\"]\nparent = b\n", 2,
		 "'parent' in [target \"a\"] refers to undefined [target \"b\"]");
}
END_TEST

START_TEST(test_shadow_of_a_defined_check_not_itself)
{
	LOAD_ERR(SOURCES "[check \"c\"]\nsource = db\nquery = q\nshadow_of = d\n", 10,
		 "'shadow_of' in [check \"c\"] refers to undefined [check \"d\"]");
	LOAD_ERR(SOURCES "[check \"c\"]\nsource = db\nquery = q\nshadow_of = c\n", 10,
		 "check 'c' cannot be a shadow of itself");
	LOAD_OK(SOURCES "[check \"live\"]\nsource = db\nquery = q\nshadow_of = c\n"
		"[check \"c\"]\nsource = db\nquery = q\n");
	ck_assert_str_eq(config_check(&cfg, "live")->shadow_of, "c");
}
END_TEST

START_TEST(test_cycle_of_parents_named)
{
	LOAD_ERR("[target \"c\"]\nparent = a\n[target \"b\"]\nparent = c\n"
		 "[target \"a\"]\nparent = b\n[target \"z\"]\nparent = c\n", 6,
		 "cycle of parents: a -> b -> c -> a");
}
END_TEST

START_TEST(test_self_parent_is_a_cycle)
{
	LOAD_ERR("[target \"x\"]\n[target \"a\"]\nparent = a\n", 3,
		 "cycle of parents: a -> a");
}
END_TEST

START_TEST(test_chain_of_parents_is_fine)
{
	LOAD_OK("[target \"m\"]\nparent = u\n[target \"u\"]\nparent = d\n[target \"d\"]\n" GATE);
	ck_assert_str_eq(config_target(&cfg, "m")->parent, "u");
	ck_assert_str_eq(config_target(&cfg, "u")->parent, "d");
}
END_TEST

/* ---- paths, order, lookups ---------------------------------------------------- */

START_TEST(test_relative_paths_resolve_against_config_dir)
{
	char want[PATH_MAX + 32];

	LOAD_OK("[report]\noutput_dir = out\ntemplates = tpl\n"
		"[source \"c\"]\ntype = csv\npath = snapshots/today\n"
		"[source \"s\"]\ntype = sqlite\npath = /abs/feeds.db\n" GATE);
	snprintf(want, sizeof(want), "%s/out", tmpdir);
	ck_assert_str_eq(cfg.output_dir, want);
	snprintf(want, sizeof(want), "%s/tpl", tmpdir);
	ck_assert_str_eq(cfg.templates, want);
	snprintf(want, sizeof(want), "%s/snapshots/today", tmpdir);
	ck_assert_str_eq(config_source(&cfg, "c")->path, want);
	ck_assert_str_eq(config_source(&cfg, "s")->path, "/abs/feeds.db");
	config_release(&cfg);
	LOAD_OK("[report]\noutput_dir = /var/reports\n" GATE);
	ck_assert_str_eq(cfg.output_dir, "/var/reports");
}
END_TEST

START_TEST(test_config_in_current_dir_keeps_relative_paths)
{
	const char *text = "[source \"c\"]\ntype = csv\npath = snap\n" GATE;
	char old[PATH_MAX];

	ck_assert_ptr_nonnull(getcwd(old, sizeof(old)));
	write_bytes(text, strlen(text));
	config_release(&cfg);
	ck_assert_int_eq(chdir(tmpdir), 0);
	ck_assert_int_eq(config_load(&cfg, "recon.ini", DATE, &d), 0);
	ck_assert_int_eq(chdir(old), 0);
	ck_assert_str_eq(cfg.dir, ".");
	ck_assert_str_eq(cfg.output_dir, "reports");
	ck_assert_str_eq(config_source(&cfg, "c")->path, "snap");
}
END_TEST

START_TEST(test_sorted_by_id_and_name)
{
	LOAD_OK("[source \"b\"]\ntype = csv\npath = b\n[source \"a\"]\ntype = csv\npath = a\n"
		"[target \"y\"]\n[target \"x\"]\n"
		"[check \"zeta\"]\nsource = a\nquery = q\n"
		"[check \"alpha\"]\nsource = b\nquery = q\n"
		"[check \"Mid\"]\nsource = a\nquery = q\n");
	ck_assert_str_eq(cfg.sources[0].name, "a");
	ck_assert_str_eq(cfg.sources[1].name, "b");
	ck_assert_str_eq(cfg.targets[0].name, "x");
	ck_assert_str_eq(cfg.targets[1].name, "y");
	ck_assert_uint_eq(cfg.nchecks, 3);
	ck_assert_str_eq(cfg.checks[0].id, "Mid");
	ck_assert_str_eq(cfg.checks[1].id, "alpha");
	ck_assert_str_eq(cfg.checks[2].id, "zeta");
	ck_assert_int_eq(cfg.checks[2].line, 9);
	ck_assert_ptr_eq(config_check(&cfg, "alpha"), &cfg.checks[1]);
	ck_assert_ptr_null(config_check(&cfg, "beta"));
	ck_assert_ptr_null(config_source(&cfg, "c"));
	ck_assert_ptr_null(config_target(&cfg, "z"));
}
END_TEST

START_TEST(test_kind_and_recovery_names)
{
	ck_assert_str_eq(check_kind_name(KIND_ROWS), "rows");
	ck_assert_str_eq(check_kind_name(KIND_VALUE), "value");
	ck_assert_str_eq(check_kind_name(KIND_COMPARE), "compare");
	ck_assert_ptr_null(recovery_name(RECOVERY_NONE));
	ck_assert_str_eq(recovery_name(RECOVERY_RECHECK), "recheck");
	ck_assert_str_eq(recovery_name(RECOVERY_REPROCESS), "reprocess");
}
END_TEST

START_TEST(test_error_leaves_config_released)
{
	ck_assert_int_eq(load(SOURCES "[check \"c\"]\nbogus = 1\n"), -1);
	ck_assert_uint_eq(cfg.nsources, 0);
	ck_assert_ptr_null(cfg.sources);
	ck_assert_ptr_null(cfg.arena.head);
	config_release(&cfg);	/* twice is harmless */
}
END_TEST

START_TEST(test_contract_example_loads)
{
	const struct check_cfg *c;

	setenv("DATABASE_URL", "host=/nowhere", 1);
	LOAD_OK("[report]\n"
		"title = Org model reconciliation\n"
		"output_dir = reports      ; default \"reports\", relative to the config file\n"
		"gate_days = 7             ; consecutive pass days needed for the gate\n"
		"window_days = 7           ; days shown in the rolling window\n"
		"samples = 20              ; violating rows kept per failing check\n"
		"soak_days = 28            ; window of the shadow-check agreement analysis\n"
		"templates = my-templates  ; optional: replaces the built-in HTML shell and CSS\n"
		"max_skip_rate = 0.05      ; a shadow check skipping more often is not ready\n"
		"\n[source \"legacy\"]\ntype = csv\npath = snapshots/today    ; relative\n"
		"\n[source \"app\"]\ntype = postgres\nurl = env:DATABASE_URL    ; libpq\n"
		"statement_timeout = 600   ; seconds\n"
		"\n[source \"feeds\"]\ntype = sqlite\npath = feeds.db           ; read-only\n"
		"\n[tenants]                 ; optional\nsource = app\n"
		"query = SELECT id FROM tenants\n"
		"\n[target \"org_units\"]      ; optional\nparent = departments\n"
		"[target \"departments\"]\n"
		"\n[check \"org-units-present\"]\n"
		"kind = rows               ; rows (default) | value | compare\n"
		"description = Every legacy department has an org_units row\n"
		"source = app\n"
		"query = SELECT d.tenant_id, d.unit_id FROM departments d\n"
		"  LEFT JOIN org_units o USING (tenant_id, unit_id) WHERE o.unit_id IS NULL\n"
		"group = tenant_id         ; per-tenant breakdown column\n"
		"recovery = reprocess      ; recheck | reprocess\n"
		"target = org_units\n"
		"paging = true             ; false: signal-only\n"
		"enabled = true\n"
		"precondition = SELECT NOT EXISTS (SELECT 1 FROM transfers\n"
		"  WHERE state = 'in_flight')\n"
		"shadow_of = other-check-id\n"
		"[check \"other-check-id\"]\nsource = legacy\nquery = SELECT 1\n");
	ck_assert_uint_eq(cfg.nsources, 3);
	ck_assert_str_eq(config_source(&cfg, "app")->url, "env:DATABASE_URL");
	c = config_check(&cfg, "org-units-present");
	ck_assert_str_eq(c->description, "Every legacy department has an org_units row");
	ck_assert_str_eq(c->group, "tenant_id");
	ck_assert_str_eq(c->target, "org_units");
	ck_assert_str_eq(c->precondition,
			 "SELECT NOT EXISTS (SELECT 1 FROM transfers\nWHERE state = 'in_flight')");
	ck_assert_str_eq(config_target(&cfg, "org_units")->parent, "departments");
}
END_TEST

/* ---- expansion ------------------------------------------------------------ */

START_TEST(test_expansion_of_date_in_every_value)
{
	char want[PATH_MAX + 32];

	LOAD_OK("[report]\ntitle = Audit of ${date}\n"
		"[source \"snap\"]\ntype = csv\npath = snapshots/${date}\n"
		"[check \"c\"]\nsource = snap\ndescription = as of ${date}${date}\n"
		"query = SELECT * FROM t\n  WHERE day = DATE '${date}'\n");
	ck_assert_str_eq(cfg.title, "Audit of 2026-11-22");
	snprintf(want, sizeof(want), "%s/snapshots/2026-11-22", tmpdir);
	ck_assert_str_eq(config_source(&cfg, "snap")->path, want);
	ck_assert_str_eq(config_check(&cfg, "c")->description, "as of 2026-11-222026-11-22");
	ck_assert_str_eq(config_check(&cfg, "c")->query,
			 "SELECT * FROM t\nWHERE day = DATE '2026-11-22'");
	/* the date is the one given to config_load */
	config_release(&cfg);
	write_bytes("[report]\ntitle = ${date}\n" GATE, strlen("[report]\ntitle = ${date}\n" GATE));
	ck_assert_int_eq(config_load(&cfg, ini, "2027-01-31", &d), 0);
	ck_assert_str_eq(cfg.title, "2027-01-31");
}
END_TEST

START_TEST(test_expansion_of_environment_variables)
{
	setenv("RECON_TEST_SNAP", "/data/exports", 1);
	setenv("RECON_TEST_URL", "host=/run/pg dbname=app", 1);
	setenv("RECON_TEST_EMPTY", "", 1);
	LOAD_OK("[source \"snap\"]\ntype = csv\npath = ${RECON_TEST_SNAP}/${date}\n"
		"[source \"pg\"]\ntype = postgres\nurl = ${RECON_TEST_URL} user=ro\n"
		"[check \"c\"]\nsource = snap\nquery = SELECT 1\n"
		"  WHERE x = '${RECON_TEST_EMPTY}'\n");
	ck_assert_str_eq(config_source(&cfg, "snap")->path, "/data/exports/2026-11-22");
	ck_assert_str_eq(config_source(&cfg, "pg")->url, "host=/run/pg dbname=app user=ro");
	ck_assert_str_eq(config_check(&cfg, "c")->query, "SELECT 1\nWHERE x = ''");
}
END_TEST

START_TEST(test_expanded_value_is_not_expanded_again)
{
	setenv("RECON_TEST_TEXT", "${date} and ${RECON_TEST_TEXT}", 1);
	LOAD_OK("[report]\ntitle = ${RECON_TEST_TEXT}\n" GATE);
	ck_assert_str_eq(cfg.title, "${date} and ${RECON_TEST_TEXT}");
}
END_TEST

START_TEST(test_dollar_not_followed_by_brace_is_kept)
{
	LOAD_OK(SOURCES "[check \"c\"]\nsource = db\n"
		"query = SELECT $1, $$ $x $$, d::date, '$date', 'a$'\n"
		"description = costs $5 $\n");
	ck_assert_str_eq(config_check(&cfg, "c")->query,
			 "SELECT $1, $$ $x $$, d::date, '$date', 'a$'");
	ck_assert_str_eq(config_check(&cfg, "c")->description, "costs $5 $");
}
END_TEST

START_TEST(test_unknown_expansion_is_an_error)
{
	static const char *const forms[] = { "${date:%Y}", "${}", "${1abc}", "${a-b}",
					     "${ date }", "${DATE-1}" };
	size_t i;

	for (i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
		char text[512], want[256];

		snprintf(text, sizeof(text), SOURCES "[check \"c\"]\nsource = db\nquery = SELECT 1\n"
			 "  WHERE d = '%s'\n", forms[i]);
		snprintf(want, sizeof(want), "unknown expansion '%s' in 'query' (${date} is the "
			 "report's date, ${NAME} an environment variable)", forms[i]);
		LOAD_ERR(text, 10, want);
	}
	LOAD_ERR("[report]\ntitle = ${date\n", 2, "'${' without '}' in 'title'");
}
END_TEST

START_TEST(test_unset_variable_is_an_error_naming_it)
{
	unsetenv("RECON_TEST_UNSET");
	LOAD_ERR(SOURCES "[source \"x\"]\ntype = csv\npath = ${RECON_TEST_UNSET}/${date}\n", 9,
		 "environment variable RECON_TEST_UNSET is not set (in 'path')");
	LOAD_ERR("[source \"pg\"]\ntype = postgres\nurl = env:RECON_TEST_UNSET\n", 3,
		 "environment variable RECON_TEST_UNSET is not set (in 'url')");
	setenv("RECON_TEST_UNSET", "", 1);
	LOAD_ERR("[source \"pg\"]\ntype = postgres\nurl = env:RECON_TEST_UNSET\n", 3,
		 "environment variable RECON_TEST_UNSET is not set (in 'url')");
	unsetenv("RECON_TEST_UNSET");
}
END_TEST

START_TEST(test_env_url_stays_a_synonym)
{
	setenv("RECON_TEST_URL", "postgresql://ro:pw@db/app", 1);
	LOAD_OK("[source \"pg\"]\ntype = postgres\nurl = env:RECON_TEST_URL\n" GATE);
	ck_assert_str_eq(config_source(&cfg, "pg")->url, "env:RECON_TEST_URL");
}
END_TEST

START_TEST(test_errors_never_print_an_expanded_url)
{
	static const char *const tails[] = {
		"statement_timeout = soon\n",
		"path = x\n",
		"statement_timeout = 1\nstatement_timeout = 2\n",
		"bogus = 1\n",
		"[check \"c\"]\nsource = pg\n",
		"[check \"c\"]\nkind = compare\nleft = pg\nleft_query = q\nright = pg:t\n"
		"key = a,,b\n",
	};
	size_t i;

	setenv("RECON_TEST_SECRET", "hunter2", 1);
	for (i = 0; i < sizeof(tails) / sizeof(tails[0]); i++) {
		char text[512];

		snprintf(text, sizeof(text), "[source \"pg\"]\ntype = postgres\n"
			 "url = postgresql://ro:${RECON_TEST_SECRET}@db/app\n%s", tails[i]);
		ck_assert_int_eq(load(text), -1);
		ck_assert_msg(!strstr(d.msg, "hunter2"), "secret in: %s", d.msg);
	}
}
END_TEST

/* ---- the gate -------------------------------------------------------------- */

START_TEST(test_gate_needs_an_enabled_paging_check)
{
	static const char *const msg =
		"no enabled paging check: a gate with nothing to assert cannot be met";

	LOAD_ERR("", 1, msg);
	LOAD_ERR("[report]\ntitle = t\n\n", 3, msg);
	LOAD_ERR(SOURCES "[check \"a\"]\nsource = db\nquery = q\nenabled = false\n"
		 "[check \"b\"]\nsource = db\nquery = q\npaging = false\n; the end", 15, msg);
	LOAD_ERR(SOURCES "[check \"a\"]\nsource = db\nquery = q\nenabled = no\npaging = yes\n",
		 11, msg);
	LOAD_OK(SOURCES "[check \"a\"]\nsource = db\nquery = q\nenabled = false\n"
		"[check \"b\"]\nsource = db\nquery = q\npaging = false\n"
		"[check \"c\"]\nkind = value\nsource = db\nquery = q\n");
	ck_assert_uint_eq(cfg.nchecks, 3);
}
END_TEST

/* ---- did you mean ------------------------------------------------------------ */

START_TEST(test_closest_name_edit_distance_and_prefix)
{
	static const char *const keys[] = { "query", "group", "key", "kind", "description",
					    "max", "min", NULL };
	const size_t n = sizeof(keys) / sizeof(keys[0]);

	ck_assert_str_eq(closest_name("quey", keys, n), "query");	/* a deletion */
	ck_assert_str_eq(closest_name("qeury", keys, n), "query");	/* a swap */
	ck_assert_str_eq(closest_name("gruops", keys, n), "group");	/* two edits */
	ck_assert_str_eq(closest_name("KIND", keys, n), "kind");	/* case */
	ck_assert_str_eq(closest_name("desc", keys, n), "description");	/* a prefix */
	ck_assert_str_eq(closest_name("mix", keys, n), "max");	/* the first of equals */
	ck_assert_ptr_null(closest_name("query", keys, n));	/* itself is no hint */
	ck_assert_ptr_null(closest_name("colour", keys, n));
	ck_assert_str_eq(closest_name("ke", keys, n), "key");	/* 1 edit, 2 letters */
	ck_assert_ptr_null(closest_name("xy", keys, n));	/* 2 edits, 2 letters */
	ck_assert_str_eq(closest_name("kye", keys, n), "key");
	ck_assert_ptr_null(closest_name("x", keys, n));
	ck_assert_ptr_null(closest_name("", keys, n));
	ck_assert_ptr_null(closest_name("quer", keys, 0));
}
END_TEST

START_TEST(test_did_you_mean_on_unknown_names)
{
	LOAD_ERR(SOURCES "[check \"x\"]\nsource = db\nquey = SELECT 1\n", 9,
		 "unknown key 'quey' in [check \"x\"] (did you mean 'query'?)");
	LOAD_ERR("[report]\ngate_day = 3\n", 2,
		 "unknown key 'gate_day' in [report] (did you mean 'gate_days'?)");
	LOAD_ERR("[chekc \"x\"]\n", 1, "unknown section '[chekc \"x\"]' (did you mean [check \"x\"]?)");
	LOAD_ERR("[reprot]\n", 1, "unknown section '[reprot]' (did you mean [report]?)");
	LOAD_ERR("[sources]\n", 1, "unknown section '[sources]' (did you mean [source \"NAME\"]?)");
	LOAD_ERR(SOURCES "[check \"c\"]\nsource = dbb\nquery = q\n", 8,
		 "'source' in [check \"c\"] refers to undefined [source \"dbb\"] "
		 "(did you mean 'db'?)");
	LOAD_ERR(SOURCES "[check \"c\"]\nkind = compare\nleft = snap:t\nright = snp:t\n"
		 "key = id\n", 10,
		 "'right' in [check \"c\"] refers to undefined [source \"snp\"] "
		 "(did you mean 'snap'?)");
	LOAD_ERR("[target \"org_units\"]\n[target \"m\"]\nparent = org_unit\n", 3,
		 "'parent' in [target \"m\"] refers to undefined [target \"org_unit\"] "
		 "(did you mean 'org_units'?)");
	LOAD_ERR(SOURCES "[check \"units-present\"]\nsource = db\nquery = q\n"
		 "[check \"c\"]\nsource = db\nquery = q\nshadow_of = unit-present\n", 13,
		 "'shadow_of' in [check \"c\"] refers to undefined [check \"unit-present\"] "
		 "(did you mean 'units-present'?)");
	LOAD_ERR(SOURCES "[check \"c\"]\nsource = db\noutput_dir = out\n", 9,
		 "unknown key 'output_dir' in [check \"c\"] (a key of [report])");
	LOAD_ERR("[report]\ntype = csv\n", 2,
		 "unknown key 'type' in [report] (a key of [source \"NAME\"])");
	/* nothing close: no hint */
	LOAD_ERR(SOURCES "[check \"c\"]\nsource = warehouse\nquery = q\n", 8,
		 "'source' in [check \"c\"] refers to undefined [source \"warehouse\"]");
}
END_TEST

static Suite *config_suite(void)
{
	Suite *s = suite_create("config");
	TCase *tc = tcase_create("rules");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_defaults);
	tcase_add_test(tc, test_check_defaults);
	tcase_add_test(tc, test_missing_file_names_path);
	tcase_add_test(tc, test_sha256_of_file_bytes);
	tcase_add_test(tc, test_comments_start_with_semicolon_or_hash);
	tcase_add_test(tc, test_inline_comment_needs_whitespace);
	tcase_add_test(tc, test_inline_comment_after_section_header);
	tcase_add_test(tc, test_continuation_lines_join_with_newline);
	tcase_add_test(tc, test_continuation_after_empty_value_has_no_leading_newline);
	tcase_add_test(tc, test_inline_comment_on_continuation_line_is_cut);
	tcase_add_test(tc, test_continuation_of_a_key_is_not_a_duplicate);
	tcase_add_test(tc, test_line_of_any_length_is_read_whole);
	tcase_add_test(tc, test_long_line_errors_name_their_line);
	tcase_add_test(tc, test_crlf_line_ends);
	tcase_add_test(tc, test_utf8_bom_is_skipped);
	tcase_add_test(tc, test_nul_byte_is_an_error);
	tcase_add_test(tc, test_line_without_equals_is_a_syntax_error);
	tcase_add_test(tc, test_unknown_section_names_line);
	tcase_add_test(tc, test_section_header_without_bracket);
	tcase_add_test(tc, test_section_names_in_double_quotes);
	tcase_add_test(tc, test_duplicate_section_is_an_error);
	tcase_add_test(tc, test_empty_sections_are_defined);
	tcase_add_test(tc, test_unknown_key_names_line);
	tcase_add_test(tc, test_key_outside_any_section);
	tcase_add_test(tc, test_duplicate_key_is_an_error);
	tcase_add_test(tc, test_empty_value_is_an_error);
	tcase_add_test(tc, test_key_of_another_kind_is_an_error);
	tcase_add_test(tc, test_report_values);
	tcase_add_test(tc, test_snapshot_engine_limits);
	tcase_add_test(tc, test_integers_must_be_in_range);
	tcase_add_test(tc, test_numbers_parse_fully);
	tcase_add_test(tc, test_booleans);
	tcase_add_test(tc, test_kind_is_rows_value_or_compare);
	tcase_add_test(tc, test_recovery_is_recheck_or_reprocess);
	tcase_add_test(tc, test_source_type_is_csv_postgres_or_sqlite);
	tcase_add_test(tc, test_list_values_split_on_commas);
	tcase_add_test(tc, test_source_requires_path_or_url);
	tcase_add_test(tc, test_rows_and_value_need_source_and_query);
	tcase_add_test(tc, test_value_expect_defaults_to_zero);
	tcase_add_test(tc, test_min_greater_than_max);
	tcase_add_test(tc, test_expect_or_tolerance_with_min_or_max);
	tcase_add_test(tc, test_compare_needs_left_right_and_key);
	tcase_add_test(tc, test_compare_bare_source_needs_query);
	tcase_add_test(tc, test_compare_table_with_query_is_an_error);
	tcase_add_test(tc, test_tenants_needs_source_and_query);
	tcase_add_test(tc, test_reference_to_undefined_source);
	tcase_add_test(tc, test_reference_to_undefined_target);
	tcase_add_test(tc, test_shadow_of_a_defined_check_not_itself);
	tcase_add_test(tc, test_cycle_of_parents_named);
	tcase_add_test(tc, test_self_parent_is_a_cycle);
	tcase_add_test(tc, test_chain_of_parents_is_fine);
	tcase_add_test(tc, test_relative_paths_resolve_against_config_dir);
	tcase_add_test(tc, test_config_in_current_dir_keeps_relative_paths);
	tcase_add_test(tc, test_sorted_by_id_and_name);
	tcase_add_test(tc, test_kind_and_recovery_names);
	tcase_add_test(tc, test_error_leaves_config_released);
	tcase_add_test(tc, test_contract_example_loads);
	tcase_add_test(tc, test_expansion_of_date_in_every_value);
	tcase_add_test(tc, test_expansion_of_environment_variables);
	tcase_add_test(tc, test_expanded_value_is_not_expanded_again);
	tcase_add_test(tc, test_dollar_not_followed_by_brace_is_kept);
	tcase_add_test(tc, test_unknown_expansion_is_an_error);
	tcase_add_test(tc, test_unset_variable_is_an_error_naming_it);
	tcase_add_test(tc, test_env_url_stays_a_synonym);
	tcase_add_test(tc, test_errors_never_print_an_expanded_url);
	tcase_add_test(tc, test_gate_needs_an_enabled_paging_check);
	tcase_add_test(tc, test_closest_name_edit_distance_and_prefix);
	tcase_add_test(tc, test_did_you_mean_on_unknown_names);
	tcase_add_test(tc, test_compare_strategy);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(config_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
