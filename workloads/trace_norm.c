/* trace_norm.c - what every trace reader shares below the formats: the op
 * names, the mmap-backed u64 -> u64 id map, and the id normaliser that turns
 * raw ids (addresses, free-form CSV ids) into dense object numbers and
 * repairs what can be repaired. Not a format: no bytes are read or written
 * here (trace_bin.c, trace_csv.c, trace_mtrace.c do that). */
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include "trace.h"

const char *const as_tev_op_names[AS_TEV_OP_COUNT] = {"alloc", "calloc", "realloc", "free",
                                                      "free_unknown"};

/* ---- u64 map: linear probing over interleaved key/value pairs (one cache
 * line per probe), backward-shift deletion (no tombstones); address keys
 * in a two-level table (trace.h) ---- */
static uint64_t hash64(uint64_t k)
{
	k ^= k >> 33;
	k *= 0xff51afd7ed558ccdULL;
	k ^= k >> 33;
	return k;
}

/* Every key is mixed: keeping neighbouring keys (an allocator's dense
 * addresses, a CSV's consecutive ids) in neighbouring slots made linear
 * probing form runs thousands of slots long, and a capture of 8 M events
 * took 100 s to convert instead of 2. */
static inline uint64_t slot_of(const as_u64map_t *m, uint64_t k)
{
	return hash64(k >> m->shift) & (m->cap - 1);
}

static int hash_put(as_u64map_t *m, uint64_t key, uint64_t val);

static void *map_pages(size_t bytes)
{
	void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	return p == MAP_FAILED ? NULL : p;
}

/* Pages that are all written at once: populated by the mmap, one call
 * instead of a page fault each (a fault costs ~5 us in a VM: 9 % of a
 * python3 capture's conversion was faults in the map's pages). */
static void *map_pages_now(size_t bytes)
{
	void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE,
	               MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	return p == MAP_FAILED ? NULL : p;
}

static int map_grow(as_u64map_t *m)
{
	as_u64map_t n = {0};
	n.shift = m->shift;
	n.cap = m->cap ? m->cap * 2 : 1024;
	n.e = map_pages_now(n.cap * sizeof(*n.e)); /* every entry is set below */
	if (!n.e)
		return -1;
	/* big live sets make every probe a cache and TLB miss: huge pages
	 * take the TLB half away (a hint; fine where refused) */
	if (n.cap * sizeof(*n.e) >= (4u << 20))
		madvise(n.e, n.cap * sizeof(*n.e), MADV_HUGEPAGE);
	for (uint64_t i = 0; i < n.cap; i++)
		n.e[i].val = AS_U64MAP_EMPTY;
	for (uint64_t i = 0; i < m->cap; i++)
		if (m->e[i].val != AS_U64MAP_EMPTY)
			hash_put(&n, m->e[i].key, m->e[i].val);
	if (m->e)
		munmap(m->e, m->cap * sizeof(*m->e));
	m->e = n.e;
	m->cap = n.cap;
	return 0;
}

/* 1 when put added the key, 0 when it replaced a value, -1 out of memory */
static int hash_put(as_u64map_t *m, uint64_t key, uint64_t val)
{
	uint64_t i;
	if ((m->hcount + 1) * 4 > m->cap * 3 && map_grow(m) != 0)
		return -1;
	for (i = slot_of(m, key);; i = (i + 1) & (m->cap - 1)) {
		if (m->e[i].val == AS_U64MAP_EMPTY) {
			m->e[i].key = key;
			m->e[i].val = val;
			m->hcount++;
			return 1;
		}
		if (m->e[i].key == key) {
			m->e[i].val = val;
			return 0;
		}
	}
}

static int hash_get(const as_u64map_t *m, uint64_t key, uint64_t *val)
{
	if (!m->cap)
		return 0;
	for (uint64_t i = slot_of(m, key);; i = (i + 1) & (m->cap - 1)) {
		if (m->e[i].val == AS_U64MAP_EMPTY)
			return 0;
		if (m->e[i].key == key) {
			*val = m->e[i].val;
			return 1;
		}
	}
}

static int hash_del(as_u64map_t *m, uint64_t key, uint64_t *val)
{
	uint64_t i, j, mask = m->cap - 1;
	if (!m->cap)
		return 0;
	for (i = slot_of(m, key);; i = (i + 1) & mask) {
		if (m->e[i].val == AS_U64MAP_EMPTY)
			return 0;
		if (m->e[i].key == key)
			break;
	}
	*val = m->e[i].val;
	/* backward shift: move later entries of the cluster into the hole when
	 * their home slot is not between the hole and them */
	for (j = (i + 1) & mask; m->e[j].val != AS_U64MAP_EMPTY; j = (j + 1) & mask) {
		uint64_t home = slot_of(m, m->e[j].key);
		if (((j - home) & mask) >= ((j - i) & mask)) {
			m->e[i] = m->e[j];
			i = j;
		}
	}
	m->e[i].val = AS_U64MAP_EMPTY;
	m->hcount--;
	return 1;
}

/* ---- the two-level table of address keys ----
 * A region's keys go into its small leaf (SMALL_N of them, one cache line)
 * until it would hold more; then the region gets a leaf (LEAF_N 32-bit
 * entries, 4 KiB) and they move there. leaf_of maps the region's number to
 * LEAF_HAS | leaf index or SMALL_HAS | small leaf index; a small leaf left
 * empty is freed and its region forgotten. */
#define LEAF_BITS 10
#define LEAF_N    (1u << LEAF_BITS)
/* An entry holds value + 1, so that fresh (zero) pages are empty leaves
 * and no leaf is written before a key goes into it. */
#define LEAF_EMPTY    0u
#define LEAF_BIG      UINT32_MAX /* the value is in the hash table */
#define LEAF_CHUNK    512        /* leaves per mapping (2 MiB) */
#define LEAF_POPULATE 16         /* leaves made present at once (64 KiB) */
#define LEAF_HAS      (1ull << 63)
#define SMALL_HAS     (1ull << 62)
#define SMALL_N       6
#define SMALL_CHUNK   8192 /* small leaves per growth step (256 KiB) */

/* A region's first keys in 32 bytes: val[i] as a leaf entry (LEAF_EMPTY:
 * slot i is free), its offset in the region in bits 10i.. of off (of a
 * free small leaf: the index + 1 of the next free one). */
typedef struct as_u64map_small {
	uint32_t val[SMALL_N];
	uint64_t off;
} small_t;

static unsigned small_off(const small_t *sm, unsigned i)
{
	return (unsigned)(sm->off >> (10 * i)) & (LEAF_N - 1);
}

static int leafy(const as_u64map_t *m, uint64_t key)
{
	return m->shift >= 4 && !(key & ((1ull << m->shift) - 1));
}

/* leaf_of's value for region no: LEAF_HAS | index, SMALL_HAS | index, or
 * 0 (no key there), through the cache. */
static uint64_t region_get(const as_u64map_t *cm, uint64_t no)
{
	as_u64map_t *m = (as_u64map_t *)cm; /* the cache only */
	unsigned c = (unsigned)(no % AS_U64MAP_CACHE);
	uint64_t v = 0;
	if (m->cache_no[c] == no)
		return m->cache_val[c];
	if (m->leaf_of)
		hash_get(m->leaf_of, no, &v);
	m->cache_no[c] = no;
	m->cache_val[c] = v;
	return v;
}

/* Set region no's value (0: forget the region). 0, or -1 out of memory. */
static int region_set(as_u64map_t *m, uint64_t no, uint64_t v)
{
	unsigned c = (unsigned)(no % AS_U64MAP_CACHE);
	uint64_t old;
	if (!m->leaf_of && !(m->leaf_of = map_pages(sizeof(*m->leaf_of))))
		return -1;
	if (v ? hash_put(m->leaf_of, no, v) < 0 : (hash_del(m->leaf_of, no, &old), 0))
		return -1;
	if (m->cache_no[c] == no)
		m->cache_val[c] = v;
	return 0;
}

/* A new leaf, all empty. Its index, or -1 out of memory. */
static int64_t leaf_new(as_u64map_t *m)
{
	if (m->nleaf == m->leafcap) {
		uint64_t nc = m->leafcap ? m->leafcap * 2 : LEAF_CHUNK;
		uint32_t **nl = map_pages(nc * sizeof(*nl));
		if (!nl)
			return -1;
		if (m->leaf) {
			memcpy(nl, m->leaf, m->nleaf * sizeof(*nl));
			munmap(m->leaf, m->leafcap * sizeof(*nl));
		}
		m->leaf = nl;
		m->leafcap = nc;
	}
	if (m->nleaf % LEAF_CHUNK == 0) {
		/* leaves come LEAF_CHUNK to a mapping; leaf[i * LEAF_CHUNK] starts one */
		uint32_t *chunk = map_pages((size_t)LEAF_CHUNK * LEAF_N * sizeof(uint32_t));
		if (!chunk)
			return -1;
		for (unsigned i = 0; i < LEAF_CHUNK; i++)
			m->leaf[m->nleaf + i] = chunk + (size_t)i * LEAF_N;
	}
	/* the next LEAF_POPULATE leaves' pages in one call, not a fault each
	 * (a hint: where refused, the faults come as before) */
	if (m->nleaf % LEAF_POPULATE == 0)
		(void)madvise(m->leaf[m->nleaf], (size_t)LEAF_POPULATE * LEAF_N * sizeof(uint32_t),
		              MADV_POPULATE_WRITE);
	return (int64_t)m->nleaf++;
}

/* A new small leaf, all empty (a freed one first). Its index, or -1. */
static int64_t small_new(as_u64map_t *m)
{
	uint64_t i;
	if (m->small_free) {
		i = m->small_free - 1;
		m->small_free = m->small[i].off;
		memset(&m->small[i], 0, sizeof(small_t));
		return (int64_t)i;
	}
	if (m->nsmall == m->smallcap) {
		/* grown in place where it can be: never two copies at once */
		uint64_t nc = m->smallcap + SMALL_CHUNK;
		small_t *ns = m->small ? mremap(m->small, m->smallcap * sizeof(*ns),
		                                nc * sizeof(*ns), MREMAP_MAYMOVE)
		                       : map_pages(nc * sizeof(*ns));
		if (!ns || ns == MAP_FAILED)
			return -1;
		m->small = ns;
		m->smallcap = nc;
	}
	return (int64_t)m->nsmall++;
}

static void small_release(as_u64map_t *m, uint64_t i)
{
	m->small[i].off = m->small_free;
	m->small_free = i + 1;
}

/* The entry for key in region value r (a leaf's or a small leaf's), or
 * NULL when a small leaf does not hold it. */
static uint32_t *entry_of(const as_u64map_t *m, uint64_t r, uint64_t key)
{
	uint64_t o = (key >> m->shift) & (LEAF_N - 1);
	if (r & LEAF_HAS)
		return &m->leaf[r & ~LEAF_HAS][o];
	small_t *sm = &m->small[r & ~SMALL_HAS];
	for (unsigned i = 0; i < SMALL_N; i++)
		if (sm->val[i] != LEAF_EMPTY && small_off(sm, i) == o)
			return &sm->val[i];
	return NULL;
}

/* A place for key's entry in its region, made if need be (a small leaf for
 * a new region; a leaf once the small leaf is full). NULL out of memory. */
static uint32_t *entry_make(as_u64map_t *m, uint64_t key)
{
	uint64_t k = key >> m->shift, no = k >> LEAF_BITS, o = k & (LEAF_N - 1);
	uint64_t r = region_get(m, no);
	uint32_t *e;
	small_t *sm;
	int64_t i;
	if (r && (e = entry_of(m, r, key)))
		return e;
	if (!r) {
		if ((i = small_new(m)) < 0)
			return NULL;
		if (region_set(m, no, SMALL_HAS | (uint64_t)i) != 0) {
			small_release(m, (uint64_t)i);
			return NULL;
		}
		r = SMALL_HAS | (uint64_t)i;
	}
	if (r & SMALL_HAS) {
		sm = &m->small[r & ~SMALL_HAS];
		for (unsigned j = 0; j < SMALL_N; j++)
			if (sm->val[j] == LEAF_EMPTY) { /* the caller fills it */
				sm->off = (sm->off & ~((uint64_t)(LEAF_N - 1) << (10 * j))) |
				          o << (10 * j);
				return &sm->val[j];
			}
		/* full: the region gets a leaf, its keys move there */
		if ((i = leaf_new(m)) < 0)
			return NULL;
		if (region_set(m, no, LEAF_HAS | (uint64_t)i) != 0)
			return NULL; /* the new leaf stays unused */
		for (unsigned j = 0; j < SMALL_N; j++)
			m->leaf[i][small_off(sm, j)] = sm->val[j];
		small_release(m, r & ~SMALL_HAS);
		r = LEAF_HAS | (uint64_t)i;
	}
	return &m->leaf[r & ~LEAF_HAS][o];
}

int as_u64map_put(as_u64map_t *m, uint64_t key, uint64_t val)
{
	uint32_t *e;
	uint64_t old;
	int r;
	if (!leafy(m, key)) {
		if ((r = hash_put(m, key, val)) < 0)
			return -1;
		m->count += (uint64_t)r;
		return 0;
	}
	if (!(e = entry_make(m, key)))
		return -1;
	if (val >= LEAF_BIG - 1) {
		if (hash_put(m, key, val) < 0)
			return -1;
	} else if (*e == LEAF_BIG) {
		hash_del(m, key, &old);
	}
	if (*e == LEAF_EMPTY)
		m->count++;
	*e = val >= LEAF_BIG - 1 ? LEAF_BIG : (uint32_t)val + 1;
	return 0;
}

int as_u64map_get(const as_u64map_t *m, uint64_t key, uint64_t *val)
{
	const uint32_t *e;
	uint64_t r;
	if (!leafy(m, key))
		return hash_get(m, key, val);
	if (!(r = region_get(m, (key >> m->shift) >> LEAF_BITS)) || !(e = entry_of(m, r, key)) ||
	    *e == LEAF_EMPTY)
		return 0;
	if (*e == LEAF_BIG)
		return hash_get(m, key, val);
	*val = *e - 1;
	return 1;
}

int as_u64map_del(as_u64map_t *m, uint64_t key, uint64_t *val)
{
	uint32_t *e;
	uint64_t r, no = (key >> m->shift) >> LEAF_BITS;
	if (!leafy(m, key)) {
		if (!hash_del(m, key, val))
			return 0;
		m->count--;
		return 1;
	}
	if (!(r = region_get(m, no)) || !(e = entry_of(m, r, key)) || *e == LEAF_EMPTY)
		return 0;
	if (*e == LEAF_BIG)
		hash_del(m, key, val);
	else
		*val = *e - 1;
	*e = LEAF_EMPTY;
	m->count--;
	if (r & SMALL_HAS) { /* the slot is free again; an empty small leaf goes */
		small_t *sm = &m->small[r & ~SMALL_HAS];
		unsigned used = 0;
		for (unsigned j = 0; j < SMALL_N; j++)
			used += sm->val[j] != LEAF_EMPTY;
		if (!used && region_set(m, no, 0) == 0)
			small_release(m, r & ~SMALL_HAS);
	}
	return 1;
}

void as_u64map_free(as_u64map_t *m)
{
	unsigned shift = m->shift;
	if (m->e)
		munmap(m->e, m->cap * sizeof(*m->e));
	for (uint64_t i = 0; i < m->nleaf; i += LEAF_CHUNK)
		munmap(m->leaf[i], (size_t)LEAF_CHUNK * LEAF_N * sizeof(uint32_t));
	if (m->leaf)
		munmap(m->leaf, m->leafcap * sizeof(*m->leaf));
	if (m->small)
		munmap(m->small, m->smallcap * sizeof(*m->small));
	if (m->leaf_of) {
		as_u64map_free(m->leaf_of);
		munmap(m->leaf_of, sizeof(*m->leaf_of));
	}
	memset(m, 0, sizeof(*m));
	m->shift = shift;
}

/* ---- normaliser ---- */
void as_trace_norm_init(as_trace_norm_t *n, int repair, as_tev_fn fn, void *ctx)
{
	memset(n, 0, sizeof(*n));
	n->repair = repair;
	n->fn = fn;
	n->ctx = ctx;
}

void as_trace_norm_free(as_trace_norm_t *n)
{
	as_u64map_free(&n->live);
}

int as_trace_norm_unbind(as_trace_norm_t *n, uint64_t raw, uint64_t *obj)
{
	return as_u64map_del(&n->live, raw, obj);
}

int as_trace_norm_bind(as_trace_norm_t *n, uint64_t raw, uint64_t obj)
{
	return as_u64map_put(&n->live, raw, obj);
}

static int nomem(as_trace_err_t *err)
{
	snprintf(err->msg, sizeof(err->msg), "out of memory");
	return -1;
}

int as_trace_norm_event(as_trace_norm_t *n, const as_tev_t *in, uint64_t raw, uint64_t raw_new,
                        as_trace_err_t *err)
{
	as_tev_t ev = *in;
	uint64_t obj;
	int r;

	switch (in->op) {
	case AS_TEV_ALLOC:
	case AS_TEV_CALLOC:
		if (as_u64map_get(&n->live, raw, &obj)) {
			if (!n->repair) {
				snprintf(err->msg, sizeof(err->msg),
				         "id %llu is allocated again while still live",
				         (unsigned long long)raw);
				return -1;
			}
			/* the free was lost or logged late: free the old object now */
			as_tev_t f = *in;
			f.op = AS_TEV_FREE;
			f.obj = obj;
			f.size = 0;
			f.align_log2 = 0;
			n->live_realloc_as_free++;
			if ((r = n->fn(n->ctx, &f, err)) != 0)
				return r;
		}
		ev.obj = n->next_obj++;
		if (as_u64map_put(&n->live, raw, ev.obj) != 0)
			return nomem(err);
		return n->fn(n->ctx, &ev, err);
	case AS_TEV_REALLOC:
		if (!as_u64map_del(&n->live, raw, &obj)) {
			if (!n->repair) {
				snprintf(err->msg, sizeof(err->msg),
				         "realloc of id %llu, which is not live",
				         (unsigned long long)raw);
				return -1;
			}
			n->unknown_realloc++;
			ev.op = AS_TEV_ALLOC;
			return as_trace_norm_event(n, &ev, raw_new, raw_new, err);
		}
		if (as_u64map_get(&n->live, raw_new, &ev.obj)) {
			/* the new address is still live: same repair as for alloc */
			as_tev_t f = *in;
			if (!n->repair) {
				snprintf(err->msg, sizeof(err->msg),
				         "realloc moves onto id %llu, which is still live",
				         (unsigned long long)raw_new);
				return -1;
			}
			f.op = AS_TEV_FREE;
			f.obj = ev.obj;
			f.size = 0;
			n->live_realloc_as_free++;
			if ((r = n->fn(n->ctx, &f, err)) != 0)
				return r;
		}
		ev.obj = obj;
		if (as_u64map_put(&n->live, raw_new, obj) != 0)
			return nomem(err);
		return n->fn(n->ctx, &ev, err);
	case AS_TEV_FREE:
		if (!as_u64map_del(&n->live, raw, &obj)) {
			if (!n->repair) {
				snprintf(
				    err->msg, sizeof(err->msg),
				    "free of id %llu, which is not live (a double free? a block "
				    "from before tracing has an empty id)",
				    (unsigned long long)raw);
				return -1;
			}
			n->unknown_frees++;
			ev.op = AS_TEV_FREE_UNKNOWN;
			ev.obj = 0;
			ev.size = 0;
			return n->fn(n->ctx, &ev, err);
		}
		ev.obj = obj;
		ev.size = 0;
		return n->fn(n->ctx, &ev, err);
	case AS_TEV_FREE_UNKNOWN:
		n->unknown_frees++;
		ev.obj = 0;
		ev.size = 0;
		return n->fn(n->ctx, &ev, err);
	}
	snprintf(err->msg, sizeof(err->msg), "unknown event kind %u", in->op);
	return -1;
}
