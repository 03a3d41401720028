/* allocscope_env.h - helpers for a module's params_env and preload_library
 * (allocscope_module.h): build "NAME=VALUE\n" lines into a caller's buffer
 * with one overflow check at the end, and find the shared library a symbol
 * came from. Header-only, like allocscope_params.h, so a third-party module
 * needs nothing but the installed headers. Not part of the vtable ABI. */
#ifndef ALLOCSCOPE_ENV_H
#define ALLOCSCOPE_ENV_H

#include <dlfcn.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

/* A buffer being filled: w counts every byte asked for, so a short buffer is
 * seen once, at as_env_done. */
typedef struct as_envbuf {
	char *buf;
	size_t len, w;
} as_envbuf_t;

static inline void as_env_init(as_envbuf_t *e, char *buf, size_t len)
{
	e->buf = buf;
	e->len = len;
	e->w = 0;
	if (len)
		buf[0] = '\0';
}

/* Append printf-formatted text. */
__attribute__((format(printf, 2, 3))) static inline void as_env_add(as_envbuf_t *e, const char *fmt,
                                                                    ...)
{
	va_list ap;
	int n;
	va_start(ap, fmt);
	n = vsnprintf(e->buf + (e->w < e->len ? e->w : e->len), e->w < e->len ? e->len - e->w : 0,
	              fmt, ap);
	va_end(ap);
	if (n > 0)
		e->w += (size_t)n;
}

/* Append "NAME=" before the first item of a list variable and `sep` before
 * every later one (GLIBC_TUNABLES=a=1:b=2, MALLOC_CONF=a:1,b:2); *items
 * counts the items so far. */
static inline void as_env_item(as_envbuf_t *e, int *items, const char *name, char sep)
{
	if ((*items)++)
		as_env_add(e, "%c", sep);
	else
		as_env_add(e, "%s=", name);
}

/* End the current line when `items` is non-zero, then check the fit.
 * Returns 0, or -1 with the reason in err. */
static inline int as_env_done(as_envbuf_t *e, int items, char *err, size_t errlen)
{
	if (items)
		as_env_add(e, "\n");
	if (e->len == 0 || e->w >= e->len) {
		snprintf(err, errlen, "environment lines longer than %zu bytes", e->len);
		return -1;
	}
	return 0;
}

/* The file of the shared library that holds `sym` (dladdr), copied into
 * path; NULL when it cannot be told. */
static inline const char *as_library_of(void *sym, char *path, size_t len)
{
	Dl_info info;
	if (!path[0] && dladdr(sym, &info) && info.dli_fname)
		snprintf(path, len, "%s", info.dli_fname);
	return path[0] ? path : NULL;
}

#ifdef __cplusplus
}
#endif
#endif /* ALLOCSCOPE_ENV_H */
