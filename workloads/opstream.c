/* opstream.c - building op streams in kernel-mapped memory. Growth uses
 * mremap so that no allocator, least of all the one under test, is involved.
 * Cross-thread ordering (as_wait_t, one per handed-over run of ops) is
 * derived here, once, for every generator and trace reader alike. */
#define _GNU_SOURCE
#include "opstream.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

static void *map_grow(void *old, size_t old_bytes, size_t new_bytes)
{
	void *p;
	if (!old) {
		p = mmap(NULL, new_bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1,
		         0);
	} else {
		p = mremap(old, old_bytes, new_bytes, MREMAP_MAYMOVE);
	}
	if (p == MAP_FAILED)
		return NULL;
	/* a trace of millions of events fills hundreds of MB: one fault per
	 * 2 MiB rather than per 4 KiB page halves the build time in a VM
	 * (a hint; fine where refused) */
	if (new_bytes >= (4u << 20))
		madvise(p, new_bytes, MADV_HUGEPAGE);
	return p;
}

int as_opstream_init(as_opstream_t *s, uint32_t nthreads)
{
	if (nthreads == 0 || nthreads > AS_MAX_THREADS) {
		errno = EINVAL;
		return -1;
	}
	memset(s, 0, sizeof(*s));
	s->nthreads = nthreads;
	s->expect_live_bytes_peak = -1;
	s->expect_thread_live_bytes_peak = -1;
	s->expect_live_bytes_end = -1;
	return 0;
}

/* Make room for `need` elements of `elem` bytes in a mapped array. */
static int reserve(void **arr, uint64_t *cap, size_t elem, uint64_t need, uint64_t first)
{
	uint64_t ncap = *cap ? *cap : first;
	void *n;
	if (need <= *cap)
		return 0;
	while (ncap < need)
		ncap *= 2;
	n = map_grow(*arr, *cap * elem, ncap * elem);
	if (!n)
		return -1;
	*arr = n;
	*cap = ncap;
	return 0;
}

static int grow_ids(as_opstream_t *s, uint32_t id)
{
	uint64_t cap = s->id_cap;
	void *a = s->id_thread, *b = s->id_run;
	if (reserve(&a, &cap, sizeof(uint16_t), (uint64_t)id + 1, 4096) != 0)
		return -1;
	s->id_thread = a;
	cap = s->id_cap;
	if (reserve(&b, &cap, sizeof(uint64_t), (uint64_t)id + 1, 4096) != 0)
		return -1;
	s->id_run = b;
	s->id_cap = cap;
	return 0;
}

/* Thread u publishes its progress when it has run `until` ops: insert into
 * its ascending posts (usually at the end). */
static int add_post(as_opthread_t *u, uint64_t until)
{
	uint64_t i = u->nposts;
	void *a = u->posts;
	while (i > 0 && u->posts[i - 1] > until)
		i--;
	if (i > 0 && u->posts[i - 1] == until)
		return 0;
	if (reserve(&a, &u->post_cap, sizeof(uint64_t), u->nposts + 1, 512) != 0)
		return -1;
	u->posts = a;
	memmove(&u->posts[i + 1], &u->posts[i], (u->nposts - i) * sizeof(uint64_t));
	u->posts[i] = until;
	u->nposts++;
	return 0;
}

/* Op `at` of thread t touches an object whose last op ran on thread u in
 * u's run r: wait for the end of that run, unless already known. */
static int add_wait(as_opstream_t *s, uint32_t t, uint64_t at, uint32_t u, uint64_t r)
{
	as_opthread_t *th = &s->thread[t], *tu = &s->thread[u];
	uint64_t until = r + 1 < tu->nruns ? tu->runs[r + 1] : tu->nops;
	uint64_t *known = &s->known[(size_t)t * s->nthreads + u];
	void *a = th->waits;
	if (*known >= until)
		return 0;
	if (reserve(&a, &th->wait_cap, sizeof(as_wait_t), th->nwaits + 1, 512) != 0)
		return -1;
	th->waits = a;
	th->waits[th->nwaits++] = (as_wait_t){at, until, u, 0};
	*known = until;
	s->cross_thread = 1;
	return add_post(tu, until);
}

/* Multi-thread bookkeeping of one pushed op (index `at` of thread t): a new
 * run when the previous push was another thread's, and the wait for the
 * object's previous op when that ran elsewhere. */
static int order_op(as_opstream_t *s, uint32_t t, uint64_t at, as_op_kind_t kind, uint32_t id)
{
	as_opthread_t *th = &s->thread[t];
	void *a = th->runs;
	if (!s->known) {
		size_t bytes = (size_t)s->nthreads * s->nthreads * sizeof(uint64_t);
		s->known = map_grow(NULL, 0, bytes);
		if (!s->known)
			return -1;
	}
	if (s->last_thread != t + 1) {
		if (reserve(&a, &th->run_cap, sizeof(uint64_t), th->nruns + 1, 512) != 0)
			return -1;
		th->runs = a;
		th->runs[th->nruns++] = at;
		s->last_thread = t + 1;
	}
	if (kind == AS_OP_TRIM || kind == AS_OP_RESET)
		return 0; /* name no single object */
	if (id >= s->id_cap && grow_ids(s, id) != 0)
		return -1;
	if (s->id_thread[id] != 0 && s->id_thread[id] != t + 1 &&
	    add_wait(s, t, at, s->id_thread[id] - 1u, s->id_run[id]) != 0)
		return -1;
	s->id_thread[id] = (uint16_t)(t + 1);
	s->id_run[id] = th->nruns - 1;
	return 0;
}

/* Which objects are live after this op, for as_opstream_ends_empty, and
 * whether it reads the slot of a dead one (as_opstream_clears_slots). */
static int track_live(as_opstream_t *s, as_op_kind_t kind, uint32_t id, uint64_t size)
{
	uint64_t end = kind == AS_OP_RESET ? (uint64_t)id + size : (uint64_t)id + 1;
	void *a = s->id_live;
	if (kind == AS_OP_TRIM)
		return 0;
	/* grown pages of an anonymous mapping read as zero: not live */
	if (reserve(&a, &s->live_cap, 1, end, 4096) != 0)
		return -1;
	s->id_live = a;
	if (kind == AS_OP_RESET ||
	    ((kind == AS_OP_FREE || kind == AS_OP_REALLOC || kind == AS_OP_WRITE) &&
	     !s->id_live[id]))
		s->reads_dead = 1;
	switch (kind) {
	case AS_OP_WRITE: break;
	case AS_OP_ALLOC:
	case AS_OP_CALLOC:
	case AS_OP_REALLOC:
		s->live_objects += !s->id_live[id];
		s->id_live[id] = 1;
		break;
	case AS_OP_FREE:
		s->live_objects -= s->id_live[id];
		s->id_live[id] = 0;
		break;
	default: /* RESET */
		for (uint64_t i = id; i < end; i++) {
			s->live_objects -= s->id_live[i];
			s->id_live[i] = 0;
		}
		break;
	}
	return 0;
}

/* Thread t's running count of live requested bytes and its peak_at
 * (unless the builder counts them itself: s->own_live_bytes). */
static int track_bytes(as_opstream_t *s, uint32_t t, as_op_kind_t kind, uint32_t id, uint64_t size)
{
	uint64_t end = kind == AS_OP_RESET ? (uint64_t)id + size : (uint64_t)id + 1;
	as_opthread_t *th = &s->thread[t];
	void *b = s->id_size;
	if (kind == AS_OP_TRIM || kind == AS_OP_WRITE)
		return 0;
	if (reserve(&b, &s->size_cap, sizeof(uint64_t), end, 512) != 0)
		return -1;
	s->id_size = b;
	switch (kind) {
	case AS_OP_ALLOC:
	case AS_OP_CALLOC:
	case AS_OP_REALLOC:
		th->live_bytes += (int64_t)size - (int64_t)s->id_size[id];
		s->id_size[id] = size;
		break;
	case AS_OP_FREE:
		th->live_bytes -= (int64_t)s->id_size[id];
		s->id_size[id] = 0;
		break;
	default: /* RESET */
		for (uint64_t i = id; i < end; i++) {
			th->live_bytes -= (int64_t)s->id_size[i];
			s->id_size[i] = 0;
		}
		break;
	}
	if (th->live_bytes > th->live_peak) {
		th->live_peak = th->live_bytes;
		th->peak_at = th->nops + 1; /* this op is pushed next */
	}
	return 0;
}

int as_opstream_ends_empty(const as_opstream_t *s)
{
	return s->live_objects == 0;
}

int as_opstream_clears_slots(const as_opstream_t *s)
{
	return s->reads_dead || !as_opstream_ends_empty(s);
}

int as_opstream_push(as_opstream_t *s, uint32_t t, as_op_kind_t kind, uint32_t id, uint64_t size,
                     uint32_t align_log2)
{
	as_opthread_t *th;
	as_op_t *op;
	void *a;

	if (t >= s->nthreads || (unsigned)kind >= AS_OP_KIND_COUNT || align_log2 > 63) {
		errno = EINVAL;
		return -1;
	}
	th = &s->thread[t];
	a = th->ops;
	if (reserve(&a, &th->cap, sizeof(as_op_t), th->nops + 1, 65536) != 0)
		return -1;
	th->ops = a;
	op = &th->ops[th->nops];
	op->kind = (uint8_t)kind;
	op->align_log2 = (uint8_t)align_log2;
	op->pad = 0;
	op->id = id;
	op->size = size;
	if ((s->nthreads > 1 && order_op(s, t, th->nops, kind, id) != 0) ||
	    track_live(s, kind, id, size) != 0 ||
	    (!s->own_live_bytes && track_bytes(s, t, kind, id, size) != 0))
		return -1;
	th->nops++;

	if (kind == AS_OP_TRIM)
		return 0; /* names no object */
	if (kind == AS_OP_RESET) {
		uint64_t end = (uint64_t)id + size;
		if (end > s->nslots)
			s->nslots = (uint32_t)(end > UINT32_MAX ? UINT32_MAX : end);
		return 0;
	}
	if (id >= s->nslots)
		s->nslots = id + 1;
	return 0;
}

int as_opstream_reserve(as_opstream_t *s, uint32_t t, uint64_t nops)
{
	as_opthread_t *th;
	void *p;
	size_t bytes;
	if (t >= s->nthreads || nops > (SIZE_MAX / 2) / sizeof(as_op_t)) {
		errno = EINVAL;
		return -1;
	}
	th = &s->thread[t];
	if (nops <= th->cap)
		return 0;
	bytes = (size_t)nops * sizeof(as_op_t);
	if (th->ops)
		p = mremap(th->ops, th->cap * sizeof(as_op_t), bytes, MREMAP_MAYMOVE);
	else
		p = mmap(NULL, bytes, PROT_READ | PROT_WRITE,
		         MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED)
		return -1;
	if (bytes >= (4u << 20)) /* as map_grow */
		madvise(p, bytes, MADV_HUGEPAGE);
	th->ops = p;
	th->cap = nops;
	return 0;
}

const char *as_op_kind_name(unsigned kind)
{
	static const char *const names[AS_OP_KIND_COUNT] = {
	    [AS_OP_ALLOC] = "alloc", [AS_OP_CALLOC] = "calloc", [AS_OP_REALLOC] = "realloc",
	    [AS_OP_FREE] = "free",   [AS_OP_RESET] = "reset",   [AS_OP_TRIM] = "trim",
	    [AS_OP_WRITE] = "write",
	};
	return kind < AS_OP_KIND_COUNT && names[kind] ? names[kind] : "?";
}

uint64_t as_opstream_total(const as_opstream_t *s)
{
	uint64_t n = 0;
	for (uint32_t t = 0; t < s->nthreads; t++)
		n += s->thread[t].nops;
	return n;
}

void as_opstream_prefault(as_opstream_t *s)
{
	long page = sysconf(_SC_PAGESIZE);
	for (uint32_t t = 0; t < s->nthreads; t++) {
		volatile const char *p = (const char *)s->thread[t].ops;
		size_t bytes = s->thread[t].nops * sizeof(as_op_t);
		for (size_t off = 0; p && off < bytes; off += (size_t)page)
			(void)p[off];
	}
}

void as_opstream_mappings(const as_opstream_t *s, void (*fn)(const void *p, size_t len))
{
	size_t nt = s->nthreads;
	for (uint32_t t = 0; t < s->nthreads; t++) {
		const as_opthread_t *th = &s->thread[t];
		if (th->ops)
			fn(th->ops, th->cap * sizeof(as_op_t));
		if (th->waits)
			fn(th->waits, th->wait_cap * sizeof(as_wait_t));
		if (th->posts)
			fn(th->posts, th->post_cap * sizeof(uint64_t));
		if (th->runs)
			fn(th->runs, th->run_cap * sizeof(uint64_t));
	}
	if (s->id_thread)
		fn(s->id_thread, s->id_cap * sizeof(uint16_t));
	if (s->id_run)
		fn(s->id_run, s->id_cap * sizeof(uint64_t));
	if (s->known)
		fn(s->known, nt * nt * sizeof(uint64_t));
	if (s->id_live)
		fn(s->id_live, s->live_cap);
	if (s->id_size)
		fn(s->id_size, s->size_cap * sizeof(uint64_t));
}

static void unmap_one(const void *p, size_t len)
{
	munmap((void *)p, len);
}

void as_opstream_free(as_opstream_t *s)
{
	as_opstream_mappings(s, unmap_one);
	memset(s, 0, sizeof(*s));
}

/* ---- one stream, many processes: the saved record ----
 * blob_hdr_t, then nthreads blob_thread_t, then each thread's ops, waits
 * and posts, every array at a 64-byte boundary. Native layout: the writer
 * and the reader are the same executable (the run and its workers). */
#define BLOB_MAGIC 0x3353504f53534c41ULL /* "ALSSOPS3" */

typedef struct {
	uint64_t magic, size;
	uint32_t nthreads, nslots, touch, needs_free, cross_thread, reads_dead;
	int64_t expect_live_bytes_peak, expect_thread_live_bytes_peak, expect_live_bytes_end;
	uint64_t live_objects;
} blob_hdr_t;

typedef struct {
	uint64_t nops, nwaits, nposts;
	uint64_t ops_at, waits_at, posts_at; /* offsets from the record's start */
	uint64_t peak_at;
} blob_thread_t;

static uint64_t align64(uint64_t x)
{
	return (x + 63) & ~(uint64_t)63;
}

/* Write all of buf at offset off of fd. */
static int put(int fd, const void *buf, size_t len, uint64_t off)
{
	const char *p = buf;
	while (len > 0) {
		ssize_t w = pwrite(fd, p, len, (off_t)off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		len -= (size_t)w;
		off += (uint64_t)w;
	}
	return 0;
}

/* The layout of s's record: the header and thread table filled. */
static int layout(const as_opstream_t *s, blob_hdr_t *h, blob_thread_t *bt)
{
	uint64_t at = align64(sizeof(*h) + s->nthreads * sizeof(bt[0]));
	if (s->nthreads == 0 || s->nthreads > AS_MAX_THREADS) {
		errno = EINVAL;
		return -1;
	}
	*h = (blob_hdr_t){BLOB_MAGIC,
	                  0,
	                  s->nthreads,
	                  s->nslots,
	                  (uint32_t)s->touch,
	                  s->needs_free,
	                  s->cross_thread,
	                  s->reads_dead,
	                  s->expect_live_bytes_peak,
	                  s->expect_thread_live_bytes_peak,
	                  s->expect_live_bytes_end,
	                  s->live_objects};
	for (uint32_t t = 0; t < s->nthreads; t++) {
		const as_opthread_t *th = &s->thread[t];
		bt[t].nops = th->nops;
		bt[t].nwaits = th->nwaits;
		bt[t].nposts = th->nposts;
		bt[t].peak_at = th->peak_at;
		bt[t].ops_at = at;
		at = align64(at + th->nops * sizeof(as_op_t));
		bt[t].waits_at = at;
		at = align64(at + th->nwaits * sizeof(as_wait_t));
		bt[t].posts_at = at;
		at = align64(at + th->nposts * sizeof(uint64_t));
	}
	h->size = at;
	return 0;
}

int as_opstream_write(const as_opstream_t *s, int fd)
{
	blob_hdr_t h;
	blob_thread_t bt[AS_MAX_THREADS];
	if (layout(s, &h, bt) != 0 || ftruncate(fd, (off_t)h.size) != 0 ||
	    put(fd, bt, s->nthreads * sizeof(bt[0]), sizeof(h)) != 0)
		return -1;
	for (uint32_t t = 0; t < s->nthreads; t++) {
		const as_opthread_t *th = &s->thread[t];
		if ((th->nops && put(fd, th->ops, th->nops * sizeof(as_op_t), bt[t].ops_at) != 0) ||
		    (th->nwaits &&
		     put(fd, th->waits, th->nwaits * sizeof(as_wait_t), bt[t].waits_at) != 0) ||
		    (th->nposts &&
		     put(fd, th->posts, th->nposts * sizeof(uint64_t), bt[t].posts_at) != 0))
			return -1;
	}
	return put(fd, &h, sizeof(h), 0); /* last: the record is whole */
}

int as_opstream_record_ok(int fd)
{
	blob_hdr_t h;
	struct stat st;
	return fstat(fd, &st) == 0 && pread(fd, &h, sizeof(h), 0) == (ssize_t)sizeof(h) &&
	       h.magic == BLOB_MAGIC && h.size == (uint64_t)st.st_size;
}

/* len bytes at off of fd into p; 0, or -1 (a short record: EINVAL) */
static int pread_all(int fd, void *p, size_t len, uint64_t off)
{
	while (len) {
		ssize_t n = pread(fd, p, len, (off_t)off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n == 0)
				errno = EINVAL;
			return -1;
		}
		p = (char *)p + n;
		len -= (size_t)n;
		off += (uint64_t)n;
	}
	return 0;
}

int as_opstream_load(as_opstream_t *s, int fd)
{
	struct stat st;
	blob_hdr_t h;
	blob_thread_t bt[AS_MAX_THREADS];
	uint64_t len;
	if (fstat(fd, &st) != 0)
		return -1;
	len = (uint64_t)st.st_size;
	if (st.st_size < (off_t)sizeof(blob_hdr_t) || pread_all(fd, &h, sizeof(h), 0) != 0 ||
	    h.magic != BLOB_MAGIC || h.size != len || h.nthreads == 0 ||
	    h.nthreads > AS_MAX_THREADS || sizeof(h) + h.nthreads * sizeof(*bt) > len ||
	    pread_all(fd, bt, h.nthreads * sizeof(*bt), sizeof(h)) != 0)
		goto bad;
	for (uint32_t t = 0; t < h.nthreads; t++)
		if (bt[t].ops_at + bt[t].nops * sizeof(as_op_t) > len ||
		    bt[t].waits_at + bt[t].nwaits * sizeof(as_wait_t) > len ||
		    bt[t].posts_at + bt[t].nposts * sizeof(uint64_t) > len)
			goto bad;
	as_opstream_free(s);
	s->nthreads = h.nthreads;
	s->nslots = h.nslots;
	s->touch = (as_touch_t)h.touch;
	s->needs_free = h.needs_free;
	s->cross_thread = h.cross_thread;
	s->reads_dead = h.reads_dead;
	s->expect_live_bytes_peak = h.expect_live_bytes_peak;
	s->expect_thread_live_bytes_peak = h.expect_thread_live_bytes_peak;
	s->expect_live_bytes_end = h.expect_live_bytes_end;
	s->live_objects = h.live_objects;
	/* Read into private arrays of the sizes and the madvise the builder
	 * gives them (reserve, map_grow): the engine reads its ops from the
	 * same kind of memory as from a stream built here (anonymous, huge
	 * pages where advised; shmem gets none here), so no ns/op moves.
	 * pread, not a MAP_POPULATE'd mapping of the record and memcpy: the
	 * same copy without mapping and unmapping a page table entry per
	 * 4 KiB of the record (a 2-thread benchmt stream is ~10 MB). */
	for (uint32_t t = 0; t < h.nthreads; t++) {
		as_opthread_t *th = &s->thread[t];
		void *a = NULL, *w = NULL, *p = NULL;
		int rc = reserve(&a, &th->cap, sizeof(as_op_t), bt[t].nops, 65536) != 0 ||
		         reserve(&w, &th->wait_cap, sizeof(as_wait_t), bt[t].nwaits, 512) != 0 ||
		         reserve(&p, &th->post_cap, sizeof(uint64_t), bt[t].nposts, 512) != 0;
		th->ops = a;
		th->waits = w;
		th->posts = p;
		if (rc || pread_all(fd, th->ops, bt[t].nops * sizeof(as_op_t), bt[t].ops_at) != 0 ||
		    pread_all(fd, th->waits, bt[t].nwaits * sizeof(as_wait_t), bt[t].waits_at) !=
		        0 ||
		    pread_all(fd, th->posts, bt[t].nposts * sizeof(uint64_t), bt[t].posts_at) !=
		        0) {
			int e = errno;
			as_opstream_free(s);
			errno = e;
			return -1;
		}
		th->nops = bt[t].nops;
		th->nwaits = bt[t].nwaits;
		th->nposts = bt[t].nposts;
		th->peak_at = bt[t].peak_at;
	}
	return 0;
bad:
	errno = EINVAL;
	return -1;
}
