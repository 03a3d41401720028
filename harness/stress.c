/* stress.c - the randomised differential run of the conformance suite (see
 * stress.h): long random sequences of every operation a module claims, on
 * several threads when it is thread-safe, each block's contents checked
 * against a pattern and every block checked for alignment and overlap with
 * the live ones (validate.c, as `--validate` does). Not a measurement. */
#define _GNU_SOURCE
#include "stress.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "util.h"
#include "validate.h"

enum { SLOTS = 1024, XCHG = 64, MAX_T = 4 };

typedef struct {
	uint8_t *p;
	size_t size;  /* bytes asked for (the size free/realloc get) */
	size_t align; /* asked for; 0: default */
	uint64_t tag; /* pattern seed */
} slot_t;

typedef struct {
	pthread_mutex_t lock;
	slot_t s[XCHG];
} xchg_t;

typedef struct {
	const as_module_t *m;
	void *inst;
	const as_stress_opts_t *o;
	xchg_t *x;
	int t;
	uint64_t rng;
	uint64_t op;   /* index of the current op, for messages */
	uint64_t ops;  /* this thread's share of o->ops */
	int exhausted; /* a module without free or reset ran out: not a failure */
	slot_t slot[SLOTS];
	char why[256];
} thr_t;

static uint64_t next(thr_t *a)
{
	/* xorshift64*: repeatable from the seed */
	a->rng ^= a->rng >> 12;
	a->rng ^= a->rng << 25;
	a->rng ^= a->rng >> 27;
	return a->rng * 2685821657736338717ull;
}

static inline uint8_t pat(uint64_t tag, size_t off)
{
	return (uint8_t)((tag * 0x9e3779b97f4a7c15ull >> 56) + off * 7u + (off >> 8));
}

/* Bytes [0, n) checked and filled: all of a block up to 4 KiB, else its
 * first and last 2 KiB (the ends are where neighbours and headers sit). */
#define EDGE 2048u

static void fill(uint8_t *p, size_t n, uint64_t tag)
{
	for (size_t i = 0; i < n; i++) {
		if (n > 2 * EDGE && i == EDGE)
			i = n - EDGE;
		p[i] = pat(tag, i);
	}
}

/* Offset of the first wrong byte among those fill(p, n, tag) wrote that
 * lie below `limit` (n for a whole block; less after a shrinking realloc),
 * or `limit` when all are right. */
static size_t verify_upto(const uint8_t *p, size_t n, size_t limit, uint64_t tag)
{
	for (size_t i = 0; i < n && i < limit; i++) {
		if (n > 2 * EDGE && i == EDGE)
			i = n - EDGE;
		if (i < limit && p[i] != pat(tag, i))
			return i;
	}
	return limit;
}

static size_t verify(const uint8_t *p, size_t n, uint64_t tag)
{
	return verify_upto(p, n, n, tag);
}

/* Sizes: mostly small, some medium, a few around common mmap thresholds. */
static size_t rand_size(thr_t *a)
{
	uint64_t r = next(a);
	if (!(a->m->caps & AS_CAP_ANY_SIZE))
		return 1 + r % 8;
	switch (r % 100) {
	case 0:
	case 1:
	case 2: {
		/* around a power of two from 4 KiB to 1 MiB, where size classes end
		 * and mmap thresholds sit, so that resizes cross them */
		size_t b = (size_t)4096 << (r >> 8) % 9;
		return b - b / 4 + (r >> 16) % (b / 2);
	}
	case 3:
	case 4:
	case 5: return 4096 + (r >> 8) % (60u << 10); /* 4 .. 64 KiB */
	default: return (r >> 8) % (r % 5 == 0 ? 4096 : 512);
	}
}

static int fail(thr_t *a, const char *what, const slot_t *s, size_t at)
{
	snprintf(a->why, sizeof(a->why),
	         "thread %d, op %llu (seed %llu): %s (block of %zu bytes, align %zu, at %p, "
	         "byte %zu)",
	         a->t, (unsigned long long)a->op, (unsigned long long)a->o->seed, what, s->size,
	         s->align, (void *)s->p, at);
	return 1;
}

/* Record a new block: aligned as asked (or as the default alignment for
 * its size), no overlap with any live block, then filled. */
static int took(thr_t *a, uint32_t id, slot_t *s)
{
	size_t want = s->align ? s->align : s->size >= 16 ? 16 : s->size >= 8 ? 8 : 1;
	uint32_t other;
	const void *op;
	uint64_t osize;
	if ((uintptr_t)s->p % want)
		return fail(a, "misaligned", s, 0);
	/* the other block as the checker recorded it: it may be another
	 * thread's, whose slots this thread cannot read */
	if (as_validate_insert_other(id, s->p, s->size, &other, &op, &osize) != 0) {
		char what[160], whose[48];
		if (other >= MAX_T * SLOTS)
			snprintf(whose, sizeof(whose), "being handed between threads");
		else if (other / SLOTS == (uint32_t)a->t)
			snprintf(whose, sizeof(whose), "this thread's");
		else
			snprintf(whose, sizeof(whose), "thread %u's", other / SLOTS);
		snprintf(what, sizeof(what),
		         "overlaps live block %u (%llu bytes at %p, %s): the same memory handed "
		         "out twice",
		         other, (unsigned long long)osize, op, whose);
		return fail(a, what, s, 0);
	}
	fill(s->p, s->size, s->tag);
	return 0;
}

static void release(thr_t *a, uint32_t id, slot_t *s)
{
	int unsized = (a->m->caps & AS_CAP_SIZE_UNKNOWN) && next(a) % 4 == 0;
	as_validate_remove(id);
	a->m->free(a->inst, s->p, unsized ? AS_SIZE_UNKNOWN : s->size);
	s->p = NULL;
}

static int do_alloc(thr_t *a, uint32_t id, slot_t *s)
{
	uint64_t r = next(a);
	s->size = rand_size(a);
	s->align = 0;
	s->tag = r;
	/* aligned requests only in the second half: a module may change how it
	 * frees once it has served one (tcmalloc's goes unsized) */
	if ((a->m->caps & AS_CAP_ANY_SIZE) && r % 10 == 0 && a->op >= a->ops / 2)
		s->align = (size_t)32 << (r >> 8) % 8; /* 32 .. 4096 */
	if (a->m->calloc && r % 10 == 1) {
		s->p = a->m->calloc(a->inst, s->size, s->align);
		for (size_t i = 0; s->p && i < s->size; i++) {
			if (s->size > 2 * EDGE && i == EDGE)
				i = s->size - EDGE;
			if (s->p[i])
				return fail(a, "calloc returned a non-zero byte", s, i);
		}
	} else {
		s->p = a->m->alloc(a->inst, s->size, s->align);
	}
	if (!s->p && !(a->m->caps & AS_CAP_FREE) && !a->m->reset) {
		a->exhausted = 1; /* nothing gives its memory back: the run ends */
		return 1;
	}
	if (!s->p)
		return fail(a, "alloc returned NULL", s, 0);
	return took(a, id, s);
}

/* Grow, shrink a little or shrink a lot; contents kept up to the smaller
 * size, and the block then freed with its new size like any other. */
static int do_realloc(thr_t *a, uint32_t id, slot_t *s)
{
	uint64_t r = next(a);
	size_t n, keep;
	int unsized = (a->m->caps & AS_CAP_SIZE_UNKNOWN) && r % 8 == 0;
	void *q;
	switch (r % 3) {
	case 0: n = s->size + 1 + (r >> 8) % (s->size * 3 + 64); break;
	case 1: n = s->size - s->size / 8 - (s->size > 0); break;
	default: n = s->size / 8; break;
	}
	if (n > (2u << 20))
		n = 2u << 20;
	n += n == 0; /* realloc to 0 may or may not free: the ABI leaves it open */
	/* out of the checker first: once realloc has moved the block, another
	 * thread may be handed the old memory before this one could record it */
	as_validate_remove(id);
	q = a->m->realloc(a->inst, s->p, unsized ? AS_SIZE_UNKNOWN : s->size, n);
	if (!q)
		return fail(a, "realloc returned NULL", s, 0);
	keep = s->size < n ? s->size : n;
	s->p = q;
	s->align = 0;
	{
		size_t bad = verify_upto(s->p, s->size, keep, s->tag);
		if (bad != keep) {
			s->size = n;
			return fail(a, "realloc lost contents", s, bad);
		}
	}
	s->size = n;
	s->tag = next(a);
	return took(a, id, s);
}

/* Give the block in slot `id` to the exchange table and free the one found
 * there (another thread's, when threads share the table) after checking
 * it. Blocks in the table stay in the overlap checker under ids after
 * every thread's own. */
static int do_hand_over(thr_t *a, uint32_t id, slot_t *s)
{
	slot_t old;
	unsigned k = (unsigned)(next(a) % XCHG);
	uint32_t xid = (uint32_t)(MAX_T * SLOTS + k), other;
	size_t bad;
	pthread_mutex_lock(&a->x->lock);
	old = a->x->s[k];
	as_validate_remove(xid);
	as_validate_remove(id);
	as_validate_insert(xid, s->p, s->size, &other);
	a->x->s[k] = *s;
	pthread_mutex_unlock(&a->x->lock);
	s->p = NULL;
	if (!old.p)
		return 0;
	bad = verify(old.p, old.size, old.tag);
	if (bad != old.size)
		return fail(a, "a block handed between threads was overwritten", &old, bad);
	a->m->free(a->inst, old.p, old.size);
	return 0;
}

/* Check and free (or, without free, forget and reset) every block of the
 * thread. Returns 0 or 1 (failure in a->why). */
static int free_all(thr_t *a)
{
	int can_free = (a->m->caps & AS_CAP_FREE) != 0;
	for (uint32_t k = 0; k < SLOTS; k++) {
		slot_t *s = &a->slot[k];
		size_t bad;
		if (!s->p)
			continue;
		bad = verify(s->p, s->size, s->tag);
		if (bad != s->size)
			return fail(a, "contents overwritten while live", s, bad);
		if (can_free) {
			release(a, (uint32_t)a->t * SLOTS + k, s);
		} else {
			as_validate_remove((uint32_t)a->t * SLOTS + k);
			s->p = NULL;
		}
	}
	if (!can_free && a->m->reset)
		a->m->reset(a->inst);
	return 0;
}

static void *run_thread(void *arg)
{
	thr_t *a = arg;
	const as_module_t *m = a->m;
	int can_free = (m->caps & AS_CAP_FREE) != 0;
	for (a->op = 0; a->op < a->ops; a->op++) {
		uint64_t r = next(a);
		uint32_t i = (uint32_t)(r % SLOTS), id = (uint32_t)a->t * SLOTS + i;
		slot_t *s = &a->slot[i];
		size_t bad;
		if (a->op % 8192 == 8191) {
			/* phases: every block freed at once sends whole pages back to
			 * the module's page level (where a block filed under the wrong
			 * size class shows); without free, reset ends the phase */
			if (free_all(a))
				return a;
			continue;
		}
		if (!s->p) {
			if (do_alloc(a, id, s))
				return a;
			continue;
		}
		bad = verify(s->p, s->size, s->tag);
		if (bad != s->size) {
			fail(a, "contents overwritten while live", s, bad);
			return a;
		}
		r >>= 16;
		if (m->realloc && (m->caps & AS_CAP_ANY_SIZE) && r % 3 == 0) {
			if (do_realloc(a, id, s))
				return a;
		} else if (can_free && r % 16 == 1) {
			if (do_hand_over(a, id, s))
				return a;
		} else if (can_free) {
			release(a, id, s);
		} else {
			as_validate_remove(id); /* no free: forget the block */
			s->p = NULL;
		}
	}
	return free_all(a) ? a : NULL;
}

int as_stress_run(const as_module_t *m, void *inst, const as_stress_opts_t *o, char *why,
                  size_t whylen)
{
	static xchg_t x = {PTHREAD_MUTEX_INITIALIZER, {{0}}};
	int nt = (m->caps & AS_CAP_THREAD_SAFE) && (m->caps & AS_CAP_FREE) ? MAX_T : 1;
	thr_t *a;
	pthread_t tid[MAX_T];
	int r = 0, started = nt, err = 0;
	if (m->caps & AS_CAP_RECYCLES_LIVE) {
		snprintf(why, whylen, "recycles-live: the module reuses live memory by design");
		return -1;
	}
	if (as_validate_init(MAX_T * SLOTS + XCHG) != 0) {
		snprintf(why, whylen, "cannot map the overlap checker");
		return 1;
	}
	a = as_map((size_t)nt * sizeof(thr_t));
	if (!a) {
		snprintf(why, whylen, "cannot map the thread state");
		return 1;
	}
	for (int t = 0; t < nt; t++) {
		a[t] = (thr_t){.m = m, .inst = inst, .o = o, .x = &x, .t = t};
		a[t].rng = o->seed * 0x9e3779b97f4a7c15ull + (uint64_t)t + 1;
		a[t].ops = o->ops / (uint64_t)nt + (t == 0) * (o->ops % (uint64_t)nt);
		if (nt > 1 && (err = pthread_create(&tid[t], NULL, run_thread, &a[t])) != 0) {
			started = t; /* the ops of the rest are not run: a skip, below */
			break;
		}
	}
	if (nt == 1)
		run_thread(&a[0]);
	for (int t = 0; t < started && nt > 1; t++)
		pthread_join(tid[t], NULL);
	for (int t = 0; t < started && !r; t++)
		if (a[t].why[0] && !a[t].exhausted) {
			snprintf(why, whylen, "%s", a[t].why);
			r = 1;
		}
	if (!r && started < nt) {
		snprintf(why, whylen, "cannot start thread %d: %s%s", started, strerror(err),
		         err == EAGAIN ? " (a limit on processes: ulimit -u)" : "");
		r = -1;
	}
	for (int k = 0; k < XCHG && (m->caps & AS_CAP_FREE); k++)
		if (x.s[k].p) {
			m->free(inst, x.s[k].p, x.s[k].size);
			x.s[k].p = NULL;
		}
	if (!r && a[0].exhausted)
		snprintf(
		    why, whylen,
		    "stopped after %llu ops, seed %llu: the module (no free, no reset) ran out",
		    (unsigned long long)a[0].op, (unsigned long long)o->seed);
	else if (!r)
		snprintf(why, whylen, "%llu ops on %d thread%s, seed %llu",
		         (unsigned long long)o->ops, nt, nt > 1 ? "s" : "",
		         (unsigned long long)o->seed);
	as_unmap(a, (size_t)nt * sizeof(thr_t));
	return r;
}
