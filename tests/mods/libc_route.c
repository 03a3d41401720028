/* libc_route.c - a test-only module that hands every op to the process's
 * malloc family without importing it, the two ways the loader's import
 * check cannot see (libc_count.h): LIBC_DLSYM looks malloc up with
 * dlsym(RTLD_DEFAULT, ...), LIBC_HELPER calls a library it links
 * (libc_helper.c) that imports malloc. One op, one call: the engine's
 * count of them in the timed region (trials.csv libc_calls) must equal
 * the trial's ops (tests/test_libc_calls.sh). */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stddef.h>

#include "allocscope_module.h"

#ifdef LIBC_HELPER
void *libc_helper_alloc(size_t size, size_t align);
void libc_helper_free(void *p);
#define route_alloc libc_helper_alloc
#define route_free  libc_helper_free
#else
static void *(*p_malloc)(size_t);
static void (*p_free)(void *);
static int (*p_memalign)(void **, size_t, size_t);

static void *route_alloc(size_t size, size_t align)
{
	void *p = NULL;
	if (align <= 16)
		return p_malloc(size ? size : 1);
	return p_memalign(&p, align, size ? size : 1) ? NULL : p;
}
#define route_free p_free
#endif

static int inst_token;

static int lr_create(const char *params, void **out, char *err, size_t errlen)
{
	(void)params;
	(void)err;
	(void)errlen;
#ifndef LIBC_HELPER
	*(void **)&p_malloc = dlsym(RTLD_DEFAULT, "malloc");
	*(void **)&p_free = dlsym(RTLD_DEFAULT, "free");
	*(void **)&p_memalign = dlsym(RTLD_DEFAULT, "posix_memalign");
	if (!p_malloc || !p_free || !p_memalign)
		return -1;
#endif
	*out = &inst_token;
	return 0;
}

static void lr_destroy(void *inst)
{
	(void)inst;
}

static void *lr_alloc(void *inst, size_t size, size_t align)
{
	(void)inst;
	return route_alloc(size, align);
}

static void lr_free(void *inst, void *ptr, size_t size)
{
	(void)inst;
	(void)size;
	route_free(ptr);
}

static const as_module_t lr_module = {
    .abi_version = AS_MODULE_ABI_VERSION,
    .struct_size = sizeof(as_module_t),
    .param_spec_size = sizeof(as_param_spec_t),
    .params_version = AS_PARAMS_VERSION,
    .name = "libc_route",
    .version = "1",
    .description = "test-only: every op to the process's malloc, not imported",
    .caps = AS_CAP_ANY_SIZE | AS_CAP_FREE | AS_CAP_THREAD_SAFE,
    .create = lr_create,
    .destroy = lr_destroy,
    .alloc = lr_alloc,
    .free = lr_free,
};

AS_MODULE_EXPORT(lr_module)
