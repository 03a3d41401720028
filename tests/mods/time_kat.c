/* time_kat.c - test-only module with a known answer for time: every alloc
 * spins until the time-stamp counter has advanced `ticks` ticks, every free
 * returns at once. So an alloc costs `ticks` (plus at most one step of the
 * counter), a free nothing, and the harness's ns/op and latency percentiles
 * must come out at that cost (tests/test_timing_kat.c). Hands out one
 * static block for every request: not an allocator. x86 only (rdtsc). */
#include <stddef.h>
#include <stdint.h>

#include "allocscope_module.h"

#if defined(__x86_64__) || defined(__i386__)
#include <x86intrin.h>
#endif

typedef struct {
	uint64_t ticks;
} tk_params_t;

static const as_param_spec_t tk_spec[] = {
    {"ticks", AS_PARAM_U64, "30000", 0, 1ULL << 40, NULL,
     "time-stamp counter ticks each alloc spins", offsetof(tk_params_t, ticks)},
};

static tk_params_t inst_params;
static _Alignas(64) char block[64 * 1024]; /* test_timing_kat writes 64 KiB blocks */

static int tk_create(const char *params, void **out, char *err, size_t errlen)
{
	if (as_params_parse(tk_spec, 1, params, &inst_params, err, errlen) != 0)
		return -1;
	*out = &inst_params;
	return 0;
}

static void tk_destroy(void *inst)
{
	(void)inst;
}

static void *tk_alloc(void *inst, size_t size, size_t align)
{
	const tk_params_t *p = inst;
	(void)align;
	if (size > sizeof(block))
		return NULL;
#if defined(__x86_64__) || defined(__i386__)
	uint64_t t0 = __rdtsc();
	while (__rdtsc() - t0 < p->ticks)
		;
#else
	(void)p;
#endif
	return block;
}

static void tk_free(void *inst, void *ptr, size_t size)
{
	(void)inst;
	(void)ptr;
	(void)size;
}

static const as_module_t tk_module = {
    .abi_version = AS_MODULE_ABI_VERSION,
    .struct_size = sizeof(as_module_t),
    .name = "time_kat",
    .version = "1",
    .description = "test: every alloc spins a known number of rdtsc ticks, free is free",
    .caps = AS_CAP_FREE,
    .nparams = 1,
    .params = tk_spec,
    .create = tk_create,
    .destroy = tk_destroy,
    .alloc = tk_alloc,
    .free = tk_free,
};

AS_MODULE_EXPORT(tk_module)
