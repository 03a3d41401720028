/* testmod.c - a small, correct test-only module (a bump allocator over one
 * reserved mapping per instance) built in three variants by
 * tests/CMakeLists.txt:
 *  - TESTMOD_V1: compiled against tests/mods/abi_v1/, a frozen copy of the
 *    module headers as ABI version 1 first shipped them (no param_spec_size),
 *    so it proves that such a module still loads, lists and passes `check`;
 *  - TESTMOD_SINGLE (+ TESTMOD_FLAG): aborts when a second instance is
 *    created while one is live, and says so with AS_CAP_SINGLE_INSTANCE: the
 *    conformance suite must never trigger the abort;
 *  - TESTMOD_SINGLE without TESTMOD_FLAG: the same module not saying so,
 *    which the suite's two_instances check must catch. */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "allocscope_module.h"

#ifndef TESTMOD_NAME
#define TESTMOD_NAME "testmod"
#endif

typedef struct {
	uint64_t region_bytes;
	uint64_t gap_bytes;
} tm_params_t;

static const as_param_spec_t tm_spec[] = {
    {"region", AS_PARAM_SIZE, "256m", 1 << 20, 1ULL << 36, NULL,
     "address space reserved per instance", offsetof(tm_params_t, region_bytes)},
    {"gap", AS_PARAM_SIZE, "0", 0, 4096, NULL, "bytes left unused after each block",
     offsetof(tm_params_t, gap_bytes)},
};

typedef struct {
	char *base;
	size_t size, used, gap;
} tm_t;

#ifdef TESTMOD_SINGLE
static int live;
#endif

static int tm_create(const char *params, void **out, char *err, size_t errlen)
{
	tm_params_t p;
	tm_t *t;
	if (as_params_parse(tm_spec, 2, params, &p, err, errlen) != 0)
		return -1;
#ifdef TESTMOD_SINGLE
	if (live)
		abort(); /* a harness that honours AS_CAP_SINGLE_INSTANCE never gets here */
	live = 1;
#endif
	t = mmap(NULL, sizeof(*t) + p.region_bytes, PROT_READ | PROT_WRITE,
	         MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (t == MAP_FAILED) {
		strncpy(err, "cannot reserve the region", errlen);
		return -1;
	}
	t->base = (char *)t + 4096;
	t->size = p.region_bytes - 4096;
	t->used = 0;
	t->gap = p.gap_bytes;
	*out = t;
	return 0;
}

static void tm_destroy(void *inst)
{
	tm_t *t = inst;
	munmap(t, t->size + 4096 + sizeof(*t));
#ifdef TESTMOD_SINGLE
	live = 0;
#endif
}

static void *tm_alloc(void *inst, size_t size, size_t align)
{
	tm_t *t = inst;
	size_t a = align > 16 ? align : 16;
	size_t at = (t->used + a - 1) & ~(a - 1);
	if (at > t->size || size > t->size - at)
		return NULL;
	t->used = at + (size ? size : 1) + t->gap;
	return t->base + at;
}

static void tm_free(void *inst, void *ptr, size_t size)
{
	(void)inst;
	(void)ptr;
	(void)size;
}

static const as_module_t tm_module = {
    .abi_version = AS_MODULE_ABI_VERSION,
    .struct_size = sizeof(as_module_t),
#ifndef TESTMOD_V1
    .param_spec_size = sizeof(as_param_spec_t),
    .params_version = AS_PARAMS_VERSION,
#endif
    .name = TESTMOD_NAME,
    .version = "1",
    .description = "test-only bump module (ABI and single-instance tests)",
#ifdef TESTMOD_FLAG
    .caps = AS_CAP_ANY_SIZE | AS_CAP_SINGLE_INSTANCE,
#else
    .caps = AS_CAP_ANY_SIZE,
#endif
    .nparams = 2,
    .params = tm_spec,
    .create = tm_create,
    .destroy = tm_destroy,
    .alloc = tm_alloc,
    .free = tm_free,
};

AS_MODULE_EXPORT(tm_module)
