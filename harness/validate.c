/* validate.c - see validate.h. A treap (random priorities from a fixed
 * xorshift, so runs are repeatable) keyed by block start; nodes live in one
 * mapped array indexed by id, with index 0 reserved as "none" (ids are
 * stored +1). */
#define _GNU_SOURCE
#include "validate.h"

#include <pthread.h>

#include "util.h"

typedef struct {
	uintptr_t start, end; /* [start, end) */
	uint32_t left, right, prio;
	uint32_t live;
} node_t;

static node_t *nodes;
static uint32_t nnodes, root;
static size_t nodes_bytes;
static uint32_t rng = 2463534242u;
static pthread_spinlock_t lock;

int as_validate_init(uint32_t nslots)
{
	if (nodes)
		as_unmap(nodes, nodes_bytes);
	nnodes = nslots + 1;
	nodes_bytes = (size_t)nnodes * sizeof(node_t);
	nodes = as_map(nodes_bytes);
	root = 0;
	pthread_spin_init(&lock, PTHREAD_PROCESS_PRIVATE);
	return nodes ? 0 : -1;
}

static void split(uint32_t t, uintptr_t key, uint32_t *l, uint32_t *r)
{
	/* l: starts < key, r: starts >= key */
	if (!t) {
		*l = *r = 0;
		return;
	}
	if (nodes[t].start < key) {
		split(nodes[t].right, key, &nodes[t].right, r);
		*l = t;
	} else {
		split(nodes[t].left, key, l, &nodes[t].left);
		*r = t;
	}
}

static uint32_t merge(uint32_t l, uint32_t r)
{
	if (!l || !r)
		return l ? l : r;
	if (nodes[l].prio > nodes[r].prio) {
		nodes[l].right = merge(nodes[l].right, r);
		return l;
	}
	nodes[r].left = merge(l, nodes[r].left);
	return r;
}

/* Node with the largest start < key, or 0. */
static uint32_t pred(uintptr_t key)
{
	uint32_t t = root, best = 0;
	while (t) {
		if (nodes[t].start < key) {
			best = t;
			t = nodes[t].right;
		} else {
			t = nodes[t].left;
		}
	}
	return best;
}

/* Node with the smallest start >= key, or 0. */
static uint32_t succ(uintptr_t key)
{
	uint32_t t = root, best = 0;
	while (t) {
		if (nodes[t].start >= key) {
			best = t;
			t = nodes[t].left;
		} else {
			t = nodes[t].right;
		}
	}
	return best;
}

static void remove_locked(uint32_t n)
{
	uint32_t l, m, r;
	if (!nodes[n].live)
		return;
	split(root, nodes[n].start, &l, &m);
	split(m, nodes[n].start + 1, &m, &r);
	/* m holds the single node with this start (starts are unique) */
	root = merge(l, r);
	nodes[n].live = 0;
	nodes[n].left = nodes[n].right = 0;
}

int as_validate_insert(uint32_t id, const void *p, uint64_t size, uint32_t *other)
{
	const void *op;
	uint64_t osize;
	return as_validate_insert_other(id, p, size, other, &op, &osize);
}

int as_validate_insert_other(uint32_t id, const void *p, uint64_t size, uint32_t *other,
                             const void **other_p, uint64_t *other_size)
{
	uint32_t n = id + 1, l, r, q;
	uintptr_t s = (uintptr_t)p, e = s + (size ? size : 1);
	int rc = 0;

	if (n >= nnodes)
		return -1;
	pthread_spin_lock(&lock);
	remove_locked(n);
	q = pred(s + 1); /* a block starting at or before s */
	if (!(q && nodes[q].end > s))
		q = succ(s);
	if (q && (nodes[q].start < e && nodes[q].end > s)) {
		*other = q - 1;
		*other_p = (const void *)nodes[q].start;
		*other_size = nodes[q].end - nodes[q].start;
		rc = -1;
		goto out;
	}
	rng ^= rng << 13;
	rng ^= rng >> 17;
	rng ^= rng << 5;
	nodes[n] = (node_t){s, e, 0, 0, rng, 1};
	split(root, s, &l, &r);
	root = merge(merge(l, n), r);
out:
	pthread_spin_unlock(&lock);
	return rc;
}

void as_validate_remove(uint32_t id)
{
	uint32_t n = id + 1;
	if (n >= nnodes)
		return;
	pthread_spin_lock(&lock);
	remove_locked(n);
	pthread_spin_unlock(&lock);
}
