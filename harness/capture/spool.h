/* spool.h - the capture library's raw spool file: what
 * allocscope_capture.so appends while the program runs and what `allocscope
 * capture` turns into a trace meanwhile (what is certain) and afterwards: per-thread chunks of
 * delta-encoded records (writing is what costs the traced program most, so
 * records are small), totally ordered by a global sequence number. Written by
 * capture.c (the preload library), read back by spool_read.c (in the CLI);
 * not a trace format anyone else reads. */
#ifndef AS_CAPTURE_SPOOL_H
#define AS_CAPTURE_SPOOL_H

#include <stdint.h>
#include <time.h>

#define AS_SPOOL_MAGIC "ASSPOOL3"
/* Version 2 (no slots_used, no floor): read after the program, never live. */
#define AS_SPOOL_MAGIC_V2 "ASSPOOL2"

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
	uint32_t tails_off;  /* file offset of tail slot 0 (a page boundary) */
	uint32_t tail_bytes; /* bytes per tail slot */
	uint32_t ntails;     /* tail slots */
	/* Tail slots a thread has taken: slots [0, slots_used) are all that
	 * can hold records (raised before a slot's first record is numbered,
	 * so a reader that loads seq_taken first, then this, sees every slot
	 * whose thread holds a number below that seq_taken). */
	uint32_t slots_used;
	uint64_t chunks_off; /* file offset of the first chunk */
	/* 1 once the process left this image by exit, _exit or _Exit (set
	 * through the shared mapping); 0 while it runs, and after an exec or
	 * a fatal signal. A program that exited normally with its last spool
	 * at 0 exec'd an image that did not load the library. 0 in spools of
	 * older builds (the capture command reads it only from this build's
	 * library). */
	uint32_t ended;
	uint32_t pad;
} as_spool_hdr_t;

/* The tail slots: each thread's buffer is a slot of the spool file mapped
 * shared, this header then tail_bytes - 64 bytes of records, so the records
 * not yet written out as a chunk are in the file whatever becomes of the
 * process (exit, exec, a fatal signal, SIGKILL). When the buffer fills (and
 * at thread exit) its records are appended as a chunk, then len is set to
 * 0, then the bases to those after the chunk. So the records of a slot are
 * `len` bytes after its header, decoded from the bases here; a slot whose
 * records were already appended when the process died (killed between the
 * two steps) repeats the chunk's records, which a reader skips by their
 * sequence numbers. Slots are sparse until a thread takes one; magic 0: a
 * slot never used. */
#define AS_SPOOL_TAIL_MAGIC 0x4c494154u /* "TAIL" */
typedef struct as_spool_tail {
	uint32_t magic;
	uint32_t tid;
	uint32_t len;            /* bytes of records after this header */
	uint32_t flags;          /* AS_SPOOL_CHUNK_FIRST: they start a new thread */
	uint64_t seq, tsc, addr; /* delta bases of the first of them */
	/* Every record the slot's thread numbers from now on has seq >= floor
	 * (stored before its first number is taken); UINT64_MAX: the thread
	 * has exited. With the bases (records not yet appended come after
	 * seq), it tells a reader converting while the program runs which
	 * sequence numbers are all in appended chunks already. */
	uint64_t floor;
	uint8_t pad[16];
} as_spool_tail_t;

/* From chunks_off on: chunks, appended as buffers fill. A chunk: this
 * header, then `len` bytes of records of thread `tid`. Each
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
#define AS_CAPTURE_ENV_DIR "ALLOCSCOPE_CAPTURE_DIR"
/* The capture command's pid: with --fork exclude, only a process whose
 * parent it is (the program, and the images it execs) is traced. */
#define AS_CAPTURE_ENV_PARENT "ALLOCSCOPE_CAPTURE_PARENT_PID"
#define AS_CAPTURE_ENV_FORK   "ALLOCSCOPE_CAPTURE_FORK" /* follow | exclude */
#define AS_CAPTURE_ENV_TIME_EVERY                                                   \
	"ALLOCSCOPE_CAPTURE_TIME_EVERY" /* read the clock every N calls per thread  \
	                                   (1..100000); a record whose tsc delta is \
	                                   0 was not timed */

/* The file in the spool folder where the library notes a process that
 * starts an image without it (exec/exec_escape.c; --fork follow only). */
#define AS_CAPTURE_ESCAPES "escapes"

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
