/* mod_syscall_kat.c - test-only module with a known answer for syscall
 * counting: with mode=mmap every alloc is exactly one mmap of KAT_MAP_BYTES
 * and every free exactly one munmap; with mode=brk every alloc moves the
 * program break once (sbrk) and free makes no call; with mode=madvise as
 * mmap, and every free first makes four madvise calls: MADV_DONTNEED twice,
 * MADV_FREE and MADV_WILLNEED once (the advices the counters split out, in
 * counts that tell them apart, and one they do not). Not an allocator. */
#define _GNU_SOURCE
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "allocscope_module.h"

/* 13 pages: a length nothing else in the worker maps, so a strace log can
 * be filtered on it */
#define KAT_MAP_BYTES (13 * 4096)

typedef struct {
	int mode; /* 0 mmap, 1 brk, 2 madvise */
	uint64_t
	    pad; /* room for the parser's 8-byte stores (a -Wstringop-overflow false positive) */
} kat_params_t;

static const as_param_spec_t kat_spec[] = {
    {"mode", AS_PARAM_ENUM, "mmap", 0, 0, "mmap|brk|madvise", "system calls made per alloc",
     offsetof(kat_params_t, mode)},
};

static kat_params_t inst_params;

static int kat_create(const char *params, void **out, char *err, size_t errlen)
{
	if (as_params_parse(kat_spec, 1, params, &inst_params, err, errlen) != 0)
		return -1;
	*out = &inst_params;
	return 0;
}

static void kat_destroy(void *inst)
{
	(void)inst;
}

static void *kat_alloc(void *inst, size_t size, size_t align)
{
	kat_params_t *p = inst;
	void *r;
	(void)align;
	if (size > KAT_MAP_BYTES - 64)
		return NULL;
	if (p->mode != 1) {
		r = mmap(NULL, KAT_MAP_BYTES, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
		         -1, 0);
		return r == MAP_FAILED ? NULL : r;
	}
	r = sbrk(4096); /* one brk call: glibc caches the current break */
	return r == (void *)-1 ? NULL : (void *)(((uintptr_t)r + 15) & ~(uintptr_t)15);
}

static void kat_free(void *inst, void *ptr, size_t size)
{
	kat_params_t *p = inst;
	(void)size;
	if (p->mode == 2) {
		madvise(ptr, KAT_MAP_BYTES, MADV_DONTNEED);
		madvise(ptr, KAT_MAP_BYTES, MADV_DONTNEED);
		madvise(ptr, KAT_MAP_BYTES, MADV_FREE);
		madvise(ptr, KAT_MAP_BYTES, MADV_WILLNEED);
	}
	if (p->mode != 1)
		munmap(ptr, KAT_MAP_BYTES);
}

static const as_module_t kat_module = {
    .abi_version = AS_MODULE_ABI_VERSION,
    .struct_size = sizeof(as_module_t),
    .name = "syscall_kat",
    .version = "1",
    .description = "test: one mmap per alloc and munmap per free, or one brk per alloc",
    .caps = AS_CAP_FREE | AS_CAP_THREAD_SAFE, /* mode=mmap only: sbrk is not */
    .nparams = 1,
    .params = kat_spec,
    .create = kat_create,
    .destroy = kat_destroy,
    .alloc = kat_alloc,
    .free = kat_free,
};

AS_MODULE_EXPORT(kat_module)
