/*
 * source_snapshot_int.h: what the parts of a snapshot source share, for
 * source_snapshot*.c only: the snapshot and its tables, the column types,
 * the loader that streaming reuses, and the functions one part calls in
 * another (their contracts are at their definitions).  Ownership is as in
 * source_snapshot.h.
 */
#ifndef RECON_SOURCE_SNAPSHOT_INT_H
#define RECON_SOURCE_SNAPSHOT_INT_H

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <duckdb.h>
#include <jansson.h>

#include "source_csv.h"
#include "source_snapshot.h"

__extension__ typedef __int128 i128;
__extension__ typedef unsigned __int128 u128;

#define DEC_WIDTH 38			/* DECIMAL(38, S) */
#define UNLOADED "recon-unloaded:"	/* error() text of a column not loaded */

enum ctype {
	CT_NULL,	/* no value yet (all NULL) */
	CT_BIGINT,
	CT_DECIMAL,
	CT_DOUBLE,
	CT_TEXT
};

/* What the values of one column seen so far call for. */
struct colstat {
	bool any;		/* a non-NULL value */
	bool text;		/* a value that is not a plain number */
	bool wide;		/* a value that is not a 64-bit whole number */
	int scale;		/* largest digits after the point a value needs */
	int intdigits;		/* largest digits before it */
};

struct snap_table {
	const char *name;	/* table name: the file name without extension */
	const char *path;	/* DIR/T.csv or DIR/T.parquet */
	bool parquet;
	size_t ncols;		/* CSV header fields */
	const char **cols;	/* CSV header names */
	bool *need;		/* columns some SQL reads */
	bool *have;		/* columns held by the last load */
	bool read;		/* some planned SQL reads this table */
	bool hit;		/* the SQL being planned reads it */
	bool loaded;		/* loaded (rows, sha256 valid) */
	bool described;		/* an empty view stands in for it (describe) */
	char *error;		/* why the table is unusable (malloc), or NULL */
	long long rows;		/* data rows, -1 unknown */
	char sha256[65];	/* hex digest of the file, "" unknown */
	uint64_t size;		/* file size, to load large files first */
	int readers;		/* planned SQL texts that read it */
	bool stream;		/* read by recon_scan() at query time, not loaded */
	bool primed;		/* stream: the view is over recon_scan() */
	struct store *st;	/* stream: needed columns, bound types (malloc) */
	size_t nst;
	size_t row_bytes;	/* stream: bytes a row of the first chunk takes */
	struct scan *ahead;	/* stream: a scan started before its query */
};

struct snapshot {
	duckdb_config cfg;		/* the engine's settings, checked at open */
	duckdb_database db;		/* NULL until the engine starts (snap_engine) */
	duckdb_connection con;		/* planning and queries; NULL until then */
	const char *engine_error;	/* why the engine could not start, or NULL */
	const char *name;		/* source name, for provenance */
	const char *dir;		/* as configured */
	const char *what;		/* the SQL being planned in messages: "query" */
	struct arena arena;		/* strings, column arrays, inputs */
	struct snap_table *tables;	/* sorted by name (malloc) */
	size_t ntables;
	bool progress;			/* progress lines while loading */
	const char *memory_limit;	/* as configured, or NULL (DuckDB's default) */
	const char *temp_dir;		/* as configured, or NULL (no spilling) */
	long long stream_bytes;		/* stream CSV files from this size on */
	char threads[48];		/* "SET threads = N": the configured number */
	size_t ahead_bytes;		/* rows a streamed table may parse ahead */
	pthread_mutex_t mu;		/* guards streamed tables' fields while a
					 * query's scans end (self-joins) */
};

/* What one statement's parse tree names. */
struct refs {
	struct snapshot *sn;
	const char *sql;
	struct snap_table **tables;	/* tables it reads */
	const char **aliases;		/* their aliases, or NULL */
	size_t ntables, cap;
	const char **names;		/* every column name it mentions */
	size_t nnames, capnames;
	bool all;			/* a star: every column of its tables */
	struct diag *d;
	int status;			/* -1 once a bind parameter was seen */
};

/* ---- loading (source_snapshot_load.c) ---- */

/* One column stored in DuckDB. */
struct store {
	size_t col;		/* header index */
	enum ctype type;	/* as created */
	int scale;		/* CT_DECIMAL */
	struct colstat stat;	/* every value of the file seen so far */
};

struct loader {
	struct snapshot *sn;
	struct snap_table *t;
	duckdb_connection con;	/* this worker's */
	duckdb_appender app;
	duckdb_data_chunk chunk;
	idx_t chunk_rows;	/* rows in chunk */
	idx_t cap;		/* duckdb_vector_size() */
	struct store *st;	/* stored columns */
	size_t nst;
	bool created;		/* recon."T" exists with st's types */
	bool fixed;		/* types known before reading (second pass) */
	bool retype;		/* a field did not fit: only classify now */
	/* the first chunk's fields, held until their types are known */
	char *held;
	size_t nheld, capheld;
	size_t *heldoff;	/* per row and stored column: offset, or SIZE_MAX */
	size_t *heldlen;
	idx_t nheldrows;
	long line;		/* line of the record being read */
	bool stream;		/* the view reads recon_scan(), not recon."T" */
	struct diag *d;
};

/* ---- streaming (source_snapshot_stream.c) ---- */

#define RETYPE "recon-retype:"
#define BROKEN "recon-broken:"

/* opening (source_snapshot.c) */
void snap_set_error(struct snap_table *t, const char *msg);
const char *snap_memory_error(const struct snapshot *sn, const char *msg, char *buf,
			      size_t size);
int snap_exec(duckdb_connection con, const char *sql, struct diag *d);

/* planning (source_snapshot_plan.c) */
int snap_param_error(struct refs *r, size_t at);
void snap_mark_all(struct snap_table *t);
int snap_record(struct snapshot *sn, const char *sql, struct diag *d);
int snap_hit_error(struct snapshot *sn, struct diag *d);

/* typing and loading (source_snapshot_load.c) */
void snap_classify(struct colstat *cs, const char *s, size_t len);
enum ctype snap_decide(const struct colstat *cs, int *scale);
bool snap_put_vec(duckdb_vector vec, const struct store *st, idx_t row, const char *s,
		  size_t len);
duckdb_logical_type snap_logical(enum ctype type, int scale);
int snap_create_view(struct loader *L, long long rows);
void snap_load_table(struct snapshot *sn, struct snap_table *t, duckdb_connection con,
		     bool progress);

/* streaming (source_snapshot_stream.c) */
int snap_register_scan(struct snapshot *sn, struct diag *d);
int snap_engine(struct snapshot *sn, struct diag *d);
void snap_start_ahead(struct snapshot *sn);
void snap_stop_ahead(struct snapshot *sn);
int snap_validate(struct snapshot *sn, struct snap_table *t);
void snap_load_stale(struct snapshot *sn, bool progress);

#endif
