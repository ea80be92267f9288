/*
 * render_html.c: the HTML page of a report, from its Markdown.
 *
 * The Markdown is parsed with cmark-gfm (tables and strikethrough; no
 * autolink, so bare text never turns into a link) in safe mode: raw HTML and
 * javascript: URLs are dropped by the library, and md_escape already made
 * every piece of data literal text.  The HTML goes into the template shell
 * in place of {{body}}; {{title}} and {{class}} are HTML-escaped, {{css}} is
 * the stylesheet as is (for a custom shell that inlines it; the built-in
 * one links style.css beside the page, so a style change rewrites one file,
 * not every day's page).  No script, no request outside the report
 * directory.  Every cmark allocation is freed here.
 *
 * recon's own HTML (charts, navigation; struct html_inserts) goes in
 * between blocks: the Markdown is cut at the recorded offsets, each stretch
 * rendered on its own (the cuts are block boundaries, so the result is the
 * same as one parse), and the pieces follow their stretch.  The offsets are
 * recorded by the renderers while they write, never found in the text, so
 * data cannot place or forge a piece.
 */
#include "render.h"
#include "md_escape.h"
#include "render_svg.h"

#include <cmark-gfm.h>
#include <cmark-gfm-core-extensions.h>
#include <stdlib.h>
#include <string.h>

/* Tables render alignment as style attributes: HTML5 has no align=. */
#define RENDER_CMARK_OPTS \
	(CMARK_OPT_DEFAULT | CMARK_OPT_VALIDATE_UTF8 | CMARK_OPT_TABLE_PREFER_STYLE_ATTRIBUTES)

/* Queue a copy of html to go in at offset at (see render.h). */
void html_inserts_add(struct html_inserts *ins, size_t at, const char *html)
{
	ins->v = xrealloc(ins->v, (ins->n + 1) * sizeof(*ins->v));
	ins->v[ins->n].at = at;
	ins->v[ins->n].html = xstrdup(html);
	ins->n++;
}

/* Free every queued piece; ins is left empty. */
void html_inserts_release(struct html_inserts *ins)
{
	size_t i;

	for (i = 0; i < ins->n; i++)
		free(ins->v[i].html);
	free(ins->v);
	ins->v = NULL;
	ins->n = 0;
}

/* Markdown markdown[0..len) -> HTML fragment appended to o.  -1 with d set
 * on failure. */
static int markdown_to_html(const char *markdown, size_t len, struct strbuf *o, struct diag *d)
{
	static const char *const exts[] = {"table", "strikethrough"};
	cmark_parser *parser = NULL;
	cmark_node *doc = NULL;
	char *html = NULL;
	size_t i;
	int ret = -1;

	cmark_gfm_core_extensions_ensure_registered();
	parser = cmark_parser_new(RENDER_CMARK_OPTS);
	if (!parser) {
		diag_error(d, "cmark: cannot create a parser");
		goto out;
	}
	for (i = 0; i < sizeof(exts) / sizeof(exts[0]); i++) {
		cmark_syntax_extension *e = cmark_find_syntax_extension(exts[i]);

		if (!e || !cmark_parser_attach_syntax_extension(parser, e)) {
			diag_error(d, "cmark: extension '%s' unavailable", exts[i]);
			goto out;
		}
	}
	cmark_parser_feed(parser, markdown, len);
	doc = cmark_parser_finish(parser);
	if (!doc) {
		diag_error(d, "cmark: cannot parse the report");
		goto out;
	}
	html = cmark_render_html(doc, RENDER_CMARK_OPTS, cmark_parser_get_syntax_extensions(parser));
	if (!html) {
		diag_error(d, "cmark: cannot render the report");
		goto out;
	}
	if (sb_puts(o, html) < 0) {
		diag_error(d, "HTML page larger than %zu bytes", o->max);
		goto out;
	}
	ret = 0;
out:
	if (html)
		cmark_get_default_mem_allocator()->free(html);
	if (doc)
		cmark_node_free(doc);
	if (parser)
		cmark_parser_free(parser);
	return ret;
}

/* Render markdown as a whole page in t's shell, appended to out (see
 * render.h).  Returns 0, or -1 with d set. */
int render_html(const char *title, const char *page_class, const char *markdown,
		const struct templates *t, struct strbuf *out, struct diag *d)
{
	return render_page(title, page_class, markdown, NULL, t, out, d);
}

/* The body: the Markdown's stretches rendered, recon's pieces in between. */
static int page_body(const char *markdown, const struct html_inserts *ins, struct strbuf *body,
		     struct diag *d)
{
	size_t len = strlen(markdown), at = 0, i;

	for (i = 0; ins && i < ins->n; i++) {
		size_t cut = ins->v[i].at < len ? ins->v[i].at : len;

		if (cut > at && markdown_to_html(markdown + at, cut - at, body, d) < 0)
			return -1;
		if (cut > at)
			at = cut;
		sb_puts(body, ins->v[i].html);
	}
	if (len > at && markdown_to_html(markdown + at, len - at, body, d) < 0)
		return -1;
	return 0;
}

/* A whole page with recon's pieces (see render.h).  Returns 0, or -1 with d
 * set. */
int render_page(const char *title, const char *page_class, const char *markdown,
		const struct html_inserts *ins, const struct templates *t, struct strbuf *out,
		struct diag *d)
{
	struct strbuf body;
	const char *p = t->shell, *open;
	int ret = -1;

	sb_init(&body);
	if (page_body(markdown, ins, &body, d) < 0)
		goto out;
	while ((open = strstr(p, "{{")) != NULL) {
		const char *name = open + 2, *close = strstr(name, "}}");
		size_t n;

		if (!close)
			break;
		n = (size_t)(close - name);
		sb_add(out, p, (size_t)(open - p));
		if (n == 5 && memcmp(name, "title", 5) == 0)
			markup_text(out, title);
		else if (n == 5 && memcmp(name, "class", 5) == 0)
			markup_text(out, page_class);
		else if (n == 3 && memcmp(name, "css", 3) == 0)
			sb_puts(out, t->css);
		else if (n == 4 && memcmp(name, "body", 4) == 0)
			sb_add(out, body.buf, body.len);
		else
			sb_add(out, open, (size_t)(close + 2 - open));	/* not ours: keep */
		p = close + 2;
	}
	sb_puts(out, p);
	if (out->overflow) {
		diag_error(d, "HTML page larger than %zu bytes", out->max);
		goto out;
	}
	ret = 0;
out:
	sb_release(&body);
	return ret;
}
