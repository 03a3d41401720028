/* engine_mem.c - what the engine maps for a run, outside the module
 * under test and before the baseline, so that none of it is counted as
 * the module's: the slot table (a free of an object reads and writes its
 * slot), the latency histograms and the threads' stacks; and the draining
 * of the objects left in the slots after a run. The op loop is engine.c. */
#define _GNU_SOURCE
#include <string.h>
#include <sys/mman.h>

#include "engine_int.h"
#include "util.h"

as_slot_t *as_eng_slots;
/* Whether a free clears its slot: only where some op reads a dead id's
 * slot, objects outlive the stream (as_engine_drain frees them from the
 * slots that are set), or --validate (as_opstream_clears_slots). Else a
 * freed slot keeps its stale pointer until its id's next alloc: a thread
 * freeing another's object only reads the line it sits on, as a program
 * handing pointers over does, where the clearing write took the line from
 * the allocating thread at every free (docs/measure.md "Two threads: the
 * slot a free cleared"). */
int as_eng_slots_clear = 1;
/* a run without clearing left stale pointers in the slots: a later run of a
 * stream that reads dead slots clears them all first */
static int slots_stale;
static size_t slots_bytes;
static as_hist_t *hists; /* [thread][kind] */
static size_t hists_bytes;
static uint32_t hists_threads;
static void *stacks[AS_MAX_THREADS];
static uint32_t nstacks;

int as_engine_prepare(const as_opstream_t *s)
{
	if (as_eng_slots)
		as_unmap(as_eng_slots, slots_bytes);
	/* the stream's slots, then one spare per thread (a cache line apart)
	 * for the latency calibration's empty ops */
	slots_bytes = ((size_t)s->nslots + SPARE_STRIDE * s->nthreads) * sizeof(as_slot_t);
	as_eng_slots = as_map(slots_bytes);
	slots_stale = 0;
	as_eng_passes_prepare();
	/* thread stacks from the kernel, not from the allocator under test, and
	 * mapped before the baseline so their syscalls are not the module's */
	for (; nstacks + 1 < s->nthreads; nstacks++) {
		void *p = mmap(NULL, STACK_BYTES, PROT_READ | PROT_WRITE,
		               MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_STACK, -1, 0);
		if (p == MAP_FAILED)
			return -1;
		/* fault in the top of the stack (it grows down) now, not in the
		 * timed region where its faults would look like the module's */
		for (size_t off = STACK_BYTES - STACK_PREFAULT_BYTES; off < STACK_BYTES;
		     off += 4096)
			((volatile char *)p)[off] = 0;
		stacks[nstacks] = p;
	}
	return as_eng_slots ? 0 : -1;
}

int as_engine_prepare_latency(uint32_t nthreads)
{
	if (hists)
		as_unmap(hists, hists_bytes);
	hists_bytes = (size_t)nthreads * AS_OP_KIND_COUNT * sizeof(as_hist_t);
	hists = as_map(hists_bytes);
	hists_threads = hists ? nthreads : 0;
	return hists ? 0 : -1;
}

const as_hist_t *as_engine_hist(uint32_t t, unsigned kind)
{
	if (!hists || t >= hists_threads || kind >= AS_OP_KIND_COUNT)
		return NULL;
	return &hists[(size_t)t * AS_OP_KIND_COUNT + kind];
}

void as_engine_mappings(void (*fn)(const void *p, size_t len))
{
	fn(as_eng_slots, slots_bytes);
	if (hists)
		fn(hists, hists_bytes);
	for (uint32_t i = 0; i < nstacks; i++)
		fn(stacks[i], STACK_BYTES);
}

void as_eng_mem_begin(int clear)
{
	as_eng_slots_clear = clear;
	if (clear && slots_stale && as_eng_slots)
		memset(as_eng_slots, 0, slots_bytes);
	slots_stale = !clear;
	if (hists)
		memset(hists, 0, hists_bytes);
}

as_hist_t *as_eng_hists(uint32_t t)
{
	return hists && t < hists_threads ? &hists[(size_t)t * AS_OP_KIND_COUNT] : NULL;
}

void *as_eng_stack(uint32_t i)
{
	return i < nstacks ? stacks[i] : NULL;
}

uint64_t as_engine_drain(const as_opstream_t *s, const as_engine_cfg_t *cfg)
{
	uint64_t n = 0;
	/* the stream freed every object it made: the slots hold stale
	 * pointers, no live one (a run stopped by a failure leaks the rest,
	 * in a worker about to exit) */
	if (!as_eng_slots_clear)
		return 0;
	for (uint32_t i = 0; i < s->nslots; i++) {
		if (as_eng_slots[i].ptr) {
			cfg->mod->free(cfg->inst, as_eng_slots[i].ptr, as_eng_slots[i].size);
			as_eng_slots[i].ptr = NULL;
			n++;
		}
	}
	return n;
}
