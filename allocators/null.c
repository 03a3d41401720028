/* null.c - hands out memory from one pre-mapped, pre-faulted buffer and never
 * reuses it: the cheapest possible allocator, so a run on `null` measures the
 * harness's own cost per op (engine, slot table, touch). Not an allocator to
 * use: when the buffer is exhausted it wraps around and reuses it. The
 * default buffer is 16 MiB (room for the conformance suite's largest live
 * set, ~9.5 MiB): pre-faulting 64 MiB cost ~20 ms of every null
 * worker (page allocation and zeroing, then the unmap), and a ring larger
 * than the caches made a write to each new block a cache and TLB miss that
 * an allocator reusing freed memory does not pay (with touch=all null is
 * above glibc at 16 MiB too: docs/measure.md). Blocks up to the buffer's
 * size. */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "allocscope_module.h"

typedef struct {
	uint64_t buffer_bytes;
} null_params_t;

static const as_param_spec_t null_spec[] = {
    {"buffer", AS_PARAM_SIZE, "16M", 1 << 16, 1ULL << 40, NULL,
     "size of the pre-faulted buffer (reused round-robin)", offsetof(null_params_t, buffer_bytes)},
};

typedef struct {
	char *base;
	size_t size;
	size_t next;
} null_inst_t;

static int null_create(const char *params, void **out, char *err, size_t errlen)
{
	null_params_t p;
	null_inst_t *n;
	if (as_params_parse(null_spec, 1, params, &p, err, errlen) != 0)
		return -1;
	n = mmap(NULL, 64 + p.buffer_bytes, PROT_READ | PROT_WRITE,
	         MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (n == MAP_FAILED) {
		strncpy(err, "cannot map the buffer", errlen);
		return -1;
	}
	n->base = (char *)n + 64; /* keep the buffer 64-byte aligned */
	n->size = p.buffer_bytes;
	n->next = 0;
	*out = n;
	return 0;
}

static void null_destroy(void *inst)
{
	null_inst_t *n = inst;
	munmap(n, 64 + n->size);
}

static void *null_alloc(void *inst, size_t size, size_t align)
{
	null_inst_t *n = inst;
	size_t a = align > 16 ? align : 16;
	uintptr_t at = ((uintptr_t)n->base + n->next + a - 1) & ~(uintptr_t)(a - 1);
	size_t off = (size_t)(at - (uintptr_t)n->base);
	if (size > n->size)
		return NULL;
	if (off + size > n->size)
		off = 0;                   /* wrap: contents are never checked by null's users */
	n->next = off + (size ? size : 1); /* alloc(0) pointers stay unique */
	return n->base + off;
}

static void null_free(void *inst, void *ptr, size_t size)
{
	(void)inst;
	(void)ptr;
	(void)size;
}

static const as_module_t null_module = {
    .abi_version = AS_MODULE_ABI_VERSION,
    .struct_size = sizeof(as_module_t),
    .param_spec_size = sizeof(as_param_spec_t),
    .params_version = AS_PARAMS_VERSION,
    .name = "null",
    .version = "1",
    .description = "pre-faulted buffer, no bookkeeping: the harness's own cost per op",
    .caps = AS_CAP_ANY_SIZE | AS_CAP_RECYCLES_LIVE,
    .nparams = 1,
    .params = null_spec,
    .create = null_create,
    .destroy = null_destroy,
    .alloc = null_alloc,
    .free = null_free,
};

AS_MODULE_EXPORT(null_module)
