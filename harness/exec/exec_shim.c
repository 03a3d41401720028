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
#include <dlfcn.h>
#include <errno.h>
#include <gnu/libc-version.h>
#include <malloc.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "../loader.h"
#include "exec_escape.h"

#define HDR    16u
#define EXPORT __attribute__((visibility("default")))

typedef struct {
	uint64_t size;       /* bytes the program asked for */
	uint32_t offset;     /* user pointer - module block; OFF_FAR: see offset_of */
	uint16_t align_log2; /* alignment asked for (over-allocation = align) */
	uint16_t magic;
} hdr_t;

#define MAGIC 0xa11cu
/* An offset of 4 GiB or more (an alignment that big) does not fit the
 * header: it is kept in the 8 bytes below the header, which lie in the
 * over-allocated gap (at least 4 GiB of it), and the field says so. */
#define OFF_FAR UINT32_MAX

static size_t offset_of(const hdr_t *h)
{
	uint64_t o = h->offset;
	if (o == OFF_FAR)
		memcpy(&o, (const char *)h - sizeof(o), sizeof(o));
	return (size_t)o;
}

static const as_module_t *mod;
static void *inst;
static int serialise;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static volatile int state; /* 0 not loaded, 1 loading, 2 ready, 3 failed */
static __thread int in_init;

static char boot[4 << 20] __attribute__((aligned(64)));
static size_t boot_used;
/* The program's calls by entry point, as it made them, so that an outside
 * count (ltrace's, an LD_PRELOAD counter's) finds the same: bootstrap calls
 * included, free(NULL) also apart (it reaches no module). One relaxed add
 * per call, in the entry. Until session 32 the only count was of the calls
 * that reached the module, printed as `calls`: python3 -c 'print(1)' said
 * calls=2306 where an LD_PRELOAD counter ahead of the shim counted 2540 in
 * the same run (free(NULL), bootstrap calls and frees of bootstrap blocks
 * not in it; tests/test_exec_counts.sh). */
enum { K_MALLOC, K_CALLOC, K_REALLOC, K_FREE, K_FREE_NULL, K_ALIGNED, K_NEW, K_DELETE, K_N };
static uint64_t kind_calls[K_N], boot_calls;
#define COUNT(k) __atomic_fetch_add(&kind_calls[k], 1, __ATOMIC_RELAXED)

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
	/* acquire: pairs with the release below, so that a thread that did
	 * not take the lock sees mod, inst and serialise as load_module left
	 * them (a plain load is enough on x86-64 only) */
	if (__builtin_expect(__atomic_load_n(&state, __ATOMIC_ACQUIRE) == 2, 1))
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

static void ran_out(size_t size);

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
	if (!base && total < ((size_t)64 << 20))
		ran_out(size);
	if (serialise)
		pthread_mutex_unlock(&lock);
	if (!base) {
		errno = ENOMEM;
		return NULL;
	}
	user = (char *)(((uintptr_t)base + HDR + a - 1) & ~(uintptr_t)(a - 1));
	h = (hdr_t *)(user - HDR);
	h->size = size;
	if ((uint64_t)(user - base) >= OFF_FAR) {
		uint64_t o = (uint64_t)(user - base);
		memcpy((char *)h - sizeof(o), &o, sizeof(o));
		h->offset = OFF_FAR;
	} else {
		h->offset = (uint32_t)(user - base);
	}
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
	mod->free(inst, (char *)p - offset_of(h), block_total(h));
	if (serialise)
		pthread_mutex_unlock(&lock);
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
		if (!nb && size + HDR < ((size_t)64 << 20))
			ran_out(size);
		if (serialise)
			pthread_mutex_unlock(&lock);
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
	COUNT(K_MALLOC);
	return shim_alloc(size, 16, 0);
}

EXPORT void free(void *p)
{
	COUNT(p ? K_FREE : K_FREE_NULL);
	shim_free(p);
}

EXPORT void *calloc(size_t n, size_t size)
{
	size_t total;
	COUNT(K_CALLOC);
	if (__builtin_mul_overflow(n, size, &total)) {
		errno = ENOMEM;
		return NULL;
	}
	return shim_alloc(total, 16, 1);
}

EXPORT void *realloc(void *p, size_t size)
{
	COUNT(K_REALLOC);
	return shim_realloc(p, size);
}

EXPORT void *reallocarray(void *p, size_t n, size_t size)
{
	size_t total;
	COUNT(K_REALLOC);
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

/* memalign's alignment as glibc takes it: up to 16 is malloc's, a value
 * that is not a power of two is rounded up to the next one, and one above
 * SIZE_MAX / 2 + 1 is EINVAL (returns 0 then). */
static size_t glibc_align(size_t a)
{
	if (a <= 16)
		return 16;
	if (a > SIZE_MAX / 2 + 1)
		return 0;
	return valid_align(a) ? a : (size_t)1 << (64 - __builtin_clzll(a - 1));
}

EXPORT int posix_memalign(void **out, size_t align, size_t size)
{
	void *p;
	COUNT(K_ALIGNED);
	if (!valid_align(align) || align % sizeof(void *))
		return EINVAL;
	p = shim_alloc(size, align, 0);
	if (!p)
		return ENOMEM;
	*out = p;
	return 0;
}

static void *shim_memalign(size_t align, size_t size)
{
	size_t a = glibc_align(align);
	if (!a) {
		errno = EINVAL;
		return NULL;
	}
	return shim_alloc(size, a, 0);
}

EXPORT void *memalign(size_t align, size_t size)
{
	COUNT(K_ALIGNED);
	return shim_memalign(align, size);
}

/* glibc before 2.38 makes aligned_alloc memalign; 2.38 and later refuse an
 * alignment that is not a power of two (0 included) with EINVAL. The
 * shim does what the glibc the program runs on does. */
EXPORT void *aligned_alloc(size_t align, size_t size)
{
	static int strict = -1;
	COUNT(K_ALIGNED);
	if (strict < 0) {
		const char *v = gnu_get_libc_version();
		unsigned long major = strtoul(v, (char **)&v, 10);
		unsigned long minor = *v == '.' ? strtoul(v + 1, NULL, 10) : 0;
		strict = major > 2 || (major == 2 && minor >= 38);
	}
	if (strict && !valid_align(align)) {
		errno = EINVAL;
		return NULL;
	}
	return shim_memalign(align, size);
}

EXPORT void *valloc(size_t size)
{
	COUNT(K_ALIGNED);
	return shim_alloc(size, (size_t)sysconf(_SC_PAGESIZE), 0);
}

EXPORT void *pvalloc(size_t size)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	COUNT(K_ALIGNED);
	return shim_alloc((size + page - 1) & ~(page - 1), page, 0);
}

EXPORT size_t malloc_usable_size(void *p)
{
	if (!p)
		return 0;
	return ((hdr_t *)((char *)p - HDR))->size;
}

/* C++'s operator new and delete, every Itanium-ABI variant (plain, array,
 * nothrow, sized, std::align_val_t; the names are the ABI's). Without them
 * a program's C++ allocations went to the first library in the search
 * order that defines them: libstdc++, whose operators call malloc (the
 * shim's), but an allocator the caller preloads (tcmalloc, jemalloc,
 * mimalloc) or that a module is preloaded with defines its own, and the
 * program's C++ heap silently bypassed the module. On success they are
 * the shim's malloc and free. On failure (the module returned NULL, or an
 * alignment that is not a power of two) the C++ runtime's own definition
 * runs, from libstdc++ (or libc++) itself, not the next in the search
 * order (which may be the preloaded allocator's): its operators allocate
 * through malloc/aligned_alloc, that is through the shim again, so the
 * new_handler loop, std::bad_alloc and nothrow's nullptr are exactly the
 * runtime's, and any block it gets is the module's. The exception passes
 * through the frames here (built with -fexceptions; nothing to undo). */
static void *cxx_runtime_sym(const char *name)
{
	static void *rt;
	if (!rt)
		rt = dlopen("libstdc++.so.6", RTLD_LAZY | RTLD_NOLOAD);
	if (!rt)
		rt = dlopen("libc++.so.1", RTLD_LAZY | RTLD_NOLOAD);
	return rt ? dlsym(rt, name) : NULL;
}

/* operator new `sym` of size, align (0: the default) and nothrow (NULL:
 * the throwing kind). */
static void *cxx_new(const char *sym, size_t size, size_t align, const void *nothrow)
{
	void *p = NULL, *f;
	COUNT(K_NEW);
	if (!align || valid_align(align))
		p = shim_alloc(size, align > 16 ? align : 16, 0);
	if (p)
		return p;
	f = cxx_runtime_sym(sym);
	if (!f) {
		if (nothrow)
			return NULL;
		die("operator new failed and no C++ runtime (libstdc++, libc++) is loaded to "
		    "throw std::bad_alloc");
	}
	if (!align)
		return nothrow ? ((void *(*)(size_t, const void *))f)(size, nothrow)
		               : ((void *(*)(size_t))f)(size);
	return nothrow ? ((void *(*)(size_t, size_t, const void *))f)(size, align, nothrow)
	               : ((void *(*)(size_t, size_t))f)(size, align);
}

/* The variants by parameter list (the ABI passes std::align_val_t as a
 * size_t and std::nothrow_t by reference). */
#define NEW_S(name)                                   \
	EXPORT void *name(size_t size);               \
	EXPORT void *name(size_t size)                \
	{                                             \
		return cxx_new(#name, size, 0, NULL); \
	}
#define NEW_ST(name)                                    \
	EXPORT void *name(size_t size, const void *nt); \
	EXPORT void *name(size_t size, const void *nt)  \
	{                                               \
		return cxx_new(#name, size, 0, nt);     \
	}
#define NEW_SA(name)                                   \
	EXPORT void *name(size_t size, size_t al);     \
	EXPORT void *name(size_t size, size_t al)      \
	{                                              \
		return cxx_new(#name, size, al, NULL); \
	}
#define NEW_SAT(name)                                              \
	EXPORT void *name(size_t size, size_t al, const void *nt); \
	EXPORT void *name(size_t size, size_t al, const void *nt)  \
	{                                                          \
		return cxx_new(#name, size, al, nt);               \
	}
/* operator delete: the size, alignment or nothrow a variant adds are not
 * needed (the header has them) */
#define DELETE(name, params)     \
	EXPORT void name params; \
	EXPORT void name params  \
	{                        \
		COUNT(K_DELETE); \
		shim_free(p);    \
	}
NEW_S(_Znwm)
NEW_S(_Znam)
NEW_ST(_ZnwmRKSt9nothrow_t)
NEW_ST(_ZnamRKSt9nothrow_t)
NEW_SA(_ZnwmSt11align_val_t)
NEW_SA(_ZnamSt11align_val_t)
NEW_SAT(_ZnwmSt11align_val_tRKSt9nothrow_t)
NEW_SAT(_ZnamSt11align_val_tRKSt9nothrow_t)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-parameter"
DELETE(_ZdlPv, (void *p))
DELETE(_ZdaPv, (void *p))
DELETE(_ZdlPvm, (void *p, size_t n))
DELETE(_ZdaPvm, (void *p, size_t n))
DELETE(_ZdlPvRKSt9nothrow_t, (void *p, const void *nt))
DELETE(_ZdaPvRKSt9nothrow_t, (void *p, const void *nt))
DELETE(_ZdlPvSt11align_val_t, (void *p, size_t al))
DELETE(_ZdaPvSt11align_val_t, (void *p, size_t al))
DELETE(_ZdlPvmSt11align_val_t, (void *p, size_t n, size_t al))
DELETE(_ZdaPvmSt11align_val_t, (void *p, size_t n, size_t al))
DELETE(_ZdlPvSt11align_val_tRKSt9nothrow_t, (void *p, size_t al, const void *nt))
DELETE(_ZdaPvSt11align_val_tRKSt9nothrow_t, (void *p, size_t al, const void *nt))
#pragma GCC diagnostic pop

/* Module stats, peak RSS and call counts appended at exit to the file named
 * by ALLOCSCOPE_EXEC_STATS (created by `allocscope exec --stats`), one
 * "key=value" block per process. Written without malloc or stdio: the block
 * is formatted into a fixed buffer and appended with one write(2), so it can
 * run while another thread, or the module's own stats(), holds a lock that
 * malloc would take. The file is opened without O_CREAT: a process that
 * outlives the CLI (which has read and removed the file) writes nothing. */
typedef struct {
	char b[8192];
	size_t n;
} outbuf_t;

static void put_str(outbuf_t *o, const char *s)
{
	while (*s && o->n < sizeof(o->b))
		o->b[o->n++] = *s++;
}

static void put_u64(outbuf_t *o, uint64_t v)
{
	char d[24];
	int i = 0;
	do
		d[i++] = (char)('0' + v % 10);
	while ((v /= 10) && i < (int)sizeof(d));
	while (i > 0 && o->n < sizeof(o->b))
		o->b[o->n++] = d[--i];
}

/* printf's "%.0f", without the libc formatter (which may allocate). */
static void put_double(outbuf_t *o, double v)
{
	int zeros = 0;
	if (v != v) {
		put_str(o, "nan");
		return;
	}
	if (v < 0) {
		put_str(o, "-");
		v = -v;
	}
	if (v > 1.7e308) {
		put_str(o, "inf");
		return;
	}
	while (v >= 1e18) {
		v /= 10;
		zeros++;
	}
	put_u64(o, (uint64_t)(v + 0.5));
	while (zeros-- > 0)
		put_str(o, "0");
}

static void put_kv(outbuf_t *o, const char *key, uint64_t v)
{
	put_str(o, key);
	put_str(o, "=");
	put_u64(o, v);
	put_str(o, "\n");
}

/* calls, the sum, then one line per kind (free_calls with free(NULL)) */
static void put_calls(outbuf_t *o)
{
	static const char *const names[K_N] = {[K_MALLOC] = "malloc_calls",
	                                       [K_CALLOC] = "calloc_calls",
	                                       [K_REALLOC] = "realloc_calls",
	                                       [K_FREE] = "free_calls",
	                                       [K_FREE_NULL] = "free_null_calls",
	                                       [K_ALIGNED] = "aligned_calls",
	                                       [K_NEW] = "new_calls",
	                                       [K_DELETE] = "delete_calls"};
	uint64_t v[K_N], sum = 0;
	for (int k = 0; k < K_N; k++)
		sum += v[k] = __atomic_load_n(&kind_calls[k], __ATOMIC_RELAXED);
	put_kv(o, "calls", sum);
	for (int k = 0; k < K_N; k++)
		put_kv(o, names[k], k == K_FREE ? v[k] + v[K_FREE_NULL] : v[k]);
}

static void emit_stat(void *ctx, const char *name, double v)
{
	outbuf_t *o = ctx;
	put_str(o, "module_");
	put_str(o, name);
	put_str(o, "=");
	put_double(o, v);
	put_str(o, "\n");
}

/* The first time the module refuses an ordinary request (under 64 MiB: one
 * any heap serves), one line on stderr names the module and the request,
 * with the module's counters when the shim's lock already makes reading them
 * safe (a bump region or an arena used up shows there), before the program
 * sees NULL and perhaps crashes on it. Called with the lock held when the
 * module is serialised. */
static void ran_out(size_t size)
{
	static int said;
	static outbuf_t o;
	if (__atomic_exchange_n(&said, 1, __ATOMIC_RELAXED))
		return;
	o.n = 0;
	put_str(&o, "allocscope exec: module ");
	put_str(&o, mod->name);
	put_str(&o, " ran out of memory: it returned NULL for a request of ");
	put_u64(&o, size);
	put_str(&o, " bytes, and the program gets ENOMEM");
	if (serialise && mod->stats) {
		size_t at;
		put_str(&o, " (module stats: ");
		at = o.n;
		mod->stats(inst, emit_stat, &o);
		/* "module_k=v\n" lines -> " k=v" */
		for (size_t i = at, w = at; i <= o.n; i++) {
			if (i == o.n) {
				o.n = w;
				break;
			}
			if (o.b[i] == '\n')
				o.b[w++] = ' ';
			else if (!(strncmp(o.b + i, "module_", 7) == 0 &&
			           (i == at || o.b[i - 1] == '\n')))
				o.b[w++] = o.b[i];
			else
				i += 6;
		}
		if (o.n > at && o.b[o.n - 1] == ' ')
			o.n--;
		put_str(&o, ")");
	}
	put_str(&o, "\n");
	if (write(2, o.b, o.n) < 0) {
		/* stderr closed: nothing else to say it on */
	}
}

static pid_t self_pid;   /* this process; a vfork child sees its parent's */
static pid_t report_pid; /* the process that wrote its block, once */
/* ALLOCSCOPE_EXEC_STATS as the image started: a program that clears its
 * environment (python's os.environ.clear()) still reports, else exec took
 * it for one that escaped the shim (a review of session 21's change) */
static char stats_path[4096];

static void shim_report(void)
{
	static outbuf_t o; /* one report per process, under report_pid */
	const char *path = stats_path;
	struct rusage ru;
	struct timespec until;
	pid_t me = (pid_t)syscall(SYS_getpid);
	int fd;
	if (!path || !*path || state != 2)
		return;
	/* a vfork child shares this memory with its parent: leave it alone */
	if (me != self_pid || !__sync_bool_compare_and_swap(&report_pid, 0, me))
		return;
	fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC);
	if (fd < 0)
		return;
	getrusage(RUSAGE_SELF, &ru);
	o.n = 0;
	put_kv(&o, "pid", (uint64_t)me);
	put_str(&o, "module=");
	put_str(&o, mod->name);
	put_str(&o, "\nmodule_version=");
	put_str(&o, mod->version ? mod->version : "");
	put_str(&o, "\n");
	put_calls(&o);
	put_kv(&o, "bootstrap_calls", boot_calls);
	put_kv(&o, "rss_peak_kib", (uint64_t)ru.ru_maxrss);
	put_kv(&o, "minflt", (uint64_t)ru.ru_minflt);
	put_kv(&o, "majflt", (uint64_t)ru.ru_majflt);
	if (mod->stats) {
		/* another thread may still be inside the module (exit does not stop
		 * threads); wait for it a while, and say so if it never lets go */
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += 2;
		if (!serialise || pthread_mutex_timedlock(&lock, &until) == 0) {
			mod->stats(inst, emit_stat, &o);
			if (serialise)
				pthread_mutex_unlock(&lock);
		} else {
			put_str(&o,
			        "module_stats=not read: another thread held the module for 2 s\n");
		}
	}
	if (o.n == sizeof(o.b))
		o.b[o.n - 1] = '\n';
	if (write(fd, o.b, o.n) < 0) {
		/* nothing to do: the CLI reports a missing block */
	}
	close(fd);
}

__attribute__((destructor)) static void shim_report_at_exit(void)
{
	shim_report();
}

/* _exit and _Exit skip destructors (dash's `sh -c` ends with _exit), so the
 * shim takes them too; glibc's own internal calls are out of its reach. */
EXPORT void _exit(int status)
{
	shim_report();
	for (;;)
		syscall(SYS_exit_group, status);
}

EXPORT void _Exit(int status)
{
	_exit(status);
}

static void fork_prepare(void)
{
	pthread_mutex_lock(&lock);
}

static void fork_release(void)
{
	pthread_mutex_unlock(&lock);
}

/* A forked child is a process of its own: its counts start at zero (the
 * module instance, and so module_* counters, is inherited with the heap). */
static void fork_child(void)
{
	memset(kind_calls, 0, sizeof(kind_calls));
	boot_calls = 0;
	report_pid = 0;
	self_pid = (pid_t)syscall(SYS_getpid);
	pthread_mutex_unlock(&lock);
}

/* ALLOCSCOPE_EXEC_STATS into stats_path, once: from shim_init, or from
 * exec_escape.c when a wrapped exec comes first (no malloc: getenv and a
 * copy into the static buffer). */
const char *as_exec_escape_early_path(void)
{
	const char *sp = getenv("ALLOCSCOPE_EXEC_STATS");
	if (!stats_path[0] && sp && strlen(sp) < sizeof(stats_path))
		memcpy(stats_path, sp, strlen(sp) + 1);
	return stats_path;
}

__attribute__((constructor)) static void shim_init(void)
{
	as_exec_escape_early_path();
	at_quick_exit(shim_report); /* quick_exit runs no destructor */
	self_pid = (pid_t)syscall(SYS_getpid);
	pthread_atfork(fork_prepare, fork_release, fork_child);
	as_exec_escape_init(stats_path);
	ensure_loaded();
}
