/* spin_syscalls.c - a test-only module that hangs making memory system
 * calls: thread-safe, after 1000 allocs in a thread that thread calls
 * madvise(MADV_WILLNEED) for ever. Under --syscalls seccomp each call is a
 * ptrace stop of the run's own, so with two threads a stop is always
 * pending; the trial must still end at its --timeout
 * (tests/test_seccomp_hang.sh). */
#define _GNU_SOURCE
#include <stddef.h>
#include <sys/mman.h>

#include "allocscope_module.h"

static _Alignas(4096) char buf[1 << 20];
static _Thread_local unsigned long allocs;

static int sp_create(const char *params, void **out, char *err, size_t errlen)
{
	(void)params;
	(void)err;
	(void)errlen;
	*out = buf;
	return 0;
}

static void sp_destroy(void *inst)
{
	(void)inst;
}

static void *sp_alloc(void *inst, size_t size, size_t align)
{
	(void)inst;
	(void)align;
	if (++allocs > 1000)
		for (;;)
			madvise(buf, 4096, MADV_WILLNEED);
	if (size > 4096)
		return NULL;
	return buf + 4096 * (1 + allocs % 128);
}

static void sp_free(void *inst, void *ptr, size_t size)
{
	(void)inst;
	(void)ptr;
	(void)size;
}

static const as_module_t mod = {
    .abi_version = AS_MODULE_ABI_VERSION,
    .struct_size = sizeof(as_module_t),
    .param_spec_size = sizeof(as_param_spec_t),
    .params_version = AS_PARAMS_VERSION,
    .name = "spin_syscalls",
    .version = "0",
    .description = "test-only module: hangs in madvise calls",
    .caps = AS_CAP_THREAD_SAFE | AS_CAP_ANY_SIZE,
    .create = sp_create,
    .destroy = sp_destroy,
    .alloc = sp_alloc,
    .free = sp_free,
};

AS_MODULE_EXPORT(mod)
