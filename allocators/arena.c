/* arena.c - the region (arena) allocator: a chain of mapped blocks, each
 * twice the previous one up to a cap, bumped through; individual free is a
 * no-op, reset releases everything at once (keeping the newest block), and
 * mark/release rolls back to a saved point. mark/release are not in the
 * module ABI: they are two extra exported functions, allocscope_arena_mark
 * and allocscope_arena_release, for code that dlsym()s them (the tests).
 * Not thread-safe: one instance per thread. */
#define _GNU_SOURCE
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>

#include "allocscope_module.h"
#include "arena_api.h"

typedef struct {
	uint64_t first_bytes;
	uint64_t max_block_bytes;
	double growth;
} arena_params_t;

static const as_param_spec_t arena_spec[] = {
    {"block", AS_PARAM_SIZE, "64k", 4096, 1ULL << 40, NULL, "size of the first block",
     offsetof(arena_params_t, first_bytes)},
    {"max_block", AS_PARAM_SIZE, "64m", 4096, 1ULL << 40, NULL,
     "blocks stop growing at this size (a bigger request gets a block of its own size)",
     offsetof(arena_params_t, max_block_bytes)},
    {"growth", AS_PARAM_DOUBLE, "2", 1, 16, NULL, "each new block is this many times the last",
     offsetof(arena_params_t, growth)},
};

/* Header at the start of each mapped block. */
typedef struct block {
	struct block *prev; /* older block */
	size_t len;         /* bytes mapped, header included */
} block_t;

typedef struct {
	block_t *cur; /* newest block */
	char *ptr;    /* next free byte in cur */
	char *end;
	char *last; /* newest allocation, for in-place realloc */
	size_t next_len;
	size_t first_len, max_len;
	double growth;
	uint64_t blocks, block_bytes, allocs, resets, releases, failed;
} arena_t;

#define BLOCK_HDR ((sizeof(block_t) + 15) & ~(size_t)15)

static int new_block(arena_t *a, size_t need)
{
	size_t len = a->next_len;
	block_t *b;
	if (len < need + BLOCK_HDR + 64)
		len = (need + BLOCK_HDR + 64 + 4095) & ~(size_t)4095;
	b = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (b == MAP_FAILED)
		return -1;
	b->prev = a->cur;
	b->len = len;
	a->cur = b;
	a->ptr = (char *)b + BLOCK_HDR;
	a->end = (char *)b + len;
	a->blocks++;
	a->block_bytes += len;
	if (a->next_len < a->max_len) {
		double n = (double)a->next_len * a->growth;
		a->next_len =
		    n > (double)a->max_len ? a->max_len : ((size_t)n + 4095) & ~(size_t)4095;
	}
	return 0;
}

static int arena_create(const char *params, void **out, char *err, size_t errlen)
{
	arena_params_t p;
	arena_t *a;
	if (as_params_parse(arena_spec, 3, params, &p, err, errlen) != 0)
		return -1;
	if (p.first_bytes > p.max_block_bytes) {
		snprintf(err, errlen, "arena: block (%llu) is larger than max_block (%llu)",
		         (unsigned long long)p.first_bytes, (unsigned long long)p.max_block_bytes);
		return -1;
	}
	a = mmap(NULL, sizeof(*a), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (a == MAP_FAILED) {
		snprintf(err, errlen, "arena: cannot map the instance");
		return -1;
	}
	memset(a, 0, sizeof(*a));
	a->first_len = (p.first_bytes + 4095) & ~(size_t)4095;
	a->max_len = (p.max_block_bytes + 4095) & ~(size_t)4095;
	a->growth = p.growth;
	a->next_len = a->first_len;
	if (new_block(a, 0) != 0) {
		munmap(a, sizeof(*a));
		snprintf(err, errlen, "arena: cannot map the first block");
		return -1;
	}
	*out = a;
	return 0;
}

/* Unmap blocks newer than `keep` (NULL: all). */
static void drop_blocks(arena_t *a, block_t *keep)
{
	while (a->cur && a->cur != keep) {
		block_t *b = a->cur;
		a->cur = b->prev;
		a->blocks--;
		a->block_bytes -= b->len;
		munmap(b, b->len);
	}
}

static void arena_destroy(void *inst)
{
	arena_t *a = inst;
	drop_blocks(a, NULL);
	munmap(a, sizeof(*a));
}

static void *arena_alloc(void *inst, size_t size, size_t align)
{
	arena_t *a = inst;
	uintptr_t al = align > 16 ? align : 16;
	char *p = (char *)(((uintptr_t)a->ptr + al - 1) & ~(al - 1));
	size += size == 0; /* a zero-size block still gets a pointer of its own */
	if (p > a->end || size > (size_t)(a->end - p)) { /* p may be past the end: large align */
		if (size > SIZE_MAX / 2 - al || new_block(a, size + al) != 0) {
			a->failed++;
			return NULL;
		}
		p = (char *)(((uintptr_t)a->ptr + al - 1) & ~(al - 1));
	}
	a->ptr = p + size;
	a->last = p;
	a->allocs++;
	return p;
}

static void arena_free(void *inst, void *ptr, size_t size)
{
	(void)inst;
	(void)ptr;
	(void)size;
}

static void *arena_realloc(void *inst, void *ptr, size_t old_size, size_t new_size)
{
	arena_t *a = inst;
	char *p;
	if (ptr == a->last && old_size != AS_SIZE_UNKNOWN &&
	    new_size <= (size_t)(a->end - (char *)ptr)) {
		a->ptr = (char *)ptr + new_size;
		return ptr;
	}
	p = arena_alloc(inst, new_size, 0);
	if (p)
		memcpy(p, ptr, old_size < new_size ? old_size : new_size);
	return p;
}

/* Release all: keep the newest (largest) block, so a steady request/phase
 * loop makes no syscalls after the first few phases (as bumpalo's reset
 * keeps its last chunk), and unmap the older ones. */
static int arena_reset(void *inst)
{
	arena_t *a = inst;
	block_t *keep = a->cur;
	block_t *b = keep->prev;
	while (b) {
		block_t *prev = b->prev;
		a->blocks--;
		a->block_bytes -= b->len;
		munmap(b, b->len);
		b = prev;
	}
	keep->prev = NULL;
	a->ptr = (char *)keep + BLOCK_HDR;
	a->end = (char *)keep + keep->len;
	a->last = NULL;
	a->resets++;
	return 0;
}

__attribute__((visibility("default"))) void allocscope_arena_mark(void *inst, as_arena_mark_t *out);
__attribute__((visibility("default"))) int allocscope_arena_release(void *inst,
                                                                    const as_arena_mark_t *m);

/* Save the current position. */
void allocscope_arena_mark(void *inst, as_arena_mark_t *out)
{
	arena_t *a = inst;
	out->block = a->cur;
	out->ptr = a->ptr;
	out->resets = a->resets;
}

/* Free everything allocated after the mark (blocks added since are
 * unmapped). Returns 0, or -1 when the mark's block is gone (an older mark
 * was released, or a reset happened, since). */
int allocscope_arena_release(void *inst, const as_arena_mark_t *m)
{
	arena_t *a = inst;
	block_t *b = m->resets == a->resets ? a->cur : NULL;
	while (b && b != m->block)
		b = b->prev;
	if (!b)
		return -1;
	drop_blocks(a, b);
	a->ptr = m->ptr;
	a->end = (char *)b + b->len;
	a->last = NULL;
	a->releases++;
	return 0;
}

static void arena_stats(void *inst, as_stat_fn emit, void *ctx)
{
	arena_t *a = inst;
	emit(ctx, "blocks", (double)a->blocks);
	emit(ctx, "block_bytes", (double)a->block_bytes);
	emit(ctx, "cur_block_used_bytes", (double)(a->ptr - (char *)a->cur));
	emit(ctx, "allocs", (double)a->allocs);
	emit(ctx, "failed_allocs", (double)a->failed);
	emit(ctx, "resets", (double)a->resets);
	emit(ctx, "mark_releases", (double)a->releases);
}

static const as_module_t arena_module = {
    .abi_version = AS_MODULE_ABI_VERSION,
    .struct_size = sizeof(as_module_t),
    .param_spec_size = sizeof(as_param_spec_t),
    .params_version = AS_PARAMS_VERSION,
    .name = "arena",
    .version = "1.0",
    .description = "chained blocks growing geometrically, bump inside; reset releases all",
    .caps = AS_CAP_RESET | AS_CAP_ANY_SIZE,
    .nparams = sizeof(arena_spec) / sizeof(arena_spec[0]),
    .params = arena_spec,
    .create = arena_create,
    .destroy = arena_destroy,
    .alloc = arena_alloc,
    .free = arena_free,
    .realloc = arena_realloc,
    .reset = arena_reset,
    .stats = arena_stats,
};

AS_MODULE_EXPORT(arena_module)
