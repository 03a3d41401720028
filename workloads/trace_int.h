/* trace_int.h - private to the trace files of workloads/: how the
 * either-format front (trace_file.c) reaches each format's record writer
 * (trace_bin.c, trace_csv.c). Not for code outside workloads/trace_*.c: the
 * public face is trace.h (as_trace_writer_*). Includes: trace_file.c ->
 * trace_int.h -> trace.h; the format files never call trace_file.c. */
#ifndef AS_TRACE_INT_H
#define AS_TRACE_INT_H

#include <stdio.h>

#include "trace.h"

/* Native binary (trace_bin.c). All return 0, or -1 on a write error. */
/* The 16-byte file header: magic, version, flags. */
int as_trace_bin_write_header(FILE *f);
/* One record of ev, delta-encoded against the writer's state before ev
 * (w->n, w->last_thread, w->next_obj, w->last_time), into the writer's
 * block (written out, with its checksum, when full); only the block changes.
 * The caller has checked that ev is canonical. */
int as_trace_bin_write_event(as_trace_writer_t *w, const as_tev_t *ev);
/* The end record holding the event count (w->n), then the last block. */
int as_trace_bin_write_end(as_trace_writer_t *w);

/* as_trace_bin_read of a buffer the caller maps for this one read and
 * unmaps afterwards (as_trace_read_file): version 2 traces give their pages
 * back behind the reader (MADV_DONTNEED; a file's pages stay in the page
 * cache, a decompressed buffer's are gone), so a large trace's own bytes
 * add at most ~16 MiB to the reader's peak memory. flags: trace.h's
 * AS_TRACE_READ_*. */
int as_trace_bin_read_once(const void *buf, size_t len, as_tev_fn fn, void *ctx, unsigned flags,
                           as_trace_err_t *err);

/* CSV (trace_csv.c). Return 0, or -1 on a write error. */
int as_trace_csv_write_header(FILE *f);
int as_trace_csv_write_event(FILE *f, const as_tev_t *ev);

#endif /* AS_TRACE_INT_H */
