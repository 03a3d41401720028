/* libc_count.c - see libc_count.h. Each entry adds one to a relaxed atomic
 * counter (a few ns outside the timed region; in it, only a module's stray
 * call pays it) and calls glibc's exported __libc_* entry, so the memory
 * and its errors are glibc's as before. posix_memalign, aligned_alloc and
 * reallocarray have no __libc_ entry: their checks are glibc's, written
 * here. malloc_usable_size and mallopt allocate nothing: not wrapped. The
 * entries live in a section of their own (as_libc_wrap) and call glibc's
 * entry as a call, never a jump: libc_probe.h's uprobes leave out a call
 * whose return address is in that section, which was counted here. */
#define _GNU_SOURCE
#include "libc_count.h"

#include "asan.h"
#include "libc_probe.h"

#if AS_UNDER_ASAN || AS_UNDER_TSAN
uint64_t as_libc_calls(void)
{
	return AS_LIBC_CALLS_UNCOUNTED;
}
#else
#include <errno.h>
#include <stdatomic.h>
#include <malloc.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

extern void *__libc_malloc(size_t n);
extern void __libc_free(void *p);
extern void *__libc_calloc(size_t k, size_t n);
extern void *__libc_realloc(void *p, size_t n);
extern void *__libc_memalign(size_t a, size_t n);
extern void *__libc_valloc(size_t n);
extern void *__libc_pvalloc(size_t n);

static _Atomic uint64_t calls;

/* glibc's own code (libc.so.6, ld.so): its calls into malloc are not a
 * module's. ld.so allocates a dlopen'ed library's thread-local block with
 * malloc the first time a thread touches it (__tls_get_addr), and a
 * thread a module starts gets its TLS the same way: an outside review's
 * module with __thread free lists, and jemalloc:background_thread=1, were
 * flagged for those (threads - 1 calls). The ranges are the executable
 * segments of those two objects, read once before main. */
#define MAX_GLIBC_RANGES 8
static uintptr_t glibc_lo[MAX_GLIBC_RANGES], glibc_hi[MAX_GLIBC_RANGES];
static int nglibc;

__attribute__((constructor)) static void find_glibc(void)
{
	nglibc = as_glibc_text(glibc_lo, glibc_hi, MAX_GLIBC_RANGES);
}

static int from_glibc(const void *ret)
{
	uintptr_t a = (uintptr_t)ret;
	for (int i = 0; i < nglibc; i++)
		if (a >= glibc_lo[i] && a < glibc_hi[i])
			return 1;
	return 0;
}

/* a call from glibc's own code is not counted (above) */
#define COUNT()                                                                     \
	do {                                                                        \
		if (!from_glibc(__builtin_return_address(0)))                       \
			atomic_fetch_add_explicit(&calls, 1, memory_order_relaxed); \
	} while (0)

/* in the wrappers' section (libc_probe.h leaves out calls from it) */
#define WRAP       __attribute__((section("as_libc_wrap"), noinline))
/* after glibc's entry returns: no tail jump, its return address is ours */
#define NO_TAIL(p) __asm__ volatile("" : "+r"(p))

extern char __start_as_libc_wrap[], __stop_as_libc_wrap[];

void as_libc_wrap_range(uintptr_t *lo, uintptr_t *hi)
{
	*lo = (uintptr_t)__start_as_libc_wrap;
	*hi = (uintptr_t)__stop_as_libc_wrap;
}

/* The probe's count, from its first reading on: a call of the module's
 * that bypassed the entries below, added to theirs. */
static uint64_t bypassed(void)
{
	uint64_t h = as_libc_probe_hits();
	return h == AS_LIBC_PROBE_OFF ? 0 : h;
}

uint64_t as_libc_calls(void)
{
	return atomic_load_explicit(&calls, memory_order_relaxed) + bypassed();
}

WRAP void *malloc(size_t n)
{
	void *p;
	COUNT();
	p = __libc_malloc(n);
	NO_TAIL(p);
	return p;
}

WRAP void free(void *p)
{
	if (!p)
		return;
	COUNT();
	__libc_free(p);
	NO_TAIL(p);
}

WRAP void *calloc(size_t k, size_t n)
{
	void *p;
	COUNT();
	p = __libc_calloc(k, n);
	NO_TAIL(p);
	return p;
}

WRAP void *realloc(void *p, size_t n)
{
	COUNT();
	p = __libc_realloc(p, n);
	NO_TAIL(p);
	return p;
}

WRAP void *reallocarray(void *p, size_t k, size_t n)
{
	size_t b;
	if (__builtin_mul_overflow(k, n, &b)) {
		errno = ENOMEM;
		return NULL;
	}
	return realloc(p, b);
}

WRAP void *memalign(size_t a, size_t n)
{
	void *p;
	COUNT();
	p = __libc_memalign(a, n);
	NO_TAIL(p);
	return p;
}

WRAP void *aligned_alloc(size_t a, size_t n)
{
	if (a == 0 || (a & (a - 1)) != 0) {
		errno = EINVAL;
		return NULL;
	}
	return memalign(a, n);
}

WRAP int posix_memalign(void **out, size_t a, size_t n)
{
	void *p;
	if (a % sizeof(void *) != 0 || a == 0 || (a & (a - 1)) != 0)
		return EINVAL;
	if (!(p = memalign(a, n)))
		return ENOMEM;
	*out = p;
	return 0;
}

WRAP void *valloc(size_t n)
{
	void *p;
	COUNT();
	p = __libc_valloc(n);
	NO_TAIL(p);
	return p;
}

WRAP void *pvalloc(size_t n)
{
	void *p;
	COUNT();
	p = __libc_pvalloc(n);
	NO_TAIL(p);
	return p;
}
#endif
