/*
 * gen_pair: a fast, deterministic generator of a dual-write snapshot pair for
 * recon's benchmarks.
 *
 *     gen_pair N OUTDIR [SEED [CHANGED]]
 *
 * writes (creating OUTDIR itself if needed) OUTDIR/departments.csv (N rows), OUTDIR/org_units.csv and
 * OUTDIR/truth.txt.  Both CSV files have the header
 * tenant_id,unit_id,name,parent_id,updated_at, RFC 4180 quoting, LF line
 * ends and valid UTF-8.
 *
 * - About 1000 tenants (t-0001 ... t-1000, labels shuffled) of Zipf-like
 *   sizes (weight 1/rank): the largest holds about 13% of the rows.
 * - unit_id is u-K, K = 1.. per tenant, zero-padded to 7 digits; (tenant_id, unit_id) is unique on
 *   each side.  parent_id is an earlier unit of the same tenant, or empty
 *   (NULL) for about 10% of the units (the roots).
 * - Names: mostly plain ASCII; about 1 in 64 is special: a comma, double
 *   quotes (escaped as ""), an embedded newline, or non-ASCII UTF-8.
 * - org_units = departments without 0.01% of the rows (missing), with 0.01%
 *   (or CHANGED per million) changed (name, parent_id or updated_at
 *   differs) and 0.005% extra rows
 *   (keys that departments does not have).  Both files are shuffled
 *   independently.
 * - truth.txt: the exact counts, key=value per line, among them the answers
 *   of the benchmark's two SQL checks: the tenants with a departments row
 *   missing from org_units (tenants_without_org_unit), and the tenants whose
 *   roots (parent_id NULL) are more than 11% of their departments rows
 *   (tenants_over_11pct_roots) with those tenants' rows and roots summed.
 *
 * Every row is a pure function of (SEED, its index): no row is kept in
 * memory, only two permutations (4 bytes a row each) and a flag byte a row.
 * Own PRNG (splitmix64), no rand(), no clock: same N and SEED, same bytes.
 *
 *     gcc -std=c11 -O2 -Wall -Wextra -Werror -o gen_pair gen_pair.c
 */
#define _POSIX_C_SOURCE 200809L
#include <sys/stat.h>
#include <sys/types.h>

#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NTENANTS 1000u
#define MAX_ROWS 1000000000ull

/* ---- PRNG --------------------------------------------------------------- */

static uint64_t mix64(uint64_t z)
{
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

struct rng {
	uint64_t s;
};

static uint64_t next64(struct rng *r)
{
	r->s += 0x9e3779b97f4a7c15ull;
	return mix64(r->s);
}

/* uniform-ish in [0, n), n < 2^32 (multiply-shift, no division) */
static uint32_t below(uint64_t x, uint32_t n)
{
	return (uint32_t)(((x >> 32) * (uint64_t)n) >> 32);
}

/* ---- output buffer ------------------------------------------------------ */

struct out {
	FILE *f;
	const char *path;
	char *buf;
	size_t len, cap;
	uint64_t bytes;
};

static void die(const char *what, const char *path)
{
	fprintf(stderr, "gen_pair: %s%s%s: %s\n", what, path ? " " : "",
		path ? path : "", strerror(errno));
	exit(1);
}

static void out_flush(struct out *o)
{
	if (o->len && fwrite(o->buf, 1, o->len, o->f) != o->len)
		die("cannot write", o->path);
	o->bytes += o->len;
	o->len = 0;
}

static void out_open(struct out *o, const char *dir, const char *name)
{
	size_t n = strlen(dir) + strlen(name) + 2;
	char *p = malloc(n);
	if (!p)
		die("out of memory", NULL);
	snprintf(p, n, "%s/%s", dir, name);
	o->path = p;
	o->f = fopen(p, "wb");
	if (!o->f)
		die("cannot create", p);
	o->cap = 1u << 20;
	o->buf = malloc(o->cap);
	if (!o->buf)
		die("out of memory", NULL);
	o->len = 0;
	o->bytes = 0;
}

static void out_close(struct out *o)
{
	out_flush(o);
	if (fclose(o->f) != 0)
		die("cannot close", o->path);
	free(o->buf);
	free((char *)o->path);
}

/* room for one row: every row is far shorter than 512 bytes */
static char *out_reserve(struct out *o)
{
	if (o->cap - o->len < 512)
		out_flush(o);
	return o->buf + o->len;
}

static char *put_str(char *p, const char *s, size_t n)
{
	memcpy(p, s, n);
	return p + n;
}

/* at least 7 digits, zero-padded (u-0001085) */
static char *put_id(char *p, uint64_t v)
{
	char tmp[24];
	int n = 0;
	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (n < 7)
		tmp[n++] = '0';
	while (n)
		*p++ = tmp[--n];
	return p;
}

static char *put_digits(char *p, unsigned v, int width)
{
	for (int i = width - 1; i >= 0; i--) {
		p[i] = (char)('0' + v % 10);
		v /= 10;
	}
	return p + width;
}

/* a CSV field, quoted when it holds a comma, quote, CR or LF */
static char *put_field(char *p, const char *s, size_t n)
{
	if (!memchr(s, ',', n) && !memchr(s, '"', n) && !memchr(s, '\n', n) &&
	    !memchr(s, '\r', n))
		return put_str(p, s, n);
	*p++ = '"';
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '"')
			*p++ = '"';
		*p++ = s[i];
	}
	*p++ = '"';
	return p;
}

/* ---- the data ----------------------------------------------------------- */

static const char *const NAMES[] = {
	"Engineering", "Platform", "Infra", "Security", "Data", "Analytics",
	"Finance", "Payroll", "Legal", "Sales", "Marketing", "Support",
	"Operations", "Facilities", "People", "Design", "Product", "Mobile",
	"Billing", "Growth", "Research", "Logistics", "Quality", "Tax",
	"Audit", "Treasury", "Risk", "Web", "Cloud", "Network", "Field Ops",
	"Partners",
};
#define NNAMES (sizeof NAMES / sizeof NAMES[0])

static const char *const SPECIAL[] = {
	"Research, Development",	/* comma */
	"Sales, EMEA & APAC",		/* comma */
	"\"Skunkworks\" Lab",		/* quotes */
	"The \"A\" Team, Ops",		/* quotes and comma */
	"Night shift\nOps",		/* embedded newline */
	"Relações Públicas",		/* non-ASCII (Latin) */
	"Entwicklung Süd",
	"Ventes – Québec",		/* en dash */
	"研发中心",			/* CJK */
	"Ørsted Øst",
	"Δοκιμές",			/* Greek */
	"Müller, \"Kern\" & Söhne",	/* everything */
};
#define NSPECIAL (sizeof SPECIAL / sizeof SPECIAL[0])

static const char *const REGIONS[] = {
	"EMEA", "APAC", "North", "South", "East", "West", "DACH", "Nordics",
};
#define NREGIONS (sizeof REGIONS / sizeof REGIONS[0])

/* timestamps: 2025-01-01T00:00:00Z + [0, SPAN) seconds */
#define TS_EPOCH_DAYS 20089u		/* 2025-01-01 in days since 1970-01-01 */
#define TS_SPAN (690ull * 86400ull)	/* up to 2026-11-21 */
#define TS_CUT_DAYS 20758u		/* 2026-11-01 */

struct row {
	uint32_t tenant;	/* tenant label number, 1..NTENANTS */
	uint64_t unit;		/* K of u-K */
	char name[96];
	size_t name_len;
	uint64_t parent;	/* 0: NULL */
	uint64_t ts;		/* seconds since 2025-01-01 */
};

static uint64_t g_seed;
static uint64_t g_n;			/* departments rows */
static uint64_t g_count[NTENANTS];	/* rows per tenant (by rank) */
static uint64_t g_off[NTENANTS + 1];	/* first row index per rank */
static uint32_t g_label[NTENANTS];	/* rank -> label number */

static size_t make_name(char *dst, uint64_t h)
{
	const char *base;
	size_t n;
	if ((h & 63) == 0)
		base = SPECIAL[below(mix64(h), NSPECIAL)];
	else
		base = NAMES[below(h, NNAMES)];
	n = strlen(base);
	memcpy(dst, base, n);
	if ((h >> 8) & 3) {	/* 3 in 4 names carry a region */
		const char *r = REGIONS[(h >> 9) % NREGIONS];
		size_t m = strlen(r);
		dst[n++] = ' ';
		memcpy(dst + n, r, m);
		n += m;
	}
	return n;
}

/* the content of a unit K of a tenant, from its hash */
static void fill(struct row *r, uint64_t h, uint64_t k)
{
	uint64_t h2 = mix64(h ^ 0x5851f42d4c957f2dull);
	r->unit = k;
	r->name_len = make_name(r->name, h);
	if (k == 1 || below(h2, 10) == 0)
		r->parent = 0;
	else
		r->parent = 1 + (h2 >> 8) % (k - 1);
	r->ts = mix64(h2) % TS_SPAN;
}

static uint32_t rank_of(uint64_t i)
{
	uint32_t lo = 0, hi = NTENANTS;	/* g_off[lo] <= i < g_off[hi] */
	while (hi - lo > 1) {
		uint32_t mid = (lo + hi) / 2;
		if (g_off[mid] <= i)
			lo = mid;
		else
			hi = mid;
	}
	return lo;
}

static void dept_row(struct row *r, uint64_t i)
{
	uint32_t t = rank_of(i);
	r->tenant = g_label[t];
	fill(r, mix64(g_seed ^ mix64(i + 1)), i - g_off[t] + 1);
}

/* civil date from days since 1970-01-01 (H. Hinnant's algorithm) */
static void civil(uint32_t days, unsigned *y, unsigned *m, unsigned *d)
{
	uint32_t z = days + 719468u;
	uint32_t era = z / 146097u;
	uint32_t doe = z - era * 146097u;
	uint32_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	uint32_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	uint32_t mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = yoe + era * 400 + (*m <= 2);
}

static void write_row(struct out *o, const struct row *r)
{
	char *p = out_reserve(o), *start = p;
	unsigned y, mo, d;
	uint64_t s = r->ts;
	*p++ = 't';
	*p++ = '-';
	p = put_digits(p, r->tenant, 4);
	*p++ = ',';
	*p++ = 'u';
	*p++ = '-';
	p = put_id(p, r->unit);
	*p++ = ',';
	p = put_field(p, r->name, r->name_len);
	*p++ = ',';
	if (r->parent) {
		*p++ = 'u';
		*p++ = '-';
		p = put_id(p, r->parent);
	}
	*p++ = ',';
	civil(TS_EPOCH_DAYS + (uint32_t)(s / 86400), &y, &mo, &d);
	p = put_digits(p, y, 4);
	*p++ = '-';
	p = put_digits(p, mo, 2);
	*p++ = '-';
	p = put_digits(p, d, 2);
	*p++ = 'T';
	s %= 86400;
	p = put_digits(p, (unsigned)(s / 3600), 2);
	*p++ = ':';
	p = put_digits(p, (unsigned)(s / 60 % 60), 2);
	*p++ = ':';
	p = put_digits(p, (unsigned)(s % 60), 2);
	*p++ = 'Z';
	*p++ = '\n';
	o->len += (size_t)(p - start);
}

static void shuffle(uint32_t *a, uint64_t n, struct rng *r)
{
	for (uint64_t i = n; i > 1; i--) {
		uint32_t j = below(next64(r), (uint32_t)i);
		uint32_t t = a[i - 1];
		a[i - 1] = a[j];
		a[j] = t;
	}
}

enum { F_SAME = 0, F_MISSING = 1, F_CHANGED = 2 };

static const char HEADER[] = "tenant_id,unit_id,name,parent_id,updated_at\n";

static uint64_t pct(uint64_t n, uint64_t per_million)
{
	uint64_t v = (n * per_million + 500000) / 1000000;
	return (v == 0 && n >= 100) ? 1 : v;
}

int main(int argc, char **argv)
{
	char *end;
	uint64_t changed_ppm = 100;
	if (argc < 3 || argc > 5) {
		fprintf(stderr, "usage: gen_pair N OUTDIR [SEED [CHANGED_PER_MILLION]]\n");
		return 2;
	}
	errno = 0;
	g_n = strtoull(argv[1], &end, 10);
	if (errno || *end || end == argv[1] || g_n < 1 || g_n > MAX_ROWS) {
		fprintf(stderr, "gen_pair: N must be 1..%llu\n", MAX_ROWS);
		return 2;
	}
	g_seed = 42;
	if (argc >= 4) {
		errno = 0;
		g_seed = strtoull(argv[3], &end, 10);
		if (errno || *end || end == argv[3]) {
			fprintf(stderr, "gen_pair: SEED must be a number\n");
			return 2;
		}
	}
	if (argc == 5) {
		errno = 0;
		changed_ppm = strtoull(argv[4], &end, 10);
		if (errno || *end || end == argv[4] || changed_ppm > 500000) {
			fprintf(stderr, "gen_pair: CHANGED_PER_MILLION must be 0..500000\n");
			return 2;
		}
	}
	const char *dir = argv[2];
	if (mkdir(dir, 0777) != 0 && errno != EEXIST)
		die("cannot create directory", dir);
	struct rng rng = {mix64(g_seed ^ 0x2545f4914f6cdd1dull)};

	/* tenant sizes: weight 1e9/rank, largest remainders to the top ranks */
	uint64_t w[NTENANTS], wsum = 0, assigned = 0;
	for (uint32_t t = 0; t < NTENANTS; t++)
		wsum += w[t] = 1000000000ull / (t + 1);
	for (uint32_t t = 0; t < NTENANTS; t++)
		assigned += g_count[t] = g_n / wsum * w[t] +
			(g_n % wsum) * w[t] / wsum;
	for (uint32_t t = 0; assigned < g_n; t = (t + 1) % NTENANTS, assigned++)
		g_count[t]++;
	for (uint32_t t = 0; t < NTENANTS; t++) {
		g_off[t + 1] = g_off[t] + g_count[t];
		g_label[t] = t + 1;
	}
	shuffle(g_label, NTENANTS, &rng);

	/* which rows are missing / changed on the org_units side */
	uint64_t n_missing = pct(g_n, 100), n_changed = pct(g_n, changed_ppm);
	uint64_t n_extra = pct(g_n, 50);
	if (n_missing + n_changed > g_n)
		n_missing = n_changed = 0;
	unsigned char *flag = calloc(g_n, 1);
	if (!flag)
		die("out of memory", NULL);
	for (uint64_t k = 0; k < n_missing + n_changed;) {
		uint32_t i = below(next64(&rng), (uint32_t)g_n);
		if (flag[i])
			continue;
		flag[i] = k < n_missing ? F_MISSING : F_CHANGED;
		k++;
	}

	/* extra rows: tenant of a random row, unit numbers past the tenant's */
	uint32_t *extra_rank = malloc((n_extra ? n_extra : 1) * sizeof *extra_rank);
	uint64_t *extra_unit = malloc((n_extra ? n_extra : 1) * sizeof *extra_unit);
	uint64_t extra_next[NTENANTS] = {0};
	if (!extra_rank || !extra_unit)
		die("out of memory", NULL);
	for (uint64_t j = 0; j < n_extra; j++) {
		uint32_t t = rank_of(below(next64(&rng), (uint32_t)g_n));
		extra_rank[j] = t;
		extra_unit[j] = g_count[t] + ++extra_next[t];
	}

	/* departments: every row, shuffled */
	uint32_t *perm = malloc(g_n * sizeof *perm);
	if (!perm)
		die("out of memory", NULL);
	for (uint64_t i = 0; i < g_n; i++)
		perm[i] = (uint32_t)i;
	shuffle(perm, g_n, &rng);

	struct out o;
	struct row r;
	uint64_t roots_recent = 0, tenants_used = 0;
	uint64_t roots[NTENANTS + 1] = {0};	/* by label */
	out_open(&o, dir, "departments.csv");
	memcpy(out_reserve(&o), HEADER, sizeof HEADER - 1);
	o.len += sizeof HEADER - 1;
	for (uint64_t j = 0; j < g_n; j++) {
		dept_row(&r, perm[j]);
		if (!r.parent && TS_EPOCH_DAYS + r.ts / 86400 >= TS_CUT_DAYS)
			roots_recent++;
		if (!r.parent)
			roots[r.tenant]++;
		write_row(&o, &r);
	}
	out_close(&o);
	uint64_t dept_bytes = o.bytes;
	for (uint32_t t = 0; t < NTENANTS; t++)
		tenants_used += g_count[t] > 0;

	/* the answers of the SQL checks */
	uint64_t over_tenants = 0, over_rows = 0, over_roots = 0, miss_tenants = 0;
	unsigned char miss_of[NTENANTS] = {0};	/* by rank */
	for (uint32_t t = 0; t < NTENANTS; t++)
		if (roots[g_label[t]] * 100 > g_count[t] * 11) {
			over_tenants++;
			over_rows += g_count[t];
			over_roots += roots[g_label[t]];
		}
	for (uint64_t i = 0; i < g_n; i++)
		if (flag[i] == F_MISSING)
			miss_of[rank_of(i)] = 1;
	for (uint32_t t = 0; t < NTENANTS; t++)
		miss_tenants += miss_of[t];

	/* org_units: rows not missing, plus the extras (index g_n + j) */
	uint64_t n_app = g_n - n_missing + n_extra, m = 0;
	for (uint64_t i = 0; i < g_n; i++)
		if (flag[i] != F_MISSING)
			perm[m++] = (uint32_t)i;
	if (n_extra) {
		uint32_t *p2 = realloc(perm, n_app * sizeof *perm);
		if (!p2)
			die("out of memory", NULL);
		perm = p2;
	}
	for (uint64_t j = 0; j < n_extra; j++)
		perm[m++] = (uint32_t)(g_n + j);
	shuffle(perm, n_app, &rng);

	uint64_t ch_name = 0, ch_parent = 0, ch_ts = 0;
	out_open(&o, dir, "org_units.csv");
	memcpy(out_reserve(&o), HEADER, sizeof HEADER - 1);
	o.len += sizeof HEADER - 1;
	for (uint64_t j = 0; j < n_app; j++) {
		uint64_t i = perm[j];
		if (i >= g_n) {
			uint64_t e = i - g_n;
			r.tenant = g_label[extra_rank[e]];
			fill(&r, mix64(g_seed ^ mix64(~i)), extra_unit[e]);
		} else {
			dept_row(&r, i);
			if (flag[i] == F_CHANGED) {
				unsigned what = (unsigned)(mix64(i ^ g_seed) % 3);
				if (what == 1 && r.parent == 0 && r.unit == 1)
					what = 0;	/* a root u-1 has no other parent */
				if (what == 0) {
					memcpy(r.name + r.name_len, " (renamed)", 10);
					r.name_len += 10;
					ch_name++;
				} else if (what == 1) {
					r.parent = r.parent ? 0 : 1;
					ch_parent++;
				} else {
					r.ts = r.ts + 86400 < TS_SPAN ? r.ts + 86400
								      : r.ts - 86400;
					ch_ts++;
				}
			}
		}
		write_row(&o, &r);
	}
	out_close(&o);
	uint64_t app_bytes = o.bytes;

	FILE *f;
	{
		size_t n = strlen(dir) + 12;
		char *p = malloc(n);
		if (!p)
			die("out of memory", NULL);
		snprintf(p, n, "%s/truth.txt", dir);
		f = fopen(p, "w");
		if (!f)
			die("cannot create", p);
		fprintf(f,
			"# gen_pair N=%" PRIu64 " SEED=%" PRIu64 "\n"
			"seed=%" PRIu64 "\n"
			"tenants=%" PRIu64 "\n"
			"largest_tenant_rows=%" PRIu64 "\n"
			"departments_rows=%" PRIu64 "\n"
			"org_units_rows=%" PRIu64 "\n"
			"departments_bytes=%" PRIu64 "\n"
			"org_units_bytes=%" PRIu64 "\n"
			"missing=%" PRIu64 "\n"
			"extra=%" PRIu64 "\n"
			"changed=%" PRIu64 "\n"
			"changed_name=%" PRIu64 "\n"
			"changed_parent_id=%" PRIu64 "\n"
			"changed_updated_at=%" PRIu64 "\n"
			"departments_without_org_unit=%" PRIu64 "\n"
			"compare_drift=%" PRIu64 "\n"
			"# departments rows with parent_id NULL and updated_at >= '2026-11-01'\n"
			"roots_updated_since_2026_11_01=%" PRIu64 "\n"
			"tenants_without_org_unit=%" PRIu64 "\n"
			"# tenants whose roots are more than 11%% of their departments rows\n"
			"tenants_over_11pct_roots=%" PRIu64 "\n"
			"tenants_over_11pct_roots_rows=%" PRIu64 "\n"
			"tenants_over_11pct_roots_roots=%" PRIu64 "\n",
			g_n, g_seed, g_seed, tenants_used, g_count[0], g_n, n_app,
			dept_bytes, app_bytes, n_missing, n_extra, n_changed,
			ch_name, ch_parent, ch_ts, n_missing,
			n_missing + n_extra + n_changed, roots_recent, miss_tenants,
			over_tenants, over_rows, over_roots);
		if (fclose(f) != 0)
			die("cannot write", p);
		free(p);
	}
	free(perm);
	free(flag);
	free(extra_rank);
	free(extra_unit);
	return 0;
}
