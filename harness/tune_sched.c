/* tune_sched.c - see tune_sched.h. */
#define _GNU_SOURCE
#include "tune_sched.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "reporter.h"
#include "status.h"
#include "tables.h"
#include "util.h"

int as_tune_sched_init(as_tune_sched_t *s, int nconf, int reps, double budget_s, uint64_t t0_ns)
{
	memset(s, 0, sizeof(*s));
	s->budget_s = budget_s;
	s->t0_ns = t0_ns;
	s->nconf = nconf;
	s->last = -1;
	s->checked_round = -1;
	s->stop_round = -1;
	for (int k = 0; k < nconf; k++) {
		s->beaten_by[k] = -1;
		s->pts[k].time_ns = calloc((size_t)reps, sizeof(double));
		s->pts[k].rss_kib = calloc((size_t)reps, sizeof(double));
		s->pts[k].start_s = calloc((size_t)reps, sizeof(double));
		s->growth[k] = calloc((size_t)reps, sizeof(double));
		if (!s->pts[k].time_ns || !s->pts[k].rss_kib || !s->pts[k].start_s ||
		    !s->growth[k]) {
			as_tune_sched_free(s);
			return -1;
		}
	}
	return 0;
}

void as_tune_sched_free(as_tune_sched_t *s)
{
	for (int k = 0; k < s->nconf; k++) {
		free(s->pts[k].time_ns);
		free(s->pts[k].rss_kib);
		free(s->pts[k].start_s);
		free(s->growth[k]);
		s->pts[k].time_ns = s->pts[k].rss_kib = s->pts[k].start_s = s->growth[k] = NULL;
	}
}

/* Read the trials done since the last call into the samples, and charge
 * the wall time since the last call to the trial that ran in it. */
static void catch_up(as_tune_sched_t *s, const as_run_t *run, int w, uint64_t now)
{
	if (s->last >= 0) {
		s->wall_s[s->last] += (double)(now - s->last_ns) / 1e9;
		s->runs[s->last]++;
		s->last = -1;
	}
	for (; s->consumed < w; s->consumed++) {
		const as_trial_rec_t *r = &run->res[s->consumed];
		uint32_t k = run->specs[s->consumed].trial;
		double t = r->v[AS_TC_elapsed_ns],
		       rss = r->v[AS_TC_rss_peak_kib] - r->v[AS_TC_rss_before_kib];
		as_tune_point_t *p = &s->pts[k];
		if ((int)k >= s->nconf || r->status != AS_OK || isnan(t) || isnan(rss) ||
		    p->n >= (int)run->cfg->reps)
			continue;
		p->module = (char *)run->cfg->modules[k].name; /* not owned */
		p->start_s[p->n] = r->v[AS_TC_module_start_rss_kib];
		p->time_ns[p->n] = t;
		s->growth[k][p->n++] = rss;
	}
	/* RSS as as_tune_points has it: growth plus the allocator's start-up,
	 * which the baseline's new samples may have moved */
	as_tune_starts(s->pts, s->nconf, s->base);
	for (int k = 0; k < s->nconf; k++)
		for (int j = 0; j < s->pts[k].n; j++)
			s->pts[k].rss_kib[j] = s->growth[k][j] + s->pts[k].start_kib;
}

/* The budget's verdict on a trial of round `round`: 1 stops it (and the
 * rest of the run). */
static int over_budget(as_tune_sched_t *s, int round, double elapsed)
{
	double est = 0;
	if (s->budget_s <= 0 || round < AS_TUNE_MIN_ROUNDS)
		return 0;
	if (s->stop_round >= 0 && round >= s->stop_round)
		return 1;
	if (round > s->checked_round) {
		/* a new round: does it fit? */
		s->checked_round = round;
		for (int k = 0; k < s->nconf; k++)
			if (s->beaten_by[k] < 0 && s->runs[k] > 0)
				est += s->wall_s[k] / s->runs[k];
	}
	if (elapsed + est <= s->budget_s)
		return 0;
	s->stop_round = round;
	s->stop_elapsed_s = elapsed;
	s->stop_estimate_s = est;
	return 1;
}

int as_tune_sched_drop(void *vs, const struct as_run *run, int w, int i)
{
	as_tune_sched_t *s = vs;
	uint64_t now = as_now_ns();
	int k = (int)run->specs[i].trial, round = (int)run->specs[i].rep;
	catch_up(s, run, w, now);
	if (k >= s->nconf || s->beaten_by[k] >= 0 ||
	    over_budget(s, round, (double)(now - s->t0_ns) / 1e9))
		return 1;
	if (k != s->base && (s->beaten_by[k] = as_tune_beaten_by(s->pts, s->nconf, k)) >= 0)
		return 1;
	s->last = k;
	s->last_ns = now;
	return 0;
}
