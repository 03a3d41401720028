/* opstream.c - building op streams in kernel-mapped memory. Growth uses
 * mremap so that no allocator, least of all the one under test, is involved.
 * Cross-thread ordering (AS_OPF_WAIT + seq) is derived here, once, for every
 * generator and trace reader alike. */
#define _GNU_SOURCE
#include "opstream.h"

#include <errno.h>
#include <string.h>
#include <sys/mman.h>
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

static int grow_ids(as_opstream_t *s, uint32_t id)
{
	uint64_t ncap = s->id_cap ? s->id_cap : 4096;
	uint16_t *a, *b;
	while (ncap <= id)
		ncap *= 2;
	a = map_grow(s->id_seq, s->id_cap * sizeof(uint16_t), ncap * sizeof(uint16_t));
	if (!a)
		return -1;
	s->id_seq = a;
	b = map_grow(s->id_thread, s->id_cap * sizeof(uint16_t), ncap * sizeof(uint16_t));
	if (!b)
		return -1;
	s->id_thread = b;
	s->id_cap = ncap;
	return 0;
}

int as_opstream_push(as_opstream_t *s, uint32_t t, as_op_kind_t kind, uint32_t id, uint64_t size,
                     uint32_t align_log2)
{
	as_opthread_t *th;
	as_op_t *op;

	if (t >= s->nthreads || (unsigned)kind >= AS_OP_KIND_COUNT || align_log2 > 63) {
		errno = EINVAL;
		return -1;
	}
	th = &s->thread[t];
	if (th->nops == th->cap) {
		uint64_t ncap = th->cap ? th->cap * 2 : 65536;
		as_op_t *n = map_grow(th->ops, th->cap * sizeof(as_op_t), ncap * sizeof(as_op_t));
		if (!n)
			return -1;
		th->ops = n;
		th->cap = ncap;
	}
	op = &th->ops[th->nops++];
	op->kind = (uint8_t)kind;
	op->align_log2 = (uint8_t)align_log2;
	op->seq = 0;
	op->id = id;
	op->size = size;

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
	if (s->nthreads > 1) {
		if (id >= s->id_cap && grow_ids(s, id) != 0)
			return -1;
		if (s->id_thread[id] != 0 && s->id_thread[id] != t + 1) {
			op->kind |= AS_OPF_WAIT;
			op->seq = s->id_seq[id];
			s->cross_thread = 1;
		}
		s->id_thread[id] = (uint16_t)(t + 1);
		s->id_seq[id]++;
	}
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

void as_opstream_free(as_opstream_t *s)
{
	for (uint32_t t = 0; t < s->nthreads; t++)
		if (s->thread[t].ops)
			munmap(s->thread[t].ops, s->thread[t].cap * sizeof(as_op_t));
	if (s->id_seq)
		munmap(s->id_seq, s->id_cap * sizeof(uint16_t));
	if (s->id_thread)
		munmap(s->id_thread, s->id_cap * sizeof(uint16_t));
	memset(s, 0, sizeof(*s));
}
