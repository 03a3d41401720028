/* disturb.c - see disturb.h. */
#include "disturb.h"

#include <math.h>
#include <stdlib.h>

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

static double least(const double *v, int n)
{
	double m = NAN;
	for (int i = 0; i < n; i++)
		m = isnan(m) || v[i] < m ? v[i] : m;
	return m;
}

int as_disturb_ref(const as_trial_spec_t *specs, const as_trial_result_t *res, int n,
                   uint32_t threads, as_disturb_ref_t *ref)
{
	double *c = malloc(sizeof(double) * (size_t)(n ? n : 1));
	double *w = malloc(sizeof(double) * (size_t)(n ? n : 1));
	int nc = 0, nw = 0;
	ref->canary_ns = ref->wait_share = NAN;
	if (!c || !w) {
		free(c);
		free(w);
		return -1;
	}
	for (int i = 0; i < n; i++) {
		double s;
		if (specs[i].threads != threads || res[i].status != AS_OK)
			continue;
		if (res[i].v[AS_TC_canary_ns] > 0)
			c[nc++] = res[i].v[AS_TC_canary_ns];
		s = wait_share(&specs[i], &res[i]);
		if (!isnan(s))
			w[nw++] = s;
	}
	ref->canary_ns = least(c, nc);
	ref->wait_share = least(w, nw);
	free(c);
	free(w);
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
	s = wait_share(spec, r);
	return !isnan(s) && !isnan(ref->wait_share) && s > ref->wait_share + AS_DISTURB_WAIT;
}
