/* statictls.h - make room for modules whose library uses initial-exec TLS.
 * Debian's libjemalloc.so.2 is built with STATIC_TLS (2.6 KiB of it), and
 * glibc reserves only 512 bytes of static TLS for objects dlopen()ed later,
 * so loading jemalloc.so fails with "cannot allocate memory in static TLS
 * block". The cure is the glibc tunable glibc.rtld.optional_static_tls, read
 * once at process start: as_static_tls_reexec() sets it and re-executes the
 * program once, and every worker inherits it. */
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

#endif /* AS_STATICTLS_H */
