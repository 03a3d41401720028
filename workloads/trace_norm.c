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
 * line per probe), backward-shift deletion (no tombstones) ---- */
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

static int map_grow(as_u64map_t *m)
{
	as_u64map_t n = {0};
	n.shift = m->shift;
	n.cap = m->cap ? m->cap * 2 : 1024;
	n.e = mmap(NULL, n.cap * sizeof(*n.e), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
	           -1, 0);
	if (n.e == MAP_FAILED)
		return -1;
	/* big live sets make every probe a cache and TLB miss: huge pages
	 * take the TLB half away (a hint; fine where refused) */
	if (n.cap * sizeof(*n.e) >= (4u << 20))
		madvise(n.e, n.cap * sizeof(*n.e), MADV_HUGEPAGE);
	for (uint64_t i = 0; i < n.cap; i++)
		n.e[i].val = AS_U64MAP_EMPTY;
	for (uint64_t i = 0; i < m->cap; i++)
		if (m->e[i].val != AS_U64MAP_EMPTY)
			as_u64map_put(&n, m->e[i].key, m->e[i].val);
	as_u64map_free(m);
	*m = n;
	return 0;
}

int as_u64map_put(as_u64map_t *m, uint64_t key, uint64_t val)
{
	uint64_t i;
	if ((m->count + 1) * 4 > m->cap * 3 && map_grow(m) != 0)
		return -1;
	for (i = slot_of(m, key);; i = (i + 1) & (m->cap - 1)) {
		if (m->e[i].val == AS_U64MAP_EMPTY) {
			m->e[i].key = key;
			m->e[i].val = val;
			m->count++;
			return 0;
		}
		if (m->e[i].key == key) {
			m->e[i].val = val;
			return 0;
		}
	}
}

int as_u64map_get(const as_u64map_t *m, uint64_t key, uint64_t *val)
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

int as_u64map_del(as_u64map_t *m, uint64_t key, uint64_t *val)
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
	m->count--;
	return 1;
}

void as_u64map_free(as_u64map_t *m)
{
	unsigned shift = m->shift;
	if (m->e)
		munmap(m->e, m->cap * sizeof(*m->e));
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
