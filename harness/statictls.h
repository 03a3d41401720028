/* statictls.h - make room for modules whose library uses initial-exec TLS.
 * Debian's libjemalloc.so.2 is built with STATIC_TLS (2.6 KiB of it), and
 * glibc reserves only 512 bytes of static TLS for objects dlopen()ed later,
 * so loading jemalloc.so fails with "cannot allocate memory in static TLS
 * block". The cure is the glibc tunable glibc.rtld.optional_static_tls, read
 * once at process start: as_static_tls_reexec() sets it and re-executes the
 * program once, and every worker inherits it. Programs run by `exec`,
 * `capture` and `tune --verify` do not see it (as_static_tls_strip): a module that needs it is
 * preloaded there instead (its static TLS is then part of the program's initial block). */
#ifndef AS_STATICTLS_H
#define AS_STATICTLS_H

/* Bytes of static TLS asked for (jemalloc needs 2632; room to spare). */
#define AS_STATIC_TLS_BYTES 16384

/* If GLIBC_TUNABLES does not already set glibc.rtld.optional_static_tls,
 * set it and execv("/proc/self/exe", argv). Returns only when nothing was
 * to be done (0) or the exec failed (-1: carry on; such modules then fail to
 * load with the loader's one-line reason). ALLOCSCOPE_NO_REEXEC=1 disables
 * it. Call first thing in main(), before any thread or module exists. */
int as_static_tls_reexec(char **argv);

/* Take out of this process's environment what as_static_tls_reexec() added
 * (that one GLIBC_TUNABLES item, nothing the user or a module set), before
 * it is handed to a program that is not allocscope. Returns 0 or -1. */
int as_static_tls_strip(void);

/* Whether a process started without the tunable can dlopen() the module at
 * `path`: runs `allocscope __dlopen PATH` (as_static_tls_probe_main) with
 * this process's environment (strip it first). 1 yes, 0 no (its libraries
 * need more static TLS than glibc keeps for dlopen: 512 bytes by default),
 * -1 the probe could not run. */
int as_static_tls_fits(const char *path);

/* `allocscope __dlopen PATH`: exit 0 when PATH can be dlopen()ed, else 1. */
int as_static_tls_probe_main(const char *path);

#endif /* AS_STATICTLS_H */
