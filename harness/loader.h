/* loader.h - find, dlopen and validate allocator modules. Every refusal is
 * one line naming the file and the check that failed, with its own status
 * code; a module that was asked for and cannot be loaded is never replaced
 * by another. Not thread-safe (called before any trial thread starts). */
#ifndef AS_LOADER_H
#define AS_LOADER_H

#include <stddef.h>

#include "../allocators/allocscope_module.h"
#include "status.h"

typedef struct as_loaded {
	void *handle;           /* dlopen handle */
	const as_module_t *mod; /* validated vtable */
	char path[4096];        /* resolved file */
} as_loaded_t;

/* 1 when NAME names a file (a '/' in it, or ending in ".so"), 0 when it
 * names a module to look up. */
int as_module_is_path(const char *name);
/* as_module_foreach callback: adds the module file PATH's name to the
 * as_suggest_t at CTX (the "did you mean" of a mistyped module) */
void as_module_suggest(const char *path, void *ctx);

/* Resolve a module name or path to a file. A spec containing '/' or ending
 * in ".so" is a path; otherwise NAME is looked up as NAME.so (and
 * libas_NAME.so) in each folder of $ALLOCSCOPE_MODULE_PATH (':'-separated),
 * then in the build's/installed module folder. Returns AS_OK and the path,
 * or AS_ERR_NOT_FOUND with the places searched in err. */
as_status_t as_module_resolve(const char *name, char *path, size_t pathlen, char *err,
                              size_t errlen);

/* Resolve, dlopen(RTLD_NOW|RTLD_LOCAL) and validate (entry symbol, ABI
 * version, struct size, required operations, reset present when claimed,
 * size of its param spec entries when it has params, and for a module asked
 * for by NAME, not by path, that its vtable's name is NAME).
 * Returns AS_OK with *out filled, or the refusal's status with
 * "PATH: reason" in err (the handle is closed again). */
as_status_t as_module_load(const char *name, as_loaded_t *out, char *err, size_t errlen);

/* Bytes between the module's params[] entries: its param_spec_size, or
 * AS_PARAM_SPEC_SIZE_V1 for a module that does not state one. */
uint32_t as_module_param_spec_size(const as_module_t *m);

/* The params grammar version the module's create() parses (1 when it does
 * not say). */
uint32_t as_module_params_version(const as_module_t *m);

/* Copy entry i (< m->nparams) of the module's params[] into *out, stepping
 * by the module's entry size; fields the module's entries do not have are
 * zero. Use this, never m->params[i], for a loaded module. */
void as_module_param(const as_module_t *m, uint32_t i, as_param_spec_t *out);

/* Whether every key given in spec `module` is one the module declares in
 * params[] (the keys `list` shows): 0, or -1 with "unknown key 'K' (known:
 * a b c)" or "unknown key 'K' (it declares no params)" in err. Checked
 * before create() and params_env see the params, so a module that ignores
 * its params string cannot run a misspelt key as the defaults. */
struct as_spec;
int as_module_keys_declared(const as_module_t *mod, const struct as_spec *module, char *err,
                            size_t errlen);

/* After a module refused the params of spec `module` (in create or
 * params_env): "; did you mean 'KEY'?" in out for the first given key the
 * module does not declare, when a declared one is close; else "". */
const char *as_module_suggest_param(const as_module_t *mod, const struct as_spec *module, char *out,
                                    size_t len);

/* The folders searched by default, ':'-separated, for messages and `list`. */
const char *as_module_dir(void);

/* Find a preload library shipped with the CLI (as_exec.so,
 * allocscope_capture.so): <exe>/../lib/allocscope-preload/NAME in the build
 * and install trees alike, then the configured install folder. Writes the
 * absolute path; returns 0, or -1 (out then holds the last place tried). */
int as_find_preload(const char *name, char *out, size_t len);

/* The name a module file on the search path is found by: "x/NAME.so" or
 * "x/libas_NAME.so" -> NAME. Returns 0, or -1 when path is not such a file
 * name or NAME does not fit in len. */
int as_module_file_name(const char *path, char *name, size_t len);

/* List every module file found on the search path, calling fn(path, ctx). */
void as_module_foreach(void (*fn)(const char *path, void *ctx), void *ctx);

#endif /* AS_LOADER_H */
