/* disturb.c - see disturb.h. */
#include "disturb.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "stats.h"
#include "status.h"
#include "tables.h"

/* wait_ns per thread-ns of the timed region; the threads a trial ran on
 * are a trace's own where it has them, else -t */
static double wait_share(const as_dist_trial_t *r)
{
	double el = r->elapsed_ns, w = r->wait_ns;
	uint32_t threads = r->ran_threads;
	return isnan(w) || !(el > 0) || !threads ? NAN : w / (el * threads);
}

/* thread 0's time per series sample (the sampler's own /proc reads and
 * mincore, the same work in every repetition of a group), inside the timed
 * region: a canary spread over the trial; NaN with fewer than
 * AS_DISTURB_MIN_SAMPLES samples, and at more than one thread (disturb.h) */
static double sample_cost(const as_dist_trial_t *r)
{
	double ns = r->sampling_ns, k = r->samples;
	uint32_t threads = r->ran_threads;
	return isnan(ns) || !(k >= AS_DISTURB_MIN_SAMPLES) || threads != 1 ? NAN : ns / k;
}

/* threads 0 and 1's handoff round trip right after the timed region
 * (handoff.h); NaN at one thread or without an answer. The one before the
 * start is not judged: this VM's kernel packs new threads onto one vCPU
 * (sched_vcpu_pack), so it often times two threads sharing a CPU (about
 * 6.4 us) in a trial that then ran them apart at the usual speed. */
static double handoff(const as_dist_trial_t *r)
{
	double h = r->handoff_end_ns;
	uint32_t threads = r->ran_threads;
	return h > 0 && threads >= 2 ? h : NAN;
}

/* one pass of the op stream (after the first) took over AS_DISTURB_STALL x
 * the trial's median pass and AS_DISTURB_STALL_NS more than it, or (long
 * passes) over AS_DISTURB_STALL_LONG x and AS_DISTURB_STALL_LONG_NS more,
 * in a trial of at least 3 such passes; in a trial of 1 or 2 (its median
 * holds the stall) the longest over AS_DISTURB_STALL_GROUP x the group's
 * median pass (ref->pass_ns) and AS_DISTURB_STALL_LONG_NS more */
static int stalled(const as_dist_trial_t *r, const as_disturb_ref_t *ref)
{
	double mx = r->pass_ns_max, med = r->pass_ns_median;
	double passes = r->passes;
	if (passes >= 4 && med > 0)
		return (mx > AS_DISTURB_STALL * med && mx - med > AS_DISTURB_STALL_NS) ||
		       (mx > AS_DISTURB_STALL_LONG * med && mx - med > AS_DISTURB_STALL_LONG_NS);
	med = ref->pass_ns; /* too few passes for a median of its own */
	return passes >= 2 && med > 0 && mx > AS_DISTURB_STALL_GROUP * med &&
	       mx - med > AS_DISTURB_STALL_LONG_NS;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

/* The low end of the range [lo, lo x AS_DISTURB_HANDOFF] that holds the
 * most of v[0..n) (sorted in place); of equal ranges, the lowest. NaN when
 * n is 0. */
static double most_within(double *v, int n)
{
	int best = 0, bi = 0;
	qsort(v, (size_t)n, sizeof(*v), cmp_double);
	for (int i = 0, j = 0; i < n; i++) {
		while (j < n && v[j] <= v[i] * AS_DISTURB_HANDOFF)
			j++;
		if (j - i > best) {
			best = j - i;
			bi = i;
		}
	}
	return n ? v[bi] : NAN;
}

static double least(const double *v, int n)
{
	double m = NAN;
	for (int i = 0; i < n; i++)
		m = isnan(m) || v[i] < m ? v[i] : m;
	return m;
}

/* the wait share flags it (ref->wait_share set) */
static int waited(const as_dist_trial_t *r, const as_disturb_ref_t *ref)
{
	double w = wait_share(r);
	return !isnan(w) && !isnan(ref->wait_share) && w > ref->wait_share + AS_DISTURB_WAIT;
}

/* The parts of a reference that depend on the thread count alone: the
 * least wait share of the ok trials at that count, and the handoff range
 * of those the wait share does not flag. w, h: n doubles of scratch. */
static void ref_of_threads(const as_dist_trial_t *t, int n, uint32_t threads, double *w, double *h,
                           as_disturb_ref_t *ref)
{
	int nw = 0, nh = 0;
	for (int i = 0; i < n; i++) {
		double x;
		if (t[i].threads != threads || t[i].status != AS_OK)
			continue;
		x = wait_share(&t[i]);
		if (!isnan(x))
			w[nw++] = x;
	}
	ref->wait_share = least(w, nw);
	for (int i = 0; i < n; i++) {
		double x = handoff(&t[i]);
		if (t[i].threads == threads && t[i].status == AS_OK && !isnan(x) &&
		    !waited(&t[i], ref))
			h[nh++] = x;
	}
	ref->handoff_ns = most_within(h, nh);
}

/* The parts of the group's own: its least time per sample and its median
 * pass, over its ok trials at `threads` among mem[0..m) (indices into
 * specs/res) that the wait share (ref's, already set) does not flag. k: m
 * doubles of scratch. */
static void ref_of_group(const as_dist_trial_t *t, const int *mem, int m, uint32_t threads,
                         double *k, as_disturb_ref_t *ref)
{
	int nk = 0, np = 0;
	for (int q = 0; q < m; q++) {
		int i = mem[q];
		double x = sample_cost(&t[i]);
		if (t[i].threads == threads && t[i].status == AS_OK && !isnan(x) &&
		    !waited(&t[i], ref))
			k[nk++] = x;
	}
	ref->sample_ns = least(k, nk);
	for (int q = 0; q < m; q++) {
		int i = mem[q];
		double x = t[i].pass_ns_median;
		if (t[i].threads == threads && t[i].status == AS_OK && t[i].passes >= 2 && x > 0 &&
		    !waited(&t[i], ref))
			k[np++] = x;
	}
	ref->pass_ns = np >= AS_DISTURB_STALL_REF_MIN ? as_median(k, np) : NAN;
}

void as_dist_trial_of(const as_trial_spec_t *spec, const as_trial_rec_t *r, as_dist_trial_t *d)
{
	d->trial = spec->trial;
	d->rep = spec->rep;
	d->threads = spec->threads;
	d->ran_threads = as_trial_rec_threads(spec, r);
	d->status = r->status;
	d->workload = spec->workload ? spec->workload->name : NULL;
	d->workload_params = spec->workload ? spec->workload->params : NULL;
	d->elapsed_ns = r->v[AS_TC_elapsed_ns];
	d->wait_ns = r->v[AS_TC_wait_ns];
	d->sampling_ns = r->v[AS_TC_sampling_ns];
	d->samples = r->v[AS_TC_samples];
	d->handoff_end_ns = r->v[AS_TC_handoff_end_ns];
	d->pass_ns_max = r->v[AS_TC_pass_ns_max];
	d->pass_ns_median = r->v[AS_TC_pass_ns_median];
	d->passes = r->v[AS_TC_passes];
	d->ns_per_op = r->v[AS_TC_ns_per_op];
}

/* specs/res[0..n) as the rules read them: a new array, NULL when out of
 * memory */
static as_dist_trial_t *trials_of(const as_trial_spec_t *specs, const as_trial_rec_t *res, int n)
{
	as_dist_trial_t *t = malloc(sizeof(*t) * (size_t)(n > 0 ? n : 1));
	for (int i = 0; t && i < n; i++)
		as_dist_trial_of(&specs[i], &res[i], &t[i]);
	return t;
}

int as_disturb_ref(const as_trial_spec_t *specs, const as_trial_rec_t *res, int n,
                   const as_trial_spec_t *group, as_disturb_ref_t *ref)
{
	size_t len = sizeof(double) * (size_t)(n ? n : 1);
	double *w = malloc(len), *h = malloc(len);
	int *mem = malloc(sizeof(int) * (size_t)(n ? n : 1)), m = 0;
	as_dist_trial_t *t = trials_of(specs, res, n);
	ref->wait_share = ref->sample_ns = ref->handoff_ns = ref->pass_ns = NAN;
	if (!w || !h || !mem || !t) {
		free(w);
		free(h);
		free(mem);
		free(t);
		return -1;
	}
	ref_of_threads(t, n, group->threads, w, h, ref);
	for (int i = 0; i < n; i++)
		if (t[i].trial == group->trial)
			mem[m++] = i;
	ref_of_group(t, mem, m, group->threads, w, ref);
	free(w);
	free(h);
	free(mem);
	free(t);
	return 0;
}

/* where the trial's CPUs were at its end against the run's placement:
 * PLACED_IN within [lo, AS_DISTURB_HANDOFF x lo], PLACED_OUT outside it,
 * PLACED_NA not judged (one thread, no answer, no reference) */
enum { PLACED_NA = 0, PLACED_IN, PLACED_OUT };
static int placed(const as_dist_trial_t *r, const as_disturb_ref_t *ref)
{
	double s = handoff(r);
	if (isnan(s) || !(ref->handoff_ns > 0))
		return PLACED_NA;
	return s < ref->handoff_ns || s > AS_DISTURB_HANDOFF * ref->handoff_ns ? PLACED_OUT
	                                                                       : PLACED_IN;
}

/* the first AS_RULE_* of one trial's own figures that takes it, or
 * AS_RULE_NONE */
static int trial_rule(const as_dist_trial_t *r, const as_disturb_ref_t *ref)
{
	double s;
	if (r->status != AS_OK)
		return AS_RULE_NONE;
	if (waited(r, ref))
		return AS_RULE_WAIT;
	if (stalled(r, ref))
		return AS_RULE_STALL;
	if (placed(r, ref) == PLACED_OUT)
		return AS_RULE_PLACEMENT;
	s = sample_cost(r);
	return !isnan(s) && ref->sample_ns > 0 && s > AS_DISTURB_SAMPLE * ref->sample_ns
	           ? AS_RULE_SAMPLE
	           : AS_RULE_NONE;
}

int as_disturbed(const as_trial_spec_t *spec, const as_trial_rec_t *r, const as_disturb_ref_t *ref)
{
	as_dist_trial_t d;
	as_dist_trial_of(spec, r, &d);
	return trial_rule(&d, ref) != AS_RULE_NONE;
}

const char *as_disturb_rule_name(int rule)
{
	static const char *const names[AS_RULE_COUNT] = {
	    "", "wait", "stall", "placement", "sample", "round-placement", "round"};
	return rule > 0 && rule < AS_RULE_COUNT ? names[rule] : "";
}

/* trial i is set AS_DIST_OUT by RULE: kept as the first rule that took it */
static void take(unsigned char *dist, unsigned char *rule, int i, int why)
{
	if (dist[i] == AS_DIST_NO)
		rule[i] = (unsigned char)why;
	dist[i] = AS_DIST_OUT;
}

static int same_workload(const as_dist_trial_t *a, const as_dist_trial_t *b)
{
	if (!a->workload || !b->workload)
		return !a->workload == !b->workload;
	return (a->workload == b->workload || !strcmp(a->workload, b->workload)) &&
	       (a->workload_params == b->workload_params ||
	        !strcmp(a->workload_params, b->workload_params));
}

/* trials i and j are of one group: one trial of the matrix (its rows read
 * back from trials.csv carry the threads each ran on: a trace's own, or -t
 * for one that failed before it said; the group's first row sets the
 * reference's thread count) */
static int same_group(const as_dist_trial_t *t, int i, int j)
{
	return t[j].trial == t[i].trial;
}

/* trials i and j are of one round: the same workload, thread count and
 * repetition (the modules' trials of a repetition run back to back) */
static int same_round(const as_dist_trial_t *t, int i, int j)
{
	return t[j].rep == t[i].rep && t[j].ran_threads == t[i].ran_threads &&
	       same_workload(&t[j], &t[i]);
}

/* qsort's context for the two orders below: the parent's one thread */
static const as_dist_trial_t *cmp_trials;

static int cmp_index(int a, int b)
{
	return (a > b) - (a < b);
}

/* groups together, each in the order its trials ran */
static int cmp_group(const void *pa, const void *pb)
{
	int a = *(const int *)pa, b = *(const int *)pb;
	const as_dist_trial_t *x = &cmp_trials[a], *y = &cmp_trials[b];
	if (x->trial != y->trial)
		return x->trial < y->trial ? -1 : 1;
	return cmp_index(a, b);
}

/* rounds together, each in the order its trials ran */
static int cmp_round(const void *pa, const void *pb)
{
	int a = *(const int *)pa, b = *(const int *)pb, c;
	const as_dist_trial_t *x = &cmp_trials[a], *y = &cmp_trials[b];
	uint32_t tx = x->ran_threads, ty = y->ran_threads;
	if (x->rep != y->rep)
		return x->rep < y->rep ? -1 : 1;
	if (tx != ty)
		return tx < ty ? -1 : 1;
	if (!x->workload != !y->workload)
		return x->workload ? 1 : -1;
	if (x->workload && ((c = strcmp(x->workload, y->workload)) != 0 ||
	                    (c = strcmp(x->workload_params, y->workload_params)) != 0))
		return c;
	return cmp_index(a, b);
}

/* The trials of specs[0..n) in sets of one key (groups or rounds), each
 * set in the order its trials ran: set r is by[at[r]..at[r + 1]). Sorted
 * once, so that the rules cost O(n log n): -r auto asks them again after
 * every trial, and scanning the run for each group made a run of 100
 * groups x 30 repetitions spend 13.9 s in them, 1.1 s sorted
 * (bench/disturb_cost). */
typedef struct {
	int *by, *at, nsets;
} sets_t;

static void sets_free(sets_t *t)
{
	free(t->by);
	free(t->at);
	t->by = t->at = NULL;
}

static int sets_make(const as_dist_trial_t *trials, int n, int (*cmp)(const void *, const void *),
                     int (*same)(const as_dist_trial_t *, int, int), sets_t *t)
{
	size_t cnt = (size_t)(n > 0 ? n : 0) + 1;
	t->by = malloc(sizeof(int) * cnt);
	t->at = malloc(sizeof(int) * cnt);
	t->nsets = 0;
	if (!t->by || !t->at) {
		sets_free(t);
		return -1;
	}
	for (int i = 0; i < n; i++)
		t->by[i] = i;
	cmp_trials = trials;
	qsort(t->by, (size_t)(n > 0 ? n : 0), sizeof(int), cmp);
	for (int q = 0; q < n; q++)
		if (q == 0 || !same(trials, t->by[q - 1], t->by[q]))
			t->at[t->nsets++] = q;
	t->at[t->nsets] = n > 0 ? n : 0;
	return 0;
}

/* an ok trial's ns/op (NaN: none) */
static double round_value(const as_dist_trial_t *r)
{
	double v = r->ns_per_op;
	return r->status == AS_OK && v > 0 ? v : NAN;
}

/* how far round x[0..k) moved (disturb.h AS_DISTURB_ROUND_MIN): the
 * median of its trials' ratios, or of two the one nearer 1 when both lie
 * on one side of it (else 1: the two moved apart); y is scratch */
static double round_factor(const double *x, double *y, int k)
{
	if (k > 2)
		return as_median(memcpy(y, x, sizeof(double) * (size_t)k), k);
	if ((x[0] > 1) != (x[1] > 1))
		return 1;
	return fabs(log(x[0])) < fabs(log(x[1])) ? x[0] : x[1];
}

/* AS_DISTURB_ROUND (disturb.h): in the rounds whose modules moved
 * together, the trials that moved with the round are set AS_DIST_OUT in
 * dist. Each group's median is over what dist kept before; a round is
 * every ok trial of it, those dist left out too (they are the machine's
 * spell as much as the rest). x, y, med: n doubles of scratch; in: n ints. */
static void rounds(const as_dist_trial_t *res, const sets_t *groups, const sets_t *rnds,
                   unsigned char *dist, unsigned char *rule, double *med, double *x, double *y,
                   int *in)
{
	for (int g = 0; g < groups->nsets; g++) {
		int k = 0;
		double m;
		for (int q = groups->at[g]; q < groups->at[g + 1]; q++) {
			int j = groups->by[q];
			double v = round_value(&res[j]);
			if (dist[j] == AS_DIST_NO && !isnan(v))
				x[k++] = v;
		}
		m = k ? as_median(x, k) : NAN;
		for (int q = groups->at[g]; q < groups->at[g + 1]; q++)
			med[groups->by[q]] = m;
	}
	for (int r = 0; r < rnds->nsets; r++) {
		int k = 0;
		double f;
		for (int q = rnds->at[r]; q < rnds->at[r + 1]; q++) {
			int j = rnds->by[q];
			double v = round_value(&res[j]);
			if (isnan(v) || !(med[j] > 0))
				continue;
			in[k] = j;
			x[k++] = v / med[j];
		}
		if (k < AS_DISTURB_ROUND_MIN)
			continue;
		f = round_factor(x, y, k);
		/* dist is not read past the medians: taking now is taking
		 * after every round is judged */
		for (int m = 0; m < k; m++)
			if ((f > AS_DISTURB_ROUND && x[m] > AS_DISTURB_ROUND) ||
			    (f < 1 / AS_DISTURB_ROUND && x[m] < 1 / AS_DISTURB_ROUND))
				take(dist, rule, in[m], AS_RULE_ROUND);
	}
}

/* "A round in two placements" (disturb.h): every ok trial of a round
 * whose trials ended in two placements (place[], PLACED_*) is set
 * AS_DIST_OUT. */
static void placement_rounds(const as_dist_trial_t *res, const sets_t *rnds,
                             const unsigned char *place, unsigned char *dist, unsigned char *rule)
{
	for (int r = 0; r < rnds->nsets; r++) {
		int in = 0, out = 0;
		for (int q = rnds->at[r]; q < rnds->at[r + 1]; q++) {
			in |= place[rnds->by[q]] == PLACED_IN;
			out |= place[rnds->by[q]] == PLACED_OUT;
		}
		for (int q = rnds->at[r]; q < rnds->at[r + 1] && in && out; q++)
			if (res[rnds->by[q]].status == AS_OK)
				take(dist, rule, rnds->by[q], AS_RULE_ROUND_PLACEMENT);
	}
}

int as_disturbed_set(const as_trial_spec_t *specs, const as_trial_rec_t *res, int n,
                     unsigned char *dist)
{
	return as_disturbed_rules(specs, res, n, dist, NULL);
}

/* A reference's thread-count parts, computed once per thread count: a
 * run has a few. */
typedef struct {
	uint32_t threads;
	double wait_share, handoff_ns;
} thread_ref_t;

static void ref_for(const as_dist_trial_t *t, int n, uint32_t threads, thread_ref_t *cache,
                    int *ncache, double *w, double *h, as_disturb_ref_t *ref)
{
	int c = 0;
	while (c < *ncache && cache[c].threads != threads)
		c++;
	if (c == *ncache) {
		ref_of_threads(t, n, threads, w, h, ref);
		cache[c] = (thread_ref_t){threads, ref->wait_share, ref->handoff_ns};
		++*ncache;
	}
	ref->wait_share = cache[c].wait_share;
	ref->handoff_ns = cache[c].handoff_ns;
}

int as_disturbed_rules(const as_trial_spec_t *specs, const as_trial_rec_t *res, int n,
                       unsigned char *dist, unsigned char *rule_out)
{
	as_dist_trial_t *t = trials_of(specs, res, n);
	int rc = t ? as_disturbed_trials(t, n, dist, rule_out) : -1;
	free(t);
	return rc;
}

int as_disturbed_trials(const as_dist_trial_t *res, int n, unsigned char *dist,
                        unsigned char *rule_out)
{
	size_t cnt = (size_t)(n > 0 ? n : 0) + 1;
	unsigned char *place = calloc(cnt, 1);
	unsigned char *rule = rule_out ? rule_out : calloc(cnt, 1);
	double *a = malloc(sizeof(double) * cnt), *b = malloc(sizeof(double) * cnt);
	double *c = malloc(sizeof(double) * cnt);
	int *in = malloc(sizeof(int) * cnt);
	thread_ref_t *cache = malloc(sizeof(thread_ref_t) * cnt);
	sets_t groups = {0}, rnds = {0};
	int ncache = 0, rc = -1;

	if (!place || !rule || !a || !b || !c || !in || !cache ||
	    sets_make(res, n, cmp_group, same_group, &groups) != 0 ||
	    sets_make(res, n, cmp_round, same_round, &rnds) != 0)
		goto out;
	memset(dist, AS_DIST_NO, (size_t)(n > 0 ? n : 0));
	memset(rule, AS_RULE_NONE, (size_t)(n > 0 ? n : 0));
	for (int g = 0; g < groups.nsets; g++) {
		const int *mem = groups.by + groups.at[g];
		int m = groups.at[g + 1] - groups.at[g];
		as_disturb_ref_t ref;
		ref.wait_share = ref.sample_ns = ref.handoff_ns = ref.pass_ns = NAN;
		ref_for(res, n, res[mem[0]].threads, cache, &ncache, a, b, &ref);
		ref_of_group(res, mem, m, res[mem[0]].threads, a, &ref);
		for (int q = 0; q < m; q++) {
			int j = mem[q];
			if (res[j].status != AS_OK)
				continue;
			rule[j] = (unsigned char)trial_rule(&res[j], &ref);
			dist[j] = rule[j] != AS_RULE_NONE ? AS_DIST_OUT : AS_DIST_NO;
			if (!waited(&res[j], &ref))
				place[j] = (unsigned char)placed(&res[j], &ref);
		}
	}
	placement_rounds(res, &rnds, place, dist, rule);
	rounds(res, &groups, &rnds, dist, rule, a, b, c, in);
	/* a group with fewer than AS_DISTURB_MIN_KEPT undisturbed keeps all */
	for (int g = 0; g < groups.nsets; g++) {
		int kept = 0;
		for (int q = groups.at[g]; q < groups.at[g + 1]; q++) {
			int j = groups.by[q];
			kept += res[j].status == AS_OK && dist[j] == AS_DIST_NO;
		}
		for (int q = groups.at[g]; q < groups.at[g + 1] && kept < AS_DISTURB_MIN_KEPT; q++)
			if (dist[groups.by[q]] == AS_DIST_OUT)
				dist[groups.by[q]] = AS_DIST_KEPT;
	}
	rc = 0;
out:
	sets_free(&groups);
	sets_free(&rnds);
	free(place);
	if (rule != rule_out)
		free(rule);
	free(a);
	free(b);
	free(c);
	free(in);
	free(cache);
	return rc;
}

void as_machine(const as_trial_spec_t *specs, const as_trial_rec_t *res, int n,
                const unsigned char *dist, as_machine_t *m)
{
	as_dist_trial_t *t = trials_of(specs, res, n);
	if (t)
		as_machine_trials(t, n, dist, m);
	else
		*m = (as_machine_t){0, NAN, 0, NAN, NAN}; /* out of memory: unknown */
	free(t);
}

void as_machine_trials(const as_dist_trial_t *res, int n, const unsigned char *dist,
                       as_machine_t *m)
{
	size_t len = sizeof(double) * (size_t)(n > 0 ? n : 1);
	double *h = malloc(len), *hk = malloc(len);
	int dis = 0, nh = 0, nk = 0;
	m->one_thread_trials = m->multi_thread_trials = 0;
	for (int i = 0; i < n; i++) {
		double x = res[i].handoff_end_ns;
		if (res[i].status != AS_OK)
			continue;
		if (res[i].ran_threads == 1) {
			m->one_thread_trials++;
			dis += dist[i] != AS_DIST_NO;
			continue;
		}
		m->multi_thread_trials++;
		if (x > 0 && h && hk) {
			h[nh++] = x;
			if (dist[i] != AS_DIST_OUT)
				hk[nk++] = x;
		}
	}
	m->noisy_share =
	    m->one_thread_trials >= AS_NOISY_MIN_TRIALS ? (double)dis / m->one_thread_trials : NAN;
	m->handoff_end_ns_median = nh ? as_median(h, nh) : NAN;
	m->handoff_end_ns_median_kept = nk ? as_median(hk, nk) : NAN;
	free(h);
	free(hk);
}
