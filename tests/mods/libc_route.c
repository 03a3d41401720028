/* libc_route.c - a test-only module that hands every op to the process's
 * malloc family without importing it, the ways the loader's import check
 * cannot see (libc_count.h): LIBC_DLSYM looks malloc up with
 * dlsym(RTLD_DEFAULT, ...), LIBC_HELPER calls a library it links
 * (libc_helper.c) that imports malloc. And the ways that reach glibc's
 * malloc past the executable's counting wrappers, which only the uprobes
 * see (libc_probe.h): LIBC_NEXT by dlsym(RTLD_NEXT, ...), LIBC_VSYM by
 * dlvsym(RTLD_NEXT, ..., "GLIBC_2.2.5"), LIBC_DEEPBIND through
 * libc_helper.c opened with RTLD_DEEPBIND (its malloc bound to libc.so.6's
 * first). One op, one call: the engine's count of them in the timed region
 * (trials.csv libc_calls) must equal the trial's ops
 * (tests/test_libc_calls.sh). */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

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

static void *(*deep_alloc)(size_t, size_t);

static void *route_alloc(size_t size, size_t align)
{
	void *p = NULL;
	if (deep_alloc)
		return deep_alloc(size, align);
	if (align <= 16)
		return p_malloc(size ? size : 1);
	return p_memalign(&p, align, size ? size : 1) ? NULL : p;
}
#define route_free p_free

#if defined(LIBC_DEEPBIND)
/* libc_helper's functions, from the library next to this module opened
 * with RTLD_DEEPBIND: its own malloc import binds to libc.so.6 first */
static int lookup(void)
{
	Dl_info me;
	char path[4096], *slash;
	void *h;
	void *(*alloc)(size_t, size_t);
	if (!dladdr((void *)&lookup, &me) || !me.dli_fname)
		return -1;
	snprintf(path, sizeof(path), "%s", me.dli_fname);
	slash = strrchr(path, '/');
	snprintf(slash ? slash + 1 : path, sizeof(path) - (size_t)(slash ? slash + 1 - path : 0),
	         "liblibc_helper.so");
	h = dlopen(path, RTLD_NOW | RTLD_LOCAL | RTLD_DEEPBIND);
	if (!h)
		return -1;
	*(void **)&alloc = dlsym(h, "libc_helper_alloc");
	*(void **)&p_free = dlsym(h, "libc_helper_free");
	deep_alloc = alloc;
	return alloc && p_free ? 0 : -1;
}
#elif defined(LIBC_NEXT) || defined(LIBC_VSYM)
static void *next(const char *name)
{
#ifdef LIBC_VSYM
	return dlvsym(RTLD_NEXT, name, "GLIBC_2.2.5");
#else
	return dlsym(RTLD_NEXT, name);
#endif
}

static int lookup(void)
{
	*(void **)&p_malloc = next("malloc");
	*(void **)&p_free = next("free");
	*(void **)&p_memalign = next("posix_memalign");
	return p_malloc && p_free && p_memalign ? 0 : -1;
}
#else
static int lookup(void)
{
	*(void **)&p_malloc = dlsym(RTLD_DEFAULT, "malloc");
	*(void **)&p_free = dlsym(RTLD_DEFAULT, "free");
	*(void **)&p_memalign = dlsym(RTLD_DEFAULT, "posix_memalign");
	return p_malloc && p_free && p_memalign ? 0 : -1;
}
#endif
#endif

static int inst_token;

static int lr_create(const char *params, void **out, char *err, size_t errlen)
{
	(void)params;
	(void)err;
	(void)errlen;
#ifndef LIBC_HELPER
	if (lookup() != 0)
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
