/* allocenv.c - see allocenv.h. */
#define _GNU_SOURCE
#include "allocenv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"

extern char **environ;

static const char left_out_var[] = "ALLOCSCOPE_ENV_LEFT_OUT";

/* glibc's malloc variables (mallopt's environment names), jemalloc's,
 * mimalloc's and gperftools' tcmalloc's */
static const char *const exact[] = {"MALLOC_ARENA_MAX", "MALLOC_ARENA_TEST",      "MALLOC_CHECK_",
                                    "MALLOC_MMAP_MAX_", "MALLOC_MMAP_THRESHOLD_", "MALLOC_PERTURB_",
                                    "MALLOC_TOP_PAD_",  "MALLOC_TRIM_THRESHOLD_", "MALLOC_CONF",
                                    "JE_MALLOC_CONF"};
static const char *const prefixes[] = {"MIMALLOC_", "TCMALLOC_"};

static int is_allocator_var(const char *name, size_t len)
{
	for (size_t i = 0; i < sizeof(exact) / sizeof(exact[0]); i++)
		if (strlen(exact[i]) == len && !strncmp(name, exact[i], len))
			return 1;
	for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++)
		if (len > strlen(prefixes[i]) && !strncmp(name, prefixes[i], strlen(prefixes[i])))
			return 1;
	return 0;
}

/* GLIBC_TUNABLES without its glibc.malloc.* items (the others, such as the
 * static-TLS item the re-exec adds, stay); the removed items go to out. */
static void strip_tunables(as_buf_t *out)
{
	const char *cur = getenv("GLIBC_TUNABLES");
	as_buf_t keep = {0}, gone = {0};
	char *copy, *save = NULL;
	if (!cur || !strstr(cur, "glibc.malloc."))
		return;
	copy = strdup(cur);
	if (!copy)
		return;
	for (char *it = strtok_r(copy, ":", &save); it; it = strtok_r(NULL, ":", &save)) {
		as_buf_t *to = strncmp(it, "glibc.malloc.", 13) ? &keep : &gone;
		as_buf_printf(to, "%s%s", to->len ? ":" : "", it);
	}
	if (keep.len)
		setenv("GLIBC_TUNABLES", keep.data, 1);
	else
		unsetenv("GLIBC_TUNABLES");
	as_buf_printf(out, "%sGLIBC_TUNABLES items %s", out->len ? "; " : "", gone.data);
	as_buf_free(&keep);
	as_buf_free(&gone);
	free(copy);
}

void as_allocenv_strip(void)
{
	as_buf_t out = {0};
	const char *before = getenv(left_out_var);
	char *names[64];
	int n = 0;
	if (before && *before)
		as_buf_printf(&out, "%s", before);
	for (char **e = environ; *e && n < 64; e++) {
		const char *eq = strchr(*e, '=');
		if (eq && is_allocator_var(*e, (size_t)(eq - *e))) {
			as_buf_printf(&out, "%s%s", out.len ? "; " : "", *e);
			names[n++] = strndup(*e, (size_t)(eq - *e));
		}
	}
	for (int i = 0; i < n; i++) {
		if (names[i])
			unsetenv(names[i]);
		free(names[i]);
	}
	strip_tunables(&out);
	if (out.len && (!before || strcmp(before, out.data))) {
		fprintf(stderr,
		        "allocscope: left out of the trials' environment (allocators run on their "
		        "defaults and -a params; context.csv environment_left_out): %s\n",
		        out.data);
		setenv(left_out_var, out.data, 1);
	}
	as_buf_free(&out);
}

const char *as_allocenv_left_out(void)
{
	const char *v = getenv(left_out_var);
	return v ? v : "";
}
