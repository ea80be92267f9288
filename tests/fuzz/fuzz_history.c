/*
 * fuzz_history.c: libFuzzer harness for the history (earlier JSON) reader
 * and `recon diff`, the two places that read reports back.
 *
 * A private temporary directory holds a fixed, valid 2026-11-21.json and,
 * for each input, the input as 2026-11-22.json.  history_load reads it; the
 * day must come out as pass, fail or unreadable (with a message naming the
 * file), never missing.  Then the gate, window, shadow agreement and skip
 * rates of a run dated 2026-11-23 are computed from that history (with a
 * small configuration, written once, that has a shadow pair and a
 * precondition), the run is put into the history, and diff_reports compares
 * the two days.  A crash, a sanitizer report or a leak is a bug.
 * Seeds: tests/fuzz/corpus/history/.
 *
 *   make build-asan/fuzz/fuzz_history
 *   build-asan/fuzz/fuzz_history tests/fuzz/corpus/history
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "diff.h"
#include "history.h"
#include "shadow.h"
#include "sweep.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char dir[64];		/* the private directory */
static char day_path[96];	/* dir/2026-11-22.json: the input */
static char prev_path[96];	/* dir/2026-11-21.json: a valid report */
static char ini_path[96];	/* dir/recon.ini */
static struct config cfg;	/* loaded once */

static const char prev_json[] =
	"{\"schema\": \"recon-report/1\", \"date\": \"2026-11-21\", \"title\": \"t\",\n"
	" \"baseline\": false,\n"
	" \"gate\": {\"status\": \"pass\", \"streak\": 3, \"required\": 7, \"met\": false},\n"
	" \"summary\": {\"checks\": 2, \"pass\": 2, \"fail\": 0, \"error\": 0, \"skipped\": 0,\n"
	"             \"drift\": 0, \"tenants_scanned\": null, \"tenants_with_drift\": 0},\n"
	" \"checks\": [\n"
	"  {\"id\": \"a\", \"kind\": \"rows\", \"status\": \"pass\", \"paging\": true, \"drift\": 0,\n"
	"   \"groups\": [{\"group\": \"t-1\", \"drift\": 0}]},\n"
	"  {\"id\": \"b\", \"kind\": \"rows\", \"status\": \"pass\", \"paging\": true, \"drift\": 0,\n"
	"   \"groups\": []}],\n"
	" \"recovery\": {\"recheck\": [], \"reprocess\": []},\n"
	" \"window\": [{\"date\": \"2026-11-21\", \"status\": \"pass\", \"drift\": 0}]}\n";

static const char ini[] =
	"[report]\nwindow_days = 7\ngate_days = 7\nsoak_days = 28\n"
	"[source \"s\"]\ntype = csv\npath = .\n"
	"[check \"a\"]\nsource = s\nquery = SELECT 1\ngroup = g\n"
	"[check \"b\"]\nsource = s\nquery = SELECT 1\nshadow_of = a\n"
	"precondition = SELECT 1\n";

static void write_file(const char *path, const void *data, size_t size)
{
	FILE *f = fopen(path, "wb");

	if (!f)
		abort();
	if (size && fwrite(data, 1, size, f) != size)
		abort();
	if (fclose(f) != 0)
		abort();
}

static void cleanup(void)
{
	unlink(day_path);
	unlink(prev_path);
	unlink(ini_path);
	rmdir(dir);
	config_release(&cfg);
}

static void setup(void)
{
	struct diag d;

	snprintf(dir, sizeof dir, "/tmp/fuzz_history-XXXXXX");
	if (!mkdtemp(dir))
		abort();
	snprintf(day_path, sizeof day_path, "%s/2026-11-22.json", dir);
	snprintf(prev_path, sizeof prev_path, "%s/2026-11-21.json", dir);
	snprintf(ini_path, sizeof ini_path, "%s/recon.ini", dir);
	write_file(prev_path, prev_json, sizeof prev_json - 1);
	write_file(ini_path, ini, sizeof ini - 1);
	if (config_load(&cfg, ini_path, "2026-11-23", &d) < 0) {
		fprintf(stderr, "fuzz_history: %s\n", d.msg);
		abort();
	}
	atexit(cleanup);
}

/* A run dated 2026-11-23 whose checks all passed. */
static void fake_run(struct run *run)
{
	memset(run, 0, sizeof *run);
	arena_init(&run->arena);
	run->cfg = &cfg;
	memcpy(run->date, "2026-11-23", 11);
	run->nchecks = cfg.nchecks;
	run->checks = arena_alloc(&run->arena, (cfg.nchecks + 1) * sizeof *run->checks);
	for (size_t i = 0; i < cfg.nchecks; i++) {
		run->checks[i].cfg = &cfg.checks[i];
		run->checks[i].status = STATUS_PASS;
	}
	run->npass = cfg.nchecks;
	run->tenants_scanned = -1;
	run->gate = STATUS_PASS;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct history h;
	struct diag d = { "" };
	struct run run;
	struct gate g;
	struct shadow *sh;
	struct skip_rate *sk;
	struct strbuf out;
	const struct day *dy;
	long day;

	if (!dir[0])
		setup();
	write_file(day_path, data, size);

	if (history_load(&h, dir, &d) < 0)
		abort();	/* the directory is there and readable */
	if (h.ndays != 2)
		abort();
	date_parse("2026-11-22", &day);
	dy = history_find(&h, day);
	if (!dy || dy->status == DAY_MISSING)
		abort();	/* a file that is there is never a missing day */
	if (dy->status == DAY_UNREADABLE &&
	    (!dy->error || strncmp(dy->error, "2026-11-22.json", 15) != 0))
		abort();	/* an unreadable day says which file */
	(void)day_status_name(dy->status);

	fake_run(&run);
	history_gate(&h, &run, &g);
	if (dy->status != DAY_PASS && g.streak != 1)
		abort();	/* only a pass continues the streak */
	if (dy->status == DAY_UNREADABLE && g.nunreadable != 1)
		abort();	/* and an unreadable day in its way is named */
	(void)history_previous(&h, day + 1);
	(void)shadows_compute(&h, &run, &sh);
	(void)skip_rates_compute(&h, &run, &sk);
	history_put(&h, &run, &g);
	history_release(&h);
	sweep_release(&run);

	sb_init(&out);
	if (diff_reports(dir, "2026-11-21", "2026-11-22", &out, &d) < 0 && !d.msg[0])
		abort();	/* trouble always says why */
	sb_release(&out);
	return 0;
}
