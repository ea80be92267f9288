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
 *
 *   scan warm MB          touch MB megabytes of fresh memory, then free
 *                         them: the next process finds that much memory
 *                         its host has backed (see bench_compare.sh)
 */
#define _DEFAULT_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
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

	if (argc == 3 && strcmp(argv[1], "warm") == 0) {
		size_t len = (size_t)strtoul(argv[2], NULL, 10) << 20, k;
		volatile unsigned char *m;

		m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (len == 0 || m == MAP_FAILED) {
			perror("scan warm");
			return 1;
		}
		for (k = 0; k < len; k += 4096)
			m[k] = 1;
		munmap((void *)m, len);
		return 0;
	}
	if (argc < 3 || (strcmp(argv[1], "bare") && strcmp(argv[1], "libcsv"))) {
		fprintf(stderr, "usage: scan bare|libcsv FILE... | scan warm MB\n");
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
