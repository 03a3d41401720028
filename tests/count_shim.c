/* count_shim.c - count_shim.so, an LD_PRELOAD library for tests that counts
 * a program's malloc-family calls as they are made, independently of
 * allocscope's capture library (no spool, no sequence numbers, no
 * conversion): the program's own count to hold a captured trace against.
 * Not a malloc: every call goes on to the next definition. Preloaded ahead
 * of the capture library, it sees each call as the program made it.
 *
 * With ASCOUNT_DIR set, each process image writes DIR/PID.GEN.cnt (GEN: the
 * first free number, so an exec gets the next one, as capture names its
 * spools), a shared mapping of AS_CNT_N little-endian u64 counters (order:
 * the enum below), up to date after every call whatever ends the process.
 * A forked child starts from zero with an empty live set: its frees of its
 * parent's blocks are unknown frees, as in capture's trace of the child. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define EXPORT __attribute__((visibility("default")))

enum {
	C_MALLOC,          /* malloc that returned a block (malloc(0) too) */
	C_CALLOC,          /* calloc that returned a block */
	C_REALLOC_NULL,    /* realloc(NULL, n) that returned a block */
	C_REALLOC,         /* realloc(p, n > 0) of a known block that returned one */
	C_REALLOC_ZERO,    /* realloc(p, 0) of a known block: a free */
	C_REALLOC_FAIL,    /* realloc(p, n > 0) that returned NULL: p stays */
	C_FREE,            /* free(p) of a known block */
	C_FREE_NULL,       /* free(NULL) */
	C_FREE_UNKNOWN,    /* free(p) / realloc(p, 0) of a block not seen allocated */
	C_REALLOC_UNKNOWN, /* realloc(p, n > 0) of a block not seen allocated */
	C_POSIX_MEMALIGN,  /* each of these: returned a block */
	C_ALIGNED_ALLOC,
	C_MEMALIGN,
	C_VALLOC,
	C_PVALLOC,
	C_USABLE_SIZE,  /* malloc_usable_size calls */
	C_BYTES,        /* bytes requested: malloc, calloc (n * size), realloc, aligned */
	C_LIVE_OBJECTS, /* at the last call */
	C_LIVE_BYTES,   /* requested bytes of the live objects */
	C_PEAK_BYTES,   /* highest C_LIVE_BYTES after an allocation */
	C_THREADS,      /* threads that made a call */
	C_OVERFLOW,     /* 1: the live table filled, counts not to be trusted */
	AS_CNT_N
};

#define TABLE_SLOTS (1u << 21) /* live objects at most 3/4 of it */

typedef struct {
	uint64_t addr, size;
} slot_t;

static void *(*next_malloc)(size_t);
static void (*next_free)(void *);
static void *(*next_calloc)(size_t, size_t);
static void *(*next_realloc)(void *, size_t);
static void *(*next_reallocarray)(void *, size_t, size_t);
static int (*next_posix_memalign)(void **, size_t, size_t);
static void *(*next_aligned_alloc)(size_t, size_t);
static void *(*next_memalign)(size_t, size_t);
static void *(*next_valloc)(size_t);
static void *(*next_pvalloc)(size_t);
static size_t (*next_usable)(void *);

static uint64_t local_cnt[AS_CNT_N];
static uint64_t *cnt = local_cnt;
static slot_t *table;
static atomic_flag lock = ATOMIC_FLAG_INIT;
static int state; /* 0 not yet, 1 resolving, 2 ready */
static __thread __attribute__((tls_model("initial-exec"))) int in_shim, thread_seen;

static char boot[64 * 1024] __attribute__((aligned(64)));
static size_t boot_off;

static int is_boot(const void *p)
{
	return (const char *)p >= boot && (const char *)p < boot + sizeof(boot);
}

static void *boot_alloc(size_t size)
{
	size_t off = (boot_off + 63) & ~(size_t)63;
	if (off + size > sizeof(boot))
		return NULL;
	boot_off = off + size;
	return boot + off;
}

static void lock_take(void)
{
	while (atomic_flag_test_and_set_explicit(&lock, memory_order_acquire))
		;
}

static void lock_give(void)
{
	atomic_flag_clear_explicit(&lock, memory_order_release);
}

static uint64_t hash(uint64_t a)
{
	a ^= a >> 33;
	a *= 0xff51afd7ed558ccdull;
	a ^= a >> 33;
	return a & (TABLE_SLOTS - 1);
}

/* Under the lock: add a live block. */
static void live_add(const void *p, uint64_t size)
{
	uint64_t a = (uint64_t)(uintptr_t)p, i;
	if (!table || cnt[C_LIVE_OBJECTS] >= TABLE_SLOTS / 4 * 3) {
		cnt[C_OVERFLOW] = 1;
		return;
	}
	for (i = hash(a); table[i].addr && table[i].addr != a; i = (i + 1) & (TABLE_SLOTS - 1))
		;
	if (table[i].addr == a) /* an allocation at a live address: not from a real malloc */
		cnt[C_OVERFLOW] = 1;
	else
		cnt[C_LIVE_OBJECTS]++;
	table[i].addr = a;
	table[i].size = size;
	cnt[C_LIVE_BYTES] += size;
	if (cnt[C_LIVE_BYTES] > cnt[C_PEAK_BYTES])
		cnt[C_PEAK_BYTES] = cnt[C_LIVE_BYTES];
}

/* Under the lock: remove a live block; 0 when it was not live. */
static int live_del(const void *p)
{
	uint64_t a = (uint64_t)(uintptr_t)p, i, j, h;
	if (!table)
		return 0;
	for (i = hash(a); table[i].addr && table[i].addr != a; i = (i + 1) & (TABLE_SLOTS - 1))
		;
	if (!table[i].addr)
		return 0;
	cnt[C_LIVE_BYTES] -= table[i].size;
	cnt[C_LIVE_OBJECTS]--;
	/* backward-shift deletion keeps every probe run unbroken */
	for (j = (i + 1) & (TABLE_SLOTS - 1); table[j].addr; j = (j + 1) & (TABLE_SLOTS - 1)) {
		h = hash(table[j].addr);
		if (((j - h) & (TABLE_SLOTS - 1)) >= ((j - i) & (TABLE_SLOTS - 1))) {
			table[i] = table[j];
			i = j;
		}
	}
	table[i].addr = 0;
	table[i].size = 0;
	return 1;
}

/* Open DIR/PID.GEN.cnt (first free GEN), map it as the counters. */
static void counters_open(void)
{
	const char *dir = getenv("ASCOUNT_DIR");
	char path[4200];
	if (!dir || strlen(dir) > 4000)
		return;
	for (int gen = 0; gen < 1000; gen++) {
		int fd;
		void *m;
		snprintf(path, sizeof(path), "%s/%d.%d.cnt", dir, (int)getpid(), gen);
		fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		if (fd < 0)
			continue;
		if (ftruncate(fd, sizeof(local_cnt)) == 0 &&
		    (m = mmap(NULL, sizeof(local_cnt), PROT_READ | PROT_WRITE, MAP_SHARED, fd,
		              0)) != MAP_FAILED) {
			memcpy(m, local_cnt, sizeof(local_cnt));
			cnt = m;
		}
		close(fd);
		return;
	}
}

static void table_new(void)
{
	void *m = mmap(NULL, (size_t)TABLE_SLOTS * sizeof(slot_t), PROT_READ | PROT_WRITE,
	               MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	table = m == MAP_FAILED ? NULL : m;
}

static void fork_prepare(void)
{
	lock_take();
}

static void fork_parent(void)
{
	lock_give();
}

/* The child: counts of its own, an empty live set (the parent's blocks are
 * blocks allocated before its tracing began). */
static void fork_child(void)
{
	if (table)
		munmap(table, (size_t)TABLE_SLOTS * sizeof(slot_t));
	table_new();
	if (cnt != local_cnt)
		munmap(cnt, sizeof(local_cnt));
	cnt = local_cnt;
	memset(local_cnt, 0, sizeof(local_cnt));
	in_shim++;
	counters_open();
	in_shim--;
	thread_seen = 0; /* counted again at its first call here */
	lock_give();
}

static void init(void)
{
	state = 1;
	in_shim++;
	next_malloc = (void *(*)(size_t))dlsym(RTLD_NEXT, "malloc");
	next_free = (void (*)(void *))dlsym(RTLD_NEXT, "free");
	next_calloc = (void *(*)(size_t, size_t))dlsym(RTLD_NEXT, "calloc");
	next_realloc = (void *(*)(void *, size_t))dlsym(RTLD_NEXT, "realloc");
	next_reallocarray = (void *(*)(void *, size_t, size_t))dlsym(RTLD_NEXT, "reallocarray");
	next_posix_memalign = (int (*)(void **, size_t, size_t))dlsym(RTLD_NEXT, "posix_memalign");
	next_aligned_alloc = (void *(*)(size_t, size_t))dlsym(RTLD_NEXT, "aligned_alloc");
	next_memalign = (void *(*)(size_t, size_t))dlsym(RTLD_NEXT, "memalign");
	next_valloc = (void *(*)(size_t))dlsym(RTLD_NEXT, "valloc");
	next_pvalloc = (void *(*)(size_t))dlsym(RTLD_NEXT, "pvalloc");
	next_usable = (size_t(*)(void *))dlsym(RTLD_NEXT, "malloc_usable_size");
	table_new();
	counters_open();
	pthread_atfork(fork_prepare, fork_parent, fork_child);
	in_shim--;
	state = 2;
}

/* 1 when this call is the program's, to be counted (the lock is then held) */
static int enter(void)
{
	if (state != 2) {
		if (state == 0)
			init();
		if (state != 2)
			return 0;
	}
	if (in_shim)
		return 0;
	in_shim++;
	lock_take();
	return 1;
}

/* Under the lock: this thread made a call a trace holds (free(NULL), a
 * failed allocation and malloc_usable_size are none) */
static void seen(void)
{
	if (!thread_seen) {
		thread_seen = 1;
		cnt[C_THREADS]++;
	}
}

static void leave(void)
{
	lock_give();
	in_shim--;
}

/* an allocation that returned p (NULL: failed, not counted) */
static void *allocated(int kind, void *p, uint64_t size)
{
	if (p) {
		seen();
		cnt[kind]++;
		cnt[C_BYTES] += size;
		live_add(p, size);
	}
	return p;
}

__attribute__((constructor)) static void shim_ctor(void)
{
	if (state == 0)
		init();
}

EXPORT void *malloc(size_t size)
{
	void *p;
	if (state == 0)
		init();
	if (!next_malloc)
		return boot_alloc(size);
	if (!enter())
		return next_malloc(size);
	lock_give(); /* not held across the call: another thread's free may be due */
	p = next_malloc(size);
	lock_take();
	allocated(C_MALLOC, p, size);
	leave();
	return p;
}

EXPORT void free(void *p)
{
	if (is_boot(p))
		return;
	if (state == 0)
		init();
	if (!next_free)
		return;
	if (!enter()) {
		next_free(p);
		return;
	}
	if (!p) {
		cnt[C_FREE_NULL]++;
	} else {
		seen();
		cnt[live_del(p) ? C_FREE : C_FREE_UNKNOWN]++;
	}
	lock_give();
	next_free(p);
	in_shim--;
}

EXPORT void *calloc(size_t n, size_t size)
{
	void *p;
	if (state == 0)
		init();
	if (!next_calloc)
		return boot_alloc(n * size); /* static: already zero */
	if (!enter())
		return next_calloc(n, size);
	lock_give();
	p = next_calloc(n, size);
	lock_take();
	allocated(C_CALLOC, p, (uint64_t)n * size);
	leave();
	return p;
}

/* realloc (ARR 0: N unused) or reallocarray (ARR 1) passed on as it came */
static void *next_re(void *old, size_t n, size_t size, int arr)
{
	return arr ? next_reallocarray(old, n, size) : next_realloc(old, size);
}

/* realloc(OLD, SIZE), or reallocarray(OLD, N, SIZE / N) when ARR */
static void *re(void *old, size_t n, size_t size, int arr)
{
	void *p;
	int known;
	uint64_t i, a = (uint64_t)(uintptr_t)old, osize = 0;
	if (is_boot(old)) {
		size_t room = (size_t)(boot + sizeof(boot) - (char *)old);
		p = malloc(size);
		if (p)
			memcpy(p, old, size < room ? size : room);
		return p;
	}
	if (!enter())
		return next_re(old, n, arr ? size / n : size, arr);
	if (!old) {
		lock_give();
		p = next_re(old, n, arr ? size / n : size, arr);
		lock_take();
		allocated(C_REALLOC_NULL, p, size);
		leave();
		return p;
	}
	if (size == 0) { /* glibc frees it and returns NULL */
		seen();
		cnt[live_del(old) ? C_REALLOC_ZERO : C_FREE_UNKNOWN]++;
		lock_give();
		p = next_re(old, n, 0, arr);
		in_shim--;
		return p;
	}
	/* the old block dies before the call (its address may be reused by
	 * another thread as soon as the call has freed it), the new one is
	 * born after it; a failed call gives the old one back */
	for (i = hash(a); table && table[i].addr && table[i].addr != a;
	     i = (i + 1) & (TABLE_SLOTS - 1))
		;
	if (table && table[i].addr == a)
		osize = table[i].size;
	known = live_del(old);
	lock_give();
	p = next_re(old, n, arr ? size / n : size, arr);
	lock_take();
	if (!p) {
		cnt[C_REALLOC_FAIL]++;
		if (known)
			live_add(old, osize);
	} else {
		seen();
		cnt[known ? C_REALLOC : C_REALLOC_UNKNOWN]++;
		cnt[C_BYTES] += size;
		live_add(p, size);
	}
	leave();
	return p;
}

EXPORT void *realloc(void *old, size_t size)
{
	return re(old, 1, size, 0);
}

/* counted as the realloc it is, passed on as reallocarray (capture's own) */
EXPORT void *reallocarray(void *old, size_t n, size_t size)
{
	size_t total;
	if (__builtin_mul_overflow(n, size, &total) || !next_reallocarray)
		return next_reallocarray ? next_reallocarray(old, n, size) : NULL;
	return re(old, total ? n : 1, total, 1);
}

static void *aligned(int kind, void *(*fn)(size_t, size_t), size_t align, size_t size)
{
	void *p;
	if (!enter())
		return fn(align, size);
	lock_give();
	p = fn(align, size);
	lock_take();
	allocated(kind, p, size);
	leave();
	return p;
}

EXPORT int posix_memalign(void **out, size_t align, size_t size)
{
	int r;
	if (!enter())
		return next_posix_memalign(out, align, size);
	lock_give();
	r = next_posix_memalign(out, align, size);
	lock_take();
	if (r == 0)
		allocated(C_POSIX_MEMALIGN, *out, size);
	leave();
	return r;
}

EXPORT void *aligned_alloc(size_t align, size_t size)
{
	return aligned(C_ALIGNED_ALLOC, next_aligned_alloc, align, size);
}

EXPORT void *memalign(size_t align, size_t size)
{
	return aligned(C_MEMALIGN, next_memalign, align, size);
}

EXPORT void *valloc(size_t size)
{
	void *p;
	if (!enter())
		return next_valloc(size);
	lock_give();
	p = next_valloc(size);
	lock_take();
	allocated(C_VALLOC, p, size);
	leave();
	return p;
}

EXPORT void *pvalloc(size_t size)
{
	void *p;
	if (!enter())
		return next_pvalloc(size);
	lock_give();
	p = next_pvalloc(size);
	lock_take();
	allocated(C_PVALLOC, p, size);
	leave();
	return p;
}

EXPORT size_t malloc_usable_size(void *p)
{
	if (enter()) {
		cnt[C_USABLE_SIZE]++;
		leave();
	}
	return next_usable(p);
}
