/* modenv.h - the environment a module's params need before the allocator
 * starts (GLIBC_TUNABLES, MALLOC_CONF, TCMALLOC_*, MIMALLOC_*: the module's
 * params_env), and the library that makes the allocator a real program's
 * malloc (its preload_library). One mechanism for every process that loads a
 * module with params: workers, probes, `exec`, and the env line `tune`
 * prints. Not thread-safe (the CLI calls it before starting processes). */
#ifndef AS_MODENV_H
#define AS_MODENV_H

#include <stddef.h>

#include "../workloads/spec.h"
#include "status.h"

#define AS_MODENV_MAX 4096
/* Loading a module (its constructors and its libraries') must finish
 * within this, or a command's --timeout where shorter; a child that takes
 * longer is killed and the module refused ("loading it did not finish"),
 * as one that crashes or exits there. */
#define AS_MODENV_TIMEOUT_MS 10000
void as_module_env_timeout(double seconds);

typedef struct as_modenv {
	char env[AS_MODENV_MAX];     /* "NAME=VALUE\n" lines; "" when none */
	char preload[AS_MODENV_MAX]; /* library to LD_PRELOAD; "" when none */
} as_modenv_t;

/* Ask the module (loaded in a short-lived child process, so this process
 * never starts the allocator) for the variables its params need and its
 * preload library. Answers are cached per (name, params), failures too (a
 * hang costs its timeout once). Returns 0, or -1 with a one-line reason in
 * err (the module cannot be loaded, bad params, loading it crashed, exited
 * or took over AS_MODENV_TIMEOUT_MS). Also the
 * check that loading a module cannot harm this process before a command
 * (check, list) loads it here. */
int as_module_env(const as_spec_t *module, as_modenv_t *out, char *err, size_t errlen);
/* The same with the status: AS_ERR_PARAMS for a refusal, AS_ERR_CRASH,
 * AS_ERR_TIMEOUT or AS_ERR_WORKER when loading it crashed, hung or exited
 * (the module's fault, as_status_is_fault: a run keeps going). */
as_status_t as_module_env_status(const as_spec_t *module, as_modenv_t *out, char *err,
                                 size_t errlen);

/* as_module_load in this process, once a child has loaded the module (no
 * params) without crashing, exiting or hanging (as_module_env): what
 * `check`, `list`, `suite` and `exec` load here, where a module's
 * constructor that crashes would otherwise take the command down with no
 * word. Returns 0, or -1 with a one-line reason in err. */
struct as_loaded;
int as_module_load_safely(const char *name, struct as_loaded *out, char *err, size_t errlen);

/* setenv() every "NAME=VALUE" line of `lines` (in a child about to exec or
 * load the module). GLIBC_TUNABLES and MALLOC_CONF, lists where a later item
 * overrides an earlier one, get VALUE appended to what they already hold
 * (the user's settings, the CLI's static TLS tunable); other variables are
 * replaced. Returns 0, or -1 (a line without '=', out of memory). */
int as_env_apply(const char *lines);

#endif /* AS_MODENV_H */
