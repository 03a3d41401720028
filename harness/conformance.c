/* conformance.c - see conformance.h. Checks are small functions taking the
 * loaded vtable and a fresh instance; each returns 0 (pass), 1 (fail, with a
 * reason) or -1 (not applicable: the module does not claim the capability).
 * Blocks are filled with patterns derived from their index and verified later,
 * which catches overlap, short blocks and lost realloc contents. */
#define _GNU_SOURCE
#include "conformance.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "guard.h"
#include "loader.h"
#include "modenv.h"
#include "procstat.h"
#include "stress.h"
#include "util.h"

typedef struct {
	const as_module_t *m;
	void *inst;
	char why[256];
} cctx_t;

typedef int (*check_fn)(cctx_t *c);

#define FAILF(...)                                             \
	do {                                                   \
		snprintf(c->why, sizeof(c->why), __VA_ARGS__); \
		return 1;                                      \
	} while (0)

static inline uint8_t pat(uint64_t idx, uint64_t off)
{
	return (uint8_t)((idx * 131u + off * 7u + 0x5a) & 0xff);
}

static void fill(void *p, size_t n, uint64_t idx)
{
	uint8_t *b = p;
	for (size_t i = 0; i < n; i++)
		b[i] = pat(idx, i);
}

/* Index of the first wrong byte, or n when all are right. */
static size_t verify(const void *p, size_t n, uint64_t idx)
{
	const uint8_t *b = p;
	for (size_t i = 0; i < n; i++)
		if (b[i] != pat(idx, i))
			return i;
	return n;
}

/* Size of block i in the mixed-size checks: 1 B .. 3 KiB, varied. */
static size_t mixed_size(uint64_t i)
{
	static const size_t s[] = {1, 7, 8, 16, 24, 33, 64, 100, 128, 255, 512, 1000, 3072};
	return s[i % (sizeof(s) / sizeof(s[0]))] + (i / 13) % 5;
}

static size_t max_size(const as_module_t *m)
{
	return (m->caps & AS_CAP_ANY_SIZE) ? 3100 : 8;
}

static size_t csize(const as_module_t *m, uint64_t i)
{
	size_t s = mixed_size(i);
	return s > max_size(m) ? max_size(m) : s;
}

static int check_alignment(cctx_t *c)
{
	void *p[64];
	for (int i = 0; i < 64; i++) {
		size_t sz = csize(c->m, (uint64_t)i);
		p[i] = c->m->alloc(c->inst, sz, 0);
		if (!p[i])
			FAILF("alloc(%zu, default) returned NULL", sz);
		if ((uintptr_t)p[i] % 16 && sz >= 16)
			FAILF("alloc(%zu) = %p is not 16-byte aligned", sz, p[i]);
		if ((uintptr_t)p[i] % 8 && sz >= 8)
			FAILF("alloc(%zu) = %p is not 8-byte aligned", sz, p[i]);
	}
	if (c->m->caps & AS_CAP_ANY_SIZE) {
		for (size_t a = 32; a <= 4096; a *= 2) {
			void *q = c->m->alloc(c->inst, 100, a);
			if (!q)
				FAILF("alloc(100, align %zu) returned NULL", a);
			if ((uintptr_t)q % a)
				FAILF("alloc(100, align %zu) = %p is misaligned", a, q);
			fill(q, 100, a);
			if (verify(q, 100, a) != 100)
				FAILF("aligned block of 100 bytes is not writable");
			if (c->m->caps & AS_CAP_FREE)
				c->m->free(c->inst, q, 100);
		}
	}
	if (c->m->caps & AS_CAP_FREE)
		for (int i = 0; i < 64; i++)
			c->m->free(c->inst, p[i], csize(c->m, (uint64_t)i));
	return 0;
}

static int check_no_overlap(cctx_t *c)
{
	enum { N = 4000 };
	void **p = as_map(N * sizeof(void *));
	int r = 0;
	for (uint64_t i = 0; i < N; i++) {
		p[i] = c->m->alloc(c->inst, csize(c->m, i), 0);
		if (!p[i]) {
			snprintf(c->why, sizeof(c->why), "alloc #%llu of %zu bytes returned NULL",
			         (unsigned long long)i, csize(c->m, i));
			r = 1;
			goto out;
		}
		fill(p[i], csize(c->m, i), i);
	}
	for (uint64_t i = 0; i < N; i++) {
		size_t bad = verify(p[i], csize(c->m, i), i);
		if (bad != csize(c->m, i)) {
			snprintf(
			    c->why, sizeof(c->why),
			    "block #%llu (%zu bytes at %p) was overwritten at byte %zu: overlap",
			    (unsigned long long)i, csize(c->m, i), p[i], bad);
			r = 1;
			goto out;
		}
	}
	if (c->m->caps & AS_CAP_FREE)
		for (uint64_t i = 0; i < N; i++)
			c->m->free(c->inst, p[i], csize(c->m, i));
out:
	as_unmap(p, N * sizeof(void *));
	return r;
}

/* Free half, allocate again, verify survivors: reuse must not clobber. */
/* Freed memory is used again: 256 MiB of 3000-byte blocks (64 MiB of a
 * fixed-size module's small ones) allocated, written and freed through a
 * window of 256 live ones must not grow the process by half of that. A
 * module whose free does nothing passed every check until session 20 (an
 * outside review's), and only run's RSS showed it; a hardened allocator's
 * quarantine of freed blocks up to 128 MiB passes (of 64 MiB churned, one
 * of 40 MiB did not). */
static int check_free_returns(cctx_t *c)
{
	enum { WINDOW = 256 };
	const uint64_t churn = (c->m->caps & AS_CAP_ANY_SIZE ? 256ULL : 64ULL) << 20;
	size_t size = c->m->caps & AS_CAP_ANY_SIZE ? 3000 : max_size(c->m);
	uint64_t steps = churn / size;
	void *win[WINDOW] = {0};
	int64_t before = as_rss_kib(), grew;
	for (uint64_t i = 0; i < steps; i++) {
		void **slot = &win[i % WINDOW];
		if (*slot)
			c->m->free(c->inst, *slot, size);
		if (!(*slot = c->m->alloc(c->inst, size, 0))) {
			snprintf(c->why, sizeof(c->why),
			         "alloc returned NULL after %llu alloc/free",
			         (unsigned long long)i);
			return 1;
		}
		memset(*slot, (int)(i & 0xff), size);
	}
	grew = as_rss_kib() - before;
	for (int k = 0; k < WINDOW; k++)
		if (win[k])
			c->m->free(c->inst, win[k], size);
	if (before >= 0 && grew * 1024 > (int64_t)(churn / 2)) {
		snprintf(
		    c->why, sizeof(c->why),
		    "freed memory is not used again: RSS grew %lld KiB over %llu MiB of %zu-byte "
		    "blocks allocated and freed, %d live at a time (does free release "
		    "the block? a quarantine of freed blocks over half of it does this too)",
		    (long long)grew, (unsigned long long)(churn >> 20), size, WINDOW);
		return 1;
	}
	return 0;
}

static int check_free_reuse(cctx_t *c)
{
	enum { N = 2000, ROUNDS = 20 };
	void **p;
	uint64_t *tag;
	int r = 0;
	p = as_map(N * sizeof(void *));
	tag = as_map(N * sizeof(uint64_t));
	for (uint64_t i = 0; i < N && !r; i++) {
		tag[i] = i;
		p[i] = c->m->alloc(c->inst, csize(c->m, i), 0);
		if (!p[i]) {
			snprintf(c->why, sizeof(c->why), "alloc returned NULL");
			r = 1;
			break;
		}
		fill(p[i], csize(c->m, i), i);
	}
	for (uint64_t k = 0; k < ROUNDS && !r; k++) {
		for (uint64_t i = k % 2; i < N && !r; i += 2) {
			c->m->free(c->inst, p[i], csize(c->m, tag[i]));
			tag[i] = i + (k + 1) * N;
			p[i] = c->m->alloc(c->inst, csize(c->m, tag[i]), 0);
			if (!p[i]) {
				snprintf(c->why, sizeof(c->why),
				         "alloc returned NULL after frees (round %llu)",
				         (unsigned long long)k);
				r = 1;
				break;
			}
			fill(p[i], csize(c->m, tag[i]), tag[i]);
		}
		for (uint64_t i = 0; i < N && !r; i++) {
			if (p[i] &&
			    verify(p[i], csize(c->m, tag[i]), tag[i]) != csize(c->m, tag[i])) {
				snprintf(c->why, sizeof(c->why),
				         "live block #%llu corrupted in round %llu of free+alloc",
				         (unsigned long long)i, (unsigned long long)k);
				r = 1;
			}
		}
	}
	for (uint64_t i = 0; i < N; i++)
		if (p[i])
			c->m->free(c->inst, p[i], csize(c->m, tag[i]));
	as_unmap(p, N * sizeof(void *));
	as_unmap(tag, N * sizeof(uint64_t));
	return r;
}

static int check_realloc(cctx_t *c)
{
	static const size_t steps[] = {8, 24, 100, 1000, 5000, 70000, 300000, 40, 16, 200};
	void *p;
	size_t cur;
	cur = steps[0];
	p = c->m->alloc(c->inst, cur, 0);
	if (!p)
		FAILF("alloc(%zu) returned NULL", cur);
	fill(p, cur, 1);
	for (size_t i = 1; i < sizeof(steps) / sizeof(steps[0]); i++) {
		size_t keep = cur < steps[i] ? cur : steps[i];
		void *q = c->m->realloc(c->inst, p, cur, steps[i]);
		if (!q)
			FAILF("realloc(%zu -> %zu) returned NULL", cur, steps[i]);
		if (verify(q, keep, 1) != keep)
			FAILF("realloc(%zu -> %zu) lost contents at byte %zu", cur, steps[i],
			      verify(q, keep, 1));
		fill(q, steps[i], 1);
		p = q;
		cur = steps[i];
	}
	if (c->m->caps & AS_CAP_FREE)
		c->m->free(c->inst, p, cur);
	return 0;
}

static int check_calloc(cctx_t *c)
{
	enum { N = 200 };
	void *p[N];
	size_t sz = max_size(c->m) > 1000 ? 1000 : max_size(c->m);
	/* dirty memory first, so that reuse without zeroing shows */
	for (int i = 0; i < N; i++) {
		p[i] = c->m->alloc(c->inst, sz, 0);
		if (p[i])
			memset(p[i], 0xff, sz);
	}
	if (c->m->caps & AS_CAP_FREE)
		for (int i = 0; i < N; i++)
			if (p[i])
				c->m->free(c->inst, p[i], sz);
	for (int i = 0; i < N; i++) {
		uint8_t *q = c->m->calloc(c->inst, sz, 0);
		if (!q)
			FAILF("calloc(%zu) returned NULL", sz);
		for (size_t k = 0; k < sz; k++)
			if (q[k])
				FAILF("calloc(%zu) block #%d has a non-zero byte at %zu", sz, i, k);
	}
	if (c->m->caps & AS_CAP_ANY_SIZE) {
		uint8_t *big = c->m->calloc(c->inst, 1 << 20, 0);
		if (!big)
			FAILF("calloc(1 MiB) returned NULL");
		for (size_t k = 0; k < (1 << 20); k += 4093)
			if (big[k])
				FAILF("calloc(1 MiB) has a non-zero byte at %zu", k);
	}
	return 0;
}

static int check_zero_size(cctx_t *c)
{
	void *a = c->m->alloc(c->inst, 0, 0);
	void *b = c->m->alloc(c->inst, 0, 0);
	if (a && a == b)
		FAILF("two alloc(0) returned the same pointer %p", a);
	if (c->m->caps & AS_CAP_FREE) {
		if (a)
			c->m->free(c->inst, a, 0);
		if (b)
			c->m->free(c->inst, b, 0);
	}
	return 0;
}

static int check_huge(cctx_t *c)
{
	static const size_t sizes[] = {(size_t)1 << 50, SIZE_MAX / 2, SIZE_MAX - 4096};
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		void *p = c->m->alloc(c->inst, sizes[i], 0);
		if (p)
			FAILF("alloc(%zu) succeeded: impossible request must return NULL",
			      sizes[i]);
	}
	if (c->m->realloc && (c->m->caps & AS_CAP_ANY_SIZE)) {
		void *p = c->m->alloc(c->inst, 64, 0);
		void *q;
		if (!p)
			FAILF("alloc(64) returned NULL");
		fill(p, 64, 9);
		q = c->m->realloc(c->inst, p, 64, (size_t)1 << 50);
		if (q)
			FAILF("realloc to 2^50 bytes succeeded");
		if (verify(p, 64, 9) != 64)
			FAILF("failed realloc damaged the original block");
		if (c->m->caps & AS_CAP_FREE)
			c->m->free(c->inst, p, 64);
	}
	return 0;
}

static int check_large_blocks(cctx_t *c)
{
	static const size_t sizes[] = {64 << 10, 127 << 10, 128 << 10, 129 << 10, 1 << 20, 8 << 20};
	void *p[6];
	for (int i = 0; i < 6; i++) {
		p[i] = c->m->alloc(c->inst, sizes[i], 0);
		if (!p[i])
			FAILF("alloc(%zu) returned NULL", sizes[i]);
		fill(p[i], sizes[i], (uint64_t)i);
	}
	for (int i = 0; i < 6; i++)
		if (verify(p[i], sizes[i], (uint64_t)i) != sizes[i])
			FAILF("block of %zu bytes corrupted: overlap", sizes[i]);
	if (c->m->caps & AS_CAP_FREE)
		for (int i = 0; i < 6; i++)
			c->m->free(c->inst, p[i], sizes[i]);
	return 0;
}

static int check_unsized_free(cctx_t *c)
{
	void *p[100];
	for (int r = 0; r < 3; r++) {
		for (int i = 0; i < 100; i++) {
			p[i] = c->m->alloc(c->inst, csize(c->m, (uint64_t)i), 0);
			if (!p[i])
				FAILF("alloc returned NULL");
			fill(p[i], csize(c->m, (uint64_t)i), (uint64_t)i);
		}
		for (int i = 0; i < 100; i += 2)
			c->m->free(c->inst, p[i], AS_SIZE_UNKNOWN);
		for (int i = 1; i < 100; i += 2)
			if (verify(p[i], csize(c->m, (uint64_t)i), (uint64_t)i) !=
			    csize(c->m, (uint64_t)i))
				FAILF("unsized free corrupted a live block");
		for (int i = 1; i < 100; i += 2)
			c->m->free(c->inst, p[i], AS_SIZE_UNKNOWN);
	}
	if (c->m->realloc && (c->m->caps & AS_CAP_ANY_SIZE)) {
		void *q = c->m->alloc(c->inst, 40, 0);
		if (!q)
			FAILF("alloc returned NULL");
		fill(q, 40, 3);
		q = c->m->realloc(c->inst, q, AS_SIZE_UNKNOWN, 4000);
		if (!q || verify(q, 40, 3) != 40)
			FAILF("realloc with unknown old size lost contents");
		c->m->free(c->inst, q, AS_SIZE_UNKNOWN);
	}
	return 0;
}

static int check_reset(cctx_t *c)
{
	void *first = NULL;
	for (int r = 0; r < 50; r++) {
		for (uint64_t i = 0; i < 500; i++) {
			void *p = c->m->alloc(c->inst, csize(c->m, i), 0);
			if (!p)
				FAILF("alloc returned NULL in phase %d: reset does not release", r);
			if (r == 0 && i == 0)
				first = p;
			fill(p, csize(c->m, i), i);
		}
		if (c->m->reset(c->inst) != 0)
			FAILF("reset() returned an error in phase %d", r);
	}
	(void)first;
	return 0;
}

/* Threads share a small exchange table (under a mutex) through which every
 * 8th block is handed to whichever thread comes next, which frees it. */
typedef struct {
	pthread_mutex_t lock;
	void *ptr[32];
	size_t size[32];
} xchg_t;

typedef struct {
	cctx_t *c;
	int t;
	int bad;
	xchg_t *x;
} thr_arg_t;

static void *thread_body(void *arg)
{
	thr_arg_t *a = arg;
	cctx_t *c = a->c;
	void *p[256];
	for (int r = 0; r < 400 && !a->bad; r++) {
		for (int i = 0; i < 256; i++) {
			uint64_t tag = (uint64_t)a->t * 100000 + (uint64_t)i;
			p[i] = c->m->alloc(c->inst, csize(c->m, tag), 0);
			if (!p[i]) {
				a->bad = 1;
				return NULL;
			}
			fill(p[i], csize(c->m, tag), tag);
		}
		for (int i = 0; i < 256; i++) {
			uint64_t tag = (uint64_t)a->t * 100000 + (uint64_t)i;
			size_t sz = csize(c->m, tag);
			if (verify(p[i], sz, tag) != sz)
				a->bad = 2;
			if (i % 8 == 0) {
				void *old;
				size_t oldsz;
				pthread_mutex_lock(&a->x->lock);
				old = a->x->ptr[i / 8];
				oldsz = a->x->size[i / 8];
				a->x->ptr[i / 8] = p[i];
				a->x->size[i / 8] = sz;
				pthread_mutex_unlock(&a->x->lock);
				if (old)
					c->m->free(c->inst, old, oldsz);
			} else {
				c->m->free(c->inst, p[i], sz);
			}
		}
	}
	return NULL;
}

static int check_threads(cctx_t *c)
{
	enum { T = 4 };
	pthread_t tid[T];
	thr_arg_t a[T];
	static xchg_t x = {PTHREAD_MUTEX_INITIALIZER, {0}, {0}};
	int started = 0, err = 0;
	for (; started < T; started++) {
		a[started] = (thr_arg_t){c, started, 0, &x};
		err = pthread_create(&tid[started], NULL, thread_body, &a[started]);
		if (err != 0)
			break;
	}
	for (int t = 0; t < started; t++)
		pthread_join(tid[t], NULL);
	if (started < T) {
		/* not the module's doing, and not a pass: a skip that says why */
		for (int i = 0; i < 32; i++)
			if (x.ptr[i])
				c->m->free(c->inst, x.ptr[i], x.size[i]);
		snprintf(c->why, sizeof(c->why), "cannot start thread %d: %s%s", started,
		         strerror(err), err == EAGAIN ? " (a limit on processes: ulimit -u)" : "");
		return -1;
	}
	for (int t = 0; t < T; t++) {
		if (a[t].bad == 1)
			FAILF("thread %d: alloc returned NULL", t);
		if (a[t].bad == 2)
			FAILF("thread %d: a block was corrupted by another thread", t);
	}
	for (int i = 0; i < 32; i++)
		if (x.ptr[i])
			c->m->free(c->inst, x.ptr[i], x.size[i]);
	return 0;
}

typedef struct {
	void *ctx;
	int n;
	int bad;
	char name[64];
} stat_acc_t;

static void stat_emit(void *ctx, const char *name, double v)
{
	stat_acc_t *s = ctx;
	s->n++;
	if (!name || !*name || v != v)
		s->bad = 1;
	if (name)
		snprintf(s->name, sizeof(s->name), "%s", name);
}

static int check_stats(cctx_t *c)
{
	stat_acc_t s = {0};
	void *p;
	p = c->m->alloc(c->inst, csize(c->m, 7), 0);
	if (c->m->stats) {
		c->m->stats(c->inst, stat_emit, &s);
		if (s.bad)
			FAILF("stats emitted an empty name or NaN (last: '%s')", s.name);
	}
	if (p && (c->m->caps & AS_CAP_FREE))
		c->m->free(c->inst, p, csize(c->m, 7));
	if (c->m->trim && c->m->trim(c->inst) != 0)
		FAILF("trim() returned an error");
	return 0;
}

static int check_instances(cctx_t *c)
{
	/* destroy + create again must work (every trial and check does it) */
	char err[256];
	void *p;
	c->m->destroy(c->inst);
	c->inst = NULL;
	if (c->m->create(NULL, &c->inst, err, sizeof(err)) != 0)
		FAILF("create after destroy failed: %s", err);
	p = c->m->alloc(c->inst, 32, 0);
	if (!p)
		FAILF("alloc after re-create returned NULL");
	fill(p, 32, 4);
	if (c->m->caps & AS_CAP_FREE)
		c->m->free(c->inst, p, 32);
	return 0;
}

static int check_two_instances(cctx_t *c)
{
	/* two live instances are independent: blocks of one survive the other's
	 * allocations and its destroy. A single-instance module is never asked
	 * for a second live instance (AS_CAP_SINGLE_INSTANCE). */
	enum { N = 200 };
	char err[256];
	void *b = NULL, *pa[N], *pb[N];
	if (c->m->create(NULL, &b, err, sizeof(err)) != 0)
		FAILF("second live instance refused (set AS_CAP_SINGLE_INSTANCE?): %s", err);
	for (uint64_t i = 0; i < N; i++) {
		pa[i] = c->m->alloc(c->inst, csize(c->m, i), 0);
		pb[i] = c->m->alloc(b, csize(c->m, i), 0);
		if (!pa[i] || !pb[i])
			FAILF("alloc #%llu returned NULL with two instances live",
			      (unsigned long long)i);
		fill(pa[i], csize(c->m, i), i);
		fill(pb[i], csize(c->m, i), i + N);
	}
	for (uint64_t i = 0; i < N; i++)
		if (verify(pa[i], csize(c->m, i), i) != csize(c->m, i) ||
		    verify(pb[i], csize(c->m, i), i + N) != csize(c->m, i))
			FAILF("block #%llu overwritten: the two instances share memory",
			      (unsigned long long)i);
	c->m->destroy(b);
	for (uint64_t i = 0; i < N; i++)
		if (verify(pa[i], csize(c->m, i), i) != csize(c->m, i))
			FAILF("block #%llu of the first instance damaged by destroying the second",
			      (unsigned long long)i);
	pa[0] = c->m->alloc(c->inst, 32, 0);
	if (!pa[0])
		FAILF("alloc after destroying the other instance returned NULL");
	fill(pa[0], 32, 5);
	return 0;
}

static as_stress_opts_t stress_opts = {AS_STRESS_OPS_DEFAULT, AS_STRESS_SEED_DEFAULT};

static int check_stress(cctx_t *c)
{
	return as_stress_run(c->m, c->inst, &stress_opts, c->why, sizeof(c->why));
}

/* Whether a check applies, from the vtable alone (before any create, so
 * a check the module does not offer is a SKIP even when create fails): NULL
 * when it applies, else why not ("": the module does not offer it). */
typedef const char *(*skip_fn)(const as_module_t *m);

static const char *needs_free(const as_module_t *m)
{
	return m->caps & AS_CAP_FREE ? NULL : "";
}

static const char *needs_realloc(const as_module_t *m)
{
	return m->realloc && (m->caps & AS_CAP_ANY_SIZE) ? NULL : "";
}

static const char *needs_calloc(const as_module_t *m)
{
	return m->calloc ? NULL : "";
}

static const char *needs_any_size(const as_module_t *m)
{
	return m->caps & AS_CAP_ANY_SIZE ? NULL : "";
}

static const char *needs_unsized_free(const as_module_t *m)
{
	return (m->caps & AS_CAP_SIZE_UNKNOWN) && (m->caps & AS_CAP_FREE) ? NULL : "";
}

static const char *needs_reset(const as_module_t *m)
{
	return m->caps & AS_CAP_RESET ? NULL : "";
}

static const char *needs_threads(const as_module_t *m)
{
	return (m->caps & AS_CAP_THREAD_SAFE) && (m->caps & AS_CAP_FREE) ? NULL : "";
}

static const char *needs_stats(const as_module_t *m)
{
	return m->stats || m->trim ? NULL : "";
}

static const char *needs_distinct(const as_module_t *m)
{
	/* null wraps around its buffer: live blocks share memory by design */
	return m->caps & AS_CAP_RECYCLES_LIVE
	           ? "AS_CAP_RECYCLES_LIVE: the module reuses live memory by design"
	           : NULL;
}

static const char *needs_two(const as_module_t *m)
{
	/* a single-instance module is never asked for a second live instance */
	return m->caps & AS_CAP_SINGLE_INSTANCE
	           ? "AS_CAP_SINGLE_INSTANCE: no second instance is created"
	           : NULL;
}

static const struct {
	const char *name;
	check_fn fn;
	const char *what;
	skip_fn skip; /* NULL: every module */
} checks[] = {
    {"alignment", check_alignment, "16-byte default alignment; explicit 32..4096", NULL},
    {"no_overlap", check_no_overlap, "4000 live blocks keep their patterns", needs_distinct},
    {"free_reuse", check_free_reuse, "sized free + reuse never clobbers live blocks", needs_free},
    {"free_returns", check_free_returns,
     "256 MiB (64 of small fixed blocks) allocated and freed, 256 live at a time: RSS grows "
     "under half of it",
     needs_free},
    {"realloc", check_realloc, "realloc keeps min(old,new) bytes, 8 B..300 KiB", needs_realloc},
    {"calloc", check_calloc, "calloc zeroes, even over reused memory", needs_calloc},
    {"zero_size", check_zero_size, "alloc(0) is NULL or a unique pointer free accepts", NULL},
    {"huge", check_huge, "impossible requests return NULL, failed realloc keeps the block", NULL},
    {"large_blocks", check_large_blocks, "64 KiB..8 MiB blocks around the mmap threshold",
     needs_any_size},
    {"unsized_free", check_unsized_free, "free/realloc with AS_SIZE_UNKNOWN", needs_unsized_free},
    {"reset", check_reset, "reset releases everything, 50 phases", needs_reset},
    {"threads", check_threads, "4 threads, cross-thread frees, patterns intact", needs_threads},
    {"stats_trim", check_stats, "stats names and values are sane; trim succeeds", needs_stats},
    {"recreate", check_instances, "destroy then create again", NULL},
    {"two_instances", check_two_instances, "two live instances are independent", needs_two},
    {"stress", check_stress,
     "random malloc/calloc/realloc/aligned/free, threads, contents + overlap checked", NULL},
};

int as_conformance_quick(const as_module_t *m, void *inst, char *why, size_t len)
{
	/* a check that fails on a NULL stops there: the instance may be full,
	 * so the next check runs on what is left (a bump arena) */
	static const char *const quick[] = {"alignment", "no_overlap", "free_reuse", "realloc",
	                                    "calloc"};
	for (size_t q = 0; q < sizeof(quick) / sizeof(quick[0]); q++)
		for (size_t i = 0; i < sizeof(checks) / sizeof(checks[0]); i++) {
			cctx_t c = {m, inst, ""};
			if (strcmp(checks[i].name, quick[q]) ||
			    (checks[i].skip && checks[i].skip(m)) ||
			    ((m->caps & AS_CAP_RECYCLES_LIVE) && strcmp(quick[q], "alignment")))
				continue;
			/* a module out of memory (bump:region=1m holds 1 MiB; the
			 * checks keep up to a few MiB live) is small, not broken:
			 * the trials say whether the workload fits */
			if (checks[i].fn(&c) > 0 && !strstr(c.why, "returned NULL")) {
				snprintf(why, len, "%s: %s", checks[i].name, c.why);
				return 1;
			}
		}
	return 0;
}

/* The check child's result into buf (*n bytes, -1 none), until the child
 * has exited: a process the module started may hold the pipe open after
 * it, so EOF is not waited for. Returns 0; 1 when it was killed at
 * DEADLINE (its alarm at ALARM did not end it); 2 when it was killed at
 * ALARM, stopped (SIGSTOP): a stopped process's alarm stays pending, and
 * until session 33 it was waited for 10 s more. */
static int await_check(pid_t pid, int fd, char *buf, size_t len, ssize_t *n, uint64_t alarm,
                       uint64_t deadline)
{
	struct pollfd pf = {fd, POLLIN, 0};
	while (!as_guard_exited(pid)) {
		uint64_t now = as_now_ns();
		int stopped = now > alarm && as_guard_state(pid) == 'T';
		if (now > deadline || stopped) {
			kill(pid, SIGKILL);
			return stopped ? 2 : 1;
		}
		if (*n < 0 && poll(&pf, 1, 100) > 0)
			*n = read(fd, buf, len - 1);
		else if (*n >= 0)
			usleep(1000);
	}
	return 0;
}

/* Run one check in a forked child; 0 pass, 1 fail, -1 skip, 2 create
 * refused the params (why: its reason). idx -1 only creates and destroys an
 * instance: the probe that tells bad params from a failing module. The
 * child is contained like a trial's worker (guard.h): a process the module
 * starts does not outlive the check, and the check fails. */
static int run_isolated(const as_module_t *m, const char *params, int idx, unsigned timeout_s,
                        char *why, size_t whylen)
{
	int pfd[2];
	pid_t pid, parent = getpid();
	int status = 0, strays, killed = 0;
	char buf[300];
	ssize_t n = -1;
	struct pollfd pf;
	/* the alarm fires first */
	uint64_t alarm_at = as_now_ns() + (uint64_t)timeout_s * 1000000000ULL,
	         deadline = alarm_at + 10 * 1000000000ULL;

	if (pipe(pfd) != 0) {
		snprintf(why, whylen, "pipe: %s", strerror(errno));
		return 1;
	}
	as_guard_start();
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		cctx_t c = {m, NULL, ""};
		char err[256];
		int rc;
		close(pfd[0]);
		if (as_guard_child(parent) != 0)
			_exit(3);
		/* the module's stdout goes to stderr, as in a run's workers:
		 * stdout is the report of PASS and FAIL lines; and its stdin
		 * is /dev/null, as theirs: the caller's input is not its own */
		if (dup2(STDERR_FILENO, STDOUT_FILENO) < 0)
			close(STDOUT_FILENO);
		{
			int null = open("/dev/null", O_RDONLY | O_CLOEXEC);
			if (null < 0 || dup2(null, STDIN_FILENO) < 0)
				close(STDIN_FILENO);
			if (null > STDIN_FILENO)
				close(null);
		}
		alarm(timeout_s);
		if (m->create(params, &c.inst, err, sizeof(err)) != 0) {
			snprintf(buf, sizeof(buf), "R %s", err);
		} else if (idx < 0) {
			m->destroy(c.inst);
			snprintf(buf, sizeof(buf), "P ");
		} else {
			rc = checks[idx].fn(&c);
			snprintf(buf, sizeof(buf), "%c %s",
			         rc == 0  ? 'P'
			         : rc < 0 ? 'S'
			                  : 'F',
			         c.why);
			if (rc >= 0 && c.inst)
				m->destroy(c.inst);
		}
		if (as_write_all(pfd[1], buf, strlen(buf)) != 0)
			_exit(3);
		_exit(0);
	}
	close(pfd[1]);
	pf.fd = pfd[0];
	pf.events = POLLIN;
	if (pid > 0)
		killed = await_check(pid, pfd[0], buf, sizeof(buf), &n, alarm_at, deadline);
	if (n < 0 && poll(&pf, 1, 0) > 0)
		n = read(pfd[0], buf, sizeof(buf) - 1);
	close(pfd[0]);
	if (pid < 0) {
		snprintf(why, whylen, "fork: %s", strerror(errno));
		return 1;
	}
	strays = as_guard_end(pid, &status, 0);
	if (strays) {
		snprintf(why, whylen,
		         "the module started %d process%s (fork in the check?): a module must "
		         "stay in its caller's process",
		         strays, strays == 1 ? "" : "es");
		return 1;
	}
	if (WIFSIGNALED(status)) {
		/* killed here: the module held off its alarm (blocked or
		 * ignored it, or stopped itself): a hang, not a crash (until
		 * now "crashed on signal 9") */
		if (killed == 2)
			snprintf(why, whylen,
			         "hung: killed after %u s: it was stopped (SIGSTOP or another stop "
			         "signal), which its alarm cannot end",
			         timeout_s);
		else if (killed)
			snprintf(why, whylen,
			         "hung: killed after %u s (its alarm at %u s did not end it: "
			         "SIGALRM blocked or ignored, or the process stopped)",
			         timeout_s + 10, timeout_s);
		else if (WTERMSIG(status) == SIGALRM)
			snprintf(why, whylen, "hung: killed after %u s", timeout_s);
		else
			snprintf(why, whylen, "crashed on signal %d (%s)", WTERMSIG(status),
			         strsignal(WTERMSIG(status)));
		return 1;
	}
	if (n <= 0) {
		/* 3: its write of the result failed (above) */
		snprintf(why, whylen, "no result from the check process%s",
		         WIFEXITED(status) && WEXITSTATUS(status) == 3
		             ? ": it could not write to its result pipe (did the module close "
		               "descriptors it did not open?)"
		             : "");
		return 1;
	}
	buf[n] = '\0';
	snprintf(why, whylen, "%s", buf + 2);
	return buf[0] == 'P' ? 0 : buf[0] == 'S' ? -1 : buf[0] == 'R' ? 2 : 1;
}

int as_conformance_run(const as_spec_t *spec, FILE *out, int verbose, unsigned timeout_s,
                       const as_stress_opts_t *stress)
{
	char err[1024], why[300];
	const char *params = spec->params;
	as_loaded_t lm;
	as_status_t st;
	int failed = 0, passed = 0, skipped = 0;

	if (stress)
		stress_opts = *stress;
	st = as_module_load_safely(spec->name, &lm, err, sizeof(err)) == 0 ? AS_OK : AS_ERR_NOT_SO;
	if (st != AS_OK) {
		fprintf(stderr, "allocscope check: %s\n", err);
		return 2;
	}
	/* params create() refuses are bad input, as in `run`: one line with a
	 * close key for a misspelt one, exit 2, not 15 FAILs (a create that
	 * crashes or hangs is the module's fault: its checks fail below) */
	if (as_module_keys_declared(lm.mod, spec, why, sizeof(why)) != 0 ||
	    run_isolated(lm.mod, params, -1, timeout_s, why, sizeof(why)) == 2) {
		char dym[96];
		for (char *nl = strchr(why, '\n'); nl; nl = strchr(nl, '\n'))
			*nl = ' '; /* one line, as run's */
		fprintf(stderr, "allocscope check: module %s (%s): %s%s\n", lm.mod->name, lm.path,
		        why, as_module_suggest_param(lm.mod, spec, dym, sizeof(dym)));
		return 2;
	}
	fprintf(out, "module %s %s (%s)\n", lm.mod->name, lm.mod->version ? lm.mod->version : "?",
	        lm.path);
	for (size_t i = 0; i < sizeof(checks) / sizeof(checks[0]); i++) {
		const char *skip = checks[i].skip ? checks[i].skip(lm.mod) : NULL;
		int r = -1;
		const char *tag;
		if (skip)
			snprintf(why, sizeof(why), "%s", skip);
		else
			r = run_isolated(lm.mod, params, (int)i, timeout_s, why, sizeof(why));
		if (r == 2) { /* refused now, accepted by the probe: the module's fault */
			char tmp[sizeof(why)];
			memcpy(tmp, why, sizeof(tmp));
			snprintf(why, sizeof(why), "create failed: %.270s", tmp);
			r = 1;
		}
		tag = r == 0 ? "PASS" : r < 0 ? "SKIP" : "FAIL";
		if (r == 0)
			passed++;
		else if (r < 0)
			skipped++;
		else
			failed++;
		if (r < 0 && !why[0])
			snprintf(why, sizeof(why), "the module does not offer it (optional)");
		fprintf(out, "  %s %-13s %s%s%s\n", tag, checks[i].name, checks[i].what,
		        why[0] && (r != 0 || verbose) ? ": " : "", r != 0 || verbose ? why : "");
	}
	fprintf(out, "%s: %d passed, %d failed, %d skipped\n", lm.mod->name, passed, failed,
	        skipped);
	return failed ? 1 : 0;
}
