/* tracedist_bench.c - dist=trace on a real trace: how long building the
 * distribution takes (read + histogram + table), how fast it samples, and how
 * far the drawn sizes are from the trace's own size histogram (total
 * variation distance). Not a test: figures only, recorded in docs/tracedist.md.
 *   tracedist_bench TRACE [SAMPLES]   (default 10000000 samples) */
#define _GNU_SOURCE
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dist.h"
#include "trace.h"

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

int main(int argc, char **argv)
{
	as_dist_params_t p;
	as_dist_t d;
	as_size_hist_t h, drawn;
	as_tev_t ev;
	as_rng_t rng;
	char err[1024];
	uint64_t samples = 10000000, sink = 0, outside = 0;
	double t0, t_load, t_sample, tvd = 0;
	int rc = 1;

	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: tracedist_bench TRACE [SAMPLES]\n");
		return 2;
	}
	if (argc == 3) {
		char *end;
		errno = 0;
		samples = strtoull(argv[2], &end, 10);
		if (errno || *end || argv[2][0] == '-' || samples == 0) {
			fprintf(stderr, "tracedist_bench: SAMPLES '%s' is not a positive count\n",
			        argv[2]);
			return 2;
		}
	}
	memset(&p, 0, sizeof(p));
	p.kind = AS_DIST_TRACE;
	snprintf(p.table, sizeof(p.table), "%s", argv[1]);
	t0 = now_s();
	if (as_dist_init(&p, &d, err, sizeof(err)) != 0) {
		fprintf(stderr, "tracedist_bench: %s\n", err);
		return 2;
	}
	t_load = now_s() - t0;

	as_rng_seed(&rng, 1);
	t0 = now_s();
	for (uint64_t i = 0; i < samples; i++)
		sink += as_dist_sample(&d, &rng);
	t_sample = now_s() - t0;

	/* the trace's histogram, and the drawn one counted the same way */
	memset(&h, 0, sizeof(h));
	memset(&drawn, 0, sizeof(drawn));
	memset(&ev, 0, sizeof(ev));
	if (as_trace_read_file(argv[1], as_size_hist_fn, &h, NULL, err, sizeof(err)) != 0) {
		fprintf(stderr, "tracedist_bench: %s\n", err);
		goto out;
	}
	as_rng_seed(&rng, 1);
	ev.op = AS_TEV_ALLOC;
	for (uint64_t i = 0; i < samples; i++) {
		ev.size = as_dist_sample(&d, &rng);
		if (as_size_hist_add(&drawn, &ev) != 0)
			goto out;
	}
	/* TVD = half the L1 distance; sizes drawn but never requested count too */
	for (uint64_t i = 0; i < h.n; i++) {
		uint64_t slot, c = 0;
		if (as_u64map_get(&drawn.index, h.size_bytes[i], &slot))
			c = drawn.count[slot];
		tvd += 0.5 *
		       fabs((double)c / (double)samples - (double)h.count[i] / (double)h.requests);
	}
	for (uint64_t i = 0; i < drawn.n; i++) {
		uint64_t slot;
		if (!as_u64map_get(&h.index, drawn.size_bytes[i], &slot)) {
			outside += drawn.count[i];
			tvd += 0.5 * (double)drawn.count[i] / (double)samples;
		}
	}
	printf("trace:            %s\n", argv[1]);
	printf("requests:         %llu (%llu distinct sizes, %llu..%llu bytes)\n",
	       (unsigned long long)h.requests, (unsigned long long)h.n, (unsigned long long)d.min,
	       (unsigned long long)d.max);
	printf("build dist:       %.1f ms (read trace + histogram + table)\n", t_load * 1e3);
	printf("sample:           %.1f ns/size (%llu samples)\n", t_sample * 1e9 / (double)samples,
	       (unsigned long long)samples);
	printf("mean size:        trace %.1f, drawn %.1f bytes\n", as_dist_mean(&d),
	       (double)sink / (double)samples);
	printf("total variation:  %.4f (drawn vs trace histogram; 0 = identical; drawn sizes "
	       "outside the trace: %llu)\n",
	       tvd, (unsigned long long)outside);
	rc = 0;
out:
	as_size_hist_free(&h);
	as_size_hist_free(&drawn);
	as_dist_release(&d);
	return rc;
}
