/* test_opstream.c - op stream building: growth, nslots, the derived
 * cross-thread WAIT/seq, and determinism of the random workload. */
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
	/* thread 1 frees id 5 allocated on thread 0: must wait for 1 prior op */
	CHECK(as_opstream_push(&s, 1, AS_OP_FREE, 5, 0, 0) == 0);
	CHECK((s.thread[1].ops[0].kind & AS_OPF_WAIT) && s.thread[1].ops[0].seq == 1);
	CHECK((s.thread[1].ops[0].kind & AS_OP_KIND_MASK) == AS_OP_FREE);
	/* same thread again: no wait */
	CHECK(as_opstream_push(&s, 1, AS_OP_ALLOC, 5, 8, 0) == 0);
	CHECK(!(s.thread[1].ops[1].kind & AS_OPF_WAIT));
	CHECK(s.cross_thread == 1);
	CHECK(as_opstream_push(&s, 2, AS_OP_ALLOC, 1, 8, 0) != 0); /* no thread 2 */
	CHECK(as_opstream_total(&s) == 200002);
	as_opstream_free(&s);

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
