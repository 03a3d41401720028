/* flat.c - a test-only module that allocates nothing and writes nothing:
 * thread-safe, it hands out 1 KiB slices of a static buffer round-robin
 * (blocks may overlap live ones: trials only, never checks) and its free
 * does nothing. A trial of it with touch=none changes no page of the
 * process, so any fault or RSS in its timed region is the harness's own:
 * an outside review saw 1-3 faults and 64-192 KiB in each 2-thread trial
 * of such a module, libc's and the executable's code faulted in there
 * (tests/test_rss_repeat.sh). */
#include <stdatomic.h>
#include <stddef.h>

#include "allocscope_module.h"

static _Alignas(64) char buf[1 << 20];
static atomic_uint next;

static int fl_create(const char *params, void **out, char *err, size_t errlen)
{
	(void)params;
	(void)err;
	(void)errlen;
	*out = buf;
	return 0;
}

static void fl_destroy(void *inst)
{
	(void)inst;
}

static void *fl_alloc(void *inst, size_t size, size_t align)
{
	(void)inst;
	(void)size;
	(void)align;
	return buf + (atomic_fetch_add_explicit(&next, 1, memory_order_relaxed) % 1024) * 1024;
}

static void fl_free(void *inst, void *ptr, size_t size)
{
	(void)inst;
	(void)ptr;
	(void)size;
}

static const as_module_t fl_module = {
    .abi_version = AS_MODULE_ABI_VERSION,
    .struct_size = sizeof(as_module_t),
    .param_spec_size = sizeof(as_param_spec_t),
    .params_version = AS_PARAMS_VERSION,
    .name = "flat",
    .version = "1",
    .description = "test-only: slices of a static buffer, nothing written",
    .caps = AS_CAP_ANY_SIZE | AS_CAP_FREE | AS_CAP_THREAD_SAFE,
    .create = fl_create,
    .destroy = fl_destroy,
    .alloc = fl_alloc,
    .free = fl_free,
};

AS_MODULE_EXPORT(fl_module)
