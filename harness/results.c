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
	as_buf_csv_str(b, res->bindings, 0);
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

static void row_keys(as_buf_t *b, const as_trial_spec_t *spec)
{
	as_buf_csv_num(b, spec->trial, 'I', 0);
	as_buf_csv_num(b, spec->rep, 'I', 0);
	as_buf_csv_str(b, spec->module, 0);
	as_buf_csv_str(b, spec->workload, 0);
	as_buf_csv_num(b, spec->threads, 'I', 0);
}

static void header(as_buf_t *b, const char *const *names, int n)
{
	static const char *const keys[] = {
#define H(name, fmt, doc) #name,
	    AS_ROW_KEY_COLS(H)
#undef H
	};
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		as_buf_csv_str(b, keys[i], 0);
	for (int i = 0; i < n; i++)
		as_buf_csv_str(b, names[i], i == n - 1);
	as_buf_add(b, "\n", 1);
}

static void rows(as_buf_t *b, const as_trial_spec_t *spec, const as_rows_t *r, const char *fmts,
                 int ncols)
{
	for (size_t i = 0; i < r->n; i++) {
		const double *v = r->v + i * (size_t)ncols;
		row_keys(b, spec);
		for (int c = 0; c < ncols; c++) {
			if (fmts[c] == 'K') {
				unsigned k = (unsigned)v[c];
				as_buf_csv_str(b, as_op_kind_name((unsigned)k), c == ncols - 1);
				if (c == ncols - 1)
					as_buf_add(b, "\n", 1);
			} else {
				as_buf_csv_num(b, v[c], fmts[c], c == ncols - 1);
			}
		}
	}
}

#define NAMES(name, fmt, doc) #name,
#define FMTS(name, fmt, doc)  #fmt[0],
static const char *const series_names[] = {AS_SERIES_COLS(NAMES)};
static const char series_fmts[] = {AS_SERIES_COLS(FMTS)};
static const char *const latency_names[] = {AS_LATENCY_COLS(NAMES)};
static const char latency_fmts[] = {AS_LATENCY_COLS(FMTS)};
static const char *const hist_names[] = {AS_HIST_COLS(NAMES)};
static const char hist_fmts[] = {AS_HIST_COLS(FMTS)};

void as_series_header(as_buf_t *b)
{
	header(b, series_names, AS_SERIES_NCOLS);
}
void as_series_rows(as_buf_t *b, const as_trial_spec_t *spec, const as_trial_result_t *res)
{
	rows(b, spec, &res->series, series_fmts, AS_SERIES_NCOLS);
}
void as_latency_header(as_buf_t *b)
{
	header(b, latency_names, AS_LATENCY_NCOLS);
}
void as_latency_rows(as_buf_t *b, const as_trial_spec_t *spec, const as_trial_result_t *res)
{
	rows(b, spec, &res->latency, latency_fmts, AS_LATENCY_NCOLS);
}
void as_hist_header(as_buf_t *b)
{
	header(b, hist_names, AS_HIST_NCOLS);
}
void as_hist_rows(as_buf_t *b, const as_trial_spec_t *spec, const as_trial_result_t *res)
{
	rows(b, spec, &res->hist, hist_fmts, AS_HIST_NCOLS);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

double as_median(double *v, int n)
{
	if (n <= 0)
		return NAN;
	qsort(v, (size_t)n, sizeof(v[0]), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

void as_median_ci95(const double *sorted, int n, double *lo, double *hi)
{
	/* largest j with P(Binomial(n, 1/2) < j) <= 2.5 %: then
	 * [x_(j), x_(n-j+1)] covers the median with >= 95 % */
	double p = ldexp(1.0, -n), cum = 0, coef = 1;
	int j = 0;
	*lo = *hi = NAN;
	if (n < 1 || n > 1000)
		return;
	for (int k = 0; k < n; k++) {
		cum += coef * p;
		if (cum > 0.025)
			break;
		j = k + 1;
		coef = coef * (double)(n - k) / (double)(k + 1);
	}
	if (j < 1)
		return;
	*lo = sorted[j - 1];
	*hi = sorted[n - j];
}

/* module part of a spec without params: "glibc:a=1" -> "glibc" */
static void spec_name(const char *spec, char *out, size_t len)
{
	const char *slash = strrchr(spec, '/');
	const char *colon = strchr(slash ? slash : spec, ':');
	snprintf(out, len, "%.*s", (int)(colon ? (size_t)(colon - spec) : strlen(spec)), spec);
}

static int gather(const as_trial_spec_t *specs, const as_trial_result_t *res, int n, uint32_t trial,
                  int col, double *out)
{
	int k = 0;
	for (int j = 0; j < n; j++)
		if (specs[j].trial == trial && res[j].status == AS_OK && !isnan(res[j].v[col]))
			out[k++] = res[j].v[col];
	return k;
}

void as_summary_table(as_buf_t *b, const as_trial_spec_t *specs, const as_trial_result_t *res,
                      int n)
{
	static const int metric_cols[] = {
#define M(name, fmt, doc) AS_TC_##name,
	    AS_SUMMARY_METRICS(M)
#undef M
	};
	static const char *const metric_names[] = {AS_SUMMARY_METRICS(NAMES)};
	static const char metric_fmts[] = {AS_SUMMARY_METRICS(FMTS)};
	static const char *const key_names[] = {AS_SUMMARY_KEY_COLS(NAMES)};
	static const char *const stats[] = {"median", "min", "max", "ci95_low", "ci95_high"};
	const int nm = (int)(sizeof(metric_cols) / sizeof(metric_cols[0]));
	double *v = malloc(sizeof(double) * (size_t)(n ? n : 1));

	for (size_t i = 0; i < sizeof(key_names) / sizeof(key_names[0]); i++)
		as_buf_csv_str(b, key_names[i], 0);
	for (int m = 0; m < nm; m++)
		for (int s = 0; s < 5; s++)
			as_buf_printf(b, "%s_%s%s", metric_names[m], stats[s],
			              m == nm - 1 && s == 4 ? "\n" : ",");
	for (int i = 0; i < n; i++) {
		char name[4096], other[4096];
		const char *colon;
		double null_ns = NAN, own_ns;
		int k;
		if (specs[i].rep != 0)
			continue;
		/* the null module's cost on the same workload and threads */
		for (int j = 0; j < n; j++) {
			if (specs[j].rep != 0 || specs[j].threads != specs[i].threads ||
			    strcmp(specs[j].workload, specs[i].workload))
				continue;
			spec_name(specs[j].module, other, sizeof(other));
			if (strcmp(other, "null"))
				continue;
			k = gather(specs, res, n, specs[j].trial, AS_TC_ns_per_op, v);
			null_ns = as_median(v, k);
			break;
		}
		spec_name(specs[i].module, name, sizeof(name));
		colon = specs[i].module + strlen(name);
		as_buf_csv_str(b, name, 0);
		as_buf_csv_str(b, *colon == ':' ? colon + 1 : "", 0);
		as_buf_csv_str(b, specs[i].workload, 0);
		as_buf_csv_num(b, specs[i].threads, 'I', 0);
		k = gather(specs, res, n, specs[i].trial, AS_TC_ns_per_op, v);
		own_ns = as_median(v, k);
		as_buf_csv_num(b, k, 'I', 0);
		as_buf_csv_num(b, null_ns, 'F', 0);
		as_buf_csv_num(b, own_ns - null_ns, 'F', 0);
		for (int m = 0; m < nm; m++) {
			double lo, hi, med;
			k = gather(specs, res, n, specs[i].trial, metric_cols[m], v);
			med = as_median(v, k);
			as_median_ci95(v, k, &lo, &hi);
			as_buf_csv_num(b, med, metric_fmts[m], 0);
			as_buf_csv_num(b, k ? v[0] : NAN, metric_fmts[m], 0);
			as_buf_csv_num(b, k ? v[k - 1] : NAN, metric_fmts[m], 0);
			as_buf_csv_num(b, lo, metric_fmts[m], 0);
			as_buf_csv_num(b, hi, metric_fmts[m], m == nm - 1);
		}
	}
	free(v);
}
