/* allocscope_module.h - the whole contract between allocscope and an allocator
 * module. A module is a shared object that exports one symbol,
 * AS_MODULE_ENTRY_NAME, a function returning a const vtable (as_module_t).
 * The vtable is versioned and append-only: it starts with the ABI version and
 * its own size, and new fields only ever go at the end, so an old module keeps
 * loading into a newer harness (which reads a later field only through
 * AS_MODULE_HAS). Nothing here is harness-internal. */
#ifndef ALLOCSCOPE_MODULE_H
#define ALLOCSCOPE_MODULE_H

#include <stddef.h>
#include <stdint.h>

#include "allocscope_params.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ABI version of this header. It changes only when the meaning of an existing
 * field changes; appending a field does not change it (struct_size tells the
 * fields apart). The loader refuses a module whose abi_version differs, and
 * one whose struct_size does not cover every field of ABI version 1 (a
 * truncated or foreign struct). */
#define AS_MODULE_ABI_VERSION 1u

/* True when the module's vtable `m` has the field `field`: its struct_size
 * covers the field (the module was built against a header that has it) and
 * the field is non-zero (non-NULL for a pointer). Use it for every field after
 * `trim` (the last of ABI version 1): reading such a field of an older module
 * directly reads past its struct. Evaluates `m` more than once. */
#define AS_MODULE_HAS(m, field)                                                           \
	((size_t)(m)->struct_size >= offsetof(as_module_t, field) + sizeof((m)->field) && \
	 (m)->field)

/* Name of the single exported entry symbol. */
#define AS_MODULE_ENTRY_NAME "allocscope_module"

/* Passed as `size` to free/realloc when the caller does not know the size of
 * the block (a process-wide malloc replacement, `allocscope exec`). Only
 * modules with AS_CAP_SIZE_UNKNOWN may be handed this value. */
#define AS_SIZE_UNKNOWN SIZE_MAX

/* Capability flags (as_module_t.caps). The harness uses them to decide which
 * workloads a module can run and which conformance checks apply; a module
 * must not claim what it does not do. */
enum {
	/* One instance may be used from several threads at once. */
	AS_CAP_THREAD_SAFE = 1u << 0,
	/* free() makes the block reusable (bump's free is a no-op: not set). */
	AS_CAP_FREE = 1u << 1,
	/* reset() releases every block of the instance at once. */
	AS_CAP_RESET = 1u << 2,
	/* free/realloc accept AS_SIZE_UNKNOWN as the size. */
	AS_CAP_SIZE_UNKNOWN = 1u << 3,
	/* Serves requests of any size and any power-of-two alignment up to 4096
	 * (an allocator with only small fixed-size slots and no path for larger
	 * requests must not claim it; the conformance suite then keeps to 8-byte
	 * requests with the default alignment). */
	AS_CAP_ANY_SIZE = 1u << 4,
	/* Every block alloc returns is already zero, reused ones too, so the
	 * harness skips the memset when it emulates a missing calloc. */
	AS_CAP_ZEROED = 1u << 5,
	/* At most one instance may be live in a process at a time (the module
	 * manages process-wide state such as the program break): create()
	 * refuses a second one. The harness then never creates a second live
	 * instance; destroy followed by create is still allowed. */
	AS_CAP_SINGLE_INSTANCE = 1u << 6,
	/* May hand out memory that is still in use (null wraps around its
	 * buffer): fine for timing the harness, never a program's heap, so
	 * `allocscope exec` refuses the module. */
	AS_CAP_RECYCLES_LIVE = 1u << 7,
	/* Calls glibc's malloc on purpose, looked up in libc.so.6 (the glibc
	 * module, a wrapper around it): the harness does not count the calls
	 * it makes into libc.so.6 directly (libc_calls' uprobes), only those
	 * into the process's malloc, which no module may make. */
	AS_CAP_LIBC_MALLOC = 1u << 8,
};

/* Called by stats() once per counter. `name` is a short snake_case key with
 * its unit as suffix (heap_bytes, sbrk_calls, mmap_threshold_bytes); the
 * pointer need only live for the duration of the call. */
typedef void (*as_stat_fn)(void *ctx, const char *name, double value);

/* Threads: alloc, free, realloc, calloc and trim of one instance run on
 * several threads at once only when the module has AS_CAP_THREAD_SAFE;
 * create, destroy, reset and stats never run alongside another call of the
 * module. */
typedef struct as_module {
	/* --- fields of ABI version 1 --- */
	uint32_t abi_version;    /* AS_MODULE_ABI_VERSION */
	uint32_t struct_size;    /* sizeof(as_module_t) as compiled into the module */
	const char *name;        /* short name, [a-z0-9_-]; e.g. "refmalloc" */
	const char *version;     /* module or wrapped library version, e.g. "5.3.0" */
	const char *description; /* one line for `allocscope list` */
	uint32_t caps;           /* AS_CAP_* bits */
	uint32_t nparams;        /* entries in params[] */
	/* Accepted params, for `list` and docs, and the only keys the harness
	 * passes on to create() and params_env (any other key given is refused
	 * before they run); may be NULL when nparams is 0.
	 * A reader of another module's table steps param_spec_size bytes (below)
	 * from entry to entry, not its own sizeof(as_param_spec_t). */
	const as_param_spec_t *params;

	/* Create an instance from a params string ("k=v,k=v" in the grammar of
	 * allocscope_params.h; NULL or "" for defaults). Returns 0 and sets *out,
	 * or non-zero with a one-line reason in err (for a bad params string:
	 * which key or value is wrong). Required. May be called again after
	 * destroy; several instances may be live at once, each independent of
	 * the others, unless the module sets AS_CAP_SINGLE_INSTANCE. Not called
	 * concurrently with any other call of the module. */
	int (*create)(const char *params, void **out, char *err, size_t errlen);

	/* Release the instance and everything it holds; its blocks become
	 * invalid. Required. */
	void (*destroy)(void *inst);

	/* Return a block of at least `size` bytes aligned to `align` (a power of
	 * two; 0 means the default: alignof(max_align_t) = 16, or for requests
	 * smaller than 16 bytes the largest power of two <= size), or NULL when
	 * it cannot. size may be 0: then return NULL or a unique
	 * pointer that free() accepts. Required. */
	void *(*alloc)(void *inst, size_t size, size_t align);

	/* Release a block returned by this instance. `size` is the size asked for
	 * at allocation (or the latest realloc), or AS_SIZE_UNKNOWN (only when the
	 * module has AS_CAP_SIZE_UNKNOWN). ptr is never NULL. Required. */
	void (*free)(void *inst, void *ptr, size_t size);

	/* Resize a block, keeping min(old_size, new_size) bytes of content;
	 * returns the new pointer or NULL (the old block stays valid). old_size
	 * follows the same rule as free's size; ptr is never NULL (the harness
	 * calls alloc instead). new_size may be 0: then return NULL or a block
	 * as alloc(0) would. The result needs only the default alignment.
	 * Optional: when NULL the harness does alloc + memcpy + free. */
	void *(*realloc)(void *inst, void *ptr, size_t old_size, size_t new_size);

	/* Like alloc, and the `size` bytes returned are zero. `size` is the
	 * total: the harness has already multiplied a calloc(n, m) and refused
	 * an overflowing product. Optional: when NULL the harness does alloc +
	 * memset (no memset with AS_CAP_ZEROED). */
	void *(*calloc)(void *inst, size_t size, size_t align);

	/* Release every block at once; the instance stays usable. Required when
	 * AS_CAP_RESET is set; leave it NULL otherwise. Returns 0 or
	 * non-zero. */
	int (*reset)(void *inst);

	/* Report counters through emit(ctx, name, value). Optional. Not called
	 * concurrently with allocation calls. */
	void (*stats)(void *inst, as_stat_fn emit, void *ctx);

	/* Give free memory back to the OS where the module can (malloc_trim).
	 * Optional. Returns 0 or non-zero. */
	int (*trim)(void *inst);

	/* --- appended within ABI version 1; read with AS_MODULE_HAS --- */

	/* sizeof(as_param_spec_t) as compiled into the module: the distance
	 * between params[] entries, so as_param_spec_t can grow at its end.
	 * Set it to sizeof(as_param_spec_t). 0 (or a module built before the
	 * field existed) means AS_PARAM_SPEC_SIZE_V1. */
	uint32_t param_spec_size;
	/* AS_PARAMS_VERSION of the allocscope_params.h the module's parser was
	 * built from: the params grammar create() understands. 0 (or absent)
	 * means 1. */
	uint32_t params_version;

	/* Environment that `params` needs in a process before the allocator
	 * starts: variables read when the process execs (GLIBC_TUNABLES) or
	 * when the library initialises (MALLOC_CONF, TCMALLOC_*, MIMALLOC_*).
	 * Writes them into buf as "NAME=VALUE\n" lines ("" when the params need
	 * none). The same lines give the settings to an unmodified program that
	 * uses this allocator as its malloc. The harness sets them for every
	 * process that will load the module with these params (workers, probes,
	 * `exec`), before it execs or dlopens the module. Must not start the
	 * allocator; may be called in a process that never creates an
	 * instance. Returns 0, or non-zero with a one-line reason in err (a bad
	 * params string, or buf too small). Optional: NULL means no variables;
	 * create() is then the only place params apply. */
	int (*params_env)(const char *params, char *buf, size_t len, char *err, size_t errlen);
	/* Path of the shared library that makes this allocator an unmodified
	 * program's malloc through LD_PRELOAD (where the module's own library
	 * was found), or NULL when there is none to preload (the system malloc).
	 * Optional. */
	const char *(*preload_library)(void);
} as_module_t;

/* The entry symbol's type. */
typedef const as_module_t *(*as_module_entry_fn)(void);

/* Use once per module:  AS_MODULE_EXPORT(my_vtable)
 * Build modules with -fvisibility=hidden; this marks only the entry visible. */
#define AS_MODULE_EXPORT(vtable)                                                           \
	__attribute__((visibility("default"))) const as_module_t *allocscope_module(void); \
	__attribute__((visibility("default"))) const as_module_t *allocscope_module(void)  \
	{                                                                                  \
		return &(vtable);                                                          \
	}

#ifdef __cplusplus
}
#endif
#endif /* ALLOCSCOPE_MODULE_H */
