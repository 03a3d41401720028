/* test_trace_setup.c - preparing a trace for replay: the trace workload's
 * op stream against a reference computed here from the events (every op's
 * kind and size, one dense id per live object, ids as few as the most
 * objects ever live, the live-byte peaks and end), on traces of 1..40
 * events (shorter and longer than the events the builder holds back) and a
 * long random one whose frees often name objects allocated a few events
 * before, on one thread and two; and the memory a large binary trace's own
 * pages hold while it is read (given back behind the reader). */
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../workloads/workload.h"
#include "check.h"
#include "trace_util.h"

#define MAXEV 200000

static as_tev_t evs[MAXEV];
static uint32_t idof[MAXEV];       /* test's own: object -> id given by the op stream */
static int64_t objsize[MAXEV];     /* object -> live size, -1 when not live */
static uint8_t idused[MAXEV];      /* id -> held by a live object */
static int64_t tlive[2], tpeak[2]; /* per stream thread, recorded order */

/* A random canonical trace of n events on `threads` threads: allocations,
 * frees and reallocs of live objects, often of the newest ones. */
static size_t random_trace(size_t n, uint64_t seed, int threads, int unknown)
{
	static uint64_t live[MAXEV];
	uint64_t nlive = 0, next = 0, x = seed * 2654435761u + 1;
	size_t k = 0;
	while (k < n) {
		as_tev_t e;
		memset(&e, 0, sizeof(e));
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		e.thread = (uint16_t)(threads > 1 ? (x >> 30) % 2 : 0);
		e.time_ns = k;
		if (unknown && x % 97 == 0) {
			e.op = AS_TEV_FREE_UNKNOWN;
		} else if (nlive == 0 || (x >> 8) % 5 < 3) {
			e.op = (x >> 12) % 7 == 0 ? AS_TEV_CALLOC : AS_TEV_ALLOC;
			e.obj = next++;
			e.size = (x >> 20) % 5000;
			e.align_log2 = (x >> 40) % 9 == 0 ? 6 : 0;
			live[nlive++] = e.obj;
		} else {
			/* half the time one of the 4 newest: freed within the
			 * events the builder holds back */
			uint64_t i = (x >> 24) % 2 ? nlive - 1 - (x >> 28) % (nlive < 4 ? nlive : 4)
			                           : (x >> 32) % nlive;
			e.obj = live[i];
			if ((x >> 44) % 6 == 0) {
				e.op = AS_TEV_REALLOC;
				e.size = (x >> 48) % 9000;
			} else {
				e.op = AS_TEV_FREE;
				live[i] = live[--nlive];
			}
		}
		evs[k++] = e;
	}
	return k;
}

static int write_trace(const char *path, const as_tev_t *ev, size_t n)
{
	as_trace_writer_t w;
	as_trace_err_t err;
	FILE *f = fopen(path, "wb");
	int r = f ? as_trace_writer_open(&w, f, AS_TRACE_BIN) : -1;
	for (size_t i = 0; i < n && r == 0; i++)
		r = as_trace_writer_put(&w, &ev[i], &err);
	if (f && as_trace_writer_close(&w) != 0)
		r = -1;
	if (f && fclose(f) != 0)
		r = -1;
	return r;
}

/* The op stream of `spec` for the n events in evs against the reference;
 * returns 0 when all agree (a message names the first difference). */
static int check_build(const char *path, size_t n, int serialize, const char *what)
{
	static char pbuf[AS_WL_PARAMS_MAX];
	char spec[300], perr[512];
	const as_workload_t *wl;
	as_wl_ctx_t ctx = {1, 1};
	as_opstream_t s;
	uint64_t at[2] = {0, 0}, objects = 0, most = 0;
	int64_t live = 0, peak = 0, thread_peak;
	snprintf(spec, sizeof(spec), "trace:file=%s,serialize=%d", path, serialize);
	memset(pbuf, 0, sizeof(pbuf));
	if (as_workload_parse(spec, &wl, pbuf, sizeof(pbuf), perr, sizeof(perr)) != 0 ||
	    as_opstream_init(&s, 1) != 0 || wl->build(pbuf, &ctx, &s, perr, sizeof(perr)) != 0) {
		fprintf(stderr, "%s: %s\n", what, perr);
		return -1;
	}
	memset(objsize, 0xff, sizeof(objsize));
	memset(idused, 0, sizeof(idused));
	memset(tlive, 0, sizeof(tlive));
	memset(tpeak, 0, sizeof(tpeak));
	for (size_t i = 0; i < n; i++) {
		const as_tev_t *e = &evs[i];
		uint32_t t = serialize ? 0 : e->thread;
		const as_op_t *op;
		int64_t delta;
		if (e->op == AS_TEV_FREE_UNKNOWN)
			continue;
		if (t >= s.nthreads || at[t] >= s.thread[t].nops) {
			fprintf(stderr, "%s: event %zu: no op on thread %u\n", what, i, t);
			goto bad;
		}
		op = &s.thread[t].ops[at[t]++];
		if (op->id >= s.nslots) {
			fprintf(stderr, "%s: event %zu: id %u >= nslots\n", what, i, op->id);
			goto bad;
		}
		switch (e->op) {
		case AS_TEV_ALLOC:
		case AS_TEV_CALLOC:
			if (op->kind != (e->op == AS_TEV_ALLOC ? AS_OP_ALLOC : AS_OP_CALLOC) ||
			    op->size != e->size || op->align_log2 != e->align_log2 ||
			    idused[op->id]) {
				fprintf(stderr, "%s: event %zu: alloc op wrong (id %u in use %d)\n",
				        what, i, op->id, idused[op->id]);
				goto bad;
			}
			idused[op->id] = 1;
			idof[e->obj] = op->id;
			objsize[e->obj] = (int64_t)e->size;
			delta = (int64_t)e->size;
			if (++objects > most)
				most = objects;
			break;
		case AS_TEV_REALLOC:
			if (op->kind != AS_OP_REALLOC || op->size != e->size ||
			    op->id != idof[e->obj]) {
				fprintf(stderr, "%s: event %zu: realloc op wrong\n", what, i);
				goto bad;
			}
			delta = (int64_t)e->size - objsize[e->obj];
			objsize[e->obj] = (int64_t)e->size;
			break;
		default: /* AS_TEV_FREE */
			if (op->kind != AS_OP_FREE || op->id != idof[e->obj]) {
				fprintf(stderr, "%s: event %zu: free op wrong (id %u, want %u)\n",
				        what, i, op->id, idof[e->obj]);
				goto bad;
			}
			idused[op->id] = 0;
			delta = -objsize[e->obj];
			objsize[e->obj] = -1;
			objects--;
			break;
		}
		live += delta;
		if (live > peak)
			peak = live;
		tlive[t] += delta;
		if (delta > 0 && tlive[t] > tpeak[t])
			tpeak[t] = tlive[t];
	}
	thread_peak = tpeak[0] > tpeak[1] ? tpeak[0] : tpeak[1];
	for (uint32_t t = 0; t < s.nthreads; t++)
		if (at[t] != s.thread[t].nops) {
			fprintf(stderr, "%s: thread %u has %llu ops, %llu expected\n", what, t,
			        (unsigned long long)s.thread[t].nops, (unsigned long long)at[t]);
			goto bad;
		}
	/* dense: one id per object live at once, no more */
	if (s.nslots != most || s.expect_live_bytes_peak != peak ||
	    s.expect_live_bytes_end != live || s.expect_thread_live_bytes_peak != thread_peak) {
		fprintf(stderr,
		        "%s: nslots %u (want %llu), peak %lld (%lld), end %lld (%lld), "
		        "thread peak %lld (%lld)\n",
		        what, s.nslots, (unsigned long long)most,
		        (long long)s.expect_live_bytes_peak, (long long)peak,
		        (long long)s.expect_live_bytes_end, (long long)live,
		        (long long)s.expect_thread_live_bytes_peak, (long long)thread_peak);
		goto bad;
	}
	as_opstream_free(&s);
	return 0;
bad:
	as_opstream_free(&s);
	return -1;
}

static long rss_file_kb(void)
{
	char line[256];
	long v = -1;
	FILE *f = fopen("/proc/self/status", "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, "RssFile:", 8))
			v = atol(line + 8);
	fclose(f);
	return v;
}

typedef struct {
	uint64_t n;
	long base, most;
} rss_watch_t;

static int watch_rss(void *ctx, const as_tev_t *ev, as_trace_err_t *err)
{
	rss_watch_t *w = ctx;
	(void)ev;
	(void)err;
	if (++w->n % 32768 == 0) {
		long kb = rss_file_kb() - w->base;
		if (kb > w->most)
			w->most = kb;
	}
	return 0;
}

int main(void)
{
	char path[] = "/tmp/as_test_setup_XXXXXX", msg[512];
	int fd = mkstemp(path);
	CHECK(fd >= 0);
	close(fd);

	/* short traces: fewer events than the builder holds back, and just
	 * more; one thread, two threads, two threads folded */
	for (size_t n = 1; n <= 40; n++) {
		char what[64];
		size_t k = random_trace(n, n, n % 2 ? 1 : 2, 0);
		CHECK(write_trace(path, evs, k) == 0);
		snprintf(what, sizeof(what), "%zu events", n);
		CHECKF(check_build(path, k, 0, what) == 0, "%s", what);
		CHECKF(check_build(path, k, 1, what) == 0, "%s, serialize=1", what);
	}
	/* a long one with frees of the newest objects and unknown frees */
	{
		size_t k = random_trace(MAXEV, 7, 2, 1);
		CHECK(write_trace(path, evs, k) == 0);
		CHECK(check_build(path, k, 0, "200000 events, 2 threads") == 0);
		CHECK(check_build(path, k, 1, "200000 events, serialize=1") == 0);
		k = random_trace(MAXEV, 8, 1, 0);
		CHECK(write_trace(path, evs, k) == 0);
		CHECK(check_build(path, k, 0, "200000 events, 1 thread") == 0);
	}

	/* A 50 MB binary trace read through as_trace_read_file (what the
	 * trace workload does): its pages are given back behind the reader,
	 * so the file's resident pages in this process stay far below its
	 * size (the reader keeps ~8-16 MiB; all 50 MB without the drop). */
	{
		static as_trace_writer_t w;
		as_trace_err_t err;
		rss_watch_t rw = {0, 0, 0};
		FILE *f = fopen(path, "wb");
		struct stat st;
		uint64_t x = 99, t = 0;
		CHECK(f && as_trace_writer_open(&w, f, AS_TRACE_BIN) == 0);
		/* large sizes and time gaps: ~11 bytes per event */
		for (uint64_t i = 0; i < 4400000; i++) {
			as_tev_t e;
			memset(&e, 0, sizeof(e));
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			e.op = i % 2 ? AS_TEV_FREE : AS_TEV_ALLOC;
			e.obj = i / 2;
			e.size = i % 2 ? 0 : (x >> 20) | (1ULL << 40);
			t += x >> 26;
			e.time_ns = t;
			if (as_trace_writer_put(&w, &e, &err) != 0)
				break;
		}
		CHECK(as_trace_writer_close(&w) == 0 && fclose(f) == 0);
		CHECKF(stat(path, &st) == 0 && st.st_size > 40 * 1024 * 1024, "%lld bytes",
		       (long long)st.st_size);
		rw.base = rss_file_kb();
		CHECKF(as_trace_read_file(path, watch_rss, &rw, NULL, msg, sizeof(msg)) == 0, "%s",
		       msg);
		CHECK(rw.n == 4400000);
		CHECKF(rw.most < 24 * 1024,
		       "the trace file's resident pages reached %ld kB of %lld", rw.most,
		       (long long)st.st_size / 1024);
	}
	unlink(path);
	return as_check_done();
}
