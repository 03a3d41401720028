/* capture_convert.h - the spools of `allocscope capture` turned into traces:
 * while the program runs, each spool as it appears (live, so that only its
 * tail is left at the end), then all of them once it has ended: the
 * program's last image into TRACE, the others into TRACE.PID.GEN, each with
 * its report on stderr. For cmd_capture.c only; reading a spool is
 * capture/spool_read.c. Not thread-safe: the command's own thread. */
#ifndef AS_CAPTURE_CONVERT_H
#define AS_CAPTURE_CONVERT_H

#include <stdint.h>
#include <sys/types.h>

#include "../workloads/trace.h"
#include "commands.h" /* as_capture_summary_t */

/* capture's options, as parsed. */
typedef struct {
	const char *out, *format; /* -o TRACE, -f */
	int exclude, keep;        /* --fork exclude, --keep-spool */
	uint64_t time_every;
	as_capture_summary_t *sum; /* the children traced, for tune (NULL: none) */
} as_capture_opts_t;

/* The spools converted while the program runs; zeroed to start, freed with
 * as_capture_live_free. */
typedef struct as_live as_live_t;
typedef struct {
	as_live_t **v;
	int n, cap;
	uint64_t scanned_ns; /* when the spool folder was last listed */
	uint64_t events;     /* events converted while the program ran */
} as_live_set_t;

/* One round of converting beside the program (spool folder dir, t0 the
 * ticks and ns at its start): new spools every 100 ms (every round while
 * there is none), then what each spool has made certain. Returns 1 when
 * something moved, else 0 (then the caller sleeps). */
int as_capture_live_step(as_live_set_t *ls, const as_capture_opts_t *c, as_trace_fmt_t fmt,
                         const char *dir, const uint64_t t0[2]);

/* The events converted so far, all of ls's spools together. */
uint64_t as_capture_live_events(const as_live_set_t *ls);

/* Close what ls holds (a trace never finished is discarded) and free it. */
void as_capture_live_free(as_live_set_t *ls);

/* The spool files in dir, sorted, into *names (n malloc'd names in a
 * malloc'd array, the caller frees). Returns 0, or -1 when out of memory. */
int as_capture_list_spools(const char *dir, char ***names, int *n);

/* Convert every spool names[0..nspool) of dir, finishing those of ls: TRACE
 * (c->out) is the program's (pid's) last image, earlier images and children
 * get TRACE.PID.GEN. When the program exited (exited: 1) from an image that
 * did not load the library (prog, which ended as comm), TRACE is not
 * written, and one line says why. Adds the events written to *events and
 * the children to c->sum; removes the spools unless c->keep. Returns 0, or
 * 2 when one failed or TRACE is not the program's (each said on stderr). */
int as_capture_convert_all(const as_capture_opts_t *c, as_trace_fmt_t fmt, const char *dir,
                           char **names, int nspool, pid_t pid, double ns_per_tick,
                           as_live_set_t *ls, uint64_t *events, int exited, const char *prog,
                           const char *comm);

#endif /* AS_CAPTURE_CONVERT_H */
