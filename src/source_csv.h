/*
 * source_csv.h: streaming RFC 4180 reader over libcsv, with recon.ini(5)'s CSV
 * rules: UTF-8 validated, an optional BOM skipped, CRLF or LF, an empty
 * unquoted field is NULL and a quoted empty field is "", every record has as
 * many fields as the header (the first record).  Errors name the file, the
 * line (for an unclosed quote, the line where the field began) and the
 * problem: "PATH:LINE: ragged row: 3 fields, header has 4".
 *
 * The reader owns its buffers; the record passed to the callback is valid
 * only during the call.
 */
#ifndef RECON_SOURCE_CSV_H
#define RECON_SOURCE_CSV_H

#include "util.h"

struct csv_field {
	const char *s;		/* NULL for an empty unquoted field */
	size_t len;
};

struct csv_record {
	const struct csv_field *fields;
	size_t nfields;
	long line;		/* physical line where the record began (1-based) */
	uint64_t offset;	/* byte offset where the record began */
	bool header;		/* true for the first record */
};

/* Return 0 to go on, 1 to stop reading (not an error), -1 to fail (the
 * callback fills the diag it was given through ctx). */
typedef int (*csv_record_fn)(void *ctx, const struct csv_record *rec);

struct csv_read_opts {
	struct sha256_ctx *sha;	/* if set, fed every byte of the file (on a
				 * thread that reads ahead), also when the file
				 * is refused; not all when the callback stops
				 * or fails */
	bool progress;		/* progress line on stderr (only on a tty) */
	long long *rows;	/* if set, receives the number of data rows */
};

/* Read path from start to end.  -1 on I/O or format error (d set) or when
 * the callback returned -1. */
int csv_read_file(const char *path, csv_record_fn fn, void *ctx,
		  const struct csv_read_opts *opts, struct diag *d);

/* csv_read_file with every line parsed by libcsv, none split by the
 * reader itself: the reference its own path is tested against. */
int csv_read_file_libcsv(const char *path, csv_record_fn fn, void *ctx,
			 const struct csv_read_opts *opts, struct diag *d);

/* Read again the one record that begins at byte off of the open file fd
 * (path names it in messages), as libcsv parses it under the same rules
 * (no UTF-8 or line checks: it was read whole before), into fn, whose
 * record has no line (0).  -1 with d set when it is not a whole record of
 * nfields fields ("PATH: changed while it was read"), on a read error, or
 * when fn returned -1. */
int csv_read_record_at(int fd, const char *path, uint64_t off, size_t nfields,
		       csv_record_fn fn, void *ctx, struct diag *d);

#endif
