/*
 * metrics.c: Prometheus text exposition of a run (see metrics.h).  Label
 * values are escaped as the format requires (backslash, double quote,
 * newline); samples carry no timestamp, so the output is deterministic.
 */
#include "metrics.h"

#include <math.h>
#include <string.h>

#include "findings.h"
#include "report_dir.h"

static void label_value(struct strbuf *out, const char *s)
{
	for (; *s; s++) {
		if (*s == '\\')
			sb_puts(out, "\\\\");
		else if (*s == '"')
			sb_puts(out, "\\\"");
		else if (*s == '\n')
			sb_puts(out, "\\n");
		else
			sb_putc(out, *s);
	}
}

/* A sample value: format_double's text, with the exposition format's
 * spelling of the non-finite values. */
static void sample_value(struct strbuf *out, double v)
{
	char text[32];

	if (isnan(v)) {
		sb_puts(out, "NaN");
	} else if (isinf(v)) {
		sb_puts(out, v < 0 ? "-Inf" : "+Inf");
	} else {
		format_double(v, text);
		sb_puts(out, text);
	}
}

static void check_label(struct strbuf *out, const char *metric, const char *id)
{
	sb_addf(out, "%s{check=\"", metric);
	label_value(out, id);
	sb_puts(out, "\"");
}

/* Findings over time: per check, the age of its oldest open finding, how
 * many findings are new today and for how many days it has been failing,
 * so an alert can fire on a finding older than N days. */
static void findings_metrics(const struct run *run, struct strbuf *out)
{
	size_t i;

	sb_puts(out, "# HELP recon_check_oldest_finding_age_days Days since the oldest open "
		     "finding was first seen (0 when none is open).\n"
		     "# TYPE recon_check_oldest_finding_age_days gauge\n");
	for (i = 0; i < run->nchecks; i++) {
		const struct finding_life *fl = run->checks[i].life;

		check_label(out, "recon_check_oldest_finding_age_days", run->checks[i].cfg->id);
		sb_addf(out, "} %ld\n", fl && fl->oldest_age > 0 ? fl->oldest_age : 0);
	}
	sb_puts(out, "# HELP recon_check_new_findings Findings first seen today.\n"
		     "# TYPE recon_check_new_findings gauge\n");
	for (i = 0; i < run->nchecks; i++) {
		const struct finding_life *fl = run->checks[i].life;

		check_label(out, "recon_check_new_findings", run->checks[i].cfg->id);
		sb_addf(out, "} %zu\n", fl ? fl->nfresh : 0);
	}
	sb_puts(out, "# HELP recon_check_failing_days Days since the check began failing, "
		     "today included (0 when it is not failing).\n"
		     "# TYPE recon_check_failing_days gauge\n");
	for (i = 0; i < run->nchecks; i++) {
		const struct finding_life *fl = run->checks[i].life;

		check_label(out, "recon_check_failing_days", run->checks[i].cfg->id);
		sb_addf(out, "} %ld\n", fl && fl->failing_since
					       ? findings_days(fl->failing_since, run->date) + 1
					       : 0);
	}
}

void render_metrics(const struct run *run, const struct gate *g, struct strbuf *out)
{
	static const enum status all[] = { STATUS_PASS, STATUS_FAIL, STATUS_ERROR,
					   STATUS_SKIPPED, STATUS_WARN };
	size_t i, k;

	if (run->partial)
		goto checks;
	sb_puts(out, "# HELP recon_gate_pass 1 when the day's gate status is pass.\n"
		     "# TYPE recon_gate_pass gauge\n");
	sb_addf(out, "recon_gate_pass %d\n", run->gate == STATUS_PASS);
	sb_puts(out, "# HELP recon_gate_met 1 when the streak has reached the gate.\n"
		     "# TYPE recon_gate_met gauge\n");
	sb_addf(out, "recon_gate_met %d\n", g->met);
	sb_puts(out, "# HELP recon_streak_days Consecutive days whose gate status is pass.\n"
		     "# TYPE recon_streak_days gauge\n");
	sb_addf(out, "recon_streak_days %lld\n", g->streak);
	sb_puts(out, "# HELP recon_gate_required_days Clean days the gate requires.\n"
		     "# TYPE recon_gate_required_days gauge\n");
	sb_addf(out, "recon_gate_required_days %d\n", g->required);
	sb_puts(out, "# HELP recon_drift_total Sum of every check's drift.\n"
		     "# TYPE recon_drift_total gauge\n");
	sb_addf(out, "recon_drift_total %lld\n", run->drift);
checks:
	sb_puts(out, "# HELP recon_check_status 1 for the check's status, 0 for the others.\n"
		     "# TYPE recon_check_status gauge\n");
	for (i = 0; i < run->nchecks; i++) {
		for (k = 0; k < sizeof(all) / sizeof(all[0]); k++) {
			check_label(out, "recon_check_status", run->checks[i].cfg->id);
			sb_addf(out, ",status=\"%s\"} %d\n", status_name(all[k]),
				run->checks[i].status == all[k]);
		}
	}
	sb_puts(out, "# HELP recon_check_drift The check's drift.\n"
		     "# TYPE recon_check_drift gauge\n");
	for (i = 0; i < run->nchecks; i++) {
		check_label(out, "recon_check_drift", run->checks[i].cfg->id);
		sb_addf(out, ",paging=\"%s\"} %lld\n", run->checks[i].cfg->paging ? "true" : "false",
			run->checks[i].drift);
	}
	for (i = 0, k = 0; i < run->nchecks; i++) {
		if (!run->checks[i].has_value)
			continue;
		if (!k++)
			sb_puts(out, "# HELP recon_check_value The number a value check read.\n"
				     "# TYPE recon_check_value gauge\n");
		check_label(out, "recon_check_value", run->checks[i].cfg->id);
		sb_puts(out, "} ");
		sample_value(out, run->checks[i].value);
		sb_putc(out, '\n');
	}
	findings_metrics(run, out);
}

int metrics_write(const char *path, const struct run *run, const struct gate *g,
		  struct diag *d)
{
	struct strbuf out;
	int ret;

	sb_init(&out);
	render_metrics(run, g, &out);
	ret = out.overflow ? diag_error(d, "%s: metrics too large", path)
			   : write_file_atomic(path, out.buf, out.len, d);
	sb_release(&out);
	return ret;
}
