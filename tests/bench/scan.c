/*
 * scan.c: the floors a CSV compare is measured against, single-threaded,
 * over the files given in order.
 *
 *   scan bare FILE...     a bare scan: every byte through a quote-aware
 *                         loop that counts fields and records
 *   scan libcsv FILE...   libcsv alone: csv_parse with default options and
 *                         callbacks that only count
 *
 * Prints "records=R fields=F" (records include the header lines), so both
 * can be checked against each other and neither can be optimised away.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <csv.h>

#define BUF (1 << 20)

struct counts {
	unsigned long long records, fields;
};

static void on_field(void *s, size_t len, void *data)
{
	(void)s;
	(void)len;
	((struct counts *)data)->fields++;
}

static void on_record(int c, void *data)
{
	(void)c;
	((struct counts *)data)->records++;
}

int main(int argc, char **argv)
{
	static unsigned char buf[BUF];
	struct counts n = { 0, 0 };
	int libcsv, i;

	if (argc < 3 || (strcmp(argv[1], "bare") && strcmp(argv[1], "libcsv"))) {
		fprintf(stderr, "usage: scan bare|libcsv FILE...\n");
		return 2;
	}
	libcsv = strcmp(argv[1], "libcsv") == 0;
	for (i = 2; i < argc; i++) {
		struct csv_parser p;
		int fd = open(argv[i], O_RDONLY), inq = 0;
		ssize_t got;

		if (fd < 0 || (libcsv && csv_init(&p, 0) != 0)) {
			perror(argv[i]);
			return 1;
		}
		while ((got = read(fd, buf, BUF)) > 0) {
			if (libcsv) {
				if (csv_parse(&p, buf, (size_t)got, on_field, on_record, &n) != (size_t)got) {
					fprintf(stderr, "%s: %s\n", argv[i], csv_strerror(csv_error(&p)));
					return 1;
				}
				continue;
			}
			for (ssize_t k = 0; k < got; k++) {
				unsigned char c = buf[k];

				if (inq)
					inq = c != '"';
				else if (c == '"')
					inq = 1;
				else if (c == ',')
					n.fields++;
				else if (c == '\n')
					n.records++, n.fields++;
			}
		}
		if (got < 0) {
			perror(argv[i]);
			return 1;
		}
		if (libcsv) {
			csv_fini(&p, on_field, on_record, &n);
			csv_free(&p);
		}
		close(fd);
	}
	printf("records=%llu fields=%llu\n", n.records, n.fields);
	return 0;
}
