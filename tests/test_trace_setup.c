/* test_trace_setup.c - preparing a trace for replay: the trace workload's
 * op stream against a reference computed here from the events (every op's
 * kind and size, one dense id per live object, ids as few as the most
 * objects ever live, the live-byte peaks and end), on traces of 1..40
 * events (shorter and longer than the events the builder holds back) and a
 * long random one whose frees often name objects allocated a few events
 * before, on one thread and two; and the memory a large binary trace's own
 * pages hold while it is read (given back behind the reader). The build
 * refuses a dead object itself (its reader skips the live bitmap), and a
 * large binary trace is built with a second thread filling the op array
 * ahead, gone when the build returns and never known to libc (glibc still
 * sees one thread), the ops and memory held the same as without it
 * (ALLOCSCOPE_NO_FILL_AHEAD=1). */
#include <dirent.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sys/single_threaded.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../harness/procstat.h"
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

/* Threads of this process now. */
static int nthreads_now(void)
{
	DIR *d = opendir("/proc/self/task");
	struct dirent *e;
	int n = 0;
	if (!d)
		return -1;
	while ((e = readdir(d)) != NULL)
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

/* The most threads seen while a build runs (polled every 0.5 ms). */
static _Atomic int poll_stop, poll_most;
static void *poll_threads(void *arg)
{
	(void)arg;
	while (!atomic_load(&poll_stop)) {
		struct timespec ts = {0, 500000};
		int n = nthreads_now();
		if (n > atomic_load(&poll_most))
			atomic_store(&poll_most, n);
		nanosleep(&ts, NULL);
	}
	return NULL;
}

/* RSS a fill-ahead may hold over a build without (kB): a huge page, 8 MiB
 * under ASan (below) */
#define HELD_SLACK_KB 4096

/* Build path (serialize=1) into s; the most threads seen meanwhile (this
 * one and the poller: 2 without a filler) and RSS held after, kB. */
static int build_watched(const char *path, as_opstream_t *s, int *most, long *held_kb)
{
	static char pbuf[AS_WL_PARAMS_MAX];
	char spec[300], perr[512];
	const as_workload_t *wl;
	as_wl_ctx_t ctx = {1, 1};
	pthread_t tid;
	int64_t rss0;
	int r;
	snprintf(spec, sizeof(spec), "trace:file=%s,serialize=1", path);
	memset(pbuf, 0, sizeof(pbuf));
	if (as_workload_parse(spec, &wl, pbuf, sizeof(pbuf), perr, sizeof(perr)) != 0 ||
	    as_opstream_init(s, 1) != 0) {
		fprintf(stderr, "%s\n", perr);
		return -1;
	}
	atomic_store(&poll_stop, 0);
	atomic_store(&poll_most, 0);
	if (pthread_create(&tid, NULL, poll_threads, NULL) != 0)
		return -1;
	rss0 = as_rss_kib();
	r = wl->build(pbuf, &ctx, s, perr, sizeof(perr));
	*held_kb = as_rss_kib() - rss0;
	atomic_store(&poll_stop, 1);
	pthread_join(tid, NULL);
	*most = atomic_load(&poll_most);
	if (r != 0)
		fprintf(stderr, "%s\n", perr);
	return r;
}

/* A worker's build of a trace naming a dead object fails, naming it: the
 * spec parsed (the CLI's check) with good events in path, then bad ones
 * written there, as if the file changed between the check and a trial. */
static int build_refuses(const char *path, const as_tev_t *good, size_t ngood, const as_tev_t *bad,
                         size_t nbad, const char *want)
{
	static char pbuf[AS_WL_PARAMS_MAX];
	char spec[300], perr[512] = "";
	const as_workload_t *wl;
	as_wl_ctx_t ctx = {1, 1};
	as_opstream_t s;
	int r;
	snprintf(spec, sizeof(spec), "trace:file=%s", path);
	memset(pbuf, 0, sizeof(pbuf));
	if (write_trace(path, bad, nbad) != 0 ||
	    as_workload_parse(spec, &wl, pbuf, sizeof(pbuf), perr, sizeof(perr)) == 0) {
		fprintf(stderr, "the check took a trace naming a dead object\n");
		return -1;
	}
	if (write_trace(path, good, ngood) != 0 ||
	    as_workload_parse(spec, &wl, pbuf, sizeof(pbuf), perr, sizeof(perr)) != 0 ||
	    write_trace(path, bad, nbad) != 0 || as_opstream_init(&s, 1) != 0) {
		fprintf(stderr, "%s\n", perr);
		return -1;
	}
	r = wl->build(pbuf, &ctx, &s, perr, sizeof(perr));
	as_opstream_free(&s);
	if (r == 0 || !strstr(perr, want)) {
		fprintf(stderr, "build: %d '%s', want an error with '%s'\n", r, perr, want);
		return -1;
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
	/* a dead object named: the check refuses it (the reader's bitmap),
	 * and so does a worker's build, which reads without the bitmap */
	{
		as_tev_t d[4];
		memset(d, 0, sizeof(d));
		d[0].op = AS_TEV_ALLOC;
		d[0].size = 16;
		d[1].op = AS_TEV_ALLOC;
		d[1].obj = 1;
		d[1].size = 32;
		d[2].op = AS_TEV_FREE;
		d[3].op = AS_TEV_FREE; /* object 0 again */
		CHECK(build_refuses(path, d, 3, d, 4, "double free of object 0") == 0);
		d[3].op = AS_TEV_REALLOC;
		d[3].size = 64;
		CHECK(build_refuses(path, d, 3, d, 4, "realloc of object 0") == 0);
	}

	/* A binary trace whose op bound (2 bytes a record) is over 32 MiB of
	 * ops: built with the filler thread, which is gone when the build
	 * returns; the ops and the memory held as without it. */
	{
		size_t k = random_trace(MAXEV, 11, 1, 0), reps = 12;
		as_opstream_t a, b;
		int most_a, most_b;
		long held_a, held_b;
		struct stat st;
		/* 12 copies of a 200,000-event trace, objects renumbered */
		static as_trace_writer_t w;
		as_trace_err_t err;
		FILE *f = fopen(path, "wb");
		CHECK(f && as_trace_writer_open(&w, f, AS_TRACE_BIN) == 0);
		for (size_t r = 0, base = 0, t = 0; r < reps; r++) {
			size_t objs = 0;
			for (size_t i = 0; i < k; i++) {
				as_tev_t e = evs[i];
				if (e.op == AS_TEV_ALLOC || e.op == AS_TEV_CALLOC)
					objs++;
				e.obj += base;
				e.time_ns = t++;
				CHECK(as_trace_writer_put(&w, &e, &err) == 0);
			}
			base += objs;
		}
		CHECK(as_trace_writer_close(&w) == 0 && fclose(f) == 0);
		CHECK(stat(path, &st) == 0);
		CHECKF((uint64_t)(st.st_size - 16) / 2 * sizeof(as_op_t) >= (32u << 20),
		       "%lld bytes: too small to be filled ahead", (long long)st.st_size);
		/* no thread of libc's: this process is still single-threaded to
		 * glibc (its malloc keeps the lock-free path a one-thread
		 * replay of the glibc module measures) */
		{
			static char pbuf[AS_WL_PARAMS_MAX];
			char perr[512], spec[300];
			const as_workload_t *wl;
			as_wl_ctx_t ctx = {1, 1};
			CHECK(__libc_single_threaded);
			snprintf(spec, sizeof(spec), "trace:file=%s,serialize=1", path);
			CHECK(as_workload_parse(spec, &wl, pbuf, sizeof(pbuf), perr,
			                        sizeof(perr)) == 0);
			CHECK(as_opstream_init(&a, 1) == 0);
			CHECK(wl->build(pbuf, &ctx, &a, perr, sizeof(perr)) == 0);
			CHECKF(__libc_single_threaded, "the build left glibc multi-threaded");
			CHECK(nthreads_now() == 1);
			as_opstream_free(&a);
		}
		CHECK(build_watched(path, &a, &most_a, &held_a) == 0);
		CHECK(nthreads_now() == 1);
		setenv("ALLOCSCOPE_NO_FILL_AHEAD", "1", 1);
		CHECK(build_watched(path, &b, &most_b, &held_b) == 0);
		unsetenv("ALLOCSCOPE_NO_FILL_AHEAD");
		CHECKF(most_a == 3 && most_b == 2, "threads while building: %d filled, %d not",
		       most_a, most_b);
		CHECK(a.thread[0].nops == b.thread[0].nops && a.nslots == b.nslots &&
		      a.thread[0].nops > reps * k / 2);
		CHECK(
		    !memcmp(a.thread[0].ops, b.thread[0].ops, a.thread[0].nops * sizeof(as_op_t)));
		CHECK(a.expect_live_bytes_peak == b.expect_live_bytes_peak &&
		      a.expect_live_bytes_end == b.expect_live_bytes_end);
		/* filled ahead, given back: at most a huge page's difference
		 * (HELD_SLACK_KB, the plain build: 0-2 MiB more held filled in
		 * 12 runs on session 17's machine). Not under ASan, whose
		 * allocator keeps freed blocks in its quarantine and caches: 12
		 * runs there held 47-59 MB either way, 1.8 MiB less to 3.6 MiB
		 * more filled, and the fresh-clone CI of cc048d4 9.2 MiB more
		 * (8 MiB of slack; 1 in 16 failed at 4 MiB in session 17) */
		printf("fill-ahead: held %ld kB filled, %ld kB not\n", held_a, held_b);
		if (AS_UNDER_ASAN)
			as_check_skip_case("memory held filled ahead against not (ASan's allocator "
			                   "caches decide it)");
		else
			CHECKF(held_a < held_b + HELD_SLACK_KB, "held %ld kB filled, %ld kB not",
			       held_a, held_b);
		as_opstream_free(&a);
		as_opstream_free(&b);
	}
	unlink(path);
	return as_check_done();
}
