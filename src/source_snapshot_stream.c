/*
 * source_snapshot_stream.c: a large CSV file that one SQL text reads,
 * parsed while the query runs by the table function recon_scan(), and
 * the loading of every stale table before a query (see source_snapshot.c
 * for the whole design).
 */
#include "source_snapshot_int.h"

/* ---- streaming: a large file that one SQL text reads ------------------- */

/*
 * Loading copies a file into DuckDB's tables, which costs more than the
 * query itself when only one query reads it.  A CSV file of at least
 * stream_bytes that a single planned SQL text reads is streamed instead:
 * its view reads recon_scan(i), a table function that parses the file
 * while the query runs, so DuckDB holds no copy of it (only what the query
 * itself keeps, such as a join's hash table, which may spill).  Priming
 * types the needed columns from the first chunk of rows.  A scan parses on
 * a producer thread of its own, which hands batches of rows (their needed
 * fields, copied) through a ring of RING slots to DuckDB's threads, which
 * take them in turn and convert them into the output vectors, so the
 * query above the scan (a join's build or probe, an aggregate) runs on
 * every core; the producer also classifies every field.  At the end of
 * the file the whole file's types are known: when they are the bound
 * ones, the table's rows and digest are recorded;
 * when not (a field that does not fit, or a column NULL throughout), the
 * table takes the whole file's types and the scan fails with RETYPE, and
 * the query runs again.  A broken file fails the scan with BROKEN and the
 * table keeps the reader's error, as a loaded table would.  A scan that
 * DuckDB stops early is cancelled, and the file is checked whole after the
 * query (validate), so every SQL that reads a broken file still fails.
 *
 * Shared between a scan's producer and DuckDB's threads: the ring (which
 * slots are filled, which are being converted), the end-of-file status
 * and the misfit flag, under scan.mu.  The table's fields are written at a
 * scan's end by one of DuckDB's threads under snapshot.mu, while the
 * thread that runs the query waits for it.
 */
#define RING 4

/* The needed fields of up to duckdb_vector_size() rows. */
struct batch {
	char *bytes;		/* the fields, each NUL-terminated */
	size_t nbytes, capbytes;
	size_t *off;		/* per row and stored column: offset, or SIZE_MAX */
	size_t *len;
	idx_t nrows;
	bool busy;		/* taken by a DuckDB thread, not yet converted */
};

struct scan {
	struct snapshot *sn;
	struct snap_table *t;
	struct store *st;	/* the bound types (a copy of t->st) */
	size_t nst;
	struct colstat *stat;	/* producer: every field classified */
	idx_t cap;		/* rows per batch */
	idx_t *proj;		/* output column -> stored column */
	idx_t nproj;
	pthread_t tid;
	bool started;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct batch *ring;	/* nring slots (their arrays made on first use) */
	size_t nring;
	size_t head, count;	/* filled slots, from head */
	size_t fill;		/* producer: the slot it fills (head + count) */
	bool eof, cancel;	/* the producer ended; the consumer left */
	int status;		/* the reader's result at eof */
	struct diag d;		/* its error */
	long long rows;
	char sha256[65];
	bool misfit;		/* a field did not fit: convert no more */
	bool done;		/* the end was seen (scan_end ran) */
};

static void batch_add(struct batch *b, size_t slot, const char *s, size_t len)
{
	b->len[slot] = len;
	if (s == NULL) {
		b->off[slot] = SIZE_MAX;
		return;
	}
	if (b->capbytes - b->nbytes < len + 1) {
		size_t cap = b->capbytes ? b->capbytes : 65536;

		while (cap - b->nbytes < len + 1)
			cap *= 2;
		b->bytes = xrealloc(b->bytes, cap);
		b->capbytes = cap;
	}
	memcpy(b->bytes + b->nbytes, s, len);
	b->bytes[b->nbytes + len] = '\0';
	b->off[slot] = b->nbytes;
	b->nbytes += len + 1;
}

/* Producer: wait for a free slot; false when the consumer left. */
static bool slot_free(struct scan *sc)
{
	bool ok;

	pthread_mutex_lock(&sc->mu);
	while ((sc->count == sc->nring || sc->ring[(sc->head + sc->count) % sc->nring].busy) &&
	       !sc->cancel)
		pthread_cond_wait(&sc->cv, &sc->mu);
	ok = !sc->cancel;
	sc->fill = (sc->head + sc->count) % sc->nring;
	pthread_mutex_unlock(&sc->mu);
	return ok;
}

static void publish(struct scan *sc)
{
	pthread_mutex_lock(&sc->mu);
	sc->count++;
	pthread_cond_broadcast(&sc->cv);
	pthread_mutex_unlock(&sc->mu);
}

static int stream_record(void *ctx, const struct csv_record *rec)
{
	struct scan *sc = ctx;
	struct snap_table *t = sc->t;
	struct batch *b;

	if (rec->header) {
		bool same = rec->nfields == t->ncols;

		for (size_t i = 0; same && i < t->ncols; i++)
			same = rec->fields[i].s && rec->fields[i].len == strlen(t->cols[i]) &&
			       memcmp(rec->fields[i].s, t->cols[i], rec->fields[i].len) == 0;
		if (!same)
			return diag_error(&sc->d, "%s:%ld: header changed while recon was running",
					  t->path, rec->line);
		return slot_free(sc) ? 0 : -1;
	}
	/* the slot after the filled ones is free: slot_free said so */
	b = &sc->ring[sc->fill];
	if (b->off == NULL) {
		b->off = xcalloc(sc->cap * (sc->nst ? sc->nst : 1), sizeof *b->off);
		b->len = xcalloc(sc->cap * (sc->nst ? sc->nst : 1), sizeof *b->len);
	}
	for (size_t k = 0; k < sc->nst; k++) {
		const struct csv_field *f = &rec->fields[sc->st[k].col];

		snap_classify(&sc->stat[k], f->s, f->len);
		batch_add(b, b->nrows * sc->nst + k, f->s, f->len);
	}
	if (++b->nrows == sc->cap) {
		publish(sc);
		if (!slot_free(sc))
			return diag_error(&sc->d, "cancelled");
	}
	return 0;
}

static void *produce(void *arg)
{
	struct scan *sc = arg;
	struct sha256_ctx *sha = sha256_new();
	long long rows = 0;
	struct csv_read_opts opts = { sha, false, &rows };
	int rc = csv_read_file(sc->t->path, stream_record, sc, &opts, &sc->d);
	struct batch *b;

	sha256_final_hex(sha, sc->sha256);
	pthread_mutex_lock(&sc->mu);
	if (rc == 0 && !sc->cancel) {
		/* the last rows; a slot is free (slot_free, header or batch) */
		b = &sc->ring[sc->fill];
		if (b->nrows)
			sc->count++;
	}
	sc->eof = true;
	sc->status = rc;
	sc->rows = rows;
	pthread_cond_broadcast(&sc->cv);
	pthread_mutex_unlock(&sc->mu);
	return NULL;
}

static void scan_free(void *p)
{
	struct scan *sc = p;

	if (sc->started) {
		pthread_mutex_lock(&sc->mu);
		sc->cancel = true;
		pthread_cond_broadcast(&sc->cv);
		pthread_mutex_unlock(&sc->mu);
		pthread_join(sc->tid, NULL);
	}
	pthread_mutex_destroy(&sc->mu);
	pthread_cond_destroy(&sc->cv);
	for (size_t i = 0; i < sc->nring; i++) {
		free(sc->ring[i].bytes);
		free(sc->ring[i].off);
		free(sc->ring[i].len);
	}
	free(sc->ring);
	free(sc->st);
	free(sc->stat);
	free(sc->proj);
	free(sc);
}

static void scan_bind(duckdb_bind_info info)
{
	struct snapshot *sn = duckdb_bind_get_extra_info(info);
	duckdb_value v = duckdb_bind_get_parameter(info, 0);
	int64_t i = duckdb_get_int64(v);
	struct snap_table *t;

	duckdb_destroy_value(&v);
	if (i < 0 || (size_t)i >= sn->ntables || !sn->tables[i].stream) {
		duckdb_bind_set_error(info, "recon_scan: no such table");
		return;
	}
	t = &sn->tables[i];
	for (size_t k = 0; k < t->nst; k++) {
		duckdb_logical_type lt = snap_logical(t->st[k].type, t->st[k].scale);

		duckdb_bind_add_result_column(info, t->cols[t->st[k].col], lt);
		duckdb_destroy_logical_type(&lt);
	}
	duckdb_bind_set_bind_data(info, t, NULL);
}

/* A scan of t with its bound types and nring slots, its producer
 * started; NULL when no thread can be started. */
static struct scan *scan_start(struct snapshot *sn, struct snap_table *t, size_t nring)
{
	struct scan *sc = xcalloc(1, sizeof *sc);

	sc->sn = sn;
	sc->t = t;
	sc->nst = t->nst;
	sc->st = xcalloc(t->nst ? t->nst : 1, sizeof *sc->st);
	memcpy(sc->st, t->st, t->nst * sizeof *sc->st);
	sc->stat = xcalloc(t->nst ? t->nst : 1, sizeof *sc->stat);
	sc->cap = duckdb_vector_size();
	sc->nring = nring;
	sc->ring = xcalloc(nring, sizeof *sc->ring);
	pthread_mutex_init(&sc->mu, NULL);
	pthread_cond_init(&sc->cv, NULL);
	if (pthread_create(&sc->tid, NULL, produce, sc) != 0) {
		scan_free(sc);
		return NULL;
	}
	sc->started = true;
	return sc;
}

static void scan_init(duckdb_init_info info)
{
	struct snapshot *sn = duckdb_init_get_extra_info(info);
	struct snap_table *t = duckdb_init_get_bind_data(info);
	struct scan *sc;

	/* the scan started before the query, if this is the first */
	pthread_mutex_lock(&sn->mu);
	sc = t->ahead;
	t->ahead = NULL;
	pthread_mutex_unlock(&sn->mu);
	if (sc == NULL && (sc = scan_start(sn, t, RING)) == NULL) {
		duckdb_init_set_error(info, "recon_scan: cannot start a thread");
		return;
	}
	sc->nproj = duckdb_init_get_column_count(info);
	sc->proj = xcalloc(sc->nproj + 1, sizeof *sc->proj);
	for (idx_t j = 0; j < sc->nproj; j++)
		sc->proj[j] = duckdb_init_get_column_index(info, j);
	duckdb_init_set_init_data(info, sc, scan_free);
	/* as many of DuckDB's threads as batches can be converted at once
	 * (DuckDB uses no more than its own threads setting) */
	duckdb_init_set_max_threads(info, RING);
}

/* The end of the file: record it, or say why the query must fail. */
static void scan_end(struct scan *sc, duckdb_function_info info)
{
	struct snapshot *sn = sc->sn;
	struct snap_table *t = sc->t;
	size_t idx = (size_t)(t - sn->tables);
	char msg[64];
	bool retype = false;

	pthread_mutex_lock(&sn->mu);
	if (sc->status < 0) {
		if (!t->error)
			snap_set_error(t, sc->d.msg);
		memcpy(t->sha256, sc->sha256, sizeof t->sha256);
		snprintf(msg, sizeof msg, BROKEN "%zu", idx);
		pthread_mutex_unlock(&sn->mu);
		duckdb_function_set_error(info, msg);
		return;
	}
	for (size_t k = 0; k < sc->nst; k++) {
		int scale;
		enum ctype type = snap_decide(&sc->stat[k], &scale);

		if (type != t->st[k].type || (type == CT_DECIMAL && scale != t->st[k].scale)) {
			t->st[k].type = type;
			t->st[k].scale = scale;
			retype = true;
		}
	}
	if (retype) {
		t->primed = false;	/* the view again, with these types */
		snprintf(msg, sizeof msg, RETYPE "%zu", idx);
		pthread_mutex_unlock(&sn->mu);
		duckdb_function_set_error(info, msg);
		return;
	}
	t->rows = sc->rows;
	memcpy(t->sha256, sc->sha256, sizeof t->sha256);
	t->loaded = true;
	pthread_mutex_unlock(&sn->mu);
}

/* Convert batch b into out; false when a field does not fit. */
static bool convert(struct scan *sc, const struct batch *b, duckdb_data_chunk out)
{
	for (idx_t j = 0; j < sc->nproj; j++) {
		idx_t k = sc->proj[j];
		duckdb_vector vec = duckdb_data_chunk_get_vector(out, j);

		if (k >= sc->nst) {	/* a virtual column: none here */
			duckdb_vector_ensure_validity_writable(vec);
			for (idx_t r = 0; r < b->nrows; r++)
				duckdb_validity_set_row_invalid(duckdb_vector_get_validity(vec), r);
			continue;
		}
		for (idx_t r = 0; r < b->nrows; r++) {
			size_t off = b->off[r * sc->nst + k];

			if (!snap_put_vec(vec, &sc->st[k], r, off == SIZE_MAX ? NULL : b->bytes + off,
					  b->len[r * sc->nst + k]))
				return false;
		}
	}
	return true;
}

/* Called by each of DuckDB's threads in turn: the next batch, converted. */
static void scan_next(duckdb_function_info info, duckdb_data_chunk out)
{
	struct scan *sc = duckdb_function_get_init_data(info);
	struct batch *b;

	for (;;) {
		bool fit = true, misfit, end;

		pthread_mutex_lock(&sc->mu);
		while (sc->count == 0 && !sc->eof && !sc->done)
			pthread_cond_wait(&sc->cv, &sc->mu);
		if (sc->count == 0 || sc->done) {
			/* the first thread to see the end records it */
			end = !sc->done;
			sc->done = true;
			pthread_mutex_unlock(&sc->mu);
			if (end)
				scan_end(sc, info);
			duckdb_data_chunk_set_size(out, 0);
			return;
		}
		b = &sc->ring[sc->head];
		b->busy = true;
		sc->head = (sc->head + 1) % sc->nring;
		sc->count--;
		misfit = sc->misfit;
		pthread_mutex_unlock(&sc->mu);
		/* after a misfit, only the producer's classifying goes on: the
		 * end of the file says which types the table takes */
		if (!misfit)
			fit = convert(sc, b, out);
		idx_t n = b->nrows;

		pthread_mutex_lock(&sc->mu);
		b->nrows = 0;
		b->nbytes = 0;
		b->busy = false;
		if (!fit)
			sc->misfit = true;
		misfit = sc->misfit;
		pthread_cond_broadcast(&sc->cv);
		pthread_mutex_unlock(&sc->mu);
		if (!misfit) {
			duckdb_data_chunk_set_size(out, n);
			return;
		}
	}
}

/* recon_scan(i): table i, streamed.  Registered once per database. */
int snap_register_scan(struct snapshot *sn, struct diag *d)
{
	duckdb_table_function f = duckdb_create_table_function();
	duckdb_logical_type big = duckdb_create_logical_type(DUCKDB_TYPE_BIGINT);
	duckdb_state rc;

	duckdb_table_function_set_name(f, "recon_scan");
	duckdb_table_function_add_parameter(f, big);
	duckdb_table_function_set_extra_info(f, sn, NULL);
	duckdb_table_function_set_bind(f, scan_bind);
	duckdb_table_function_set_init(f, scan_init);
	duckdb_table_function_set_function(f, scan_next);
	duckdb_table_function_supports_projection_pushdown(f, true);
	rc = duckdb_register_table_function(sn->con, f);
	duckdb_destroy_logical_type(&big);
	duckdb_destroy_table_function(&f);
	return rc == DuckDBSuccess ? 0 : diag_error(d, "snapshot engine: cannot register recon_scan");
}

/* Priming: the first chunk's fields type the needed columns. */
struct prime {
	struct snap_table *t;
	struct store *st;
	size_t nst;
	idx_t rows, cap;
	struct diag *d;
};

static int prime_record(void *ctx, const struct csv_record *rec)
{
	struct prime *p = ctx;

	if (rec->header)
		return 0;
	for (size_t k = 0; k < p->nst; k++)
		snap_classify(&p->st[k].stat, rec->fields[p->st[k].col].s, rec->fields[p->st[k].col].len);
	if (++p->rows == p->cap) {
		p->t->row_bytes = (size_t)(rec->offset / p->rows);
		return diag_error(p->d, "primed");
	}
	return 0;
}

/* Make t's view read recon_scan() with the needed columns, typed from the
 * first chunk (or, after a scan said otherwise, from the whole file). */
static void prime_table(struct snapshot *sn, struct snap_table *t)
{
	struct diag d = { "" };
	struct loader L;
	size_t n = 0;
	bool same = t->st != NULL;
	size_t k = 0;

	/* the same columns as before: keep the types a scan found */
	for (size_t i = 0; same && i < t->ncols; i++)
		if (t->need[i])
			same = k < t->nst && t->st[k++].col == i;
	if (!same || k != t->nst) {
		size_t j;

		struct prime p;

		free(t->st);
		t->st = xcalloc(t->ncols ? t->ncols : 1, sizeof *t->st);
		for (size_t i = 0; i < t->ncols; i++)
			if (t->need[i])
				t->st[n++].col = i;
		t->nst = n;
		memset(&p, 0, sizeof p);
		p.t = t;
		p.st = t->st;
		p.nst = n;
		p.cap = duckdb_vector_size();
		p.d = &d;
		if (csv_read_file(t->path, prime_record, &p, NULL, &d) < 0 && p.rows < p.cap) {
			snap_set_error(t, d.msg);
			if (sha256_file_hex(t->path, t->sha256, NULL) != 0)
				t->sha256[0] = '\0';
			return;
		}
		for (j = 0; j < n; j++)
			t->st[j].type = snap_decide(&t->st[j].stat, &t->st[j].scale);
	}
	memset(&L, 0, sizeof L);
	L.sn = sn;
	L.t = t;
	L.con = sn->con;
	L.st = t->st;
	L.nst = t->nst;
	L.stream = true;
	L.d = &d;
	if (snap_create_view(&L, 0) < 0) {
		snap_set_error(t, d.msg);
		return;
	}
	for (size_t i = 0; i < t->ncols; i++)
		t->have[i] = t->need[i];
	t->primed = true;
}

/* Before a query that reads streamed tables: start each one's scan now,
 * with room for its share of ahead_bytes of rows, so that a table DuckDB
 * reads second (a join's probe side) is parsed while it reads the first.
 * The query's scan of the table takes it over (scan_init). */
void snap_start_ahead(struct snapshot *sn)
{
	size_t n = 0;

	for (size_t i = 0; i < sn->ntables; i++)
		n += sn->tables[i].hit && sn->tables[i].stream && !sn->tables[i].error;
	for (size_t i = 0; i < sn->ntables; i++) {
		struct snap_table *t = &sn->tables[i];
		size_t slot, nring;

		if (!t->hit || !t->stream || t->error || t->ahead)
			continue;
		slot = duckdb_vector_size() * (t->row_bytes + 1 + t->nst * 2 * sizeof(size_t));
		nring = sn->ahead_bytes / n / (slot ? slot : 1);
		t->ahead = scan_start(sn, t, nring > RING ? nring : RING);
	}
}

/* After it: the scans no query took over are stopped. */
void snap_stop_ahead(struct snapshot *sn)
{
	for (size_t i = 0; i < sn->ntables; i++)
		if (sn->tables[i].ahead) {
			scan_free(sn->tables[i].ahead);
			sn->tables[i].ahead = NULL;
		}
}

/* After a query: a streamed table it read whose scan did not reach the end
 * of the file is read whole now.  0 when it agrees with what was bound, 1
 * when its types changed (run again), -1 when it is broken (t->error). */
int snap_validate(struct snapshot *sn, struct snap_table *t)
{
	/* the producer alone, its batches dropped as they fill */
	struct scan *sc = scan_start(sn, t, RING);
	int ret = 0;

	if (sc == NULL) {
		snap_set_error(t, "snapshot engine: cannot start a thread");
		return -1;
	}
	for (;;) {
		pthread_mutex_lock(&sc->mu);
		while (sc->count == 0 && !sc->eof)
			pthread_cond_wait(&sc->cv, &sc->mu);
		if (sc->count == 0) {
			pthread_mutex_unlock(&sc->mu);
			break;
		}
		sc->ring[sc->head].nrows = 0;
		sc->ring[sc->head].nbytes = 0;
		sc->head = (sc->head + 1) % sc->nring;
		sc->count--;
		pthread_cond_broadcast(&sc->cv);
		pthread_mutex_unlock(&sc->mu);
	}
	pthread_join(sc->tid, NULL);
	sc->started = false;
	if (sc->status < 0) {
		snap_set_error(t, sc->d.msg);
		memcpy(t->sha256, sc->sha256, sizeof t->sha256);
		ret = -1;
		goto out;
	}
	for (size_t k = 0; k < sc->nst; k++) {
		int scale;
		enum ctype type = snap_decide(&sc->stat[k], &scale);

		if (type != t->st[k].type || (type == CT_DECIMAL && scale != t->st[k].scale)) {
			t->st[k].type = type;
			t->st[k].scale = scale;
			t->primed = false;
			ret = 1;
		}
	}
	if (ret == 0) {
		t->rows = sc->rows;
		memcpy(t->sha256, sc->sha256, sizeof t->sha256);
		t->loaded = true;
	}
out:
	scan_free(sc);
	return ret;
}

/* Whether t must be (re)loaded to give the SQL that read it what it needs. */
static bool stale(const struct snap_table *t)
{
	if (t->error || !t->read || t->parquet)
		return false;
	if (t->stream ? !t->primed : !t->loaded)
		return true;
	for (size_t i = 0; i < t->ncols; i++)
		if (t->need[i] && !t->have[i])
			return true;
	return false;
}

/* Workers take the next stale table, largest first. */
struct pool {
	struct snapshot *sn;
	struct snap_table **todo;
	size_t ntodo;
	atomic_size_t next;
	bool progress;
};

static void *worker(void *arg)
{
	struct pool *p = arg;
	duckdb_connection con = NULL;
	size_t i;

	if (duckdb_connect(p->sn->db, &con) != DuckDBSuccess) {
		while ((i = atomic_fetch_add(&p->next, 1)) < p->ntodo)
			snap_set_error(p->todo[i], "snapshot engine: cannot connect");
		return NULL;
	}
	while ((i = atomic_fetch_add(&p->next, 1)) < p->ntodo)
		snap_load_table(p->sn, p->todo[i], con, p->progress);
	duckdb_disconnect(&con);
	return NULL;
}

static int by_size(const void *a, const void *b)
{
	const struct snap_table *x = *(struct snap_table *const *)a;
	const struct snap_table *y = *(struct snap_table *const *)b;

	return x->size < y->size ? 1 : x->size > y->size ? -1 : strcmp(x->name, y->name);
}

void snap_load_stale(struct snapshot *sn, bool progress)
{
	struct pool p;
	pthread_t tid[8];
	size_t nthreads, started = 0;
	long cores = sysconf(_SC_NPROCESSORS_ONLN);

	memset(&p, 0, sizeof p);
	p.sn = sn;
	p.todo = xcalloc(sn->ntables + 1, sizeof *p.todo);
	for (size_t i = 0; i < sn->ntables; i++) {
		struct snap_table *t = &sn->tables[i];
		struct diag d = { "" };

		if (!stale(t))
			continue;
		/* (planning started the engine; this is for the record) */
		if (snap_engine(sn, &d) < 0) {
			snap_set_error(t, d.msg);
			continue;
		}
		/* (a file of which no column is read is counted: loading
		 * stores nothing) */
		if (!t->loaded && t->readers == 1 && t->size >= (uint64_t)sn->stream_bytes &&
		    memchr(t->need, true, t->ncols))
			t->stream = true;
		if (t->stream)
			prime_table(sn, t);
		else
			p.todo[p.ntodo++] = t;
	}
	qsort(p.todo, p.ntodo, sizeof *p.todo, by_size);
	atomic_init(&p.next, 0);
	nthreads = cores > 1 ? (size_t)cores : 1;
	if (nthreads > sizeof tid / sizeof *tid)
		nthreads = sizeof tid / sizeof *tid;
	if (nthreads > p.ntodo)
		nthreads = p.ntodo;
	/* one progress line at a time on the terminal */
	p.progress = progress && nthreads <= 1;
	for (size_t i = 1; i < nthreads; i++)
		if (pthread_create(&tid[started], NULL, worker, &p) == 0)
			started++;
	if (p.ntodo)
		worker(&p);
	for (size_t i = 0; i < started; i++)
		pthread_join(tid[i], NULL);
	free(p.todo);
}

/* Contract in source_snapshot.h. */
void snapshot_load(struct snapshot *sn, bool progress)
{
	sn->progress = progress;
	snap_load_stale(sn, progress);
	for (size_t i = 0; i < sn->ntables; i++) {
		struct snap_table *t = &sn->tables[i];
		char hex[65];

		/* a broken header, or a Parquet file: the digest of its bytes */
		if (t->read && !t->sha256[0] && (t->error || t->parquet) &&
		    sha256_file_hex(t->path, hex, NULL) == 0)
			memcpy(t->sha256, hex, sizeof hex);
		if (t->read && t->parquet && !t->error)
			t->loaded = true;
	}
}
