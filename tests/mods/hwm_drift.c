/* hwm_drift.c - a test-only module that does nothing in the timed region
 * (null's way: blocks from one pre-faulted buffer, reused round-robin) but
 * leaves the process's RSS counter off by 31 pages before it, as a worker's
 * own set-up can by chance: since Linux 6.2 a process's RSS is a per-CPU
 * counter; /proc/self/statm and VmRSS add the CPUs' pending counts up, but
 * the peak's reset (/proc/self/clear_refs "5") sets VmHWM from the global
 * part alone. create() faults 64 pages in on the last allowed CPU (two
 * folds of the 32-page batch into the global count), unmaps 31 of them
 * there (a pending -31 on that CPU, under the batch), and moves to the
 * first allowed CPU, where the trial runs (--pin compact): the reset at
 * the baseline then puts VmHWM 124 KiB above the RSS. A worker that takes
 * VmHWM as a peak reports that growth for a module that grew nothing
 * (test_rss_repeat). With one allowed CPU it is null.
 * mmap=SIZE: a block of SIZE bytes or more is a mapping of its own,
 * unmapped at free, so the trial's RSS grows and its unmaps raise VmHWM
 * from the counter the drift left off (a peak pages above the samples). */
#define _GNU_SOURCE
#include <sched.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "allocscope_module.h"

#define BUF    (8u << 20)
#define FAULTS 64
#define UNMAP  31

typedef struct {
	uint64_t mmap;
} hd_params_t;

static const as_param_spec_t hd_spec[] = {
    {"mmap", AS_PARAM_SIZE, "0", 0, 1ULL << 32, NULL,
     "a block of this many bytes or more is its own mapping, unmapped at free (0: never)",
     offsetof(hd_params_t, mmap)},
};

typedef struct {
	char *base;
	size_t next;
	char *left;    /* drift()'s mapping, what is left of it */
	uint64_t mmap; /* the mmap parameter */
} hd_t;

static int on_cpu(int c)
{
	cpu_set_t s;
	CPU_ZERO(&s);
	CPU_SET(c, &s);
	return sched_setaffinity(0, sizeof(s), &s);
}

/* Fault FAULTS pages in on the last allowed CPU, unmap UNMAP of them
 * there, then stay on the first. Returns the pages left mapped, or NULL. */
static char *drift(void)
{
	cpu_set_t s;
	long pg = sysconf(_SC_PAGESIZE);
	int first = -1, last = -1;
	char *m, *p;
	if (sched_getaffinity(0, sizeof(s), &s) != 0)
		return NULL;
	for (int c = 0; c < CPU_SETSIZE; c++)
		if (CPU_ISSET(c, &s)) {
			first = first < 0 ? c : first;
			last = c;
		}
	if (first == last || on_cpu(last) != 0)
		return NULL;
	/* one page table (2 MiB-aligned), so that each munmap below is one
	 * update of the counter: the first, of FAULTS pages, over the batch,
	 * folds whatever was pending on this CPU; the second leaves -UNMAP */
	m = mmap(NULL, 4u << 20, PROT_READ | PROT_WRITE,
	         MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (m == MAP_FAILED) {
		on_cpu(first);
		return NULL;
	}
	p = (char *)(((uintptr_t)m + (2u << 20) - 1) & ~(uintptr_t)((2u << 20) - 1));
	madvise(p, 2u << 20, MADV_NOHUGEPAGE);
	for (int i = 0; i < FAULTS + UNMAP; i++)
		((volatile char *)p)[(size_t)i * (size_t)pg] = 1;
	munmap(p, (size_t)(FAULTS * pg));
	munmap(p + (size_t)FAULTS * (size_t)pg, (size_t)(UNMAP * pg));
	on_cpu(first);
	return m;
}

static int hd_create(const char *params, void **out, char *err, size_t errlen)
{
	hd_t *h;
	hd_params_t p;
	if (as_params_parse(hd_spec, 1, params, &p, err, errlen) != 0)
		return -1;
	h = mmap(NULL, sizeof(*h) + 64 + BUF, PROT_READ | PROT_WRITE,
	         MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (h == MAP_FAILED) {
		strncpy(err, "cannot map the buffer", errlen);
		return -1;
	}
	h->base = (char *)h + 64;
	h->next = 0;
	h->mmap = p.mmap;
	h->left = drift();
	*out = h;
	return 0;
}

static void hd_destroy(void *inst)
{
	hd_t *h = inst;
	if (h->left)
		munmap(h->left, 4u << 20); /* what is left of it */
	munmap(h, sizeof(*h) + 64 + BUF);
}

static void *hd_alloc(void *inst, size_t size, size_t align)
{
	hd_t *h = inst;
	size_t a = align > 16 ? align : 16;
	size_t at = (h->next + a - 1) & ~(a - 1);
	if (h->mmap && size >= h->mmap && a <= 4096) {
		void *m =
		    mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		return m == MAP_FAILED ? NULL : m;
	}
	if (size > BUF)
		return NULL;
	if (at + size > BUF)
		at = 0;
	h->next = at + (size ? size : 1);
	return h->base + at;
}

static void hd_free(void *inst, void *ptr, size_t size)
{
	hd_t *h = inst;
	if (h->mmap && size >= h->mmap && ptr &&
	    ((char *)ptr < h->base || (char *)ptr >= h->base + BUF))
		munmap(ptr, size);
}

static const as_module_t hd_module = {
    .abi_version = AS_MODULE_ABI_VERSION,
    .struct_size = sizeof(as_module_t),
    .param_spec_size = sizeof(as_param_spec_t),
    .params_version = AS_PARAMS_VERSION,
    .name = "hwm_drift",
    .version = "1",
    .description = "test-only: null's buffer, RSS counter left 31 pages off before the trial",
    .caps = AS_CAP_ANY_SIZE | AS_CAP_RECYCLES_LIVE,
    .nparams = 1,
    .params = hd_spec,
    .create = hd_create,
    .destroy = hd_destroy,
    .alloc = hd_alloc,
    .free = hd_free,
};

AS_MODULE_EXPORT(hd_module)
