/* wl_article.c - the two workloads whose op sequence is the article's
 * experiment itself ("brk, sbrk, mmap: what malloc hides"): "threshold"
 * (blocks of one size around M_MMAP_THRESHOLD, optionally after an mmapped
 * block was freed, which moves glibc's threshold up) and "leak" (free most
 * of the heap while a block at the top stays; optionally trim). The other
 * article scenarios are "synth" presets (see harness/suite.c). One thread. */
#include <stddef.h>
#include <stdio.h>

#include "gen.h"
#include "workload.h"

/* Both workloads' prime=: one block allocated and freed before the rest,
 * as object 0 (the other objects are numbered from 1 then). */
#define PRIME_SPEC(type, field)                                                                   \
	{                                                                                         \
		"prime", AS_PARAM_SIZE, "0", 0, 1ULL << 32, NULL,                                 \
		    "first allocate and free one block of this size (0: no); freeing an mmapped " \
		    "block "                                                                      \
		    "raises glibc's mmap threshold to its size and its trim threshold to twice "  \
		    "that",                                                                       \
		    offsetof(type, field)                                                         \
	}
#define PUSH_PRIME(size)                                       \
	do {                                                   \
		if (size) {                                    \
			AS_PUSH(0, AS_OP_ALLOC, 0, (size), 0); \
			AS_PUSH(0, AS_OP_FREE, 0, 0, 0);       \
		}                                              \
	} while (0)

/* ---- threshold ---- */

typedef struct {
	uint64_t size;
	uint64_t total;
	uint64_t prime;
	int touch;
} threshold_params_t;

static const as_param_spec_t threshold_spec[] = {
    {"size", AS_PARAM_SIZE, "128k", 1, 1ULL << 32, NULL, "size of every block, bytes",
     offsetof(threshold_params_t, size)},
    {"total", AS_PARAM_SIZE, "16m", 1, 1ULL << 36, NULL,
     "bytes allocated in all (blocks = max(1, total / size))", offsetof(threshold_params_t, total)},
    PRIME_SPEC(threshold_params_t, prime),
    AS_TOUCH_SPEC(threshold_params_t, touch, "pages"),
};

/* [prime: alloc+free], alloc N blocks, free all but the newest: it sits at
 * the top of a brk heap (a separate small pin would be served from an older
 * free chunk, below the top). At the end of the timed region the heap's
 * memory is still resident, mmapped blocks (all but one) are gone. */
static int threshold_build(const void *pv, const as_wl_ctx_t *ctx, as_opstream_t *out, char *err,
                           size_t errlen)
{
	const threshold_params_t *p = pv;
	uint64_t n = p->total / p->size ? p->total / p->size : 1;
	uint32_t id = p->prime ? 1 : 0; /* block 0 is the prime's */

	(void)ctx; /* one thread: max_threads = 1, checked before any trial */
	if (n > (1u << 24)) {
		snprintf(err, errlen, "key 'total': %llu blocks is too many (max 2^24)",
		         (unsigned long long)n);
		return -1;
	}
	out->touch = (as_touch_t)p->touch;
	out->needs_free = 1;
	PUSH_PRIME(p->prime);
	for (uint64_t i = 0; i < n; i++)
		AS_PUSH(0, AS_OP_ALLOC, id + i, p->size, 0);
	for (uint64_t i = 0; i + 1 < n; i++)
		AS_PUSH(0, AS_OP_FREE, id + i, 0, 0);
	return 0;
out_nomem:
	snprintf(err, errlen, "out of memory building the op stream");
	return -1;
}

const as_workload_t as_wl_threshold = {
    .name = "threshold",
    .description = "article: blocks of one size around M_MMAP_THRESHOLD, all but the newest "
                   "freed; heap memory stays resident, mmapped memory goes (prime= moves the "
                   "threshold)",
    .params = threshold_spec,
    .nparams = sizeof(threshold_spec) / sizeof(threshold_spec[0]),
    .params_size = sizeof(threshold_params_t),
    .build = threshold_build,
    .max_threads = 1,
};

/* ---- leak ---- */

typedef struct {
	uint64_t size;
	uint64_t total;
	double free_share;
	int keep; /* 0: the newest blocks stay, 1: the oldest */
	int trim;
	uint64_t prime;
	int touch;
} leak_params_t;

static const as_param_spec_t leak_spec[] = {
    {"size", AS_PARAM_SIZE, "1k", 1, 1ULL << 32, NULL, "size of every block, bytes",
     offsetof(leak_params_t, size)},
    {"total", AS_PARAM_SIZE, "64m", 1, 1ULL << 36, NULL, "bytes allocated in all",
     offsetof(leak_params_t, total)},
    {"free", AS_PARAM_DOUBLE, "0.9", 0, 1, NULL,
     "share of the blocks freed, in the order they were allocated; at least one stays",
     offsetof(leak_params_t, free_share)},
    {"keep", AS_PARAM_ENUM, "newest", 0, 0, "newest|oldest",
     "which blocks stay: the newest (one sits at the top of a brk heap and pins it) or the "
     "oldest (the control: nothing is left above the freed ones)",
     offsetof(leak_params_t, keep)},
    {"trim", AS_PARAM_BOOL, "0", 0, 0, NULL,
     "call the module's trim() (malloc_trim) after the frees", offsetof(leak_params_t, trim)},
    PRIME_SPEC(leak_params_t, prime),
    AS_TOUCH_SPEC(leak_params_t, touch, "pages"),
};

static int leak_build(const void *pv, const as_wl_ctx_t *ctx, as_opstream_t *out, char *err,
                      size_t errlen)
{
	const leak_params_t *p = pv;
	uint64_t n = p->total / p->size ? p->total / p->size : 1;
	uint64_t nfree = (uint64_t)((double)n * p->free_share);
	uint64_t id = p->prime ? 1 : 0; /* block 0 is the prime's */

	(void)ctx; /* one thread: max_threads = 1, checked before any trial */
	if (n > (1u << 26)) {
		snprintf(err, errlen, "key 'total': %llu blocks is too many (max 2^26)",
		         (unsigned long long)n);
		return -1;
	}
	out->touch = (as_touch_t)p->touch;
	out->needs_free = 1;
	PUSH_PRIME(p->prime);
	for (uint64_t i = 0; i < n; i++)
		AS_PUSH(0, AS_OP_ALLOC, id + i, p->size, 0);
	if (nfree >= n)
		nfree = n - 1; /* one block always stays: the newest pins the top */
	/* oldest first either way: with keep=oldest the top-most block is
	 * freed last, after the ones below it have merged (freed newest first,
	 * glibc's tcache would keep the top-most seven 1 KiB chunks in use and
	 * pin the top itself) */
	for (uint64_t i = 0; i < nfree; i++)
		AS_PUSH(0, AS_OP_FREE, id + (p->keep ? n - nfree + i : i), 0, 0);
	if (p->trim)
		AS_PUSH(0, AS_OP_TRIM, 0, 0, 0);
	return 0;
out_nomem:
	snprintf(err, errlen, "out of memory building the op stream");
	return -1;
}

const as_workload_t as_wl_leak = {
    .name = "leak",
    .description = "article: the apparent leak - free most blocks while the newest stay on top; "
                   "RSS stays for a brk heap unless trimmed (keep=oldest: the control, "
                   "nothing pins the top)",
    .params = leak_spec,
    .nparams = sizeof(leak_spec) / sizeof(leak_spec[0]),
    .params_size = sizeof(leak_params_t),
    .build = leak_build,
    .max_threads = 1,
};
