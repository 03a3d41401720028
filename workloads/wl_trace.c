/* wl_trace.c - the "trace" workload: replays a trace file (binary or CSV)
 * as an op stream, one stream thread per traced thread (or all on one with
 * serialize=1), objects renamed to dense ids that are reused after a free
 * (one pass: a flat table object number -> dense id, since object numbers
 * are themselves dense, 0, 1, 2, ... in allocation order).
 * Cross-thread order comes from as_opstream_push. It also computes the live
 * bytes the engine must see, so the worker can check the replay's fidelity.
 * A free's object and dense id are found at random over the live set (three
 * cache misses each: its id, the id's size, the stream's liveness byte of
 * the id): events are therefore handled AHEAD behind the reader, and the
 * lines each needs are fetched while the events before it run (a hint
 * only: what is computed is the same).
 * A large binary trace's op array (thread 0's) is mapped once at a bound
 * on its op count and filled ahead by a second thread (FILL AHEAD below):
 * in this VM most of a large build's kernel time is the first touch of
 * fresh memory, which that thread takes off the building one.
 * Replays as fast as possible: recorded times are not waited for. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <linux/futex.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "shell_word.h"
#include "trace.h"
#include "workload.h"

typedef struct {
	char file[AS_PARAM_PATH_MAX];
	int serialize;
	int touch;
} trace_params_t;

static const as_param_spec_t trace_spec[] = {
    {"file", AS_PARAM_PATH, "", 0, 0, NULL, "trace file (binary or CSV); required",
     offsetof(trace_params_t, file)},
    {"serialize", AS_PARAM_BOOL, "0", 0, 0, NULL,
     "fold every thread into one stream in recorded order (for non-thread-safe modules)",
     offsetof(trace_params_t, serialize)},
    AS_TOUCH_SPEC(trace_params_t, touch, "pages"),
};

/* events read but not yet handled; a power of 2 */
#define AHEAD 16

/* ---- FILL AHEAD ----
 * A fresh page costs its first touch: the kernel zeroes it and, in this
 * VM (a Firecracker guest whose balloon reports free memory back to the
 * host, page_reporting), the host backs it again: ~1 s of CPU per 512 MB
 * not touched recently, against ~0.04 s for memory freed a moment ago
 * (docs/traces.md). A 30 M-event trace writes 480 MB of ops. The builder
 * reserves thread 0's op array once, at a bound on the ops the file can
 * hold (a binary record is at least 2 bytes), and a second thread
 * populates it (MADV_POPULATE_WRITE: page tables only, no byte written, so
 * it never races the builder's stores) a little ahead of the builder: up
 * to FILL_MIN + 1/64 of what is written, so at most that much is
 * populated and not used when the build ends (given back then).
 * That thread is a bare clone(), not pthread_create: after any
 * pthread_create glibc marks the process multi-threaded for good and its
 * malloc takes the arena lock (atomic instructions) on every call, which
 * would slow the glibc module's one-thread replay that follows. The clone
 * runs one leaf function on its own stack with every signal blocked,
 * calls nothing of libc (raw system calls: no errno, no TLS) and is
 * waited for (its tid cleared by the kernel at exit) before the build
 * returns: none is left at the trial's baseline. Traces under FILL_FROM
 * bytes of ops, CSV, compressed files, a kernel without
 * MADV_POPULATE_WRITE (the build faults the pages itself), another CPU
 * than x86-64, or ALLOCSCOPE_NO_FILL_AHEAD=1 (the A/B): built as before,
 * by one thread. */
#define FILL_CHUNK ((size_t)2 << 20) /* one huge page */
#define FILL_MIN   ((size_t)4 << 20)
#define FILL_FROM  ((size_t)32 << 20)
#define FILL_STACK ((size_t)64 << 10)
#define FILL_EVERY 4096u /* events between the builder's progress reports */

typedef struct {
	char *base;   /* thread 0's ops as reserved; never moved while filling */
	size_t bytes; /* the reservation */
	_Atomic size_t written;
	_Atomic int stop;
	size_t filled; /* the filler's: bytes populated from base */
	void *stack;
	_Atomic pid_t tid; /* the filler's; 0 once it has exited (CLONE_CHILD_CLEARTID) */
	int running;
} fill_t;

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif

#if defined(__x86_64__)
#define FILL_CAN 1
/* A system call without libc (errno is the parent's TLS). */
__attribute__((no_sanitize("address", "undefined"))) static inline long raw3(long nr, long a,
                                                                             long b, long c)
{
	long r;
	__asm__ volatile("syscall"
	                 : "=a"(r)
	                 : "a"(nr), "D"(a), "S"(b), "d"(c)
	                 : "rcx", "r11", "memory");
	return r;
}

__attribute__((no_sanitize("address", "undefined"))) static int fill_main(void *arg)
{
	fill_t *f = arg;
	while (!atomic_load_explicit(&f->stop, memory_order_acquire)) {
		size_t w = atomic_load_explicit(&f->written, memory_order_relaxed);
		size_t to = w + FILL_MIN + w / 64, n;
		to = (to + FILL_CHUNK - 1) & ~(FILL_CHUNK - 1);
		if (to > f->bytes)
			to = f->bytes;
		if (f->filled >= to) {
			struct timespec ts = {0, 200000};
			if (f->filled >= f->bytes)
				break;
			raw3(SYS_nanosleep, (long)&ts, 0, 0);
			continue;
		}
		n = to - f->filled < FILL_CHUNK ? to - f->filled : FILL_CHUNK;
		if (raw3(SYS_madvise, (long)(f->base + f->filled), (long)n, MADV_POPULATE_WRITE) !=
		    0)
			break; /* refused: the builder faults the rest itself */
		f->filled += n;
	}
	return 0; /* clone()'s code exits the thread (SYS_exit) */
}
#else
#define FILL_CAN 0
#endif

/* A bound on the ops of the binary trace at path, or 0 when it is not one
 * worth filling ahead (CSV, compressed, small, unreadable). */
static uint64_t fill_bound(const char *path)
{
	char magic[AS_TRACE_MAGIC_LEN];
	struct stat st;
	uint64_t n;
	const char *e = getenv("ALLOCSCOPE_NO_FILL_AHEAD");
	int fd;
	if (!FILL_CAN || (e && *e && strcmp(e, "0") != 0))
		return 0;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) ||
	    pread(fd, magic, sizeof(magic), 0) != (ssize_t)sizeof(magic) ||
	    memcmp(magic, AS_TRACE_MAGIC, AS_TRACE_MAGIC_LEN) != 0) {
		close(fd);
		return 0;
	}
	close(fd);
	n = ((uint64_t)st.st_size - 16) / 2; /* a record: its byte and a time delta */
	return n * sizeof(as_op_t) >= FILL_FROM ? n : 0;
}

/* Reserve thread 0's ops at the bound and start the filler; on any
 * failure the build goes on without (the reservation is harmless). */
static void fill_start(fill_t *f, as_opstream_t *s, uint64_t bound)
{
#if FILL_CAN
	sigset_t all, old;
	int r;
	if (!bound || as_opstream_reserve(s, 0, bound) != 0)
		return;
	f->base = (char *)s->thread[0].ops;
	f->bytes = (size_t)s->thread[0].cap * sizeof(as_op_t);
	f->stack = mmap(NULL, FILL_STACK, PROT_READ | PROT_WRITE,
	                MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_STACK, -1, 0);
	if (f->stack == MAP_FAILED) {
		f->stack = NULL;
		return;
	}
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old); /* the filler inherits it */
	r = clone(fill_main, (char *)f->stack + FILL_STACK,
	          CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD | CLONE_SYSVSEM |
	              CLONE_PARENT_SETTID | CLONE_CHILD_CLEARTID,
	          f, (pid_t *)&f->tid, NULL, (pid_t *)&f->tid);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (r <= 0) {
		munmap(f->stack, FILL_STACK);
		f->stack = NULL;
		return;
	}
	f->running = 1;
#else
	(void)f;
	(void)s;
	(void)bound;
#endif
}

/* Stop the filler and wait until it has exited (the kernel clears its tid
 * and wakes the futex then; its stack is no longer used). */
static void fill_stop(fill_t *f)
{
	pid_t t;
	if (!f->running)
		return;
	atomic_store_explicit(&f->stop, 1, memory_order_release);
	while ((t = atomic_load(&f->tid)) != 0)
		syscall(SYS_futex, (pid_t *)&f->tid, FUTEX_WAIT, t, NULL, NULL, 0);
	munmap(f->stack, FILL_STACK);
	f->stack = NULL;
	f->running = 0;
}

/* idof of an object freed: the builder checks liveness itself (the reader
 * does not, AS_TRACE_READ_LIVE_UNCHECKED). Never an id: ids stop below
 * UINT32_MAX. Every object a record can name (one allocated before, the
 * reader checks) has its entry written at its allocation. */
#define ID_DEAD UINT32_MAX

typedef struct {
	as_opstream_t *s;
	int serialize;
	uint32_t *idof; /* object number -> dense id, or ID_DEAD */
	uint64_t idof_cap;
	uint32_t *free_ids;
	uint64_t nfree, free_cap;
	uint64_t *size; /* dense id -> current size */
	uint64_t size_cap;
	uint32_t next_id;
	uint32_t max_thread;
	int64_t live, live_peak;
	int64_t tlive[AS_MAX_THREADS], tpeak[AS_MAX_THREADS];
	uint64_t frees;
	as_tev_t ring[AHEAD]; /* event n is ring[n % AHEAD] */
	uint64_t nread;       /* events read; those before nread - AHEAD + 1 are handled */
	fill_t fill;
} build_t;

static int grow(void **p, uint64_t *cap, uint64_t need, size_t elem)
{
	uint64_t n = *cap ? *cap : 4096;
	void *q;
	while (n <= need)
		n *= 2;
	q = *p ? mremap(*p, *cap * elem, n * elem, MREMAP_MAYMOVE)
	       : mmap(NULL, n * elem, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (q == MAP_FAILED)
		return -1;
	if (n * elem >= (4u << 20)) /* fewer faults, fewer TLB misses (a hint) */
		madvise(q, n * elem, MADV_HUGEPAGE);
	*p = q;
	*cap = n;
	return 0;
}

static inline __attribute__((always_inline)) int handle(build_t *b, const as_tev_t *ev,
                                                        as_trace_err_t *err)
{
	uint32_t t = b->serialize ? 0 : ev->thread;
	uint64_t id;
	int64_t delta = 0;
	as_op_kind_t kind;

	if (ev->thread > b->max_thread)
		b->max_thread = ev->thread;
	switch (ev->op) {
	case AS_TEV_ALLOC:
	case AS_TEV_CALLOC:
		if (b->nfree) {
			id = b->free_ids[--b->nfree];
		} else {
			if (b->next_id == UINT32_MAX)
				goto out_ids;
			id = b->next_id++;
		}
		if (id >= b->size_cap &&
		    grow((void **)&b->size, &b->size_cap, id, sizeof(uint64_t)) != 0)
			goto out_nomem;
		if (ev->obj >= b->idof_cap &&
		    grow((void **)&b->idof, &b->idof_cap, ev->obj, sizeof(uint32_t)) != 0)
			goto out_nomem;
		b->idof[ev->obj] = (uint32_t)id;
		delta = (int64_t)ev->size;
		b->size[id] = ev->size;
		kind = ev->op == AS_TEV_CALLOC ? AS_OP_CALLOC : AS_OP_ALLOC;
		break;
	case AS_TEV_REALLOC:
		if (ev->obj >= b->idof_cap || (id = b->idof[ev->obj]) == ID_DEAD)
			goto out_dead;
		delta = (int64_t)ev->size - (int64_t)b->size[id];
		b->size[id] = ev->size;
		kind = AS_OP_REALLOC;
		break;
	case AS_TEV_FREE:
		if (ev->obj >= b->idof_cap || (id = b->idof[ev->obj]) == ID_DEAD)
			goto out_dead;
		b->idof[ev->obj] = ID_DEAD;
		delta = -(int64_t)b->size[id];
		b->size[id] = 0;
		if (b->nfree >= b->free_cap &&
		    grow((void **)&b->free_ids, &b->free_cap, b->nfree, sizeof(uint32_t)) != 0)
			goto out_nomem;
		b->free_ids[b->nfree++] = (uint32_t)id;
		b->frees++;
		kind = AS_OP_FREE;
		break;
	default: return 0; /* FREE_UNKNOWN: nothing to replay */
	}
	if (as_opstream_push(b->s, t, kind, (uint32_t)id, ev->op == AS_TEV_FREE ? 0 : ev->size,
	                     ev->align_log2) != 0)
		goto out_nomem;
	/* the whole trace in recorded order, and the engine's own count: per
	 * stream thread, peak updated on growth */
	b->live += delta;
	if (b->live > b->live_peak)
		b->live_peak = b->live;
	b->tlive[t] += delta;
	if (delta > 0 && b->tlive[t] > b->tpeak[t]) {
		b->tpeak[t] = b->tlive[t];
		b->s->thread[t].peak_at = b->s->thread[t].nops; /* the engine samples there */
	}
	return 0;
out_dead:
	snprintf(err->msg, sizeof(err->msg), "%s of object %llu, which is not live",
	         ev->op == AS_TEV_FREE ? "double free" : "realloc", (unsigned long long)ev->obj);
	return -1;
out_ids:
	snprintf(err->msg, sizeof(err->msg), "more than 2^32 objects live at once");
	return -1;
out_nomem:
	snprintf(err->msg, sizeof(err->msg), "out of memory building the op stream");
	return -1;
}

static int names_live(const as_tev_t *ev)
{
	return ev->op == AS_TEV_FREE || ev->op == AS_TEV_REALLOC;
}

/* Event n arrives: fetch its object's id line, the size and liveness
 * lines of event n - AHEAD / 2 (whose id line came in by now) and handle event
 * n - AHEAD + 1. An id read early may be stale (its object allocated by
 * an event still waiting): only a wasted fetch. An error here (out of
 * memory) is reported at the reader's position, up to AHEAD - 1 events on. */
static int on_event(void *vctx, const as_tev_t *ev, as_trace_err_t *err)
{
	build_t *b = vctx;
	uint64_t n = b->nread++;
	as_tev_t *r = &b->ring[n % AHEAD];
	/* field by field: the reader has just built ev with narrow stores,
	 * which cannot forward to the 16-byte loads of a whole-struct copy
	 * (two stalled loads per event) */
	r->op = ev->op;
	r->align_log2 = ev->align_log2;
	r->thread = ev->thread;
	r->pad = 0;
	r->obj = ev->obj;
	r->size = ev->size;
	r->time_ns = ev->time_ns;
	if (names_live(ev) && ev->obj < b->idof_cap)
		__builtin_prefetch(&b->idof[ev->obj], 0);
	if (n >= AHEAD / 2) {
		const as_tev_t *m = &b->ring[(n - AHEAD / 2) % AHEAD];
		if (names_live(m) && m->obj < b->idof_cap) {
			uint32_t id = b->idof[m->obj];
			if (id < b->size_cap)
				__builtin_prefetch(&b->size[id], 1);
			if (id < b->s->live_cap) /* as_opstream_push marks it dead */
				__builtin_prefetch(&b->s->id_live[id], 1);
		}
	}
	if (b->fill.running && n % FILL_EVERY == 0) {
		const as_opthread_t *th = &b->s->thread[0];
		/* the array must not move under the filler: stop it well
		 * before a push would grow it (never, below the bound) */
		if (th->ops != (void *)b->fill.base || th->nops + 2 * FILL_EVERY >= th->cap)
			fill_stop(&b->fill);
		else
			atomic_store_explicit(&b->fill.written, th->nops * sizeof(as_op_t),
			                      memory_order_relaxed);
	}
	return n >= AHEAD - 1 ? handle(b, &b->ring[(n - (AHEAD - 1)) % AHEAD], err) : 0;
}

/* The events still waiting when the reader is done. */
static int drain(build_t *b, const char *file, char *msg, size_t len)
{
	as_trace_err_t err = {0};
	for (uint64_t n = b->nread > AHEAD - 1 ? b->nread - (AHEAD - 1) : 0; n < b->nread; n++)
		if (handle(b, &b->ring[n % AHEAD], &err) != 0) {
			as_path_err(msg, len, file, "%s", err.msg);
			return -1;
		}
	return 0;
}

static int trace_build(const void *pv, const as_wl_ctx_t *ctx, as_opstream_t *out, char *err,
                       size_t errlen)
{
	const trace_params_t *p = pv;
	build_t *b;
	int r;

	(void)ctx;
	if (!p->file[0]) {
		snprintf(err, errlen, "no trace file given (trace:FILE or trace:file=FILE)");
		return -1;
	}
	b = mmap(NULL, sizeof(*b), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (b == MAP_FAILED) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	/* the trace decides its thread count, not -t */
	as_opstream_free(out);
	as_opstream_init(out, p->serialize ? 1 : AS_MAX_THREADS);
	b->s = out;
	out->own_live_bytes = 1; /* tlive and tpeak below, and each thread's peak_at */
	b->serialize = p->serialize;
	fill_start(&b->fill, out, fill_bound(p->file));
	/* liveness: handle()'s idof checks it; the bitmap would cost a second
	 * random access per free (the CLI's check read it with every check) */
	r = as_trace_read_file_flags(p->file, on_event, b, NULL, AS_TRACE_READ_LIVE_UNCHECKED, err,
	                             errlen);
	if (r == 0)
		r = drain(b, p->file, err, errlen);
	fill_stop(&b->fill);
	if (b->fill.base && out->thread[0].ops == (void *)b->fill.base) {
		/* what was populated past the last op's huge page goes back */
		size_t used =
		    (out->thread[0].nops * sizeof(as_op_t) + FILL_CHUNK - 1) & ~(FILL_CHUNK - 1);
		if (used < b->fill.filled)
			madvise(b->fill.base + used, b->fill.filled - used, MADV_DONTNEED);
	}
	if (r == 0) {
		int64_t peak = 0;
		out->nthreads = p->serialize ? 1 : b->max_thread + 1;
		for (uint32_t t = 0; t < out->nthreads; t++)
			if (b->tpeak[t] > peak)
				peak = b->tpeak[t];
		out->touch = (as_touch_t)p->touch;
		out->needs_free = b->frees > 0;
		out->expect_live_bytes_peak = b->live_peak; /* in recorded global order */
		out->expect_thread_live_bytes_peak = peak;
		out->expect_live_bytes_end = b->live; /* the same whatever the interleaving */
	}
	if (b->idof)
		munmap(b->idof, b->idof_cap * sizeof(uint32_t));
	if (b->free_ids)
		munmap(b->free_ids, b->free_cap * sizeof(uint32_t));
	if (b->size)
		munmap(b->size, b->size_cap * sizeof(uint64_t));
	munmap(b, sizeof(*b));
	return r ? -1 : 0;
}

/* n[0]: events, n[1]: allocations (alloc, calloc; a realloc needs one) */
static int count_event(void *ctx, const as_tev_t *ev, as_trace_err_t *err)
{
	uint64_t *n = ctx;
	(void)err;
	n[0]++;
	n[1] += ev->op == AS_TEV_ALLOC || ev->op == AS_TEV_CALLOC;
	return 0;
}

/* Before any trial: the file must read to the end as a trace (so a missing
 * or malformed trace is one line and exit 2, not a failed row per trial). */
static int trace_check(const void *pv, char *err, size_t errlen)
{
	const trace_params_t *p = pv;
	uint64_t n[2] = {0, 0};
	if (!p->file[0]) {
		snprintf(err, errlen, "key 'file': a trace file is required (trace:FILE)");
		return -1;
	}
	if (as_trace_read_file(p->file, count_event, n, NULL, err, errlen) != 0)
		return -1;
	if (n[0] == 0) {
		as_path_err(err, errlen, p->file, "the trace has no events: nothing to replay");
		return -1;
	}
	if (n[1] == 0) {
		/* only frees of objects from before the trace: no-ops, no time to
		 * measure (ns/op would be nan) */
		as_path_err(err, errlen, p->file,
		            "the trace has no allocation (%llu events, all frees of unknown "
		            "objects): nothing to replay",
		            (unsigned long long)n[0]);
		return -1;
	}
	return 0;
}

const as_workload_t as_wl_trace = {
    .name = "trace",
    .description = "replay a trace file (allocscope capture / trace import / CSV)",
    .params = trace_spec,
    .nparams = sizeof(trace_spec) / sizeof(trace_spec[0]),
    .params_size = sizeof(trace_params_t),
    .build = trace_build,
    .check = trace_check,
};
