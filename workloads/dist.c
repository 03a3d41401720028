/* dist.c - see dist.h. The table reader uses libcsv with mapped buffers
 * (scratch.h), and the trace histogram lives in mapped memory too, so that
 * reading either never touches the allocator under test. */
#define _GNU_SOURCE
#include "dist.h"

#include <csv.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "scratch.h"
#include "shell_word.h"
#include "trace.h"

/* libcsv callbacks' state while reading a table. */
typedef struct {
	as_dist_t *d;
	const char *path;
	uint64_t row;  /* 1-based line of the current record */
	int field;     /* field index within the record */
	int header_ok; /* the first record may be a header */
	uint64_t size;
	double weight;
	char err[256];
} table_rd_t;

static int table_push(as_dist_t *d, uint64_t size, double weight)
{
	if (d->tn == d->tcap) {
		uint64_t ncap = d->tcap ? d->tcap * 2 : 1024;
		uint64_t *s = as_scratch_map(ncap * sizeof(uint64_t));
		double *c = as_scratch_map(ncap * sizeof(double));
		if (!s || !c) {
			as_scratch_unmap(s, ncap * sizeof(uint64_t));
			as_scratch_unmap(c, ncap * sizeof(double));
			return -1;
		}
		if (d->tn) {
			memcpy(s, d->tsize, d->tn * sizeof(uint64_t));
			memcpy(c, d->tcum, d->tn * sizeof(double));
		}
		as_scratch_unmap(d->tsize, d->tcap * sizeof(uint64_t));
		as_scratch_unmap(d->tcum, d->tcap * sizeof(double));
		d->tsize = s;
		d->tcum = c;
		d->tcap = ncap;
	}
	d->tsize[d->tn] = size;
	d->tcum[d->tn] = (d->tn ? d->tcum[d->tn - 1] : 0) + weight;
	d->tn++;
	return 0;
}

static void on_field(void *s, size_t len, void *ctx)
{
	table_rd_t *r = ctx;
	char buf[64], *end;
	if (r->err[0])
		return;
	if (r->row == 1 && r->field == 0 && r->header_ok == 1) {
		/* a first row whose size field is not a number is a header */
		const char *c = s;
		r->header_ok = len > 0 && !(c[0] >= '0' && c[0] <= '9') ? 2 : 0;
	}
	if (r->field < 2 && r->header_ok != 2) {
		int bad = len == 0 || len >= sizeof(buf);
		if (!bad) {
			memcpy(buf, s, len);
			buf[len] = '\0';
			errno = 0;
			if (r->field == 0) {
				r->size = strtoull(buf, &end, 10);
				bad = errno || *end || buf[0] == '-' || r->size == 0;
			} else {
				r->weight = strtod(buf, &end);
				bad = errno || *end || !(r->weight >= 0) || isinf(r->weight);
			}
		}
		if (bad) {
			as_path_err(
			    r->err, sizeof(r->err), r->path, "line %llu: field %d is not a %s",
			    (unsigned long long)r->row, r->field + 1,
			    r->field == 0 ? "positive size in bytes" : "non-negative weight");
		}
	}
	r->field++;
}

static void on_row(int c, void *ctx)
{
	table_rd_t *r = ctx;
	(void)c;
	if (!r->err[0] && r->header_ok != 2) {
		if (r->field < 2)
			as_path_err(r->err, sizeof(r->err), r->path,
			            "line %llu: expected size,weight", (unsigned long long)r->row);
		else if (table_push(r->d, r->size, r->weight) != 0)
			as_path_err(r->err, sizeof(r->err), r->path, "out of memory");
	}
	r->header_ok = 0;
	r->row++;
	r->field = 0;
}

/* err = "key 'table': PATH: why", PATH one shell word (as_path_err): a
 * file name with a newline keeps the error on one line */
static void table_err(char *err, size_t errlen, const char *path, const char *why)
{
	int n = snprintf(err, errlen, "key 'table': ");
	if (n > 0 && (size_t)n < errlen)
		as_path_err(err + n, errlen - (size_t)n, path, "%s", why);
}

static int read_table(as_dist_t *d, const char *path, char *err, size_t errlen)
{
	struct csv_parser p;
	table_rd_t r;
	char buf[16384];
	int fd, rc = -1;
	ssize_t n;
	struct stat st;

	memset(&r, 0, sizeof(r));
	r.d = d;
	r.path = path;
	r.row = 1;
	r.header_ok = 1;
	/* a file only: a FIFO's open waited for a writer and /dev/zero was
	 * read for ever (until session 35); O_NONBLOCK opens a FIFO at once,
	 * and changes nothing for a file's reads */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0) {
		table_err(err, errlen, path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		table_err(err, errlen, path,
		          S_ISFIFO(st.st_mode) ? "a FIFO, not a file" : "not a regular file");
		goto out_close;
	}
	if (csv_init(&p, CSV_APPEND_NULL) != 0) {
		snprintf(err, errlen, "key 'table': cannot start the CSV parser");
		goto out_close;
	}
	csv_set_realloc_func(&p, as_scratch_realloc);
	csv_set_free_func(&p, as_scratch_free);
	while ((n = read(fd, buf, sizeof(buf))) > 0 && !r.err[0]) {
		if (csv_parse(&p, buf, (size_t)n, on_field, on_row, &r) != (size_t)n) {
			as_path_err(r.err, sizeof(r.err), path, "%s", csv_strerror(csv_error(&p)));
			break;
		}
	}
	if (n < 0 && !r.err[0])
		as_path_err(r.err, sizeof(r.err), path, "%s", strerror(errno));
	if (!r.err[0])
		csv_fini(&p, on_field, on_row, &r);
	csv_free(&p);
	if (r.err[0]) {
		snprintf(err, errlen, "key 'table': %s", r.err);
		goto out_close;
	}
	if (d->tn == 0 || !(d->tcum[d->tn - 1] > 0)) {
		table_err(err, errlen, path, "no row with a positive weight");
		goto out_close;
	}
	rc = 0;
out_close:
	close(fd);
	return rc;
}

/* dist=trace: the table is the trace's exact request-size histogram, each
 * size weighted by how often it is requested; errors come from the trace
 * reader ("FILE: line N: ..." / "FILE: byte N: ..."). */
static int read_trace(as_dist_t *d, const char *path, char *err, size_t errlen)
{
	as_size_hist_t h;
	char msg[512];
	int rc = -1;

	memset(&h, 0, sizeof(h));
	if (as_trace_read_file(path, as_size_hist_fn, &h, NULL, msg, sizeof(msg)) != 0) {
		snprintf(err, errlen, "key 'table': %s", msg);
		goto out_free;
	}
	if (h.requests == 0) {
		table_err(err, errlen, path, "no alloc, calloc or realloc event");
		goto out_free;
	}
	for (uint64_t i = 0; i < h.n; i++) {
		if (table_push(d, h.size_bytes[i], (double)h.count[i]) != 0) {
			table_err(err, errlen, path, "out of memory");
			goto out_free;
		}
	}
	rc = 0;
out_free:
	as_size_hist_free(&h);
	return rc;
}

int as_dist_init(const as_dist_params_t *p, as_dist_t *d, char *err, size_t errlen)
{
	memset(d, 0, sizeof(*d));
	d->kind = (as_dist_kind_t)p->kind;
	d->size = p->size;
	d->min = p->min;
	d->max = p->max;
	if (d->kind != AS_DIST_FIXED && d->kind != AS_DIST_TABLE && d->kind != AS_DIST_TRACE &&
	    p->min > p->max) {
		snprintf(err, errlen, "key 'min': %llu is larger than max %llu",
		         (unsigned long long)p->min, (unsigned long long)p->max);
		return -1;
	}
	if (p->table[0] && d->kind != AS_DIST_TABLE && d->kind != AS_DIST_TRACE) {
		/* a file given and then not read: the sizes would be another
		 * distribution's than the one the user named a file for */
		snprintf(err, errlen,
		         "key 'table': read only with dist=table (a CSV of size,weight) or "
		         "dist=trace (a trace); give one of those");
		return -1;
	}
	switch (d->kind) {
	case AS_DIST_FIXED: d->min = d->max = p->size; break;
	case AS_DIST_UNIFORM: break;
	case AS_DIST_LOGNORMAL:
		if (p->size < p->min || p->size > p->max) {
			snprintf(err, errlen,
			         "key 'size': median %llu is outside min..max (%llu..%llu)",
			         (unsigned long long)p->size, (unsigned long long)p->min,
			         (unsigned long long)p->max);
			return -1;
		}
		d->mu = log((double)p->size);
		d->sigma = p->sigma;
		break;
	case AS_DIST_POWER:
		/* inverse CDF of density ~ x^-alpha on [min, max + 1) */
		d->pexp = 1.0 - p->alpha;
		if (fabs(d->pexp) < 1e-9) {
			d->pa = log((double)p->min);
			d->pb = log((double)p->max + 1) - d->pa;
		} else {
			d->pa = pow((double)p->min, d->pexp);
			d->pb = pow((double)p->max + 1, d->pexp) - d->pa;
		}
		break;
	case AS_DIST_TABLE:
	case AS_DIST_TRACE:
		if (!p->table[0]) {
			snprintf(err, errlen, "key 'table': dist=%s needs table=FILE%s",
			         d->kind == AS_DIST_TABLE ? "table" : "trace",
			         d->kind == AS_DIST_TABLE ? ".csv" : " (a trace)");
			return -1;
		}
		if ((d->kind == AS_DIST_TABLE ? read_table(d, p->table, err, errlen)
		                              : read_trace(d, p->table, err, errlen)) != 0) {
			as_dist_release(d);
			return -1;
		}
		d->min = UINT64_MAX;
		d->max = 0;
		for (uint64_t i = 0; i < d->tn; i++) {
			if (d->tsize[i] < d->min)
				d->min = d->tsize[i];
			if (d->tsize[i] > d->max)
				d->max = d->tsize[i];
		}
		break;
	default: snprintf(err, errlen, "key 'dist': unknown distribution"); return -1;
	}
	return 0;
}

int as_dist_check(const as_dist_params_t *p, char *err, size_t errlen)
{
	as_dist_t d;
	if (as_dist_init(p, &d, err, errlen) != 0)
		return -1;
	as_dist_release(&d);
	return 0;
}

int as_dist_key_read(int kind, const char *key, char *err, size_t errlen)
{
	static const char *const names[] = {"fixed", "uniform", "lognormal",
	                                    "power", "table",   "trace"};
	/* which kinds read each key: bit k for as_dist_kind_t k */
	static const struct {
		const char *key;
		unsigned kinds;
	} reads[] = {
	    {"size", 1u << AS_DIST_FIXED | 1u << AS_DIST_LOGNORMAL},
	    {"min", 1u << AS_DIST_UNIFORM | 1u << AS_DIST_LOGNORMAL | 1u << AS_DIST_POWER},
	    {"max", 1u << AS_DIST_UNIFORM | 1u << AS_DIST_LOGNORMAL | 1u << AS_DIST_POWER},
	    {"sigma", 1u << AS_DIST_LOGNORMAL},
	    {"alpha", 1u << AS_DIST_POWER},
	};
	if (kind < 0 || (size_t)kind >= sizeof(names) / sizeof(names[0]))
		return 0;
	for (size_t i = 0; i < sizeof(reads) / sizeof(reads[0]); i++) {
		size_t n = 0;
		char by[64] = "";
		if (strcmp(reads[i].key, key) != 0 || reads[i].kinds & 1u << kind)
			continue;
		for (size_t k = 0; k < sizeof(names) / sizeof(names[0]); k++)
			if (reads[i].kinds & 1u << k)
				n += (size_t)snprintf(by + n, sizeof(by) - n, "%s%s", n ? "|" : "",
				                      names[k]);
		snprintf(err, errlen, "key '%s': dist=%s does not read it (dist=%s does)", key,
		         names[kind], by);
		return -1;
	}
	return 0;
}

static double normal(as_rng_t *rng)
{
	/* Box-Muller; one value per call keeps the stream simple to reason about */
	double u1 = as_rng_unit(rng), u2 = as_rng_unit(rng);
	return sqrt(-2.0 * log(1.0 - u1)) * cos(2.0 * M_PI * u2);
}

uint64_t as_dist_sample(as_dist_t *d, as_rng_t *rng)
{
	switch (d->kind) {
	case AS_DIST_FIXED: return d->size;
	case AS_DIST_UNIFORM: return d->min + as_rng_below(rng, d->max - d->min + 1);
	case AS_DIST_LOGNORMAL:
		/* truncated to [min, max] by resampling; clamp after 64 misses */
		for (int i = 0; i < 64; i++) {
			double x = exp(d->mu + d->sigma * normal(rng));
			if (x >= (double)d->min && x < (double)d->max + 1)
				return (uint64_t)x;
		}
		return d->size;
	case AS_DIST_POWER: {
		double u = as_rng_unit(rng), x;
		if (fabs(d->pexp) < 1e-9)
			x = exp(d->pa + d->pb * u);
		else
			x = pow(d->pa + d->pb * u, 1.0 / d->pexp);
		/* truncation as glibc's get_block_size does */
		if (x < (double)d->min)
			return d->min;
		if (x >= (double)d->max + 1)
			return d->max;
		return (uint64_t)x;
	}
	case AS_DIST_TABLE:
	case AS_DIST_TRACE: {
		double w = as_rng_unit(rng) * d->tcum[d->tn - 1];
		uint64_t lo = 0, hi = d->tn - 1;
		while (lo < hi) {
			uint64_t mid = lo + (hi - lo) / 2;
			if (d->tcum[mid] > w)
				hi = mid;
			else
				lo = mid + 1;
		}
		return d->tsize[lo];
	}
	}
	return d->min;
}

double as_dist_mean(const as_dist_t *d)
{
	double a = (double)d->min, b = (double)d->max + 1;
	switch (d->kind) {
	case AS_DIST_FIXED: return (double)d->size;
	case AS_DIST_UNIFORM: return ((double)d->min + (double)d->max) / 2;
	case AS_DIST_LOGNORMAL: return exp(d->mu + d->sigma * d->sigma / 2); /* untruncated */
	case AS_DIST_POWER: {
		/* mean of the continuous density on [a, b), minus ~0.5 for truncation */
		double e = d->pexp, m;
		if (fabs(e) < 1e-9)
			m = (b - a) / log(b / a);
		else if (fabs(e + 1) < 1e-9)
			m = log(b / a) / (1 / a - 1 / b);
		else
			m = e / (e + 1) * (pow(b, e + 1) - pow(a, e + 1)) / (pow(b, e) - pow(a, e));
		return m - 0.5;
	}
	case AS_DIST_TABLE:
	case AS_DIST_TRACE: {
		double s = 0, prev = 0;
		for (uint64_t i = 0; i < d->tn; i++) {
			s += (double)d->tsize[i] * (d->tcum[i] - prev);
			prev = d->tcum[i];
		}
		return s / d->tcum[d->tn - 1];
	}
	}
	return 0;
}

void as_dist_release(as_dist_t *d)
{
	as_scratch_unmap(d->tsize, d->tcap * sizeof(uint64_t));
	as_scratch_unmap(d->tcum, d->tcap * sizeof(double));
	d->tsize = NULL;
	d->tcum = NULL;
	d->tn = d->tcap = 0;
}
