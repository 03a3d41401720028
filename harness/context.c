/* context.c - see context.h. The topology comes from hwloc, never from
 * parsing sysfs by hand. */
#define _GNU_SOURCE
#include "context.h"

#include <gnu/libc-version.h>
#include <hwloc.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#ifndef AS_BUILD_TYPE
#define AS_BUILD_TYPE "unknown"
#endif
#ifndef AS_C_FLAGS
#define AS_C_FLAGS ""
#endif
#ifndef AS_SOURCE_DIR
#define AS_SOURCE_DIR "."
#endif

void as_context_begin(as_buf_t *b)
{
	as_buf_add(b, "key,value\n", 10);
}

void as_context_add(as_buf_t *b, const char *key, const char *value)
{
	as_buf_csv_str(b, key, 0);
	as_buf_csv_str(b, value ? value : "", 1);
	as_buf_add(b, "\n", 1);
}

void as_context_addf(as_buf_t *b, const char *key, const char *fmt, ...)
{
	char v[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(v, sizeof(v), fmt, ap);
	va_end(ap);
	as_context_add(b, key, v);
}

static void cpu_model(char *out, size_t len)
{
	FILE *f = fopen("/proc/cpuinfo", "r");
	char line[512];
	snprintf(out, len, "unknown");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, "model name", 10)) {
			char *c = strchr(line, ':');
			if (c) {
				c += 2;
				c[strcspn(c, "\n")] = '\0';
				snprintf(out, len, "%s", c);
			}
			break;
		}
	}
	fclose(f);
}

static void git_revision(char *out, size_t len)
{
	char cmd[4200];
	FILE *p;
	snprintf(out, len, "unknown");
	snprintf(cmd, sizeof(cmd), "git -C '%s' describe --always --dirty --abbrev=12 2>/dev/null",
	         AS_SOURCE_DIR);
	p = popen(cmd, "r");
	if (!p)
		return;
	if (fgets(out, (int)len, p))
		out[strcspn(out, "\n")] = '\0';
	else
		snprintf(out, len, "unknown");
	pclose(p);
}

static void topology(as_buf_t *b, unsigned max_threads)
{
	hwloc_topology_t topo;
	int pus;
	if (hwloc_topology_init(&topo) != 0 || hwloc_topology_load(topo) != 0) {
		as_context_add(b, "hwloc", "topology could not be loaded");
		return;
	}
	as_context_addf(b, "hwloc_version", "%s", HWLOC_VERSION);
	as_context_addf(b, "packages", "%d", hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_PACKAGE));
	as_context_addf(b, "numa_nodes", "%d", hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_NUMANODE));
	as_context_addf(b, "cores", "%d", hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_CORE));
	pus = hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_PU);
	as_context_addf(b, "pus", "%d", pus);
	for (hwloc_obj_type_t t = HWLOC_OBJ_L1CACHE; t <= HWLOC_OBJ_L3CACHE; t++) {
		hwloc_obj_t o = hwloc_get_obj_by_type(topo, t, 0);
		char key[32];
		if (!o || !o->attr)
			continue;
		snprintf(key, sizeof(key), "l%u_cache_bytes", o->attr->cache.depth);
		if (t == HWLOC_OBJ_L1CACHE && o->attr->cache.type == HWLOC_OBJ_CACHE_INSTRUCTION)
			continue;
		as_context_addf(b, key, "%llu", (unsigned long long)o->attr->cache.size);
		snprintf(key, sizeof(key), "l%u_cache_count", o->attr->cache.depth);
		as_context_addf(b, key, "%d", hwloc_get_nbobjs_by_type(topo, t));
	}
	if (pus > 0 && max_threads > (unsigned)pus)
		as_context_addf(b, "warning_threads",
		                "%u threads requested on %d processing units: results include "
		                "time-slicing",
		                max_threads, pus);
	hwloc_topology_destroy(topo);
}

void as_context_machine(as_buf_t *b, unsigned max_threads)
{
	char buf[512];
	struct utsname u;
	time_t now = time(NULL);

	if (gethostname(buf, sizeof(buf)) == 0)
		as_context_add(b, "host", buf);
	cpu_model(buf, sizeof(buf));
	as_context_add(b, "cpu_model", buf);
	if (uname(&u) == 0) {
		as_context_addf(b, "kernel", "%s %s", u.sysname, u.release);
		as_context_add(b, "arch", u.machine);
	}
	as_context_add(b, "glibc", gnu_get_libc_version());
	as_context_addf(b, "page_bytes", "%ld", sysconf(_SC_PAGESIZE));
	topology(b, max_threads);
	as_context_add(b, "compiler", "gcc-compatible " __VERSION__);
	as_context_add(b, "build_type", AS_BUILD_TYPE);
	as_context_add(b, "c_flags", AS_C_FLAGS);
	git_revision(buf, sizeof(buf));
	as_context_add(b, "git_revision", buf);
	strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
	as_context_add(b, "date_utc", buf);
	if (strcmp(AS_BUILD_TYPE, "Release") && strcmp(AS_BUILD_TYPE, "RelWithDebInfo"))
		as_context_add(b, "warning_build",
		               "not an optimised build: timings are not representative");
}
