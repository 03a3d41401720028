/* allocscope_module.h - the whole contract between allocscope and an allocator
 * module. A module is a shared object that exports one symbol,
 * AS_MODULE_ENTRY_NAME, a function returning a const vtable (as_module_t).
 * The vtable is versioned and append-only: it starts with the ABI version and
 * its own size, and new fields only ever go at the end, so an old module keeps
 * loading into a newer harness. Nothing here is harness-internal. */
#ifndef ALLOCSCOPE_MODULE_H
#define ALLOCSCOPE_MODULE_H

#include <stddef.h>
#include <stdint.h>

#include "allocscope_params.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ABI version of this header. The loader refuses a module whose abi_version
 * differs (the layout's meaning changed), and one whose struct_size is
 * smaller than the fields it needs (a truncated or foreign struct). */
#define AS_MODULE_ABI_VERSION 1u

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
	/* Serves requests of any size (pool with a single slot size does not). */
	AS_CAP_ANY_SIZE = 1u << 4,
	/* Returned memory is already zero (calloc needs no memset). */
	AS_CAP_ZEROED = 1u << 5,
};

/* Called by stats() once per counter. `name` is a short snake_case key with
 * its unit as suffix (heap_bytes, sbrk_calls, mmap_threshold_bytes); the
 * pointer need only live for the duration of the call. */
typedef void (*as_stat_fn)(void *ctx, const char *name, double value);

typedef struct as_module {
	/* --- fields of ABI version 1 --- */
	uint32_t abi_version;          /* AS_MODULE_ABI_VERSION */
	uint32_t struct_size;          /* sizeof(as_module_t) as compiled into the module */
	const char *name;              /* short name, [a-z0-9_-]; e.g. "refmalloc" */
	const char *version;           /* module or wrapped library version, e.g. "5.3.0" */
	const char *description;       /* one line for `allocscope list` */
	uint32_t caps;                 /* AS_CAP_* bits */
	uint32_t nparams;              /* entries in params[] */
	const as_param_spec_t *params; /* accepted params, for `list` and docs */

	/* Create an instance from a params string ("k=v,k=v", NULL or "" for
	 * defaults). Returns 0 and sets *out, or non-zero with a one-line reason
	 * in err (for a bad params string: which key or value is wrong).
	 * Required. May be called more than once per process. */
	int (*create)(const char *params, void **out, char *err, size_t errlen);

	/* Release the instance and everything it holds. Required. */
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
	 * follows the same rule as free's size. Optional: when NULL the harness
	 * does alloc + memcpy + free. */
	void *(*realloc)(void *inst, void *ptr, size_t old_size, size_t new_size);

	/* Zeroed allocation of n*size bytes (overflow checked by the harness).
	 * Optional: when NULL the harness does alloc + memset. */
	void *(*calloc)(void *inst, size_t size, size_t align);

	/* Release every block at once; the instance stays usable. Required when
	 * AS_CAP_RESET is set, else may be NULL. Returns 0 or non-zero. */
	int (*reset)(void *inst);

	/* Report counters through emit(ctx, name, value). Optional. Not called
	 * concurrently with allocation calls. */
	void (*stats)(void *inst, as_stat_fn emit, void *ctx);

	/* Give free memory back to the OS where the module can (malloc_trim).
	 * Optional. Returns 0 or non-zero. */
	int (*trim)(void *inst);
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
