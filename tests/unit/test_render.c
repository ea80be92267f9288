/*
 * test_render.c: the renderers, one test per rule of the contract.
 *
 * Every run, gate and history here is built by hand (no sweep, no history
 * module), so these tests say exactly what each renderer makes of a given
 * struct report: escaping of hostile data, the JSON schema, the banner
 * wording, the sections that come and go, determinism, the recovery plan's
 * root-cause attribution and the index order.
 */
#include <check.h>
#include <cmark-gfm.h>
#include <cmark-gfm-core-extensions.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "recovery.h"
#include "render.h"
#include "render_svg.h"

/* ---- a hand-built day ------------------------------------------------------ */

struct fx {
	struct config cfg;
	struct source_cfg sources[3];
	struct target_cfg targets[4];
	struct check_cfg ccfg[6];
	struct check_result res[6];
	struct group_result groups_a[2], groups_b[1];
	const char *cols_a[2], *cols_b[2];
	const char *row_a0[2], *row_a1[2], *row_b0[2];
	const char **samples_a[2], **samples_b[1];
	struct input inputs[3];
	struct run run;
	struct window_day window[3];
	struct gate gate;
	struct day_check prev_checks[3];
	struct day days[2];
	struct history hist;
	struct shadow shadows[1];
	struct report rep;
};

static void fx_init(struct fx *f)
{
	size_t i;

	memset(f, 0, sizeof(*f));
	f->cfg.title = "Org model reconciliation";
	memset(f->cfg.sha256, 'a', 64);
	f->cfg.gate_days = 7;
	f->cfg.window_days = 3;
	f->cfg.samples = 20;
	f->cfg.soak_days = 28;
	f->cfg.max_skip_rate = 0.05;
	f->sources[0] = (struct source_cfg){.name = "app", .type = SOURCE_POSTGRES};
	f->sources[1] = (struct source_cfg){.name = "feeds", .type = SOURCE_SQLITE};
	f->sources[2] = (struct source_cfg){.name = "legacy", .type = SOURCE_CSV};
	f->cfg.sources = f->sources;
	f->cfg.nsources = 3;
	f->targets[0] = (struct target_cfg){.name = "departments"};
	f->targets[1] = (struct target_cfg){.name = "org_units", .parent = "departments"};
	f->targets[2] = (struct target_cfg){.name = "people", .parent = "org_units"};
	f->targets[3] = (struct target_cfg){.name = "roles"};
	f->cfg.targets = f->targets;
	f->cfg.ntargets = 4;

	f->ccfg[0] = (struct check_cfg){.id = "a-rows", .kind = KIND_ROWS,
		.description = "Every legacy department has an org_units row", .group = "tenant_id",
		.recovery = RECOVERY_REPROCESS, .target = "org_units", .paging = true, .enabled = true};
	f->ccfg[1] = (struct check_cfg){.id = "b-compare", .kind = KIND_COMPARE,
		.recovery = RECOVERY_REPROCESS, .target = "roles", .group = "tenant_id",
		.paging = true, .enabled = true};
	f->ccfg[2] = (struct check_cfg){.id = "c-value", .kind = KIND_VALUE, .tolerance = 1,
		.paging = true, .enabled = true, .description = "Balance difference"};
	f->ccfg[3] = (struct check_cfg){.id = "d-error", .kind = KIND_ROWS, .paging = true,
		.enabled = true};
	f->ccfg[4] = (struct check_cfg){.id = "e-skip", .kind = KIND_ROWS, .paging = true,
		.enabled = true};
	f->ccfg[5] = (struct check_cfg){.id = "f-signal", .kind = KIND_ROWS, .paging = false,
		.enabled = true, .shadow_of = "a-rows"};
	f->cfg.checks = f->ccfg;
	f->cfg.nchecks = 6;

	f->groups_a[0] = (struct group_result){.group = "t-001", .drift = 9};
	f->groups_a[1] = (struct group_result){.group = "t-007", .drift = 3};
	f->groups_b[0] = (struct group_result){.group = "t-001", .drift = 3, .missing = 1,
		.extra = 1, .changed = 1};
	f->cols_a[0] = "tenant_id";
	f->cols_a[1] = "unit_id";
	f->row_a0[0] = "t-001";
	f->row_a0[1] = "u-19";
	f->row_a1[0] = "t-007";
	f->row_a1[1] = NULL;
	f->samples_a[0] = f->row_a0;
	f->samples_a[1] = f->row_a1;
	f->cols_b[0] = "key";
	f->cols_b[1] = "side";
	f->row_b0[0] = "k1";
	f->row_b0[1] = "";
	f->samples_b[0] = f->row_b0;

	for (i = 0; i < 6; i++)
		f->res[i].cfg = &f->ccfg[i];
	f->res[0].status = STATUS_FAIL;
	f->res[0].drift = 12;
	f->res[0].groups = f->groups_a;
	f->res[0].ngroups = 2;
	f->res[0].columns = f->cols_a;
	f->res[0].ncolumns = 2;
	f->res[0].samples = f->samples_a;
	f->res[0].nsamples = 2;
	f->res[1].status = STATUS_FAIL;
	f->res[1].drift = 3;
	f->res[1].missing = 1;
	f->res[1].extra = 1;
	f->res[1].changed = 1;
	f->res[1].groups = f->groups_b;
	f->res[1].ngroups = 1;
	f->res[1].columns = f->cols_b;
	f->res[1].ncolumns = 2;
	f->res[1].samples = f->samples_b;
	f->res[1].nsamples = 1;
	f->res[2].status = STATUS_PASS;
	f->res[2].has_value = true;
	f->res[2].value = 0.5;
	f->res[3].status = STATUS_ERROR;
	f->res[3].error = "no such table: transfers";
	f->res[4].status = STATUS_SKIPPED;
	f->res[4].skip_reason = "precondition did not hold";
	f->res[5].status = STATUS_FAIL;
	f->res[5].drift = 2;

	f->inputs[0] = (struct input){.source = "app", .rows = -1, .snapshot = "00000003-0000001A-1"};
	f->inputs[1] = (struct input){.source = "feeds", .rows = -1,
		.sha256 = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"};
	f->inputs[2] = (struct input){.source = "legacy", .table = "departments", .rows = 40,
		.sha256 = "cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc"};

	f->run.cfg = &f->cfg;
	memcpy(f->run.date, "2026-11-22", 11);
	f->run.checks = f->res;
	f->run.nchecks = 6;
	f->run.inputs = f->inputs;
	f->run.ninputs = 3;
	f->run.tenants_scanned = 40;
	f->run.npass = 1;
	f->run.nfail = 3;
	f->run.nerror = 1;
	f->run.nskipped = 1;
	f->run.drift = 17;
	f->run.tenants_with_drift = 2;
	f->run.gate = STATUS_FAIL;

	f->window[0] = (struct window_day){.date = "2026-11-20", .status = DAY_PASS, .drift = 0};
	f->window[1] = (struct window_day){.date = "2026-11-21", .status = DAY_MISSING, .drift = -1};
	f->window[2] = (struct window_day){.date = "2026-11-22", .status = DAY_FAIL, .drift = 17};
	f->gate.streak = 0;
	f->gate.required = 7;
	f->gate.met = false;
	f->gate.window = f->window;
	f->gate.nwindow = 3;

	f->prev_checks[0] = (struct day_check){.id = "a-rows", .status = "fail", .drift = 9};
	f->prev_checks[1] = (struct day_check){.id = "b-compare", .status = "fail", .drift = 5};
	f->prev_checks[2] = (struct day_check){.id = "c-value", .status = "pass", .drift = 0,
		.has_value = true, .value = 0.25};
	f->days[0] = (struct day){.date = "2026-11-19", .status = DAY_PASS, .drift = 0,
		.streak = 3, .title = "Org model reconciliation"};
	f->days[1] = (struct day){.date = "2026-11-20", .status = DAY_FAIL, .drift = 14,
		.streak = 0, .checks = f->prev_checks, .nchecks = 3,
		.title = "Org model reconciliation"};
	f->hist.days = f->days;
	f->hist.ndays = 2;

	f->rep.run = &f->run;
	f->rep.gate = &f->gate;
	f->rep.history = &f->hist;
	f->rep.previous = &f->days[1];
	f->rep.link_ext = ".md";
	/* shadow.c computes these from the history; here they are given */
	f->shadows[0] = (struct shadow){.id = "f-signal", .of = "a-rows", .days = 1, .agree = 1};
	f->rep.shadows = f->shadows;
	f->rep.nshadows = 1;
}

/* The fixture's report as report_build would leave it: the recovery plan
 * and the outcome of the run as the test has changed it. */
static struct report derived(const struct report *r)
{
	struct report d = *r;

	report_derive(&d);
	return d;
}

static char *md_of(const struct report *r)
{
	struct report day = derived(r);
	struct strbuf sb;

	sb_init(&sb);
	ck_assert_int_eq(render_md(&day, &sb), 0);
	report_release(&day);
	return sb_detach(&sb, NULL);
}

static int md_page_of(const struct report *r, struct html_inserts *ins, struct strbuf *out)
{
	struct report day = derived(r);
	int ret = render_md_page(&day, ins, out);

	report_release(&day);
	return ret;
}

static char *html_of(const char *title, const char *md)
{
	struct templates t;
	struct strbuf sb;
	struct diag d = {{0}};

	ck_assert_int_eq(templates_load(&t, NULL, &d), 0);
	sb_init(&sb);
	ck_assert_msg(render_html(title, "gate-fail", md, &t, &sb, &d) == 0, "%s", d.msg);
	templates_release(&t);
	return sb_detach(&sb, NULL);
}

static char *json_of(const struct report *r)
{
	struct report day = derived(r);
	struct strbuf sb;
	struct diag d = {{0}};

	sb_init(&sb);
	ck_assert_msg(render_json(&day, &sb, &d) == 0, "%s", d.msg);
	report_release(&day);
	return sb_detach(&sb, NULL);
}

static char *escaped(const char *s)
{
	struct strbuf sb;

	sb_init(&sb);
	md_escape(&sb, s, strlen(s));
	return sb_detach(&sb, NULL);
}

/* With RENDER_OUT=DIR in the environment, keep a rendered page as DIR/name
 * (for a look with tidy or a browser). */
static void dump(const char *name, const char *text)
{
	const char *dir = getenv("RENDER_OUT");
	char path[4096];
	FILE *fp;

	if (!dir)
		return;
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fp = fopen(path, "w");
	ck_assert_msg(fp != NULL, "%s", path);
	fputs(text, fp);
	fclose(fp);
}

#define ck_assert_has(hay, needle) \
	ck_assert_msg(strstr((hay), (needle)) != NULL, "missing: %s", (needle))
#define ck_assert_hasnt(hay, needle) \
	ck_assert_msg(strstr((hay), (needle)) == NULL, "unexpected: %s", (needle))

/* ---- escaping ------------------------------------------------------------ */

START_TEST(test_md_escape_makes_markup_literal)
{
	static const char *const cases[][2] = {
		{"<script>alert(1)</script>", "\\<script>alert(1)\\</script>"},
		{"\"><img src=x onerror=alert(1)>", "\">\\<img src=x onerror=alert(1)>"},
		{"> quote", "\\> quote"},
		{"a|b", "a\\|b"},
		{"`tick`", "\\`tick\\`"},
		{"[x](javascript:alert(1))", "\\[x](javascript:alert(1))"},
		{"**bold**", "\\*\\*bold\\*\\*"},
		{"# h", "\\# h"},
		{"_a_ b_c", "\\_a\\_ b_c"},
		{"back\\slash", "back\\\\slash"},
		{"&amp; &#64; ~~x~~", "\\&amp; \\&#64; \\~\\~x\\~\\~"},
		{"org-units-present", "org-units-present"},
		{"- item", "\\- item"},
		{"---", "\\---"},
		{"12. item", "12\\. item"},
		{"3) item", "3\\) item"},
		{"two\nlines\r\nhere", "two lines  here"},
		{"bad \xff byte", "bad \xEF\xBF\xBD byte"},
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *e = escaped(cases[i][0]);

		ck_assert_str_eq(e, cases[i][1]);
		free(e);
	}
}
END_TEST

/* What GFM does not interpret stays as written in the raw Markdown, which
 * grep and git diff read. */
START_TEST(test_md_escape_leaves_plain_text_alone)
{
	static const char *const plain[] = {
		"R&D", "4038.83", "-3", "1.5e3", "a - b", "x > y", "snake_case_id", "50% + 2 = 52",
		"what? yes! (maybe) {x} ^y \"q\" 'r'", "t-001", "2026-11-22", "tenant #5 and 6#",
		"e.g. www", "http:", "a@", "@",
	};
	size_t i;

	for (i = 0; i < sizeof(plain) / sizeof(plain[0]); i++) {
		char *e = escaped(plain[i]);

		ck_assert_str_eq(e, plain[i]);
		free(e);
	}
}
END_TEST

/* cmark-gfm with every extension a git host turns on (autolink, tagfilter,
 * tables, strikethrough), unsafe like a host that filters its HTML later:
 * md -> HTML, allocated. */
static char *gfm_html(const char *md)
{
	static const char *const exts[] = {"table", "strikethrough", "autolink", "tagfilter"};
	cmark_parser *p;
	cmark_node *doc;
	char *html, *copy;
	size_t i;

	cmark_gfm_core_extensions_ensure_registered();
	p = cmark_parser_new(CMARK_OPT_DEFAULT | CMARK_OPT_UNSAFE);
	for (i = 0; i < sizeof(exts) / sizeof(exts[0]); i++)
		ck_assert(cmark_parser_attach_syntax_extension(p, cmark_find_syntax_extension(exts[i])));
	cmark_parser_feed(p, md, strlen(md));
	doc = cmark_parser_finish(p);
	html = cmark_render_html(doc, CMARK_OPT_DEFAULT | CMARK_OPT_UNSAFE,
				 cmark_parser_get_syntax_extensions(p));
	copy = xstrdup(html);
	cmark_get_default_mem_allocator()->free(html);
	cmark_node_free(doc);
	cmark_parser_free(p);
	return copy;
}

/* s as cmark writes text: & < > " as entities. */
static void html_text(struct strbuf *o, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '&': sb_puts(o, "&amp;"); break;
		case '<': sb_puts(o, "&lt;"); break;
		case '>': sb_puts(o, "&gt;"); break;
		case '"': sb_puts(o, "&quot;"); break;
		default: sb_putc(o, *s);
		}
	}
}

/* Remove every "<!-- -->" (the comment that stops a ping) from s. */
static void drop_comments(char *s)
{
	char *p;

	while ((p = strstr(s, "<!-- -->")) != NULL)
		memmove(p, p + 8, strlen(p + 8) + 1);
}

/* Escaped data renders as exactly its text in a paragraph, a heading and a
 * table cell, with nothing a git host would turn into markup: no link (URL,
 * www., e-mail), no element, and no "@name" left whole to ping someone. */
START_TEST(test_md_escape_renders_literally_on_a_git_host)
{
	static const char *const cases[] = {
		"see https://example.com/x?a=1 and http://h", "www.example.com/path", "WWW.EXAMPLE.COM",
		"ftp://files.example.com", "ping @octocat and @org/team", "mail ops@example.com",
		"R&D &amp; &#64;x &copy", "4038.83", "<b>bold</b> <!-- c -->", "~~gone~~ ~x~",
		"*a* _b_ __c__ `d`", "[l](https://x.io) ![i](y)", "a|b", "# heading", "> quote",
		"- item", "+ item", "1. item", "9) item", "---", "===", "back\\slash \\*", "$x$ $$y$$",
		"<https://auto.link>", "x_y_z intra_word", "foo@bar", "@", "trailing #",
	};
	static const char *const wraps[][2] = {
		{"", "\n"}, {"### ", "\n"}, {"| h |\n|---|\n| ", " |\n"},
	};
	static const char *const tags[][2] = {
		{"<p>", "</p>\n"}, {"<h3>", "</h3>\n"},
		{"<table>\n<thead>\n<tr>\n<th>h</th>\n</tr>\n</thead>\n<tbody>\n<tr>\n<td>",
		 "</td>\n</tr>\n</tbody>\n</table>\n"},
	};
	size_t i, w;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		for (w = 0; w < 3; w++) {
			struct strbuf md, want;
			char *html;

			sb_init(&md);
			sb_init(&want);
			sb_puts(&md, wraps[w][0]);
			md_escape(&md, cases[i], strlen(cases[i]));
			sb_puts(&md, wraps[w][1]);
			sb_puts(&want, tags[w][0]);
			html_text(&want, cases[i]);
			sb_puts(&want, tags[w][1]);
			html = gfm_html(md.buf);
			ck_assert_msg(strstr(html, "<a ") == NULL, "a link from %s: %s", md.buf, html);
			if (strstr(cases[i], "@o") || strstr(cases[i], "s@e"))
				ck_assert_msg(strstr(html, "@o") == NULL && strstr(html, "s@e") == NULL,
					      "a whole @name in %s", html);
			drop_comments(html);
			ck_assert_msg(strcmp(html, want.buf) == 0, "%s\nrendered %s\nwanted   %s",
				      md.buf, html, want.buf);
			free(html);
			sb_release(&md);
			sb_release(&want);
		}
	}
}
END_TEST

static const char *const HOSTILE_ID = "<script>alert(1)</script>";
static const char *const HOSTILE_DESC = "\"><img src=x onerror=alert(1)>";
static const char *const HOSTILE_SAMPLES[] = {"[x](javascript:alert(1))", "`tick`", "**bold**",
					     "# h"};

static void make_hostile(struct fx *f)
{
	static const char *row[4];
	static const char **rows[1];
	static const char *cols[4] = {"a|b", "<b>", "c`", "[l](javascript:x)"};
	static struct group_result g[1];

	fx_init(f);
	memcpy(row, HOSTILE_SAMPLES, sizeof(row));
	rows[0] = row;
	g[0] = (struct group_result){.group = "a|b<script>", .drift = 1};
	f->cfg.title = "<script>alert('t')</script> [t](javascript:alert(1))";
	f->ccfg[0].id = HOSTILE_ID;
	f->ccfg[0].description = HOSTILE_DESC;
	f->ccfg[0].group = "# h";
	f->res[0].groups = g;
	f->res[0].ngroups = 1;
	f->res[0].columns = cols;
	f->res[0].ncolumns = 4;
	f->res[0].samples = rows;
	f->res[0].nsamples = 1;
	f->res[3].error = "<img src=x onerror=alert(1)>\nsecond line";
}

/* Does s hold c without a backslash before it? */
static bool unescaped(const char *s, char c)
{
	const char *p;

	for (p = s; (p = strchr(p, c)) != NULL; p++)
		if (p == s || p[-1] != '\\')
			return true;
	return false;
}

START_TEST(test_hostile_data_shows_literally)
{
	struct fx f;
	char *md, *html;

	make_hostile(&f);
	md = md_of(&f.rep);
	ck_assert_has(md, "\\<script>alert(1)\\</script>");
	ck_assert_has(md, "\">\\<img src=x onerror=alert(1)>");
	ck_assert_has(md, "| a\\|b\\<script> | 1 |");
	ck_assert_has(md, "| \\[x](javascript:alert(1)) | \\`tick\\` | \\*\\*bold\\*\\* | \\# h |");
	ck_assert_has(md, "| a\\|b | \\<b> | c\\` | \\[l](javascript:x) |");
	ck_assert_has(md, "\\<img src=x onerror=alert(1)> second line");
	ck_assert_msg(!unescaped(md, '<'), "a '<' left unescaped");
	ck_assert_msg(!unescaped(md, '`'), "a backtick left unescaped");

	html = html_of("<script>x</script>", md);
	dump("hostile.md", md);
	dump("hostile.html", html);
	ck_assert_hasnt(html, "<script");
	ck_assert_hasnt(html, "<img");
	ck_assert_hasnt(html, "<b>");
	ck_assert_hasnt(html, "href=\"javascript:");
	ck_assert_hasnt(html, "<strong>bold");
	ck_assert_hasnt(html, "<code>tick");
	ck_assert_hasnt(html, "<h1>h");
	ck_assert_has(html, "<title>&lt;script&gt;x&lt;/script&gt;</title>");
	ck_assert_has(html, "&lt;script&gt;alert(1)&lt;/script&gt;");
	ck_assert_has(html, "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;");
	ck_assert_has(html, "<td>a|b&lt;script&gt;</td>");
	ck_assert_has(html, "<td>[x](javascript:alert(1))</td>");
	ck_assert_has(html, "<td>`tick`</td>");
	ck_assert_has(html, "<td>**bold**</td>");
	ck_assert_has(html, "<td># h</td>");
	free(md);
	free(html);
}
END_TEST

/* ---- JSON ---------------------------------------------------------------- */

static json_t *at(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	ck_assert_msg(v != NULL, "missing key %s", key);
	return v;
}

static void assert_str(json_t *o, const char *key, const char *want)
{
	json_t *v = at(o, key);

	ck_assert_msg(json_is_string(v), "%s is not a string", key);
	ck_assert_str_eq(json_string_value(v), want);
}

static void assert_int(json_t *o, const char *key, long long want)
{
	json_t *v = at(o, key);

	ck_assert_msg(json_is_integer(v), "%s is not an integer", key);
	ck_assert_int_eq(json_integer_value(v), want);
}

static void assert_bool(json_t *o, const char *key, bool want)
{
	json_t *v = at(o, key);

	ck_assert_msg(json_is_boolean(v), "%s is not a boolean", key);
	ck_assert_int_eq(json_is_true(v), want);
}

static void assert_null(json_t *o, const char *key)
{
	ck_assert_msg(json_is_null(at(o, key)), "%s is not null", key);
}

START_TEST(test_json_round_trip)
{
	struct fx f;
	char *text;
	json_error_t err;
	json_t *root, *g, *s, *checks, *c, *grp, *rec, *win, *sh, *in;

	fx_init(&f);
	text = json_of(&f.rep);
	ck_assert(text[strlen(text) - 1] == '\n');
	ck_assert_msg(strncmp(text, "{\n  \"schema\": \"recon-report/1\",\n  \"recon\": ", 42) == 0,
		      "%s", text);
	root = json_loads(text, 0, &err);
	ck_assert_msg(root != NULL, "%s", err.text);

	assert_str(root, "schema", "recon-report/1");
	assert_str(root, "recon", RECON_VERSION);
	assert_str(root, "date", "2026-11-22");
	assert_str(root, "title", "Org model reconciliation");
	assert_bool(root, "baseline", false);
	assert_str(root, "config_sha256", f.cfg.sha256);

	g = at(root, "gate");
	assert_str(g, "status", "fail");
	assert_int(g, "streak", 0);
	assert_int(g, "required", 7);
	assert_bool(g, "met", false);

	s = at(root, "summary");
	assert_int(s, "checks", 6);
	assert_int(s, "pass", 1);
	assert_int(s, "fail", 3);
	assert_int(s, "error", 1);
	assert_int(s, "skipped", 1);
	assert_int(s, "drift", 17);
	assert_int(s, "tenants_scanned", 40);
	assert_int(s, "tenants_with_drift", 2);

	checks = at(root, "checks");
	ck_assert_int_eq(json_array_size(checks), 6);
	c = json_array_get(checks, 0);
	assert_str(c, "id", "a-rows");
	assert_str(c, "kind", "rows");
	assert_str(c, "status", "fail");
	assert_bool(c, "paging", true);
	assert_int(c, "drift", 12);
	assert_str(c, "description", "Every legacy department has an org_units row");
	grp = at(c, "groups");
	ck_assert_int_eq(json_array_size(grp), 2);
	assert_str(json_array_get(grp, 0), "group", "t-001");
	assert_int(json_array_get(grp, 0), "drift", 9);
	assert_str(json_array_get(grp, 1), "group", "t-007");
	ck_assert_ptr_null(json_object_get(json_array_get(grp, 0), "missing"));
	ck_assert_str_eq(json_string_value(json_array_get(at(c, "columns"), 1)), "unit_id");
	ck_assert_str_eq(json_string_value(json_array_get(json_array_get(at(c, "samples"), 0), 1)),
			 "u-19");
	ck_assert(json_is_null(json_array_get(json_array_get(at(c, "samples"), 1), 1)));
	assert_str(c, "recovery", "reprocess");
	assert_str(c, "target", "org_units");
	ck_assert_ptr_null(json_object_get(c, "findings"));
	ck_assert_ptr_null(json_object_get(c, "error"));

	c = json_array_get(checks, 1);
	assert_str(c, "kind", "compare");
	assert_null(c, "description");
	assert_int(at(c, "findings"), "missing", 1);
	assert_int(at(c, "findings"), "extra", 1);
	assert_int(at(c, "findings"), "changed", 1);
	grp = json_array_get(at(c, "groups"), 0);
	assert_int(grp, "missing", 1);
	assert_int(grp, "extra", 1);
	assert_int(grp, "changed", 1);
	ck_assert_str_eq(json_string_value(json_array_get(json_array_get(at(c, "samples"), 0), 1)),
			 "");

	c = json_array_get(checks, 2);
	assert_str(c, "kind", "value");
	ck_assert(json_is_real(at(c, "value")));
	ck_assert(json_real_value(at(c, "value")) == 0.5);
	assert_null(c, "recovery");
	assert_null(c, "target");
	ck_assert_int_eq(json_array_size(at(c, "groups")), 0);
	ck_assert_int_eq(json_array_size(at(c, "columns")), 0);
	ck_assert_int_eq(json_array_size(at(c, "samples")), 0);

	c = json_array_get(checks, 3);
	assert_str(c, "status", "error");
	assert_str(c, "error", "no such table: transfers");
	c = json_array_get(checks, 4);
	assert_str(c, "status", "skipped");
	assert_str(c, "skip_reason", "precondition did not hold");
	c = json_array_get(checks, 5);
	assert_bool(c, "paging", false);

	rec = at(root, "recovery");
	ck_assert_int_eq(json_array_size(at(rec, "recheck")), 0);
	ck_assert_int_eq(json_array_size(at(rec, "reprocess")), 2);
	ck_assert_str_eq(json_string_value(json_array_get(at(rec, "reprocess"), 0)), "org_units");
	ck_assert_str_eq(json_string_value(json_array_get(at(rec, "reprocess"), 1)), "roles");

	win = at(root, "window");
	ck_assert_int_eq(json_array_size(win), 3);
	assert_str(json_array_get(win, 0), "date", "2026-11-20");
	assert_str(json_array_get(win, 0), "status", "pass");
	assert_int(json_array_get(win, 0), "drift", 0);
	assert_str(json_array_get(win, 1), "status", "missing");
	assert_null(json_array_get(win, 1), "drift");
	assert_str(json_array_get(win, 2), "status", "fail");
	assert_int(json_array_get(win, 2), "drift", 17);

	sh = at(root, "shadows");
	ck_assert_int_eq(json_array_size(sh), 1);
	sh = json_array_get(sh, 0);
	assert_str(sh, "id", "f-signal");
	assert_str(sh, "of", "a-rows");
	assert_int(sh, "days", 1);
	assert_int(sh, "agree", 1);
	assert_int(sh, "disagree", 0);
	assert_int(sh, "skipped", 0);
	assert_int(sh, "errors", 0);
	ck_assert(json_number_value(at(sh, "skip_rate")) == 0.0);
	assert_bool(sh, "ready", false);

	in = at(root, "inputs");
	ck_assert_int_eq(json_array_size(in), 3);
	assert_str(json_array_get(in, 0), "source", "app");
	assert_null(json_array_get(in, 0), "table");
	assert_str(json_array_get(in, 0), "snapshot", "00000003-0000001A-1");
	assert_str(json_array_get(in, 1), "source", "feeds");
	assert_null(json_array_get(in, 1), "table");
	assert_str(json_array_get(in, 1), "sha256", f.inputs[1].sha256);
	assert_str(json_array_get(in, 2), "table", "departments");
	assert_int(json_array_get(in, 2), "rows", 40);
	assert_str(json_array_get(in, 2), "sha256", f.inputs[2].sha256);

	json_decref(root);
	free(text);
}
END_TEST

START_TEST(test_json_null_tenants_and_invalid_utf8)
{
	struct fx f;
	char *text;
	json_t *root;

	fx_init(&f);
	f.run.tenants_scanned = -1;
	f.res[3].error = "bad \xc3 byte";
	text = json_of(&f.rep);
	root = json_loads(text, 0, NULL);
	ck_assert_ptr_nonnull(root);
	assert_null(at(root, "summary"), "tenants_scanned");
	assert_str(json_array_get(at(root, "checks"), 3), "error", "bad \xEF\xBF\xBD byte");
	json_decref(root);
	free(text);
}
END_TEST

/* ---- banner -------------------------------------------------------------- */

START_TEST(test_banner_baseline)
{
	struct fx f;
	char *md, *text;
	json_t *root;
	size_t i;

	fx_init(&f);
	f.run.baseline = true;
	f.run.gate = STATUS_PASS;
	f.run.ninputs = 0;
	for (i = 0; i < f.run.nchecks; i++) {
		f.res[i] = (struct check_result){.cfg = &f.ccfg[i], .status = STATUS_SKIPPED,
			.skip_reason = "baseline: no source read"};
	}
	f.run.npass = f.run.nfail = f.run.nerror = 0;
	f.run.nskipped = 6;
	f.run.drift = 0;
	f.run.tenants_with_drift = 0;
	f.gate.streak = 1;
	md = md_of(&f.rep);
	ck_assert_has(md, "# Org model reconciliation — 2026-11-22\n\n> [!NOTE]\n"
			  "> **Baseline report** — no source was read");
	ck_assert_has(md, "today's gate status is **pass**");
	ck_assert_has(md, "Gate: **NOT MET**; streak 1 of 7 clean days.");
	ck_assert_has(md, "No input was read (baseline).");
	ck_assert_hasnt(md, "Per-tenant breakdown");
	ck_assert_str_eq(render_page_class(&f.rep), "gate-baseline");
	text = json_of(&f.rep);
	root = json_loads(text, 0, NULL);
	assert_bool(root, "baseline", true);
	assert_str(at(root, "gate"), "status", "pass");
	assert_str(json_array_get(at(root, "checks"), 0), "status", "skipped");
	assert_int(json_array_get(at(root, "checks"), 0), "drift", 0);
	json_decref(root);
	free(text);
	free(md);
}
END_TEST

START_TEST(test_banner_not_met_says_fail_and_errors)
{
	struct fx f;
	char *md;

	fx_init(&f);
	md = md_of(&f.rep);
	ck_assert_has(md, "# Org model reconciliation — 2026-11-22\n\n> [!CAUTION]\n"
			  "> **Gate: NOT MET** — today's gate status is **FAIL**; streak 0 of 7 "
			  "clean days.\n");
	ck_assert_has(md, "> Failing gating checks: **a-rows**, **b-compare**.\n");
	ck_assert_has(md, "> **Errors:** 1 check could not be evaluated (an error is not drift): "
			  "**d-error**.\n");
	ck_assert_str_eq(render_page_class(&f.rep), "gate-fail");
	free(md);
}
END_TEST

START_TEST(test_banner_met_and_unreadable)
{
	struct fx f;
	const char *unreadable[] = {"2026-11-15.json: unexpected end of file"};
	char *md;
	size_t i;

	fx_init(&f);
	for (i = 0; i < f.run.nchecks; i++)
		f.res[i] = (struct check_result){.cfg = &f.ccfg[i], .status = STATUS_PASS};
	f.run.gate = STATUS_PASS;
	f.gate.streak = 9;
	f.gate.met = true;
	f.gate.unreadable = unreadable;
	f.gate.nunreadable = 1;
	md = md_of(&f.rep);
	ck_assert_has(md, "\n> [!TIP]\n> **Gate: MET** — today's gate status is **pass**; "
			  "streak 9 clean days (7 required).\n");
	ck_assert_hasnt(md, "Errors:");
	ck_assert_hasnt(md, "Failing gating");
	ck_assert_has(md, "> - 2026-11-15.json: unexpected end of file\n");
	ck_assert_has(md, "No recovery needed.");
	ck_assert_str_eq(render_page_class(&f.rep), "gate-met");
	free(md);
}
END_TEST

/* A passing day whose streak is short of the gate is a warning, not a
 * success; the HTML page leaves the marker out (it colours the banner). */
START_TEST(test_banner_pass_not_yet_met_warns)
{
	struct fx f;
	struct html_inserts ins = { NULL, 0 };
	struct strbuf page;
	char *md;
	size_t i;

	fx_init(&f);
	for (i = 0; i < f.run.nchecks; i++)
		f.res[i] = (struct check_result){.cfg = &f.ccfg[i], .status = STATUS_PASS};
	f.run.gate = STATUS_PASS;
	f.gate.streak = 3;
	md = md_of(&f.rep);
	ck_assert_has(md, "— 2026-11-22\n\n> [!WARNING]\n> **Gate: NOT MET** — today's gate "
			  "status is **pass**; streak 3 of 7 clean days.\n");
	ck_assert_str_eq(render_page_class(&f.rep), "gate-pass");
	sb_init(&page);
	ck_assert_int_eq(md_page_of(&f.rep, &ins, &page), 0);
	ck_assert_hasnt(page.buf, "[!");
	ck_assert_has(page.buf, "— 2026-11-22\n\n> **Gate: NOT MET**");
	sb_release(&page);
	html_inserts_release(&ins);
	free(md);
}
END_TEST

START_TEST(test_banner_errors_only_exit_2)
{
	struct fx f;
	char *md;

	fx_init(&f);
	f.res[0].status = STATUS_PASS;
	f.res[1].status = STATUS_PASS;
	md = md_of(&f.rep);
	ck_assert_has(md, "No gating check failed, so the run exits with status 2.");
	free(md);
}
END_TEST

/* ---- sections ------------------------------------------------------------ */

START_TEST(test_sections_in_order)
{
	static const char *const order[] = {
		"# Org", "## Summary", "## Checks", "## Per-tenant breakdown", "## Samples",
		"## Recovery plan", "## Rolling window", "## Shadow checks", "## Provenance"};
	struct fx f;
	char *md;
	const char *p;
	size_t i;

	fx_init(&f);
	md = md_of(&f.rep);
	for (p = md, i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		const char *q = strstr(p, order[i]);

		ck_assert_msg(q != NULL, "%s missing or out of order", order[i]);
		p = q;
	}
	ck_assert_has(md, "| a-rows | rows | **FAIL** | yes | 12 | +3 | Every legacy department "
			  "has an org_units row |\n| b-compare |");
	ck_assert_has(md, "| b-compare | compare | **FAIL** | yes | 3 | -2 |  |");
	/* a value check's value is history: its change since the previous report */
	ck_assert_has(md, "| c-value | value | pass | yes | 0 | 0; value 0.25 → 0.5 (+0.25) | "
			  "Balance difference |");
	ck_assert_has(md, "| f-signal | rows | **FAIL** | no (signal-only) | 2 | new |");
	ck_assert_has(md, "- **d-error** (error): no such table: transfers\n");
	ck_assert_has(md, "- **e-skip** (skipped): precondition did not hold\n");
	ck_assert_has(md, "- **c-value** (value): value 0.5; expected 0 ± 1\n");
	ck_assert_has(md, "| tenant_id | drift | missing | extra | changed |");
	ck_assert_has(md, "| t-001 | 3 | 1 | 1 | 1 |");
	ck_assert_has(md, "| t-007 | *NULL* |");
	ck_assert_has(md, "| k1 |  |");
	ck_assert_has(md, "| reprocess | org_units | a-rows |");
	ck_assert_has(md, "| [2026-11-20](2026-11-20.md) | pass | 0 |\n| 2026-11-21 | missing | — |\n"
			  "| 2026-11-22 (today) | **FAIL** | 17 |");
	ck_assert_has(md, "Streak: 0 consecutive clean days (gate requires 7).");
	ck_assert_has(md, "| f-signal | a-rows | 1 | 1 | 0 | 0 | 0 | 0% | no |");
	ck_assert_has(md, "- recon version: " RECON_VERSION "\n");
	ck_assert_has(md, "| app | — | — | snapshot 00000003-0000001A-1 |");
	ck_assert_has(md, "| legacy | departments | 40 | sha256 ccc");
	ck_assert_has(md, "| tenants scanned | 40 |");
	f.rep.previous = NULL;
	free(md);
	md = md_of(&f.rep);
	ck_assert_has(md, "| a-rows | rows | **FAIL** | yes | 12 | — |");
	free(md);
}
END_TEST

START_TEST(test_no_groups_no_breakdown_no_shadows)
{
	struct fx f;
	char *md;
	size_t i;

	fx_init(&f);
	for (i = 0; i < f.run.nchecks; i++) {
		f.res[i].ngroups = 0;
		f.ccfg[i].shadow_of = NULL;
	f.rep.nshadows = 0;
	}
	f.run.tenants_scanned = -1;
	md = md_of(&f.rep);
	ck_assert_hasnt(md, "Per-tenant");
	ck_assert_hasnt(md, "Shadow");
	ck_assert_has(md, "| tenants scanned | — |");
	free(md);
}
END_TEST

START_TEST(test_breakdown_bounded_to_50)
{
	struct fx f;
	struct group_result g[60];
	char names[60][8];
	char *md;
	size_t i;

	fx_init(&f);
	for (i = 0; i < 60; i++) {
		snprintf(names[i], sizeof(names[i]), "t-%03zu", i);
		g[i] = (struct group_result){.group = names[i], .drift = i < 10 ? 1 : 2};
	}
	g[5].drift = 100;
	f.res[0].groups = g;
	f.res[0].ngroups = 60;
	md = md_of(&f.rep);
	ck_assert_has(md, "| t-005 | 100 |");
	ck_assert_hasnt(md, "| t-004 |");
	ck_assert_has(md, "| t-058 | 2 |");	/* ties by name */
	ck_assert_hasnt(md, "| t-059 |");
	ck_assert_has(md, "The 50 groups with the largest drift are shown; 10 more are in the "
			  "JSON report.");
	free(md);
}
END_TEST

/* ---- determinism --------------------------------------------------------- */

START_TEST(test_same_input_same_bytes)
{
	struct fx f;
	char *a, *b, *ha, *hb, *ja, *jb;

	fx_init(&f);
	a = md_of(&f.rep);
	b = md_of(&f.rep);
	ck_assert_str_eq(a, b);
	ha = html_of("t", a);
	hb = html_of("t", b);
	ck_assert_str_eq(ha, hb);
	ja = json_of(&f.rep);
	jb = json_of(&f.rep);
	ck_assert_str_eq(ja, jb);
	dump("day.md", a);
	dump("day.html", ha);
	dump("day.json", ja);
	free(a);
	free(b);
	free(ha);
	free(hb);
	free(ja);
	free(jb);
}
END_TEST

/* ---- recovery ------------------------------------------------------------ */

START_TEST(test_recovery_root_cause_first)
{
	/* departments <- org_units <- people; roles alone */
	struct fx f;
	struct recovery_plan p;

	fx_init(&f);
	f.ccfg[0] = (struct check_cfg){.id = "x1", .target = "people", .recovery = RECOVERY_REPROCESS,
		.paging = true};
	f.ccfg[1] = (struct check_cfg){.id = "x2", .target = "departments",
		.recovery = RECOVERY_REPROCESS, .paging = true};
	f.ccfg[2] = (struct check_cfg){.id = "x3", .target = "org_units",
		.recovery = RECOVERY_REPROCESS, .paging = true};
	f.ccfg[3] = (struct check_cfg){.id = "x4", .target = "roles", .recovery = RECOVERY_REPROCESS,
		.paging = true};
	f.ccfg[4] = (struct check_cfg){.id = "x5", .target = "roles", .recovery = RECOVERY_RECHECK,
		.paging = false};
	f.ccfg[5] = (struct check_cfg){.id = "x6", .paging = true};
	f.res[0].status = STATUS_FAIL;
	f.res[1].status = STATUS_ERROR;	/* an erroring ancestor still takes the finding */
	f.res[2].status = STATUS_FAIL;
	f.res[3].status = STATUS_FAIL;
	f.res[4].status = STATUS_FAIL;
	f.res[5].status = STATUS_FAIL;
	recovery_plan(&f.run, &p);
	ck_assert_int_eq(p.nrecheck, 2);
	ck_assert_int_eq(p.nreprocess, 0);
	ck_assert_str_eq(p.recheck[0].target, "departments");
	ck_assert_int_eq(p.recheck[0].nchecks, 2);
	ck_assert_str_eq(p.recheck[0].checks[0], "x1");
	ck_assert_str_eq(p.recheck[0].checks[1], "x3");
	ck_assert_str_eq(p.recheck[1].target, "roles");	/* recheck wins */
	ck_assert_int_eq(p.recheck[1].nchecks, 2);
	ck_assert_int_eq(p.nuntargeted, 1);
	ck_assert_str_eq(p.untargeted[0], "x6");
	recovery_plan_release(&p);

	/* the middle of the chain passing: people's parent is not in trouble,
	 * but its grandparent is */
	f.res[2].status = STATUS_PASS;
	f.res[1].status = STATUS_PASS;
	recovery_plan(&f.run, &p);
	ck_assert_int_eq(p.nreprocess, 1);
	ck_assert_str_eq(p.reprocess[0].target, "people");
	ck_assert_int_eq(p.nrecheck, 1);
	ck_assert_str_eq(p.recheck[0].target, "roles");
	recovery_plan_release(&p);

	f.res[1].status = STATUS_FAIL;
	recovery_plan(&f.run, &p);
	ck_assert_int_eq(p.nreprocess, 0);
	ck_assert_int_eq(p.nrecheck, 2);
	ck_assert_str_eq(p.recheck[0].target, "departments");	/* x2 reprocess, x1 recheck */
	ck_assert_int_eq(p.recheck[0].nchecks, 2);
	ck_assert_str_eq(p.recheck[0].checks[0], "x1");
	ck_assert_str_eq(p.recheck[0].checks[1], "x2");
	recovery_plan_release(&p);
}
END_TEST

/* Two derivatives of one failing parent (a diamond's two sides meeting at
 * their root): one recheck of the root, listing every check that led there;
 * a failing target whose ancestors are all fine keeps its own class. */
START_TEST(test_recovery_siblings_meet_at_their_root)
{
	struct fx f;
	struct recovery_plan p;
	struct target_cfg targets[4];

	fx_init(&f);
	targets[0] = (struct target_cfg){.name = "bars", .parent = "quotes"};
	targets[1] = (struct target_cfg){.name = "quotes"};
	targets[2] = (struct target_cfg){.name = "spreads", .parent = "quotes"};
	targets[3] = (struct target_cfg){.name = "vwap", .parent = "trades"};
	f.cfg.targets = targets;
	f.cfg.ntargets = 4;
	f.ccfg[0] = (struct check_cfg){.id = "y1", .target = "bars", .recovery = RECOVERY_REPROCESS,
		.paging = true};
	f.ccfg[1] = (struct check_cfg){.id = "y2", .target = "spreads",
		.recovery = RECOVERY_REPROCESS, .paging = true};
	f.ccfg[2] = (struct check_cfg){.id = "y3", .target = "quotes",
		.recovery = RECOVERY_REPROCESS, .paging = true};
	f.ccfg[3] = (struct check_cfg){.id = "y4", .target = "vwap", .recovery = RECOVERY_REPROCESS,
		.paging = true};
	f.ccfg[4] = (struct check_cfg){.id = "y5", .paging = true};
	f.ccfg[5] = (struct check_cfg){.id = "y6", .paging = true};
	f.res[0].status = STATUS_FAIL;
	f.res[1].status = STATUS_FAIL;
	f.res[2].status = STATUS_FAIL;
	f.res[3].status = STATUS_FAIL;
	f.res[4].status = STATUS_PASS;
	f.res[5].status = STATUS_PASS;
	recovery_plan(&f.run, &p);
	ck_assert_int_eq(p.nrecheck, 1);
	ck_assert_str_eq(p.recheck[0].target, "quotes");
	ck_assert_int_eq(p.recheck[0].nchecks, 3);
	ck_assert_str_eq(p.recheck[0].checks[0], "y1");
	ck_assert_str_eq(p.recheck[0].checks[1], "y2");
	ck_assert_str_eq(p.recheck[0].checks[2], "y3");
	/* trades is not in trouble: vwap is reprocessed, as its check says */
	ck_assert_int_eq(p.nreprocess, 1);
	ck_assert_str_eq(p.reprocess[0].target, "vwap");
	recovery_plan_release(&p);
}
END_TEST

/* ---- index --------------------------------------------------------------- */

START_TEST(test_index_newest_first)
{
	struct fx f;
	struct day days[3];
	struct history h;
	struct strbuf sb;
	const char *a, *b, *c;

	fx_init(&f);
	days[0] = (struct day){.date = "2026-11-01", .status = DAY_PASS, .drift = 0, .streak = 1,
		.baseline = true};
	days[1] = (struct day){.date = "2026-11-02", .status = DAY_UNREADABLE, .drift = -1,
		.error = "2026-11-02.json: '[' or '{' expected near 'x'"};
	days[2] = (struct day){.date = "2026-11-03", .status = DAY_FAIL, .drift = 4, .streak = 0};
	h = (struct history){.days = days, .ndays = 3};
	sb_init(&sb);
	ck_assert_int_eq(render_index_md(&h, "Org <model>", ".html", &sb), 0);
	ck_assert_has(sb.buf, "# Org \\<model> — reports\n");
	a = strstr(sb.buf, "| [2026-11-03](2026-11-03.html) | **FAIL** | 4 | 0 | no |  |");
	b = strstr(sb.buf, "| 2026-11-02 | unreadable | — | — | — | 2026-11-02.json: '\\[' or '{' "
			   "expected near 'x' |");
	c = strstr(sb.buf, "| [2026-11-01](2026-11-01.html) | pass | 0 | 1 | no | baseline |");
	ck_assert_msg(a && b && c, "%s", sb.buf);
	ck_assert(a < b && b < c);
	sb_release(&sb);

	h.ndays = 0;
	sb_init(&sb);
	ck_assert_int_eq(render_index_md(&h, "x", ".md", &sb), 0);
	ck_assert_has(sb.buf, "No reports yet.");
	sb_release(&sb);
}
END_TEST

/* ---- templates ----------------------------------------------------------- */

START_TEST(test_templates_builtin_and_dir)
{
	struct templates t;
	struct diag d = {{0}};
	char dir[] = "/tmp/recon-test-tpl-XXXXXX";
	char path[256];
	struct strbuf sb;
	FILE *fp;

	ck_assert_int_eq(templates_load(&t, NULL, &d), 0);
	ck_assert_has(t.shell, "{{body}}");
	ck_assert_has(t.shell, "<meta charset=\"utf-8\">");
	ck_assert_has(t.css, "prefers-color-scheme");
	templates_release(&t);

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/shell.html", dir);
	fp = fopen(path, "w");
	fputs("<t>{{title}}</t><s>{{css}}</s><m class=\"{{class}}\">{{body}}</m>{{other}}", fp);
	fclose(fp);
	ck_assert_int_eq(templates_load(&t, dir, &d), -1);
	ck_assert_has(d.msg, "style.css");
	snprintf(path, sizeof(path), "%s/style.css", dir);
	fp = fopen(path, "w");
	fputs("p{}", fp);
	fclose(fp);
	ck_assert_msg(templates_load(&t, dir, &d) == 0, "%s", d.msg);
	sb_init(&sb);
	ck_assert_int_eq(render_html("a & b", "gate-pass", "hi *there*", &t, &sb, &d), 0);
	ck_assert_str_eq(sb.buf, "<t>a &amp; b</t><s>p{}</s><m class=\"gate-pass\"><p>hi "
				 "<em>there</em></p>\n</m>{{other}}");
	sb_release(&sb);
	templates_release(&t);
	unlink(path);
	snprintf(path, sizeof(path), "%s/shell.html", dir);
	unlink(path);
	rmdir(dir);
}
END_TEST


/* ---- the site: navigation, charts, failing checks first, year pages ------- */

START_TEST(test_svg_text_escapes_everything)
{
	struct strbuf sb;

	sb_init(&sb);
	markup_text(&sb, "<script>\"a\" & 'b'</script>\x01\xff");
	ck_assert_str_eq(sb.buf, "&lt;script&gt;&quot;a&quot; &amp; &#39;b&#39;&lt;/script&gt; "
				 "\xEF\xBF\xBD");
	sb_release(&sb);
}
END_TEST

START_TEST(test_page_inserts_go_between_blocks)
{
	struct templates t;
	struct html_inserts ins = { NULL, 0 };
	struct strbuf sb;
	struct diag d = {{0}};
	const char *md = "# T\n\n\\<svg onload=x\\>\n\n| a |\n|---|\n| 1 |\n";
	const char *p, *q;

	ck_assert_int_eq(templates_load(&t, NULL, &d), 0);
	html_inserts_add(&ins, 5, "<svg class=\"chart\"></svg>\n");	/* after the heading */
	html_inserts_add(&ins, strlen(md), "<p class=\"end\"></p>\n");
	sb_init(&sb);
	ck_assert_msg(render_page("t", "x", md, &ins, &t, &sb, &d) == 0, "%s", d.msg);
	p = strstr(sb.buf, "<h1>T</h1>\n<svg class=\"chart\"></svg>\n<p>&lt;svg onload=x&gt;</p>");
	q = strstr(sb.buf, "</table>\n<p class=\"end\"></p>");
	ck_assert_msg(p && q && p < q, "%s", sb.buf);
	ck_assert_hasnt(sb.buf, "<svg onload");
	sb_release(&sb);
	html_inserts_release(&ins);
	templates_release(&t);
}
END_TEST

START_TEST(test_failing_checks_first_with_their_details)
{
	struct fx f;
	char *md;
	const char *fail_row, *pass_row, *sec, *a, *b;

	fx_init(&f);
	md = md_of(&f.rep);
	fail_row = strstr(md, "| b-compare | compare | **FAIL**");
	pass_row = strstr(md, "| c-value | value | pass");
	ck_assert_msg(fail_row && pass_row && fail_row < pass_row, "%s", md);
	/* the table is in id order, so a status flip changes one line */
	ck_assert_msg(strstr(md, "| d-error |") < strstr(md, "| e-skip |") &&
		      strstr(md, "| e-skip |") < strstr(md, "| f-signal |"), "checks table by id");
	sec = strstr(md, "## Failing checks\n\n### a-rows\n\n**FAIL** — drift 12 (+3 since the "
			 "previous report); rows check, gating; target org_units.\n");
	ck_assert_msg(sec != NULL, "%s", md);
	a = strstr(sec, "#### Per-tenant breakdown\n\n2 groups with drift.");
	b = strstr(sec, "#### Samples\n\n2 of 12 violating rows.");
	ck_assert_msg(a && b && a < b && b < strstr(sec, "### b-compare"), "%s", sec);
	ck_assert_has(md, "### f-signal\n\n**FAIL** — drift 2 (not in the previous report); rows "
			  "check, signal-only (not part of the gate).");
	ck_assert_hasnt(md, "### c-value");
	ck_assert_hasnt(md, "### d-error");
	free(md);
}
END_TEST

START_TEST(test_nav_and_drift_per_check_table)
{
	struct fx f;
	struct day days[3];
	char *md;

	fx_init(&f);
	days[0] = f.days[0];
	days[1] = f.days[1];
	days[2] = (struct day){.date = "2026-11-25", .status = DAY_PASS, .streak = 1};
	f.hist.days = days;
	f.hist.ndays = 3;
	f.rep.previous = &days[1];
	md = md_of(&f.rep);
	/* no link to a next day: it would not exist when the page is written,
	 * and a later report the history holds must not change the bytes */
	ck_assert_msg(strncmp(md, "[← 2026-11-20](2026-11-20.md) · [All reports](index.md)"
				  "\n\n# Org", 63) == 0, "%s", md);
	ck_assert_hasnt(md, "2026-11-25");
	ck_assert_hasnt(md, "2026-11-23");
	ck_assert_has(md, "| check | 11-20 | 11-21 | 11-22 |\n|---|--:|--:|--:|\n"
			  "| a-rows | **9** | — | **12** |\n");
	/* a value check shows its value over the window */
	ck_assert_has(md, "| c-value | 0.25 | — | 0.5 |\n");
	ck_assert_has(md, "| d-error | not run | — | error |\n");
	free(md);
	/* an unreadable previous day may have no page: link the one before */
	days[1].status = DAY_UNREADABLE;
	f.window[0].status = DAY_UNREADABLE;
	md = md_of(&f.rep);
	ck_assert_msg(strncmp(md, "[← 2026-11-19](2026-11-19.md) · [All reports](index.md)"
				  "\n\n# Org", 63) == 0, "%s", md);
	ck_assert_has(md, "| 2026-11-20 | unreadable |");
	ck_assert_hasnt(md, "[2026-11-20](");
	free(md);
	f.run.partial = true;	/* a --check run is no page of the directory */
	md = md_of(&f.rep);
	ck_assert_msg(strncmp(md, "# Org", 5) == 0, "%s", md);
	free(md);
}
END_TEST

START_TEST(test_day_page_charts_escaped_and_titled)
{
	struct fx f;
	struct html_inserts ins = { NULL, 0 };
	struct strbuf md;
	size_t i, nstrip = 0, nspark = 0;

	make_hostile(&f);
	f.rep.link_ext = ".html";
	sb_init(&md);
	ck_assert_int_eq(md_page_of(&f.rep, &ins, &md), 0);
	for (i = 0; i < ins.n; i++) {
		const char *h = ins.v[i].html;

		ck_assert_msg(ins.v[i].at <= md.len && (i == 0 || ins.v[i].at >= ins.v[i - 1].at),
			      "insert %zu out of order", i);
		ck_assert_hasnt(h, "<script");
		ck_assert_hasnt(h, "<img");
		if (strstr(h, "class=\"chart window\"")) {
			nstrip++;
			ck_assert_has(h, "<title>Gate status of the last 3 days, 2026-11-20 to "
					 "2026-11-22</title>");
			ck_assert_has(h, "<desc>3 days from 2026-11-20 to 2026-11-22:");
		}
		if (strstr(h, "class=\"chart spark\"")) {
			nspark += 1;
			if (strstr(h, "Drift of &lt;script&gt;"))
				ck_assert_has(h, "<title>Drift of &lt;script&gt;alert(1)&lt;/script&gt; "
						 "over the last 3 days</title>");
		}
	}
	ck_assert_int_eq(nstrip, 1);
	ck_assert_int_eq(nspark, 3 + 1);	/* failing sections, then the grid */
	ck_assert_msg(strstr(ins.v[ins.n - 1].html, "class=\"sparks\"") != NULL, "grid last");
	sb_release(&md);
	html_inserts_release(&ins);
}
END_TEST

START_TEST(test_index_recent_days_and_year_pages)
{
	struct day days[200];
	char dates[200][11];
	struct history h;
	struct index_page p = { "T", ".html", 7, 0, NULL };
	struct html_inserts ins = { NULL, 0 };
	struct strbuf sb;
	int *years;
	long first;
	size_t i;

	date_parse("2025-10-01", &first);
	for (i = 0; i < 200; i++) {
		date_format(first + (long)i, dates[i]);
		days[i] = (struct day){.day = first + (long)i, .status = i % 10 ? DAY_PASS : DAY_FAIL,
			.drift = i % 10 ? 0 : 5, .streak = (long long)(i % 10), .met = i % 10 >= 7};
		memcpy(days[i].date, dates[i], 11);
	}
	h = (struct history){.days = days, .ndays = 200};	/* 2025-10-01 .. 2026-04-18 */
	ck_assert_int_eq(render_years(&h, &years), 2);
	ck_assert_int_eq(years[0], 2025);
	ck_assert_int_eq(years[1], 2026);
	free(years);
	ck_assert_str_eq(render_index_class(&h), "index gate-met");

	sb_init(&sb);
	p.inserts = &ins;
	ck_assert_int_eq(render_index_page(&h, &p, &sb), 0);
	ck_assert_has(sb.buf, "— reports\n\n> **Latest report: [2026-04-18](2026-04-18.html) — "
			      "Gate: MET** — gate status **pass**; streak 9 clean days (7 required); drift 0.\n");
	ck_assert_hasnt(sb.buf, "[!");	/* the HTML page colours the banner itself */
	ck_assert_has(sb.buf, "| [2026-04-18](2026-04-18.html) | pass | 0 | 9 | yes |  |");
	ck_assert_has(sb.buf, "| [2026-01-19](2026-01-19.html) |");	/* 90 days back */
	ck_assert_hasnt(sb.buf, "| [2026-01-18](2026-01-18.html) |");
	ck_assert_has(sb.buf, "| [2026](index-2026.html) | 108 |");
	ck_assert_has(sb.buf, "| [2025](index-2025.html) | 92 | 82 | 10 | 0 |");
	ck_assert_int_eq(ins.n, 2);	/* the daily chart and the monthly one */
	ck_assert_has(ins.v[0].html, "<title>Drift and streak per day, 2026-01-19 to 2026-04-18</title>");
	ck_assert_has(ins.v[0].html, "gate 7</text>");
	ck_assert_has(ins.v[1].html, "<title>Days passed and failed per month, every report</title>");
	ck_assert_has(ins.v[1].html, "7 months from 2025-10 to 2026-04");
	html_inserts_release(&ins);
	sb_release(&sb);

	sb_init(&sb);
	p.year = 2025;
	p.inserts = NULL;
	p.link_ext = ".md";
	ck_assert_int_eq(render_index_page(&h, &p, &sb), 0);
	ck_assert_msg(strncmp(sb.buf, "[All reports](index.md)\n\n# T — 2025\n\nYears: **2025** "
				      "[2026](index-2026.md)\n", 70) == 0, "%s", sb.buf);
	ck_assert_has(sb.buf, "| December | 31 | 28 | 3 | 0 |");
	ck_assert_has(sb.buf, "| [2025-12-31](2025-12-31.md) |");
	ck_assert_has(sb.buf, "| [2025-10-01](2025-10-01.md) | **FAIL** | 5 | 0 | no |  |");
	ck_assert_hasnt(sb.buf, "2026-01-01.md");
	sb_release(&sb);

	/* index.md: the git host's alert follows the latest report's gate */
	sb_init(&sb);
	p.year = 0;
	ck_assert_int_eq(render_index_page(&h, &p, &sb), 0);
	ck_assert_has(sb.buf, "— reports\n\n> [!TIP]\n> **Latest report: [2026-04-18](2026-04-18.md)");
	sb_reset(&sb);
	days[199].status = DAY_FAIL;
	ck_assert_int_eq(render_index_page(&h, &p, &sb), 0);
	ck_assert_has(sb.buf, "> [!CAUTION]\n> **Latest report: [2026-04-18]");
	sb_reset(&sb);
	days[199].status = DAY_PASS;
	days[199].met = false;
	ck_assert_int_eq(render_index_page(&h, &p, &sb), 0);
	ck_assert_has(sb.buf, "> [!WARNING]\n> **Latest report: [2026-04-18]");
	sb_release(&sb);
}
END_TEST

START_TEST(test_day_chart_shapes_not_only_colour)
{
	struct chart_day d[3] = {
		{.date = "2026-11-01", .status = DAY_PASS, .drift = 0, .streak = 1},
		{.date = "2026-11-02", .status = DAY_MISSING, .drift = -1, .streak = -1},
		{.date = "2026-11-03", .status = DAY_FAIL, .drift = 4, .streak = 0},
	};
	struct strbuf sb;

	sb_init(&sb);
	svg_day_chart(&sb, d, 3, 5, "A <title>");
	ck_assert_has(sb.buf, "<title>A &lt;title&gt;</title>");
	ck_assert_has(sb.buf, "<desc>3 days from 2026-11-01 to 2026-11-03: 1 pass, 1 fail, 1 "
			      "without a report. Drift 4 in total, largest 4 on 2026-11-03.");
	ck_assert_has(sb.buf, "<title>2026-11-03: FAIL, drift 4, streak 0</title>");
	ck_assert_has(sb.buf, "<title>2026-11-02: no report</title>");
	ck_assert_has(sb.buf, "height=\"8\"/>");	/* a fail's tall band mark */
	ck_assert_has(sb.buf, "height=\"3\"/>");	/* a pass's short one */
	ck_assert_has(sb.buf, "stroke-dasharray=\"6 3\"");	/* the gate line */
	sb_release(&sb);
}
END_TEST

/* The widest <rect> of an SVG. */
static long widest_rect(const char *svg)
{
	const char *p = svg;
	long max = 0;

	while ((p = strstr(p, "<rect")) != NULL) {
		const char *end = strchr(p, '>'), *w = strstr(p, " width=\"");

		if (w && w < end && atol(w + 8) > max)
			max = atol(w + 8);
		p = end;
	}
	return max;
}

/* Axis labels are thinned by width, bars are capped, and a day without a
 * report has a mark of its own as tall as the drift panel. */
START_TEST(test_day_chart_labels_fit_bars_capped_gaps_marked)
{
	struct chart_day d[90];
	struct strbuf sb;
	long first;
	size_t i;

	date_parse("2026-10-20", &first);
	for (i = 0; i < 90; i++) {
		date_format(first + (long)i, d[i].date);
		d[i].status = i == 1 ? DAY_MISSING : i % 5 ? DAY_PASS : DAY_FAIL;
		d[i].drift = i == 1 ? -1 : i % 5 ? 0 : 4;
		d[i].streak = i == 1 ? -1 : (long long)(i % 5);
		d[i].word = NULL;
		d[i].baseline = false;
	}
	sb_init(&sb);
	/* 2 days: both dates in full would overlap, so the last is left out */
	svg_day_chart(&sb, d, 2, 7, "t");
	ck_assert_has(sb.buf, ">2026-10-20</text>");
	ck_assert_hasnt(sb.buf, ">2026-10-21</text>");
	ck_assert_hasnt(sb.buf, ">10-21</text>");
	ck_assert_has(sb.buf, "<g><title>2026-10-21: no report</title><rect x=\"92.5\" y=\"16.5\" "
			      "width=\"34\" height=\"97\"/>");
	ck_assert_int_le(widest_rect(sb.buf), 36);
	sb_reset(&sb);
	/* 3 days: the last in short form fits beside the first */
	svg_day_chart(&sb, d, 3, 7, "t");
	ck_assert_has(sb.buf, ">2026-10-20</text>");
	ck_assert_has(sb.buf, "text-anchor=\"end\">10-22</text>");
	ck_assert_int_le(widest_rect(sb.buf), 36);
	ck_assert_has(sb.buf, "viewBox=\"0 0 320 ");	/* not stretched */
	sb_reset(&sb);
	/* 90 days: both ends in full and the month starts between them */
	svg_day_chart(&sb, d, 90, 7, "t");
	ck_assert_has(sb.buf, ">2026-10-20</text>");
	ck_assert_has(sb.buf, ">2027-01-17</text>");
	ck_assert_has(sb.buf, ">2026-11</text>");
	ck_assert_has(sb.buf, ">2026-12</text>");
	ck_assert_has(sb.buf, ">2027-01</text>");
	ck_assert_int_le(widest_rect(sb.buf), 8);
	sb_release(&sb);
}
END_TEST

static Suite *render_suite(void)
{
	Suite *s = suite_create("render");
	TCase *tc = tcase_create("rules");

	tcase_add_test(tc, test_md_escape_makes_markup_literal);
	tcase_add_test(tc, test_day_chart_labels_fit_bars_capped_gaps_marked);
	tcase_add_test(tc, test_md_escape_leaves_plain_text_alone);
	tcase_add_test(tc, test_md_escape_renders_literally_on_a_git_host);
	tcase_add_test(tc, test_hostile_data_shows_literally);
	tcase_add_test(tc, test_json_round_trip);
	tcase_add_test(tc, test_json_null_tenants_and_invalid_utf8);
	tcase_add_test(tc, test_banner_baseline);
	tcase_add_test(tc, test_banner_not_met_says_fail_and_errors);
	tcase_add_test(tc, test_banner_met_and_unreadable);
	tcase_add_test(tc, test_banner_pass_not_yet_met_warns);
	tcase_add_test(tc, test_banner_errors_only_exit_2);
	tcase_add_test(tc, test_sections_in_order);
	tcase_add_test(tc, test_no_groups_no_breakdown_no_shadows);
	tcase_add_test(tc, test_breakdown_bounded_to_50);
	tcase_add_test(tc, test_same_input_same_bytes);
	tcase_add_test(tc, test_recovery_root_cause_first);
	tcase_add_test(tc, test_recovery_siblings_meet_at_their_root);
	tcase_add_test(tc, test_index_newest_first);
	tcase_add_test(tc, test_templates_builtin_and_dir);
	tcase_add_test(tc, test_svg_text_escapes_everything);
	tcase_add_test(tc, test_page_inserts_go_between_blocks);
	tcase_add_test(tc, test_failing_checks_first_with_their_details);
	tcase_add_test(tc, test_nav_and_drift_per_check_table);
	tcase_add_test(tc, test_day_page_charts_escaped_and_titled);
	tcase_add_test(tc, test_index_recent_days_and_year_pages);
	tcase_add_test(tc, test_day_chart_shapes_not_only_colour);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(render_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
