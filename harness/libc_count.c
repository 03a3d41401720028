/* libc_count.c - see libc_count.h. Each entry adds one to a relaxed atomic
 * counter (a few ns outside the timed region; in it, only a module's stray
 * call pays it) and calls glibc's exported __libc_* entry, so the memory
 * and its errors are glibc's as before. posix_memalign, aligned_alloc and
 * reallocarray have no __libc_ entry: their checks are glibc's, written
 * here. malloc_usable_size and mallopt allocate nothing: not wrapped. */
#define _GNU_SOURCE
#include "libc_count.h"

#include "asan.h"

#if AS_UNDER_ASAN || AS_UNDER_TSAN
uint64_t as_libc_calls(void)
{
	return AS_LIBC_CALLS_UNCOUNTED;
}
#else
#include <elf.h>
#include <errno.h>
#include <link.h>
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

static int glibc_ranges(struct dl_phdr_info *info, size_t size, void *data)
{
	const char *n = info->dlpi_name;
	(void)size;
	(void)data;
	if (!n || (!strstr(n, "/libc.so.6") && !strstr(n, "/ld-linux")))
		return 0;
	for (int i = 0; i < info->dlpi_phnum && nglibc < MAX_GLIBC_RANGES; i++)
		if (info->dlpi_phdr[i].p_type == PT_LOAD && (info->dlpi_phdr[i].p_flags & PF_X)) {
			glibc_lo[nglibc] = info->dlpi_addr + info->dlpi_phdr[i].p_vaddr;
			glibc_hi[nglibc] = glibc_lo[nglibc] + info->dlpi_phdr[i].p_memsz;
			nglibc++;
		}
	return 0;
}

__attribute__((constructor)) static void find_glibc(void)
{
	dl_iterate_phdr(glibc_ranges, NULL);
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

uint64_t as_libc_calls(void)
{
	return atomic_load_explicit(&calls, memory_order_relaxed);
}

void *malloc(size_t n)
{
	COUNT();
	return __libc_malloc(n);
}

void free(void *p)
{
	if (!p)
		return;
	COUNT();
	__libc_free(p);
}

void *calloc(size_t k, size_t n)
{
	COUNT();
	return __libc_calloc(k, n);
}

void *realloc(void *p, size_t n)
{
	COUNT();
	return __libc_realloc(p, n);
}

void *reallocarray(void *p, size_t k, size_t n)
{
	size_t b;
	if (__builtin_mul_overflow(k, n, &b)) {
		errno = ENOMEM;
		return NULL;
	}
	return realloc(p, b);
}

void *memalign(size_t a, size_t n)
{
	COUNT();
	return __libc_memalign(a, n);
}

void *aligned_alloc(size_t a, size_t n)
{
	if (a == 0 || (a & (a - 1)) != 0) {
		errno = EINVAL;
		return NULL;
	}
	return memalign(a, n);
}

int posix_memalign(void **out, size_t a, size_t n)
{
	void *p;
	if (a % sizeof(void *) != 0 || a == 0 || (a & (a - 1)) != 0)
		return EINVAL;
	if (!(p = memalign(a, n)))
		return ENOMEM;
	*out = p;
	return 0;
}

void *valloc(size_t n)
{
	COUNT();
	return __libc_valloc(n);
}

void *pvalloc(size_t n)
{
	COUNT();
	return __libc_pvalloc(n);
}
#endif
