/* test_pass_time.c - with --min-time the engine reports its longest pass
 * after the first and the median one (pass_ns_max, pass_ns_median in
 * trials.csv), so a stall of one pass shows beside the passes around it
 * (docs/measure.md, "Two threads: a stall in one pass"). A module one of
 * whose calls sleeps: in pass 3 it is in the longest pass and not the
 * median; a longer one in pass 0 (the samples' and first faults' pass, left
 * out) is in neither; one pass alone gives no figure. It does not build before
 * the engine reported them (no pass_ns_max in as_engine_result_t). */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../workloads/workload.h"
#include "check.h"
#include "engine.h"

/* the sleeps are sized from one pass's time (p, measured first: ASan's
 * allocator under load made a pass 70 ms against the plain build's 0.04):
 * 10 p or 50 ms in pass 3, twice that or 200 ms in pass 0 */
#define STALL_MIN_NS  50000000ULL
#define STALL0_MIN_NS 200000000ULL

static _Atomic uint64_t calls;
static uint64_t stall_at; /* the module call that sleeps */
static uint64_t stall_ns; /* for so long */

/* every module call counts; the stall_at-th sleeps */
static void call(void)
{
	if (atomic_fetch_add_explicit(&calls, 1, memory_order_relaxed) + 1 == stall_at) {
		struct timespec ts = {(time_t)(stall_ns / 1000000000ULL),
		                      (long)(stall_ns % 1000000000ULL)};
		nanosleep(&ts, NULL);
	}
}

static void *stall_alloc(void *inst, size_t size, size_t align)
{
	(void)inst;
	(void)align;
	call();
	return malloc(size ? size : 1);
}

static void stall_free(void *inst, void *p, size_t size)
{
	(void)inst;
	(void)size;
	call();
	free(p);
}

static const as_module_t stalling = {
    .abi_version = AS_MODULE_ABI_VERSION,
    .struct_size = sizeof(as_module_t),
    .name = "stalling",
    .version = "1",
    .caps = AS_CAP_FREE | AS_CAP_THREAD_SAFE,
    .alloc = stall_alloc,
    .free = stall_free,
};

static as_engine_result_t run(const as_opstream_t *s, uint64_t min_time_ns, uint64_t at,
                              uint64_t ns)
{
	as_engine_cfg_t cfg;
	as_engine_result_t res;
	memset(&cfg, 0, sizeof(cfg));
	cfg.mod = &stalling;
	cfg.min_time_ns = min_time_ns;
	atomic_store(&calls, 0);
	stall_at = at;
	stall_ns = ns;
	CHECK(as_engine_run(s, &cfg, &res) == 0);
	CHECK(res.status == AS_OK);
	printf("min_time %.0f ms, stall at call %llu: passes %llu, elapsed %.1f ms, longest pass "
	       "after the first %.2f ms, median %.3f ms, run-queue wait %.1f ms\n",
	       min_time_ns / 1e6, (unsigned long long)at, (unsigned long long)res.passes,
	       res.elapsed_ns / 1e6, res.pass_ns_max / 1e6, res.pass_ns_median / 1e6,
	       res.wait_ns == UINT64_MAX ? -1.0 : res.wait_ns / 1e6);
	return res;
}

int main(void)
{
	static char pbuf[AS_WL_PARAMS_MAX];
	char err[256];
	const as_workload_t *wl;
	as_wl_ctx_t wctx = {1, 1};
	as_opstream_t s;
	as_engine_result_t r;
	uint64_t per_pass;

	as_opstream_init(&s, 1);
	CHECK(as_workload_parse("larson:blocks=100,ops=2000", &wl, pbuf, sizeof(pbuf), err,
	                        sizeof(err)) == 0);
	CHECK(wl->build(pbuf, &wctx, &s, err, sizeof(err)) == 0);
	CHECK(as_engine_prepare(&s) == 0);
	per_pass = as_opstream_total(&s); /* one module call per op */

	/* one pass (no --min-time): no pass figures; its time sizes the rest */
	r = run(&s, 0, 0, 0);
	CHECK(r.passes == 1);
	CHECK(r.pass_ns_max == 0 && r.pass_ns_median == 0);
	uint64_t p = r.elapsed_ns;
	uint64_t stall = 10 * p > STALL_MIN_NS ? 10 * p : STALL_MIN_NS;
	uint64_t more = 13 * p > 30000000ULL ? 13 * p : 30000000ULL; /* passes after */
	uint64_t stall0 = 2 * stall > STALL0_MIN_NS ? 2 * stall : STALL0_MIN_NS;

	/* the sleep in pass 3, then passes for 13 p or 30 ms more: in the
	 * longest pass, not the median */
	r = run(&s, stall + more, 3 * per_pass + 10, stall);
	CHECK(r.passes >= 5);
	CHECK(r.pass_ns_max >= stall);
	CHECK(r.pass_ns_median * 3 < r.pass_ns_max);
	CHECK(r.pass_ns_median > 0);

	/* a longer sleep in pass 0: in neither. A pass after the first can
	 * last that long only by waiting for a CPU about as long, which the
	 * run's whole run-queue wait rules out when it is shorter */
	r = run(&s, stall0 + (more > 200000000ULL ? more : 200000000ULL), 10, stall0);
	CHECK(r.passes >= 2);
	CHECK(r.pass_ns_median > 0);
	if (r.wait_ns != UINT64_MAX && r.wait_ns + p < stall0)
		CHECK(r.pass_ns_max < stall0);
	else
		printf("note: the run waited for a CPU that long; pass 0 not judged\n");

	as_opstream_free(&s);
	return as_check_done();
}
