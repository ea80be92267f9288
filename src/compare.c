/*
 * compare.c: kind = compare (see compare.h).
 */
#include "compare.h"

int compare_plan(const struct check_cfg *cc, struct source *left, struct source *right,
		 struct diag *d)
{
	(void)cc;
	(void)left;
	(void)right;
	(void)d;
	return 0;
}

int compare_eval(struct check_result *cr, struct source *left, struct source *right,
		 const struct config *cfg, struct arena *a, struct diag *d)
{
	(void)cr;
	(void)left;
	(void)right;
	(void)cfg;
	(void)a;
	return diag_error(d, "compare checks are not available in this build");
}
