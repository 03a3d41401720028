/* results.c - see results.h. */
#define _GNU_SOURCE
#include "results.h"

#include <csv.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tables.h"
#include "util.h"

void as_buf_add(as_buf_t *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		size_t ncap = b->cap ? b->cap : 4096;
		while (ncap < b->len + n + 1)
			ncap *= 2;
		b->data = realloc(b->data, ncap);
		if (!b->data)
			abort();
		b->cap = ncap;
	}
	memcpy(b->data + b->len, s, n);
	b->len += n;
	b->data[b->len] = '\0';
}

void as_buf_printf(as_buf_t *b, const char *fmt, ...)
{
	char tmp[1024];
	va_list ap;
	int n;
	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n < sizeof(tmp)) {
		as_buf_add(b, tmp, (size_t)n);
	} else {
		char *big = malloc((size_t)n + 1);
		va_start(ap, fmt);
		vsnprintf(big, (size_t)n + 1, fmt, ap);
		va_end(ap);
		as_buf_add(b, big, (size_t)n);
		free(big);
	}
}

void as_buf_csv_str(as_buf_t *b, const char *s, int last)
{
	size_t n = strlen(s);
	if (strpbrk(s, ",\"\r\n") || (n && (s[0] == ' ' || s[n - 1] == ' '))) {
		size_t need = n * 2 + 2;
		char *q = malloc(need);
		size_t w = csv_write(q, need, s, n);
		as_buf_add(b, q, w);
		free(q);
	} else {
		as_buf_add(b, s, n);
	}
	if (!last)
		as_buf_add(b, ",", 1);
}

void as_buf_csv_num(as_buf_t *b, double v, char fmt, int last)
{
	if (isnan(v))
		;
	else if (fmt == 'I' && fabs(v) < 9.0e15)
		as_buf_printf(b, "%.0f", v);
	else
		as_buf_printf(b, "%.6g", v);
	if (!last)
		as_buf_add(b, ",", 1);
	else
		as_buf_add(b, "\n", 1);
}

void as_buf_free(as_buf_t *b)
{
	free(b->data);
	memset(b, 0, sizeof(*b));
}

int as_mkdir_p(const char *dir, char *err, size_t errlen)
{
	char tmp[4096];
	snprintf(tmp, sizeof(tmp), "%s", dir);
	for (char *p = tmp + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(tmp, 0755) != 0 && errno != EEXIST)
			goto fail;
		*p = '/';
	}
	if (mkdir(tmp, 0755) != 0 && errno != EEXIST)
		goto fail;
	return 0;
fail:
	snprintf(err, errlen, "%s: cannot create folder: %s", tmp, strerror(errno));
	return -1;
}

int as_write_file_atomic(const char *dir, const char *name, const as_buf_t *b, char *err,
                         size_t errlen)
{
	char path[4096], tmp[4200];
	int fd;
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	snprintf(tmp, sizeof(tmp), "%s/.%s.tmp", dir, name);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		goto fail;
	if (as_write_all(fd, b->data ? b->data : "", b->len) != 0 || fsync(fd) != 0) {
		int e = errno;
		close(fd);
		unlink(tmp);
		errno = e;
		goto fail;
	}
	if (close(fd) != 0 || rename(tmp, path) != 0) {
		int e = errno;
		unlink(tmp);
		errno = e;
		goto fail;
	}
	return 0;
fail:
	snprintf(err, errlen, "%s: cannot write: %s", path, strerror(errno));
	return -1;
}

void as_trials_header(as_buf_t *b)
{
#define H(name, fmt, doc) as_buf_add(b, #name ",", strlen(#name) + 1);
	AS_TRIAL_KEY_COLS(H)
	AS_TRIAL_COLS(H)
#undef H
	b->data[b->len - 1] = '\n';
}

void as_trials_row(as_buf_t *b, const as_trial_spec_t *spec, const as_trial_result_t *res)
{
	char name[4096];
	const char *mparams, *wcolon;
	char wname[256];

	as_buf_csv_num(b, spec->trial, 'I', 0);
	as_buf_csv_num(b, spec->rep, 'I', 0);
	/* module: the name as given (path or name) without params */
	{
		const char *slash = strrchr(spec->module, '/');
		const char *colon = strchr(slash ? slash : spec->module, ':');
		size_t n = colon ? (size_t)(colon - spec->module) : strlen(spec->module);
		snprintf(name, sizeof(name), "%.*s", (int)n, spec->module);
		mparams = colon ? colon + 1 : "";
	}
	as_buf_csv_str(b, name, 0);
	as_buf_csv_str(b, mparams, 0);
	as_buf_csv_str(b, res->module_version, 0);
	wcolon = strchr(spec->workload, ':');
	snprintf(wname, sizeof(wname), "%.*s",
	         (int)(wcolon ? (size_t)(wcolon - spec->workload) : strlen(spec->workload)),
	         spec->workload);
	as_buf_csv_str(b, wname, 0);
	as_buf_csv_str(b, wcolon ? wcolon + 1 : "", 0);
	as_buf_csv_num(b, spec->threads, 'I', 0);
	as_buf_printf(b, "%llu,", (unsigned long long)spec->seed);
	as_buf_csv_str(b, as_status_name(res->status), 0);
	as_buf_csv_str(b, res->reason, 0);
	{
		static const char fmts[] = {
#define F(name, fmt, doc) #fmt[0],
		    AS_TRIAL_COLS(F)
#undef F
		};
		for (int i = 0; i < AS_TRIAL_NCOLS; i++)
			as_buf_csv_num(b, res->v[i], fmts[i], i == AS_TRIAL_NCOLS - 1);
	}
}
