/* trace_out.h - writing a trace file the safe way for the CLI commands
 * (trace convert/import, capture): into PATH.tmp.PID, then fsync and rename,
 * so a failed command never leaves a partial trace or clobbers a good one;
 * zstd-compressed on the way when asked (a PATH ending in .zst). Part of
 * the CLI layer: errors are printed on stderr as one line naming the file. */
#ifndef AS_TRACE_OUT_H
#define AS_TRACE_OUT_H

#include <limits.h>
#include <stdio.h>

#include "../workloads/trace.h"

struct trace_zout;
typedef struct {
	char path[PATH_MAX], tmp[PATH_MAX]; /* a longer path is refused, never cut */
	FILE *f;
	as_trace_writer_t w;  /* write events through as_trace_writer_fn(&o.w) */
	struct trace_zout *z; /* zstd: f compresses into z's file */
	char *iobuf;          /* f's buffer (AS_TRACE_OUT_BUF bytes) */
} as_trace_out_t;

/* Bytes written to the file at once: glibc's setvbuf ignores the size it
 * is given without a buffer (its own is st_blksize, 4 KiB: two write calls
 * per 16 KiB block of a trace), so the buffer is allocated here. */
#define AS_TRACE_OUT_BUF (64u << 10)

/* PATH may be written: it is absent or a regular file (a folder, device,
 * pipe or socket there would be renamed over). Returns 0, or -1 after one
 * line on stderr. */
int as_trace_out_check(const char *path);

/* Create the temp file and write the header (after as_trace_out_check); zstd: compress what is
 * written (one zstd frame with a checksum, what `zstd` writes and every
 * trace reader here reads). Returns 0 or -1. */
int as_trace_out_open(as_trace_out_t *o, const char *path, as_trace_fmt_t fmt, int zstd);
/* Start the disk writes of what is written so far, without waiting for
 * them (sync_file_range): a command that writes a trace over a long time
 * (capture, beside its program) calls it now and then, so that the fsync
 * at close has only the tail left to wait for. Errors show at close.
 * Returns 0 or -1. */
int as_trace_out_writeback(as_trace_out_t *o);
/* ok: end record, flush (zstd: end the frame), fsync, rename over PATH
 * (o->path: may be changed after open to rename elsewhere); !ok: remove
 * the temp file. Returns 0 or -1 (the temp file is removed on any
 * failure). */
int as_trace_out_close(as_trace_out_t *o, int ok);
/* Format from --format (given: "bin" or "csv") or PATH's extension (.csv =
 * CSV, else binary; a final .zst is looked through: x.csv.zst is CSV).
 * Returns 0 or -1 after printing why. */
int as_trace_fmt_for(const char *path, const char *given, as_trace_fmt_t *fmt);
/* 1 when PATH ends in .zst (written zstd-compressed), else 0. */
int as_trace_zst(const char *path);

#endif /* AS_TRACE_OUT_H */
