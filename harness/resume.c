/* resume.c - see resume.h. */
#define _GNU_SOURCE
#include "resume.h"

#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "files.h"
#include "tables.h"
#include "trials_read.h"

int as_resume_save_args(const char *dir, int argc, char *const *argv, char *err, size_t errlen)
{
	as_buf_t b = {0};
	int r;
	for (int i = 1; i < argc; i++)
		as_buf_add(&b, argv[i], strlen(argv[i]) + 1);
	r = as_write_file_atomic(dir, "run.args", &b, err, errlen);
	as_buf_free(&b);
	return r;
}

void as_resume_keep_rows(const char *dir, const char *name, const as_trial_spec_t *specs,
                         const int *done, int n, as_buf_t *out)
{
	char path[PATH_MAX];
	FILE *f;
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	int first = 1;
	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) >= sizeof(path))
		return; /* the folder's own files were written, so this cannot happen */
	f = fopen(path, "r");
	if (!f)
		return;
	while ((len = getline(&line, &cap, f)) > 0) {
		unsigned trial, rep;
		if (first) {
			first = 0;
			continue;
		}
		if (sscanf(line, "%u,%u,", &trial, &rep) != 2)
			continue;
		for (int i = 0; i < n; i++)
			if (done[i] && specs[i].trial == trial && specs[i].rep == rep) {
				as_buf_add(out, line, (size_t)len);
				break;
			}
	}
	free(line);
	fclose(f);
}

/* Fill res from trials.csv row r. */
static void result_from_row(const as_table_t *t, size_t r, as_trial_result_t *res)
{
	static const char *const names[] = {
#define N(name, fmt, doc) #name,
	    AS_TRIAL_COLS(N)
#undef N
	};
	res->status = AS_ERR_WORKER;
	for (int st = 0; st < AS_STATUS_COUNT; st++)
		if (!strcmp(as_status_name((as_status_t)st), as_table_str(t, r, "status")))
			res->status = (as_status_t)st;
	snprintf(res->reason, sizeof(res->reason), "%s", as_table_str(t, r, "reason"));
	snprintf(res->module_version, sizeof(res->module_version), "%s",
	         as_table_str(t, r, "module_version"));
	snprintf(res->bindings, sizeof(res->bindings), "%s", as_table_str(t, r, "cpu_binding"));
	for (int c = 0; c < AS_TRIAL_NCOLS; c++)
		res->v[c] = as_table_num(t, r, names[c]);
	for (int k = 0; k < AS_OP_KIND_COUNT; k++)
		res->p99_ns[k] = NAN;
}

int as_resume_load_trials(const char *dir, const as_trial_spec_t *specs, as_trial_result_t *res,
                          int *done, int n, char *err, size_t errlen)
{
	char path[PATH_MAX];
	as_table_t t;
	if ((size_t)snprintf(path, sizeof(path), "%s/trials.csv", dir) >= sizeof(path)) {
		snprintf(err, errlen, "%.200s...: path too long", dir);
		return -1;
	}
	if (as_table_read(path, &t, err, errlen) != 0)
		return -1;
	for (size_t r = 0; r < t.nrows; r++) {
		unsigned trial = (unsigned)as_table_num(&t, r, "trial");
		unsigned rep = (unsigned)as_table_num(&t, r, "rep");
		int i;
		for (i = 0; i < n; i++)
			if (specs[i].trial == trial && specs[i].rep == rep)
				break;
		if (i == n || (unsigned)as_table_num(&t, r, "threads") != specs[i].threads ||
		    strcmp(specs[i].module->name, as_table_str(&t, r, "module")) ||
		    strcmp(specs[i].module->params, as_table_str(&t, r, "module_params")) ||
		    strcmp(specs[i].workload->name, as_table_str(&t, r, "workload")) ||
		    strcmp(specs[i].workload->params, as_table_str(&t, r, "workload_params"))) {
			snprintf(err, errlen,
			         "%s: row %zu (trial %u rep %u) does not belong to the matrix in "
			         "run.args",
			         path, r + 2, trial, rep);
			as_table_free(&t);
			return -1;
		}
		done[i] = 1;
		result_from_row(&t, r, &res[i]);
	}
	as_table_free(&t);
	return 0;
}
