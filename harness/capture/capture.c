/* capture.c - allocscope_capture.so, the LD_PRELOAD library behind
 * `allocscope capture`: wraps every malloc-family entry point and appends
 * one delta-encoded record per call to its thread's buffer, which is a slot
 * of the spool file mapped shared (so what was recorded is in the file
 * whatever ends the process, SIGKILL included); a full buffer is appended
 * to the spool as a chunk. The capture command turns the spool into a
 * trace. Ordering: a global sequence number taken after an allocation
 * returns and before a free begins (realloc takes one at each end), so a
 * free is never ordered before its allocation and a reused address never
 * before its free. Not a malloc: every call goes to the next malloc in the
 * link order. */
#define _GNU_SOURCE
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/single_threaded.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "../exec/exec_escape.h"
#include "spool.h"

#define EXPORT     __attribute__((visibility("default")))
#define TLS        static __thread __attribute__((tls_model("initial-exec")))
#define TAIL_BYTES (128 * 1024) /* a thread's buffer: tail slot of the spool */
#define BUF_BYTES  (TAIL_BYTES - sizeof(as_spool_tail_t)) /* its records */
#define MAX_REC    48                                     /* longest encoded record */
#define MAX_THREAD 1024 /* registered buffers at once (a trace holds 256 threads) */

/* Owner thread only, except the registry's takeover of a dead buffer. */
typedef struct tbuf {
	as_spool_tail_t *tail; /* its slot of the spool, mapped shared (NULL: none) */
	uint32_t used;         /* bytes of records in the slot */
	uint32_t tid;
	int slot;
	int first;   /* no chunk written yet: decoder starts from 0 */
	int no_tail; /* mapping its slot failed: records nothing */
	int dead;    /* its thread has exited: free for the next new thread */
	uint64_t prev_seq, prev_tsc, prev_addr; /* owner only: delta bases */
	uint32_t untimed;                       /* records since the clock was read */
} tbuf_t;

static void *(*real_malloc)(size_t);
static void (*real_free)(void *);
static void *(*real_calloc)(size_t, size_t);
static void *(*real_realloc)(void *, size_t);
static int (*real_posix_memalign)(void **, size_t, size_t);
static void *(*real_aligned_alloc)(size_t, size_t);
static void *(*real_memalign)(size_t, size_t);
static void *(*real_valloc)(size_t);
static void *(*real_pvalloc)(size_t);
static size_t (*real_usable)(void *);
static int (*real_pthread_create)(pthread_t *, const pthread_attr_t *, void *(*)(void *), void *);

/* 0 no, 1 resolving, 2 done. Read by every call on any thread (ready())
 * while the first call's thread, the constructor's most often, resolves
 * the real functions: atomic. The first to move it from 0 to 1 resolves
 * (a compare-exchange: a second thread's call cannot start a second
 * resolving); 2 is stored with release once the real_* pointers, the
 * thread key and the spool are set, and loaded with acquire, so a thread
 * that sees 2 sees them (the same plain load as before on x86-64). */
static _Atomic int initialized;
/* Both are read by any thread: enabled on every call, spool_fd when a
 * thread maps its slot or flushes it. They are set at start-up and in a
 * fork's child, and spool_fd again when a flush reopens the spool, so
 * atomic: enabled is stored with release once the spool (spool_fd, seqp,
 * tails_off, time_every) is set up, and loaded with acquire before a
 * thread maps its first slot (record_slow); after that the fast path's
 * relaxed load is enough (one plain load on x86-64 and arm64, as before).
 * spool_fd, once open, is read and swapped under fd_lock. */
static _Atomic int enabled; /* recording on */
static _Atomic int spool_fd = -1;
static dev_t spool_dev;                        /* the spool's identity: a program that closes all */
static ino_t spool_ino;                        /* its fds may reuse the number for its own file */
static char spool_path[4096];                  /* absolute: reopened when the program closed it */
static atomic_flag fd_lock = ATOMIC_FLAG_INIT; /* spool_fd's reopening */
static uint64_t tails_off;                     /* the spool's tail slot 0 */
static _Atomic uint64_t seq_local;             /* until a spool is open */
static _Atomic uint64_t *seqp = &seq_local;    /* the spool header's seq_taken */
static void *seq_map;                          /* its shared mapping */
static uint32_t time_every = 1;                /* read the clock every Nth record per thread */
static tbuf_t *registry[MAX_THREAD];
static atomic_flag reg_lock = ATOMIC_FLAG_INIT;
static pthread_key_t tkey;

TLS tbuf_t *my_buf;
TLS int in_hook;

/* ---- bootstrap: calls before dlsym has resolved the real allocator ---- */
static char boot[1 << 20] __attribute__((aligned(64)));
static size_t boot_off;

static int is_boot(const void *p)
{
	return (const char *)p >= boot && (const char *)p < boot + sizeof(boot);
}

static void *boot_alloc(size_t size, size_t align)
{
	size_t off, hdr = 16;
	if (align < 16)
		align = 16;
	off = (boot_off + hdr + align - 1) & ~(align - 1);
	if (off + size > sizeof(boot))
		return NULL;
	boot_off = off + size;
	memcpy(boot + off - 8, &size, sizeof(size));
	return boot + off;
}

static size_t boot_size(const void *p)
{
	size_t s;
	memcpy(&s, (const char *)p - 8, sizeof(s));
	return s;
}

static void spin_lock(atomic_flag *f)
{
	while (atomic_flag_test_and_set_explicit(f, memory_order_acquire))
		sched_yield();
}

static void spin_unlock(atomic_flag *f)
{
	atomic_flag_clear_explicit(f, memory_order_release);
}

static void write_all(int fd, const void *p, size_t n)
{
	const char *c = p;
	while (n > 0) {
		ssize_t w = write(fd, c, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return; /* spool lost: nothing sensible to do inside malloc */
		c += w;
		n -= (size_t)w;
	}
}

/* Empty b's slot: its length first, then its bases and flag (what the
 * next record is decoded from). */
static void slot_reset(tbuf_t *b)
{
	as_spool_tail_t *t = b->tail;
	__atomic_store_n(&t->len, 0, __ATOMIC_RELEASE);
	t->seq = b->prev_seq;
	t->tsc = b->prev_tsc;
	t->addr = b->prev_addr;
	__atomic_store_n(&t->flags, b->first ? AS_SPOOL_CHUNK_FIRST : 0, __ATOMIC_RELEASE);
	b->used = 0;
}

/* The spool's fd, checked to be the spool still: a program that closes
 * every fd (closefrom(3), a daemon's close loop) may have closed it, or
 * given its number to a file of its own, which is never written. Then the
 * spool is opened again by its path, so recording goes on. Until review-h
 * the library stopped there: the records in the slot were dropped and
 * every later call went unrecorded and uncounted (a program's 202,000
 * calls after closefrom(3): a trace of 1 event, 28,701 "lost"). -1 when it
 * cannot be opened again (a chroot, another user): the records are then
 * counted lost, their numbers taken. */
static int spool_fd_get(void)
{
	struct stat st;
	int fd;
	spin_lock(&fd_lock);
	fd = atomic_load_explicit(&spool_fd, memory_order_relaxed);
	if (fd >= 0 && (fstat(fd, &st) != 0 || st.st_dev != spool_dev || st.st_ino != spool_ino)) {
		fd = -1; /* never write into a file that is not our spool */
		if (spool_path[0] && (fd = open(spool_path, O_RDWR | O_APPEND | O_CLOEXEC)) >= 0) {
			int high = fcntl(fd, F_DUPFD_CLOEXEC, 900);
			if (high >= 0) {
				close(fd);
				fd = high;
			}
			if (fstat(fd, &st) != 0 || st.st_dev != spool_dev ||
			    st.st_ino != spool_ino) {
				close(fd);
				fd = -1;
			}
		}
		/* -2: lost for good, not looked at again */
		atomic_store_explicit(&spool_fd, fd < 0 ? -2 : fd, memory_order_relaxed);
	}
	spin_unlock(&fd_lock);
	return fd;
}

/* Append b's records to the spool as one chunk (header + bytes in one
 * writev: O_APPEND keeps chunks whole), then empty the slot: its length
 * first, then its bases (a kill in between leaves a slot that repeats the
 * chunk, which the reader skips, never one decoded from wrong bases). */
static void flush(tbuf_t *b)
{
	as_spool_tail_t *t = b->tail;
	int fd = b->used ? spool_fd_get() : -1;
	if (fd >= 0) {
		as_spool_chunk_t h = {AS_SPOOL_CHUNK_MAGIC, b->tid, b->used,
		                      b->first ? AS_SPOOL_CHUNK_FIRST : 0};
		struct iovec iov[2] = {{&h, sizeof(h)}, {t + 1, b->used}};
		size_t total = sizeof(h) + b->used;
		ssize_t w;
		while ((w = writev(fd, iov, 2)) < 0 && errno == EINTR)
			;
		if (w > 0 && (size_t)w < total) {
			/* short write (disk full?): finish it so the file stays framed */
			size_t done = (size_t)w;
			if (done < sizeof(h)) {
				write_all(fd, (char *)&h + done, sizeof(h) - done);
				done = sizeof(h);
			}
			write_all(fd, (uint8_t *)(t + 1) + (done - sizeof(h)), total - done);
		}
		b->first = 0;
	}
	/* what could not be written is lost, and counted: its numbers were taken */
	slot_reset(b);
}

/* A new thread takes b's slot: its records will be numbered from the
 * counter's value now on. The floor is in place before the thread takes its
 * first number (the fence), so a reader that sees that number counted in
 * seq_taken also sees the floor (spool.h). */
static void slot_floor(tbuf_t *b)
{
	__atomic_store_n(&b->tail->floor, atomic_load(seqp), __ATOMIC_RELEASE);
	atomic_thread_fence(memory_order_seq_cst);
}

/* Map slot b->slot of the spool as b's buffer, its pages made writable now
 * (one MADV_POPULATE_WRITE, where a full disk shows as an error, not as a
 * SIGBUS in the program later). Returns 0, or -1 (then b records nothing:
 * its records are counted lost). */
static int tail_map(tbuf_t *b)
{
	void *m;
	int fd = spool_fd_get();
	if (fd < 0)
		return -1;
	m = mmap(NULL, TAIL_BYTES, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
	         (off_t)(tails_off + (uint64_t)b->slot * TAIL_BYTES));
	if (m == MAP_FAILED)
		return -1;
	if (madvise(m, TAIL_BYTES, MADV_POPULATE_WRITE) != 0 && errno != EINVAL) {
		munmap(m, TAIL_BYTES); /* EINVAL: a kernel before 5.14; pages fault in */
		return -1;
	}
	b->tail = m;
	b->tail->tid = b->tid;
	slot_reset(b);
	if (seq_map) { /* slots_used covers this slot before its floor is set */
		uint32_t *used = &((as_spool_hdr_t *)seq_map)->slots_used;
		uint32_t u = __atomic_load_n(used, __ATOMIC_ACQUIRE);
		while (u < (uint32_t)b->slot + 1 &&
		       !__atomic_compare_exchange_n(used, &u, (uint32_t)b->slot + 1, 0,
		                                    __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
			;
	}
	slot_floor(b);
	__atomic_store_n(&b->tail->magic, AS_SPOOL_TAIL_MAGIC, __ATOMIC_RELEASE);
	atomic_thread_fence(memory_order_seq_cst);
	return 0;
}

/* Thread exit: write out the records, then leave the buffer registered but
 * dead; the next new thread takes it over. */
static void thread_gone(void *v)
{
	tbuf_t *b = v;
	if (b->tail)
		flush(b);
	b->first = 1; /* the next owner is a new thread */
	b->prev_seq = b->prev_tsc = b->prev_addr = 0;
	b->untimed = 0;
	if (b->tail) {
		slot_reset(b);
		/* nothing more comes from this slot until a new thread takes it */
		__atomic_store_n(&b->tail->floor, UINT64_MAX, __ATOMIC_RELEASE);
	}
	__atomic_store_n(&b->dead, 1, __ATOMIC_RELEASE);
	if (my_buf == b)
		my_buf = NULL;
}

static tbuf_t *tbuf_new(void)
{
	tbuf_t *b = NULL;
	uint32_t tid = (uint32_t)syscall(SYS_gettid);
	spin_lock(&reg_lock);
	for (int i = 0; i < MAX_THREAD && !b; i++)
		if (registry[i] && __atomic_load_n(&registry[i]->dead, __ATOMIC_ACQUIRE))
			b = registry[i];
	if (b) {
		b->tid = tid;
		if (b->tail) {
			b->tail->tid = tid; /* before any record: the slot says whose they are */
			slot_floor(b);
		}
		b->dead = 0;
	} else {
		b = mmap(NULL, sizeof(tbuf_t), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
		         -1, 0);
		if (b == MAP_FAILED)
			b = NULL;
		for (int i = 0; b && i < MAX_THREAD; i++)
			if (!registry[i]) {
				b->tid = tid;
				b->slot = i;
				b->first = 1;
				__atomic_store_n(&registry[i], b, __ATOMIC_RELEASE);
				break;
			}
		if (b && registry[b->slot] != b) {
			munmap(b, sizeof(*b)); /* registry full: this thread goes untraced */
			b = NULL;
		}
	}
	spin_unlock(&reg_lock);
	if (!b)
		return NULL;
	my_buf = b;
	pthread_setspecific(tkey, b);
	return b;
}

static inline uint8_t *put_varint(uint8_t *p, uint64_t v)
{
	while (v >= 0x80) {
		*p++ = (uint8_t)(v | 0x80);
		v >>= 7;
	}
	*p++ = (uint8_t)v;
	return p;
}

/* Take the next sequence number and append one record to b's slot (which
 * has room, or b is NULL / has no slot: the number is then counted lost). */
static inline __attribute__((always_inline)) void
put_record(tbuf_t *b, uint8_t op, const void *addr, uint64_t size, uint8_t align_log2)
{
	uint8_t *p, *start;
	uint64_t s, t, a = (uint64_t)(uintptr_t)addr, d;
	/* glibc clears __libc_single_threaded before it starts the first
	 * other thread, however started: thrd_create, a SIGEV_THREAD timer
	 * and AIO call its pthread_create internally, past this library's
	 * (which alone set a flag here: C11 threads took the same numbers).
	 * Until then the one thread bumps seq without a locked instruction. */
	if (__builtin_expect(!__libc_single_threaded, 1)) {
		s = atomic_fetch_add_explicit(seqp, 1, memory_order_relaxed);
	} else {
		s = atomic_load_explicit(seqp, memory_order_relaxed);
		atomic_store_explicit(seqp, s + 1, memory_order_relaxed);
	}
	if (!b || !b->tail)
		return; /* no buffer: the number is taken, so the record counts as lost */
	/* the cycle counter costs more than the rest of a record in a VM: read
	 * it every time_every-th call; the converter interpolates between */
	if (++b->untimed >= time_every || !b->prev_tsc) {
		t = as_spool_ticks();
		b->untimed = 0;
	} else {
		t = b->prev_tsc;
	}
	start = p = (uint8_t *)(b->tail + 1) + b->used;
	*p++ = (uint8_t)(op | (align_log2 ? 8 : 0));
	p = put_varint(p, s - b->prev_seq);
	p = put_varint(p, t - b->prev_tsc);
	d = a - b->prev_addr;
	p = put_varint(p, (d << 1) ^ (uint64_t)((int64_t)d >> 63)); /* zigzag */
	if (op == AS_SPOOL_MALLOC || op == AS_SPOOL_CALLOC || op == AS_SPOOL_REND)
		p = put_varint(p, size);
	if (align_log2)
		*p++ = align_log2;
	b->prev_seq = s;
	b->prev_tsc = t;
	b->prev_addr = a;
	b->used += (uint32_t)(p - start);
	/* the record is whole before the slot's length covers it */
	__atomic_store_n(&b->tail->len, b->used, __ATOMIC_RELEASE);
}

/* record() when this thread has no buffer yet, its slot is full or the
 * library is off: out of line, so that the common case has no call. */
static __attribute__((noinline, cold)) void record_slow(uint8_t op, const void *addr, uint64_t size,
                                                        uint8_t align_log2)
{
	tbuf_t *b = my_buf;
	if (!atomic_load_explicit(&enabled, memory_order_acquire))
		return;
	if (!b)
		b = tbuf_new();
	if (b && !b->tail && !b->no_tail && tail_map(b) != 0)
		b->no_tail = 1;
	if (b && b->tail && b->used + MAX_REC > BUF_BYTES)
		flush(b);
	put_record(b, op, addr, size, align_log2);
}

/* Append one record. seq is taken here: callers place the call so that an
 * allocation is recorded after it returns, a free before it starts. */
static inline __attribute__((always_inline)) void record(uint8_t op, const void *addr,
                                                         uint64_t size, uint8_t align_log2)
{
	tbuf_t *b = my_buf;
	if (__builtin_expect(atomic_load_explicit(&enabled, memory_order_relaxed) && b && b->tail &&
	                         b->used + MAX_REC <= BUF_BYTES,
	                     1))
		put_record(b, op, addr, size, align_log2);
	else
		record_slow(op, addr, size, align_log2);
}

static void put_dec(char *p, uint64_t v)
{
	char t[24];
	int n = 0;
	do
		t[n++] = (char)('0' + v % 10);
	while ((v /= 10));
	while (n)
		*p++ = t[--n];
	*p = '\0';
}

/* Open DIR/PID.GEN.spool (the first free GEN: each exec starts a new one).
 * No malloc: this runs inside the first allocation. */
static void spool_open(void)
{
	const char *dir = getenv(AS_CAPTURE_ENV_DIR);
	const char *parent = getenv(AS_CAPTURE_ENV_PARENT);
	const char *mode = getenv(AS_CAPTURE_ENV_FORK);
	const char *every = getenv(AS_CAPTURE_ENV_TIME_EVERY);
	char path[4096], num[24];
	size_t dl;
	pid_t pid = getpid();
	int fd;

	if (!dir || (dl = strlen(dir)) > sizeof(path) - 64)
		return;
	if (every) {
		uint32_t v = 0;
		for (const char *c = every; *c >= '0' && *c <= '9' && v < 100000; c++)
			v = v * 10 + (uint32_t)(*c - '0');
		time_every = v ? v : 1;
	}
	if (mode && !strcmp(mode, "exclude") && parent) {
		char pp[24];
		put_dec(pp, (uint64_t)getppid());
		if (strcmp(pp, parent) != 0)
			return; /* a child (forked then exec'd): not traced */
	}
	for (uint32_t gen = 0; gen < 1000; gen++) {
		as_spool_hdr_t h;
		memcpy(path, dir, dl);
		path[dl] = '/';
		put_dec(path + dl + 1, (uint64_t)pid);
		strcat(path, ".");
		put_dec(num, gen);
		strcat(path, num);
		strcat(path, ".spool");
		fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		if (fd < 0 && errno == EEXIST)
			continue;
		if (fd < 0)
			return;
		{
			/* out of the way of programs that reuse low fd numbers */
			int high = fcntl(fd, F_DUPFD_CLOEXEC, 900);
			struct stat st;
			if (high >= 0) {
				close(fd);
				fd = high;
			}
			if (fstat(fd, &st) == 0) {
				spool_dev = st.st_dev;
				spool_ino = st.st_ino;
			}
			/* absolute, for spool_fd_get after a chdir */
			spool_path[0] = '\0';
			if (path[0] != '/' && getcwd(spool_path, sizeof(spool_path)) &&
			    strlen(spool_path) + strlen(path) + 2 <= sizeof(spool_path))
				strcat(strcat(spool_path, "/"), path);
			else if (path[0] == '/')
				strcpy(spool_path, path);
			else
				spool_path[0] = '\0';
		}
		memset(&h, 0, sizeof(h));
		memcpy(h.magic, AS_SPOOL_MAGIC, 8);
		h.pid = (uint32_t)pid;
		h.generation = gen;
		h.tsc0 = as_spool_ticks();
		{
			/* the tail slots (sparse until used) from the first page
			 * boundary on, chunks appended after them */
			uint64_t page = (uint64_t)sysconf(_SC_PAGESIZE);
			tails_off = page;
			h.tails_off = (uint32_t)tails_off;
			h.tail_bytes = TAIL_BYTES;
			h.ntails = MAX_THREAD;
			h.chunks_off = tails_off + (uint64_t)MAX_THREAD * TAIL_BYTES;
		}
		if (pwrite(fd, &h, sizeof(h), 0) != (ssize_t)sizeof(h) ||
		    ftruncate(fd, (off_t)h.chunks_off) != 0 || fcntl(fd, F_SETFL, O_APPEND) != 0) {
			close(fd);
			return;
		}
		/* the counter lives in the file (a shared mapping of its first
		 * page): after a SIGKILL it still says how many records were
		 * taken, so the lost tail is counted */
		seq_map = mmap(NULL, sizeof(h), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		if (seq_map == MAP_FAILED) {
			seq_map = NULL;
			seqp = &seq_local;
		} else {
			seqp = (_Atomic uint64_t *)((char *)seq_map +
			                            offsetof(as_spool_hdr_t, seq_taken));
		}
		atomic_store(seqp, 0);
		atomic_store_explicit(&spool_fd, fd, memory_order_relaxed);
		/* the spool is set up before any thread sees recording on */
		atomic_store_explicit(&enabled, 1, memory_order_release);
		return;
	}
}

static void atfork_prepare(void)
{
	spin_lock(&reg_lock);
}

static void atfork_parent(void)
{
	spin_unlock(&reg_lock);
}

/* The child: the parent's buffers are the parent's records; drop them, then
 * trace into a spool of our own (follow) or stop (exclude). */
static void atfork_child(void)
{
	const char *mode = getenv(AS_CAPTURE_ENV_FORK);
	for (int i = 0; i < MAX_THREAD; i++) {
		tbuf_t *b = registry[i];
		if (!b)
			continue;
		/* its slot is the parent's spool, shared with us */
		if (b->tail)
			munmap(b->tail, TAIL_BYTES);
		b->tail = NULL;
		b->no_tail = 0;
		b->used = 0;
		if (b == my_buf) {
			b->first = 1;
			b->prev_seq = b->prev_tsc = b->prev_addr = 0;
			b->untimed = 0;
			b->tid = (uint32_t)syscall(SYS_gettid);
		} else {
			registry[i] = NULL;
			munmap(b, sizeof(*b));
		}
	}
	atomic_flag_clear(&reg_lock);
	/* the child's one thread: relaxed, nothing to order against */
	atomic_store_explicit(&enabled, 0, memory_order_relaxed);
	/* the parent's counter is shared with us: let go of it */
	if (seq_map)
		munmap(seq_map, sizeof(as_spool_hdr_t));
	seq_map = NULL;
	seqp = &seq_local;
	{
		/* ours still (the program may have given its number to a file) */
		struct stat st;
		int fd = atomic_load_explicit(&spool_fd, memory_order_relaxed);
		if (fd >= 0 && fstat(fd, &st) == 0 && st.st_dev == spool_dev &&
		    st.st_ino == spool_ino)
			close(fd);
	}
	atomic_store_explicit(&spool_fd, -1, memory_order_relaxed);
	spool_path[0] = '\0';
	atomic_flag_clear(&fd_lock); /* a thread of the parent's may have held it */
	if (mode && !strcmp(mode, "exclude"))
		return;
	spool_open();
}

/* The next definition of a malloc-family function. dlsym takes a default
 * version or an unversioned symbol (tcmalloc's, jemalloc's), and passes
 * over one defined only in a hidden version, as glibc's
 * libc_malloc_debug.so.0 defines them (mtrace, MALLOC_CHECK_): preloaded
 * after this library, it was skipped for libc's malloc, so the program's
 * mtrace log stayed empty under capture. When dlsym lands in libc, the
 * versioned lookup (VERSION: libc's, x86-64) finds such a definition ahead
 * of libc, or libc's own again. */
static void *next_fn(const char *name, const char *version)
{
	void *f = dlsym(RTLD_NEXT, name), *v;
	Dl_info fi;
	if (!f || !dladdr(f, &fi) || !fi.dli_fname || !strstr(fi.dli_fname, "/libc.so"))
		return f;
	v = dlvsym(RTLD_NEXT, name, version);
	return v ? v : f;
}

/* A child that starts an image without this library (env -i, python's
 * subprocess with env={}) is not traced: with --fork follow, such an exec
 * or spawn is noted in the spool folder for the capture command to say
 * so (a vfork'ed child left no spool at all, and went unseen). */
const char *as_exec_escape_early_path(void)
{
	static char path[4096];
	const char *dir = getenv(AS_CAPTURE_ENV_DIR);
	const char *mode = getenv(AS_CAPTURE_ENV_FORK);
	if (!dir || (mode && !strcmp(mode, "exclude")) ||
	    strlen(dir) + sizeof("/" AS_CAPTURE_ESCAPES) > sizeof(path))
		return NULL; /* the wrappers still need their next */
	strcpy(path, dir);
	strcat(path, "/" AS_CAPTURE_ESCAPES);
	return path;
}

static void escapes_watch(void)
{
	as_exec_escape_init(as_exec_escape_early_path());
}

static void init(void)
{
	int was = 0;
	if (!atomic_compare_exchange_strong_explicit(&initialized, &was, 1, memory_order_relaxed,
	                                             memory_order_relaxed))
		return;
	in_hook++;
	*(void **)&real_malloc = next_fn("malloc", "GLIBC_2.2.5");
	*(void **)&real_free = next_fn("free", "GLIBC_2.2.5");
	*(void **)&real_calloc = next_fn("calloc", "GLIBC_2.2.5");
	*(void **)&real_realloc = next_fn("realloc", "GLIBC_2.2.5");
	*(void **)&real_posix_memalign = next_fn("posix_memalign", "GLIBC_2.2.5");
	*(void **)&real_aligned_alloc = next_fn("aligned_alloc", "GLIBC_2.16");
	*(void **)&real_memalign = next_fn("memalign", "GLIBC_2.2.5");
	*(void **)&real_valloc = next_fn("valloc", "GLIBC_2.2.5");
	*(void **)&real_pvalloc = next_fn("pvalloc", "GLIBC_2.2.5");
	*(void **)&real_usable = next_fn("malloc_usable_size", "GLIBC_2.2.5");
	*(void **)&real_pthread_create = dlsym(RTLD_NEXT, "pthread_create");
	pthread_key_create(&tkey, thread_gone);
	pthread_atfork(atfork_prepare, atfork_parent, atfork_child);
	escapes_watch();
	spool_open();
	in_hook--;
	atomic_store_explicit(&initialized, 2, memory_order_release);
}

static void mark_ended(void);

__attribute__((constructor)) static void capture_ctor(void)
{
	init();
	at_quick_exit(mark_ended); /* quick_exit runs no destructor */
}

/* This process leaves its image by exiting: said in the spool's header
 * (an exec leaves it unsaid, which is how the capture command knows the
 * program went on in an image that did not load this library). A vfork
 * child shares the parent's mapping: only the spool's own process marks. */
static void mark_ended(void)
{
	as_spool_hdr_t *h = seq_map;
	if (h && h->pid == (uint32_t)syscall(SYS_getpid))
		__atomic_store_n(&h->ended, 1, __ATOMIC_RELEASE);
}

__attribute__((destructor)) static void capture_dtor(void)
{
	mark_ended();
}

/* _exit and _Exit skip destructors (dash's `sh -c` ends with _exit). */
EXPORT void _exit(int status)
{
	mark_ended();
	for (;;)
		syscall(SYS_exit_group, status);
}

EXPORT void _Exit(int status)
{
	_exit(status);
}

static inline int ready(void)
{
	int st = atomic_load_explicit(&initialized, memory_order_acquire);
	if (st != 2) {
		if (st == 0)
			init();
		if (atomic_load_explicit(&initialized, memory_order_acquire) != 2)
			return 0;
	}
	return 1;
}

/* The alignment a call that succeeded was given, as a log2: a power of
 * two as it is; one that is not is rounded up to the next, as glibc's
 * memalign does (and aligned_alloc, which is memalign before glibc 2.38;
 * 2.38 and posix_memalign refuse it, so nothing is recorded). Not the
 * lowest set bit: memalign(24, n) is 32-aligned, and a replay asks the
 * module for what the program got. */
static unsigned log2_of(size_t a)
{
	if (a <= 1)
		return 0;
	if (a > SIZE_MAX / 2 + 1)
		return 63; /* no allocator grants it: the call failed */
	return (unsigned)(64 - __builtin_clzll(a - 1));
}

EXPORT void *malloc(size_t size)
{
	void *p;
	if (!ready() || in_hook)
		return real_malloc ? real_malloc(size) : boot_alloc(size, 16);
	in_hook++;
	p = real_malloc(size);
	if (p)
		record(AS_SPOOL_MALLOC, p, size, 0);
	in_hook--;
	return p;
}

EXPORT void free(void *p)
{
	if (!p || is_boot(p))
		return;
	if (!ready() || in_hook) {
		if (real_free)
			real_free(p);
		return;
	}
	in_hook++;
	record(AS_SPOOL_FREE, p, 0, 0);
	real_free(p);
	in_hook--;
}

EXPORT void *calloc(size_t n, size_t size)
{
	void *p;
	size_t total;
	if (__builtin_mul_overflow(n, size, &total)) {
		errno = ENOMEM;
		return NULL;
	}
	if (!ready() || in_hook) {
		if (real_calloc)
			return real_calloc(n, size);
		return boot_alloc(total, 16); /* static buffer: already zero */
	}
	in_hook++;
	p = real_calloc(n, size);
	if (p)
		record(AS_SPOOL_CALLOC, p, total, 0);
	in_hook--;
	return p;
}

EXPORT void *realloc(void *old, size_t size)
{
	void *p;
	if (old && is_boot(old)) {
		size_t os = boot_size(old);
		p = malloc(size);
		if (p)
			memcpy(p, old, os < size ? os : size);
		return p;
	}
	if (!ready() || in_hook)
		return real_realloc ? real_realloc(old, size) : boot_alloc(size, 16);
	if (!old)
		return malloc(size);
	if (size == 0) {
		/* glibc frees and returns NULL: a free */
		in_hook++;
		record(AS_SPOOL_FREE, old, 0, 0);
		p = real_realloc(old, 0);
		in_hook--;
		return p;
	}
	in_hook++;
	record(AS_SPOOL_RBEGIN, old, 0, 0);
	p = real_realloc(old, size);
	record(AS_SPOOL_REND, p, size, 0);
	in_hook--;
	return p;
}

EXPORT void *reallocarray(void *old, size_t n, size_t size)
{
	size_t total;
	if (__builtin_mul_overflow(n, size, &total)) {
		errno = ENOMEM;
		return NULL;
	}
	return realloc(old, total);
}

static void *aligned_common(void *(*fn)(size_t, size_t), size_t align, size_t size)
{
	void *p;
	if (!ready() || in_hook)
		return fn ? fn(align, size) : boot_alloc(size, align);
	in_hook++;
	p = fn(align, size);
	if (p)
		record(AS_SPOOL_MALLOC, p, size, (uint8_t)log2_of(align));
	in_hook--;
	return p;
}

EXPORT int posix_memalign(void **out, size_t align, size_t size)
{
	int r;
	if (!ready() || in_hook) {
		if (real_posix_memalign)
			return real_posix_memalign(out, align, size);
		*out = boot_alloc(size, align);
		return *out ? 0 : ENOMEM;
	}
	in_hook++;
	r = real_posix_memalign(out, align, size);
	if (r == 0)
		record(AS_SPOOL_MALLOC, *out, size, (uint8_t)log2_of(align));
	in_hook--;
	return r;
}

EXPORT void *aligned_alloc(size_t align, size_t size)
{
	return aligned_common(real_aligned_alloc, align, size);
}

EXPORT void *memalign(size_t align, size_t size)
{
	return aligned_common(real_memalign, align, size);
}

EXPORT void *valloc(size_t size)
{
	void *p;
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	if (!ready() || in_hook)
		return real_valloc ? real_valloc(size) : boot_alloc(size, page);
	in_hook++;
	p = real_valloc(size);
	if (p)
		record(AS_SPOOL_MALLOC, p, size, (uint8_t)log2_of(page));
	in_hook--;
	return p;
}

EXPORT void *pvalloc(size_t size)
{
	void *p;
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	size_t rounded = (size + page - 1) & ~(page - 1);
	if (!ready() || in_hook)
		return real_pvalloc ? real_pvalloc(size) : boot_alloc(rounded, page);
	in_hook++;
	p = real_pvalloc(size);
	if (p)
		record(AS_SPOOL_MALLOC, p, rounded ? rounded : page, (uint8_t)log2_of(page));
	in_hook--;
	return p;
}

EXPORT size_t malloc_usable_size(void *p)
{
	if (p && is_boot(p))
		return boot_size(p);
	if (!ready())
		return 0;
	return real_usable(p);
}

/* C++'s operator new and delete, every Itanium-ABI variant (the names are
 * the ABI's): recorded as malloc and free, each call passed to the next
 * definition in the search order (libstdc++'s, or that of an allocator the
 * caller preloads: tcmalloc, jemalloc and mimalloc define their own, and
 * without these a program's C++ allocations never reached this library),
 * so the program runs exactly as it would. The guard is held across the
 * call (libstdc++'s operators call malloc and free, which must not record
 * them again) and let go by a cleanup when the call throws std::bad_alloc
 * (this file is built with -fexceptions): the new_handler loop and the
 * exception are the next definition's own. */
static void *cxx_next(const char *name, void **slot)
{
	void *f = __atomic_load_n(slot, __ATOMIC_ACQUIRE);
	if (!f) { /* resolved on first use: the runtime may be dlopen'ed late */
		in_hook++;
		f = dlsym(RTLD_NEXT, name);
		in_hook--;
		__atomic_store_n(slot, f, __ATOMIC_RELEASE);
	}
	return f;
}

/* No next definition (no C++ runtime loaded, yet C++ called): nothrow
 * gets NULL, the throwing kind cannot throw and ends the program. */
static void *cxx_none(const char *name, int nothrow)
{
	static const char m[] = "allocscope_capture: no definition of a C++ operator new after "
	                        "this library: ";
	if (nothrow)
		return NULL;
	if (write(2, m, sizeof(m) - 1) < 0 || write(2, name, strlen(name)) < 0 ||
	    write(2, "\n", 1) < 0)
		abort();
	abort();
}

static void hook_leave(int *held)
{
	(void)held;
	in_hook--;
}

/* in_hook raised until the end of the enclosing block, a throw included */
#define HOOK_HELD int hook_held __attribute__((cleanup(hook_leave), unused)) = in_hook++

/* One operator new: PARAMS and ARGS of its ABI signature, ALIGN the
 * alignment argument (0: none), NOTHROW 1 for the nothrow kinds. */
#define CXX_NEW(name, params, args, align, nothrow)                                \
	static void *next_##name;                                                  \
	EXPORT void *name params;                                                  \
	EXPORT void *name params                                                   \
	{                                                                          \
		void *(*f)params = (void *(*)params)cxx_next(#name, &next_##name); \
		int rec = ready() && !in_hook;                                     \
		HOOK_HELD;                                                         \
		void *p = f ? f args : cxx_none(#name, nothrow);                   \
		if (p && rec)                                                      \
			record(AS_SPOOL_MALLOC, p, size, (uint8_t)log2_of(align)); \
		return p;                                                          \
	}
/* One operator delete: recorded as a free, before the next one runs. */
#define CXX_DELETE(name, params, args)                                           \
	static void *next_##name;                                                \
	EXPORT void name params;                                                 \
	EXPORT void name params                                                  \
	{                                                                        \
		void(*f) params = (void(*) params)cxx_next(#name, &next_##name); \
		if (!p || is_boot(p))                                            \
			return;                                                  \
		if (ready() && !in_hook) {                                       \
			in_hook++;                                               \
			record(AS_SPOOL_FREE, p, 0, 0);                          \
			in_hook--;                                               \
		}                                                                \
		HOOK_HELD;                                                       \
		if (f)                                                           \
			f args;                                                  \
		else if (real_free)                                              \
			real_free(p);                                            \
	}

CXX_NEW(_Znwm, (size_t size), (size), 0, 0)
CXX_NEW(_Znam, (size_t size), (size), 0, 0)
CXX_NEW(_ZnwmRKSt9nothrow_t, (size_t size, const void *nt), (size, nt), 0, 1)
CXX_NEW(_ZnamRKSt9nothrow_t, (size_t size, const void *nt), (size, nt), 0, 1)
CXX_NEW(_ZnwmSt11align_val_t, (size_t size, size_t al), (size, al), al, 0)
CXX_NEW(_ZnamSt11align_val_t, (size_t size, size_t al), (size, al), al, 0)
CXX_NEW(_ZnwmSt11align_val_tRKSt9nothrow_t, (size_t size, size_t al, const void *nt),
        (size, al, nt), al, 1)
CXX_NEW(_ZnamSt11align_val_tRKSt9nothrow_t, (size_t size, size_t al, const void *nt),
        (size, al, nt), al, 1)
CXX_DELETE(_ZdlPv, (void *p), (p))
CXX_DELETE(_ZdaPv, (void *p), (p))
CXX_DELETE(_ZdlPvm, (void *p, size_t n), (p, n))
CXX_DELETE(_ZdaPvm, (void *p, size_t n), (p, n))
CXX_DELETE(_ZdlPvRKSt9nothrow_t, (void *p, const void *nt), (p, nt))
CXX_DELETE(_ZdaPvRKSt9nothrow_t, (void *p, const void *nt), (p, nt))
CXX_DELETE(_ZdlPvSt11align_val_t, (void *p, size_t al), (p, al))
CXX_DELETE(_ZdaPvSt11align_val_t, (void *p, size_t al), (p, al))
CXX_DELETE(_ZdlPvmSt11align_val_t, (void *p, size_t n, size_t al), (p, n, al))
CXX_DELETE(_ZdaPvmSt11align_val_t, (void *p, size_t n, size_t al), (p, n, al))
CXX_DELETE(_ZdlPvSt11align_val_tRKSt9nothrow_t, (void *p, size_t al, const void *nt), (p, al, nt))
CXX_DELETE(_ZdaPvSt11align_val_tRKSt9nothrow_t, (void *p, size_t al, const void *nt), (p, al, nt))

EXPORT int pthread_create(pthread_t *t, const pthread_attr_t *attr, void *(*fn)(void *), void *arg)
{
	ready();
	return real_pthread_create(t, attr, fn, arg);
}
