/* disturb_cost.c - what the disturbed-trial rules (harness/disturb.c) cost
 * the parent of a -r auto run, which asks them again after every trial
 * over the trials done so far: one call over a whole run of G groups x R
 * repetitions, and the calls of the run summed (one per trial). Synthetic
 * trials (every rule's inputs filled, about a tenth of them slow); the
 * figures are the rules' own CPU time, not a trial's.
 * usage: disturb_cost [G R]...   (default: 20 10  100 10  100 30) */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "../harness/disturb.h"

static double now_s(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static void measure(int groups, int reps)
{
	int n = groups * reps;
	as_trial_spec_t *s = calloc((size_t)n, sizeof(*s));
	as_trial_rec_t *r = calloc((size_t)n, sizeof(*r));
	unsigned char *d = malloc((size_t)n);
	double t0, t1, t2;
	if (!s || !r || !d) {
		fprintf(stderr, "disturb_cost: out of memory\n");
		exit(1);
	}
	srand(1);
	for (int i = 0; i < n; i++) {
		double slow = rand() % 10 == 0 ? 1.5 : 1 + 0.01 * (rand() % 10);
		s[i].trial = (uint32_t)(i % groups);
		s[i].rep = (uint32_t)(i / groups);
		s[i].threads = 1;
		r[i].status = AS_OK;
		for (int c = 0; c < AS_TRIAL_NCOLS; c++)
			r[i].v[c] = NAN;
		r[i].v[AS_TC_elapsed_ns] = 1e6 * slow;
		r[i].v[AS_TC_ops] = 1e5;
		r[i].v[AS_TC_ns_per_op] = 10 * slow;
		r[i].v[AS_TC_wait_ns] = 1000;
		r[i].v[AS_TC_sampling_ns] = 1e4 * slow;
		r[i].v[AS_TC_samples] = 100;
		r[i].v[AS_TC_passes] = 1;
	}
	t0 = now_s();
	as_disturbed_set(s, r, n, d);
	t1 = now_s();
	for (int w = 1; w <= n; w++)
		as_disturbed_set(s, r, w, d);
	t2 = now_s();
	printf("%4d groups x %2d reps = %5d trials: one call %8.3f ms; a -r auto run's calls %7.3f "
	       "s\n",
	       groups, reps, n, (t1 - t0) * 1e3, t2 - t1);
	free(s);
	free(r);
	free(d);
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		measure(20, 10);
		measure(100, 10);
		measure(100, 30);
		return 0;
	}
	for (int a = 1; a + 1 < argc; a += 2)
		measure(atoi(argv[a]), atoi(argv[a + 1]));
	return 0;
}
