/* results_format.c - see results_format.h. Reads context.csv through
 * trials_read.c; never writes. */
#define _GNU_SOURCE
#include "results_format.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "trials_read.h"
#include "oom.h"

/* "DIR/NAME", malloc'd (sized from the input, never cut); aborts on OOM
 * like the rest of the harness. */
static char *join(const char *dir, const char *name)
{
	char *p;
	if (asprintf(&p, "%s/%s", dir, name) < 0)
		as_oom("a file's path", strlen(dir) + strlen(name) + 2);
	return p;
}

int as_results_format_read(const char *dir, long *format, char *err, size_t errlen)
{
	char *path = join(dir, "context.csv"), *end;
	as_table_t t;
	const char *value = NULL;
	int rc = -1;
	long v;
	*format = 0;
	if (access(path, F_OK) != 0 && errno == ENOENT) {
		rc = 0;
		goto out_path;
	}
	if (as_table_read(path, &t, err, errlen) != 0)
		goto out_path;
	for (size_t r = 0; r < t.nrows; r++)
		if (!strcmp(as_table_str(&t, r, "key"), "results_format"))
			value = as_table_str(&t, r, "value");
	if (!value) {
		rc = 0;
		goto out_table;
	}
	errno = 0;
	v = strtol(value, &end, 10);
	if (end == value || *end || errno || v < 1) {
		snprintf(err, errlen, "%s: results_format '%s' is not a format number", path,
		         value);
		goto out_table;
	}
	if (v > AS_RESULTS_FORMAT) {
		snprintf(
		    err, errlen,
		    "%s: results format %ld is newer than this allocscope reads (%d): use a newer "
		    "allocscope",
		    path, v, AS_RESULTS_FORMAT);
		goto out_table;
	}
	*format = v;
	rc = 0;
out_table:
	as_table_free(&t);
out_path:
	free(path);
	return rc;
}

int as_results_format_check(const char *dir, char *err, size_t errlen)
{
	long v;
	char *path;
	if (as_results_format_read(dir, &v, err, errlen) != 0)
		return -1;
	if (v > 0)
		return 0;
	path = join(dir, "context.csv");
	if (access(path, F_OK) != 0)
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
	else
		snprintf(err, errlen,
		         "%s: no results_format in context.csv (not an allocscope run folder?)",
		         path);
	free(path);
	return -1;
}

const char *as_results_none_why(const char *dir, char *buf, size_t len)
{
	struct stat st;
	/* a file, a FIFO: not a folder, as plot says (until session 35
	 * compare said "cannot read it: Permission denied" of a file, the
	 * failed access(X_OK), even to root) */
	if (stat(dir, &st) == 0 && !S_ISDIR(st.st_mode))
		snprintf(buf, len, "not a folder");
	/* one that is not there keeps the words compare and plot had */
	else if (access(dir, R_OK | X_OK) != 0 && errno != ENOENT && errno != ENOTDIR)
		snprintf(buf, len, "cannot read it: %s", strerror(errno));
	else
		snprintf(buf, len,
		         "not a results folder (no trials.csv in it or in its subfolders)");
	return buf;
}

as_results_kind_t as_results_kind(const char *dir)
{
	char *path = join(dir, "trials.csv");
	as_results_kind_t kind = AS_RESULTS_NONE;
	DIR *d;
	struct dirent *e;
	if (access(path, F_OK) == 0)
		kind = AS_RESULTS_RUN;
	free(path);
	if (kind != AS_RESULTS_NONE)
		return kind;
	d = opendir(dir);
	while (d && kind == AS_RESULTS_NONE && (e = readdir(d)) != NULL) {
		char *sub;
		if (e->d_name[0] == '.')
			continue;
		sub = join(dir, e->d_name);
		path = join(sub, "trials.csv");
		if (access(path, F_OK) == 0)
			kind = AS_RESULTS_SUITE;
		free(path);
		free(sub);
	}
	if (d)
		closedir(d);
	return kind;
}

int as_results_suite_marked(const char *dir)
{
	static const char *const marks[] = {"scenarios.csv", "suite.args", "tune.csv"};
	int found = 0;
	for (size_t k = 0; !found && k < sizeof(marks) / sizeof(marks[0]); k++) {
		char *path = join(dir, marks[k]);
		found = access(path, F_OK) == 0;
		free(path);
	}
	return found;
}

static int cmp_name(const void *x, const void *y)
{
	return strcmp(*(char *const *)x, *(char *const *)y);
}

int as_results_run_folders(const char *dir, char ***names)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;
	*names = NULL;
	if (!d)
		return -1;
	while ((e = readdir(d)) != NULL) {
		char *sub;
		int run;
		if (e->d_name[0] == '.')
			continue;
		sub = join(dir, e->d_name);
		run = as_results_kind(sub) == AS_RESULTS_RUN;
		free(sub);
		if (!run)
			continue;
		*names = as_xrealloc(*names, (size_t)(n + 1) * sizeof(**names), "run folder names");
		(*names)[n++] = as_xstrdup(e->d_name, "a run folder's name");
	}
	closedir(d);
	if (n)
		qsort(*names, (size_t)n, sizeof(**names), cmp_name);
	return n;
}

int as_results_runs_only(const char *dir, char *why, size_t whylen, char *first, size_t firstlen)
{
	char **subs;
	int n;
	as_buf_t some = {0};
	if (whylen)
		*why = 0;
	if (firstlen)
		*first = 0;
	if (as_results_kind(dir) != AS_RESULTS_SUITE || as_results_suite_marked(dir) ||
	    (n = as_results_run_folders(dir, &subs)) <= 0)
		return 0;
	for (int i = 0; i < n; i++) {
		if (i < 3) {
			as_buf_add(&some, ", ", i ? 2 : 0);
			as_buf_shell_word(&some, subs[i]);
		}
		if (i > 0)
			free(subs[i]);
	}
	if (n > 3)
		as_buf_printf(&some, " and %d more", n - 3);
	snprintf(why, whylen,
	         "not a run, suite or tune folder (no trials.csv, scenarios.csv, suite.args or "
	         "tune.csv), only a folder of run folders (%s)",
	         some.data);
	snprintf(first, firstlen, "%s", subs[0]);
	free(subs[0]);
	free(subs);
	as_buf_free(&some);
	return 1;
}
