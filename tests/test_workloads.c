/* test_workloads.c - every registered generator: same seed -> byte-identical
 * op stream, another seed -> a different one (for generators that draw
 * random numbers), and a stream that is executable: replaying it with the
 * engine's rules (cross-thread waits included) never deadlocks, allocates
 * only free ids and frees only live ones. Plus synth's free orders, shares
 * and handoff, and the one-line param errors. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../workloads/workload.h"
#include "check.h"

static char errbuf[512];

static int build(const char *spec, uint32_t threads, uint64_t seed, as_opstream_t *s)
{
	static char pbuf[AS_WL_PARAMS_MAX];
	const as_workload_t *wl;
	as_wl_ctx_t ctx = {threads, seed};
	memset(pbuf, 0, sizeof(pbuf));
	as_opstream_init(s, threads);
	if (as_workload_parse(spec, &wl, pbuf, sizeof(pbuf), errbuf, sizeof(errbuf)))
		return -1;
	return wl->build(pbuf, &ctx, s, errbuf, sizeof(errbuf));
}

static int same_stream(const as_opstream_t *a, const as_opstream_t *b)
{
	if (a->nthreads != b->nthreads || a->nslots != b->nslots || a->touch != b->touch)
		return 0;
	for (uint32_t t = 0; t < a->nthreads; t++)
		if (a->thread[t].nops != b->thread[t].nops ||
		    memcmp(a->thread[t].ops, b->thread[t].ops, a->thread[t].nops * sizeof(as_op_t)))
			return 0;
	return 1;
}

/* Replay with the engine's rules on one thread, round-robin: op i of a
 * thread with a wait at i runs only when the waited-for thread has run
 * `until` ops. Returns 0, or -1 with the reason; *peak_live gets the most
 * objects live at once. */
static int replay(const as_opstream_t *s, uint64_t *peak_live, char *why, size_t len)
{
	uint64_t *pos = calloc(s->nthreads, sizeof(uint64_t));
	uint64_t *wi = calloc(s->nthreads, sizeof(uint64_t));
	unsigned char *live = calloc(s->nslots + 1, 1);
	uint64_t nlive = 0, left = as_opstream_total(s);
	int rc = -1;
	*peak_live = 0;
	while (left > 0) {
		int progressed = 0;
		for (uint32_t t = 0; t < s->nthreads; t++) {
			while (pos[t] < s->thread[t].nops) {
				const as_op_t *op = &s->thread[t].ops[pos[t]];
				unsigned k = op->kind & AS_OP_KIND_MASK;
				const as_opthread_t *th = &s->thread[t];
				while (wi[t] < th->nwaits && th->waits[wi[t]].at == pos[t] &&
				       pos[th->waits[wi[t]].thread] >= th->waits[wi[t]].until)
					wi[t]++;
				if (wi[t] < th->nwaits && th->waits[wi[t]].at == pos[t])
					break;
				if (op->id >= s->nslots && k != AS_OP_TRIM) {
					snprintf(why, len, "id %u >= nslots", op->id);
					goto out;
				}
				switch (k) {
				case AS_OP_ALLOC:
				case AS_OP_CALLOC:
					if (live[op->id]) {
						snprintf(why, len,
						         "alloc of live id %u (thread %u)", op->id,
						         t);
						goto out;
					}
					live[op->id] = 1;
					nlive++;
					break;
				case AS_OP_FREE:
				case AS_OP_REALLOC:
				case AS_OP_WRITE:
					if (!live[op->id]) {
						snprintf(why, len,
						         "op %u on dead id %u (thread %u)", k,
						         op->id, t);
						goto out;
					}
					if (k == AS_OP_FREE) {
						live[op->id] = 0;
						nlive--;
					}
					break;
				case AS_OP_RESET:
					for (uint64_t i = 0; i < op->size; i++) {
						nlive -= live[op->id + i];
						live[op->id + i] = 0;
					}
					break;
				case AS_OP_TRIM: break;
				default: snprintf(why, len, "bad op kind %u", k); goto out;
				}
				if (nlive > *peak_live)
					*peak_live = nlive;
				pos[t]++;
				left--;
				progressed = 1;
			}
		}
		if (!progressed) {
			snprintf(why, len, "deadlock: every thread waits");
			goto out;
		}
	}
	rc = 0;
out:
	free(pos);
	free(wi);
	free(live);
	return rc;
}

static uint64_t count_kind(const as_opstream_t *s, unsigned kind)
{
	uint64_t n = 0;
	for (uint32_t t = 0; t < s->nthreads; t++)
		for (uint64_t i = 0; i < s->thread[t].nops; i++)
			n += (s->thread[t].ops[i].kind & AS_OP_KIND_MASK) == kind;
	return n;
}

/* Small spec per workload; `random` says whether another seed must differ,
 * `mt` whether it runs on 2 threads. */
static const struct {
	const char *spec;
	int random, mt;
} specs[] = {
    {"random:ops=3000,live=100", 1, 1},
    {"synth:ops=3000,live=100,order=random,realloc=0.1,calloc=0.2,aligned=0.1", 1, 1},
    {"synth:lognormal,size=100,min=16,max=4k,ops=3000,live=64,handoff=1,realloc=0.2", 1, 1},
    {"synth:power,ops=2000,live=50,order=phase", 1, 1},
    {"synth:fixed,size=64,ops=1000,order=never", 0, 1},
    {"threshold:size=256k,total=4m,prime=1m", 0, 0},
    {"leak:total=1m,trim=1", 0, 0},
    {"larson:blocks=100,ops=4000,epochs=4", 1, 1},
    {"xmalloc:batch=10,batches=200", 0, 1},
    {"cache-thrash:iterations=100", 0, 1},
    {"cache-scratch:iterations=100", 0, 1},
    {"benchmt:ops=4000,slots=64", 1, 1},
};

int main(void)
{
	as_opstream_t a, b;
	char why[256];
	uint64_t peak;
	size_t nspecs = sizeof(specs) / sizeof(specs[0]);

	/* every registered workload has a spec here */
	for (size_t i = 0; as_workloads[i]; i++) {
		int found = 0;
		/* replays a file and ignores the seed: test_trace_formats covers it */
		if (!strcmp(as_workloads[i]->name, "trace"))
			continue;
		for (size_t j = 0; j < nspecs; j++)
			found |= !strncmp(specs[j].spec, as_workloads[i]->name,
			                  strlen(as_workloads[i]->name)) &&
			         specs[j].spec[strlen(as_workloads[i]->name)] == ':';
		CHECKF(found, "workload %s has no test spec", as_workloads[i]->name);
	}

	for (size_t j = 0; j < nspecs; j++) {
		for (uint32_t nt = 1; nt <= (specs[j].mt ? 3u : 1u); nt++) {
			int r1 = build(specs[j].spec, nt, 7, &a);
			CHECKF(r1 == 0, "%s -t %u: %s", specs[j].spec, nt, errbuf);
			CHECKF(build(specs[j].spec, nt, 7, &b) == 0, "%s", errbuf);
			CHECKF(same_stream(&a, &b), "%s -t %u: same seed, different stream",
			       specs[j].spec, nt);
			CHECKF(as_opstream_total(&a) > 0, "%s: empty stream", specs[j].spec);
			CHECKF(replay(&a, &peak, why, sizeof(why)) == 0, "%s -t %u: %s",
			       specs[j].spec, nt, why);
			as_opstream_free(&b);
			if (specs[j].random) {
				CHECK(build(specs[j].spec, nt, 8, &b) == 0);
				CHECKF(!same_stream(&a, &b), "%s: seed ignored", specs[j].spec);
				as_opstream_free(&b);
			}
			as_opstream_free(&a);
		}
	}

	/* synth free orders, exactly: 4 objects per round */
	{
		static const struct {
			const char *spec;
			const char *want;
		} orders[] = {
		    {"synth:fixed,ops=8,live=4,order=lifo", "A0A1A2A3F3F2F1F0A0A1A2A3F3F2F1F0"},
		    {"synth:fixed,ops=8,live=4,order=fifo", "A0A1A2A3F0F1F2F3A0A1A2A3F0F1F2F3"},
		    {"synth:fixed,ops=6,live=4,order=phase", "A0A1A2A3R0A0A1R0"},
		    {"synth:fixed,ops=5,live=4,order=never", "A0A1A2A3A4"},
		};
		for (size_t i = 0; i < sizeof(orders) / sizeof(orders[0]); i++) {
			char got[256] = "";
			size_t w = 0;
			CHECK(build(orders[i].spec, 1, 1, &a) == 0);
			for (uint64_t k = 0; k < a.thread[0].nops && w < sizeof(got) - 8; k++) {
				const as_op_t *op = &a.thread[0].ops[k];
				w +=
				    (size_t)snprintf(got + w, sizeof(got) - w, "%c%u",
				                     "ACXFR"[op->kind & AS_OP_KIND_MASK], op -> id);
			}
			CHECKF(!strcmp(got, orders[i].want), "%s: got %s want %s", orders[i].spec,
			       got, orders[i].want);
			as_opstream_free(&a);
		}
		/* random order frees every object of the round once, not in order */
		CHECK(build("synth:fixed,ops=64,live=64,order=random", 1, 3, &a) == 0);
		CHECK(count_kind(&a, AS_OP_FREE) == 64 && replay(&a, &peak, why, 256) == 0 &&
		      peak == 64);
		CHECK(a.thread[0].ops[64].id != 0 || a.thread[0].ops[65].id != 1);
		as_opstream_free(&a);
	}

	/* shares: calloc and aligned allocations near their params */
	CHECK(build("synth:ops=20000,live=100,calloc=0.25,aligned=0.5,align=4k", 1, 5, &a) == 0);
	{
		uint64_t n = a.thread[0].nops, allocs = 0, callocs = 0, aligned = 0;
		for (uint64_t i = 0; i < n; i++) {
			unsigned k = a.thread[0].ops[i].kind & AS_OP_KIND_MASK;
			if (k != AS_OP_ALLOC && k != AS_OP_CALLOC)
				continue;
			allocs++;
			callocs += k == AS_OP_CALLOC;
			aligned += a.thread[0].ops[i].align_log2 == 12;
		}
		CHECKF(allocs == 20000 && fabs(callocs / 20000.0 - 0.25) < 0.02 &&
		           fabs(aligned / 20000.0 - 0.5) < 0.02,
		       "%llu %llu %llu", (unsigned long long)allocs, (unsigned long long)callocs,
		       (unsigned long long)aligned);
	}
	as_opstream_free(&a);

	/* handoff: every free runs on the next thread and waits for the alloc */
	CHECK(build("synth:fixed,ops=100,live=10,handoff=1", 2, 1, &a) == 0);
	CHECK(a.cross_thread == 1 && count_kind(&a, AS_OP_FREE) == 200);
	CHECK(a.thread[0].nwaits > 0 && a.thread[1].nwaits > 0);
	{
		int remote = 1;
		for (uint32_t t = 0; t < 2; t++)
			for (uint64_t i = 0; i < a.thread[t].nops; i++) {
				const as_op_t *op = &a.thread[t].ops[i];
				if ((op->kind & AS_OP_KIND_MASK) == AS_OP_FREE)
					remote &= op->id / 20 != t;
			}
		CHECK(remote);
	}
	as_opstream_free(&a);
	/* larson and xmalloc free across threads; synth without handoff does not */
	CHECK(build("larson:blocks=10,ops=100", 2, 1, &a) == 0 && a.cross_thread);
	as_opstream_free(&a);
	CHECK(build("xmalloc:batch=10,batches=10", 2, 1, &a) == 0 && a.cross_thread);
	as_opstream_free(&a);
	/* xmalloc's default queue is xmalloc-test's (OBJECTS_PER_BATCH 4096,
	 * batch_count_limit 100): the consumer waits once per 4096 frees, and
	 * the producer runs up to 100 batches ahead before it waits for the
	 * ids of its first batch to be freed (with 4 batches of 100 the two
	 * threads ran in lock-step and the handover, not the allocator, set
	 * ns/op: docs/measure.md) */
	CHECK(build("xmalloc", 2, 1, &a) == 0);
	CHECKF(a.thread[1].nops == 100 * 4096 && a.thread[1].nwaits == 100 &&
	           a.thread[0].nwaits == 0,
	       "consumer %llu ops %llu waits, producer %llu waits",
	       (unsigned long long)a.thread[1].nops, (unsigned long long)a.thread[1].nwaits,
	       (unsigned long long)a.thread[0].nwaits);
	as_opstream_free(&a);
	/* larson's default arrays are mimalloc-bench's (`larson 5 8 1000 5000
	 * 100 4141 N`): each thread starts with 5000 blocks of 8-1000 B (1000
	 * until session 18: 0.5 MB a thread, in L2, and another ranking of
	 * jemalloc and mimalloc; docs/measure.md "larson's 5000 blocks") */
	CHECK(build("larson", 2, 1, &a) == 0);
	for (uint32_t t = 0; t < 2; t++) {
		uint64_t n = 0, lo = UINT64_MAX, hi = 0;
		for (; n < a.thread[t].nops &&
		       (a.thread[t].ops[n].kind & AS_OP_KIND_MASK) == AS_OP_ALLOC;
		     n++) {
			lo = a.thread[t].ops[n].size < lo ? a.thread[t].ops[n].size : lo;
			hi = a.thread[t].ops[n].size > hi ? a.thread[t].ops[n].size : hi;
		}
		CHECKF(n == 5000 && lo >= 8 && hi <= 1000 && hi - lo > 900,
		       "larson thread %u: %llu blocks before the first free, %llu-%llu B", t,
		       (unsigned long long)n, (unsigned long long)lo, (unsigned long long)hi);
	}
	as_opstream_free(&a);
	/* cache-thrash/scratch: the two threads' objects are 8 ids apart, so
	 * their slots in the engine's table (16 B each) are on different cache
	 * lines (ids 0 and 1 were: false sharing of the harness's own) */
	for (int w = 0; w < 2; w++) {
		uint32_t ids[2] = {UINT32_MAX, UINT32_MAX}, n = 0, id;
		int ok = 1;
		CHECK(build(w ? "cache-scratch:iterations=10" : "cache-thrash:iterations=10", 2, 1,
		            &a) == 0);
		for (uint32_t t = 0; t < 2; t++)
			for (uint64_t i = 0; i < a.thread[t].nops; i++) {
				id = a.thread[t].ops[i].id;
				if (id == ids[0] || id == ids[1])
					continue;
				ok &= n < 2;
				if (n < 2)
					ids[n++] = id;
			}
		CHECKF(ok && n == 2 && (ids[0] > ids[1] ? ids[0] - ids[1] : ids[1] - ids[0]) >= 8,
		       "cache-%s: ids %u and %u", w ? "scratch" : "thrash", ids[0], ids[1]);
		as_opstream_free(&a);
	}
	CHECK(build("xmalloc:batches=101", 2, 1, &a) == 0);
	CHECKF(a.thread[0].nwaits == 1, "producer %llu waits",
	       (unsigned long long)a.thread[0].nwaits);
	as_opstream_free(&a);
	CHECK(build("synth:ops=100,live=10", 2, 1, &a) == 0 && !a.cross_thread);
	as_opstream_free(&a);

	/* the article's workloads: leak frees 90 % and trims */
	CHECK(build("leak:size=1k,total=100k,trim=1", 1, 1, &a) == 0);
	CHECK(count_kind(&a, AS_OP_ALLOC) == 100 && count_kind(&a, AS_OP_FREE) == 90 &&
	      count_kind(&a, AS_OP_TRIM) == 1);
	as_opstream_free(&a);
	CHECK(build("threshold:size=1m,total=8m,prime=2m", 1, 1, &a) == 0);
	CHECK(a.thread[0].ops[0].size == 2u << 20 && count_kind(&a, AS_OP_ALLOC) == 9 &&
	      count_kind(&a, AS_OP_FREE) == 8);
	as_opstream_free(&a);

	/* errors name the workload and the key */
	CHECK(build("synth:align=3", 1, 1, &a) != 0);
	CHECKF(!strcmp(errbuf, "workload synth: key 'align': 3 is not a power of two"), "%s",
	       errbuf);
	as_opstream_free(&a);
	CHECK(build("synth:order=sideways", 1, 1, &a) != 0);
	CHECKF(strstr(errbuf, "workload synth: key 'order': 'sideways' is not one of lifo|"), "%s",
	       errbuf);
	as_opstream_free(&a);
	CHECK(build("synth:min=600", 1, 1, &a) != 0);
	CHECKF(strstr(errbuf, "workload synth: key 'min': 600 is larger than max 512"), "%s",
	       errbuf);
	as_opstream_free(&a);
	CHECK(build("synth:order=phase,handoff=1", 2, 1, &a) != 0 &&
	      strstr(errbuf, "key 'handoff'"));
	as_opstream_free(&a);
	CHECK(build("larson:dist=table", 1, 1, &a) != 0 && strstr(errbuf, "key 'table'"));
	as_opstream_free(&a);
	/* one-thread scenarios: refused for -t 2 by the check the CLI runs */
	CHECK(as_workload_check_threads(as_workload_find("threshold"), 2, errbuf, sizeof(errbuf)) !=
	          0 &&
	      strstr(errbuf, "workload threshold: runs on one thread only"));
	CHECK(as_workload_check_threads(as_workload_find("leak"), 1, errbuf, sizeof(errbuf)) == 0);
	CHECK(as_workload_check_threads(as_workload_find("random"), 64, errbuf, sizeof(errbuf)) ==
	      0);
	return as_check_done();
}
