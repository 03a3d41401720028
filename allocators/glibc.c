/* glibc.c - the system malloc as a module: the baseline every other module is
 * compared with. Binds glibc's own symbols; stats come from mallinfo2 and trim
 * is malloc_trim(0). The instance is the process-wide malloc, so create/destroy
 * hold no state and reset is not offered. Params are glibc's malloc tunables:
 * each one given goes into GLIBC_TUNABLES for the process (read by glibc when
 * it starts), and create() also applies the ones mallopt reaches, so they hold
 * in a process started without the variable; tcache_count and tcache_max have
 * no mallopt and need the variable. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <gnu/libc-version.h>
#include <malloc.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "allocscope_env.h"
#include "allocscope_module.h"

/* glibc's own entry points, looked up in libc.so.6's handle so that the
 * module measures glibc even when another malloc is interposed (allocscope
 * exec preloads one; sanitizers intercept malloc and even __libc_memalign). */
static void *(*libc_malloc)(size_t);
static void (*libc_free)(void *);
static void *(*libc_realloc)(void *, size_t);
static void *(*libc_calloc)(size_t, size_t);
static void *(*libc_memalign)(size_t, size_t);
static int (*libc_mallopt)(int, int); /* sanitizers intercept mallopt too */

static int bind_libc(char *err, size_t errlen)
{
	void *h = dlopen("libc.so.6", RTLD_NOW | RTLD_NOLOAD);
	if (!h) {
		snprintf(err, errlen, "libc.so.6 is not loaded");
		return -1;
	}
	*(void **)&libc_malloc = dlsym(h, "malloc");
	*(void **)&libc_free = dlsym(h, "free");
	*(void **)&libc_realloc = dlsym(h, "realloc");
	*(void **)&libc_calloc = dlsym(h, "calloc");
	*(void **)&libc_memalign = dlsym(h, "memalign");
	*(void **)&libc_mallopt = dlsym(h, "mallopt");
	dlclose(h);
	if (!libc_malloc || !libc_free || !libc_realloc || !libc_calloc || !libc_memalign ||
	    !libc_mallopt) {
		snprintf(err, errlen, "glibc's malloc entry points not found in libc.so.6");
		return -1;
	}
	return 0;
}

/* Every key is unset by default: glibc keeps its own (dynamic) values. */
typedef struct {
	uint64_t v[7];
} glibc_params_t;

/* Ranges are what glibc 2.36 honours (malloc/malloc.c, elf/dl-tunables.list):
 * the mmap threshold's maximum is heap_max_size() / 2, DEFAULT_MMAP_THRESHOLD_MAX
 * (32 MiB on LP64); arena_max and arena_test start at 1 (tunable minval 1,
 * and mallopt acts only on a value > 0: a 0 would leave glibc's default
 * while the row says otherwise); tcache bins hold at most MAX_TCACHE_COUNT
 * (65535) blocks; tcache_max is at most MAX_TCACHE_SIZE (1032 B on LP64).
 * The upper bounds of trim_threshold, top_pad and the arena counts are
 * allocscope's (mallopt takes an int). Setting mmap_threshold,
 * trim_threshold or top_pad also sets glibc's no_dyn_threshold
 * (do_set_mmap_threshold, do_set_trim_threshold, do_set_top_pad): free()
 * then no longer raises the mmap threshold. glibc_opt[i] is the mallopt
 * option of glibc_spec[i] for create(), 0 when only GLIBC_TUNABLES
 * (glibc.malloc.KEY) reaches it. */
#define K(i, name, type, min, max, opt, help)                                  \
	{                                                                      \
#name, type, "", min, max, NULL,                               \
		    help " (" #opt ", GLIBC_TUNABLES glibc.malloc." #name ")", \
		    offsetof(glibc_params_t, v) + sizeof(uint64_t) * (i)       \
	}
#define FREEZES "; setting it, to any value, stops the mmap threshold moving"
static const as_param_spec_t glibc_spec[] = {
    K(0, mmap_threshold, AS_PARAM_SIZE, 0, 32 << 20, mallopt M_MMAP_THRESHOLD,
      "requests at least this big that no free chunk or the top can serve get their own "
      "mmap" FREEZES " (glibc's dynamic threshold, raised by freeing a larger mapped block)"),
    K(1, trim_threshold, AS_PARAM_SIZE, 0, 1ULL << 30, mallopt M_TRIM_THRESHOLD,
      "free memory at the top of the heap above this goes back to the OS" FREEZES),
    K(2, top_pad, AS_PARAM_SIZE, 0, 1ULL << 30, mallopt M_TOP_PAD,
      "extra bytes asked of sbrk on each growth and kept on each trim" FREEZES),
    K(3, arena_max, AS_PARAM_U64, 1, 1024, mallopt M_ARENA_MAX,
      "most arenas (heaps) threads spread over (glibc ignores 0)"),
    K(4, arena_test, AS_PARAM_U64, 1, 1024, mallopt M_ARENA_TEST,
      "arenas created before arena_max is checked against the CPU count (glibc ignores 0)"),
    K(5, tcache_count, AS_PARAM_U64, 0, 65535, no mallopt,
      "blocks kept per thread-cache bin (0 turns the thread cache off)"),
    K(6, tcache_max, AS_PARAM_SIZE, 0, 1032, no mallopt,
      "the thread cache serves requests up to this size rounded up to its 16-byte bin "
      "(24, 40, 56, ... 1032 bytes): 0 still caches requests of at most 24 bytes; "
      "tcache_count=0 turns the cache off"),
};
#undef K
#undef FREEZES
static const int glibc_opt[] = {
    M_MMAP_THRESHOLD, M_TRIM_THRESHOLD, M_TOP_PAD, M_ARENA_MAX, M_ARENA_TEST, 0, 0};
#define NKEYS (sizeof(glibc_spec) / sizeof(glibc_spec[0]))

static int parse(const char *params, glibc_params_t *p, char *err, size_t errlen)
{
	return as_params_parse(glibc_spec, NKEYS, params, p, err, errlen);
}

/* GLIBC_TUNABLES=glibc.malloc.k=v:glibc.malloc.k=v for every key given. */
static int glibc_params_env(const char *params, char *buf, size_t len, char *err, size_t errlen)
{
	glibc_params_t p;
	as_envbuf_t e;
	int items = 0;
	as_env_init(&e, buf, len);
	if (parse(params, &p, err, errlen) != 0)
		return -1;
	for (size_t i = 0; i < NKEYS; i++) {
		if (p.v[i] == AS_PARAM_UNSET_U64)
			continue;
		as_env_item(&e, &items, "GLIBC_TUNABLES", ':');
		as_env_add(&e, "glibc.malloc.%s=%llu", glibc_spec[i].key,
		           (unsigned long long)p.v[i]);
	}
	return as_env_done(&e, items, err, errlen);
}

/* True when GLIBC_TUNABLES holds glibc.malloc.KEY=value: what glibc read at
 * start (there is no call that reads a tunable back). */
static int tunable_given(const char *key, uint64_t value)
{
	const char *env = getenv("GLIBC_TUNABLES");
	char want[96];
	size_t n = (size_t)snprintf(want, sizeof(want), "glibc.malloc.%s=%llu", key,
	                            (unsigned long long)value);
	for (const char *p = env; p && *p; p += strcspn(p, ":"), p += *p == ':') {
		if (!strncmp(p, want, n) && (p[n] == ':' || p[n] == '\0'))
			return 1;
	}
	return 0;
}

static int glibc_create(const char *params, void **out, char *err, size_t errlen)
{
	glibc_params_t p;
	if (parse(params, &p, err, errlen) != 0 || bind_libc(err, errlen))
		return -1;
	/* glibc sets up its arenas on the first call and gives the calling
	 * thread the main arena; when another malloc is interposed (a sanitizer)
	 * that first call could come from a worker thread, and glibc's arena
	 * accounting then aborts at thread exit ("attached_threads > 0"). Make
	 * it here, on the creating thread; where glibc is the process's malloc
	 * (every plain run) it has happened long before. */
	libc_free(libc_malloc(1));
	for (size_t i = 0; i < NKEYS; i++) {
		if (p.v[i] == AS_PARAM_UNSET_U64)
			continue;
		if (glibc_opt[i]) {
			if (libc_mallopt(glibc_opt[i], (int)p.v[i]) != 1) {
				snprintf(err, errlen, "mallopt refused %s=%llu", glibc_spec[i].key,
				         (unsigned long long)p.v[i]);
				return -1;
			}
		} else if (!tunable_given(glibc_spec[i].key, p.v[i])) {
			snprintf(
			    err, errlen,
			    "%s can only be set through GLIBC_TUNABLES=glibc.malloc.%s=%llu when "
			    "the process starts (allocscope sets it for its workers and for exec)",
			    glibc_spec[i].key, glibc_spec[i].key, (unsigned long long)p.v[i]);
			return -1;
		}
	}
	*out = (void *)1; /* no state: the process-wide heap is the instance */
	return 0;
}

static void glibc_destroy(void *inst)
{
	(void)inst;
}

static void *glibc_alloc(void *inst, size_t size, size_t align)
{
	(void)inst;
	if (align <= 16)
		return libc_malloc(size);
	return libc_memalign(align, size);
}

static void glibc_free(void *inst, void *ptr, size_t size)
{
	(void)inst;
	(void)size;
	libc_free(ptr);
}

static void *glibc_realloc(void *inst, void *ptr, size_t old_size, size_t new_size)
{
	(void)inst;
	(void)old_size;
	return libc_realloc(ptr, new_size);
}

static void *glibc_calloc(void *inst, size_t size, size_t align)
{
	void *p;
	(void)inst;
	if (align <= 16)
		return libc_calloc(1, size);
	p = glibc_alloc(inst, size, align);
	if (p)
		memset(p, 0, size);
	return p;
}

static void glibc_stats(void *inst, as_stat_fn emit, void *ctx)
{
	struct mallinfo2 mi = mallinfo2();
	(void)inst;
	emit(ctx, "heap_bytes", (double)mi.arena);
	emit(ctx, "mmap_bytes", (double)mi.hblkhd);
	emit(ctx, "mmap_blocks", (double)mi.hblks);
	emit(ctx, "in_use_bytes", (double)mi.uordblks);
	emit(ctx, "free_bytes", (double)mi.fordblks);
	emit(ctx, "top_bytes", (double)mi.keepcost);
}

static int glibc_trim(void *inst)
{
	(void)inst;
	malloc_trim(0);
	return 0;
}

static char glibc_version[32];

static const as_module_t glibc_module = {
    .abi_version = AS_MODULE_ABI_VERSION,
    .struct_size = sizeof(as_module_t),
    .param_spec_size = sizeof(as_param_spec_t),
    .params_version = AS_PARAMS_VERSION,
    .name = "glibc",
    .version = glibc_version,
    .description = "the system malloc (ptmalloc2): brk heap, mmap above M_MMAP_THRESHOLD",
    .caps = AS_CAP_THREAD_SAFE | AS_CAP_FREE | AS_CAP_SIZE_UNKNOWN | AS_CAP_ANY_SIZE |
            AS_CAP_LIBC_MALLOC,
    .create = glibc_create,
    .destroy = glibc_destroy,
    .alloc = glibc_alloc,
    .free = glibc_free,
    .realloc = glibc_realloc,
    .calloc = glibc_calloc,
    .stats = glibc_stats,
    .trim = glibc_trim,
    .nparams = NKEYS,
    .params = glibc_spec,
    .params_env = glibc_params_env,
};

__attribute__((constructor)) static void glibc_module_init(void)
{
	strncpy(glibc_version, gnu_get_libc_version(), sizeof(glibc_version) - 1);
}

AS_MODULE_EXPORT(glibc_module)
