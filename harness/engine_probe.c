/* engine_probe.c - the engine's measurements around the timed region,
 * per thread and outside it: the latency calibration (the cost of timing
 * an empty op, and the clock's step), the canary and the run-queue wait
 * (engine_int.h). What they time runs through the op loop (engine.c) or
 * beside it; engine_run.c calls them before the start barrier and after
 * the end one. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine_int.h"
#include "timer.h"
#include "util.h"

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

void as_eng_canary(thread_ctx_t *c)
{
	uint64_t x = 0x9e3779b97f4a7c15ULL + c->t, t0 = as_now_ns();
	for (uint32_t i = 0; i < CANARY_ITERS; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		c->canary_tab[x % CANARY_TAB] += x;
	}
	c->canary_ns += as_now_ns() - t0;
	__asm__ volatile("" : : "r"(c->canary_tab) : "memory"); /* the table is kept */
}

/* The calling thread's time spent runnable but not running (the second
 * field of /proc/thread-self/schedstat, the scheduler's run_delay), or
 * UINT64_MAX when the kernel does not say. Read with open/read on the stack:
 * no allocation, outside the timed region. */
static uint64_t run_delay_ns(void)
{
	char buf[96];
	ssize_t n;
	int fd = open("/proc/thread-self/schedstat", O_RDONLY | O_CLOEXEC);
	const char *p;
	if (fd < 0)
		return UINT64_MAX;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return UINT64_MAX;
	buf[n] = 0;
	p = strchr(buf, ' ');
	return p ? strtoull(p + 1, NULL, 10) : UINT64_MAX;
}

void as_eng_wait_begin(thread_ctx_t *c)
{
	c->wait0_ns = run_delay_ns();
}

/* After the end barrier: how long this thread waited for a CPU since
 * before the start barrier. */
void as_eng_wait_end(thread_ctx_t *c)
{
	uint64_t now = run_delay_ns();
	c->wait_ns = c->wait0_ns == UINT64_MAX || now == UINT64_MAX || now < c->wait0_ns
	                 ? UINT64_MAX
	                 : now - c->wait0_ns;
}

/* n empty ops: frees of thread c's spare slot, which never call the module
 * (the op loop's warm-up and the latency calibration run these) */
void as_eng_empty_ops(const thread_ctx_t *c, as_op_t *ops, uint32_t n)
{
	for (uint32_t k = 0; k < n; k++)
		ops[k] =
		    (as_op_t){AS_OP_FREE, 0, 0, c->s->nslots + (uint32_t)SPARE_STRIDE * c->t, 0};
}

#define LAT_CAL_OPS   255 /* timed empty ops of the calibration */
#define LAT_CAL_LEN   512 /* its stream, run as often as it takes */
#define LAT_CAL_EVERY 64  /* at most one op in this many timed */

/* Before the clock starts: the clock's step (smallest non-zero difference
 * of back-to-back reads) and the cost of timing an empty op, measured by
 * the op loop itself (as_eng_run_loop and its timed chunk, so the same path: the
 * histogram record and, with --latency 1, everything between two ops' clock
 * reads) on a stream of frees of the thread's spare slot, which never call
 * the module: the median over LAT_CAL_OPS timed ops, recorded raw (no
 * subtraction, step 1 tick; the histogram is exact below 256 ticks) in the
 * free histogram, which is emptied after. Sampled latency is calibrated
 * with at most one op in LAT_CAL_EVERY timed, so a large N does not make
 * it long. Every recorded latency has that cost subtracted. */
void as_eng_lat_prepare(thread_ctx_t *c)
{
	const as_engine_cfg_t *cfg = c->cfg;
	as_lat_t *l = &c->lat;
	as_op_t ops[LAT_CAL_LEN];
	as_opthread_t th = {.ops = ops, .nops = LAT_CAL_LEN};
	uint64_t step = 0, seed = 0x9e3779b97f4a7c15ULL ^ c->t;
	as_hist_t *h;

	memset(l, 0, sizeof(*l));
	l->h = as_eng_hists(c->t);
	h = &l->h[AS_OP_FREE];
	/* the counter's resolution: the lowest bit any of its values sets
	 * (2 ticks, 0.95 ns, on a VM here; 1 on bare metal), not the
	 * smallest gap of back-to-back reads, which is the cost of a read
	 * (28-38 ticks here): rounded to that, every value was 0, 1 or 2
	 * steps of 15 ns, and a p50 0 in one repetition and 14.3 ns in the
	 * next (an outside review) */
	for (int k = 0; k < 1000; k++)
		step |= as_ticks();
	step = step & (~step + 1);
	as_eng_empty_ops(c, ops, LAT_CAL_LEN);
	l->every = cfg->latency_every < LAT_CAL_EVERY ? cfg->latency_every : LAT_CAL_EVERY;
	l->chained = l->every == 1;
	l->gap = as_fastmod_init(2 * l->every - 1);
	l->jit = seed;
	l->res = 1;
	l->step = as_fastmod_init(1);
	while (h->total < LAT_CAL_OPS)
		as_eng_run_loop(c, &th, 0, 0, 1, 0);
	l->cal = as_hist_quantile(h, 0.5);
	l->res = step ? step : 1;
	l->step = as_fastmod_init(l->res);
	if (l->chained) {
		/* A touching alloc's writes are left out of the next op's
		 * interval by starting it after them, less what cal holds of
		 * that stretch: the record and the read after it, beyond a
		 * bare back-to-back read's gap. Restarted at the read alone, the
		 * op after every touching alloc lost the record (bump's free
		 * p50 read 0 with touch=first, 1-2 ns without: a review). */
		uint64_t rec[LAT_CAL_OPS], bare[LAT_CAL_OPS];
		for (int k = 0; k < LAT_CAL_OPS; k++) {
			uint64_t t1 = as_ticks(), t2;
			as_hist_record(h, as_lat_net(l, t1 - l->prev));
			l->prev = t1;
			t2 = as_ticks();
			rec[k] = t2 - t1;
			t1 = as_ticks();
			bare[k] = as_ticks() - t1;
		}
		qsort(rec, LAT_CAL_OPS, sizeof(rec[0]), cmp_u64);
		qsort(bare, LAT_CAL_OPS, sizeof(bare[0]), cmp_u64);
		l->resume = rec[LAT_CAL_OPS / 2] > bare[LAT_CAL_OPS / 2]
		                ? rec[LAT_CAL_OPS / 2] - bare[LAT_CAL_OPS / 2]
		                : 0;
	}
	memset(h, 0, sizeof(*h));
	l->every = cfg->latency_every;
	l->chained = l->every == 1;
	l->gap = as_fastmod_init(2 * l->every - 1);
	l->jit = seed; /* the run times the same ops as without calibration */
	c->done = c->posted = 0;
	c->end_ns = 0;
}
