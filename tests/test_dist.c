/* test_dist.c - size distributions: every sample within [min, max], sample
 * statistics within tolerance of the parameters (mean, median, spread of
 * ln(size), table frequencies), determinism per seed, and the one-line
 * errors for bad params and bad table files. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>

#include "../workloads/dist.h"
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
		CHECKF(strstr(err, "key 'table'") && strstr(err, ":2: field 2"), "%s", err);
		fd = open(path, O_WRONLY | O_TRUNC);
		CHECK(write(fd, "16,-1\n", 6) == 6);
		close(fd);
		CHECK(as_dist_init(&p, &d, err, sizeof(err)) != 0 && strstr(err, ":1: field 2"));
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
	return as_check_done();
}
