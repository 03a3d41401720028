/* workload.h - the workload registry: every synthetic generator and trace
 * reader is an as_workload_t that turns a params string into an op stream.
 * Building happens before the timed region, in the trial's worker process. */
#ifndef AS_WORKLOAD_H
#define AS_WORKLOAD_H

#include <stddef.h>
#include <stdint.h>

#include "../allocators/allocscope_params.h"
#include "opstream.h"

/* What the harness tells a generator. */
typedef struct as_wl_ctx {
	uint32_t threads; /* -t value; generators that fix their own count say so */
	uint64_t seed;    /* --seed; same seed and params => identical stream */
} as_wl_ctx_t;

typedef struct as_workload {
	const char *name;
	const char *description;       /* one line for `allocscope list` */
	const as_param_spec_t *params; /* accepted params */
	uint32_t nparams;
	size_t params_size; /* size of the struct params are parsed into */
	/* Build the op stream into `out` (already initialised with ctx->threads
	 * threads). `params` points at the parsed params struct. Returns 0, or
	 * non-zero with a one-line reason in err. */
	int (*build)(const void *params, const as_wl_ctx_t *ctx, as_opstream_t *out, char *err,
	             size_t errlen);
	/* Optional: check relations between params (min <= max, a readable
	 * table file) right after parsing, so that a bad spec is refused by the
	 * CLI before any trial runs. Returns 0, or -1 with "key 'k': reason". */
	int (*check)(const void *params, char *err, size_t errlen);
	/* 0: any thread count; 1: a scenario that measures one heap from one
	 * thread (-t 1 only). Checked by as_workload_check_threads. */
	uint32_t max_threads;
} as_workload_t;

/* The one `touch` param row every generator takes, its words in as_touch_t
 * order (none, first, pages, all): use inside a spec table as
 * AS_TOUCH_SPEC(my_params_t, touch, "first"). MEMBER is an int. */
#define AS_TOUCH_SPEC(TYPE, MEMBER, DEF)                                                     \
	{                                                                                    \
		"touch", AS_PARAM_ENUM, DEF, 0, 0, "none|first|pages|all",                   \
		    "what is written into each new block (pages arrive on first write: RSS " \
		    "follows)",                                                              \
		    offsetof(TYPE, MEMBER)                                                   \
	}

/* NULL-terminated table of every built-in workload. */
extern const as_workload_t *const as_workloads[];

/* Find a workload by name; NULL if none. */
const as_workload_t *as_workload_find(const char *name);

/* Look up workload NAME and parse its params, given as n key/value pairs
 * (the CLI splits NAME[:k=v,...] once; values are taken whole, so a trace
 * path may hold ',' or ':'). Key "" is the workload's first param
 * ("trace:run.ast" == "trace:file=run.ast"). On success *wl is set and the
 * parsed struct written to `pbuf` (at least params_size bytes, zeroed by the
 * caller). Returns 0, or -1 with "workload NAME: reason" in err. */
int as_workload_configure(const char *name, const char *const *keys, const char *const *values,
                          size_t n, const as_workload_t **wl, void *pbuf, size_t pbuf_len,
                          char *err, size_t errlen);

/* The same for a parsed spec (spec.h): its pairs, no string split again. */
struct as_spec;
int as_workload_configure_spec(const struct as_spec *s, const as_workload_t **wl, void *pbuf,
                               size_t pbuf_len, char *err, size_t errlen);

/* Whether wl runs on `threads` threads (its max_threads). Returns 0, or -1
 * with "workload NAME: reason" in err. The CLI checks it for every -t value
 * before any trial runs. */
int as_workload_check_threads(const as_workload_t *wl, uint32_t threads, char *err, size_t errlen);

/* Convenience for tests and tools: parse "NAME[:k=v,...]" with
 * as_spec_parse, then as_workload_configure. Same returns. */
int as_workload_parse(const char *text, const as_workload_t **wl, void *pbuf, size_t pbuf_len,
                      char *err, size_t errlen);

/* Largest params struct of any workload, for callers' buffers. */
#define AS_WL_PARAMS_MAX 32768 /* path params are AS_PARAM_PATH_MAX each */

#endif /* AS_WORKLOAD_H */
