/* test_dist.c - size distributions: every sample within [min, max], sample
 * statistics within tolerance of the parameters (mean, median, spread of
 * ln(size), table frequencies, a trace's size histogram), determinism per
 * seed, and the one-line errors for bad params, table and trace files. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>

#include "../workloads/dist.h"
#include "../workloads/trace.h"
#include "check.h"

#define N 200000

static as_dist_params_t params(int kind, uint64_t size, uint64_t min, uint64_t max)
{
	as_dist_params_t p;
	memset(&p, 0, sizeof(p));
	p.kind = kind;
	p.size = size;
	p.min = min;
	p.max = max;
	p.sigma = 1;
	p.alpha = 2;
	return p;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

/* Sample N sizes; check the range; return mean, median and stddev of ln. */
static void sample(as_dist_t *d, uint64_t seed, double *mean, double *median, double *sdlog,
                   int *in_range)
{
	static uint64_t v[N];
	as_rng_t rng;
	double s = 0, sl = 0, sl2 = 0;
	as_rng_seed(&rng, seed);
	*in_range = 1;
	for (int i = 0; i < N; i++) {
		v[i] = as_dist_sample(d, &rng);
		if (v[i] < d->min || v[i] > d->max)
			*in_range = 0;
		s += (double)v[i];
		sl += log((double)v[i]);
		sl2 += log((double)v[i]) * log((double)v[i]);
	}
	qsort(v, N, sizeof(v[0]), cmp_u64);
	*mean = s / N;
	*median = (double)v[N / 2];
	*sdlog = sqrt(sl2 / N - (sl / N) * (sl / N));
}

static int near(double got, double want, double rel)
{
	return fabs(got - want) <= rel * fabs(want);
}

/* A trace of 16-byte mallocs, 64-byte callocs, each 64 realloc'd to 1000,
 * then all freed, plus a free of an unknown object (not a request): 100 x 16,
 * 300 x 64, 300 x 1000 requests. allocs=0 writes only the unknown free. */
static int write_trace(const char *path, as_trace_fmt_t fmt, int allocs)
{
	as_trace_writer_t w;
	as_trace_err_t e;
	as_tev_t ev;
	uint64_t obj = 0, t = 0;
	FILE *f = fopen(path, "w");
	int rc = 0;
	if (!f || as_trace_writer_open(&w, f, fmt) != 0)
		return -1;
	memset(&ev, 0, sizeof(ev));
	ev.op = AS_TEV_FREE_UNKNOWN;
	rc |= as_trace_writer_put(&w, &ev, &e);
	for (int i = 0; allocs && i < 100; i++) {
		ev.op = AS_TEV_ALLOC, ev.obj = obj++, ev.size = 16, ev.time_ns = t++;
		rc |= as_trace_writer_put(&w, &ev, &e);
		for (int j = 0; j < 3; j++) {
			ev.op = AS_TEV_CALLOC, ev.obj = obj++, ev.size = 64, ev.time_ns = t++;
			rc |= as_trace_writer_put(&w, &ev, &e);
			ev.op = AS_TEV_REALLOC, ev.size = 1000, ev.time_ns = t++;
			rc |= as_trace_writer_put(&w, &ev, &e);
		}
	}
	for (uint64_t o = 0; o < obj; o++) {
		ev.op = AS_TEV_FREE, ev.obj = o, ev.size = 0, ev.time_ns = t++;
		rc |= as_trace_writer_put(&w, &ev, &e);
	}
	rc |= as_trace_writer_close(&w);
	return fclose(f) != 0 || rc ? -1 : 0;
}

/* dist=trace over a trace of each format: sizes as often as requested. */
static void check_trace(void)
{
	static const as_trace_fmt_t fmts[2] = {AS_TRACE_BIN, AS_TRACE_CSV};
	static const char bad_csv[] = "op,thread,id,size_bytes,align_bytes,time_ns\n"
	                              "alloc,0,1,x,0,0\n";
	char path[] = "/tmp/as_test_dist_trace_XXXXXX", err[512];
	as_dist_params_t p;
	as_dist_t d;
	int fd = mkstemp(path);
	CHECK(fd >= 0);
	if (fd < 0)
		return;
	close(fd);
	memset(&p, 0, sizeof(p));
	p.kind = AS_DIST_TRACE;
	snprintf(p.table, sizeof(p.table), "%s", path);
	for (int k = 0; k < 2; k++) {
		CHECK(write_trace(path, fmts[k], 1) == 0);
		CHECKF(as_dist_init(&p, &d, err, sizeof(err)) == 0, "%s", err);
		CHECKF(d.tn == 3 && d.min == 16 && d.max == 1000, "format %d: %llu sizes", k,
		       (unsigned long long)d.tn);
		if (d.tn == 3) {
			as_rng_t rng;
			int c16 = 0, c64 = 0, c1000 = 0, other = 0;
			as_rng_seed(&rng, 11 + (uint64_t)k);
			for (int i = 0; i < N; i++) {
				uint64_t s = as_dist_sample(&d, &rng);
				c16 += s == 16;
				c64 += s == 64;
				c1000 += s == 1000;
				other += s != 16 && s != 64 && s != 1000;
			}
			CHECKF(near(c16 / (double)N, 100 / 700.0, 0.03) &&
			           near(c64 / (double)N, 300 / 700.0, 0.02) &&
			           near(c1000 / (double)N, 300 / 700.0, 0.02) && other == 0,
			       "format %d: %d %d %d %d", k, c16, c64, c1000, other);
			CHECK(near(as_dist_mean(&d), (100 * 16 + 300 * 64 + 300 * 1000) / 700.0,
			           1e-9));
		}
		as_dist_release(&d);
	}

	/* a trace without a request, a malformed one, a missing one: one line
	 * naming the key and the file */
	CHECK(write_trace(path, AS_TRACE_BIN, 0) == 0);
	CHECKF(as_dist_init(&p, &d, err, sizeof(err)) != 0 && strstr(err, "key 'table'") &&
	           strstr(err, path) && strstr(err, "no alloc, calloc or realloc"),
	       "%s", err);
	CHECK(write_trace(path, AS_TRACE_BIN, 1) == 0);
	CHECK(truncate(path, 100) == 0);
	CHECKF(as_dist_init(&p, &d, err, sizeof(err)) != 0 && strstr(err, "key 'table'") &&
	           strstr(err, path) && strstr(err, "byte ") && !strchr(err, '\n'),
	       "%s", err);
	fd = open(path, O_WRONLY | O_TRUNC);
	CHECK(fd >= 0 && write(fd, bad_csv, sizeof(bad_csv) - 1) == (ssize_t)(sizeof(bad_csv) - 1));
	close(fd);
	CHECKF(as_dist_init(&p, &d, err, sizeof(err)) != 0 && strstr(err, "key 'table'") &&
	           strstr(err, path) && strstr(err, "line 2"),
	       "%s", err);
	unlink(path);
	CHECKF(as_dist_init(&p, &d, err, sizeof(err)) != 0 && strstr(err, path) &&
	           strstr(err, "No such file"),
	       "%s", err);
	p.table[0] = '\0';
	CHECKF(as_dist_check(&p, err, sizeof(err)) != 0 && strstr(err, "dist=trace needs table="),
	       "%s", err);
}

/* How often each of lo..hi (at most 16 values) comes out in N draws of
 * d, into f[0..hi - lo]; returns the count outside lo..hi. */
static int freq(as_dist_t *d, uint64_t seed, uint64_t lo, uint64_t hi, double *f)
{
	as_rng_t rng;
	int out = 0;
	as_rng_seed(&rng, seed);
	for (uint64_t k = 0; k <= hi - lo; k++)
		f[k] = 0;
	for (int i = 0; i < N; i++) {
		uint64_t s = as_dist_sample(d, &rng);
		if (s < lo || s > hi)
			out++;
		else
			f[s - lo] += 1.0 / N;
	}
	return out;
}

/* The bounds are sizes a draw can have: min and max both come out, as
 * often as the law says. Expected frequencies by hand: */
static void edges(void)
{
	as_dist_params_t p;
	as_dist_t d;
	char err[256];
	double f[16];
	int out;

	/* uniform on 16..19: each a quarter, 19 included */
	p = params(AS_DIST_UNIFORM, 16, 16, 19);
	CHECK(as_dist_init(&p, &d, err, sizeof(err)) == 0);
	out = freq(&d, 11, 16, 19, f);
	CHECKF(out == 0 && near(f[0], 0.25, 0.02) && near(f[1], 0.25, 0.02) &&
	           near(f[2], 0.25, 0.02) && near(f[3], 0.25, 0.02),
	       "uniform 16..19: %d out, %g %g %g %g", out, f[0], f[1], f[2], f[3]);

	/* inverse square on 4..8: a draw is k when the continuous value lies
	 * in [k, k + 1), so P(k) = (1/k - 1/(k + 1)) / (1/4 - 1/9): 0.4, 0.24,
	 * 0.1556, 0.1071, 0.0972 (8 included, as glibc's get_block_size
	 * does); the mean is sum k P(k) = (1/5 + 1/6 + 1/7 + 1/8 + 1/9) /
	 * (5/36) = 5.36857, which as_dist_mean's continuous mean less 1/2
	 * (ln(9/4) / (5/36) - 0.5 = 5.33867) is within 0.6 % of */
	p = params(AS_DIST_POWER, 4, 4, 8);
	CHECK(as_dist_init(&p, &d, err, sizeof(err)) == 0);
	out = freq(&d, 12, 4, 8, f);
	for (int k = 4; k <= 8; k++) {
		double want = (1.0 / k - 1.0 / (k + 1)) / (1.0 / 4 - 1.0 / 9);
		CHECKF(out == 0 && near(f[k - 4], want, 0.03), "power 4..8: P(%d) %g, want %g", k,
		       f[k - 4], want);
	}
	CHECKF(near(as_dist_mean(&d), 5.368571428571428, 0.01), "power 4..8 mean %g",
	       as_dist_mean(&d));

	/* log-normal (median 128, sigma 1) truncated to [100, 200]: 200 comes
	 * out about as often as 199 (the density falls 0.7 % from one to the
	 * next there: ln-normal pdf at 199 and 200) */
	p = params(AS_DIST_LOGNORMAL, 128, 100, 200);
	CHECK(as_dist_init(&p, &d, err, sizeof(err)) == 0);
	{
		as_rng_t rng;
		int c199 = 0, c200 = 0;
		as_rng_seed(&rng, 13);
		for (int i = 0; i < N; i++) {
			uint64_t s = as_dist_sample(&d, &rng);
			c199 += s == 199;
			c200 += s == 200;
		}
		CHECKF(c199 > 500 && c200 > 0.8 * c199 && c200 < 1.2 * c199, "199: %d, 200: %d",
		       c199, c200);
	}
}

int main(void)
{
	as_dist_params_t p;
	as_dist_t d;
	char err[512], path[] = "/tmp/as_test_dist_XXXXXX";
	double mean, median, sdlog;
	int ok, fd;

	/* fixed: every sample is the size */
	p = params(AS_DIST_FIXED, 64, 1, 1);
	CHECK(as_dist_init(&p, &d, err, sizeof(err)) == 0);
	sample(&d, 1, &mean, &median, &sdlog, &ok);
	CHECK(ok && mean == 64 && median == 64);

	/* uniform 16..512: mean 264, median 264 */
	p = params(AS_DIST_UNIFORM, 64, 16, 512);
	CHECK(as_dist_init(&p, &d, err, sizeof(err)) == 0);
	sample(&d, 2, &mean, &median, &sdlog, &ok);
	CHECKF(ok && near(mean, 264, 0.01) && near(median, 264, 0.02), "mean %g median %g", mean,
	       median);
	CHECK(near(as_dist_mean(&d), 264, 1e-9));

	/* log-normal, median 128, sigma 0.5, bounds far in the tails */
	p = params(AS_DIST_LOGNORMAL, 128, 1, 1 << 20);
	p.sigma = 0.5;
	CHECK(as_dist_init(&p, &d, err, sizeof(err)) == 0);
	sample(&d, 3, &mean, &median, &sdlog, &ok);
	CHECKF(ok && near(median, 128, 0.03), "median %g", median);
	/* truncation to integers shrinks ln's spread a little at small sizes */
	CHECKF(near(sdlog, 0.5, 0.03), "sd of ln %g", sdlog);
	CHECKF(near(mean, as_dist_mean(&d), 0.03), "mean %g vs %g", mean, as_dist_mean(&d));

	/* log-normal truncated to [100, 200]: stays inside */
	p = params(AS_DIST_LOGNORMAL, 128, 100, 200);
	CHECK(as_dist_init(&p, &d, err, sizeof(err)) == 0);
	sample(&d, 4, &mean, &median, &sdlog, &ok);
	CHECK(ok);

	/* power law, glibc's inverse square on 4..32768 */
	p = params(AS_DIST_POWER, 64, 4, 32768);
	CHECK(as_dist_init(&p, &d, err, sizeof(err)) == 0);
	sample(&d, 5, &mean, &median, &sdlog, &ok);
	CHECKF(ok && near(mean, as_dist_mean(&d), 0.04), "mean %g vs %g", mean, as_dist_mean(&d));
	/* inverse square: median of the continuous law is 2ab/(a+b) ~ 8 */
	CHECKF(median >= 7 && median <= 8, "median %g", median);
	/* alpha 1 (log-uniform) and 0 (uniform) */
	p.alpha = 1;
	CHECK(as_dist_init(&p, &d, err, sizeof(err)) == 0);
	sample(&d, 6, &mean, &median, &sdlog, &ok);
	CHECKF(ok && near(mean, as_dist_mean(&d), 0.03), "mean %g vs %g", mean, as_dist_mean(&d));
	p.alpha = 0;
	CHECK(as_dist_init(&p, &d, err, sizeof(err)) == 0);
	sample(&d, 7, &mean, &median, &sdlog, &ok);
	CHECKF(ok && near(mean, (4 + 32768) / 2.0, 0.01), "mean %g", mean);

	edges();

	/* determinism: same seed, same sizes */
	{
		as_rng_t a, b;
		int same = 1;
		as_rng_seed(&a, 9);
		as_rng_seed(&b, 9);
		for (int i = 0; i < 1000; i++)
			same &= as_dist_sample(&d, &a) == as_dist_sample(&d, &b);
		CHECK(same);
	}

	/* empirical table: frequencies follow the weights; header row allowed */
	fd = mkstemp(path);
	CHECK(fd >= 0);
	if (fd >= 0) {
		const char csv[] = "size,weight\n16,1\n64,3\n\"4096\",0\n1024,4\n";
		CHECK(write(fd, csv, sizeof(csv) - 1) == (ssize_t)(sizeof(csv) - 1));
		close(fd);
		p = params(AS_DIST_TABLE, 64, 1, 1);
		snprintf(p.table, sizeof(p.table), "%s", path);
		CHECKF(as_dist_init(&p, &d, err, sizeof(err)) == 0, "%s", err);
		if (d.tn == 4) {
			as_rng_t rng;
			int c16 = 0, c64 = 0, c1k = 0, other = 0;
			as_rng_seed(&rng, 10);
			for (int i = 0; i < N; i++) {
				uint64_t s = as_dist_sample(&d, &rng);
				c16 += s == 16;
				c64 += s == 64;
				c1k += s == 1024;
				other += s != 16 && s != 64 && s != 1024;
			}
			CHECKF(near(c16 / (double)N, 0.125, 0.03) &&
			           near(c64 / (double)N, 0.375, 0.02) &&
			           near(c1k / (double)N, 0.5, 0.02) && other == 0,
			       "%d %d %d %d", c16, c64, c1k, other);
			CHECK(near(as_dist_mean(&d), (16 + 3 * 64 + 4 * 1024) / 8.0, 1e-9));
		}
		CHECK(d.tn == 4 && d.min == 16 && d.max == 4096);
		as_dist_release(&d);

		/* a bad row names the file, the line and the field */
		fd = open(path, O_WRONLY | O_TRUNC);
		CHECK(write(fd, "16,1\n64,x\n", 10) == 10);
		close(fd);
		CHECK(as_dist_init(&p, &d, err, sizeof(err)) != 0);
		CHECKF(strstr(err, "key 'table'") && strstr(err, ": line 2: field 2"), "%s", err);
		fd = open(path, O_WRONLY | O_TRUNC);
		CHECK(write(fd, "16,-1\n", 6) == 6);
		close(fd);
		CHECK(as_dist_init(&p, &d, err, sizeof(err)) != 0 &&
		      strstr(err, ": line 1: field 2"));
		fd = open(path, O_WRONLY | O_TRUNC);
		CHECK(write(fd, "16\n", 3) == 3);
		close(fd);
		CHECKF(as_dist_init(&p, &d, err, sizeof(err)) != 0 && strstr(err, "size,weight"),
		       "%s", err);
		fd = open(path, O_WRONLY | O_TRUNC);
		close(fd);
		CHECKF(as_dist_init(&p, &d, err, sizeof(err)) != 0 && strstr(err, "no row"), "%s",
		       err);
		unlink(path);
		CHECKF(as_dist_init(&p, &d, err, sizeof(err)) != 0 && strstr(err, "No such file"),
		       "%s", err);
	}

	/* relations between params name the key */
	p = params(AS_DIST_UNIFORM, 64, 600, 512);
	CHECKF(as_dist_check(&p, err, sizeof(err)) != 0 && strstr(err, "key 'min'"), "%s", err);
	p = params(AS_DIST_LOGNORMAL, 8, 16, 512);
	CHECKF(as_dist_check(&p, err, sizeof(err)) != 0 && strstr(err, "key 'size'"), "%s", err);
	p = params(AS_DIST_TABLE, 64, 1, 1);
	CHECKF(as_dist_check(&p, err, sizeof(err)) != 0 && strstr(err, "table=FILE"), "%s", err);
	/* a table given with another dist is refused, not ignored (until
	 * review-a `synth:table=sizes.csv` ran uniform sizes, exit 0) */
	p = params(AS_DIST_UNIFORM, 64, 16, 512);
	snprintf(p.table, sizeof(p.table), "%s", "sizes.csv");
	CHECKF(as_dist_check(&p, err, sizeof(err)) != 0 &&
	           strstr(err, "key 'table': read only with dist=table"),
	       "%s", err);

	check_trace();
	return as_check_done();
}
