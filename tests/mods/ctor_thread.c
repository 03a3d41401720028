/* ctor_thread.c - a test-only module that starts a thread when it loads
 * (a constructor, as a library with a background thread does) and has
 * that thread make a known number of memory system calls once the first
 * alloc asks for them, in the timed region: K mmap, K munmap, K mprotect,
 * K mremap, K madvise(DONTNEED) and K madvise(FREE). The first alloc
 * waits for them. Perf counting opened after the module's load missed
 * every one (an outside review: 0 of 701; tests/test_syscount_ctor.sh).
 * Blocks come from one mapped region, never freed. */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "allocscope_module.h"

#define K      50
#define REGION (1ULL << 30)

static atomic_int started, go, done;
static char *region;
static uint64_t used;

static void *calls(void *arg)
{
	struct timespec nap = {0, 100000};
	(void)arg;
	atomic_store(&started, 1);
	while (!atomic_load(&go))
		nanosleep(&nap, NULL);
	for (int i = 0; i < K; i++) {
		char *p = mmap(NULL, 8 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
		               -1, 0);
		if (p == MAP_FAILED)
			break;
		p[0] = 1;
		madvise(p, 4096, MADV_DONTNEED);
		madvise(p, 4096, MADV_FREE);
		/* mremap before mprotect: a range of two mappings cannot move */
		p = mremap(p, 8 * 4096, 16 * 4096, MREMAP_MAYMOVE);
		if (p == MAP_FAILED)
			break;
		mprotect(p, 4096, PROT_READ);
		munmap(p, 16 * 4096);
	}
	atomic_store(&done, 1);
	/* it stays: a thread's exit gives its stack back with a madvise */
	for (;;)
		pause();
	return NULL;
}

__attribute__((constructor)) static void start(void)
{
	pthread_t t;
	struct timespec nap = {0, 100000};
	if (pthread_create(&t, NULL, calls, NULL) != 0) {
		atomic_store(&done, 1);
		return;
	}
	pthread_detach(t);
	/* the thread has run before the load returns: under ASan its first
	 * run maps the runtime's per-thread memory (4 mmap), and on a loaded
	 * CI host that first run fell in the timed region (54 of 50 counted) */
	while (!atomic_load(&started))
		nanosleep(&nap, NULL);
}

static int ct_create(const char *params, void **out, char *err, size_t errlen)
{
	(void)params;
	(void)err;
	(void)errlen;
	if (!region) {
		region = mmap(NULL, REGION, PROT_READ | PROT_WRITE,
		              MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
		if (region == MAP_FAILED) {
			region = NULL;
			return -1;
		}
	}
	used = 0;
	*out = region;
	return 0;
}

static void ct_destroy(void *inst)
{
	(void)inst;
}

static void *ct_alloc(void *inst, size_t size, size_t align)
{
	(void)inst;
	if (!atomic_exchange(&go, 1))
		while (!atomic_load(&done))
			;
	if (align < 16)
		align = 16;
	used = (used + align - 1) & ~(uint64_t)(align - 1);
	if (size > REGION || used + size > REGION)
		return NULL;
	used += size;
	return region + used - size;
}

static void ct_free(void *inst, void *ptr, size_t size)
{
	(void)inst;
	(void)ptr;
	(void)size;
}

static const as_module_t ct_module = {
    .abi_version = AS_MODULE_ABI_VERSION,
    .struct_size = sizeof(as_module_t),
    .param_spec_size = sizeof(as_param_spec_t),
    .params_version = AS_PARAMS_VERSION,
    .name = "ctor_thread",
    .version = "1",
    .description = "test-only: a thread started at load makes known syscalls",
    .caps = AS_CAP_ANY_SIZE,
    .create = ct_create,
    .destroy = ct_destroy,
    .alloc = ct_alloc,
    .free = ct_free,
};

AS_MODULE_EXPORT(ct_module)
