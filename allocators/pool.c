/* pool.c - the pool (slab) allocator: fixed-size slots carved from aligned
 * slabs, each free slot holding the next-free pointer (intrusive free list),
 * no per-object header. One slot size (slot=N), or size classes for mixed
 * sizes (slot=0). A request larger than the largest slot gets a mapping of
 * its own ("oversize"). Each slab and oversize mapping starts with a header
 * at a slab-aligned address, so free() finds the slot's class from the
 * pointer alone. Not thread-safe: one instance per thread. */
#define _GNU_SOURCE
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>

#include "allocscope_module.h"

typedef struct {
	uint64_t slot;
	uint64_t slab;
	uint64_t max_class;
} pool_params_t;

static const as_param_spec_t pool_spec[] = {
    {"slot", AS_PARAM_SIZE, "0", 0, 1ULL << 20, NULL,
     "one slot size in bytes (rounded up to 16); 0: size classes 16..max_class",
     offsetof(pool_params_t, slot)},
    {"slab", AS_PARAM_SIZE, "64k", 4096, 1ULL << 24, NULL,
     "slab size, a power of two; slabs are mapped 16 at a time", offsetof(pool_params_t, slab)},
    {"max_class", AS_PARAM_SIZE, "8k", 16, 1ULL << 20, NULL,
     "largest size class when slot=0 (at most slab/4); bigger requests are oversize",
     offsetof(pool_params_t, max_class)},
};

#define MAX_CLASSES   80
#define SLABS_PER_MAP 16
#define HDR_BYTES     64u
enum { KIND_SLAB = 0x51AB, KIND_BIG = 0xB16 };

/* At the start of every slab and every oversize mapping. */
typedef struct hdr {
	uint32_t kind;
	uint32_t cls;
	uint32_t slot_bytes;
	uint32_t aligned; /* some slot holds an inner (over-aligned) pointer */
	char *slots;      /* first slot */
	struct hdr *next; /* all slabs / all oversize mappings */
	struct hdr *prev;
	size_t len; /* oversize: bytes mapped */
} hdr_t;

typedef struct {
	void *free; /* intrusive list of free slots */
	char *bump; /* uncarved part of the newest slab of this class */
	char *bump_end;
	uint32_t size;
	uint64_t carved; /* slots ever carved since the last reset */
} cls_t;

typedef struct {
	cls_t cls[MAX_CLASSES];
	uint32_t nclasses;
	uint32_t single; /* slot=N mode */
	size_t slab;
	size_t max_slot;
	hdr_t *slabs;      /* every slab in use by a class */
	hdr_t *free_slabs; /* mapped, not given to a class */
	hdr_t big;         /* circular list of oversize mappings */
	uint64_t nslabs, nfree_slabs, maps, big_blocks, big_bytes, resets;
} pool_t;

static uint32_t class_size(uint32_t i)
{
	uint32_t g, k;
	if (i < 16)
		return (i + 1) * 16;
	g = (i - 16) / 4;
	k = (i - 16) % 4;
	return (256u << g) + (k + 1) * (64u << g);
}

static inline uint32_t class_of(const pool_t *p, size_t size)
{
	unsigned l;
	if (p->single)
		return 0;
	if (size <= 256)
		return size ? (uint32_t)((size + 15) >> 4) - 1 : 0;
	l = 63u - (unsigned)__builtin_clzll(size - 1);
	return 16u + (l - 8u) * 4u + (uint32_t)((size - 1 - (1ULL << l)) >> (l - 2u));
}

static int pool_create(const char *params, void **out, char *err, size_t errlen)
{
	pool_params_t pp;
	pool_t *p;
	if (as_params_parse(pool_spec, 3, params, &pp, err, errlen) != 0)
		return -1;
	if (pp.slab & (pp.slab - 1)) {
		snprintf(err, errlen, "pool: slab (%llu) is not a power of two",
		         (unsigned long long)pp.slab);
		return -1;
	}
	if ((pp.slot ? pp.slot : pp.max_class) > (pp.slab - HDR_BYTES) / 4) {
		snprintf(err, errlen, "pool: %s (%llu) must be at most (slab - 64) / 4 = %llu",
		         pp.slot ? "slot" : "max_class",
		         (unsigned long long)(pp.slot ? pp.slot : pp.max_class),
		         (unsigned long long)((pp.slab - HDR_BYTES) / 4));
		return -1;
	}
	p = mmap(NULL, sizeof(*p), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED) {
		snprintf(err, errlen, "pool: cannot map the instance");
		return -1;
	}
	memset(p, 0, sizeof(*p));
	p->slab = pp.slab;
	if (pp.slot) {
		p->single = 1;
		p->nclasses = 1;
		p->cls[0].size = (uint32_t)((pp.slot + 15) & ~15ULL);
	} else {
		while (p->nclasses < MAX_CLASSES && class_size(p->nclasses) <= pp.max_class) {
			p->cls[p->nclasses].size = class_size(p->nclasses);
			p->nclasses++;
		}
	}
	p->max_slot = p->cls[p->nclasses - 1].size;
	p->big.next = p->big.prev = &p->big;
	*out = p;
	return 0;
}

/* Map SLABS_PER_MAP slab-aligned slabs (one mmap, then the misaligned head
 * and tail are unmapped) onto the free-slab list. */
static int map_slabs(pool_t *p)
{
	size_t len = p->slab * (SLABS_PER_MAP + 1);
	char *m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char *a;
	if (m == MAP_FAILED)
		return -1;
	a = (char *)(((uintptr_t)m + p->slab - 1) & ~(uintptr_t)(p->slab - 1));
	if (a > m)
		munmap(m, (size_t)(a - m));
	if (a + p->slab * SLABS_PER_MAP < m + len)
		munmap(a + p->slab * SLABS_PER_MAP,
		       (size_t)(m + len - (a + p->slab * SLABS_PER_MAP)));
	for (int i = 0; i < SLABS_PER_MAP; i++) {
		hdr_t *h = (hdr_t *)(a + (size_t)i * p->slab);
		h->next = p->free_slabs;
		p->free_slabs = h;
	}
	p->nfree_slabs += SLABS_PER_MAP;
	p->maps++;
	return 0;
}

static void *slot_from_new_slab(pool_t *p, uint32_t ci)
{
	cls_t *c = &p->cls[ci];
	hdr_t *h;
	if (!p->free_slabs && map_slabs(p) != 0)
		return NULL;
	h = p->free_slabs;
	p->free_slabs = h->next;
	p->nfree_slabs--;
	h->kind = KIND_SLAB;
	h->cls = ci;
	h->slot_bytes = c->size;
	h->aligned = 0;
	h->slots = (char *)h + HDR_BYTES;
	h->next = p->slabs;
	p->slabs = h;
	p->nslabs++;
	c->bump = h->slots + c->size;
	c->bump_end = (char *)h + p->slab;
	return h->slots;
}

static void *big_alloc(pool_t *p, size_t size, size_t align)
{
	size_t off = align > HDR_BYTES ? align : HDR_BYTES;
	size_t len = (size + off + p->slab + 4095) & ~(size_t)4095;
	char *m, *a;
	hdr_t *h;
	if (size > SIZE_MAX / 2 || off >= p->slab)
		return NULL;
	m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED)
		return NULL;
	/* slab-aligned start, so free() finds the header like a slab's */
	a = (char *)(((uintptr_t)m + p->slab - 1) & ~(uintptr_t)(p->slab - 1));
	if (a > m)
		munmap(m, (size_t)(a - m));
	len -= (size_t)(a - m);
	h = (hdr_t *)a;
	h->kind = KIND_BIG;
	h->len = len;
	h->next = p->big.next;
	h->prev = &p->big;
	h->next->prev = h;
	p->big.next = h;
	p->big_blocks++;
	p->big_bytes += len;
	return a + off;
}

/* Everything but a hit on the class's free list: bump in the class's slab,
 * a new slab, over-aligned and oversize requests. */
__attribute__((noinline)) static void *alloc_slow(pool_t *p, size_t size, size_t align)
{
	uint32_t ci;
	cls_t *c;
	void *s;
	int inner = align > 16;
	if (size > SIZE_MAX / 2 || align > p->slab / 2)
		return NULL;
	size += size == 0; /* aligned up inside its slot, it must not reach the next */
	if (inner)
		size += align - 16;
	if (size > p->max_slot)
		return big_alloc(p, size - (inner ? align - 16 : 0), align);
	ci = class_of(p, size);
	c = &p->cls[ci];
	s = c->free;
	if (s) {
		c->free = *(void **)s;
	} else if ((size_t)(c->bump_end - c->bump) >= c->size) {
		s = c->bump;
		c->bump += c->size;
		c->carved++;
	} else if (!(s = slot_from_new_slab(p, ci))) {
		return NULL;
	} else {
		c->carved++;
	}
	if (inner) {
		hdr_t *h = (hdr_t *)((uintptr_t)s & ~(uintptr_t)(p->slab - 1));
		h->aligned = 1;
		s = (void *)(((uintptr_t)s + align - 1) & ~(uintptr_t)(align - 1));
	}
	return s;
}

static void *pool_alloc(void *inst, size_t size, size_t align)
{
	pool_t *p = inst;
	if (__builtin_expect(align <= 16 && size <= p->max_slot, 1)) {
		cls_t *c = &p->cls[class_of(p, size)];
		void *s = c->free;
		if (__builtin_expect(s != NULL, 1)) {
			/* no counter here: a read-modify-write shared by alloc and
			 * free would chain them (stats() counts the lists instead) */
			c->free = *(void **)s;
			return s;
		}
	}
	return alloc_slow(p, size, align);
}

__attribute__((noinline)) static void free_slow(pool_t *p, hdr_t *h, void *ptr)
{
	cls_t *c;
	if (h->kind == KIND_BIG) {
		h->prev->next = h->next;
		h->next->prev = h->prev;
		p->big_blocks--;
		p->big_bytes -= h->len;
		munmap(h, h->len);
		return;
	}
	c = &p->cls[h->cls];
	/* an over-aligned pointer may sit inside its slot */
	ptr = h->slots + (size_t)((char *)ptr - h->slots) / h->slot_bytes * h->slot_bytes;
	*(void **)ptr = c->free;
	c->free = ptr;
}

static void pool_free(void *inst, void *ptr, size_t size)
{
	pool_t *p = inst;
	hdr_t *h = (hdr_t *)((uintptr_t)ptr & ~(uintptr_t)(p->slab - 1));
	(void)size; /* the slab header knows the class */
	if (__builtin_expect(h->kind == KIND_SLAB && !h->aligned, 1)) {
		cls_t *c = &p->cls[h->cls];
		*(void **)ptr = c->free;
		c->free = ptr;
		return;
	}
	free_slow(p, h, ptr);
}

static void *pool_realloc(void *inst, void *ptr, size_t old_size, size_t new_size)
{
	pool_t *p = inst;
	hdr_t *h = (hdr_t *)((uintptr_t)ptr & ~(uintptr_t)(p->slab - 1));
	size_t room;
	void *n;
	if (h->kind == KIND_SLAB)
		room = h->slot_bytes - (size_t)((char *)ptr - h->slots) % h->slot_bytes;
	else
		room = h->len - (size_t)((char *)ptr - (char *)h);
	if (new_size <= room && (h->kind == KIND_BIG || new_size > room / 2 || p->single))
		return ptr; /* still fits, and not so small that a smaller class is due */
	n = pool_alloc(inst, new_size, 0);
	if (!n)
		return NULL;
	memcpy(n, ptr, new_size < room ? new_size : room);
	(void)old_size;
	pool_free(inst, ptr, old_size);
	return n;
}

static void unmap_bigs(pool_t *p)
{
	while (p->big.next != &p->big) {
		hdr_t *h = p->big.next;
		p->big.next = h->next;
		munmap(h, h->len);
	}
	p->big.prev = &p->big;
	p->big_blocks = 0;
	p->big_bytes = 0;
}

/* Every slot free at once: slabs go back to the free-slab list (still
 * mapped, for the next phase), oversize mappings are unmapped. */
static int pool_reset(void *inst)
{
	pool_t *p = inst;
	while (p->slabs) {
		hdr_t *h = p->slabs;
		p->slabs = h->next;
		h->next = p->free_slabs;
		p->free_slabs = h;
		p->nfree_slabs++;
	}
	p->nslabs = 0;
	for (uint32_t i = 0; i < p->nclasses; i++) {
		p->cls[i].free = p->cls[i].bump = p->cls[i].bump_end = NULL;
		p->cls[i].carved = 0;
	}
	unmap_bigs(p);
	p->resets++;
	return 0;
}

static void pool_destroy(void *inst)
{
	pool_t *p = inst;
	pool_reset(p);
	while (p->free_slabs) {
		hdr_t *h = p->free_slabs;
		p->free_slabs = h->next;
		munmap(h, p->slab);
	}
	munmap(p, sizeof(*p));
}

static void pool_stats(void *inst, as_stat_fn emit, void *ctx)
{
	pool_t *p = inst;
	uint64_t in_use = 0;
	for (uint32_t i = 0; i < p->nclasses; i++) {
		in_use += p->cls[i].carved;
		for (void *s = p->cls[i].free; s; s = *(void **)s)
			in_use--;
	}
	emit(ctx, "slab_bytes", (double)p->slab);
	emit(ctx, "slabs_in_use", (double)p->nslabs);
	emit(ctx, "slabs_free", (double)p->nfree_slabs);
	emit(ctx, "mapped_bytes", (double)((p->nslabs + p->nfree_slabs) * p->slab + p->big_bytes));
	emit(ctx, "slab_maps", (double)p->maps);
	emit(ctx, "size_classes", (double)p->nclasses);
	emit(ctx, "max_slot_bytes", (double)p->max_slot);
	emit(ctx, "slots_in_use", (double)in_use);
	emit(ctx, "oversize_blocks", (double)p->big_blocks);
	emit(ctx, "oversize_bytes", (double)p->big_bytes);
	emit(ctx, "resets", (double)p->resets);
}

static const as_module_t pool_module = {
    .abi_version = AS_MODULE_ABI_VERSION,
    .struct_size = sizeof(as_module_t),
    .param_spec_size = sizeof(as_param_spec_t),
    .params_version = AS_PARAMS_VERSION,
    .name = "pool",
    .version = "1.0",
    .description = "fixed-size slots from aligned slabs, intrusive free list, no per-object "
                   "header; size classes when slot=0",
    .caps = AS_CAP_FREE | AS_CAP_RESET | AS_CAP_SIZE_UNKNOWN | AS_CAP_ANY_SIZE,
    .nparams = sizeof(pool_spec) / sizeof(pool_spec[0]),
    .params = pool_spec,
    .create = pool_create,
    .destroy = pool_destroy,
    .alloc = pool_alloc,
    .free = pool_free,
    .realloc = pool_realloc,
    .reset = pool_reset,
    .stats = pool_stats,
};

AS_MODULE_EXPORT(pool_module)
