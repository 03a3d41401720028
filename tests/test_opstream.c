/* test_opstream.c - op stream building: growth, nslots, the derived
 * cross-thread handovers (waits and posts per run of pushes), and determinism of the random
 * workload. */
#include <stdio.h>
#include <string.h>

#include "../workloads/workload.h"
#include "check.h"

static int build(const char *spec, uint32_t threads, uint64_t seed, as_opstream_t *s)
{
	static char pbuf[AS_WL_PARAMS_MAX];
	const as_workload_t *wl;
	as_wl_ctx_t ctx = {threads, seed};
	char err[256];
	memset(pbuf, 0, sizeof(pbuf));
	if (as_workload_parse(spec, &wl, pbuf, sizeof(pbuf), err, sizeof(err)))
		return -1;
	as_opstream_init(s, threads);
	return wl->build(pbuf, &ctx, s, err, sizeof(err));
}

int main(void)
{
	as_opstream_t s, a, b;
	char err[256];
	static char pbuf[AS_WL_PARAMS_MAX];
	const as_workload_t *wl;

	CHECK(as_opstream_init(&s, 0) != 0);
	CHECK(as_opstream_init(&s, AS_MAX_THREADS + 1) != 0);
	CHECK(as_opstream_init(&s, 2) == 0);
	for (uint32_t i = 0; i < 200000; i++)
		CHECK(as_opstream_push(&s, 0, AS_OP_ALLOC, i, 16, 0) == 0 || 1);
	CHECK(s.thread[0].nops == 200000 && s.nslots == 200000);
	/* thread 1 frees id 5 allocated on thread 0: waits once for thread 0's
	 * whole run of pushes (200000 ops), which then posts at 200000 */
	CHECK(as_opstream_push(&s, 1, AS_OP_FREE, 5, 0, 0) == 0);
	CHECK(s.thread[1].nwaits == 1 && s.thread[1].waits[0].at == 0 &&
	      s.thread[1].waits[0].thread == 0 && s.thread[1].waits[0].until == 200000);
	CHECK(s.thread[0].nposts == 1 && s.thread[0].posts[0] == 200000);
	CHECK((s.thread[1].ops[0].kind & AS_OP_KIND_MASK) == AS_OP_FREE);
	/* another object of the same run: that wait covers it */
	CHECK(as_opstream_push(&s, 1, AS_OP_FREE, 6, 0, 0) == 0);
	/* same thread again: no wait */
	CHECK(as_opstream_push(&s, 1, AS_OP_ALLOC, 5, 8, 0) == 0);
	CHECK(s.thread[1].nwaits == 1);
	CHECK(s.cross_thread == 1);
	/* back on thread 0: id 5 was last touched in thread 1's run of 3 ops */
	CHECK(as_opstream_push(&s, 0, AS_OP_FREE, 5, 0, 0) == 0);
	CHECK(s.thread[0].nwaits == 1 && s.thread[0].waits[0].at == 200000 &&
	      s.thread[0].waits[0].thread == 1 && s.thread[0].waits[0].until == 3);
	CHECK(s.thread[1].nposts == 1 && s.thread[1].posts[0] == 3);
	/* trim names no object: no wait, but it is an op of thread 1's run */
	CHECK(as_opstream_push(&s, 0, AS_OP_ALLOC, 5, 8, 0) == 0);
	CHECK(as_opstream_push(&s, 1, AS_OP_TRIM, 0, 0, 0) == 0 && s.thread[1].nwaits == 1);
	CHECK(as_opstream_push(&s, 1, AS_OP_FREE, 5, 0, 0) == 0 && s.thread[1].nwaits == 2);
	CHECK(s.thread[1].waits[1].at == 4 && s.thread[1].waits[1].until == 200002);
	CHECK(s.thread[0].nposts == 2 && s.thread[0].posts[1] == 200002);
	CHECK(as_opstream_push(&s, 2, AS_OP_ALLOC, 1, 8, 0) != 0); /* no thread 2 */
	CHECK(as_opstream_total(&s) == 200007);
	as_opstream_free(&s);

	/* three threads: a post asked for later but earlier in the thread's
	 * stream is inserted in order, and a post asked for twice is kept once */
	CHECK(as_opstream_init(&s, 3) == 0);
	CHECK(as_opstream_push(&s, 0, AS_OP_ALLOC, 0, 8, 0) == 0);
	CHECK(as_opstream_push(&s, 0, AS_OP_ALLOC, 1, 8, 0) == 0);
	CHECK(as_opstream_push(&s, 1, AS_OP_ALLOC, 10, 8, 0) == 0);
	CHECK(as_opstream_push(&s, 0, AS_OP_ALLOC, 2, 8, 0) == 0);
	CHECK(as_opstream_push(&s, 2, AS_OP_FREE, 2, 0, 0) == 0); /* waits for 3 */
	CHECK(as_opstream_push(&s, 2, AS_OP_FREE, 0, 0, 0) == 0); /* covered */
	CHECK(as_opstream_push(&s, 1, AS_OP_FREE, 1, 0, 0) == 0); /* waits for 2 */
	CHECK(as_opstream_push(&s, 1, AS_OP_ALLOC, 3, 8, 0) == 0);
	CHECK(as_opstream_push(&s, 2, AS_OP_FREE, 3, 0, 0) == 0); /* waits for 3 of t1 */
	CHECK(s.thread[2].nwaits == 2 && s.thread[2].waits[1].thread == 1 &&
	      s.thread[2].waits[1].until == 3);
	CHECK(s.thread[0].nposts == 2 && s.thread[0].posts[0] == 2 && s.thread[0].posts[1] == 3);
	CHECK(s.thread[1].nwaits == 1 && s.thread[1].waits[0].until == 2);
	/* t2 freed id 2 in its first run (2 ops), before it waited for t1 */
	CHECK(as_opstream_push(&s, 1, AS_OP_ALLOC, 2, 8, 0) == 0);
	CHECK(s.thread[1].nwaits == 2 && s.thread[1].waits[1].thread == 2 &&
	      s.thread[1].waits[1].until == 2 && s.thread[2].nposts == 1 &&
	      s.thread[2].posts[0] == 2);
	as_opstream_free(&s);

	/* xmalloc hands batches over, not objects: the consumer waits once per
	 * batch for the producer's whole batch; the producer waits once per
	 * batch from the depth-th on, for the consumer to have freed the batch
	 * whose ids it reuses (queue depth 4) */
	CHECK(build("xmalloc:batch=10,batches=10,depth=4", 2, 1, &a) == 0);
	CHECK(a.thread[1].nwaits == 10 && a.thread[0].nwaits == 6);
	{
		int ok = 1;
		for (uint64_t k = 0; k < 10; k++)
			ok &= a.thread[1].waits[k].at == 10 * k &&
			      a.thread[1].waits[k].until == 10 * (k + 1) &&
			      a.thread[0].posts[k] == 10 * (k + 1);
		for (uint64_t k = 4; k < 10; k++)
			ok &= a.thread[0].waits[k - 4].at == 10 * k &&
			      a.thread[0].waits[k - 4].until == 10 * (k - 3) &&
			      a.thread[1].posts[k - 4] == 10 * (k - 3);
		CHECK(ok);
	}
	as_opstream_free(&a);
	/* one thread: no waits, no posts, no builder state */
	CHECK(build("xmalloc:batch=10,batches=10", 1, 1, &a) == 0);
	CHECK(!a.cross_thread && !a.thread[0].nwaits && !a.thread[0].nposts && !a.id_thread);
	as_opstream_free(&a);

	/* determinism: same seed -> identical bytes; other seed -> different */
	CHECK(build("random:ops=5000,live=100", 2, 7, &a) == 0);
	CHECK(build("random:ops=5000,live=100", 2, 7, &b) == 0);
	CHECK(a.thread[0].nops == b.thread[0].nops && a.thread[1].nops == b.thread[1].nops);
	CHECK(!memcmp(a.thread[0].ops, b.thread[0].ops, a.thread[0].nops * sizeof(as_op_t)));
	CHECK(!memcmp(a.thread[1].ops, b.thread[1].ops, a.thread[1].nops * sizeof(as_op_t)));
	as_opstream_free(&b);
	CHECK(build("random:ops=5000,live=100", 2, 8, &b) == 0);
	CHECK(memcmp(a.thread[0].ops, b.thread[0].ops, a.thread[0].nops * sizeof(as_op_t)) != 0);
	CHECK(a.cross_thread == 0); /* random's threads are independent */
	as_opstream_free(&a);
	as_opstream_free(&b);

	/* peak_at: the op count at which a thread's own live requested bytes
	 * first reach their largest value (the engine samples there), kept
	 * through the record another worker loads */
	CHECK(as_opstream_init(&a, 1) == 0);
	CHECK(as_opstream_push(&a, 0, AS_OP_ALLOC, 0, 100, 0) == 0);
	CHECK(as_opstream_push(&a, 0, AS_OP_ALLOC, 1, 300, 0) == 0);
	CHECK(as_opstream_push(&a, 0, AS_OP_FREE, 0, 0, 0) == 0);
	CHECK(as_opstream_push(&a, 0, AS_OP_REALLOC, 1, 500, 0) == 0); /* live 500 */
	CHECK(as_opstream_push(&a, 0, AS_OP_ALLOC, 0, 50, 0) == 0);    /* 550: the peak */
	CHECK(as_opstream_push(&a, 0, AS_OP_TRIM, 0, 0, 0) == 0);
	CHECK(as_opstream_push(&a, 0, AS_OP_RESET, 0, 2, 0) == 0);
	CHECK(as_opstream_push(&a, 0, AS_OP_ALLOC, 0, 550, 0) == 0); /* equal: not a new peak */
	CHECKF(a.thread[0].peak_at == 5 && a.thread[0].live_peak == 550, "peak_at %llu, peak %lld",
	       (unsigned long long)a.thread[0].peak_at, (long long)a.thread[0].live_peak);
	{
		FILE *f = tmpfile();
		CHECK(f && as_opstream_write(&a, fileno(f)) == 0 &&
		      as_opstream_load(&b, fileno(f)) == 0);
		CHECK(b.thread[0].nops == 8 && b.thread[0].peak_at == 5);
		if (f)
			fclose(f);
		as_opstream_free(&b);
	}
	as_opstream_free(&a);

	/* workload spec errors name the workload and the key */
	CHECK(as_workload_parse("nosuch", &wl, pbuf, sizeof(pbuf), err, sizeof(err)) != 0);
	CHECK(strstr(err, "nosuch") != NULL);
	CHECK(as_workload_parse("random:live=0", &wl, pbuf, sizeof(pbuf), err, sizeof(err)) != 0);
	CHECK(strstr(err, "workload random") && strstr(err, "'live'"));
	/* min > max: refused when the spec is parsed, before any trial */
	CHECK(as_workload_parse("random:min=600", &wl, pbuf, sizeof(pbuf), err, sizeof(err)) != 0);
	CHECK(strstr(err, "workload random: key 'min': 600 is larger than max 512") != NULL);
	return as_check_done();
}
