/* spool_read.h - reading a capture spool (spool.h) back and turning it into
 * canonical trace events: records decoded per thread, merged by their global
 * sequence number, addresses renamed to object numbers, thread ids to
 * indexes, cycle counts to ns. For `allocscope capture` after the program
 * has ended; built into the CLI, never into allocscope_capture.so (which
 * only writes spools). Prints nothing: errors come back as "SPOOL: reason".
 * Not thread-safe per as_spool_t. */
#ifndef AS_CAPTURE_SPOOL_READ_H
#define AS_CAPTURE_SPOOL_READ_H

#include <stddef.h>
#include <stdint.h>

#include "../../workloads/trace.h"
#include "spool.h"

/* What a conversion found. lost, torn and bad should all be 0; the repair
 * counters come from the id normaliser (as_trace_norm_t). */
typedef struct as_spool_report {
	uint64_t records; /* decoded */
	uint64_t lost;    /* sequence numbers no record carries */
	uint64_t torn;    /* damaged chunks or records: decoding stopped there */
	uint64_t bad;     /* records that could not be placed or paired */
	uint64_t events;  /* canonical events produced */
	uint64_t threads;
	uint64_t live_realloc_as_free; /* allocations at a live address repaired */
	uint64_t unknown_realloc;      /* reallocs of unknown blocks made allocs */
	uint64_t unknown_frees;        /* frees of blocks never seen allocated */
} as_spool_report_t;

/* An open spool. Fields are private to spool_read.c except rep. */
struct spool_stream;
struct spool_conv;
typedef struct as_spool {
	const char *path; /* not copied: must outlive the as_spool_t */
	int fd;
	int live;                     /* its program may still be writing it */
	uint64_t size;                /* file bytes */
	uint64_t seq_taken;           /* the header's counter (0: an older spool) */
	as_spool_hdr_t hdr;           /* as read at open */
	const void *map;              /* live: header and tail slots, mapped */
	size_t map_len;               /* (read-only, shared) */
	uint64_t index_off;           /* the next chunk to index */
	int index_done, tails_done;   /* damaged chunk header seen; tails indexed */
	as_u64map_t tid_stream;       /* tid -> its current stream */
	size_t scap;                  /* streams allocated */
	struct spool_stream *streams; /* one per thread (a reused tid after a
	                                 new-thread chunk is another) */
	size_t nstreams;
	struct spool_conv *cv; /* a conversion begun */
	as_spool_report_t rep;
} as_spool_t;

/* Open the spool at path, check its header and index its chunks per
 * thread (headers only; a damaged chunk header ends the index: rep.torn).
 * Returns 0, or -1 with "PATH: reason" in msg (nothing to close then). */
int as_spool_open(const char *path, as_spool_t *sp, char *msg, size_t msglen);

/* Decode the records and emit them as canonical events in sequence order
 * to fn (e.g. as_trace_writer_fn), ns_per_tick turning cycle counts into
 * ns: streaming, a merge of the threads' record streams by sequence number,
 * so memory is one chunk and the records up to the next timed one per
 * thread, not the spool's size. Fills sp->rep. Returns 0, or -1 with "PATH:
 * reason" in msg (more threads than a trace holds; "record N: ..." for an
 * event the normaliser or fn refused; a read error). Call once per
 * as_spool_open. */
int as_spool_convert(as_spool_t *sp, double ns_per_tick, as_tev_fn fn, void *ctx, char *msg,
                     size_t msglen);

/* Converting while the program runs (`allocscope capture` does, so that
 * only the tail is left when the program exits):
 * as_spool_open_live opens a spool its program may still be writing
 * (indexing the whole chunks appended so far); as_spool_convert_begin sets
 * up the conversion; as_spool_convert_more emits every event whose place
 * in the sequence is already certain: below the counter, below every live
 * thread's first record not yet appended (its tail slot's bases and floor,
 * spool.h), decoded from whole chunks only; it can be called any number of
 * times, cheaply when nothing is new. as_spool_convert_end, after the
 * program has ended, indexes the rest and the tail slots and emits
 * everything left, exactly as as_spool_convert would have (that is
 * as_spool_convert_begin + as_spool_convert_end). ns_per_tick may be
 * refined from call to call (times never go backwards). Returns 0, or -1
 * with "PATH: reason" in msg (as_spool_open_live: also while the spool's
 * header is not written yet, or for a spool of an older library, which is
 * then only converted after the program). */
int as_spool_open_live(const char *path, as_spool_t *sp, char *msg, size_t msglen);
int as_spool_convert_begin(as_spool_t *sp, as_tev_fn fn, void *ctx, char *msg, size_t msglen);
int as_spool_convert_more(as_spool_t *sp, double ns_per_tick, char *msg, size_t msglen);
int as_spool_convert_end(as_spool_t *sp, double ns_per_tick, char *msg, size_t msglen);

/* Close and free; sp->rep stays readable. */
void as_spool_close(as_spool_t *sp);

#endif /* AS_CAPTURE_SPOOL_READ_H */
