/*
 * main.c: recon's command line.  Parses arguments into options and hands
 * them to the command's own file: pipeline.c (run), validate.c, diff.c and
 * init.c.  Only main exits: with what the command returns (for run, the
 * exit policy's verdict, decided by run_outcome in outcome.c alone), or 2
 * for a usage error or output that could not be written.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "diff.h"
#include "init.h"
#include "interrupt.h"
#include "pipeline.h"
#include "validate.h"

enum exit_status { EXIT_PASS = 0, EXIT_DRIFT = 1, EXIT_TROUBLE = 2 };

static const char usage_text[] =
	"usage: recon run      [-c FILE] [-o DIR] [--date YYYY-MM-DD] [--baseline]\n"
	"                      [--check ID]... [--metrics FILE] [-q]\n"
	"       recon diff     [-c FILE] [-o DIR] [DATE_A DATE_B]\n"
	"       recon validate [-c FILE] [--sources]\n"
	"       recon init     [FILE]\n"
	"       recon --help | --version\n";

static const char help_text[] =
	"\n"
	"recon evaluates every declared reconciliation check over snapshot\n"
	"directories (CSV, Parquet), PostgreSQL or SQLite in one sweep and writes\n"
	"the day's report (Markdown, HTML, JSON) into the report directory.\n"
	"\n"
	"  -c FILE          configuration (default ./recon.ini)\n"
	"  -o DIR           report directory (overrides [report] output_dir)\n"
	"  --date DATE      the report's date (default: today, UTC)\n"
	"  --baseline       write the day's report without reading any source\n"
	"  --check ID       evaluate only this check (repeatable); print its lines\n"
	"                   and samples on stdout and write no report\n"
	"  --metrics FILE   also write Prometheus text metrics to FILE\n"
	"  -q               print nothing but errors\n"
	"  --sources        (validate) also open every source and prepare every\n"
	"                   query; list each problem; nothing is run or written\n"
	"\n"
	"diff without dates compares the two newest reports.  init writes a\n"
	"commented starter configuration (default ./recon.ini), never over a file.\n"
	"\n"
	"Exit status of run: 0 gate pass, 1 a gating check failed, 2 a gating check\n"
	"errored or the run could not start.  diff: 0 same, 1 different, 2 trouble.\n"
	"See recon(1), recon.ini(5) and recon-report(5).\n";

enum command { CMD_NONE, CMD_RUN, CMD_DIFF, CMD_VALIDATE, CMD_INIT, CMD_HELP };

static const struct {
	const char *name;
	enum command cmd;
	size_t min_args, max_args;	/* operands after the command */
} commands[] = {
	{ "run", CMD_RUN, 0, 0 },
	{ "diff", CMD_DIFF, 0, 2 },
	{ "validate", CMD_VALIDATE, 0, 0 },
	{ "init", CMD_INIT, 0, 1 },
	{ "help", CMD_HELP, 0, 0 },
};

struct options {
	enum command command;
	const char *command_name;
	const char *config;
	const char *output;
	const char *date;
	bool baseline;
	const char **only;	/* --check ids, NULL-terminated */
	size_t nonly;
	const char *metrics;
	bool quiet;
	bool sources;		/* validate --sources */
	const char *args[2];	/* diff dates; init's file */
	size_t nargs;
};

static int usage_error(const char *what, const char *arg)
{
	fprintf(stderr, "recon: %s%s%s\n", what, arg ? ": " : "", arg ? arg : "");
	fputs(usage_text, stderr);
	return EXIT_TROUBLE;
}

static int print_help(void)
{
	fputs(usage_text, stdout);
	fputs(help_text, stdout);
	return EXIT_PASS;
}

/* -1: exit with *status (help, version or a usage error).  Options may
 * come before or after the command's operands. */
static int parse_args(int argc, char **argv, struct options *o, int *status)
{
	enum { OPT_DATE = 256, OPT_BASELINE, OPT_CHECK, OPT_METRICS, OPT_HELP, OPT_VERSION,
	       OPT_SOURCES };
	static const struct option longopts[] = {
		{ "date", required_argument, NULL, OPT_DATE },
		{ "baseline", no_argument, NULL, OPT_BASELINE },
		{ "check", required_argument, NULL, OPT_CHECK },
		{ "metrics", required_argument, NULL, OPT_METRICS },
		{ "help", no_argument, NULL, OPT_HELP },
		{ "version", no_argument, NULL, OPT_VERSION },
		{ "sources", no_argument, NULL, OPT_SOURCES },
		{ NULL, 0, NULL, 0 },
	};
	const char *operands[3];
	size_t noperands = 0, i;
	int c;

	memset(o, 0, sizeof(*o));
	o->config = "recon.ini";
	o->only = xcalloc((size_t)argc + 1, sizeof(*o->only));
	opterr = 0;
	/* "-" first: operands come back as option 1, in order, wherever they
	 * stand among the options */
	while ((c = getopt_long(argc, argv, "-c:o:qh", longopts, NULL)) != -1) {
		switch (c) {
		case 1:
			if (noperands == sizeof(operands) / sizeof(operands[0])) {
				*status = usage_error("unexpected argument", optarg);
				return -1;
			}
			operands[noperands++] = optarg;
			break;
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
		case OPT_SOURCES:
			o->sources = true;
			break;
		case 'h':
		case OPT_HELP:
			*status = print_help();
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
	if (noperands == 0) {
		*status = usage_error("missing command (run, diff, validate or init)", NULL);
		return -1;
	}
	o->command_name = operands[0];
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (strcmp(commands[i].name, operands[0]) != 0)
			continue;
		o->command = commands[i].cmd;
		if (noperands - 1 < commands[i].min_args || noperands - 1 > commands[i].max_args ||
		    (o->command == CMD_DIFF && noperands == 2)) {
			*status = usage_error("wrong number of arguments for", operands[0]);
			return -1;
		}
	}
	if (o->command == CMD_NONE) {
		*status = usage_error("unknown command", operands[0]);
		return -1;
	}
	for (i = 1; i < noperands; i++)
		o->args[o->nargs++] = operands[i];
	if (o->command != CMD_RUN &&
	    (o->date || o->baseline || o->nonly || o->metrics || o->quiet)) {
		*status = usage_error("option not valid for", operands[0]);
		return -1;
	}
	if (((o->command == CMD_VALIDATE || o->command == CMD_INIT) && o->output) ||
	    (o->command != CMD_VALIDATE && o->sources)) {
		*status = usage_error("option not valid for", operands[0]);
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

/* recon run: the date checked here, the rest is the pipeline's. */
static int cmd_run(const struct options *o, const char *today)
{
	struct pipeline_opts po = { o->config, o->output, o->date ? o->date : today, today,
				    o->date != NULL, o->baseline, o->only, o->nonly, o->metrics,
				    o->quiet };
	long day;

	if (o->date && date_parse(o->date, &day) < 0)
		return usage_error("--date is not a date (YYYY-MM-DD)", o->date);
	return (int)pipeline_run(&po);
}

/* What was printed must have reached stdout: a full disk or a closed pipe
 * behind it turns a status into 2 (trouble), never a silent success. */
static int flush_stdout(int status)
{
	errno = 0;
	if (fflush(stdout) == 0 && !ferror(stdout))
		return status;
	fprintf(stderr, "recon: standard output: cannot write: %s\n",
		errno ? strerror(errno) : "write error");
	return EXIT_TROUBLE;
}

int main(int argc, char **argv)
{
	struct options o;
	char today[11];
	int status = EXIT_TROUBLE;

	if (parse_args(argc, argv, &o, &status) < 0)
		goto out;
	/* SIGTERM, SIGINT: cancel the queries, remove temporary files, die */
	interrupt_install();
	today_utc(today);
	switch (o.command) {
	case CMD_RUN:
		status = cmd_run(&o, today);
		break;
	case CMD_VALIDATE:
		status = validate_command(o.config, today, o.sources) < 0 ? EXIT_TROUBLE : EXIT_PASS;
		break;
	case CMD_DIFF:
		status = diff_command(o.config, o.output, today, o.nargs ? o.args[0] : NULL,
				      o.nargs ? o.args[1] : NULL);
		status = status < 0 ? EXIT_TROUBLE : status;
		break;
	case CMD_INIT:
		status = init_command(o.nargs ? o.args[0] : o.config) < 0 ? EXIT_TROUBLE
									   : EXIT_PASS;
		break;
	case CMD_HELP:
		status = print_help();
		break;
	case CMD_NONE:
		status = usage_error("unknown command", o.command_name);
		break;
	}
out:
	free(o.only);
	return flush_stdout(status);
}
