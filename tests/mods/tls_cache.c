/* tls_cache.c - a test-only thread-safe module with thread-local state in
 * the default (dynamic) TLS model, as a thread-caching allocator has:
 * glibc gives a dlopen'ed library's TLS block to each thread the first
 * time it touches it, from the process's malloc, inside the timed region
 * at 2 threads or more. Those calls are glibc's, not the module's: the
 * trial must be ok with libc_calls 0 (tests/test_libc_calls.sh; until
 * session 20 it failed with threads - 1 calls). Blocks are bumped from
 * 1 MiB mmap'd chunks under a lock; free is not offered. */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdint.h>
#include <sys/mman.h>

#include "allocscope_module.h"

#define CHUNK (1u << 20)

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static char *cur, *end;
static __thread uint64_t thread_allocs; /* the thread-local state */
static int token;

static int tc_create(const char *params, void **out, char *err, size_t errlen)
{
	(void)params;
	(void)err;
	(void)errlen;
	*out = &token;
	return 0;
}

static void tc_destroy(void *inst)
{
	(void)inst;
}

static void *map(size_t n)
{
	void *p = mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	return p == MAP_FAILED ? NULL : p;
}

static void *tc_alloc(void *inst, size_t size, size_t align)
{
	uintptr_t a = align > 16 ? align : 16, p;
	(void)inst;
	thread_allocs++;
	if (size > (1ULL << 40))
		return NULL;
	if (size + a > CHUNK / 4)
		return a <= 4096 ? map(size ? size : 1) : NULL;
	pthread_mutex_lock(&lock);
	p = ((uintptr_t)cur + a - 1) & ~(a - 1);
	if (!cur || p + size > (uintptr_t)end) {
		if (!(cur = map(CHUNK))) {
			pthread_mutex_unlock(&lock);
			return NULL;
		}
		end = cur + CHUNK;
		p = ((uintptr_t)cur + a - 1) & ~(a - 1);
	}
	cur = (char *)(p + (size ? size : 1));
	pthread_mutex_unlock(&lock);
	return (void *)p;
}

static void tc_free(void *inst, void *ptr, size_t size)
{
	(void)inst;
	(void)ptr;
	(void)size;
}

static const as_module_t tc_module = {
    .abi_version = AS_MODULE_ABI_VERSION,
    .struct_size = sizeof(as_module_t),
    .param_spec_size = sizeof(as_param_spec_t),
    .params_version = AS_PARAMS_VERSION,
    .name = "tls_cache",
    .version = "1",
    .description = "test-only: thread-local state in dynamic TLS, bump from mmap",
    .caps = AS_CAP_ANY_SIZE | AS_CAP_THREAD_SAFE,
    .create = tc_create,
    .destroy = tc_destroy,
    .alloc = tc_alloc,
    .free = tc_free,
};

AS_MODULE_EXPORT(tc_module)
