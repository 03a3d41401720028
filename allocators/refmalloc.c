/* refmalloc.c - the reference brk/mmap malloc: the allocator the article
 * "brk, sbrk, mmap: what malloc hides" describes, small enough to read and
 * with a counter for every mechanism (sbrk growth and trimming, mmap above a
 * self-tuning threshold, bins, the top chunk, foreign sbrk). It calls only
 * sbrk/mmap/munmap/mremap/madvise, never glibc's malloc. Not a fast malloc:
 * no per-thread caches, one lock. One instance per process (the break is
 * process-wide); docs/modules.md explains the design. */
#define _GNU_SOURCE
#include <stdlib.h>
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>
#include <linux/futex.h>
#include <sys/mman.h>
#include <sys/single_threaded.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "allocscope_module.h"

/* Chunk layout as in glibc's malloc.c: a chunk starts with prev_size (valid
 * only while the previous chunk is free: its footer) and size (a multiple of
 * 16, flags in the low bits). The user block starts 16 bytes in, and the next
 * chunk's prev_size belongs to an in-use block, so the cost per block is 8
 * bytes and a chunk is max(32, round16(request + 8)) bytes. */
#define PREV_INUSE 1u
#define IS_MMAPPED 2u
#define FLAG_BITS  7u
#define MINSIZE    32u
#define HDR_BYTES  16u

/* glibc's DEFAULT_MMAP_THRESHOLD_MAX on 64-bit (4 * 1024 * 1024 * sizeof(long)). */
#define MMAP_THRESHOLD_MAX (32u << 20)
/* glibc's MMAP_AS_MORECORE_SIZE: heap segment mapped when sbrk fails. */
#define MMAP_AS_MORECORE (1u << 20)

typedef struct chunk {
	size_t prev_size;
	size_t size;
	struct chunk *fd; /* free chunks only: bin links */
	struct chunk *bk;
} chunk_t;

/* Header at the start of each heap segment (a run of contiguous break, or a
 * mapping used as heap when sbrk failed). Segments are chained newest first. */
enum { SEG_BRK = 1, SEG_MMAP = 2 };
typedef struct seg {
	struct seg *prev;
	char *base; /* what sbrk/mmap returned */
	size_t len; /* bytes from base: base + len is the segment's end (the break) */
	size_t kind;
} seg_t;

/* Each mmapped block starts with a list node, so destroy() can unmap what is
 * still live; the chunk follows (its prev_size = offset from the mapping). */
typedef struct mnode {
	struct mnode *next;
	struct mnode *prev;
	size_t len; /* bytes mapped */
	size_t pad;
} mnode_t;

/* Bins: exact small bins for chunks below 1 KiB (one per 16-byte size, a
 * LIFO list each: any chunk in one fits), and for larger chunks one tree
 * ordered by (size, address), so that best fit, insertion and removal of
 * any chunk are O(log n) however many free chunks the heap holds (dlmalloc
 * keeps tries per size range, glibc size-sorted lists with skip links; a
 * sorted list walked on every insert made perl 6-9x slower, issue 19). The
 * tree is a treap whose priorities hash the chunk's address; a large free
 * chunk keeps its children in fd (left) and bk (right). */
#define SMALL_LIMIT 1024u
#define NBINS       (SMALL_LIMIT / 16)
#define NMAP        ((NBINS + 63) / 64)

typedef struct {
	uint64_t mmap_threshold;
	uint64_t trim_threshold;
	uint64_t top_pad;
	int fixed_threshold;
} ref_params_t;

/* Every key has a default, so a given one is only where refmalloc starts:
 * unlike glibc, where setting M_MMAP_THRESHOLD, M_TRIM_THRESHOLD or
 * M_TOP_PAD stops the dynamic threshold, only fixed_threshold=1 stops it
 * here (docs/modules.md, "mmap threshold, self-tuning"). */
#define MOVES_ANYWAY                                                                               \
	"; unlike glibc's, setting it does not stop the mmap threshold moving (fixed_threshold=1 " \
	"does)"
static const as_param_spec_t ref_spec[] = {
    {"mmap_threshold", AS_PARAM_SIZE, "128k", 0, MMAP_THRESHOLD_MAX, NULL,
     "starting mmap threshold (glibc M_MMAP_THRESHOLD): requests whose chunk is at least this "
     "big and that bins/top cannot serve get their own mmap; it rises to the size of a freed "
     "larger mapped block (up to 32 MiB)" MOVES_ANYWAY,
     offsetof(ref_params_t, mmap_threshold)},
    {"trim_threshold", AS_PARAM_SIZE, "128k", 0, 0, NULL,
     "starting trim threshold (M_TRIM_THRESHOLD): give the top chunk back with a negative sbrk "
     "once it reaches this; it becomes twice the mmap threshold when that moves" MOVES_ANYWAY,
     offsetof(ref_params_t, trim_threshold)},
    {"top_pad", AS_PARAM_SIZE, "128k", 0, 1ULL << 30, NULL,
     "extra bytes asked of sbrk on growth and kept on trim (M_TOP_PAD)" MOVES_ANYWAY,
     offsetof(ref_params_t, top_pad)},
    {"fixed_threshold", AS_PARAM_BOOL, "0", 0, 0, NULL,
     "1: the mmap and trim thresholds never move (else they rise with the size of a freed "
     "mmapped block), as glibc's once a threshold or top_pad is set",
     offsetof(ref_params_t, fixed_threshold)},
};
#undef MOVES_ANYWAY
#define NSPEC (sizeof(ref_spec) / sizeof(ref_spec[0]))

typedef struct {
	atomic_int lock;
	size_t page;
	size_t mmap_threshold;
	size_t trim_threshold;
	size_t top_pad;
	int fixed_threshold;

	chunk_t *top; /* last chunk of the newest segment; NULL before the first */
	chunk_t *dv;  /* "designated victim": the remainder of the last split for a
	               * small request, kept out of the bins (dlmalloc's dv, glibc's
	               * last_remainder) so runs of small requests carve it in order */
	seg_t *seg;   /* newest segment */
	uint64_t binmap[NMAP];
	chunk_t bins[NBINS]; /* small bins' list heads: only fd/bk are used */
	chunk_t *large;      /* root of the tree of free chunks >= SMALL_LIMIT */
	mnode_t mmapped;     /* circular list of live mmapped blocks */

	/* counters (under the lock) */
	uint64_t heap_bytes, heap_segments, mmap_segments, foreign_sbrk, sbrk_fail;
	uint64_t bin_bytes, bin_chunks, mmap_bytes, mmap_blocks;
	uint64_t sbrk_calls, mmap_calls, munmap_calls, mremap_calls, madvise_calls;
	uint64_t trims, trim_blocked, threshold_moves;
	uint64_t in_use_bytes, in_use_blocks;
	uint64_t bin_steps; /* tree nodes visited placing, finding, removing */
} state_t;

static state_t S;
static atomic_int instance_live;
static uint64_t orphaned_brk_bytes; /* brk left behind by destroyed instances */

/* One lock around the whole heap: bins, top and the break are one shared
 * structure, and every path touches several of them. A futex-based spin
 * then sleep lock: spin briefly (the critical sections are tens of
 * nanoseconds), then sleep in the kernel, so a waiter does not burn the
 * holder's CPU while the holder is in sbrk/mmap or was preempted (on a
 * 2-vCPU guest shared with other work, pure spinning or yielding convoys). */
static void lock_slow(void)
{
	int c = 0;
	for (int spins = 0; spins < 100; spins++) {
		__builtin_ia32_pause();
		c = 0;
		if (atomic_load_explicit(&S.lock, memory_order_relaxed) == 0 &&
		    atomic_compare_exchange_strong_explicit(&S.lock, &c, 1, memory_order_acquire,
		                                            memory_order_relaxed))
			return;
	}
	/* 2 = locked with waiters (Drepper, "Futexes Are Tricky", mutex2) */
	if (atomic_exchange_explicit(&S.lock, 2, memory_order_acquire) == 0)
		return;
	do
		syscall(SYS_futex, &S.lock, FUTEX_WAIT_PRIVATE, 2, NULL, NULL, 0);
	while (atomic_exchange_explicit(&S.lock, 2, memory_order_acquire) != 0);
}

/* Returns whether the lock was taken (pass it to unlock). While the process
 * has only ever had one thread (glibc's __libc_single_threaded, what its own
 * malloc's SINGLE_THREAD_P tests) no atomic is needed: a locked instruction
 * waits for every earlier store, and on this allocator's cache-missing
 * header writes that was most of an uncontended operation's cost. The flag
 * turns false in the creating thread before a second thread exists, so no
 * operation can be in flight unlocked when it does. */
static inline int lock(void)
{
	int c = 0;
	if (__libc_single_threaded)
		return 0;
	if (!atomic_compare_exchange_strong_explicit(&S.lock, &c, 1, memory_order_acquire,
	                                             memory_order_relaxed))
		lock_slow();
	return 1;
}

static inline void unlock(int locked)
{
	if (locked && atomic_exchange_explicit(&S.lock, 0, memory_order_release) == 2)
		syscall(SYS_futex, &S.lock, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
}

static inline size_t csize(const chunk_t *c)
{
	return c->size & ~(size_t)FLAG_BITS;
}

static inline chunk_t *at(void *c, size_t off)
{
	return (chunk_t *)((char *)c + off);
}

/* The chunk `off` bytes below c (a pointer minus an unsigned offset: adding
 * a wrapped-around size_t is undefined behaviour, which UBSan reports). */
static inline chunk_t *below(void *c, size_t off)
{
	return (chunk_t *)((char *)c - off);
}

static inline chunk_t *next_chunk(chunk_t *c)
{
	return at(c, csize(c));
}

static inline int is_inuse(chunk_t *c)
{
	return (int)(next_chunk(c)->size & PREV_INUSE);
}

static inline void *chunk2mem(chunk_t *c)
{
	return (char *)c + HDR_BYTES;
}

static inline chunk_t *mem2chunk(void *p)
{
	return (chunk_t *)((char *)p - HDR_BYTES);
}

static inline size_t request2size(size_t req)
{
	size_t n = (req + 8 + 15) & ~(size_t)15;
	return n < MINSIZE ? MINSIZE : n;
}

static inline size_t round_page(size_t n)
{
	return (n + S.page - 1) & ~(S.page - 1);
}

static void die(const char *msg)
{
	/* no stdio: this may run inside a broken heap */
	if (write(2, msg, strlen(msg)) < 0) {
	}
	abort();
}

/* --- the large-chunk tree ------------------------------------------------ */

static inline uint32_t prio(const chunk_t *c)
{
	uint64_t h = (uint64_t)(uintptr_t)c * 0x9e3779b97f4a7c15ull;
	return (uint32_t)(h >> 32);
}

static inline int before(const chunk_t *a, const chunk_t *b)
{
	size_t sa = csize(a), sb = csize(b);
	return sa < sb || (sa == sb && a < b);
}

/* Split tree t into the chunks before `key` (*l) and the rest (*r). */
static void t_split(chunk_t *t, const chunk_t *key, chunk_t **l, chunk_t **r)
{
	S.bin_steps++;
	if (!t) {
		*l = *r = NULL;
	} else if (before(t, key)) {
		t_split(t->bk, key, &t->bk, r);
		*l = t;
	} else {
		t_split(t->fd, key, l, &t->fd);
		*r = t;
	}
}

static chunk_t *t_merge(chunk_t *l, chunk_t *r)
{
	S.bin_steps++;
	if (!l || !r)
		return l ? l : r;
	if (prio(l) > prio(r)) {
		l->bk = t_merge(l->bk, r);
		return l;
	}
	r->fd = t_merge(l, r->fd);
	return r;
}

static chunk_t *t_insert(chunk_t *t, chunk_t *c)
{
	S.bin_steps++;
	if (!t || prio(c) > prio(t)) {
		t_split(t, c, &c->fd, &c->bk);
		return c;
	}
	if (before(c, t))
		t->fd = t_insert(t->fd, c);
	else
		t->bk = t_insert(t->bk, c);
	return t;
}

static chunk_t *t_remove(chunk_t *t, chunk_t *c)
{
	S.bin_steps++;
	if (t == c)
		return t_merge(c->fd, c->bk);
	if (!t)
		die("refmalloc: a free chunk is missing from its tree: heap corrupted\n");
	if (before(c, t))
		t->fd = t_remove(t->fd, c);
	else
		t->bk = t_remove(t->bk, c);
	return t;
}

/* The smallest chunk of at least nb bytes (lowest address among equals). */
static chunk_t *t_best_fit(size_t nb)
{
	chunk_t *best = NULL;
	for (chunk_t *t = S.large; t;) {
		S.bin_steps++;
		if (csize(t) >= nb) {
			best = t;
			t = t->fd;
		} else {
			t = t->bk;
		}
	}
	return best;
}

/* --- bins ------------------------------------------------------------------ */

static void bin_insert(chunk_t *c, size_t sz)
{
	if (sz >= SMALL_LIMIT) {
		S.large = t_insert(S.large, c);
	} else {
		unsigned idx = (unsigned)(sz >> 4);
		chunk_t *b = &S.bins[idx];
		c->fd = b->fd;
		c->bk = b;
		b->fd->bk = c;
		b->fd = c;
		S.binmap[idx / 64] |= 1ULL << (idx % 64);
	}
	S.bin_bytes += sz;
	S.bin_chunks++;
}

static void bin_unlink(chunk_t *c)
{
	size_t sz = csize(c);
	if (sz >= SMALL_LIMIT) {
		S.large = t_remove(S.large, c);
	} else {
		c->fd->bk = c->bk;
		c->bk->fd = c->fd;
		if (c->fd == c->bk) {
			unsigned idx = (unsigned)(sz >> 4);
			if (S.bins[idx].fd == &S.bins[idx])
				S.binmap[idx / 64] &= ~(1ULL << (idx % 64));
		}
	}
	S.bin_bytes -= sz;
	S.bin_chunks--;
}

/* Take free chunk c out of wherever it is kept: the dv slot or its bin.
 * Returns 1 when it was the dv. */
static inline int take_free(chunk_t *c)
{
	if (c == S.dv) {
		S.dv = NULL;
		return 1;
	}
	bin_unlink(c);
	return 0;
}

/* First non-empty small bin at or after idx, or NBINS. */
static unsigned next_bin(unsigned idx)
{
	unsigned w = idx / 64;
	uint64_t m;
	if (idx >= NBINS)
		return NBINS;
	m = S.binmap[w] & (~0ULL << (idx % 64));
	while (!m) {
		if (++w >= NMAP)
			return NBINS;
		m = S.binmap[w];
	}
	return w * 64 + (unsigned)__builtin_ctzll(m);
}

static void maybe_trim(void);

/* Free a heap chunk: coalesce with free neighbours (no two free chunks are
 * ever adjacent), merge into top or put it in its bin. */
static void int_free(chunk_t *c)
{
	size_t sz = csize(c);
	chunk_t *next = at(c, sz);
	int dv = 0;

	if (!(c->size & PREV_INUSE)) {
		size_t psz = c->prev_size;
		c = below(c, psz);
		dv |= take_free(c);
		sz += psz;
	}
	if (next == S.top) {
		sz += csize(next);
		c->size = sz | PREV_INUSE;
		S.top = c;
		if (sz >= S.trim_threshold)
			maybe_trim();
		return;
	}
	if (!is_inuse(next)) {
		dv |= take_free(next);
		sz += csize(next);
	} else {
		next->size &= ~(size_t)PREV_INUSE;
	}
	c->size = sz | PREV_INUSE;
	at(c, sz)->prev_size = sz;
	if (dv)
		S.dv = c; /* grown around the dv: it stays the dv */
	else
		bin_insert(c, sz);
}

/* Give back the top beyond `pad` with a negative sbrk, only while the break
 * is still the end of our own newest segment: memory above it is someone
 * else's (glibc's heap), and shrinking would cut it. Returns bytes released. */
static size_t systrim(size_t pad)
{
	seg_t *s = S.seg;
	size_t ts, extra;
	char *end;
	if (!s || !S.top || s->kind != SEG_BRK)
		return 0;
	ts = csize(S.top);
	if (ts <= pad + MINSIZE)
		return 0;
	/* glibc systrim(): ALIGN_DOWN(top_size - pad - MINSIZE - 1, pagesize) */
	extra = (ts - pad - MINSIZE - 1) & ~(S.page - 1);
	if (extra == 0)
		return 0;
	end = s->base + s->len;
	if ((char *)sbrk(0) != end) {
		S.trim_blocked++;
		return 0;
	}
	if (sbrk(-(intptr_t)extra) == (void *)-1)
		return 0;
	S.sbrk_calls++;
	S.trims++;
	S.top->size -= extra;
	s->len -= extra;
	S.heap_bytes -= extra;
	return extra;
}

static void maybe_trim(void)
{
	systrim(S.top_pad);
}

/* Close the newest segment's top with two 16-byte fenceposts (always "in
 * use", as glibc's sysmalloc does) so nothing ever coalesces past the end,
 * and put what is left of the old top in a bin. */
static void retire_top(void)
{
	chunk_t *t = S.top;
	size_t ts = csize(t);
	chunk_t *f1, *f2;
	S.top = NULL;
	f2 = at(t, ts - 16);
	f2->size = 16 | PREV_INUSE;
	if (ts >= MINSIZE + 32) {
		f1 = at(t, ts - 32);
		f1->size = 16 | PREV_INUSE;
		t->size = (ts - 32) | (t->size & PREV_INUSE);
		int_free(t);
	} else {
		t->size = (ts - 16) | (t->size & PREV_INUSE);
	}
}

static void new_segment(char *raw, size_t len, size_t kind)
{
	char *h = (char *)(((uintptr_t)raw + 15) & ~(uintptr_t)15);
	seg_t *s = (seg_t *)h;
	chunk_t *c0 = (chunk_t *)(h + sizeof(seg_t));
	size_t csz = ((size_t)(raw + len - (char *)c0)) & ~(size_t)15;

	s->prev = S.seg;
	s->base = raw;
	s->len = len;
	s->kind = kind;
	if (S.top)
		retire_top();
	c0->prev_size = 0;
	c0->size = csz | PREV_INUSE;
	S.top = c0;
	S.seg = s;
	S.heap_bytes += len;
	S.heap_segments++;
	if (kind == SEG_MMAP)
		S.mmap_segments++;
}

/* Make the top chunk at least `need` bytes: extend the break when it is still
 * where our newest segment ends, otherwise (someone else moved it: foreign
 * sbrk) start a new segment at the new break; map a segment when sbrk fails. */
static int grow_heap(size_t need)
{
	for (int tries = 0; tries < 3; tries++) {
		seg_t *s = S.seg;
		int contig = s && s->kind == SEG_BRK;
		size_t have = S.top ? csize(S.top) : 0;
		size_t incr;
		char *old;
		if (S.top && have >= need)
			return 0;
		if (contig && (char *)sbrk(0) != s->base + s->len)
			contig = 0;
		incr = need + S.top_pad + (contig ? 0 : sizeof(seg_t) + 64);
		if (contig)
			incr -= have;
		incr = round_page(incr);
		if (incr > (size_t)INTPTR_MAX)
			return -1;
		old = sbrk((intptr_t)incr);
		if (old == (void *)-1) {
			S.sbrk_fail++;
			break;
		}
		S.sbrk_calls++;
		if (s && s->kind == SEG_BRK && old == s->base + s->len) {
			s->len += incr;
			S.top->size += incr;
			S.heap_bytes += incr;
			continue;
		}
		if (s && s->kind == SEG_BRK)
			S.foreign_sbrk++;
		new_segment(old, incr, SEG_BRK);
	}
	if (S.top && csize(S.top) >= need)
		return 0;
	{
		size_t len = round_page(need + sizeof(seg_t) + 64);
		char *m;
		if (len < MMAP_AS_MORECORE)
			len = MMAP_AS_MORECORE;
		m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (m == MAP_FAILED)
			return -1;
		S.mmap_calls++;
		new_segment(m, len, SEG_MMAP);
	}
	return csize(S.top) >= need ? 0 : -1;
}

/* A block of its own mapping; the chunk's prev_size is its offset from the
 * mapping start (room for the list node and for alignment). */
static chunk_t *mmap_chunk(size_t nb, size_t align)
{
	size_t len = round_page(nb + HDR_BYTES + sizeof(mnode_t) + (align > 16 ? align : 0));
	char *m;
	chunk_t *c;
	mnode_t *n;
	uintptr_t mem;
	if (len < nb)
		return NULL;
	m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED)
		return NULL;
	S.mmap_calls++;
	mem = ((uintptr_t)m + sizeof(mnode_t) + HDR_BYTES + align - 1) & ~(uintptr_t)(align - 1);
	c = mem2chunk((void *)mem);
	c->prev_size = (size_t)((char *)c - m);
	c->size = (len - c->prev_size) | IS_MMAPPED;
	n = (mnode_t *)m;
	n->len = len;
	n->next = S.mmapped.next;
	n->prev = &S.mmapped;
	n->next->prev = n;
	S.mmapped.next = n;
	S.mmap_bytes += len;
	S.mmap_blocks++;
	return c;
}

static void munmap_chunk(chunk_t *c)
{
	size_t off = c->prev_size;
	size_t len = off + csize(c);
	mnode_t *n = (mnode_t *)((char *)c - off);
	/* glibc's dynamic threshold (free(), "mmapped chunk"): a freed mmapped
	 * block larger than the threshold says blocks that size are normal, so
	 * serve them from the heap from now on; trim threshold follows at 2x. */
	if (!S.fixed_threshold && len > S.mmap_threshold && len <= MMAP_THRESHOLD_MAX) {
		S.mmap_threshold = len;
		S.trim_threshold = 2 * len;
		S.threshold_moves++;
	}
	n->prev->next = n->next;
	n->next->prev = n->prev;
	S.mmap_bytes -= len;
	S.mmap_blocks--;
	munmap(n, len);
	S.munmap_calls++;
}

/* Split chunk c (in use, from a bin or just carved) to nb bytes; the rest,
 * if it can be a chunk, is freed. */
static void split_tail(chunk_t *c, size_t nb)
{
	size_t sz = csize(c);
	if (sz >= nb + MINSIZE) {
		chunk_t *r = at(c, nb);
		c->size = nb | (c->size & PREV_INUSE);
		r->size = (sz - nb) | PREV_INUSE;
		int_free(r);
	}
}

/* Bins then top; NULL when neither can serve nb. */
static chunk_t *from_bins_or_top(size_t nb)
{
	chunk_t *c;
	unsigned idx;
	if (nb < SMALL_LIMIT) {
		chunk_t *b = &S.bins[nb >> 4];
		c = b->fd;
		if (c != b) {
			bin_unlink(c);
			next_chunk(c)->size |= PREV_INUSE;
			return c;
		}
		c = S.dv;
		if (c && csize(c) >= nb) {
			size_t sz = csize(c);
			if (sz >= nb + MINSIZE) {
				chunk_t *r = at(c, nb);
				c->size = nb | PREV_INUSE;
				r->size = (sz - nb) | PREV_INUSE;
				at(r, sz - nb)->prev_size = sz - nb;
				S.dv = r;
			} else {
				S.dv = NULL;
				next_chunk(c)->size |= PREV_INUSE;
			}
			return c;
		}
	}
	/* best fit: the first non-empty larger small bin (any chunk fits),
	 * else the smallest large chunk that fits */
	idx = nb < SMALL_LIMIT ? next_bin((unsigned)(nb >> 4)) : NBINS;
	c = idx < NBINS ? S.bins[idx].fd : t_best_fit(nb);
	if (c) {
		size_t sz = csize(c);
		bin_unlink(c);
		if (sz >= nb + MINSIZE) {
			chunk_t *r = at(c, nb);
			c->size = nb | PREV_INUSE;
			r->size = (sz - nb) | PREV_INUSE;
			at(r, sz - nb)->prev_size = sz - nb;
			if (nb < SMALL_LIMIT) {
				/* the remainder becomes the dv */
				if (S.dv)
					bin_insert(S.dv, csize(S.dv));
				S.dv = r;
			} else {
				bin_insert(r, sz - nb);
			}
		} else {
			next_chunk(c)->size |= PREV_INUSE;
		}
		return c;
	}
	if (S.top && csize(S.top) >= nb + MINSIZE) {
		size_t ts = csize(S.top);
		c = S.top;
		S.top = at(c, nb);
		S.top->size = (ts - nb) | PREV_INUSE;
		c->size = nb | (c->size & PREV_INUSE);
		return c;
	}
	return NULL;
}

/* glibc's order: bins and top first; a request the heap cannot serve gets
 * its own mapping when its chunk is at or above the mmap threshold, else
 * the heap grows. */
static chunk_t *alloc_chunk(size_t nb)
{
	chunk_t *c = from_bins_or_top(nb);
	if (c)
		return c;
	if (nb >= S.mmap_threshold) {
		c = mmap_chunk(nb, 16);
		if (c)
			return c;
	}
	if (grow_heap(nb + MINSIZE) != 0)
		return NULL;
	return from_bins_or_top(nb);
}

static chunk_t *alloc_aligned(size_t nb, size_t align)
{
	chunk_t *c, *nc;
	uintptr_t mem, amem;
	if (align <= 16)
		return alloc_chunk(nb);
	if (nb > SIZE_MAX - align - MINSIZE)
		return NULL;
	/* over-allocate, then give the misaligned head (and tail) back */
	c = from_bins_or_top(nb + align + MINSIZE);
	if (!c && nb >= S.mmap_threshold && (c = mmap_chunk(nb, align)) != NULL)
		return c;
	if (!c)
		c = alloc_chunk(nb + align + MINSIZE);
	if (!c)
		return NULL;
	mem = (uintptr_t)chunk2mem(c);
	if (mem & (align - 1)) {
		size_t lead;
		amem = (mem + align - 1) & ~(uintptr_t)(align - 1);
		if (amem - mem < MINSIZE)
			amem += align;
		nc = mem2chunk((void *)amem);
		lead = (size_t)((char *)nc - (char *)c);
		if (c->size & IS_MMAPPED) {
			nc->prev_size = c->prev_size + lead;
			nc->size = (csize(c) - lead) | IS_MMAPPED;
			return nc;
		}
		nc->size = (csize(c) - lead) | PREV_INUSE;
		c->size = lead | (c->size & PREV_INUSE);
		int_free(c);
		c = nc;
	}
	if (!(c->size & IS_MMAPPED))
		split_tail(c, nb);
	return c;
}

/* An allocation; *mmapped says whether it got a mapping of its own, read
 * under the lock: the chunk's size word is not the caller's alone (a free
 * of the chunk below clears its PREV_INUSE bit, under the lock). */
static void *alloc_mem(size_t size, size_t align, int *mmapped)
{
	chunk_t *c;
	size_t nb;
	if (size > SIZE_MAX / 2)
		return NULL;
	nb = request2size(size);
	int locked = lock();
	c = alloc_aligned(nb, align);
	if (c) {
		S.in_use_bytes += csize(c);
		S.in_use_blocks++;
		*mmapped = (c->size & IS_MMAPPED) != 0;
	}
	unlock(locked);
	return c ? chunk2mem(c) : NULL;
}

static void *ref_alloc(void *inst, size_t size, size_t align)
{
	int mmapped;
	(void)inst;
	return alloc_mem(size, align, &mmapped);
}

static void free_chunk_locked(chunk_t *c)
{
	S.in_use_bytes -= csize(c);
	S.in_use_blocks--;
	if (c->size & IS_MMAPPED) {
		munmap_chunk(c);
		return;
	}
	if (!is_inuse(c))
		die("refmalloc: free of a block that is not in use (double free?)\n");
	int_free(c);
}

static void ref_free(void *inst, void *ptr, size_t size)
{
	(void)inst;
	(void)size; /* the header knows: AS_SIZE_UNKNOWN is as good as a size */
	int locked = lock();
	free_chunk_locked(mem2chunk(ptr));
	unlock(locked);
}

/* Resize in place where the heap allows (shrink, grow into top or a free
 * next chunk), mremap for mmapped blocks, else allocate, copy and free. */
static chunk_t *realloc_locked(chunk_t *c, size_t nb, size_t new_size)
{
	size_t sz = csize(c);
	chunk_t *next, *nc;
	size_t usable;

	if (c->size & IS_MMAPPED) {
		size_t off = c->prev_size;
		size_t len = off + sz;
		size_t nlen = round_page(off + nb + HDR_BYTES);
		mnode_t *n = (mnode_t *)((char *)c - off);
		if (nlen == len)
			return c;
		/* glibc's mremap_chunk: an mmapped block stays mmapped */
		n = mremap(n, len, nlen, MREMAP_MAYMOVE);
		if (n != MAP_FAILED) {
			S.mremap_calls++;
			n->prev->next = n;
			n->next->prev = n;
			S.mmap_bytes += nlen - len;
			n->len = nlen;
			c = (chunk_t *)((char *)n + off);
			c->size = (nlen - off) | IS_MMAPPED;
			return c;
		}
		if (nlen <= len)
			return c;
		usable = sz - HDR_BYTES;
	} else {
		if (sz >= nb) {
			split_tail(c, nb);
			return c;
		}
		next = at(c, sz);
		if (next == S.top && sz + csize(next) >= nb + MINSIZE) {
			size_t ts = csize(next);
			S.top = at(c, nb);
			S.top->size = (sz + ts - nb) | PREV_INUSE;
			c->size = nb | (c->size & PREV_INUSE);
			return c;
		}
		if (next != S.top && !is_inuse(next) && sz + csize(next) >= nb) {
			take_free(next);
			c->size = (sz + csize(next)) | (c->size & PREV_INUSE);
			next_chunk(c)->size |= PREV_INUSE;
			split_tail(c, nb);
			return c;
		}
		usable = sz - 8;
	}
	nc = alloc_chunk(nb);
	if (!nc)
		return NULL;
	memcpy(chunk2mem(nc), chunk2mem(c), usable < new_size ? usable : new_size);
	if (c->size & IS_MMAPPED)
		munmap_chunk(c);
	else
		int_free(c);
	return nc;
}

static void *ref_realloc(void *inst, void *ptr, size_t old_size, size_t new_size)
{
	chunk_t *c = mem2chunk(ptr), *nc;
	size_t before;
	(void)inst;
	(void)old_size;
	if (new_size > SIZE_MAX / 2)
		return NULL;
	int locked = lock();
	before = csize(c);
	nc = realloc_locked(c, request2size(new_size), new_size);
	if (nc) {
		S.in_use_bytes += csize(nc);
		S.in_use_bytes -= before;
	}
	unlock(locked);
	return nc ? chunk2mem(nc) : NULL;
}

static void *ref_calloc(void *inst, size_t size, size_t align)
{
	int mmapped = 0;
	void *p;
	(void)inst;
	p = alloc_mem(size, align, &mmapped);
	/* a fresh mapping is already zero (glibc skips the memset too) */
	if (p && !mmapped)
		memset(p, 0, size);
	return p;
}

static int ref_create(const char *params, void **out, char *err, size_t errlen)
{
	ref_params_t p;
	if (as_params_parse(ref_spec, NSPEC, params, &p, err, errlen) != 0)
		return -1;
	if (atomic_exchange(&instance_live, 1)) {
		snprintf(err, errlen,
		         "refmalloc: an instance already exists in this process (the brk heap is "
		         "process-wide); destroy it first");
		return -1;
	}
	memset(&S, 0, sizeof(S));
	S.page = (size_t)sysconf(_SC_PAGESIZE);
	S.mmap_threshold = p.mmap_threshold;
	S.trim_threshold = p.trim_threshold;
	S.top_pad = p.top_pad;
	S.fixed_threshold = p.fixed_threshold;
	for (unsigned i = 0; i < NBINS; i++)
		S.bins[i].fd = S.bins[i].bk = &S.bins[i];
	S.mmapped.next = S.mmapped.prev = &S.mmapped;
	*out = &S;
	return 0;
}

/* Unmap live mmapped blocks and heap segments; give brk segments back while
 * the break is still at their end. A brk segment with foreign memory above
 * it cannot be returned and is counted in orphaned_brk_bytes. */
static void ref_destroy(void *inst)
{
	seg_t *s;
	(void)inst;
	int locked = lock();
	while (S.mmapped.next != &S.mmapped) {
		mnode_t *n = S.mmapped.next;
		n->prev->next = n->next;
		n->next->prev = n->prev;
		munmap(n, n->len);
	}
	for (s = S.seg; s;) {
		seg_t *prev = s->prev;
		if (s->kind == SEG_MMAP)
			munmap(s->base, s->len);
		else if ((char *)sbrk(0) == s->base + s->len)
			sbrk(-(intptr_t)s->len);
		else
			orphaned_brk_bytes += s->len;
		s = prev;
	}
	S.seg = NULL;
	S.top = NULL;
	S.dv = NULL;
	S.large = NULL;
	unlock(locked);
	atomic_store(&instance_live, 0);
}

/* madvise away the whole pages inside free chunk c, past its header. */
static void release_pages(chunk_t *c)
{
	uintptr_t lo = ((uintptr_t)c + sizeof(chunk_t) + S.page - 1) & ~(S.page - 1);
	uintptr_t hi = ((uintptr_t)c + csize(c)) & ~(S.page - 1);
	if (hi > lo) {
		madvise((void *)lo, hi - lo, MADV_DONTNEED);
		S.madvise_calls++;
	}
}

static void t_release_pages(chunk_t *t)
{
	for (; t; t = t->bk) {
		t_release_pages(t->fd);
		release_pages(t);
	}
}

/* malloc_trim(0): shrink the break to the top's minimum, and madvise away
 * the whole pages inside free chunks (the heap's size stays, RSS drops). */
static int ref_trim(void *inst)
{
	(void)inst;
	int locked = lock();
	systrim(0);
	if (S.dv) { /* keep it: bin it so the loop below sees it */
		bin_insert(S.dv, csize(S.dv));
		S.dv = NULL;
	}
	for (unsigned i = 0; i < NBINS; i++)
		for (chunk_t *c = S.bins[i].fd; c != &S.bins[i]; c = c->fd)
			release_pages(c);
	t_release_pages(S.large);
	unlock(locked);
	return 0;
}

static void ref_stats(void *inst, as_stat_fn emit, void *ctx)
{
	(void)inst;
	int locked = lock();
	emit(ctx, "heap_bytes", (double)S.heap_bytes);
	emit(ctx, "heap_segments", (double)S.heap_segments);
	emit(ctx, "heap_mmap_segments", (double)S.mmap_segments);
	emit(ctx, "top_bytes", (double)(S.top ? csize(S.top) : 0));
	emit(ctx, "bin_free_bytes", (double)(S.bin_bytes + (S.dv ? csize(S.dv) : 0)));
	emit(ctx, "bin_free_chunks", (double)(S.bin_chunks + (S.dv != NULL)));
	emit(ctx, "dv_bytes", (double)(S.dv ? csize(S.dv) : 0));
	emit(ctx, "in_use_bytes", (double)S.in_use_bytes);
	emit(ctx, "in_use_blocks", (double)S.in_use_blocks);
	emit(ctx, "mmap_bytes", (double)S.mmap_bytes);
	emit(ctx, "mmap_blocks", (double)S.mmap_blocks);
	emit(ctx, "sbrk_calls", (double)S.sbrk_calls);
	emit(ctx, "sbrk_fail_events", (double)S.sbrk_fail);
	emit(ctx, "foreign_sbrk_events", (double)S.foreign_sbrk);
	emit(ctx, "mmap_calls", (double)S.mmap_calls);
	emit(ctx, "munmap_calls", (double)S.munmap_calls);
	emit(ctx, "mremap_calls", (double)S.mremap_calls);
	emit(ctx, "madvise_calls", (double)S.madvise_calls);
	emit(ctx, "trim_events", (double)S.trims);
	emit(ctx, "trim_blocked_events", (double)S.trim_blocked);
	emit(ctx, "threshold_moves", (double)S.threshold_moves);
	emit(ctx, "mmap_threshold_bytes", (double)S.mmap_threshold);
	emit(ctx, "trim_threshold_bytes", (double)S.trim_threshold);
	emit(ctx, "top_pad_bytes", (double)S.top_pad);
	emit(ctx, "orphaned_brk_bytes", (double)orphaned_brk_bytes);
	emit(ctx, "bin_steps", (double)S.bin_steps);
	unlock(locked);
}

static const as_module_t refmalloc_module = {
    .abi_version = AS_MODULE_ABI_VERSION,
    .struct_size = sizeof(as_module_t),
    .param_spec_size = sizeof(as_param_spec_t),
    .params_version = AS_PARAMS_VERSION,
    .name = "refmalloc",
    .version = "1.0",
    .description = "reference brk/mmap malloc: sbrk heap, bins, top trim, mmap above a "
                   "self-tuning threshold",
    /* one instance per process: the program break is process-wide */
    .caps = AS_CAP_THREAD_SAFE | AS_CAP_FREE | AS_CAP_SIZE_UNKNOWN | AS_CAP_ANY_SIZE |
            AS_CAP_SINGLE_INSTANCE,
    .nparams = NSPEC,
    .params = ref_spec,
    .create = ref_create,
    .destroy = ref_destroy,
    .alloc = ref_alloc,
    .free = ref_free,
    .realloc = ref_realloc,
    .calloc = ref_calloc,
    .stats = ref_stats,
    .trim = ref_trim,
};

AS_MODULE_EXPORT(refmalloc_module)
