/* freelist.c - the explicit free-list allocator: boundary-tagged chunks in
 * mapped regions, one doubly linked list of free chunks searched first-fit or
 * best-fit (a param), splitting on allocation and coalescing with both
 * neighbours on free. The textbook general-purpose allocator, without bins:
 * its search cost grows with fragmentation, which its stats show
 * (search_steps). Not thread-safe: one instance per thread. */
#define _GNU_SOURCE
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>

#include "allocscope_module.h"

typedef struct {
	uint64_t region_bytes;
	int fit;
} fl_params_t;

enum { FIT_FIRST = 0, FIT_BEST = 1 };

static const as_param_spec_t fl_spec[] = {
    {"region", AS_PARAM_SIZE, "64m", 65536, 1ULL << 40, NULL,
     "bytes per mapped region; another is mapped when no free chunk fits",
     offsetof(fl_params_t, region_bytes)},
    {"fit", AS_PARAM_ENUM, "first", 0, 0, "first|best",
     "first: take the first free chunk that fits; best: the smallest that fits",
     offsetof(fl_params_t, fit)},
};

/* A chunk: an 8-byte header (size | flags) then the block; a free chunk also
 * holds list links and repeats its size in its last 8 bytes (the footer the
 * next chunk reads to coalesce backwards). The user block is 16-aligned. */
#define INUSE      1u
#define PREV_INUSE 2u
#define FLAGS      15u
#define MINCHUNK   32u

typedef struct fchunk {
	size_t head;
	struct fchunk *fd;
	struct fchunk *bk;
} fchunk_t;

typedef struct region {
	struct region *next;
	size_t len;
} region_t;

typedef struct {
	fchunk_t list; /* sentinel of the free list */
	region_t *regions;
	size_t region_bytes;
	int fit;
	uint64_t nregions, mapped, free_bytes, free_chunks, in_use_bytes;
	uint64_t allocs, search_steps, coalesces;
} fl_t;

static inline size_t csz(const fchunk_t *c)
{
	return c->head & ~(size_t)FLAGS;
}

static inline fchunk_t *at(void *c, size_t off)
{
	return (fchunk_t *)((char *)c + off);
}

/* The chunk `off` bytes below c (a pointer minus an unsigned offset: adding
 * a wrapped-around size_t is undefined behaviour, which UBSan reports). */
static inline fchunk_t *below(void *c, size_t off)
{
	return (fchunk_t *)((char *)c - off);
}

static void list_add(fl_t *f, fchunk_t *c)
{
	c->fd = f->list.fd;
	c->bk = &f->list;
	c->fd->bk = c;
	f->list.fd = c;
	f->free_bytes += csz(c);
	f->free_chunks++;
}

static void list_del(fl_t *f, fchunk_t *c)
{
	c->fd->bk = c->bk;
	c->bk->fd = c->fd;
	f->free_bytes -= csz(c);
	f->free_chunks--;
}

/* Mark c (size sz, previous chunk in use or not per prev) free: header,
 * footer, next chunk's PREV_INUSE cleared, onto the list. */
static void make_free(fl_t *f, fchunk_t *c, size_t sz)
{
	c->head = sz | PREV_INUSE;
	at(c, sz - 8)->head = sz;
	at(c, sz)->head &= ~(size_t)PREV_INUSE;
	list_add(f, c);
}

/* The whole region as one free chunk, closed by an in-use end sentinel. */
static void region_format(fl_t *f, region_t *r)
{
	char *start = (char *)r + 32 + 8; /* header at 8 mod 16: block 16-aligned */
	size_t sz = ((size_t)((char *)r + r->len - 8 - start)) & ~(size_t)15;
	fchunk_t *end = at(start, sz);
	end->head = 0 | INUSE;
	make_free(f, (fchunk_t *)start, sz);
}

static int add_region(fl_t *f, size_t need)
{
	size_t len = f->region_bytes;
	region_t *r;
	if (len < need + 64)
		len = (need + 64 + 4095) & ~(size_t)4095;
	r = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1,
	         0);
	if (r == MAP_FAILED)
		return -1;
	r->len = len;
	r->next = f->regions;
	f->regions = r;
	f->nregions++;
	f->mapped += len;
	region_format(f, r);
	return 0;
}

static int fl_create(const char *params, void **out, char *err, size_t errlen)
{
	fl_params_t p;
	fl_t *f;
	if (as_params_parse(fl_spec, 2, params, &p, err, errlen) != 0)
		return -1;
	f = mmap(NULL, sizeof(*f), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (f == MAP_FAILED) {
		snprintf(err, errlen, "freelist: cannot map the instance");
		return -1;
	}
	memset(f, 0, sizeof(*f));
	f->list.fd = f->list.bk = &f->list;
	f->region_bytes = (p.region_bytes + 4095) & ~(size_t)4095;
	f->fit = p.fit;
	if (add_region(f, 0) != 0) {
		munmap(f, sizeof(*f));
		snprintf(err, errlen, "freelist: cannot map region=%llu bytes",
		         (unsigned long long)p.region_bytes);
		return -1;
	}
	*out = f;
	return 0;
}

static void fl_destroy(void *inst)
{
	fl_t *f = inst;
	while (f->regions) {
		region_t *r = f->regions;
		f->regions = r->next;
		munmap(r, r->len);
	}
	munmap(f, sizeof(*f));
}

static fchunk_t *search(fl_t *f, size_t nb)
{
	fchunk_t *best = NULL;
	uint64_t steps = 0;
	for (fchunk_t *c = f->list.fd; c != &f->list; c = c->fd) {
		size_t s = csz(c);
		steps++;
		if (s < nb)
			continue;
		if (f->fit == FIT_FIRST || s == nb) {
			best = c;
			break;
		}
		if (!best || s < csz(best))
			best = c;
	}
	f->search_steps += steps;
	return best;
}

/* Take free chunk c for nb bytes; the tail, if it can be a chunk, stays free. */
static void carve(fl_t *f, fchunk_t *c, size_t nb)
{
	size_t sz = csz(c);
	list_del(f, c);
	if (sz >= nb + MINCHUNK) {
		c->head = nb | INUSE | PREV_INUSE;
		make_free(f, at(c, nb), sz - nb);
		at(c, nb)->head |= PREV_INUSE;
	} else {
		c->head = sz | INUSE | PREV_INUSE;
		at(c, sz)->head |= PREV_INUSE;
	}
}

static void release(fl_t *f, fchunk_t *c)
{
	size_t sz = csz(c);
	fchunk_t *next = at(c, sz);
	if (!(c->head & PREV_INUSE)) {
		size_t psz = below(c, 8)->head;
		c = below(c, psz);
		list_del(f, c);
		sz += psz;
		f->coalesces++;
	}
	if (!(next->head & INUSE)) {
		list_del(f, next);
		sz += csz(next);
		f->coalesces++;
	}
	make_free(f, c, sz);
}

static fchunk_t *get_chunk(fl_t *f, size_t nb)
{
	fchunk_t *c = search(f, nb);
	if (!c) {
		if (add_region(f, nb) != 0)
			return NULL;
		c = search(f, nb);
	}
	carve(f, c, nb);
	return c;
}

static void *fl_alloc(void *inst, size_t size, size_t align)
{
	fl_t *f = inst;
	size_t nb;
	fchunk_t *c;
	uintptr_t mem;
	if (size > SIZE_MAX / 4)
		return NULL;
	nb = (size + 8 + 15) & ~(size_t)15;
	if (nb < MINCHUNK)
		nb = MINCHUNK;
	if (align <= 16) {
		c = get_chunk(f, nb);
		if (!c)
			return NULL;
	} else {
		/* over-allocate, free the misaligned head and the unused tail */
		c = get_chunk(f, nb + align + MINCHUNK);
		if (!c)
			return NULL;
		mem = (uintptr_t)c + 8;
		if (mem & (align - 1)) {
			uintptr_t amem = (mem + align - 1) & ~(uintptr_t)(align - 1);
			fchunk_t *nc;
			size_t lead, total = csz(c);
			if (amem - mem < MINCHUNK)
				amem += align;
			nc = (fchunk_t *)(amem - 8);
			lead = (size_t)((char *)nc - (char *)c);
			nc->head = (total - lead) | INUSE;
			c->head = lead | INUSE | (c->head & PREV_INUSE);
			release(f, c);
			c = nc;
		}
		if (csz(c) >= nb + MINCHUNK) {
			size_t total = csz(c);
			c->head = nb | INUSE | (c->head & PREV_INUSE);
			at(c, nb)->head = (total - nb) | INUSE | PREV_INUSE;
			release(f, at(c, nb));
		}
	}
	f->in_use_bytes += csz(c);
	f->allocs++;
	return (char *)c + 8;
}

static void fl_free(void *inst, void *ptr, size_t size)
{
	fl_t *f = inst;
	fchunk_t *c = (fchunk_t *)((char *)ptr - 8);
	(void)size; /* the header knows */
	f->in_use_bytes -= csz(c);
	release(f, c);
}

static void *fl_realloc(void *inst, void *ptr, size_t old_size, size_t new_size)
{
	fl_t *f = inst;
	fchunk_t *c = (fchunk_t *)((char *)ptr - 8);
	size_t sz = csz(c), nb;
	fchunk_t *next = at(c, sz);
	void *n;
	(void)old_size;
	if (new_size > SIZE_MAX / 4)
		return NULL;
	nb = (new_size + 8 + 15) & ~(size_t)15;
	if (nb < MINCHUNK)
		nb = MINCHUNK;
	if (nb > sz && !(next->head & INUSE) && sz + csz(next) >= nb) {
		/* grow into the free next chunk */
		list_del(f, next);
		f->in_use_bytes -= sz;
		sz += csz(next);
		c->head = sz | INUSE | (c->head & PREV_INUSE);
		at(c, sz)->head |= PREV_INUSE;
		f->in_use_bytes += sz;
	}
	if (nb <= sz) {
		if (sz >= nb + MINCHUNK) {
			c->head = nb | INUSE | (c->head & PREV_INUSE);
			at(c, nb)->head = (sz - nb) | INUSE | PREV_INUSE;
			f->in_use_bytes -= sz - nb;
			release(f, at(c, nb));
		}
		return ptr;
	}
	n = fl_alloc(inst, new_size, 0);
	if (!n)
		return NULL;
	memcpy(n, ptr, sz - 8);
	fl_free(inst, ptr, old_size);
	return n;
}

/* Every block free at once: each region becomes one free chunk again. */
static int fl_reset(void *inst)
{
	fl_t *f = inst;
	f->list.fd = f->list.bk = &f->list;
	f->free_bytes = f->free_chunks = f->in_use_bytes = 0;
	for (region_t *r = f->regions; r; r = r->next)
		region_format(f, r);
	return 0;
}

static void fl_stats(void *inst, as_stat_fn emit, void *ctx)
{
	fl_t *f = inst;
	emit(ctx, "regions", (double)f->nregions);
	emit(ctx, "mapped_bytes", (double)f->mapped);
	emit(ctx, "free_bytes", (double)f->free_bytes);
	emit(ctx, "free_chunks", (double)f->free_chunks);
	emit(ctx, "in_use_bytes", (double)f->in_use_bytes);
	emit(ctx, "allocs", (double)f->allocs);
	emit(ctx, "search_steps", (double)f->search_steps);
	emit(ctx, "coalesces", (double)f->coalesces);
}

static const as_module_t freelist_module = {
    .abi_version = AS_MODULE_ABI_VERSION,
    .struct_size = sizeof(as_module_t),
    .param_spec_size = sizeof(as_param_spec_t),
    .params_version = AS_PARAMS_VERSION,
    .name = "freelist",
    .version = "1.0",
    .description = "explicit free list over mapped regions, first/best fit, split + coalesce",
    .caps = AS_CAP_FREE | AS_CAP_RESET | AS_CAP_SIZE_UNKNOWN | AS_CAP_ANY_SIZE,
    .nparams = sizeof(fl_spec) / sizeof(fl_spec[0]),
    .params = fl_spec,
    .create = fl_create,
    .destroy = fl_destroy,
    .alloc = fl_alloc,
    .free = fl_free,
    .realloc = fl_realloc,
    .reset = fl_reset,
    .stats = fl_stats,
};

AS_MODULE_EXPORT(freelist_module)
