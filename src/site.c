/*
 * site.c: the files of one run, rendered from the day's report and written
 * all at once (see site.h).  The day's three files come first, then
 * index.md/index.html, then two files per year page, then style.css (the
 * stylesheet every page links); a year page or stylesheet whose bytes did
 * not change is not rewritten, so a run touches its own year's page only
 * and a style change touches one file.
 */
#include "site.h"

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

/* Render the day, the index and the year pages, then write them all at
 * once: DATE.{json,md,html}, index.{md,html}, index-YYYY.{md,html} for
 * every year with a report whose page changed, and style.css when its
 * bytes changed. */
int site_write(struct report_dir *rd, struct report *day, struct history *h,
	       const struct templates *t, struct diag *d)
{
	const struct run *run = day->run;
	struct report r = *day;	/* a view of the day: its links change below */
	struct html_inserts day_ins = { NULL, 0 }, ins = { NULL, 0 };
	struct index_page ip = { run->cfg->title, ".md", run->cfg->gate_days, 0, NULL };
	struct strbuf *sb = NULL;	/* json, md, day html, index md, index html, years... */
	struct strbuf mdh = STRBUF_INIT;	/* a page's Markdown as HTML, before its shell */
	struct report_file *files = NULL;
	char (*name)[32] = NULL, page_title[1024];
	int *years = NULL;
	size_t nyears = 0, nsb, nfiles = 0, i;
	long today;
	int ret = -1;

	date_parse(run->date, &today);
	r.link_ext = ".md";
	nyears = render_years(h, &years);
	nsb = 5 + 2 * (nyears + 1);	/* the run's year may be new */
	sb = xcalloc(nsb, sizeof(*sb));
	files = xcalloc(nsb + 1, sizeof(*files));	/* and style.css */
	name = xcalloc(nsb, sizeof(*name));
	for (i = 0; i < nsb; i++)
		sb_init(&sb[i]);
	if (render_json(&r, &sb[0], d) < 0 || render_md(&r, &sb[1]) < 0)
		goto out;
	r.link_ext = ".html";
	snprintf(page_title, sizeof(page_title), "%s — %s", run->cfg->title, run->date);
	if (render_md_page(&r, &day_ins, &mdh) < 0 ||
	    render_page(page_title, render_page_class(&r), mdh.buf, &day_ins, t, &sb[2], d) < 0)
		goto out;
	snprintf(name[0], sizeof(name[0]), "%s.json", run->date);
	snprintf(name[1], sizeof(name[1]), "%s.md", run->date);
	snprintf(name[2], sizeof(name[2]), "%s.html", run->date);
	snprintf(name[3], sizeof(name[3]), "index.md");
	snprintf(name[4], sizeof(name[4]), "index.html");

	history_put(h, run, day->gate);
	day->previous = history_previous(h, today);	/* h's days moved */
	free(years);
	nyears = render_years(h, &years);
	/* index (i = 0) and each year page: the Markdown file, then the HTML */
	for (i = 0; i <= nyears; i++) {
		size_t m = i ? 5 + 2 * (i - 1) : 3;

		ip.year = i ? years[i - 1] : 0;
		if (i) {
			snprintf(name[m], sizeof(name[m]), "index-%d.md", ip.year);
			snprintf(name[m + 1], sizeof(name[m + 1]), "index-%d.html", ip.year);
			snprintf(page_title, sizeof(page_title), "%s — %d", run->cfg->title, ip.year);
		} else {
			snprintf(page_title, sizeof(page_title), "%s", run->cfg->title);
		}
		ip.link_ext = ".md";
		ip.inserts = NULL;
		if (render_index_page(h, &ip, &sb[m]) < 0)
			goto out;
		sb_release(&mdh);	/* empty again, for this page */
		ip.link_ext = ".html";
		ip.inserts = &ins;
		if (render_index_page(h, &ip, &mdh) < 0 ||
		    render_page(page_title, i ? "index year" : render_index_class(h), mdh.buf, &ins, t,
				&sb[m + 1], d) < 0)
			goto out;
		html_inserts_release(&ins);
	}
	for (i = 0; i < 5 + 2 * nyears; i++) {
		if (sb[i].overflow) {
			diag_error(d, "report too large");
			goto out;
		}
		if (i >= 5 && same_file(rd->path, name[i], sb[i].buf, sb[i].len))
			continue;
		files[nfiles++] = (struct report_file){ name[i], sb[i].buf, sb[i].len };
	}
	if (!same_file(rd->path, SITE_STYLESHEET, t->css, strlen(t->css)))
		files[nfiles++] = (struct report_file){ SITE_STYLESHEET, t->css, strlen(t->css) };
	ret = report_dir_write(rd, files, nfiles, d);
out:
	sb_release(&mdh);
	for (i = 0; i < nsb; i++)
		sb_release(&sb[i]);
	html_inserts_release(&day_ins);
	html_inserts_release(&ins);
	free(sb);
	free(files);
	free(name);
	free(years);
	return ret;
}

