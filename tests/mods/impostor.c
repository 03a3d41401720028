/* impostor.c - a test-only module that calls itself "glibc" and holds
 * memory the way glibc's held shares look, by other means: every block
 * comes from one mmap'd region (never brk), freed blocks go to per-size
 * free lists (never munmap), and with madv=N a freed block of N bytes or
 * more has its pages dropped with madvise, so its RSS goes back as an
 * mmapped block's would. An outside review's module like it had the
 * article's "brk heap" and "munmap on free" claims CONFIRMED from held
 * shares alone; tests/test_claims_mechanism.sh checks that the claims of
 * the mechanism refute it. Built as tests/mods/impostor/glibc.so, found by
 * name through ALLOCSCOPE_MODULE_PATH.
 * Built with IMPOSTOR_ARENA it is tests/mods/impostor/arena.so instead: a
 * bump allocator whose reset keeps every block (nothing is reused), so it
 * is as fast as an arena but leaves each request's memory behind; the
 * phase scenario's "no residue" claim must refute it. It is thread-safe (a
 * lock), so that a 2-thread run shows the engine does not repeat a stream
 * on a module without free where its reset is not called (test_e2e). */
#define _GNU_SOURCE
#include <stddef.h>
#include <stdint.h>
#include <sys/mman.h>

#include "allocscope_module.h"

#define REGION  (8ULL << 30) /* reserved, MAP_NORESERVE */
#define CLASSES (1u << 16)   /* 16-byte classes up to 1 MiB */
#define HEADER  16           /* glibc's chunk overhead, rounded */

typedef struct {
	uint64_t madv;
} im_params_t;

static const as_param_spec_t im_spec[] = {
    {"madv", AS_PARAM_SIZE, "0", 0, 1ULL << 32, NULL,
     "a freed block of this many bytes or more has its pages dropped with madvise (0: never)",
     offsetof(im_params_t, madv)},
};

typedef struct {
	char *cur, *end;
	void **free_list; /* CLASSES heads */
	uint64_t madv;
} impostor_t;

static impostor_t one;

static void *map(size_t n, int flags)
{
	void *p = mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | flags, -1, 0);
	return p == MAP_FAILED ? NULL : p;
}

static int im_create(const char *params, void **out, char *err, size_t errlen)
{
	im_params_t p;
	if (as_params_parse(im_spec, 1, params, &p, err, errlen) != 0)
		return -1;
	one.madv = p.madv;
	if (!one.cur) {
		one.cur = map(REGION, MAP_NORESERVE);
		one.free_list = map(CLASSES * sizeof(void *), 0);
		if (!one.cur || !one.free_list)
			return -1;
		one.end = one.cur + REGION;
	}
	*out = &one;
	return 0;
}

static void im_destroy(void *inst)
{
	(void)inst; /* the region stays: one instance a process */
}

static size_t class_of(size_t size)
{
	return (size + 15) >> 4;
}

static void *im_alloc(void *inst, size_t size, size_t align)
{
	impostor_t *m = inst;
	size_t c = class_of(size ? size : 1);
	uintptr_t p;
	if (size > (1ULL << 32) || align > 4096)
		return NULL;
	if (align <= 16 && c < CLASSES && m->free_list[c]) {
		void *b = m->free_list[c];
		m->free_list[c] = *(void **)b;
		return b;
	}
	if (align < 16)
		align = 16;
	p = ((uintptr_t)m->cur + HEADER + align - 1) & ~(uintptr_t)(align - 1);
	if (p + (c << 4) > (uintptr_t)m->end)
		return NULL;
	((size_t *)p)[-1] = size; /* a header, as glibc writes one */
	m->cur = (char *)(p + (c << 4));
	return (void *)p;
}

static void im_free(void *inst, void *ptr, size_t size)
{
	impostor_t *m = inst;
	size_t c = class_of(size ? size : 1);
	if (m->madv && size >= m->madv) {
		uintptr_t lo = ((uintptr_t)ptr + 16 + 4095) & ~(uintptr_t)4095;
		uintptr_t hi = ((uintptr_t)ptr + size) & ~(uintptr_t)4095;
		if (hi > lo)
			madvise((void *)lo, hi - lo, MADV_DONTNEED);
	}
	if (c < CLASSES) {
		*(void **)ptr = m->free_list[c];
		m->free_list[c] = ptr;
	}
}

#ifdef IMPOSTOR_ARENA
static int lock;

static void *im_alloc_locked(void *inst, size_t size, size_t align)
{
	void *p;
	while (__atomic_exchange_n(&lock, 1, __ATOMIC_ACQUIRE))
		;
	p = im_alloc(inst, size, align);
	__atomic_store_n(&lock, 0, __ATOMIC_RELEASE);
	return p;
}

static int im_reset(void *inst)
{
	(void)inst; /* every block stays: the next request takes new memory */
	return 0;
}

static void im_free_none(void *inst, void *ptr, size_t size)
{
	(void)inst, (void)ptr, (void)size; /* no individual free, as an arena */
}
#endif

static const as_module_t im_module = {
    .abi_version = AS_MODULE_ABI_VERSION,
    .struct_size = sizeof(as_module_t),
    .param_spec_size = sizeof(as_param_spec_t),
    .params_version = AS_PARAMS_VERSION,
#ifdef IMPOSTOR_ARENA
    .name = "arena",
    .description = "test-only: an arena whose reset reuses nothing",
    .caps = AS_CAP_ANY_SIZE | AS_CAP_RESET | AS_CAP_THREAD_SAFE,
    .reset = im_reset,
    .free = im_free_none,
    .alloc = im_alloc_locked,
#else
    .name = "glibc",
    .description = "test-only: glibc's held shares from one mmap region and free lists",
    .caps = AS_CAP_ANY_SIZE | AS_CAP_FREE,
    .free = im_free,
#endif
    .version = "impostor",
    .nparams = 1,
    .params = im_spec,
    .create = im_create,
    .destroy = im_destroy,
#ifndef IMPOSTOR_ARENA
    .alloc = im_alloc,
#endif
};

AS_MODULE_EXPORT(im_module)
