/* disturb.c - see disturb.h. */
#include "disturb.h"

#include <math.h>
#include <stdlib.h>

#include "stats.h"
#include "status.h"
#include "tables.h"

/* wait_ns per thread-ns of the timed region; the threads a trial ran on
 * are a trace's own where it has them, else -t */
static double wait_share(const as_trial_spec_t *s, const as_trial_result_t *r)
{
	double el = r->v[AS_TC_elapsed_ns], w = r->v[AS_TC_wait_ns];
	uint32_t threads = r->threads ? r->threads : s->threads;
	return isnan(w) || !(el > 0) || !threads ? NAN : w / (el * threads);
}

/* thread 0's time per series sample (the sampler's own /proc reads and
 * mincore, the same work in every repetition of a group), inside the timed
 * region: a canary spread over the trial; NaN without samples */
static double sample_cost(const as_trial_result_t *r)
{
	double ns = r->v[AS_TC_sampling_ns], k = r->v[AS_TC_samples];
	return isnan(ns) || !(k > 0) ? NAN : ns / k;
}

static double least(const double *v, int n)
{
	double m = NAN;
	for (int i = 0; i < n; i++)
		m = isnan(m) || v[i] < m ? v[i] : m;
	return m;
}

int as_disturb_ref(const as_trial_spec_t *specs, const as_trial_result_t *res, int n,
                   const as_trial_spec_t *group, as_disturb_ref_t *ref)
{
	size_t len = sizeof(double) * (size_t)(n ? n : 1);
	double *c = malloc(len), *w = malloc(len), *k = malloc(len);
	int nc = 0, nw = 0, nk = 0;
	ref->canary_ns = ref->wait_share = ref->sample_ns = NAN;
	if (!c || !w || !k) {
		free(c);
		free(w);
		free(k);
		return -1;
	}
	for (int i = 0; i < n; i++) {
		double x;
		if (specs[i].threads != group->threads || res[i].status != AS_OK)
			continue;
		if (res[i].v[AS_TC_canary_ns] > 0)
			c[nc++] = res[i].v[AS_TC_canary_ns];
		x = wait_share(&specs[i], &res[i]);
		if (!isnan(x))
			w[nw++] = x;
		x = sample_cost(&res[i]);
		if (specs[i].trial == group->trial && !isnan(x))
			k[nk++] = x;
	}
	ref->canary_ns = least(c, nc);
	ref->wait_share = least(w, nw);
	ref->sample_ns = as_median(k, nk);
	free(c);
	free(w);
	free(k);
	return 0;
}

int as_disturbed(const as_trial_spec_t *spec, const as_trial_result_t *r,
                 const as_disturb_ref_t *ref)
{
	double s;
	if (r->status != AS_OK)
		return 0;
	if (r->v[AS_TC_canary_ns] > 0 && ref->canary_ns > 0 &&
	    r->v[AS_TC_canary_ns] > AS_DISTURB_CANARY * ref->canary_ns)
		return 1;
	s = sample_cost(r);
	if (!isnan(s) && ref->sample_ns > 0 && s > AS_DISTURB_SAMPLE * ref->sample_ns)
		return 1;
	s = wait_share(spec, r);
	return !isnan(s) && !isnan(ref->wait_share) && s > ref->wait_share + AS_DISTURB_WAIT;
}
