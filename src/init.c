/*
 * init.c: the starter configuration of `recon init` (see init.h).  The text
 * is a valid configuration as written: `recon validate` accepts it.
 */
#include "init.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static const char starter[] =
	"; recon.ini: what recon checks every night, and where it writes the report.\n"
	"; Reference: recon.ini(5).  Check it with `recon validate` (add --sources to\n"
	"; also open every source and prepare every query), then `recon run`.\n"
	"\n"
	"[report]\n"
	"title = Nightly reconciliation\n"
	"output_dir = reports      ; relative to this file; commit it to git\n"
	"gate_days = 7             ; consecutive clean days that meet the gate\n"
	"window_days = 7           ; days shown in the rolling window\n"
	"samples = 20              ; violating rows kept per failing check\n"
	"\n"
	"; A snapshot directory: every T.csv (or T.parquet) in it is table T.\n"
	"[source \"snapshot\"]\n"
	"type = csv\n"
	"path = snapshots\n"
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

int init_write(const char *path, struct diag *d)
{
	size_t len = sizeof(starter) - 1, off = 0;
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);

	if (fd < 0 && errno == EEXIST)
		return diag_error(d, "%s: already exists; init never overwrites a file", path);
	if (fd < 0)
		return diag_error(d, "%s: %s", path, strerror(errno));
	while (off < len) {
		ssize_t n = write(fd, starter + off, len - off);

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
