/* bump.c - the bump allocator: one pointer advancing through one reserved
 * region. Allocation is an add and a compare; free is a no-op; reset rewinds
 * the pointer; a request that does not fit returns NULL. The region is
 * reserved with mmap at create (pages are given by the kernel on first touch)
 * and never grows. Not thread-safe: one instance per thread. */
#define _GNU_SOURCE
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>

#include "allocscope_module.h"

typedef struct {
	uint64_t region_bytes;
	int release_on_reset;
} bump_params_t;

static const as_param_spec_t bump_spec[] = {
    {"region", AS_PARAM_SIZE, "1g", 4096, 1ULL << 40, NULL,
     "bytes reserved at create (address space; RSS grows on first touch)",
     offsetof(bump_params_t, region_bytes)},
    {"release_on_reset", AS_PARAM_BOOL, "0", 0, 0, NULL,
     "1: reset also gives the used pages back (madvise MADV_DONTNEED)",
     offsetof(bump_params_t, release_on_reset)},
};

typedef struct {
	char *cur;
	char *end;
	char *base;
	size_t region;
	size_t peak;
	uint64_t failed, resets;
	int release_on_reset;
} bump_t;

static int bump_create(const char *params, void **out, char *err, size_t errlen)
{
	bump_params_t p;
	bump_t *b;
	char *m;
	if (as_params_parse(bump_spec, 2, params, &p, err, errlen) != 0)
		return -1;
	/* the instance lives in the region's first bytes: no malloc anywhere */
	m = mmap(NULL, p.region_bytes, PROT_READ | PROT_WRITE,
	         MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (m == MAP_FAILED) {
		snprintf(err, errlen, "bump: cannot reserve region=%llu bytes",
		         (unsigned long long)p.region_bytes);
		return -1;
	}
	b = (bump_t *)m;
	memset(b, 0, sizeof(*b));
	b->base = m + ((sizeof(*b) + 63) & ~(size_t)63);
	b->cur = b->base;
	b->end = m + p.region_bytes;
	b->region = p.region_bytes;
	b->release_on_reset = p.release_on_reset;
	*out = b;
	return 0;
}

static void bump_destroy(void *inst)
{
	bump_t *b = inst;
	munmap(b, b->region);
}

static void *bump_alloc(void *inst, size_t size, size_t align)
{
	bump_t *b = inst;
	uintptr_t a = align > 16 ? align : 16;
	char *p = (char *)(((uintptr_t)b->cur + a - 1) & ~(a - 1));
	size += size == 0; /* a zero-size block still gets a pointer of its own */
	if (__builtin_expect(p > b->end || size > (size_t)(b->end - p), 0)) {
		b->failed++;
		return NULL;
	}
	b->cur = p + size;
	return p;
}

static void bump_free(void *inst, void *ptr, size_t size)
{
	/* individual free is a no-op: memory comes back only on reset */
	(void)inst;
	(void)ptr;
	(void)size;
}

static void *bump_realloc(void *inst, void *ptr, size_t old_size, size_t new_size)
{
	bump_t *b = inst;
	char *p;
	if (old_size != AS_SIZE_UNKNOWN && (char *)ptr + old_size == b->cur) {
		/* the newest block (it ends where the pointer is) resizes in place;
		 * a zero-size block still keeps a byte of its own */
		new_size += new_size == 0;
		if (new_size > (size_t)(b->end - (char *)ptr))
			return NULL;
		b->cur = (char *)ptr + new_size;
		return ptr;
	}
	p = bump_alloc(inst, new_size, 0);
	if (p)
		memcpy(p, ptr, old_size < new_size ? old_size : new_size);
	return p;
}

static void track_peak(bump_t *b)
{
	size_t used = (size_t)(b->cur - b->base);
	if (used > b->peak)
		b->peak = used;
}

static int bump_reset(void *inst)
{
	bump_t *b = inst;
	track_peak(b);
	if (b->release_on_reset) {
		uintptr_t lo = ((uintptr_t)b->base + 4095) & ~(uintptr_t)4095;
		uintptr_t hi = ((uintptr_t)b->cur + 4095) & ~(uintptr_t)4095;
		if (hi > lo)
			madvise((void *)lo, hi - lo, MADV_DONTNEED);
	}
	b->cur = b->base;
	b->resets++;
	return 0;
}

static void bump_stats(void *inst, as_stat_fn emit, void *ctx)
{
	bump_t *b = inst;
	track_peak(b);
	emit(ctx, "region_bytes", (double)(b->end - b->base));
	emit(ctx, "used_bytes", (double)(b->cur - b->base));
	emit(ctx, "peak_used_bytes", (double)b->peak);
	emit(ctx, "failed_allocs", (double)b->failed);
	emit(ctx, "resets", (double)b->resets);
}

static const as_module_t bump_module = {
    .abi_version = AS_MODULE_ABI_VERSION,
    .struct_size = sizeof(as_module_t),
    .param_spec_size = sizeof(as_param_spec_t),
    .params_version = AS_PARAMS_VERSION,
    .name = "bump",
    .version = "1.0",
    .description = "one pointer through one reserved region; free is a no-op, reset rewinds",
    .caps = AS_CAP_RESET | AS_CAP_ANY_SIZE,
    .nparams = sizeof(bump_spec) / sizeof(bump_spec[0]),
    .params = bump_spec,
    .create = bump_create,
    .destroy = bump_destroy,
    .alloc = bump_alloc,
    .free = bump_free,
    .realloc = bump_realloc,
    .reset = bump_reset,
    .stats = bump_stats,
};

AS_MODULE_EXPORT(bump_module)
