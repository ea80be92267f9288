/*
 * init.c: the starter configuration of `recon init` and the example
 * snapshot it reads (see init.h).  The text is a valid configuration as
 * written: `recon validate` accepts it, and `recon run` over the example
 * finds one missing unit and one renamed one.
 */
#include "init.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define SNAPSHOT_DIR "snapshots"	/* the starter's source path */

static const char starter[] =
	"; recon.ini: what recon checks every night, and where it writes the report.\n"
	"; Reference: recon.ini(5).  Check it with `recon validate` (add --sources to\n"
	"; also open every source and prepare every query), then `recon run`.\n"
	"; Any value may use ${date} (the report's date, YYYY-MM-DD) and ${NAME}\n"
	"; (the environment variable NAME).\n"
	"\n"
	"[report]\n"
	"title = Nightly reconciliation\n"
	"output_dir = reports      ; relative to this file; commit it to git\n"
	"gate_days = 7             ; consecutive clean days that meet the gate\n"
	"window_days = 7           ; days shown in the rolling window\n"
	"samples = 20              ; violating rows kept per failing check\n"
	"\n"
	"; A snapshot directory: every T.csv (or T.parquet) in it is table T.\n"
	"; `recon init` put a small example in it.  For one directory per night,\n"
	"; write: path = exports/${date}\n"
	"[source \"snapshot\"]\n"
	"type = csv\n"
	"path = " SNAPSHOT_DIR "\n"
	"\n"
	"; A live database (its connection string in the environment):\n"
	"; [source \"app\"]\n"
	"; type = postgres\n"
	"; url = env:DATABASE_URL\n"
	"\n"
	"; A rows check: every row the query returns is a violation.\n"
	"[check \"units-present\"]\n"
	"kind = rows\n"
	"description = Every department has an org_units row\n"
	"source = snapshot\n"
	"query = SELECT d.tenant_id, d.unit_id\n"
	"  FROM departments d LEFT JOIN org_units o USING (tenant_id, unit_id)\n"
	"  WHERE o.unit_id IS NULL\n"
	"group = tenant_id         ; per-tenant breakdown\n"
	"\n"
	"; A compare check: two tables matched by key; rows missing on the right,\n"
	"; extra on the right, or changed in a compared column are findings.\n"
	"[check \"units-match\"]\n"
	"kind = compare\n"
	"description = org_units holds what departments holds\n"
	"left = snapshot:departments\n"
	"right = snapshot:org_units\n"
	"key = tenant_id, unit_id\n"
	"columns = name            ; default: every non-key column both sides share\n"
	"group = tenant_id\n";

/* The example snapshot: t-002's u-002 was never migrated, and t-001's
 * u-002 was renamed on the way. */
static const struct {
	const char *name;	/* file in SNAPSHOT_DIR */
	const char *text;
} examples[] = {
	{ "departments.csv",
	  "tenant_id,unit_id,name\n"
	  "t-001,u-001,Finance\n"
	  "t-001,u-002,Research and Development\n"
	  "t-002,u-001,Sales\n"
	  "t-002,u-002,Support\n" },
	{ "org_units.csv",
	  "tenant_id,unit_id,name\n"
	  "t-001,u-001,Finance\n"
	  "t-001,u-002,R&D\n"
	  "t-002,u-001,Sales\n" },
};

#define NEXAMPLES (sizeof(examples) / sizeof(examples[0]))

/* Create path (which must not exist) holding text.  0, 1 when it exists
 * and may be kept (keep_existing), or -1 with d set. */
static int write_new(const char *path, const char *text, bool keep_existing, struct diag *d)
{
	size_t len = strlen(text), off = 0;
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);

	if (fd < 0 && errno == EEXIST && keep_existing)
		return 1;
	if (fd < 0 && errno == EEXIST)
		return diag_error(d, "%s: already exists; init never overwrites a file", path);
	if (fd < 0)
		return diag_error(d, "%s: %s", path, strerror(errno));
	while (off < len) {
		ssize_t n = write(fd, text + off, len - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			diag_error(d, "%s: %s", path, n < 0 ? strerror(errno) : "short write");
			close(fd);
			unlink(path);
			return -1;
		}
		off += (size_t)n;
	}
	if (close(fd) < 0) {
		diag_error(d, "%s: %s", path, strerror(errno));
		unlink(path);
		return -1;
	}
	return 0;
}

/* See init.h. */
int init_write(const char *path, struct strbuf *log, struct diag *d)
{
	struct arena a;
	const char *slash = strrchr(path, '/'), *dir, *files[NEXAMPLES];
	size_t nfiles = 0, i;
	bool made_dir = false;
	int ret = -1, r;

	arena_init(&a);
	for (i = 0; i < NEXAMPLES; i++)
		files[i] = NULL;
	if (write_new(path, starter, false, d) < 0)
		goto out;
	/* beside the configuration: its paths are relative to its directory */
	dir = slash ? arena_printf(&a, "%.*s/" SNAPSHOT_DIR, (int)(slash - path), path)
		    : SNAPSHOT_DIR;
	if (mkdir(dir, 0777) == 0) {
		made_dir = true;
	} else if (errno != EEXIST) {
		diag_error(d, "%s: %s", dir, strerror(errno));
		goto undo;
	}
	for (i = 0; i < NEXAMPLES; i++) {
		const char *file = arena_printf(&a, "%s/%s", dir, examples[i].name);

		if ((r = write_new(file, examples[i].text, true, d)) < 0)
			goto undo;
		if (r == 0)
			files[nfiles++] = file;
	}
	sb_addf(log, "%s: written\n", path);
	for (i = 0; i < nfiles; i++)
		sb_addf(log, "%s: written (example data)\n", files[i]);
	ret = 0;
	goto out;
undo:
	/* leave nothing half made: the configuration and the examples go */
	for (i = 0; i < nfiles; i++)
		unlink(files[i]);
	if (made_dir)
		rmdir(dir);
	unlink(path);
out:
	arena_release(&a);
	return ret;
}

/* Contract in init.h. */
int init_command(const char *path)
{
	struct diag d = { "" };
	struct strbuf log = STRBUF_INIT;
	int ret = init_write(path, &log, &d);

	if (ret < 0) {
		fprintf(stderr, "recon: %s\n", d.msg);
	} else {
		fputs(log.buf, stdout);
		printf("next: recon validate -c %s, then recon run -c %s\n", path, path);
	}
	sb_release(&log);
	return ret;
}
