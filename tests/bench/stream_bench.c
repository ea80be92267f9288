/*
 * stream_bench.c: the measurement behind source_pg.c's choice of streaming
 * mode.  It reads one query's result through libpq twice, by single-row
 * mode (PQsendQueryParams + PQsetSingleRowMode) and by COPY (query) TO
 * STDOUT (PQgetCopyData, text format, decoded into cells), touching every
 * value, and prints the seconds and peak RSS of each.  On a 10M-row,
 * 5-column table (after a first scan set its hint bits) COPY took 2.9-3.3 s
 * and single-row mode 3.7-4.0 s, both at 7 MB: source_pg.c uses COPY.
 *
 *   cc -O2 -o stream_bench stream_bench.c $(pkg-config --cflags --libs libpq)
 *   ./stream_bench "host=DIR dbname=postgres user=postgres" "SELECT * FROM big"
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/resource.h>

#include <libpq-fe.h>

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static long peak_kb(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_maxrss;
}

static int single_row(PGconn *c, const char *sql, unsigned long long *sum, long *rows)
{
	PGresult *r;
	int i, n;

	if (!PQsendQueryParams(c, sql, 0, NULL, NULL, NULL, NULL, 0) || !PQsetSingleRowMode(c))
		return -1;
	while ((r = PQgetResult(c))) {
		if (PQresultStatus(r) == PGRES_SINGLE_TUPLE) {
			n = PQnfields(r);
			for (i = 0; i < n; i++)
				if (!PQgetisnull(r, 0, i))
					*sum += (unsigned long long)PQgetlength(r, 0, i) +
						(unsigned char)PQgetvalue(r, 0, i)[0];
			++*rows;
		} else if (PQresultStatus(r) != PGRES_TUPLES_OK) {
			fprintf(stderr, "%s", PQerrorMessage(c));
		}
		PQclear(r);
	}
	return 0;
}

static int copy_out(PGconn *c, const char *sql, unsigned long long *sum, long *rows)
{
	char *q, *line, *p, *end, *w, *start;
	PGresult *r;
	int len;
	size_t n = strlen(sql) + 40;

	q = malloc(n);
	snprintf(q, n, "COPY (%s\n) TO STDOUT", sql);
	if (!PQsendQueryParams(c, q, 0, NULL, NULL, NULL, NULL, 0))
		return -1;
	free(q);
	r = PQgetResult(c);
	if (PQresultStatus(r) != PGRES_COPY_OUT) {
		fprintf(stderr, "%s", PQerrorMessage(c));
		return -1;
	}
	PQclear(r);
	while ((len = PQgetCopyData(c, &line, 0)) > 0) {
		/* split on tabs and decode backslash escapes in place */
		p = line;
		end = line + len - 1;	/* the newline */
		while (p <= end) {
			start = w = p;
			while (p < end && *p != '\t') {
				if (*p == '\\' && p + 1 < end) {
					p++;
					*w++ = *p == 'n' ? '\n' : *p == 't' ? '\t' : *p;
					p++;
				} else {
					*w++ = *p++;
				}
			}
			if (!(w - start == 2 && start[0] == '\\' && start[1] == 'N'))
				*sum += (unsigned long long)(w - start) + (unsigned char)start[0];
			p++;
		}
		++*rows;
		PQfreemem(line);
	}
	while ((r = PQgetResult(c)))
		PQclear(r);
	return 0;
}

int main(int argc, char **argv)
{
	PGconn *c;
	unsigned long long sum = 0;
	long rows = 0;
	double t;
	int k;

	if (argc != 3) {
		fprintf(stderr, "usage: stream_bench CONNINFO SQL\n");
		return 2;
	}
	c = PQconnectdb(argv[1]);
	if (PQstatus(c) != CONNECTION_OK) {
		fprintf(stderr, "%s", PQerrorMessage(c));
		return 1;
	}
	for (k = 0; k < 2; k++) {
		sum = 0;
		rows = 0;
		t = now();
		single_row(c, argv[2], &sum, &rows);
		printf("single-row: %ld rows %.2f s (sum %llu) peak %ld kB\n", rows, now() - t, sum,
		       peak_kb());
		sum = 0;
		rows = 0;
		t = now();
		copy_out(c, argv[2], &sum, &rows);
		printf("copy:       %ld rows %.2f s (sum %llu) peak %ld kB\n", rows, now() - t, sum,
		       peak_kb());
	}
	PQfinish(c);
	return 0;
}
