/* test_disturb_oom.c - the disturbed-trial rules under allocation failure:
 * every allocation as_disturbed_rules makes fails in turn (malloc and
 * calloc wrapped at link time), and each call returns -1 or 0 without a
 * crash, a leak or a double free. The first version of the sorted rules
 * freed its sets twice when one of them could not be made (a review,
 * under ASan). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../harness/disturb.h"
#include "check.h"

void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t k);
void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t n, size_t k);

static int fail_at = -1, calls; /* the fail_at-th allocation from now fails */

void *__wrap_malloc(size_t n)
{
	if (fail_at >= 0 && calls++ == fail_at)
		return NULL;
	return __real_malloc(n);
}

void *__wrap_calloc(size_t n, size_t k)
{
	if (fail_at >= 0 && calls++ == fail_at)
		return NULL;
	return __real_calloc(n, k);
}

int main(void)
{
	enum { G = 6, R = 4, N = G * R };
	static as_trial_spec_t s[N];
	static as_trial_rec_t r[N];
	unsigned char dist[N], rule[N], want[N], want_rule[N];
	int failed_calls = 0;

	for (int i = 0; i < N; i++) {
		s[i].trial = (uint32_t)(i % G);
		s[i].rep = (uint32_t)(i / G);
		s[i].threads = 1 + (uint32_t)(i % 2);
		r[i].status = AS_OK;
		for (int c = 0; c < AS_TRIAL_NCOLS; c++)
			r[i].v[c] = NAN;
		r[i].v[AS_TC_elapsed_ns] = 1e6 * (i % 5 == 0 ? 2 : 1);
		r[i].v[AS_TC_ns_per_op] = 10 * (i % 5 == 0 ? 2 : 1);
		r[i].v[AS_TC_wait_ns] = i % 7 == 0 ? 3e5 : 1e3;
		r[i].v[AS_TC_handoff_end_ns] = i % 3 == 0 ? 6400 : 150;
	}
	CHECK(as_disturbed_rules(s, r, N, want, want_rule) == 0);
	/* fail each allocation of a call in turn, until a call needs no more */
	for (int k = 0; k < 64; k++) {
		int rc;
		calls = 0;
		fail_at = k;
		rc = as_disturbed_rules(s, r, N, dist, rule);
		fail_at = -1;
		if (calls <= k) { /* no allocation failed: the whole answer */
			CHECK(rc == 0 && !memcmp(dist, want, N) && !memcmp(rule, want_rule, N));
			break;
		}
		CHECKF(rc == -1, "allocation %d failed, the call returned %d", k, rc);
		failed_calls++;
	}
	CHECKF(failed_calls >= 5, "only %d allocations to fail", failed_calls);
	return as_check_done();
}
