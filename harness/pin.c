/* pin.c - see pin.h. */
#define _GNU_SOURCE
#include "pin.h"

#include <hwloc.h>
#include <hwloc/glibc-sched.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>

#include "../workloads/opstream.h"

static as_pin_t policy;
static cpu_set_t sets[AS_MAX_THREADS];
static char desc[AS_MAX_THREADS][32];

int as_pin_parse(const char *s, as_pin_t *out)
{
	if (!strcmp(s, "none"))
		*out = AS_PIN_NONE;
	else if (!strcmp(s, "compact"))
		*out = AS_PIN_COMPACT;
	else if (!strcmp(s, "scatter"))
		*out = AS_PIN_SCATTER;
	else
		return -1;
	return 0;
}

const char *as_pin_name(as_pin_t p)
{
	return p == AS_PIN_COMPACT ? "compact" : p == AS_PIN_SCATTER ? "scatter" : "none";
}

int as_pin_plan(as_pin_t p, uint32_t nthreads, char *why, size_t len)
{
	hwloc_topology_t topo;
	int npu, rc = -1;
	policy = p;
	for (uint32_t t = 0; t < nthreads && t < AS_MAX_THREADS; t++)
		snprintf(desc[t], sizeof(desc[t]), "none");
	if (p == AS_PIN_NONE)
		return 0;
	if (hwloc_topology_init(&topo) != 0)
		goto out_nolib;
#if HWLOC_API_VERSION >= 0x00020100 /* the flag, an enum, came in hwloc 2.1 */
	/* only the CPUs the process may run on (taskset, a cpuset): the
	 * whole machine's put thread 0 on CPU 0 under `taskset -c 1` (an
	 * outside review) */
	hwloc_topology_set_flags(topo, HWLOC_TOPOLOGY_FLAG_RESTRICT_TO_CPUBINDING |
	                                   HWLOC_TOPOLOGY_FLAG_IS_THISSYSTEM);
#endif
	if (hwloc_topology_load(topo) != 0)
		goto out_destroy;
	npu = hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_PU);
	if (npu <= 0)
		goto out_destroy;
	for (uint32_t t = 0; t < nthreads; t++) {
		hwloc_obj_t pu;
		if (p == AS_PIN_COMPACT) {
			/* logical PU order follows the tree: cores, then packages */
			pu = hwloc_get_obj_by_type(topo, HWLOC_OBJ_PU,
			                           (unsigned)(t % (uint32_t)npu));
		} else {
			/* scatter: hwloc_distrib spreads over the widest level first */
			hwloc_cpuset_t cs[AS_MAX_THREADS];
			hwloc_obj_t root = hwloc_get_root_obj(topo);
			unsigned n = nthreads < (uint32_t)npu ? nthreads : (unsigned)npu;
			hwloc_distrib(topo, &root, 1, cs, n, INT_MAX, 0);
			for (unsigned i = 0; i < n; i++)
				hwloc_bitmap_singlify(cs[i]);
			pu = hwloc_get_obj_inside_cpuset_by_type(topo, cs[t % n], HWLOC_OBJ_PU, 0);
			for (unsigned i = 0; i < n; i++)
				hwloc_bitmap_free(cs[i]);
		}
		if (!pu)
			goto out_destroy;
		hwloc_cpuset_to_glibc_sched_affinity(topo, pu->cpuset, &sets[t], sizeof(sets[t]));
	}
	rc = 0;
out_destroy:
	hwloc_topology_destroy(topo);
out_nolib:
	if (rc != 0)
		snprintf(why, len, "hwloc could not compute a %s binding", as_pin_name(p));
	return rc;
}

/* "0-3,6" from a cpu set, without allocating. */
static void format_set(const cpu_set_t *cs, char *out, size_t len)
{
	size_t n = 0;
	out[0] = '\0';
	for (int c = 0; c < CPU_SETSIZE && n + 12 < len; c++) {
		int e = c;
		if (!CPU_ISSET(c, cs))
			continue;
		while (e + 1 < CPU_SETSIZE && CPU_ISSET(e + 1, cs))
			e++;
		n += (size_t)snprintf(out + n, len - n, n ? ",%d" : "%d", c);
		if (e > c)
			n += (size_t)snprintf(out + n, len - n, "-%d", e);
		c = e;
	}
}

int as_pin_apply(uint32_t t)
{
	cpu_set_t now;
	int rc = 0;
	if (t >= AS_MAX_THREADS)
		return -1;
	if (policy != AS_PIN_NONE && sched_setaffinity(0, sizeof(sets[t]), &sets[t]) != 0)
		rc = -1;
	/* record what the kernel actually applied, and a binding it refused
	 * (a CPU the process may not use): the row's cpu_binding marks it */
	if (sched_getaffinity(0, sizeof(now), &now) == 0)
		format_set(&now, desc[t], sizeof(desc[t]));
	if (rc != 0) { /* "0-1!": a short mark, no space: cpu_binding splits on spaces */
		size_t n = strlen(desc[t]);
		snprintf(desc[t] + n, sizeof(desc[t]) - n, "!");
	}
	return rc;
}

void as_pin_allowed(char *out, size_t len)
{
	cpu_set_t now;
	if (sched_getaffinity(0, sizeof(now), &now) == 0)
		format_set(&now, out, len);
	else
		snprintf(out, len, "unknown");
}

const char *as_pin_desc(uint32_t t)
{
	return t < AS_MAX_THREADS ? desc[t] : "none";
}
