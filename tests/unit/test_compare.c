/*
 * test_compare.c: kind = compare, one test per rule of the contract and of
 * issue 3: value rules (numbers, tolerance, NULL, strings), each finding
 * kind with its per-group counts, duplicate keys and missing columns as
 * errors, query sides, stable samples, provenance, and agreement with the
 * equivalent SQL `rows` checks over the same data.
 *
 * Each test writes small CSV files into a fresh mkdtemp directory, opens it
 * as a CSV source with a hand-built struct source_cfg and evaluates a
 * hand-built struct check_cfg, as the sweep would.
 */
#define _GNU_SOURCE	/* RTLD_NEXT */
#include <check.h>
#include <dirent.h>
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "compare.h"
#include "compare_classes.h"
#include "compare_value.h"

/* ---- fixture ------------------------------------------------------------ */

struct fx {
	char dir[64];
	struct source_cfg scfg;
	struct source *src;
	struct config cfg;
	struct check_cfg cc;
	struct check_result cr;
	struct arena a;
	struct diag d;
	int ret;
	const char *key_c0[1];	/* a key of column c0 */
};

static const char *key_id[] = { "id" };

static void fx_init(struct fx *f)
{
	memset(f, 0, sizeof(*f));
	snprintf(f->dir, sizeof(f->dir), "/tmp/recon-compare-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(f->dir));
	f->scfg.name = "snap";
	f->scfg.type = SOURCE_CSV;
	f->scfg.path = f->dir;
	f->cfg.samples = 20;
	f->cc.id = "cmp";
	f->cc.kind = KIND_COMPARE;
	f->cc.paging = true;
	f->cc.enabled = true;
	f->cc.left_source = "snap";
	f->cc.left_table = "l";
	f->cc.right_source = "snap";
	f->cc.right_table = "r";
	f->cc.key = key_id;
	f->cc.nkey = 1;
	arena_init(&f->a);
}

static void fx_file(struct fx *f, const char *table, const char *text)
{
	char path[128];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/%s.csv", f->dir, table);
	fp = fopen(path, "wb");
	ck_assert_ptr_nonnull(fp);
	fputs(text, fp);
	fclose(fp);
}

/* Set while compare_eval runs: the pthread hooks below act only on the
 * compare's own threads, not on those the snapshot engine starts when the
 * source opens. */
static bool in_eval;

/* Evaluate f->cc over the directory; the result is in f->cr, f->ret. */
static int fx_run(struct fx *f)
{
	if (f->src)
		source_close(f->src);
	f->src = source_open(&f->scfg, NULL);
	memset(&f->cr, 0, sizeof(f->cr));
	f->cr.cfg = &f->cc;
	f->d.msg[0] = '\0';
	f->ret = compare_plan(&f->cc, f->src, f->src, &f->d);
	if (f->ret == 0) {
		in_eval = true;
		f->ret = compare_eval(&f->cr, f->src, f->src, &f->cfg, &f->a, &f->d);
		in_eval = false;
	}
	return f->ret;
}

static void fx_done(struct fx *f)
{
	DIR *dp = opendir(f->dir);
	struct dirent *de;
	char path[512];

	while (dp && (de = readdir(dp))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", f->dir, de->d_name);
		unlink(path);
	}
	if (dp)
		closedir(dp);
	rmdir(f->dir);
	if (f->src)
		source_close(f->src);
	arena_release(&f->a);
}

/* The findings, as "missing extra changed". */
static void assert_findings(struct fx *f, long long m, long long e, long long c)
{
	ck_assert_msg(f->ret == 0, "compare failed: %s", f->d.msg);
	ck_assert_int_eq(f->cr.missing, m);
	ck_assert_int_eq(f->cr.extra, e);
	ck_assert_int_eq(f->cr.changed, c);
	ck_assert_int_eq(f->cr.drift, m + e + c);
	ck_assert_int_eq(f->cr.status, m + e + c ? STATUS_FAIL : STATUS_PASS);
}

/* One sample row as text: cells joined by '|', NULL as \N. */
static void sample_text(const struct check_result *cr, size_t i, char *out, size_t n)
{
	size_t j, len = 0;

	out[0] = '\0';
	for (j = 0; j < cr->ncolumns && len < n; j++) {
		const char *s = cr->samples[i][j];

		len += (size_t)snprintf(out + len, n - len, "%s%s", j ? "|" : "", s ? s : "\\N");
	}
}

static void assert_sample(const struct check_result *cr, size_t i, const char *want)
{
	char got[1024];

	ck_assert_uint_gt(cr->nsamples, i);
	sample_text(cr, i, got, sizeof(got));
	ck_assert_str_eq(got, want);
}

/* Exactly these samples, in this order (want ends with NULL). */
static void assert_samples(const struct check_result *cr, const char *const *want)
{
	size_t n = 0;

	for (; want[n]; n++)
		assert_sample(cr, n, want[n]);
	ck_assert_uint_eq(cr->nsamples, n);
}

/* ---- value rules ------------------------------------------------------- */

START_TEST(numbers_compare_numerically)
{
	struct fx f;

	fx_init(&f);
	fx_file(&f, "l", "id,v\n1,10.10\n2,1e3\n3,-0\n4,1.50\n5,0.001\n6,-2.5E+1\n");
	fx_file(&f, "r", "id,v\n1,10.1\n2,1000\n3,0\n4,1.5\n5,1e-3\n6,-25\n");
	fx_run(&f);
	assert_findings(&f, 0, 0, 0);
	ck_assert_uint_eq(f.cr.nsamples, 0);
	fx_done(&f);
}
END_TEST

START_TEST(numbers_that_differ_are_changed)
{
	struct fx f;

	fx_init(&f);
	fx_file(&f, "l", "id,v\n1,10.10\n2,1e3\n3,0.1\n");
	fx_file(&f, "r", "id,v\n1,10.11\n2,1001\n3,0.10000000000000001\n");
	fx_run(&f);
	assert_findings(&f, 0, 0, 3);
	assert_sample(&f.cr, 0, "changed|1|v|10.10|10.11");
	fx_done(&f);
}
END_TEST

START_TEST(text_that_looks_numeric_compares_as_text)
{
	struct fx f;

	fx_init(&f);
	/* a leading zero or a separator makes text (the contract's plain number) */
	fx_file(&f, "l", "id,v\n1,08123\n2,\"1,000\"\n3,+5\n");
	fx_file(&f, "r", "id,v\n1,8123\n2,1000\n3,5\n");
	fx_run(&f);
	assert_findings(&f, 0, 0, 3);
	fx_done(&f);
}
END_TEST

START_TEST(tolerance_is_absolute)
{
	struct fx f;

	fx_init(&f);
	f.cc.tolerance = 0.01;
	fx_file(&f, "l", "id,v\n1,1.00\n2,1.00\n3,100\n4,-0.005\n5,1e6\n6,abc\n");
	fx_file(&f, "r", "id,v\n1,1.01\n2,1.02\n3,100.005\n4,0.005\n5,1000000.02\n6,abd\n");
	fx_run(&f);
	/* 1.01 - 1.00 is exactly the tolerance: within, no floating point */
	assert_findings(&f, 0, 0, 3);
	assert_sample(&f.cr, 0, "changed|2|v|1.00|1.02");
	assert_sample(&f.cr, 1, "changed|5|v|1e6|1000000.02");
	assert_sample(&f.cr, 2, "changed|6|v|abc|abd");
	fx_done(&f);
}
END_TEST

START_TEST(tolerance_zero_is_exact)
{
	struct fx f;

	fx_init(&f);
	fx_file(&f, "l", "id,v\n1,1.00\n");
	fx_file(&f, "r", "id,v\n1,1.000000000000000000001\n");
	fx_run(&f);
	assert_findings(&f, 0, 0, 1);
	fx_done(&f);
}
END_TEST

START_TEST(null_equals_null)
{
	struct fx f;

	fx_init(&f);
	fx_file(&f, "l", "id,v,w\n1,,x\n2,,\n");
	fx_file(&f, "r", "id,v,w\n1,,x\n2,,\n");
	fx_run(&f);
	assert_findings(&f, 0, 0, 0);
	fx_done(&f);
}
END_TEST

START_TEST(null_differs_from_empty_string)
{
	struct fx f;

	fx_init(&f);
	fx_file(&f, "l", "id,v\n1,\n2,\"\"\n3,\n");
	fx_file(&f, "r", "id,v\n1,\"\"\n2,\n3,0\n");
	fx_run(&f);
	assert_findings(&f, 0, 0, 3);
	assert_sample(&f.cr, 0, "changed|1|v|\\N|");
	assert_sample(&f.cr, 1, "changed|2|v||\\N");
	assert_sample(&f.cr, 2, "changed|3|v|\\N|0");
	fx_done(&f);
}
END_TEST

START_TEST(strings_are_byte_exact)
{
	struct fx f;

	fx_init(&f);
	fx_file(&f, "l", "id,v\n1,abc\n2,abc\n3,Abc\n4,\"a,b\"\n5,é\n");
	fx_file(&f, "r", "id,v\n1,\"abc \"\n2,abc \n3,abc\n4,\"a,b\"\n5,e\xcc\x81\n");
	fx_run(&f);
	/* trailing spaces count, case counts, no Unicode normalisation */
	assert_findings(&f, 0, 0, 4);
	assert_sample(&f.cr, 0, "changed|1|v|abc|abc ");
	fx_done(&f);
}
END_TEST

START_TEST(value_rules_in_isolation)
{
	struct cv_num a, b, t;

	ck_assert(cv_equal("10.10", 5, "10.1", 4, NULL));
	ck_assert(cv_equal("1e3", 3, "1000", 4, NULL));
	ck_assert(cv_equal("-0", 2, "0", 1, NULL));
	ck_assert(cv_equal("0.0", 3, "-0e5", 4, NULL));
	ck_assert(!cv_equal("1", 1, "1 ", 2, NULL));
	ck_assert(!cv_equal(NULL, 0, "", 0, NULL));
	ck_assert(cv_equal(NULL, 0, NULL, 0, NULL));
	ck_assert(cv_hash_value("10.10", 5) == cv_hash_value("1.01e1", 6));
	ck_assert(cv_hash_value("-0", 2) == cv_hash_value("0", 1));
	ck_assert(cv_hash_value(NULL, 0) != cv_hash_value("", 0));
	ck_assert(cv_parse("0.3", 3, &a) && cv_parse("0.1", 3, &b) && cv_parse("0.2", 3, &t));
	ck_assert(cv_num_within(&a, &b, &t));	/* 0.3 - 0.1 <= 0.2 exactly */
	ck_assert(cv_parse("1e30", 4, &a) && cv_parse("1e-30", 5, &b));
	ck_assert(!cv_num_within(&a, &b, &t));	/* 1e30 - 1e-30 > 0.2 */
	ck_assert(cv_num_cmp(&b, &a) < 0);
	ck_assert(!cv_parse("1e", 2, &a) && !cv_parse(".5", 2, &a) && !cv_parse("00", 2, &a));
	ck_assert(!cv_parse("1.", 2, &a) && !cv_parse("1e+", 3, &a) && !cv_parse("-", 1, &a));
	ck_assert(!cv_parse("2025-02-05", 10, &a) && !cv_parse("12:30", 5, &a));
	ck_assert(cv_parse("-5", 2, &a) && cv_parse("7", 1, &a) && cv_parse("1E+7", 4, &a));
}
END_TEST

/* |a - b| <= tol for decimal strings, through cv_num_within. */
static bool within(const char *a, const char *b, const char *tol)
{
	struct cv_num x, y, t;

	ck_assert_msg(cv_parse(a, strlen(a), &x), "%s", a);
	ck_assert_msg(cv_parse(b, strlen(b), &y), "%s", b);
	ck_assert_msg(cv_parse(tol, strlen(tol), &t), "%s", tol);
	return cv_num_within(&x, &y, &t);
}

START_TEST(tolerance_is_exact_at_any_scale)
{
	/* 22 digits at a common scale of 10^-30 are beyond any binary float:
	 * a difference of 1e-12 is not within 1e-30 */
	ck_assert(!within("1234567890.123456789012", "1234567890.123456789013", "1e-30"));
	ck_assert(within("1234567890.123456789012", "1234567890.123456789013", "1e-12"));
	ck_assert(!within("1234567890.123456789012", "1234567890.123456789013", "9.99e-13"));
	ck_assert(within("-1234567890.123456789013", "-1234567890.123456789012", "0.000000000001"));
	/* opposite signs add */
	ck_assert(within("1e-40", "-1e-40", "2e-40"));
	ck_assert(!within("1e-40", "-1e-40", "1.9999999999999999999999999e-40"));
	ck_assert(within("-5", "0", "5"));
	ck_assert(!within("0", "-5.000000000000000000000000000000000001", "5"));
	/* a borrow through fifty places */
	ck_assert(within("1e50", "99999999999999999999999999999999999999999999999999", "1"));
	ck_assert(!within("1e50", "99999999999999999999999999999999999999999999999999", "0.99"));
	/* exponents a billion places apart */
	ck_assert(within("1e900000000", "1e-900000000", "1e900000000"));
	ck_assert(!within("1e900000000", "1e-900000000", "9.999999999999999999999e899999999"));
	ck_assert(within("1e900000000", "-1e-900000000", "1.0000000000000001e900000000"));
	ck_assert(!within("1e900000000", "-1e-900000000", "1e900000000"));
	ck_assert(within("1e-900000000", "-1e-900000000", "1e-5"));
	ck_assert(!within("1e-900000000", "0", "9e-900000001"));
	ck_assert(within("1e-900000000", "0", "1e-900000000"));
	/* two hundred digits each, and the tolerance between them */
	{
		char a[260], b[260];

		memset(a, '7', 200);
		a[200] = '\0';
		memcpy(b, a, 201);
		b[199] = '8';
		ck_assert(within(a, b, "1"));
		ck_assert(!within(a, b, "0.5"));
		memcpy(a + 200, "e-300", 6);
		memcpy(b + 200, "e-300", 6);
		ck_assert(within(a, b, "1e-300"));
		ck_assert(!within(a, b, "9e-301"));
	}
}
END_TEST

/* The same rule against 128-bit integer arithmetic on random small
 * decimals (m * 10^e, |m| < 10^6, |e| <= 6, so every value is a whole
 * number of 10^-12 below 10^24). */
START_TEST(tolerance_agrees_with_integer_arithmetic)
{
	__extension__ typedef __int128 i128;
	uint64_t seed = 0x5eed;
	int iter;

	for (iter = 0; iter < 100000; iter++) {
		char s[3][64];
		i128 v[3], d;
		int i, k;

		for (i = 0; i < 3; i++) {
			long m, e;

			seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
			m = (long)(seed >> 40) % 1000000;
			if (i < 2 && (seed & 1))
				m = -m;
			if (i == 2 && iter % 3 == 0)
				m %= 100;	/* a small tolerance, so both answers are common */
			e = (long)((seed >> 20) % 13) - 6;
			if (i == 1 && iter % 4 == 0)
				e = 0, m = 0;
			snprintf(s[i], sizeof(s[i]), "%lde%ld", m, e);
			v[i] = m;
			for (k = 0; k < e + 12; k++)
				v[i] *= 10;
		}
		d = v[0] - v[1];
		if (d < 0)
			d = -d;
		ck_assert_msg(within(s[0], s[1], s[2]) == (d <= v[2]), "|%s - %s| <= %s", s[0],
			      s[1], s[2]);
	}
}
END_TEST

START_TEST(tolerance_is_read_from_its_own_digits)
{
	struct fx f;

	fx_init(&f);
	f.cc.tolerance = 1e-30;
	f.cc.tolerance_text = "1e-30";
	fx_file(&f, "l", "id,v\n1,1234567890.123456789012\n2,0.1\n");
	fx_file(&f, "r", "id,v\n1,1234567890.123456789013\n2,0.1000000000000000000000000000005\n");
	fx_run(&f);
	assert_findings(&f, 0, 0, 1);
	assert_sample(&f.cr, 0, "changed|1|v|1234567890.123456789012|1234567890.123456789013");
	/* written as the configuration allows: +, leading zeros, a bare point */
	f.cc.tolerance = 1;
	f.cc.tolerance_text = "+001.";
	fx_file(&f, "l", "id,v\n1,1\n2,1\n");
	fx_file(&f, "r", "id,v\n1,2\n2,2.000000000000000000000000001\n");
	fx_run(&f);
	assert_findings(&f, 0, 0, 1);
	assert_sample(&f.cr, 0, "changed|2|v|1|2.000000000000000000000000001");
	f.cc.tolerance = 0.5;
	f.cc.tolerance_text = ".5";
	fx_file(&f, "r", "id,v\n1,1.5\n2,1.500000000000000000000000001\n");
	fx_run(&f);
	assert_findings(&f, 0, 0, 1);
	fx_done(&f);
}
END_TEST

/* ---- findings and groups ----------------------------------------------- */

static const char *key_tenant_unit[] = { "tenant_id", "unit_id" };

START_TEST(findings_per_group)
{
	struct fx f;

	fx_init(&f);
	f.cc.key = key_tenant_unit;
	f.cc.nkey = 2;
	f.cc.group = "tenant_id";
	fx_file(&f, "l",
		"tenant_id,unit_id,name,region\n"
		"t1,u1,Sales,eu\n"
		"t1,u2,Ops,eu\n"		/* missing */
		"t1,u3,HR,eu\n"			/* changed */
		"t2,u1,Sales,us\n"		/* missing */
		"t2,u2,Legal,us\n"
		"t3,u1,Eng,eu\n");		/* changed */
	fx_file(&f, "r",
		"tenant_id,unit_id,region,name,extra_col\n"
		"t3,u1,us,Eng,1\n"
		"t2,u2,us,Legal,2\n"
		"t1,u3,eu,People,3\n"
		"t1,u1,eu,Sales,4\n"
		"t4,u9,eu,New,5\n"		/* extra, group t4 from the right row */
		"t1,u7,eu,New,6\n");		/* extra */
	fx_run(&f);
	assert_findings(&f, 2, 2, 2);
	ck_assert_uint_eq(f.cr.ngroups, 4);
	ck_assert_str_eq(f.cr.groups[0].group, "t1");
	ck_assert_int_eq(f.cr.groups[0].missing, 1);
	ck_assert_int_eq(f.cr.groups[0].extra, 1);
	ck_assert_int_eq(f.cr.groups[0].changed, 1);
	ck_assert_int_eq(f.cr.groups[0].drift, 3);
	ck_assert_str_eq(f.cr.groups[1].group, "t2");
	ck_assert_int_eq(f.cr.groups[1].missing, 1);
	ck_assert_int_eq(f.cr.groups[1].drift, 1);
	ck_assert_str_eq(f.cr.groups[2].group, "t3");
	ck_assert_int_eq(f.cr.groups[2].changed, 1);
	ck_assert_str_eq(f.cr.groups[3].group, "t4");
	ck_assert_int_eq(f.cr.groups[3].extra, 1);
	/* samples: missing, extra, changed; by key within a kind */
	ck_assert_uint_eq(f.cr.ncolumns, 6);
	ck_assert_str_eq(f.cr.columns[0], "finding");
	ck_assert_str_eq(f.cr.columns[1], "tenant_id");
	ck_assert_str_eq(f.cr.columns[2], "unit_id");
	ck_assert_str_eq(f.cr.columns[3], "column");
	ck_assert_str_eq(f.cr.columns[4], "left");
	ck_assert_str_eq(f.cr.columns[5], "right");
	assert_samples(&f.cr, (const char *const[]){
		"missing|t1|u2|\\N|\\N|\\N", "missing|t2|u1|\\N|\\N|\\N",
		"extra|t1|u7|\\N|\\N|\\N", "extra|t4|u9|\\N|\\N|\\N",
		"changed|t1|u3|name|HR|People", "changed|t3|u1|region|eu|us", NULL });
	fx_done(&f);
}
END_TEST

/* A NULL group value is a group of its own (group NULL), apart from the
 * text 'NULL', on either side. */
START_TEST(null_group_is_apart_from_text_null)
{
	struct fx f;

	fx_init(&f);
	f.cc.group = "g";
	fx_file(&f, "l", "id,g,v\n1,,a\n2,NULL,b\n3,NULL,c\n");
	fx_file(&f, "r", "id,g,v\n1,,x\n2,NULL,y\n4,,d\n");
	fx_run(&f);
	assert_findings(&f, 1, 1, 2);
	ck_assert_uint_eq(f.cr.ngroups, 2);
	ck_assert_ptr_null(f.cr.groups[0].group);	/* NULL first */
	ck_assert_int_eq(f.cr.groups[0].changed, 1);
	ck_assert_int_eq(f.cr.groups[0].extra, 1);
	ck_assert_str_eq(f.cr.groups[1].group, "NULL");
	ck_assert_int_eq(f.cr.groups[1].changed, 1);
	ck_assert_int_eq(f.cr.groups[1].missing, 1);
	fx_done(&f);
}
END_TEST

START_TEST(changed_group_comes_from_the_left_row)
{
	struct fx f;

	fx_init(&f);
	f.cc.group = "team";
	fx_file(&f, "l", "id,team\n1,red\n2,red\n");
	fx_file(&f, "r", "id,team\n1,blue\n3,green\n");
	fx_run(&f);
	assert_findings(&f, 1, 1, 1);
	ck_assert_uint_eq(f.cr.ngroups, 2);
	ck_assert_str_eq(f.cr.groups[0].group, "green");
	ck_assert_int_eq(f.cr.groups[0].extra, 1);
	ck_assert_str_eq(f.cr.groups[1].group, "red");
	ck_assert_int_eq(f.cr.groups[1].missing, 1);
	ck_assert_int_eq(f.cr.groups[1].changed, 1);
	ck_assert_int_eq(f.cr.groups[1].drift, 2);
	fx_done(&f);
}
END_TEST

START_TEST(columns_limit_what_is_compared)
{
	struct fx f;
	static const char *cols[] = { "b" };

	fx_init(&f);
	f.cc.columns = cols;
	f.cc.ncolumns = 1;
	fx_file(&f, "l", "id,a,b\n1,x,same\n2,x,old\n");
	fx_file(&f, "r", "id,b,a\n1,same,y\n2,new,x\n");
	fx_run(&f);
	assert_findings(&f, 0, 0, 1);
	assert_sample(&f.cr, 0, "changed|2|b|old|new");
	fx_done(&f);
}
END_TEST

START_TEST(default_columns_are_the_shared_ones)
{
	struct fx f;

	fx_init(&f);
	/* only_left and only_right are not compared */
	fx_file(&f, "l", "id,only_left,v\n1,a,x\n");
	fx_file(&f, "r", "v,id,only_right\nx,1,b\n");
	fx_run(&f);
	assert_findings(&f, 0, 0, 0);
	fx_done(&f);
}
END_TEST

START_TEST(several_differing_columns_are_one_sample)
{
	struct fx f;

	fx_init(&f);
	fx_file(&f, "l", "id,a,b,c\n1,x,,1.5\n");
	fx_file(&f, "r", "id,a,b,c\n1,it's,y,1.50\n");
	fx_run(&f);
	assert_findings(&f, 0, 0, 1);
	ck_assert_uint_eq(f.cr.nsamples, 1);
	assert_sample(&f.cr, 0, "changed|1|a, b|'x', NULL|'it''s', 'y'");
	fx_done(&f);
}
END_TEST

START_TEST(numeric_keys_match_numerically)
{
	struct fx f;

	fx_init(&f);
	fx_file(&f, "l", "id,v\n10,a\n2.50,b\n007,c\n");
	fx_file(&f, "r", "id,v\n1e1,a\n2.5,b\n7,c\n");
	fx_run(&f);
	/* 007 is text: it does not match the number 7 */
	assert_findings(&f, 1, 1, 0);
	assert_sample(&f.cr, 0, "missing|007|\\N|\\N|\\N");
	assert_sample(&f.cr, 1, "extra|7|\\N|\\N|\\N");
	fx_done(&f);
}
END_TEST

/* Whole numbers below 10^19 are keyed in a compact form and the others by
 * their canonical digits: a key matches in any written form on either
 * side of that line, and samples order the two forms by value. */
START_TEST(whole_number_keys_match_in_any_form)
{
	struct fx f;

	fx_init(&f);
	fx_file(&f, "l",
		"id,v\n1000,a\n-0,b\n9999999999999999999,c\n10000000000000000000,d\n-42,e\n"
		"18446744073709551616,f\n5,g\n100,h\n-9999999999999999999,i\n255,j\n256,k\n");
	fx_file(&f, "r",
		"id,v\n1e3,a\n0.0,b\n9.999999999999999999e18,c\n1e19,d\n-4.2e1,e\n"
		"1.8446744073709551616e19,f\n12345678901234567890,x\n3.5,y\n100.0,H\n"
		"-9999999999999999999.0,i\n2.55e2,j\n25.6e1,k\n-5,z\n");
	fx_run(&f);
	assert_findings(&f, 1, 3, 1);
	assert_samples(&f.cr, (const char *const[]){
		"missing|5|\\N|\\N|\\N", "extra|-5|\\N|\\N|\\N", "extra|3.5|\\N|\\N|\\N",
		"extra|12345678901234567890|\\N|\\N|\\N", "changed|100|v|h|H", NULL });
	fx_done(&f);
}
END_TEST

/* A key of n bytes: "k", then x's, then one letter that tells keys of the
 * same length apart (a key of one byte is that letter). */
static void put_key(FILE *fp, size_t n, char tag)
{
	if (n > 1)
		fputc('k', fp);
	for (size_t i = 2; i < n; i++)
		fputc('x', fp);
	fputc(tag, fp);
}

/* Keys of every length around the ring's 64 inline bytes (an encoded text
 * key is 2 bytes longer than the text, and 5 from 256 bytes on) and up to
 * the 65,535-byte limit match across the sides like any other; one byte
 * more is an error naming the key's line. */
START_TEST(keys_of_every_length_match)
{
	static const size_t lens[] = { 1, 2, 55, 56, 57, 58, 59, 60, 61, 62, 63, 64, 65, 100,
				       253, 254, 255, 256, 300, 4096, 65530 };
	const size_t n = sizeof(lens) / sizeof(*lens);
	char path[128];
	struct fx f;
	FILE *fp;
	int s;

	fx_init(&f);
	for (s = 0; s < 2; s++) {
		snprintf(path, sizeof(path), "%s/%s.csv", f.dir, s ? "r" : "l");
		fp = fopen(path, "wb");
		ck_assert_ptr_nonnull(fp);
		fputs("id,v\n", fp);
		/* the right side in the other order; on it, a is missing from
		 * the 57-byte key, b changed on the 62-byte one, c extra on 256 */
		for (size_t k = 0; k < n; k++) {
			size_t i = s ? n - 1 - k : k;

			put_key(fp, lens[i], 'a');
			fputs(",same\n", fp);
			if (!(s && lens[i] == 57)) {
				put_key(fp, lens[i], 'b');
				fputs(s && lens[i] == 62 ? ",new\n" : ",old\n", fp);
			}
			if (s && lens[i] == 256) {
				put_key(fp, lens[i], 'c');
				fputs(",more\n", fp);
			}
		}
		fclose(fp);
	}
	fx_run(&f);
	assert_findings(&f, 1, 1, 1);
	fx_done(&f);

	fx_init(&f);
	snprintf(path, sizeof(path), "%s/l.csv", f.dir);
	fp = fopen(path, "wb");
	ck_assert_ptr_nonnull(fp);
	fputs("id,v\nk,1\n", fp);
	put_key(fp, 65531, 'a');
	fputs(",2\n", fp);
	fclose(fp);
	fx_file(&f, "r", "id,v\nk,1\n");
	ck_assert_int_eq(fx_run(&f), -1);
	ck_assert_msg(strstr(f.d.msg, "at line 3 is longer than 65535 bytes"), "%s", f.d.msg);
	fx_done(&f);
}
END_TEST

/* ---- errors ------------------------------------------------------------ */

START_TEST(duplicate_key_names_key_and_lines)
{
	struct fx f;

	fx_init(&f);
	fx_file(&f, "l", "id,v\n1,a\n2,\"multi\nline\"\n3,c\n2,d\n");
	fx_file(&f, "r", "id,v\n1,a\n");
	ck_assert_int_eq(fx_run(&f), -1);
	ck_assert_msg(strstr(f.d.msg, "duplicate key (id=2)"), "%s", f.d.msg);
	ck_assert_msg(strstr(f.d.msg, "lines 3 and 6"), "%s", f.d.msg);
	ck_assert_msg(strstr(f.d.msg, "l.csv"), "%s", f.d.msg);
	fx_done(&f);
}
END_TEST

START_TEST(duplicate_key_on_the_right)
{
	struct fx f;

	fx_init(&f);
	f.cc.key = key_tenant_unit;
	f.cc.nkey = 2;
	fx_file(&f, "l", "tenant_id,unit_id\nt,1\n");
	fx_file(&f, "r", "tenant_id,unit_id\nt,1\nt,2\nt,1.0\n");
	ck_assert_int_eq(fx_run(&f), -1);
	ck_assert_msg(strstr(f.d.msg, "right snap:r"), "%s", f.d.msg);
	ck_assert_msg(strstr(f.d.msg, "tenant_id=t, unit_id=1.0"), "%s", f.d.msg);
	ck_assert_msg(strstr(f.d.msg, "lines 2 and 4"), "%s", f.d.msg);
	fx_done(&f);
}
END_TEST

START_TEST(missing_key_column_is_an_error)
{
	struct fx f;

	fx_init(&f);
	fx_file(&f, "l", "id,v\n1,a\n");
	fx_file(&f, "r", "ident,v\n1,a\n");
	ck_assert_int_eq(fx_run(&f), -1);
	ck_assert_msg(strstr(f.d.msg, "right snap:r: no key column 'id'"), "%s", f.d.msg);
	fx_done(&f);
}
END_TEST

START_TEST(missing_compared_column_is_an_error)
{
	struct fx f;
	static const char *cols[] = { "v", "w" };

	fx_init(&f);
	f.cc.columns = cols;
	f.cc.ncolumns = 2;
	fx_file(&f, "l", "id,v,w\n1,a,b\n");
	fx_file(&f, "r", "id,v\n1,a\n");
	ck_assert_int_eq(fx_run(&f), -1);
	ck_assert_msg(strstr(f.d.msg, "no compared column 'w'"), "%s", f.d.msg);
	fx_done(&f);
}
END_TEST

START_TEST(missing_file_and_bad_csv_are_errors)
{
	struct fx f;

	fx_init(&f);
	fx_file(&f, "l", "id,v\n1,a\n");
	ck_assert_int_eq(fx_run(&f), -1);
	ck_assert_msg(strstr(f.d.msg, "r.csv: no such file"), "%s", f.d.msg);
	fx_file(&f, "r", "id,v\n1,a\n2,b,c\n");
	ck_assert_int_eq(fx_run(&f), -1);
	ck_assert_msg(strstr(f.d.msg, "r.csv:3: ragged row"), "%s", f.d.msg);
	fx_done(&f);
}
END_TEST

/* Both sides bad: the left side's error, however late in its file, and
 * never the right's, found first (a right side that stopped the left would
 * make the message depend on which reader got there first). */
START_TEST(left_error_wins_over_an_earlier_right_one)
{
	struct fx f;
	char path[160];
	FILE *fp;
	int i, run;

	fx_init(&f);
	snprintf(path, sizeof(path), "%s/l.csv", f.dir);
	fp = fopen(path, "wb");
	ck_assert_ptr_nonnull(fp);
	fputs("id,v\n", fp);
	for (i = 0; i < 200000; i++)
		fprintf(fp, "%d,%d\n", i, i * 7);
	fputs("x,1,2\n", fp);
	fclose(fp);
	fx_file(&f, "r", "id,v\n1,7\nx,1,2\n");
	for (run = 0; run < 3; run++) {
		ck_assert_int_eq(fx_run(&f), -1);
		ck_assert_msg(strstr(f.d.msg, "l.csv:200002: ragged row"), "%s", f.d.msg);
	}
	fx_done(&f);
}
END_TEST

/* ---- query sides, samples, provenance ---------------------------------- */

START_TEST(query_sides)
{
	struct fx f;

	fx_init(&f);
	f.cc.left_table = NULL;
	f.cc.left_query = "SELECT id, v FROM l WHERE id < 4";
	f.cc.tolerance = 0.5;
	fx_file(&f, "l", "id,v\n1,1.0\n2,2\n3,x\n4,4\n");
	fx_file(&f, "r", "id,v\n1,1.4\n2,3\n3,x\n5,5\n");
	fx_run(&f);
	assert_findings(&f, 0, 1, 1);
	assert_sample(&f.cr, 0, "extra|5|\\N|\\N|\\N");
	assert_sample(&f.cr, 1, "changed|2|v|2|3");
	fx_done(&f);
}
END_TEST

START_TEST(both_sides_queries)
{
	struct fx f;

	fx_init(&f);
	f.cc.left_table = NULL;
	f.cc.left_query = "SELECT id, v, w FROM l";
	f.cc.right_table = NULL;
	f.cc.right_query = "SELECT w, v, id FROM r ORDER BY id DESC";
	f.cc.group = "w";
	fx_file(&f, "l", "id,v,w\n1,a,g1\n2,b,g1\n3,c,g2\n");
	fx_file(&f, "r", "id,v,w\n1,a,g1\n2,B,g1\n4,d,g2\n");
	fx_run(&f);
	assert_findings(&f, 1, 1, 1);
	assert_sample(&f.cr, 0, "missing|3|\\N|\\N|\\N");
	assert_sample(&f.cr, 1, "extra|4|\\N|\\N|\\N");
	assert_sample(&f.cr, 2, "changed|2|v|b|B");
	ck_assert_uint_eq(f.cr.ngroups, 2);
	ck_assert_str_eq(f.cr.groups[0].group, "g1");
	ck_assert_int_eq(f.cr.groups[0].changed, 1);
	ck_assert_int_eq(f.cr.groups[1].missing, 1);
	ck_assert_int_eq(f.cr.groups[1].extra, 1);
	fx_done(&f);
}
END_TEST

START_TEST(null_keys_match_each_other)
{
	struct fx f;

	fx_init(&f);
	/* NULL equals only NULL, in keys too: an empty key is a key */
	fx_file(&f, "l", "id,v\n,a\n\"\",b\n");
	fx_file(&f, "r", "id,v\n,a\n\"\",c\n");
	fx_run(&f);
	assert_findings(&f, 0, 0, 1);
	assert_sample(&f.cr, 0, "changed||v|b|c");
	fx_done(&f);
}
END_TEST

START_TEST(query_side_duplicate_names_rows)
{
	struct fx f;

	fx_init(&f);
	f.cc.right_table = NULL;
	f.cc.right_query = "SELECT id, v FROM r UNION ALL SELECT id, v FROM r WHERE id = 2";
	fx_file(&f, "l", "id,v\n1,a\n");
	fx_file(&f, "r", "id,v\n1,a\n2,b\n");
	ck_assert_int_eq(fx_run(&f), -1);
	ck_assert_msg(strstr(f.d.msg, "duplicate key (id=2) in rows 2 and 3"), "%s", f.d.msg);
	fx_done(&f);
}
END_TEST

/* n rows, ids 1..n, every 7th missing on the right, every 5th changed and
 * extras beyond n; order shuffled by a stride when shuffle is set. */
static void write_pair(struct fx *f, int n, bool shuffle)
{
	FILE *l, *r;
	char path[128];
	int i, k;

	snprintf(path, sizeof(path), "%s/l.csv", f->dir);
	l = fopen(path, "w");
	snprintf(path, sizeof(path), "%s/r.csv", f->dir);
	r = fopen(path, "w");
	fputs("id,g,v\n", l);
	fputs("g,v,id\n", r);
	for (k = 0; k < n + n / 10; k++) {
		i = shuffle ? (int)(((long)k * 7919) % (n + n / 10)) : k;
		i++;
		if (i <= n)
			fprintf(l, "%d,g%d,%d\n", i, i % 3, i);
		if (i > n || i % 7)
			fprintf(r, "g%d,%d,%d\n", i % 3, i % 5 ? i : i + 1, i);
	}
	fclose(l);
	fclose(r);
}

START_TEST(samples_are_stable_under_shuffling)
{
	struct fx f, g;
	size_t i;

	fx_init(&f);
	fx_init(&g);
	f.cfg.samples = g.cfg.samples = 7;
	f.cc.group = g.cc.group = "g";
	write_pair(&f, 1000, false);
	write_pair(&g, 1000, true);
	fx_run(&f);
	fx_run(&g);
	ck_assert_int_eq(f.ret, 0);
	ck_assert_int_eq(g.ret, 0);
	ck_assert_int_eq(f.cr.drift, g.cr.drift);
	ck_assert_int_eq(f.cr.missing, 142);
	ck_assert_int_eq(f.cr.extra, 100);
	ck_assert_int_eq(f.cr.changed, 200 - 28);
	ck_assert_uint_eq(f.cr.nsamples, 7);
	ck_assert_uint_eq(g.cr.nsamples, 7);
	for (i = 0; i < 7; i++) {
		char a[256], b[256];

		sample_text(&f.cr, i, a, sizeof(a));
		sample_text(&g.cr, i, b, sizeof(b));
		ck_assert_str_eq(a, b);
	}
	/* numeric keys sort by value: 7 before 14 */
	assert_sample(&f.cr, 0, "missing|7|\\N|\\N|\\N");
	assert_sample(&f.cr, 1, "missing|14|\\N|\\N|\\N");
	/* 7 samples: the kinds take turns, 3 missing, 2 extra, 2 changed */
	ck_assert_str_eq(f.cr.samples[2][0], "missing");
	ck_assert_str_eq(f.cr.samples[3][0], "extra");
	ck_assert_str_eq(f.cr.samples[4][0], "extra");
	ck_assert_str_eq(f.cr.samples[5][0], "changed");
	ck_assert_str_eq(f.cr.samples[6][0], "changed");
	ck_assert_uint_eq(f.cr.ngroups, 3);
	for (i = 0; i < 3; i++) {
		ck_assert_str_eq(f.cr.groups[i].group, g.cr.groups[i].group);
		ck_assert_int_eq(f.cr.groups[i].drift, g.cr.groups[i].drift);
	}
	fx_done(&f);
	fx_done(&g);
}
END_TEST

/* 2,000 rows, 1,320 changed: enough for two threads to read the changed
 * rows again and explain them, a half each.  Every count per column, per
 * class and per group is the one the rules below give, whichever thread
 * read the row; quoted lines (read again by libcsv) among them. */
START_TEST(explain_counts_every_change_in_two_threads)
{
	struct fx f;
	FILE *l, *r;
	char path[128];
	long long name[CHANGE_NCLASSES] = { 0 }, at = 0, gname[3] = { 0 }, gat[3] = { 0 };
	long long changed = 0;
	int i, g;

	fx_init(&f);
	f.cc.explain = true;
	f.cc.group = "g";
	snprintf(path, sizeof(path), "%s/l.csv", f.dir);
	l = fopen(path, "w");
	snprintf(path, sizeof(path), "%s/r.csv", f.dir);
	r = fopen(path, "w");
	fputs("id,g,name,at\n", l);
	fputs("id,g,name,at\n", r);
	for (i = 1; i <= 2000; i++) {
		bool shift = i % 7 == 0, differs = true;

		g = i % 3;
		fprintf(l, "%d,g%d,n%d,2026-01-01 10:00:00\n", i, g, i);
		fprintf(r, "%d,g%d,", i, g);
		if (i % 2 == 0) {
			fprintf(r, "n%d ", i);
			name[CHANGE_WHITESPACE]++;
		} else if (i % 3 == 0) {
			fprintf(r, "N%d", i);
			name[CHANGE_CASE]++;
		} else if (i % 5 == 0) {
			fprintf(r, "\"n,%d\"", i);
			name[CHANGE_OTHER]++;
		} else {
			fprintf(r, "n%d", i);
			differs = false;
		}
		fprintf(r, ",2026-01-01 %s:00:00\n", shift ? "12" : "10");
		gname[g] += differs;
		gat[g] += shift;
		at += shift;
		changed += differs || shift;
	}
	fclose(l);
	fclose(r);
	fx_run(&f);
	assert_findings(&f, 0, 0, changed);
	ck_assert_uint_eq(f.cr.ncolumn_changes, 3);
	ck_assert_str_eq(f.cr.column_changes[0].column, "g");
	ck_assert_int_eq(f.cr.column_changes[0].changed, 0);
	ck_assert_str_eq(f.cr.column_changes[1].column, "name");
	ck_assert_int_eq(f.cr.column_changes[1].changed, name[CHANGE_WHITESPACE] +
			 name[CHANGE_CASE] + name[CHANGE_OTHER]);
	for (g = 0; g < CHANGE_NCLASSES; g++)
		ck_assert_int_eq(f.cr.column_changes[1].classes.n[g], name[g]);
	ck_assert_str_eq(f.cr.column_changes[2].column, "at");
	ck_assert_int_eq(f.cr.column_changes[2].changed, at);
	ck_assert_int_eq(f.cr.column_changes[2].classes.n[CHANGE_TIMEZONE], at);
	ck_assert_int_eq(f.cr.column_changes[2].classes.offset, 7200);
	ck_assert_uint_eq(f.cr.ngroups, 3);
	for (g = 0; g < 3; g++) {
		ck_assert_ptr_nonnull(f.cr.groups[g].columns_changed);
		ck_assert_int_eq(f.cr.groups[g].columns_changed[1], gname[g]);
		ck_assert_int_eq(f.cr.groups[g].columns_changed[2], gat[g]);
	}
	fx_done(&f);
}
END_TEST

START_TEST(samples_are_capped)
{
	struct fx f;

	fx_init(&f);
	f.cfg.samples = 2;
	fx_file(&f, "l", "id,v\n1,a\n2,b\n3,c\n");
	fx_file(&f, "r", "id,v\n4,a\n5,b\n");
	fx_run(&f);
	assert_findings(&f, 3, 2, 0);
	ck_assert_uint_eq(f.cr.nsamples, 2);
	/* the kinds take turns: the smallest missing, then the smallest extra */
	assert_sample(&f.cr, 0, "missing|1|\\N|\\N|\\N");
	assert_sample(&f.cr, 1, "extra|4|\\N|\\N|\\N");
	f.cfg.samples = 0;
	fx_run(&f);
	ck_assert_uint_eq(f.cr.nsamples, 0);
	fx_done(&f);
}
END_TEST

/* Write a CSV of n columns c0..c(n-1) and one row 0..n-1, its last field
 * replaced by last when not NULL. */
static void fx_wide_file(struct fx *f, const char *table, size_t n, const char *last)
{
	char path[128];
	FILE *fp;
	size_t i;

	snprintf(path, sizeof(path), "%s/%s.csv", f->dir, table);
	fp = fopen(path, "wb");
	ck_assert_ptr_nonnull(fp);
	for (i = 0; i < n; i++)
		fprintf(fp, "%sc%zu", i ? "," : "", i);
	for (i = 0; i < n; i++) {
		fputs(i ? "," : "\n", fp);
		if (i == n - 1 && last)
			fputs(last, fp);
		else
			fprintf(fp, "%zu", i);
	}
	fputs("\n", fp);
	fclose(fp);
}

/* 200,000 columns a side: every column found through a hash of the
 * names, not a scan of the header per name (which takes minutes).  The
 * source is opened before the files exist, so only the compare's own
 * reading is timed. */
START_TEST(wide_headers_take_linear_time)
{
	struct fx f;
	struct timespec t0, t1;
	double secs;

	fx_init(&f);
	fx_file(&f, "other", "id\n1\n");
	f.src = source_open(&f.scfg, NULL);
	fx_wide_file(&f, "l", 200000, NULL);
	fx_wide_file(&f, "r", 200000, "x");
	memset(&f.cr, 0, sizeof(f.cr));
	f.cr.cfg = &f.cc;
	f.key_c0[0] = "c0";
	f.cc.key = f.key_c0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	f.ret = compare_eval(&f.cr, f.src, f.src, &f.cfg, &f.a, &f.d);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	assert_findings(&f, 0, 0, 1);
	assert_sample(&f.cr, 0, "changed|0|c199999|199999|x");
	ck_assert_msg(secs < 10, "200,000 columns took %.1f s", secs);
	fx_done(&f);
}
END_TEST

/* Under ThreadSanitizer the next pthread_create and pthread_join are the
 * sanitizer's own, which must see every thread start and end: the C
 * library's (RTLD_NEXT) would start threads it does not know. */
#if defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define TEST_TSAN 1
#endif
#endif
#if defined(__SANITIZE_THREAD__)
#define TEST_TSAN 1
#endif
#ifdef TEST_TSAN
int __interceptor_pthread_create(pthread_t *t, const pthread_attr_t *attr,
				 void *(*fn)(void *), void *arg);
int __interceptor_pthread_join(pthread_t t, void **ret);
#endif

/* Between reading a side's header and streaming its rows, a compare
 * starts its reader threads: this binary's pthread_create (found before
 * the C library's) renames swap_from over swap_to first, when armed. */
static char swap_from[160], swap_to[160];

int pthread_create(pthread_t *t, const pthread_attr_t *attr, void *(*fn)(void *), void *arg)
{
	static int (*real)(pthread_t *, const pthread_attr_t *, void *(*)(void *), void *);

#ifdef TEST_TSAN
	real = __interceptor_pthread_create;
#else
	if (!real)
		*(void **)&real = dlsym(RTLD_NEXT, "pthread_create");
#endif
	if (in_eval && swap_from[0]) {
		ck_assert_int_eq(rename(swap_from, swap_to), 0);
		swap_from[0] = '\0';
	}
	return real(t, attr, fn, arg);
}

/* After the reader threads end, before the samples are read again: this
 * binary's pthread_join renames join_from over join_to, when armed. */
static char join_from[160], join_to[160];

int pthread_join(pthread_t t, void **ret)
{
	static int (*real)(pthread_t, void **);
	int rc;

#ifdef TEST_TSAN
	real = __interceptor_pthread_join;
#else
	if (!real)
		*(void **)&real = dlsym(RTLD_NEXT, "pthread_join");
#endif
	rc = real(t, ret);
	if (in_eval && join_from[0]) {
		ck_assert_int_eq(rename(join_from, join_to), 0);
		join_from[0] = '\0';
	}
	return rc;
}

/* Samples that cannot be read again make the check an error that keeps
 * nothing of what was counted: drift 0, no groups, no samples. */
START_TEST(samples_that_fail_leave_no_drift)
{
	struct fx f;

	fx_init(&f);
	f.cc.group = "g";
	fx_file(&f, "l", "id,g,v\n1,t-1,a\n2,t-1,b\n3,t-2,c\n");
	fx_file(&f, "r", "id,g,v\n1,t-1,a\n");
	fx_file(&f, "l2", "id\n");
	snprintf(join_from, sizeof(join_from), "%s/l2.csv", f.dir);
	snprintf(join_to, sizeof(join_to), "%s/l.csv", f.dir);
	ck_assert_int_lt(fx_run(&f), 0);
	ck_assert_msg(join_from[0] == '\0', "the file was not swapped");
	ck_assert_msg(strstr(f.d.msg, "l.csv: changed while it was read"), "%s", f.d.msg);
	ck_assert_int_eq(f.cr.drift, 0);
	ck_assert_int_eq(f.cr.missing + f.cr.extra + f.cr.changed, 0);
	ck_assert_uint_eq(f.cr.ngroups, 0);
	ck_assert_uint_eq(f.cr.nsamples, 0);
	fx_done(&f);
}
END_TEST

/* A side replaced by a file of other columns after its header was read
 * is an error, never read with the old header's column positions. */
START_TEST(header_changed_before_streaming_is_an_error)
{
	static const char *const cols[] = { "v" };
	struct fx f;

	fx_init(&f);
	f.cc.columns = (const char **)cols;
	f.cc.ncolumns = 1;
	fx_file(&f, "l", "id,a,b,c,v\n1,x,x,x,5\n2,x,x,x,6\n");
	fx_file(&f, "r", "id,a,b,c,v\n1,x,x,x,5\n2,x,x,x,6\n");
	fx_file(&f, "l2", "id,v\n1,5\n2,6\n");
	snprintf(swap_from, sizeof(swap_from), "%s/l2.csv", f.dir);
	snprintf(swap_to, sizeof(swap_to), "%s/l.csv", f.dir);
	ck_assert_int_lt(fx_run(&f), 0);
	ck_assert_msg(swap_from[0] == '\0', "the file was not swapped");
	ck_assert_msg(strstr(f.d.msg, "/l.csv:1: header changed while it was read"), "%s",
		      f.d.msg);
	/* the same header written again is no change */
	fx_file(&f, "l", "id,a,b,c,v\n1,x,x,x,5\n2,x,x,x,6\n");
	fx_file(&f, "l2", "id,a,b,c,v\n1,y,y,y,5\n2,y,y,y,7\n");
	snprintf(swap_from, sizeof(swap_from), "%s/l2.csv", f.dir);
	fx_run(&f);
	assert_findings(&f, 0, 0, 1);
	assert_sample(&f.cr, 0, "changed|2|v|7|6");
	fx_done(&f);
}
END_TEST

START_TEST(files_read_are_recorded)
{
	struct fx f;
	const struct input *in;
	size_t n;

	fx_init(&f);
	fx_file(&f, "l", "id,v\n1,a\n2,b\n");
	fx_file(&f, "r", "id,v\n1,a\n");
	fx_run(&f);
	n = source_inputs(f.src, &in);
	ck_assert_uint_eq(n, 2);
	ck_assert_str_eq(in[0].table, "l");
	ck_assert_int_eq(in[0].rows, 2);
	/* printf 'id,v\n1,a\n2,b\n' | sha256sum */
	ck_assert_str_eq(in[0].sha256, "b5dccbd508bffd775a0ead9a1d4f398ecdb581e3ad27281047d0119b89c09a7d");
	ck_assert_str_eq(in[1].table, "r");
	ck_assert_int_eq(in[1].rows, 1);
	fx_done(&f);
}
END_TEST

/* ---- agreement with SQL ------------------------------------------------ */

static int count_row(void *ctx, size_t ncols, const struct cell *cells)
{
	(void)ncols;
	(void)cells;
	(*(long long *)ctx)++;
	return 0;
}

static long long sql_count(struct fx *f, const char *sql)
{
	struct source *s = source_open(&f->scfg, NULL);
	struct row_sink sink = { NULL, count_row, NULL };
	struct diag d = { "" };
	long long n = 0;

	sink.ctx = &n;
	ck_assert_int_eq(source_plan(s, sql, &d), 0);
	ck_assert_msg(source_query(s, sql, &sink, &d) == 0, "%s", d.msg);
	source_close(s);
	return n;
}

START_TEST(agrees_with_sql_rows_checks)
{
	struct fx f;

	fx_init(&f);
	f.cc.group = "g";
	/* SQL on a snapshot types each column from its whole file (v numeric,
	 * w text on both sides), as compare's rules read each value */
	fx_file(&f, "l",
		"id,g,v,w\n1,a,10.10,x\n2,a,1e3,\n3,b,,\n4,b,5,y\n5,c,7,z\n6,c,1,\n"
		"7,a,2,q\n8,b,-0,\"\"\n9,c,9,x \n");
	fx_file(&f, "r",
		"id,g,v,w\n1,a,10.1,x\n2,a,1000,\n3,b,,\n4,b,6,y\n5,c,7,\"\"\n10,c,1,\n"
		"8,b,0,\"\"\n9,c,9,x\n11,a,1,1\n");
	fx_run(&f);
	ck_assert_int_eq(f.cr.missing,
			 sql_count(&f, "SELECT l.id FROM l LEFT JOIN r ON r.id = l.id WHERE r.id IS NULL"));
	ck_assert_int_eq(f.cr.extra,
			 sql_count(&f, "SELECT r.id FROM r LEFT JOIN l ON l.id = r.id WHERE l.id IS NULL"));
	ck_assert_int_eq(f.cr.changed,
			 sql_count(&f, "SELECT l.id FROM l JOIN r ON r.id = l.id "
				       "WHERE l.v IS DISTINCT FROM r.v OR l.w IS DISTINCT FROM r.w "
				       "OR l.g IS DISTINCT FROM r.g"));
	assert_findings(&f, 2, 2, 3);
	ck_assert_int_eq(f.cr.groups[0].drift,
			 sql_count(&f, "SELECT l.id FROM l LEFT JOIN r ON r.id = l.id WHERE l.g = 'a' AND "
				       "(r.id IS NULL OR l.v IS DISTINCT FROM r.v OR l.w IS DISTINCT FROM r.w) "
				       "UNION ALL "
				       "SELECT r.id FROM r LEFT JOIN l ON l.id = r.id "
				       "WHERE r.g = 'a' AND l.id IS NULL"));
	fx_done(&f);
}
END_TEST

static Suite *compare_suite(void)
{
	Suite *s = suite_create("compare");
	TCase *tc = tcase_create("rules");

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, numbers_compare_numerically);
	tcase_add_test(tc, numbers_that_differ_are_changed);
	tcase_add_test(tc, text_that_looks_numeric_compares_as_text);
	tcase_add_test(tc, tolerance_is_absolute);
	tcase_add_test(tc, tolerance_zero_is_exact);
	tcase_add_test(tc, null_equals_null);
	tcase_add_test(tc, null_differs_from_empty_string);
	tcase_add_test(tc, strings_are_byte_exact);
	tcase_add_test(tc, value_rules_in_isolation);
	tcase_add_test(tc, tolerance_is_exact_at_any_scale);
	tcase_add_test(tc, tolerance_agrees_with_integer_arithmetic);
	tcase_add_test(tc, tolerance_is_read_from_its_own_digits);
	tcase_add_test(tc, findings_per_group);
	tcase_add_test(tc, null_group_is_apart_from_text_null);
	tcase_add_test(tc, changed_group_comes_from_the_left_row);
	tcase_add_test(tc, columns_limit_what_is_compared);
	tcase_add_test(tc, default_columns_are_the_shared_ones);
	tcase_add_test(tc, several_differing_columns_are_one_sample);
	tcase_add_test(tc, numeric_keys_match_numerically);
	tcase_add_test(tc, whole_number_keys_match_in_any_form);
	tcase_add_test(tc, keys_of_every_length_match);
	tcase_add_test(tc, duplicate_key_names_key_and_lines);
	tcase_add_test(tc, duplicate_key_on_the_right);
	tcase_add_test(tc, missing_key_column_is_an_error);
	tcase_add_test(tc, missing_compared_column_is_an_error);
	tcase_add_test(tc, missing_file_and_bad_csv_are_errors);
	tcase_add_test(tc, left_error_wins_over_an_earlier_right_one);
	tcase_add_test(tc, query_sides);
	tcase_add_test(tc, both_sides_queries);
	tcase_add_test(tc, null_keys_match_each_other);
	tcase_add_test(tc, query_side_duplicate_names_rows);
	tcase_add_test(tc, samples_are_stable_under_shuffling);
	tcase_add_test(tc, samples_are_capped);
	tcase_add_test(tc, explain_counts_every_change_in_two_threads);
	tcase_add_test(tc, files_read_are_recorded);
	tcase_add_test(tc, wide_headers_take_linear_time);
	tcase_add_test(tc, header_changed_before_streaming_is_an_error);
	tcase_add_test(tc, samples_that_fail_leave_no_drift);
	tcase_add_test(tc, agrees_with_sql_rows_checks);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(compare_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
