/*
 * main.c: recon's command line.  Parses arguments into options, hands them
 * down the pipeline (config -> sweep -> history -> renderers -> report
 * directory) and turns the outcome into the contract's exit status: this is
 * the only place that decides one.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "diff.h"
#include "history.h"
#include "metrics.h"
#include "render.h"
#include "report_dir.h"
#include "sweep.h"

enum exit_status { EXIT_PASS = 0, EXIT_DRIFT = 1, EXIT_TROUBLE = 2 };

static const char usage_text[] =
	"usage: recon run      [-c FILE] [-o DIR] [--date YYYY-MM-DD] [--baseline]\n"
	"                      [--check ID]... [--metrics FILE] [-q]\n"
	"       recon diff     [-c FILE] [-o DIR] DATE_A DATE_B\n"
	"       recon validate [-c FILE]\n"
	"       recon --help | --version\n";

static const char help_text[] =
	"\n"
	"recon evaluates every declared reconciliation check over CSV snapshots,\n"
	"PostgreSQL or SQLite in one sweep and writes the day's report (Markdown,\n"
	"HTML, JSON) into the report directory.\n"
	"\n"
	"  -c FILE          configuration (default ./recon.ini)\n"
	"  -o DIR           report directory (overrides [report] output_dir)\n"
	"  --date DATE      the report's date (default: today, UTC)\n"
	"  --baseline       write the day's report without reading any source\n"
	"  --check ID       evaluate only this check (repeatable); print the partial\n"
	"                   report on stdout and write nothing\n"
	"  --metrics FILE   also write Prometheus text metrics to FILE\n"
	"  -q               print nothing but errors\n"
	"\n"
	"Exit status of run: 0 gate pass, 1 a gating check failed, 2 a gating check\n"
	"errored or the run could not start.  diff: 0 same, 1 different, 2 trouble.\n"
	"See recon(1).\n";

struct options {
	const char *command;
	const char *config;
	const char *output;
	const char *date;
	bool baseline;
	const char **only;	/* --check ids, NULL-terminated */
	size_t nonly;
	const char *metrics;
	bool quiet;
	const char *args[2];	/* diff dates */
	size_t nargs;
};

static int usage_error(const char *what, const char *arg)
{
	fprintf(stderr, "recon: %s%s%s\n", what, arg ? ": " : "", arg ? arg : "");
	fputs(usage_text, stderr);
	return EXIT_TROUBLE;
}

/* -1: exit with *status (help, version or a usage error). */
static int parse_args(int argc, char **argv, struct options *o, int *status)
{
	enum { OPT_DATE = 256, OPT_BASELINE, OPT_CHECK, OPT_METRICS, OPT_HELP, OPT_VERSION };
	static const struct option longopts[] = {
		{ "date", required_argument, NULL, OPT_DATE },
		{ "baseline", no_argument, NULL, OPT_BASELINE },
		{ "check", required_argument, NULL, OPT_CHECK },
		{ "metrics", required_argument, NULL, OPT_METRICS },
		{ "help", no_argument, NULL, OPT_HELP },
		{ "version", no_argument, NULL, OPT_VERSION },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	memset(o, 0, sizeof(*o));
	o->config = "recon.ini";
	o->only = xcalloc((size_t)argc + 1, sizeof(*o->only));
	if (argc >= 2 && argv[1][0] != '-') {
		o->command = argv[1];
		argv++;
		argc--;
	}
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+c:o:q", longopts, NULL)) != -1) {
		switch (c) {
		case 'c':
			o->config = optarg;
			break;
		case 'o':
			o->output = optarg;
			break;
		case 'q':
			o->quiet = true;
			break;
		case OPT_DATE:
			o->date = optarg;
			break;
		case OPT_BASELINE:
			o->baseline = true;
			break;
		case OPT_CHECK:
			o->only[o->nonly++] = optarg;
			break;
		case OPT_METRICS:
			o->metrics = optarg;
			break;
		case OPT_HELP:
			fputs(usage_text, stdout);
			fputs(help_text, stdout);
			*status = EXIT_PASS;
			return -1;
		case OPT_VERSION:
			puts("recon " RECON_VERSION);
			*status = EXIT_PASS;
			return -1;
		default:
			*status = usage_error("unknown or incomplete option", argv[optind - 1]);
			return -1;
		}
	}
	for (; optind < argc; optind++) {
		if (o->nargs == 2) {
			*status = usage_error("unexpected argument", argv[optind]);
			return -1;
		}
		o->args[o->nargs++] = argv[optind];
	}
	if (!o->command) {
		*status = usage_error("missing command (run, diff or validate)", NULL);
		return -1;
	}
	if (strcmp(o->command, "diff") == 0 ? o->nargs != 2 : o->nargs != 0) {
		*status = usage_error("wrong number of arguments for", o->command);
		return -1;
	}
	if (strcmp(o->command, "run") != 0 &&
	    (o->date || o->baseline || o->nonly || o->metrics || o->quiet)) {
		*status = usage_error("option not valid for", o->command);
		return -1;
	}
	if (strcmp(o->command, "validate") == 0 && o->output) {
		*status = usage_error("option not valid for", o->command);
		return -1;
	}
	if (o->baseline && o->nonly) {
		*status = usage_error("--baseline and --check do not go together", NULL);
		return -1;
	}
	return 0;
}

static void today_utc(char out[11])
{
	/* POSIX time has no leap seconds: whole days since the epoch */
	date_format((long)(time(NULL) / 86400), out);
}

/* The exit status of a finished run: paging checks only. */
static int run_status(const struct run *run)
{
	size_t i;
	bool errored = false;

	for (i = 0; i < run->nchecks; i++) {
		if (!run->checks[i].cfg->paging)
			continue;
		if (run->checks[i].status == STATUS_FAIL)
			return EXIT_DRIFT;
		if (run->checks[i].status == STATUS_ERROR)
			errored = true;
	}
	return errored ? EXIT_TROUBLE : EXIT_PASS;
}

/* Shadow agreement and skip rates, from the history and today's run. */
static void add_soak(struct report *r, const struct history *h, struct run *run)
{
	struct shadow *sh;
	struct skip_rate *sk;

	r->nshadows = shadows_compute(h, run, &sh);
	r->shadows = sh;
	r->nskips = skip_rates_compute(h, run, &sk);
	r->skips = sk;
}

/* Does dir/name already hold exactly data[0..len)?  (A year page that did
 * not change is not rewritten: a run touches its own year's page only.) */
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
 * once: DATE.{json,md,html}, index.{md,html}, and index-YYYY.{md,html} for
 * every year with a report whose page changed. */
static int write_reports(struct report_dir *rd, struct run *run, struct history *h,
			 const struct gate *g, const struct templates *t, struct diag *d)
{
	struct report r = { run, g, h, NULL, ".md", NULL, 0, NULL, 0 };
	struct html_inserts day_ins = { NULL, 0 }, ins = { NULL, 0 };
	struct index_page ip = { run->cfg->title, ".md", run->cfg->gate_days, 0, NULL };
	struct strbuf *sb = NULL;	/* json, md, day html, index md, index html, years... */
	struct report_file *files = NULL;
	char (*name)[32] = NULL, page_title[1024];
	int *years = NULL;
	size_t nyears = 0, nsb, nfiles = 0, i;
	long today;
	int ret = -1;

	date_parse(run->date, &today);
	r.previous = history_previous(h, today);
	add_soak(&r, h, run);
	nyears = render_years(h, &years);
	nsb = 5 + 2 * (nyears + 1);	/* the run's year may be new */
	sb = xcalloc(nsb, sizeof(*sb));
	files = xcalloc(nsb, sizeof(*files));
	name = xcalloc(nsb, sizeof(*name));
	for (i = 0; i < nsb; i++)
		sb_init(&sb[i]);
	{
		struct strbuf mdh;

		sb_init(&mdh);
		if (render_json(&r, &sb[0], d) < 0 || render_md(&r, &sb[1]) < 0) {
			sb_release(&mdh);
			goto out;
		}
		r.link_ext = ".html";
		snprintf(page_title, sizeof(page_title), "%s — %s", run->cfg->title, run->date);
		if (render_md_page(&r, &day_ins, &mdh) < 0 ||
		    render_page(page_title, render_page_class(&r), mdh.buf, &day_ins, t, &sb[2], d) < 0) {
			sb_release(&mdh);
			goto out;
		}
		sb_release(&mdh);
	}
	snprintf(name[0], sizeof(name[0]), "%s.json", run->date);
	snprintf(name[1], sizeof(name[1]), "%s.md", run->date);
	snprintf(name[2], sizeof(name[2]), "%s.html", run->date);
	snprintf(name[3], sizeof(name[3]), "index.md");
	snprintf(name[4], sizeof(name[4]), "index.html");

	history_put(h, run, g);
	free(years);
	nyears = render_years(h, &years);
	/* index (i = 0) and each year page: the Markdown file, then the HTML */
	for (i = 0; i <= nyears; i++) {
		struct strbuf mdh;
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
		sb_init(&mdh);
		ip.link_ext = ".html";
		ip.inserts = &ins;
		if (render_index_page(h, &ip, &mdh) < 0 ||
		    render_page(page_title, i ? "index year" : render_index_class(h), mdh.buf, &ins, t,
				&sb[m + 1], d) < 0) {
			sb_release(&mdh);
			goto out;
		}
		sb_release(&mdh);
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
	ret = report_dir_write(rd, files, nfiles, d);
out:
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

static int cmd_run(const struct options *o)
{
	struct config cfg;
	struct diag d = { "" };
	struct sweep_opts so = { 0 };
	struct report_dir rd = { NULL, -1 };
	struct history h;
	struct templates t = { 0 };
	struct run run;
	struct gate g;
	char date[11];
	const char *outdir;
	long day;
	int status = EXIT_TROUBLE;
	bool have_run = false, have_history = false, have_templates = false;

	if (o->date) {
		if (date_parse(o->date, &day) < 0)
			return usage_error("--date is not a date (YYYY-MM-DD)", o->date);
		snprintf(date, sizeof(date), "%s", o->date);
	} else {
		today_utc(date);
	}
	if (config_load(&cfg, o->config, &d) < 0) {
		fprintf(stderr, "recon: %s\n", d.msg);
		return EXIT_TROUBLE;
	}
	outdir = o->output ? o->output : cfg.output_dir;
	if (o->nonly == 0) {
		/* everything that can stop the run is checked before any source
		 * is read: the directory, its lock and the templates */
		if (report_dir_open(&rd, outdir, 30, &d) < 0 ||
		    templates_load(&t, cfg.templates, &d) < 0)
			goto fail;
		have_templates = true;
	}
	if (history_load(&h, outdir, &d) < 0)
		goto fail;
	have_history = true;
	so.date = date;
	so.baseline = o->baseline;
	so.only = o->nonly ? o->only : NULL;
	so.progress = !o->quiet && isatty(2);
	if (sweep_run(&run, &cfg, &so, &d) < 0)
		goto fail;
	have_run = true;
	history_gate(&h, &run, &g);
	if (o->nonly) {
		struct strbuf md;
		struct report r = { &run, &g, &h, NULL, ".md", NULL, 0, NULL, 0 };

		date_parse(date, &day);
		r.previous = history_previous(&h, day);
		add_soak(&r, &h, &run);
		sb_init(&md);
		render_md(&r, &md);
		fwrite(md.buf, 1, md.len, stdout);
		sb_release(&md);
	} else {
		if (write_reports(&rd, &run, &h, &g, &t, &d) < 0)
			goto fail;
		if (o->metrics && metrics_write(o->metrics, &run, &g, &d) < 0)
			goto fail;
		if (!o->quiet)
			printf("%s: gate %s, streak %lld of %d (%s); %zu checks: %zu pass, "
			       "%zu fail, %zu error, %zu skipped; drift %lld\n"
			       "report: %s/%s.md\n",
			       run.date, status_name(run.gate), g.streak, g.required,
			       g.met ? "met" : "not met", run.nchecks, run.npass, run.nfail,
			       run.nerror, run.nskipped, run.drift, outdir, run.date);
	}
	for (size_t i = 0; i < run.nchecks; i++)
		if (run.checks[i].status == STATUS_ERROR)
			fprintf(stderr, "recon: check %s: %s\n", run.checks[i].cfg->id,
				run.checks[i].error);
	status = run_status(&run);
	goto out;
fail:
	fprintf(stderr, "recon: %s\n", d.msg);
	status = EXIT_TROUBLE;
out:
	if (have_run)
		sweep_release(&run);
	if (have_history)
		history_release(&h);
	if (have_templates)
		templates_release(&t);
	report_dir_close(&rd);
	config_release(&cfg);
	return status;
}

static int cmd_validate(const struct options *o)
{
	struct config cfg;
	struct diag d = { "" };

	if (config_load(&cfg, o->config, &d) < 0) {
		fprintf(stderr, "recon: %s\n", d.msg);
		return EXIT_TROUBLE;
	}
	printf("%s: ok (%zu sources, %zu checks)\n", o->config, cfg.nsources, cfg.nchecks);
	config_release(&cfg);
	return EXIT_PASS;
}

static int cmd_diff(const struct options *o)
{
	struct config cfg;
	struct diag d = { "" };
	struct strbuf out;
	int status;

	if (config_load(&cfg, o->config, &d) < 0) {
		fprintf(stderr, "recon: %s\n", d.msg);
		return EXIT_TROUBLE;
	}
	sb_init(&out);
	status = diff_reports(o->output ? o->output : cfg.output_dir, o->args[0], o->args[1],
			      &out, &d);
	if (status < 0) {
		fprintf(stderr, "recon: %s\n", d.msg);
		status = EXIT_TROUBLE;
	} else {
		fwrite(out.buf, 1, out.len, stdout);
	}
	sb_release(&out);
	config_release(&cfg);
	return status;
}

int main(int argc, char **argv)
{
	struct options o;
	int status;

	if (parse_args(argc, argv, &o, &status) < 0)
		goto out;
	if (strcmp(o.command, "run") == 0)
		status = cmd_run(&o);
	else if (strcmp(o.command, "validate") == 0)
		status = cmd_validate(&o);
	else if (strcmp(o.command, "diff") == 0)
		status = cmd_diff(&o);
	else
		status = usage_error("unknown command", o.command);
out:
	free(o.only);
	return status;
}
