/* trial_wire.h - the parent <-> worker protocol, in one place: how a trial
 * spec travels to the worker (a versioned binary record in a memfd on
 * AS_WIRE_FD_SPEC), every message the worker sends back on AS_WIRE_FD_RESULT
 * (header + payload), and the decoder that turns those messages into a
 * trial result. trial.c and worker.c only call these functions; neither
 * knows an fd number, a message layout or the order of fields. The two ends
 * are always the same executable (/proc/self/exe), so layouts are native;
 * the version still guards against a stale worker. Not thread-safe. */
#ifndef AS_TRIAL_WIRE_H
#define AS_TRIAL_WIRE_H

#include <stddef.h>

#include "status.h"
#include "trial_types.h"

#define AS_WIRE_VERSION 2

/* The worker's fds (the parent dup2s them there before exec). */
enum {
	AS_WIRE_FD_RESULT = 3,   /* worker -> parent messages (pipe) */
	AS_WIRE_FD_SPEC = 4,     /* the encoded trial spec (memfd, read from offset 0) */
	AS_WIRE_FD_COUNTERS = 5, /* --syscalls seccomp: the shared page of counters */
	AS_WIRE_FD_STREAM = 6,   /* the op stream's record (memfd): empty, to be written
	                            (as_opstream_write), or whole, to be loaded; not open:
	                            build it (trial.c) */
	AS_WIRE_FD_ABOVE = 16,   /* any other descriptor a worker or its parent keeps
	                            goes here or higher, clear of the numbers above */
};

/* Messages from worker to parent: as_wire_hdr_t, then `len` payload bytes. */
typedef enum as_wire_msg {
	AS_MSG_TRIAL = 1,   /* double[AS_TRIAL_NCOLS] */
	AS_MSG_STATUS = 2,  /* as_wire_status_t */
	AS_MSG_INFO = 3,    /* "key=value" text, e.g. module_version=5.3.0 */
	AS_MSG_SERIES = 4,  /* double[AS_SERIES_NCOLS] */
	AS_MSG_LATENCY = 5, /* double[AS_LATENCY_NCOLS], kind as its number */
	AS_MSG_HIST = 6,    /* double[AS_HIST_NCOLS], kind as its number */
	AS_MSG_SAMPLING = 7 /* uint64_t: ns spent sampling so far (not the module's time) */
} as_wire_msg_t;

typedef struct as_wire_hdr {
	unsigned type;
	unsigned len;
} as_wire_hdr_t;

typedef struct as_wire_status {
	int status;       /* as_status_t */
	char reason[512]; /* as long as a result's reason */
} as_wire_status_t;

/* ---- the trial spec ---- */

/* Encode spec (module and workload specs included) into a new memfd, ready
 * to be dup2'd to AS_WIRE_FD_SPEC. Returns the fd, or -1 with err. */
int as_wire_spec_memfd(const as_trial_spec_t *spec, char *err, size_t errlen);

/* A decoded spec and the storage its pointers refer to. */
typedef struct as_wire_trial {
	as_trial_spec_t spec;
	as_spec_t module, workload;
} as_wire_trial_t;

/* Worker: read and decode the spec from AS_WIRE_FD_SPEC into *out. Returns
 * 0, or -1 with err (wrong version, truncated record). Free with
 * as_wire_trial_free. */
int as_wire_spec_read(as_wire_trial_t *out, char *err, size_t errlen);
void as_wire_trial_free(as_wire_trial_t *t);

/* ---- worker -> parent ---- */

/* Send one message on fd (AS_WIRE_FD_RESULT in a worker), header and
 * payload in one writev. Returns 0, or -1 when the parent is gone (the
 * caller then has no one to report to). */
int as_wire_send(int fd, as_wire_msg_t type, const void *payload, size_t len);
int as_wire_send_status(int fd, as_status_t st, const char *reason);
int as_wire_send_info(int fd, const char *key, const char *value);

/* From begin to end, messages sent on a fd are gathered in buf (cap bytes,
 * the caller's) and written when it is full and at the end, in order: the
 * report after a trial, ~50-300 messages, in a write or a few instead of a
 * writev and a wake-up of the parent each. One fd at a time; end returns
 * 0, or -1 when the parent is gone. */
void as_wire_batch_begin(void *buf, size_t cap);
int as_wire_batch_end(int fd);

/* The worker's as_oom_hook (oom.h): what is batched, then a worker_error
 * STATUS with msg ("out of memory: WHAT (N bytes)") on AS_WIRE_FD_RESULT,
 * so the parent's row says why; on stderr when the parent is gone. */
void as_wire_send_oom(const char *msg);

/* The INFO a probe sends once create has returned, before its quick
 * checks: a probe that dies after it died in them, not in create. */
#define AS_WIRE_QUICK_CHECKS "stage=quick_checks"

/* ---- parent: decoding ---- */

/* Accumulates the worker's byte stream. */
typedef struct as_wire_inbox {
	char *buf;
	size_t len, cap;
	int got_status;       /* a STATUS message arrived */
	int got_trial;        /* a TRIAL message arrived */
	int in_checks;        /* a probe said AS_WIRE_QUICK_CHECKS: create returned */
	uint64_t sampling_ns; /* the latest SAMPLING message: the deadline moves by it */
} as_wire_inbox_t;

/* Read what is available on fd into the inbox and decode every complete
 * message into res. Returns >0 bytes read, 0 at EOF, -1 on a read error
 * (errno set; EINTR and EAGAIN mean try again). */
long as_wire_inbox_read(as_wire_inbox_t *in, int fd, as_trial_result_t *res);
void as_wire_inbox_free(as_wire_inbox_t *in);

/* The note of a row whose workload ran on its own thread count (a
 * trace's) instead of -t: "the workload ran on its own 1 thread, not -t
 * 2" into out. --resume matches the row to the matrix by it. */
void as_wire_own_threads(char *out, size_t len, uint32_t ran, uint32_t asked);

/* The -t that a reason's own-threads note names ("N thread, not -t M",
 * or "N threads", as every count was written before session 35), or 0
 * when it has none. */
uint32_t as_wire_own_threads_asked(const char *reason);

#endif /* AS_TRIAL_WIRE_H */
