/* exec_shim.c - the LD_PRELOAD library behind `allocscope exec`: routes every
 * malloc-family call of an unmodified program to one allocscope module.
 * Every block carries a 16-byte header (requested size, offset to the
 * module's block), so every module gets sized frees and malloc_usable_size is
 * exact, whatever the module's caps. Calls are serialised with one lock
 * unless the module claims AS_CAP_THREAD_SAFE. Calls made while the module
 * is being loaded (dlopen itself allocates) are served from a static
 * bootstrap buffer whose blocks are never freed. Not for measuring
 * per-call latency: that is `run`'s job. */
#define _GNU_SOURCE
#include <errno.h>
#include <malloc.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "../loader.h"

#define HDR    16u
#define EXPORT __attribute__((visibility("default")))

typedef struct {
	uint64_t size;       /* bytes the program asked for */
	uint32_t offset;     /* user pointer - module block */
	uint16_t align_log2; /* alignment asked for (over-allocation = align) */
	uint16_t magic;
} hdr_t;

#define MAGIC 0xa11cu

static const as_module_t *mod;
static void *inst;
static int serialise;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static volatile int state; /* 0 not loaded, 1 loading, 2 ready, 3 failed */
static __thread int in_init;

static char boot[4 << 20] __attribute__((aligned(64)));
static size_t boot_used;
static uint64_t calls_total, boot_calls;

static void die(const char *msg)
{
	/* no stdio: it may allocate */
	if (write(2, "allocscope exec: ", 17) < 0 || write(2, msg, strlen(msg)) < 0 ||
	    write(2, "\n", 1) < 0)
		_exit(127);
	_exit(127);
}

static void *boot_alloc(size_t size, size_t align)
{
	uintptr_t base = (uintptr_t)boot;
	uintptr_t at;
	if (align < 16)
		align = 16;
	at = (base + boot_used + HDR + align - 1) & ~(uintptr_t)(align - 1);
	if (at + size > base + sizeof(boot))
		die("bootstrap buffer exhausted while loading the module");
	boot_used = at + size - base;
	((hdr_t *)(at - HDR))->size = size;
	((hdr_t *)(at - HDR))->offset = 0;
	((hdr_t *)(at - HDR))->align_log2 = 4;
	((hdr_t *)(at - HDR))->magic = MAGIC;
	__atomic_fetch_add(&boot_calls, 1, __ATOMIC_RELAXED);
	return (void *)at;
}

static int is_boot(const void *p)
{
	return (const char *)p >= boot && (const char *)p < boot + sizeof(boot);
}

static void load_module(void)
{
	const char *path = getenv("ALLOCSCOPE_EXEC_MODULE");
	const char *params = getenv("ALLOCSCOPE_EXEC_PARAMS");
	char err[1024];
	static as_loaded_t lm;

	if (!path || !*path)
		die("ALLOCSCOPE_EXEC_MODULE is not set");
	if (!params)
		params = "";
	if (as_module_load(path, &lm, err, sizeof(err)) != AS_OK)
		die(err);
	if (lm.mod->create(params, &inst, err, sizeof(err)) != 0)
		die(err);
	mod = lm.mod;
	serialise = !(mod->caps & AS_CAP_THREAD_SAFE);
}

static int ensure_loaded(void)
{
	if (__builtin_expect(state == 2, 1))
		return 1;
	if (in_init)
		return 0; /* a call from inside the loader: bootstrap */
	pthread_mutex_lock(&lock);
	if (state == 0) {
		state = 1;
		in_init = 1;
		load_module();
		in_init = 0;
		__atomic_store_n(&state, 2, __ATOMIC_RELEASE);
	}
	pthread_mutex_unlock(&lock);
	return state == 2;
}

static void *shim_alloc(size_t size, size_t align, int zero)
{
	size_t a = align < 16 ? 16 : align;
	size_t total;
	char *base, *user;
	hdr_t *h;

	if (!ensure_loaded()) {
		void *p = boot_alloc(size, a);
		return p; /* bootstrap memory is static: already zero */
	}
	if (size > SIZE_MAX / 2 || a > SIZE_MAX / 4) {
		errno = ENOMEM;
		return NULL;
	}
	/* header sits right below the user pointer; over-allocate for alignment */
	total = size + HDR + (a > 16 ? a : 0);
	if (serialise)
		pthread_mutex_lock(&lock);
	base = zero && mod->calloc ? mod->calloc(inst, total, 16) : mod->alloc(inst, total, 16);
	if (serialise)
		pthread_mutex_unlock(&lock);
	__atomic_fetch_add(&calls_total, 1, __ATOMIC_RELAXED);
	if (!base) {
		errno = ENOMEM;
		return NULL;
	}
	user = (char *)(((uintptr_t)base + HDR + a - 1) & ~(uintptr_t)(a - 1));
	h = (hdr_t *)(user - HDR);
	h->size = size;
	h->offset = (uint32_t)(user - base);
	h->align_log2 = (uint16_t)__builtin_ctzll(a);
	h->magic = MAGIC;
	if (zero && !(mod->calloc) && !(mod->caps & AS_CAP_ZEROED))
		memset(user, 0, size);
	return user;
}

/* The size shim_alloc asked the module for. */
static size_t block_total(const hdr_t *h)
{
	size_t a = (size_t)1 << h->align_log2;
	return h->size + HDR + (a > 16 ? a : 0);
}

static hdr_t *header_of(void *p)
{
	hdr_t *h = (hdr_t *)((char *)p - HDR);
	if (h->magic != MAGIC)
		die("a pointer passed to free/realloc was not returned by this allocator");
	return h;
}

static void shim_free(void *p)
{
	hdr_t *h;
	if (!p || is_boot(p))
		return;
	h = header_of(p);
	if (serialise)
		pthread_mutex_lock(&lock);
	mod->free(inst, (char *)p - h->offset, block_total(h));
	if (serialise)
		pthread_mutex_unlock(&lock);
	__atomic_fetch_add(&calls_total, 1, __ATOMIC_RELAXED);
}

static void *shim_realloc(void *p, size_t size)
{
	hdr_t *h;
	void *q;
	size_t keep;
	if (!p)
		return shim_alloc(size, 16, 0);
	if (size == 0) {
		shim_free(p);
		return NULL;
	}
	h = is_boot(p) ? (hdr_t *)((char *)p - HDR) : header_of(p);
	if (!is_boot(p) && h->align_log2 == 4 && mod->realloc && size <= SIZE_MAX / 2) {
		/* default alignment: the module's own realloc, header carried along */
		char *nb;
		if (serialise)
			pthread_mutex_lock(&lock);
		nb = mod->realloc(inst, (char *)p - HDR, block_total(h), size + HDR);
		if (serialise)
			pthread_mutex_unlock(&lock);
		__atomic_fetch_add(&calls_total, 1, __ATOMIC_RELAXED);
		if (!nb) {
			errno = ENOMEM;
			return NULL;
		}
		((hdr_t *)nb)->size = size;
		return nb + HDR;
	}
	/* aligned blocks, bootstrap blocks, modules without realloc: move */
	q = shim_alloc(size, (size_t)1 << h->align_log2, 0);
	if (!q)
		return NULL;
	keep = h->size < size ? h->size : size;
	memcpy(q, p, keep);
	shim_free(p);
	return q;
}

EXPORT void *malloc(size_t size)
{
	return shim_alloc(size, 16, 0);
}

EXPORT void free(void *p)
{
	shim_free(p);
}

EXPORT void *calloc(size_t n, size_t size)
{
	size_t total;
	if (__builtin_mul_overflow(n, size, &total)) {
		errno = ENOMEM;
		return NULL;
	}
	return shim_alloc(total, 16, 1);
}

EXPORT void *realloc(void *p, size_t size)
{
	return shim_realloc(p, size);
}

EXPORT void *reallocarray(void *p, size_t n, size_t size)
{
	size_t total;
	if (__builtin_mul_overflow(n, size, &total)) {
		errno = ENOMEM;
		return NULL;
	}
	return shim_realloc(p, total);
}

static int valid_align(size_t a)
{
	return a && !(a & (a - 1));
}

EXPORT int posix_memalign(void **out, size_t align, size_t size)
{
	void *p;
	if (!valid_align(align) || align % sizeof(void *))
		return EINVAL;
	p = shim_alloc(size, align, 0);
	if (!p)
		return ENOMEM;
	*out = p;
	return 0;
}

EXPORT void *aligned_alloc(size_t align, size_t size)
{
	if (!valid_align(align)) {
		errno = EINVAL;
		return NULL;
	}
	return shim_alloc(size, align, 0);
}

EXPORT void *memalign(size_t align, size_t size)
{
	if (!valid_align(align)) {
		errno = EINVAL;
		return NULL;
	}
	return shim_alloc(size, align, 0);
}

EXPORT void *valloc(size_t size)
{
	return shim_alloc(size, (size_t)sysconf(_SC_PAGESIZE), 0);
}

EXPORT void *pvalloc(size_t size)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	return shim_alloc((size + page - 1) & ~(page - 1), page, 0);
}

EXPORT size_t malloc_usable_size(void *p)
{
	if (!p)
		return 0;
	return ((hdr_t *)((char *)p - HDR))->size;
}

/* Module stats, peak RSS and call counts appended at exit to the file named
 * by ALLOCSCOPE_EXEC_STATS (set by `allocscope exec --stats`), one
 * "key=value" block per process. */
static void emit_stat(void *ctx, const char *name, double v)
{
	dprintf(*(int *)ctx, "module_%s=%.0f\n", name, v);
}

__attribute__((destructor)) static void shim_report(void)
{
	const char *path = getenv("ALLOCSCOPE_EXEC_STATS");
	struct rusage ru;
	int fd;
	if (!path || !*path || state != 2)
		return;
	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return;
	getrusage(RUSAGE_SELF, &ru);
	dprintf(fd,
	        "pid=%d\nmodule=%s\nmodule_version=%s\ncalls=%llu\nbootstrap_calls=%llu\n"
	        "rss_peak_kib=%ld\nminflt=%ld\nmajflt=%ld\n",
	        (int)getpid(), mod->name, mod->version ? mod->version : "",
	        (unsigned long long)calls_total, (unsigned long long)boot_calls, ru.ru_maxrss,
	        ru.ru_minflt, ru.ru_majflt);
	if (mod->stats) {
		if (serialise)
			pthread_mutex_lock(&lock);
		mod->stats(inst, emit_stat, &fd);
		if (serialise)
			pthread_mutex_unlock(&lock);
	}
	close(fd);
}

static void fork_prepare(void)
{
	pthread_mutex_lock(&lock);
}

static void fork_release(void)
{
	pthread_mutex_unlock(&lock);
}

__attribute__((constructor)) static void shim_init(void)
{
	pthread_atfork(fork_prepare, fork_release, fork_release);
	ensure_loaded();
}
