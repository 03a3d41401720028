/* spool.h - the capture library's raw spool file: what
 * allocscope_capture.so appends while the program runs and what `allocscope
 * capture` turns into a trace afterwards: per-thread chunks of
 * delta-encoded records (writing is what costs the traced program most, so
 * records are small), totally ordered by a global sequence number. Written by
 * capture.c (the preload library), read back by spool_read.c (in the CLI);
 * not a trace format anyone else reads. */
#ifndef AS_CAPTURE_SPOOL_H
#define AS_CAPTURE_SPOOL_H

#include <stdint.h>
#include <time.h>

#define AS_SPOOL_MAGIC "ASSPOOL1"

/* 0 is reserved: an empty slot when records are placed by seq. */
enum {
	AS_SPOOL_MALLOC = 1, /* addr = block, size, align_log2 */
	AS_SPOOL_CALLOC,     /* addr = block, size = n * size */
	AS_SPOOL_FREE,       /* addr = block (seq taken before the real free) */
	AS_SPOOL_RBEGIN,     /* realloc starts: addr = old block (seq before the call) */
	AS_SPOOL_REND,       /* realloc ends: addr = new block (0: failed), size */
};

typedef struct as_spool_hdr {
	char magic[8];
	uint32_t pid;
	uint32_t generation; /* 0, then +1 per exec in the same process */
	uint64_t tsc0;       /* cycle counter when the spool was opened */
	/* Sequence numbers taken: the library's counter itself, kept in a
	 * shared mapping of this header, so it is in the file even after
	 * SIGKILL. Records found below it are "lost records" (a killed
	 * program's unflushed buffers): a true count. 0 in spools of older
	 * builds (then only holes in the sequence can be counted). */
	uint64_t seq_taken;
} as_spool_hdr_t;

/* A chunk: this header, then `len` bytes of records of thread `tid`. Each
 * record: one byte (op in bits 0-2, bit 3: an alignment byte follows), then
 * varints: seq - previous seq, tsc - previous tsc, zigzag(addr - previous
 * addr), and for MALLOC, CALLOC, REND the size; then the alignment byte.
 * "previous" is the thread's previous record, across chunks; a chunk with
 * AS_SPOOL_CHUNK_FIRST starts from zero (a new thread buffer). */
#define AS_SPOOL_CHUNK_MAGIC 0x4b434841u /* "AHCK" */
#define AS_SPOOL_CHUNK_FIRST 1u
typedef struct as_spool_chunk {
	uint32_t magic;
	uint32_t tid;
	uint32_t len;
	uint32_t flags;
} as_spool_chunk_t;

/* A decoded record. */
typedef struct as_spool_rec {
	uint64_t seq; /* global order, dense from 0 in each spool */
	uint64_t tsc; /* cycle counter (or ns where there is none) */
	uint64_t addr;
	uint64_t size;
	uint32_t tid; /* kernel thread id */
	uint8_t op;
	uint8_t align_log2;
	uint16_t pad;
} as_spool_rec_t;

/* Environment the capture command hands to the library. */
#define AS_CAPTURE_ENV_DIR  "ALLOCSCOPE_CAPTURE_DIR"
#define AS_CAPTURE_ENV_ROOT "ALLOCSCOPE_CAPTURE_ROOT_PID"
#define AS_CAPTURE_ENV_FORK "ALLOCSCOPE_CAPTURE_FORK" /* follow | exclude */
#define AS_CAPTURE_ENV_TIME_EVERY                                                   \
	"ALLOCSCOPE_CAPTURE_TIME_EVERY" /* read the clock every N calls per thread  \
	                                   (1..100000); a record whose tsc delta is \
	                                   0 was not timed */

static inline uint64_t as_spool_ticks(void)
{
#if defined(__x86_64__) || defined(__i386__)
	return __builtin_ia32_rdtsc();
#else
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
#endif
}

#endif /* AS_CAPTURE_SPOOL_H */
