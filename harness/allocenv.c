/* allocenv.c - see allocenv.h. */
#define _GNU_SOURCE
#include "allocenv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "buf.h"
#include "oom.h"

extern char **environ;

static const char left_out_var[] = "ALLOCSCOPE_ENV_LEFT_OUT";
/* what was left out, kept here once the variable has carried it across
 * the re-exec (as_allocenv_settle) */
static char left_out[8192];

/* glibc's malloc variables (mallopt's environment names), jemalloc's,
 * mimalloc's and gperftools' tcmalloc's */
static const char *const exact[] = {"MALLOC_ARENA_MAX", "MALLOC_ARENA_TEST",      "MALLOC_CHECK_",
                                    "MALLOC_MMAP_MAX_", "MALLOC_MMAP_THRESHOLD_", "MALLOC_PERTURB_",
                                    "MALLOC_TOP_PAD_",  "MALLOC_TRIM_THRESHOLD_", "MALLOC_CONF",
                                    "JE_MALLOC_CONF"};
/* mimalloc reads its variables whatever their case (mi_getenv compares
 * with _mi_strnicmp): mimalloc_verbose is MIMALLOC_VERBOSE, and came before
 * the module's own in environ (an outside review) */
static const char *const prefixes[] = {"MIMALLOC_", "TCMALLOC_"};
static const int prefix_nocase[] = {1, 0};

static int is_allocator_var(const char *name, size_t len)
{
	for (size_t i = 0; i < sizeof(exact) / sizeof(exact[0]); i++)
		if (strlen(exact[i]) == len && !strncmp(name, exact[i], len))
			return 1;
	for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++) {
		size_t pl = strlen(prefixes[i]);
		if (len > pl && (prefix_nocase[i] ? !strncasecmp(name, prefixes[i], pl)
		                                  : !strncmp(name, prefixes[i], pl)))
			return 1;
	}
	return 0;
}

/* Every GLIBC_TUNABLES entry of environ (glibc parses each one, getenv
 * sees the first) merged into one without its glibc.malloc.* items (the
 * others, such as the static-TLS item the re-exec adds, stay); the
 * removed items go to out. */
static void strip_tunables(as_buf_t *out)
{
	static const char name[] = "GLIBC_TUNABLES=";
	as_buf_t keep = {0}, gone = {0};
	for (char **e = environ; *e; e++) {
		char *copy, *save = NULL;
		if (strncmp(*e, name, sizeof(name) - 1))
			continue;
		copy = as_xstrdup(*e + sizeof(name) - 1, "an environment variable's value");
		for (char *it = strtok_r(copy, ":", &save); it; it = strtok_r(NULL, ":", &save)) {
			as_buf_t *to = strncmp(it, "glibc.malloc.", 13) ? &keep : &gone;
			as_buf_printf(to, "%s%s", to->len ? ":" : "", it);
		}
		free(copy);
	}
	if (gone.len) {
		unsetenv("GLIBC_TUNABLES"); /* every entry of the name */
		if (keep.len)
			setenv("GLIBC_TUNABLES", keep.data, 1);
		as_buf_printf(out, "%sGLIBC_TUNABLES items %s", out->len ? "; " : "", gone.data);
	}
	as_buf_free(&keep);
	as_buf_free(&gone);
}

void as_allocenv_strip(void)
{
	as_buf_t out = {0};
	const char *before = getenv(left_out_var);
	char **names = NULL;
	size_t n = 0;
	if (before && *before)
		as_buf_printf(&out, "%s", before);
	for (char **e = environ; *e; e++) {
		const char *eq = strchr(*e, '=');
		if (eq && is_allocator_var(*e, (size_t)(eq - *e))) {
			as_buf_printf(&out, "%s%s", out.len ? "; " : "", *e);
			names = as_xrealloc(names, (n + 1) * sizeof(*names),
			                    "the allocator environment variables' names");
			names[n++] =
			    as_xstrndup(*e, (size_t)(eq - *e), "an environment variable's name");
		}
	}
	for (size_t i = 0; i < n; i++) {
		unsetenv(names[i]);
		free(names[i]);
	}
	free(names);
	strip_tunables(&out);
	snprintf(left_out, sizeof(left_out), "%s", out.len ? out.data : "");
	if (out.len && (!before || strcmp(before, out.data))) {
		fprintf(stderr,
		        "allocscope: left out of the trials' environment (allocators run on their "
		        "defaults and -a params; context.csv environment_left_out): %s\n",
		        out.data);
		setenv(left_out_var, out.data, 1);
	}
	as_buf_free(&out);
}

void as_allocenv_kept(char *out, size_t len)
{
	static const char *const vars[] = {"LD_PRELOAD", "LD_LIBRARY_PATH"};
	as_buf_t b = {0};
	const char *t = getenv("GLIBC_TUNABLES");
	for (size_t i = 0; i < sizeof(vars) / sizeof(vars[0]); i++) {
		const char *v = getenv(vars[i]);
		if (v && *v)
			as_buf_printf(&b, "%s%s=%s", b.len ? "; " : "", vars[i], v);
	}
	/* hwloc's settings that change the topology the context records and
	 * the bindings --pin computes (HWLOC_SYNTHETIC gave 4 PUs on a 2-PU
	 * machine, unrecorded: an outside review); not the ones that do not
	 * (HWLOC_HIDE_ERRORS) */
	static const char *const hwloc[] = {"HWLOC_SYNTHETIC",  "HWLOC_XMLFILE",    "HWLOC_FSROOT",
	                                    "HWLOC_THISSYSTEM", "HWLOC_COMPONENTS", "HWLOC_ALLOW",
	                                    "HWLOC_CPUID_PATH"};
	for (size_t i = 0; i < sizeof(hwloc) / sizeof(hwloc[0]); i++) {
		const char *v = getenv(hwloc[i]);
		if (v)
			as_buf_printf(&b, "%s%s=%s", b.len ? "; " : "", hwloc[i], v);
	}
	if (t && *t) {
		char *copy = as_xstrdup(t, "an environment variable's value"), *save = NULL;
		int items = 0;
		for (char *it = strtok_r(copy, ":", &save); it; it = strtok_r(NULL, ":", &save)) {
			if (!strncmp(it, "glibc.rtld.optional_static_tls=", 31))
				continue; /* allocscope's own (statictls.c) */
			as_buf_printf(&b, "%s%s",
			              items++ ? ":"
			              : b.len ? "; GLIBC_TUNABLES="
			                      : "GLIBC_TUNABLES=",
			              it);
		}
		free(copy);
	}
	snprintf(out, len, "%s", b.len ? b.data : "none");
	as_buf_free(&b);
}

void as_allocenv_settle(void)
{
	unsetenv(left_out_var);
}

const char *as_allocenv_left_out(void)
{
	return left_out;
}
