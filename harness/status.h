/* status.h - every way a trial or a command can end, as one X-macro table
 * that yields the enum, the short name written to CSV and the message
 * (libuv's UV_ERRNO_MAP habit). The loader's refusals are here too: each
 * has its own code so tests and scripts can tell them apart. */
#ifndef AS_STATUS_H
#define AS_STATUS_H

#define AS_STATUS_MAP(X)                                                                       \
	X(OK, "ok", "completed")                                                               \
	X(ERR_NOT_FOUND, "module_not_found", "module file not found")                          \
	X(ERR_NOT_SO, "module_not_shared_object", "not a loadable shared object")              \
	X(ERR_NO_ENTRY, "module_no_entry", "entry symbol " AS_MODULE_ENTRY_NAME " missing")    \
	X(ERR_ABI_VERSION, "module_abi_mismatch", "module ABI version mismatch")               \
	X(ERR_STRUCT_SIZE, "module_struct_too_small", "module vtable struct too small")        \
	X(ERR_MISSING_OP, "module_missing_op", "module lacks a required operation")            \
	X(ERR_IMPORTS, "module_imports_malloc", "module calls plain malloc/free (glibc's)")    \
	X(ERR_NAME_MISMATCH, "module_name_mismatch", "vtable name is not the name asked for")  \
	X(ERR_PARAMS, "bad_params", "bad params string")                                       \
	X(ERR_CREATE, "create_failed", "module create() failed")                               \
	X(ERR_WORKLOAD, "workload_error", "workload could not be built")                       \
	X(ERR_UNSUPPORTED, "skipped", "module cannot run this workload")                       \
	X(ERR_OOM, "out_of_memory", "module returned NULL")                                    \
	X(ERR_CRASH, "crashed", "worker died on a signal")                                     \
	X(ERR_TIMEOUT, "timeout", "trial exceeded its time limit")                             \
	X(ERR_WORKER, "worker_error", "worker failed")                                         \
	X(ERR_INVALID, "invalid_memory", "module returned invalid memory")                     \
	X(ERR_IO, "io_error", "results could not be written")                                  \
	X(ERR_USAGE, "usage", "bad usage")                                                     \
	X(ERR_INTERRUPTED, "interrupted", "run interrupted by SIGINT/SIGTERM (never written)") \
	X(ERR_FIDELITY, "replay_mismatch", "replay did not reproduce the trace")               \
	X(ERR_LIBC_MALLOC, "module_called_libc_malloc",                                        \
	  "module called the process's malloc (glibc's) in the timed region")

typedef enum as_status {
#define AS_STATUS_ENUM(code, name, msg) AS_##code,
	AS_STATUS_MAP(AS_STATUS_ENUM)
#undef AS_STATUS_ENUM
	    AS_STATUS_COUNT
} as_status_t;

/* Short snake_case name ("module_not_found"), for CSV and scripts. */
const char *as_status_name(as_status_t s);
/* Human message ("module file not found"). */
const char *as_status_msg(as_status_t s);

#endif /* AS_STATUS_H */
