/* slowmod.c - a test-only module: glibc's malloc and free, every op made
 * slower (16 more malloc/free pairs) in the instances whose number is 2
 * mod 4, counted in the file $SLOWMOD_COUNT (create() reads, increments and
 * writes it): so some repetitions of a group are slow in every pass and the
 * others not, as tcmalloc's larson trials were on the idle machine
 * (tests/test_slow_passes_cli.sh). Without $SLOWMOD_COUNT never slow.
 * glibc's malloc is looked up in libc.so.6 (dlsym on its handle), not
 * imported: the loader refuses a module that imports malloc, and the
 * engine one that calls the process's malloc some other way
 * (libc_count.h), which would measure glibc by accident; this one means
 * to, as allocators/glibc.c does, and says so (AS_CAP_LIBC_MALLOC: the
 * uprobes of libc_probe.h leave its calls into libc.so.6 alone). */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "allocscope_module.h"

static int slow;
static void *(*p_malloc)(size_t);
static void (*p_free)(void *);
static int (*p_memalign)(void **, size_t, size_t);

/* in a slow instance, each op does 16 more malloc/free pairs of its size
 * (written through, so the compiler keeps them): several times its work
 * whatever the build (a sanitizer's malloc is slower) */
static void extra(size_t size)
{
	for (int i = 0; slow && i < 16; i++) {
		char *volatile p = p_malloc(size ? size : 1);
		if (p)
			p[0] = 1;
		p_free(p);
	}
}

static int sm_create(const char *params, void **out, char *err, size_t errlen)
{
	const char *path = getenv("SLOWMOD_COUNT");
	char buf[32] = "";
	long n = 0;
	int fd;
	(void)params;
	(void)errlen;
	if (path && (fd = open(path, O_RDWR | O_CREAT, 0600)) >= 0) {
		if (read(fd, buf, sizeof(buf) - 1) > 0)
			n = atol(buf);
		slow = n % 4 == 2;
		snprintf(buf, sizeof(buf), "%ld\n", n + 1);
		if (pwrite(fd, buf, strlen(buf), 0) < 0)
			slow = 0;
		close(fd);
	}
	void *libc = dlopen("libc.so.6", RTLD_NOW | RTLD_NOLOAD);
	if (libc) {
		*(void **)&p_malloc = dlsym(libc, "malloc");
		*(void **)&p_free = dlsym(libc, "free");
		*(void **)&p_memalign = dlsym(libc, "posix_memalign");
	}
	if (!p_malloc || !p_free || !p_memalign) {
		snprintf(err, errlen, "cannot find malloc, free and posix_memalign");
		return -1;
	}
	*out = &slow;
	return 0;
}

static void sm_destroy(void *inst)
{
	(void)inst;
}

static void *sm_alloc(void *inst, size_t size, size_t align)
{
	(void)inst;
	extra(size);
	if (align > 16) {
		void *p = NULL;
		return p_memalign(&p, align, size ? size : 1) ? NULL : p;
	}
	return p_malloc(size ? size : 1);
}

static void sm_free(void *inst, void *ptr, size_t size)
{
	(void)inst;
	extra(size);
	p_free(ptr);
}

static const as_module_t sm_module = {
    .abi_version = AS_MODULE_ABI_VERSION,
    .struct_size = sizeof(as_module_t),
    .param_spec_size = sizeof(as_param_spec_t),
    .params_version = AS_PARAMS_VERSION,
    .name = "slowmod",
    .version = "1",
    .description = "test-only: malloc/free, slow in every op in 1 instance of 4",
    .caps = AS_CAP_ANY_SIZE | AS_CAP_FREE | AS_CAP_THREAD_SAFE | AS_CAP_LIBC_MALLOC,
    .create = sm_create,
    .destroy = sm_destroy,
    .alloc = sm_alloc,
    .free = sm_free,
};

AS_MODULE_EXPORT(sm_module)
