/* opstream.h - the op stream: what every workload (synthetic generator or
 * trace reader) produces and what the one engine executes. Objects are named
 * by dense ids so the engine keeps a flat slot table instead of a pointer map.
 * All storage is mapped directly from the kernel (never malloc), so building a
 * stream does not disturb the allocator under test. Not thread-safe while
 * being built; read-only (and shareable between threads) once built. */
#ifndef AS_OPSTREAM_H
#define AS_OPSTREAM_H

#include <stddef.h>
#include <stdint.h>

typedef enum as_op_kind {
	AS_OP_ALLOC = 0, /* slot[id] = alloc(size, align) */
	AS_OP_CALLOC,    /* slot[id] = calloc(size, align), contents must be zero */
	AS_OP_REALLOC,   /* slot[id] = realloc(slot[id], old size, size) */
	AS_OP_FREE,      /* free(slot[id], its size) */
	AS_OP_RESET,     /* phase end: every live object of this thread is gone
	                    (module reset() where supported, else frees) */
	AS_OP_TRIM,      /* module trim() mid-stream (malloc_trim); id, size unused */
	AS_OP_WRITE,     /* write every byte of slot[id] `size` times (false sharing) */
	AS_OP_KIND_COUNT
} as_op_kind_t;

/* Op flags, in the high bits of as_op_t.kind (none defined yet). */
#define AS_OP_KIND_MASK 0x0fu

/* 16 bytes. `size` is the requested size (REALLOC: the new size; RESET: the
 * number of ids starting at `id` whose objects die; WRITE: passes over the
 * object; unused for FREE and TRIM).
 * align_log2 0 means the module's default alignment. */
typedef struct as_op {
	uint8_t kind; /* as_op_kind_t | AS_OPF_* */
	uint8_t align_log2;
	uint16_t pad;
	uint32_t id;
	uint64_t size;
} as_op_t;

/* A cross-thread handover: before its op `at`, a thread waits until thread
 * `thread` has executed `until` of its own ops. */
typedef struct as_wait {
	uint64_t at;
	uint64_t until;
	uint32_t thread;
	uint32_t pad;
} as_wait_t;

/* Per-thread op array, and its side of the cross-thread order: the waits
 * (ascending `at`) and the op counts at which other threads wait for it
 * (posts, ascending), where it must publish its progress. Both empty in a
 * one-thread stream. */
typedef struct as_opthread {
	as_op_t *ops;
	uint64_t nops;
	uint64_t cap; /* capacity in ops (mapped) */
	as_wait_t *waits;
	uint64_t nwaits, wait_cap;
	uint64_t *posts;
	uint64_t nposts, post_cap;
	/* builder: where each of this thread's runs in the global push order
	 * starts (a run: consecutive pushes on this thread) */
	uint64_t *runs;
	uint64_t nruns, run_cap;
	/* this thread's own running count of live requested bytes in push
	 * order, its largest value, and the op count at which it first
	 * reached that value (0: never above 0). The engine takes a series
	 * sample there (thread 0): where the live set peaks, RSS does too,
	 * and a block freed before the next sample point would otherwise
	 * leave the peak to VmHWM, which the kernel updates lazily. */
	int64_t live_bytes, live_peak;
	uint64_t peak_at;
} as_opthread_t;

/* Touch policy: what the program does with fresh memory (RSS depends on it,
 * pages are only given on first touch). */
typedef enum as_touch {
	AS_TOUCH_NONE = 0,
	AS_TOUCH_FIRST, /* write the first byte */
	AS_TOUCH_PAGES, /* write one byte in every 4 KiB page the block spans */
	AS_TOUCH_ALL,   /* write every byte (memset) */
} as_touch_t;

#define AS_MAX_THREADS 256

typedef struct as_opstream {
	uint32_t nthreads;
	uint32_t nslots;       /* ids are < nslots */
	as_touch_t touch;      /* engine touch policy for this stream */
	uint32_t needs_free;   /* 1 if the workload relies on frees to stay bounded */
	uint32_t cross_thread; /* 1 if any thread has a wait */
	/* 1 if an op reads the slot of an object that is not live: a free,
	 * realloc or write of a dead id, or a reset (it frees whatever of its
	 * range is live). Only then, or when the stream does not end empty,
	 * does the engine clear a slot when its object is freed
	 * (as_opstream_reads_dead). */
	uint32_t reads_dead;
	/* A trace knows its live requested bytes; -1 when unknown. The peak in
	 * the recorded global order (the program's own, what the row reports
	 * as live_bytes_peak), the largest peak of each stream thread's own
	 * running count in recorded order (what the engine's per-thread count
	 * must reproduce: the same as the first for one thread), and the live
	 * bytes at the end (the same whatever the interleaving). */
	int64_t expect_live_bytes_peak;
	int64_t expect_thread_live_bytes_peak;
	int64_t expect_live_bytes_end;
	as_opthread_t thread[AS_MAX_THREADS];
	/* builder state: per id, the thread + 1 of its last op and that
	 * thread's run holding it; the thread of the last push + 1; per pair
	 * (t, u), how many of u's ops t has already waited for */
	uint16_t *id_thread;
	uint64_t *id_run;
	uint64_t id_cap;
	uint32_t last_thread;
	uint64_t *known; /* [t * nthreads + u] */
	/* per id: 1 while its object is live (every stream); how many are */
	uint8_t *id_live;
	uint64_t live_cap;
	uint64_t live_objects;
	/* per id: its live object's requested size (for each thread's
	 * live_bytes and peak_at), unless own_live_bytes: a builder that
	 * counts them itself (the trace reader, whose set-up this random
	 * access per op doubled) sets it and each thread's peak_at */
	uint64_t *id_size;
	uint64_t size_cap;
	uint32_t own_live_bytes;
} as_opstream_t;

/* Initialise an empty stream with `nthreads` (1..AS_MAX_THREADS) threads.
 * Returns 0, or -1 with errno set. */
int as_opstream_init(as_opstream_t *s, uint32_t nthreads);

/* Append one op to thread `t` in global program order, growing its mapping
 * as needed (amortised O(1)); keeps nslots > id. When the previous op on this
 * id was pushed for another thread u, thread t waits (as_wait_t) until u has
 * run the whole run of consecutive pushes that op belongs to, unless an
 * earlier wait of t already covers it: a producer's batch is handed over
 * once, not object by object, and the recorded order is kept. Waiting only
 * for ops pushed before cannot deadlock. Returns 0, or -1 when the kernel
 * refuses memory (errno set). */
int as_opstream_push(as_opstream_t *s, uint32_t t, as_op_kind_t kind, uint32_t id, uint64_t size,
                     uint32_t align_log2);

/* Map room for `nops` ops on thread t now, in one mapping of that size
 * (not the doubling of as_opstream_push), reserved without commitment
 * (MAP_NORESERVE: a generous bound costs address space, not memory; only
 * pages written are held). A builder that knows a bound on its op count
 * gets an array that pushes below the bound never move (wl_trace.c fills
 * it ahead from another thread). No-op when the capacity is already there.
 * Returns 0, or -1 with errno set. */
int as_opstream_reserve(as_opstream_t *s, uint32_t t, uint64_t nops);

/* Lower-case name of an op kind ("alloc", "trim"...), "?" when out of range:
 * the one spelling used in CSV files and traces. */
const char *as_op_kind_name(unsigned kind);

/* 1 when every object the stream allocates is freed by its end (in the
 * recorded order): the stream can run again on the same slot table, as
 * --min-time repeats it. */
int as_opstream_ends_empty(const as_opstream_t *s);

/* 1 when the engine must clear a freed object's slot: some op reads the
 * slot of a dead id (s->reads_dead), or objects are still live at the end
 * (the engine frees them from the slots that are set). Otherwise every op
 * that reads a slot finds the pointer its id's last alloc wrote there, and
 * a free leaves the slot as it is: the line holding it stays with the
 * thread that allocated, rather than moving to the freeing thread with a
 * write that no program makes (docs/measure.md "Two threads: the slot a
 * free cleared"). */
int as_opstream_clears_slots(const as_opstream_t *s);

/* Total ops over all threads. */
uint64_t as_opstream_total(const as_opstream_t *s);

/* Fault in every page of the op arrays now, so that the timed region does
 * not take page faults on the stream itself. */
void as_opstream_prefault(as_opstream_t *s);

/* Report every mapping the stream holds (op arrays, waits, builder state)
 * to fn, so measurements can exclude them. */
void as_opstream_mappings(const as_opstream_t *s, void (*fn)(const void *p, size_t len));

/* Write a built stream as one record into fd, an empty file (a memfd), so
 * that a stream built once can be run by many processes: its ops, waits,
 * posts and the fields the engine and the worker read, no builder state.
 * The header goes last, so a writer stopped half-way leaves no record
 * (as_opstream_record_ok). Returns 0, or -1 with errno set. */
int as_opstream_write(const as_opstream_t *s, int fd);

/* 1 when fd holds a whole record of as_opstream_write, else 0. */
int as_opstream_record_ok(int fd);

/* Load a record of as_opstream_write from fd into s (replacing whatever s
 * held): the op, wait and post arrays copied into private mappings of the
 * sizes and advice a build gives them, so the engine reads the same kind
 * of memory; no builder state. The stream is the one written, op for op.
 * Returns 0, or -1 with errno set (EINVAL: no whole record). */
int as_opstream_load(as_opstream_t *s, int fd);

/* Unmap everything; the stream is empty afterwards. */
void as_opstream_free(as_opstream_t *s);

#endif /* AS_OPSTREAM_H */
