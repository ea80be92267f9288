/*
 * site.c: the files of one run, rendered from the day's report and written
 * all at once (see site.h).  The day's three files come first, then
 * index.md/index.html, then two files per year page, then style.css (the
 * stylesheet every page links); a year page or stylesheet whose bytes did
 * not change is not rewritten, so a run touches its own year's page only
 * and a style change touches one file.
 */
#include "site.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Does dir/name already hold exactly data[0..len)?  (A year page or the
 * stylesheet that did not change is not rewritten.) */
static bool same_file(const char *dir, const char *name, const char *data, size_t len)
{
	char path[4096], buf[65536];
	FILE *f;
	size_t n, at = 0;
	bool same = true;

	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) >= sizeof(path))
		return false;
	f = fopen(path, "rb");
	if (!f)
		return false;
	while (same && (n = fread(buf, 1, sizeof(buf), f)) > 0) {
		same = n <= len - at && memcmp(buf, data + at, n) == 0;
		at += n;
	}
	same = same && !ferror(f) && at == len;
	fclose(f);
	return same;
}

/* The files of a run, rendered before any is written, in the order they
 * are written. */
struct site_file {
	char name[32];		/* inside the report directory */
	struct strbuf body;
	bool if_changed;	/* left alone when the directory holds these bytes */
};

struct site_files {
	struct site_file *v;
	size_t n;
};

/* A new, empty file called name (a printf format) at the end of fs; its
 * body until the next site_add. */
static struct strbuf *site_add(struct site_files *fs, bool if_changed, const char *fmt, ...)
	RECON_PRINTF(3, 4);

static struct strbuf *site_add(struct site_files *fs, bool if_changed, const char *fmt, ...)
{
	struct site_file *f;
	va_list ap;

	fs->v = xrealloc(fs->v, (fs->n + 1) * sizeof(*fs->v));
	f = &fs->v[fs->n++];
	va_start(ap, fmt);
	vsnprintf(f->name, sizeof(f->name), fmt, ap);
	va_end(ap);
	sb_init(&f->body);
	f->if_changed = if_changed;
	return &f->body;
}

static void site_files_release(struct site_files *fs)
{
	size_t i;

	for (i = 0; i < fs->n; i++)
		sb_release(&fs->v[i].body);
	free(fs->v);
}

/* An index page (year 0: index, else index-YEAR) into fs: the Markdown
 * file, then the HTML page from the same Markdown with its charts. */
static int site_index(struct site_files *fs, const struct history *h, int year,
		      const struct run *run, const struct templates *t, struct diag *d)
{
	struct index_page ip = { run->cfg->title, ".md", run->cfg->gate_days, year, NULL };
	struct html_inserts ins = { NULL, 0 };
	struct strbuf mdh = STRBUF_INIT;	/* the page's Markdown, for its HTML */
	char title[1024];
	int ret = -1;

	if (year)
		snprintf(title, sizeof(title), "%s — %d", run->cfg->title, year);
	else
		snprintf(title, sizeof(title), "%s", run->cfg->title);
	if (render_index_page(h, &ip, year ? site_add(fs, true, "index-%d.md", year)
					   : site_add(fs, false, "index.md")) < 0)
		goto out;
	ip.link_ext = ".html";
	ip.inserts = &ins;
	if (render_index_page(h, &ip, &mdh) < 0)
		goto out;
	ret = render_page(title, year ? "index year" : render_index_class(h), mdh.buf, &ins, t,
			  year ? site_add(fs, true, "index-%d.html", year)
			       : site_add(fs, false, "index.html"), d);
out:
	sb_release(&mdh);
	html_inserts_release(&ins);
	return ret;
}

/* Render the day, the index and the year pages, then write them all at
 * once: DATE.{json,md,html}, index.{md,html}, index-YYYY.{md,html} for
 * every year with a report whose page changed, and style.css when its
 * bytes changed. */
int site_write(struct report_dir *rd, struct report *day, struct history *h,
	       const struct templates *t, struct diag *d)
{
	const struct run *run = day->run;
	struct report r = *day;	/* a view of the day: its links change below */
	struct html_inserts ins = { NULL, 0 };
	struct site_files fs = { NULL, 0 };
	struct strbuf mdh = STRBUF_INIT;	/* the day's Markdown, for its HTML */
	struct report_file *files = NULL;
	char title[1024];
	int *years = NULL;
	size_t nyears, nfiles = 0, i;
	long today;
	int ret = -1;

	r.link_ext = ".md";
	if (render_json(&r, site_add(&fs, false, "%s.json", run->date), d) < 0 ||
	    render_md(&r, site_add(&fs, false, "%s.md", run->date)) < 0)
		goto out;
	r.link_ext = ".html";
	snprintf(title, sizeof(title), "%s — %s", run->cfg->title, run->date);
	if (render_md_page(&r, &ins, &mdh) < 0 ||
	    render_page(title, render_page_class(&r), mdh.buf, &ins, t,
			site_add(&fs, false, "%s.html", run->date), d) < 0)
		goto out;

	/* the index and the year pages list the run's own day too */
	history_put(h, run, day->gate);
	date_parse(run->date, &today);
	day->previous = history_previous(h, today);	/* h's days moved */
	nyears = render_years(h, &years);
	for (i = 0; i <= nyears; i++)
		if (site_index(&fs, h, i ? years[i - 1] : 0, run, t, d) < 0)
			goto out;

	files = xcalloc(fs.n + 1, sizeof(*files));	/* and style.css */
	for (i = 0; i < fs.n; i++) {
		const struct site_file *f = &fs.v[i];

		if (f->body.overflow) {
			diag_error(d, "report too large");
			goto out;
		}
		if (f->if_changed && same_file(rd->path, f->name, f->body.buf, f->body.len))
			continue;
		files[nfiles++] = (struct report_file){ f->name, f->body.buf, f->body.len };
	}
	if (!same_file(rd->path, SITE_STYLESHEET, t->css, strlen(t->css)))
		files[nfiles++] = (struct report_file){ SITE_STYLESHEET, t->css, strlen(t->css) };
	ret = report_dir_write(rd, files, nfiles, d);
out:
	sb_release(&mdh);
	html_inserts_release(&ins);
	site_files_release(&fs);
	free(files);
	free(years);
	return ret;
}
