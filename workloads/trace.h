/* trace.h - allocation traces: the event record every reader produces and
 * every writer takes, and the public face of the trace files: the id map and
 * id normaliser that turn addresses or free-form ids into object numbers
 * (trace_norm.c), the native binary format (trace_bin.c), the CSV form
 * (trace_csv.c), reading either from a file and the writer (trace_file.c),
 * the glibc mtrace importer (trace_mtrace.c) and the request-size histogram
 * (trace_hist.c). Every parser takes (buffer, length) and reports errors with
 * a position (byte offset or line number); none aborts or prints. Not
 * thread-safe per object; separate readers may run in parallel. Memory comes
 * from mmap, never malloc, so reading a trace in a worker leaves the
 * allocator under test alone. */
#ifndef AS_TRACE_H
#define AS_TRACE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Event kinds. An object is named by its object number: 0, 1, 2, ... in the
 * order of allocation (canonical form). REALLOC keeps the object's number.
 * FREE_UNKNOWN is a free of an object the trace never saw allocated (it was
 * allocated before tracing began): kept so it can be counted, a no-op on
 * replay; its obj is meaningless (0). */
typedef enum as_tev_op {
	AS_TEV_ALLOC = 0,
	AS_TEV_CALLOC = 1,
	AS_TEV_REALLOC = 2,
	AS_TEV_FREE = 3,
	AS_TEV_FREE_UNKNOWN = 4,
	AS_TEV_OP_COUNT
} as_tev_op_t;

typedef struct as_tev {
	uint8_t op;         /* as_tev_op_t */
	uint8_t align_log2; /* 0 = default alignment */
	uint16_t thread;    /* dense thread index, 0..AS_TRACE_MAX_THREADS-1 */
	uint32_t pad;
	uint64_t obj;     /* object number */
	uint64_t size;    /* requested bytes (ALLOC, CALLOC, REALLOC) */
	uint64_t time_ns; /* since the trace began */
} as_tev_t;

#define AS_TRACE_MAX_THREADS 256
/* Largest request a trace may hold: what malloc can ever give (PTRDIFF_MAX);
 * every reader refuses larger sizes. */
#define AS_TRACE_MAX_SIZE ((uint64_t)INT64_MAX)

/* Where and why a parse failed: "byte 123: ..." or "line 7: ...". */
typedef struct as_trace_err {
	uint64_t pos;
	int is_line; /* pos is a 1-based line number, else a byte offset */
	char msg[240];
} as_trace_err_t;

/* Format "line N: msg" / "byte N: msg" into out. */
void as_trace_err_format(const as_trace_err_t *e, char *out, size_t len);

/* Receives each event in trace order. Return 0 to go on, non-zero to stop
 * (the reader then returns that value, with err->msg filled by the callee
 * if it wants a message). */
typedef int (*as_tev_fn)(void *ctx, const as_tev_t *ev, as_trace_err_t *err);

typedef enum as_trace_fmt { AS_TRACE_BIN = 0, AS_TRACE_CSV = 1 } as_trace_fmt_t;

/* ---- a small u64 -> u64 map in kernel-mapped memory --------------------- */
/* Keys in general: a hash table (linear probing). Address keys (shift >= 4,
 * keys aligned to it): a two-level table instead, found through a small
 * hash of the region's number (a region: 2^(shift+10) bytes of address
 * space), so that keys near each other (what an allocator hands out) are
 * near each other in memory: a region's first few keys share one 32-byte
 * small leaf, and only a region with more keys than that gets a leaf of
 * 32-bit values for all 1024 of its addresses (so that sparse big blocks
 * cost ~20-40 bytes a key, not a 4 KiB leaf per two keys); values that do not
 * fit 32 bits and unaligned keys go to the hash table. */
#define AS_U64MAP_CACHE 64 /* regions whose place is remembered */
typedef struct as_u64map {
	struct {
		uint64_t key;
		uint64_t val; /* AS_U64MAP_EMPTY marks a free slot */
	} * e;
	uint64_t cap; /* power of two */
	uint64_t count;
	unsigned shift; /* keys are addresses aligned to 2^shift (4 for malloc
	                   pointers), 0 for dense ids; set before the first put */
	/* private: the hash table's own count, and the two-level table */
	uint64_t hcount;
	struct as_u64map *leaf_of; /* region number -> its leaf or small leaf */
	uint32_t **leaf;
	uint64_t nleaf, leafcap;
	struct as_u64map_small *small;         /* small leaves, by index */
	uint64_t nsmall, smallcap, small_free; /* small_free: index + 1 of a free one */
	/* region number -> leaf_of's value, for the last regions looked up
	 * (always equal to leaf_of's: all-zero = region 0 has nothing) */
	uint64_t cache_no[AS_U64MAP_CACHE], cache_val[AS_U64MAP_CACHE];
} as_u64map_t;
#define AS_U64MAP_EMPTY UINT64_MAX

/* All return 0 / -1 (no memory). get/del return 1 when found, 0 when not. */
int as_u64map_put(as_u64map_t *m, uint64_t key, uint64_t val);
int as_u64map_get(const as_u64map_t *m, uint64_t key, uint64_t *val);
int as_u64map_del(as_u64map_t *m, uint64_t key, uint64_t *val);
void as_u64map_free(as_u64map_t *m);

/* ---- exact request-size histogram (trace_hist.c) ---------------------- */
/* How often each size is requested by ALLOC, CALLOC and REALLOC events (FREE
 * events are not requests). Zero-initialise before the first add; memory is
 * mapped, never malloc'd. */
typedef struct as_size_hist {
	as_u64map_t index;    /* size -> slot in the arrays below */
	uint64_t *size_bytes; /* distinct requested sizes, in order of first request */
	uint64_t *count;      /* requests of size_bytes[i] */
	uint64_t n, cap;      /* distinct sizes, array capacity */
	uint64_t requests;    /* events counted: the sum of count[] */
} as_size_hist_t;

/* Count ev if it is a request (other events are ignored). 0, or -1 when out
 * of memory (the histogram is unchanged). */
int as_size_hist_add(as_size_hist_t *h, const as_tev_t *ev);
/* An as_tev_fn over the as_size_hist_t passed as ctx ("out of memory" in err). */
int as_size_hist_fn(void *ctx, const as_tev_t *ev, as_trace_err_t *err);
/* Release the memory; h is empty again afterwards. */
void as_size_hist_free(as_size_hist_t *h);

/* ---- id normaliser: raw ids (addresses, free-form CSV ids) -> objects --- */
typedef struct as_trace_norm {
	as_u64map_t live; /* raw id -> object number */
	uint64_t next_obj;
	int repair; /* 1: repair what can be repaired (mtrace, capture); 0: error */
	/* counters of what was repaired (repair mode) */
	uint64_t live_realloc_as_free; /* alloc at a live raw id: old object freed first */
	uint64_t unknown_realloc;      /* realloc of an unknown raw id: made an alloc */
	uint64_t unknown_frees;        /* free of an unknown raw id: FREE_UNKNOWN */
	as_tev_fn fn;
	void *ctx;
} as_trace_norm_t;

void as_trace_norm_init(as_trace_norm_t *n, int repair, as_tev_fn fn, void *ctx);
void as_trace_norm_free(as_trace_norm_t *n);
/* Emit canonical events for one raw event. For REALLOC, raw_new is the id the
 * object has afterwards (== raw for id-based formats). ev->obj is ignored.
 * Returns 0, the callback's non-zero value, or -1 with err->msg set (strict
 * mode: alloc of a live id; no memory). */
int as_trace_norm_event(as_trace_norm_t *n, const as_tev_t *ev, uint64_t raw, uint64_t raw_new,
                        as_trace_err_t *err);
/* Lower-level steps for two-phase records (capture's realloc): unbind a raw
 * id (returns 1 and the object, 0 when unknown), bind one to an object. */
int as_trace_norm_unbind(as_trace_norm_t *n, uint64_t raw, uint64_t *obj);
int as_trace_norm_bind(as_trace_norm_t *n, uint64_t raw, uint64_t obj);

/* ---- native binary (docs/trace-format.md) ------------------------------ */
#define AS_TRACE_MAGIC \
	"\x89"         \
	"ASTRACE"
#define AS_TRACE_MAGIC_LEN 8
#define AS_TRACE_VERSION   2u     /* 2: records in checksummed blocks; 1 is still read */
#define AS_TRACE_BLOCK     16384u /* most payload bytes in one block */

/* CRC-32C (Castagnoli) of n bytes, continuing crc (0 to start). */
uint32_t as_crc32c(uint32_t crc, const void *buf, size_t n);

/* Decode a whole binary trace. Checks magic, version, every block's length
 * and checksum (version 2), every record, that objects are referenced only
 * while live, and the end record (event count).
 * Returns 0, the callback's non-zero value, or -1 with err (byte offset). */
int as_trace_bin_read(const void *buf, size_t len, as_tev_fn fn, void *ctx, as_trace_err_t *err);

/* ---- CSV: header "op,thread,id,size_bytes,align_bytes,time_ns" ---------- */
/* Parse with libcsv. ids are free-form unsigned integers naming objects (an
 * empty id on a free = unknown object); they are normalised (strict), so the
 * callback sees canonical object numbers. Returns 0, the callback's value,
 * or -1 with err (line number). */
int as_trace_csv_read(const void *buf, size_t len, as_tev_fn fn, void *ctx, as_trace_err_t *err);

/* ---- glibc mtrace import ---------------------------------------------- */
#define AS_MTRACE_TORN_LISTED 8 /* torn lines whose numbers are kept */
typedef struct as_mtrace_report {
	uint64_t lines;
	uint64_t events;     /* canonical events produced */
	uint64_t torn_lines; /* lines that are no record (cut by a kill, or torn and
	                        interleaved by several processes writing one log):
	                        skipped */
	uint64_t torn_first[AS_MTRACE_TORN_LISTED]; /* their line numbers, the first few */
	uint64_t torn_inside;          /* those of them that end with a newline: not a kill's
	                                  cut last line but lines another process's writes
	                                  cut into (several processes wrote the log) */
	uint64_t torn_inside_first;    /* the first of those (line number), 0: none */
	char torn_inside_why[128];     /* why that line is no record ("bad pointer after
	                                  '-'", a size larger than the address space) */
	uint64_t torn_nul_first;       /* the first of those holding a NUL byte, 0: none: a
	                                  hole, the log truncated (opened again) while a
	                                  process wrote it further on */
	uint64_t unknown_frees;        /* "- p" of a p never seen allocated (allocated before
	                                  tracing began): kept as FREE_UNKNOWN */
	uint64_t double_frees;         /* "- p" of a p freed before and not allocated since
	                                  (a double free of a block from before tracing
	                                  cannot be told from a single free: it counts in
	                                  unknown_frees): kept as FREE_UNKNOWN */
	uint64_t live_realloc_as_free; /* "+ p" at a p still live (lines out of order): the
	                                  old object is freed first */
	uint64_t unknown_realloc;      /* "< p" of an unknown p: the new block becomes an alloc */
	uint64_t failed_alloc;         /* "+ (nil) size": a failed malloc, calloc or memalign
	                                  (glibc logs it so): nothing allocated, dropped */
	uint64_t failed_realloc;       /* "!" lines: nothing changed, dropped */
	uint64_t unpaired_realloc;     /* "<" without its ">" (or the reverse): dropped or
	                                  made an alloc */
	uint64_t late_frees;           /* "- p" owed by such an out-of-order allocation at p:
	                                  dropped (the old object was already freed) */
	uint64_t null_frees;           /* "- (nil)": dropped */
	uint64_t markers;              /* "= Start", "= End" and empty lines: dropped */
	uint64_t dropped_lines;        /* every line that yields no event, the above included */
	uint64_t records;              /* lines that are an mtrace record or marker ("= Start"):
	                                  0 in a file that is no mtrace log (binary data) */
} as_mtrace_report_t;

/* Read a MALLOC_TRACE log. Thread: all events on thread 0 (mtrace has no
 * thread ids); time: the line number (mtrace has no clock). A line that is no
 * record (a last line without its newline is one: glibc ends every record
 * with one) is torn: skipped and counted (strict = 0), or an error with its
 * line number (strict = 1). Returns 0, the callback's value, or -1 with err
 * (line number). */
int as_trace_mtrace_read(const void *buf, size_t len, int strict, as_tev_fn fn, void *ctx,
                         as_mtrace_report_t *rep, as_trace_err_t *err);

/* ---- files ------------------------------------------------------------- */
/* Map a whole file read-only; a zstd-compressed file (told by its magic) is
 * decompressed into mapped memory instead (libzstd: every frame, its
 * checksums checked). Returns 0, or -1 with "PATH: reason" in err (a damaged
 * or cut compressed file: "PATH: zstd-compressed, ..."). */
int as_trace_map_file(const char *path, const void **buf, size_t *len, char *err, size_t errlen);
void as_trace_unmap_file(const void *buf, size_t len);

/* A compressed file allocscope does not read (gzip, xz, bzip2, lz4, told by
 * its magic bytes; zstd is read by as_trace_map_file) is no trace: returns 1 with "PATH:
 * NAME-compressed ...; decompress it first: TOOL PATH" in msg, else 0. */
int as_trace_compressed(const char *path, const void *buf, size_t len, char *msg, size_t msglen);

/* Read a trace file of either format (binary by its magic, else CSV). On
 * error, msg is "PATH: line/byte N: reason". */
int as_trace_read_file(const char *path, as_tev_fn fn, void *ctx, as_trace_fmt_t *fmt, char *msg,
                       size_t msglen);

/* as_trace_read_file with flags. AS_TRACE_READ_LIVE_UNCHECKED: a binary
 * trace's frees and reallocs are not checked against the objects live (a
 * bitmap, one random access per free: most of the reader's time on a
 * large trace); every other check stays, and a named object is still one
 * allocated before. For a consumer that tracks liveness itself and
 * refuses a dead object (the trace workload's build, after the CLI's
 * check read the file with every check). CSV traces are checked as
 * always. */
#define AS_TRACE_READ_LIVE_UNCHECKED 1u
int as_trace_read_file_flags(const char *path, as_tev_fn fn, void *ctx, as_trace_fmt_t *fmt,
                             unsigned flags, char *msg, size_t msglen);

/* ---- writer (either format) -------------------------------------------- */
typedef struct as_trace_writer {
	FILE *f;
	as_trace_fmt_t fmt;
	uint64_t n;         /* events written */
	uint64_t next_obj;  /* canonical check: the next ALLOC must be this */
	uint64_t last_time; /* previous event's time_ns */
	uint32_t last_thread;
	int io_error;
	int io_errno;                      /* errno of the first write error */
	uint32_t block_n;                  /* binary: payload bytes in block */
	uint8_t block[8 + AS_TRACE_BLOCK]; /* binary: length, CRC, payload */
} as_trace_writer_t;

/* Start a trace on f (header). Returns 0 or -1 (write error). */
int as_trace_writer_open(as_trace_writer_t *w, FILE *f, as_trace_fmt_t fmt);
/* Append one canonical event (allocs numbered 0,1,2,..., time never going
 * back). Returns 0, or -1 with a reason in err (not canonical, write error). */
int as_trace_writer_put(as_trace_writer_t *w, const as_tev_t *ev, as_trace_err_t *err);
/* End record (binary) and flush. Does not close f. Returns 0 or -1. */
int as_trace_writer_close(as_trace_writer_t *w);

/* An as_tev_fn that writes into the as_trace_writer_t passed as ctx. */
int as_trace_writer_fn(void *ctx, const as_tev_t *ev, as_trace_err_t *err);

/* "alloc", "calloc", "realloc", "free", "free_unknown" (trace_norm.c). */
extern const char *const as_tev_op_names[AS_TEV_OP_COUNT];

#endif /* AS_TRACE_H */
