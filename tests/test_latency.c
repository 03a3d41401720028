/* test_latency.c - the log-linear histogram: bucket bounds are contiguous
 * and every value maps into its own bucket, the resolution is better than
 * two significant digits, quantiles follow HdrHistogram's convention, and
 * merging adds counts. Also the timer: calibration gives a sane scale; and
 * the division-free remainder the engine's timed ops use equals %. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "latency.h"
#include "timer.h"
#include "util.h"

int main(void)
{
	as_hist_t *h = as_map(sizeof(as_hist_t)), *g = as_map(sizeof(as_hist_t));
	as_timer_info_t ti;
	int contiguous = 1, inside = 1, precise = 1;

	/* buckets tile [0, 2^48) without gaps or overlaps */
	for (uint32_t i = 0; i + 1 < AS_HIST_BUCKETS; i++)
		if (as_hist_bucket_high(i) + 1 != as_hist_bucket_low(i + 1))
			contiguous = 0;
	CHECK(contiguous);
	CHECK(as_hist_bucket_low(0) == 0);
	CHECK(as_hist_bucket_high(AS_HIST_BUCKETS - 1) == (1ULL << 48) - 1);

	/* a value lies in its bucket, and the bucket is narrow (< 1 %) */
	for (uint64_t v = 1; v < (1ULL << 47); v = v * 3 / 2 + 1) {
		uint32_t i = as_hist_index(v);
		if (v < as_hist_bucket_low(i) || v > as_hist_bucket_high(i))
			inside = 0;
		if ((double)(as_hist_bucket_high(i) - as_hist_bucket_low(i)) > (double)v / 100)
			precise = 0;
	}
	CHECK(inside);
	CHECK(precise);
	CHECK(as_hist_index(UINT64_MAX) == AS_HIST_BUCKETS - 1);

	/* exact below 256: 1..100 once each */
	for (uint64_t v = 1; v <= 100; v++)
		as_hist_record(h, v);
	CHECK(h->total == 100);
	CHECK(h->max == 100);
	CHECK(as_hist_quantile(h, 0.5) == 50);
	CHECK(as_hist_quantile(h, 0.99) == 99);
	CHECK(as_hist_quantile(h, 1.0) == 100);
	CHECK(as_hist_quantile(h, 0.0) == 1);
	CHECK(fabs(as_hist_mean(h) - 50.5) < 1e-9);

	/* large values: within 1/128 of the truth, never above max */
	memset(g, 0, sizeof(*g));
	for (uint64_t v = 1; v <= 10000; v++)
		as_hist_record(g, v * 1000);
	{
		double p50 = (double)as_hist_quantile(g, 0.5);
		double p999 = (double)as_hist_quantile(g, 0.999);
		CHECKF(fabs(p50 - 5e6) / 5e6 < 1.0 / 128, "p50 %.0f", p50);
		CHECKF(fabs(p999 - 9.99e6) / 9.99e6 < 1.0 / 128, "p99.9 %.0f", p999);
		CHECK(as_hist_quantile(g, 1.0) == 10000000);
	}

	/* merge */
	as_hist_merge(g, h);
	CHECK(g->total == 10100);
	CHECK(g->counts[as_hist_index(7)] == 1);
	/* the merged max is the larger one, whichever side holds it */
	CHECKF(g->max == 10000000, "max %llu", (unsigned long long)g->max);
	as_hist_merge(h, g);
	CHECKF(h->max == 10000000, "max %llu", (unsigned long long)h->max);

	/* rank ceil(q * total) (latency.h): of 1..12, q = 0.1 is the
	 * ceil(1.2) = 2nd smallest, 2 (rounding 1.2 would give 1) */
	memset(h, 0, sizeof(*h));
	for (uint64_t v = 1; v <= 12; v++)
		as_hist_record(h, v);
	CHECKF(as_hist_quantile(h, 0.1) == 2, "p10 of 1..12: %llu",
	       (unsigned long long)as_hist_quantile(h, 0.1));
	/* the mean is over bucket midpoints: 1000 lies in the bucket
	 * [1000, 1003] (2^9 <= 1000 < 2^10: 2^(9 - 8 + 1) = 4 values a bucket),
	 * midpoint 1001.5 */
	memset(h, 0, sizeof(*h));
	as_hist_record(h, 1000);
	CHECKF(as_hist_bucket_low(as_hist_index(1000)) == 1000 &&
	           as_hist_bucket_high(as_hist_index(1000)) == 1003,
	       "bucket of 1000: [%llu, %llu]",
	       (unsigned long long)as_hist_bucket_low(as_hist_index(1000)),
	       (unsigned long long)as_hist_bucket_high(as_hist_index(1000)));
	CHECKF(as_hist_mean(h) == 1001.5, "mean %g", as_hist_mean(h));

	/* as_fastmod == % for divisors and values at the edges (0, 1, powers
	 * of two and their neighbours, 2^64 - 1) and at random */
	{
		uint64_t ds[64], xs[64], r = 0x9e3779b97f4a7c15ULL, wrong = 0, n = 0;
		int nd = 0, nx = 0;
		for (int b = 0; b < 64; b += 7) {
			uint64_t p = 1ULL << b;
			ds[nd++] = p;
			ds[nd++] = p + 1;
			if (p > 2)
				ds[nd++] = p - 1;
			xs[nx++] = p;
			xs[nx++] = p - 1;
		}
		ds[nd++] = 21; /* a typical rdtsc step here */
		ds[nd++] = 127;
		ds[nd++] = UINT64_MAX;
		ds[nd++] = UINT64_MAX - 1;
		xs[nx++] = 0;
		xs[nx++] = UINT64_MAX;
		xs[nx++] = UINT64_MAX - 1;
		for (int i = 0; i < nd; i++) {
			as_fastmod_t f = as_fastmod_init(ds[i]);
			for (int k = 0; k < nx + 20000; k++) {
				uint64_t x;
				if (k < nx) {
					x = xs[k];
				} else {
					r ^= r << 13;
					r ^= r >> 7;
					r ^= r << 17;
					x = k % 3 == 0   ? r
					    : k % 3 == 1 ? r >> (r & 63)
					                 : ds[i] * (r & 1023) + (r >> 60);
				}
				n++;
				if (as_fastmod(&f, x) != x % ds[i] && wrong++ < 3)
					fprintf(stderr, "as_fastmod: %llu %% %llu gave %llu\n",
					        (unsigned long long)x, (unsigned long long)ds[i],
					        (unsigned long long)as_fastmod(&f, x));
			}
		}
		CHECKF(wrong == 0, "as_fastmod wrong %llu times of %llu", (unsigned long long)wrong,
		       (unsigned long long)n);
	}

	/* timer: scale and floor are plausible (not asserted as performance) */
	CHECK(as_timer_calibrate(&ti) == 0);
	CHECK(ti.ns_per_tick > 0.01 && ti.ns_per_tick <= 1.0);
	CHECK(ti.floor_ns > 0 && ti.floor_ns < 1e6);
	{
		/* ticks and CLOCK_MONOTONIC agree over ~10 ms; best of 5 tries, since
		 * being descheduled between two paired reads skews one try */
		double best = 1e9;
		for (int k = 0; k < 5; k++) {
			uint64_t a = as_ticks(), n0 = as_now_ns(), b, n1;
			while (as_now_ns() - n0 < 10000000)
				;
			b = as_ticks();
			n1 = as_now_ns();
			double err = fabs((double)(b - a) * ti.ns_per_tick - (double)(n1 - n0)) /
			             (double)(n1 - n0);
			if (err < best)
				best = err;
		}
		CHECKF(best < 0.02, "ticks and CLOCK_MONOTONIC differ by %.1f %%", best * 100);
	}
	return as_check_done();
}
