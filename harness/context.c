/* context.c - see context.h. The topology comes from hwloc, never from
 * parsing sysfs by hand. */
#define _GNU_SOURCE
#include "context.h"

#include <ctype.h>
#include <fcntl.h>
#include <gnu/libc-version.h>
#include <hwloc.h>
#include <limits.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "../workloads/trace.h"
#include "allocenv.h"
#include "libc_count.h"
#include "libc_probe.h"
#include "loader.h"
#include "modenv.h"
#include "pin.h"
#include "results_format.h"
#include "syscount.h"
#include "trials_read.h"
#include "trial_types.h"
#include "version.h"
#include "oom.h"

#ifndef AS_C_FLAGS
#define AS_C_FLAGS ""
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

/* The value after "KEY\t*: " on /proc/cpuinfo's first processor's line,
 * into out ("" when absent); flags: whether its flags list `hypervisor`. */
static void cpuinfo(const char *key, char *out, size_t len, int *hypervisor)
{
	FILE *f = fopen("/proc/cpuinfo", "r");
	char line[4096];
	size_t n = strlen(key);
	out[0] = '\0';
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		char *c = strchr(line, ':');
		if (line[0] == '\n')
			break; /* the first processor's block only */
		if (!c)
			continue;
		if (hypervisor && !strncmp(line, "flags", 5))
			*hypervisor = strstr(c, " hypervisor") != NULL;
		if (!strncmp(line, key, n) && line + n + strspn(line + n, " \t") == c) {
			c += 1 + (c[1] == ' ');
			c[strcspn(c, "\n")] = '\0';
			snprintf(out, len, "%s", c);
		}
	}
	fclose(f);
}

/* First line of PATH into out, "" when it cannot be read; with BRACKET,
 * the [selected] word of a sysfs choice ("always [madvise] never"). */
static void first_line(const char *path, char *out, size_t len, int bracket)
{
	FILE *f = fopen(path, "r");
	char *o, *cl;
	out[0] = '\0';
	if (!f)
		return;
	if (!fgets(out, (int)len, f))
		out[0] = '\0';
	fclose(f);
	out[strcspn(out, "\n")] = '\0';
	if (bracket && (o = strchr(out, '[')) && (cl = strchr(o, ']'))) {
		*cl = '\0';
		memmove(out, o + 1, strlen(o + 1) + 1);
	}
}

/* /proc/meminfo's KEY in KiB, -1 when absent. */
static long long meminfo_kib(const char *key)
{
	FILE *f = fopen("/proc/meminfo", "r");
	char line[256];
	long long v = -1;
	size_t n = strlen(key);
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, n) && line[n] == ':') {
			v = strtoll(line + n + 1, NULL, 10);
			break;
		}
	fclose(f);
	return v;
}

/* The git revision a resumed run began with, when another build resumes
 * it (context.csv git_revision_began); "" otherwise. */
static char began_revision[64];

/* What a paper needs of the machine beside the topology (an outside
 * review listed them missing): the CPU's family, model and stepping
 * (the model name of a VM is often generic), whether it is a guest,
 * memory and swap, the kernel settings that move memory figures
 * (transparent huge pages, overcommit, ASLR), the CPUs this process may
 * use, and glibc's distribution build. */
static void machine_more(as_buf_t *b)
{
	char v[512], w[512];
	int guest = 0;
	long long kib;
	FILE *p;
	cpuinfo("cpu family", v, sizeof(v), &guest);
	if (*v) {
		char model[64], step[64];
		cpuinfo("model", model, sizeof(model), NULL);
		cpuinfo("stepping", step, sizeof(step), NULL);
		as_context_addf(b, "cpu_family_model_stepping", "%s/%s/%s", v, model, step);
	}
	cpuinfo("cpu MHz", v, sizeof(v), NULL);
	if (*v)
		as_context_add(b, "cpu_mhz", v);
	as_context_add(b, "virtualized",
	               guest ? "yes (the CPU flags list hypervisor)" : "no hypervisor flag");
	if ((kib = meminfo_kib("MemTotal")) >= 0)
		as_context_addf(b, "mem_total_kib", "%lld", kib);
	if ((kib = meminfo_kib("SwapTotal")) >= 0)
		as_context_addf(b, "swap_total_kib", "%lld", kib);
	first_line("/sys/kernel/mm/transparent_hugepage/enabled", v, sizeof(v), 1);
	first_line("/sys/kernel/mm/transparent_hugepage/defrag", w, sizeof(w), 1);
	if (*v)
		as_context_addf(b, "transparent_hugepages", "enabled %s, defrag %s", v,
		                *w ? w : "?");
	first_line("/proc/sys/vm/overcommit_memory", v, sizeof(v), 0);
	if (*v)
		as_context_add(b, "vm_overcommit_memory", v);
	first_line("/proc/sys/kernel/randomize_va_space", v, sizeof(v), 0);
	if (*v)
		as_context_add(b, "aslr_randomize_va_space", v);
	as_pin_allowed(v, sizeof(v));
	as_context_add(b, "cpus_allowed", v);
	/* "ldd (Debian GLIBC 2.36-9+deb12u14) 2.36": the package's patch
	 * level, which gnu_get_libc_version's 2.36 does not say */
	if ((p = popen("ldd --version 2>/dev/null", "r"))) {
		if (fgets(v, sizeof(v), p)) {
			v[strcspn(v, "\n")] = '\0';
			as_context_add(b, "glibc_build", v);
		}
		while (fgets(w, sizeof(w), p))
			;
		pclose(p);
	}
}

static void cpu_model(char *out, size_t len)
{
	cpuinfo("model name", out, len, NULL);
	if (!*out)
		snprintf(out, len, "unknown");
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
		if (t == HWLOC_OBJ_L1CACHE && o->attr->cache.linesize)
			as_context_addf(b, "cache_line_bytes", "%u", o->attr->cache.linesize);
	}
	{
		hwloc_obj_t o = hwloc_get_obj_by_type(topo, HWLOC_OBJ_L1ICACHE, 0);
		if (o && o->attr)
			as_context_addf(b, "l1i_cache_bytes", "%llu",
			                (unsigned long long)o->attr->cache.size);
	}
	{
		/* the PUs this process may run on (taskset, a batch system's
		 * cpuset), which hwloc still counts in pus: 2 threads on 1
		 * allowed PU time-sliced with nothing said */
		cpu_set_t now;
		int allowed = pus;
		if (sched_getaffinity(0, sizeof(now), &now) == 0 && CPU_COUNT(&now) < pus)
			allowed = CPU_COUNT(&now);
		if (allowed > 0 && allowed < pus && max_threads > (unsigned)allowed)
			as_context_addf(
			    b, "warning_threads",
			    "%u threads requested on %d processing units allowed to this "
			    "process (cpus_allowed; %d in the machine): results include "
			    "time-slicing",
			    max_threads, allowed, pus);
		else if (pus > 0 && max_threads > (unsigned)pus)
			as_context_addf(b, "warning_threads",
			                "%u threads requested on %d processing units: results "
			                "include time-slicing",
			                max_threads, pus);
	}
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
	machine_more(b);
	as_context_add(b, "compiler", "gcc-compatible " __VERSION__);
	as_context_add(b, "build_type", as_version_build_type());
	as_context_add(b, "c_flags", &AS_C_FLAGS[strspn(AS_C_FLAGS, " ")]);
	/* the build's revision, the same as --version's (not the source tree's now) */
	as_context_add(b, "git_revision", as_version_git());
	if (began_revision[0])
		as_context_add(b, "git_revision_began", began_revision);
	as_context_add(b, "version", as_version());
	strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
	as_context_add(b, "date_utc", buf);
	if (strcmp(as_version_build_type(), "Release") &&
	    strcmp(as_version_build_type(), "RelWithDebInfo"))
		as_context_add(b, "warning_build",
		               "not an optimised build: timings are not representative");
}

/* How trials.csv libc_calls is counted: the executable's wrappers, and the
 * uprobes behind them where the run can hold them (libc_probe.h). */
static void libc_calls_probe(as_buf_t *ctx)
{
	char why[512];
	if (!as_libc_wrap_range)
		as_context_add(ctx, "libc_calls_probe",
		               "n/a: this program has no counting malloc wrappers (a sanitizer "
		               "build: libc_calls n/a)");
	else if (as_libc_probe_hold(why, sizeof(why)) == 0)
		as_context_add(ctx, "libc_calls_probe",
		               "uprobes on libc.so.6's malloc family (tracefs uprobe events, "
		               "perf_event_open, inherit=1): calls that bypass the executable's "
		               "wrappers (dlsym(RTLD_NEXT), dlvsym, RTLD_DEEPBIND) count in "
		               "libc_calls; not in the glibc module's trials, which call glibc's "
		               "malloc on purpose (AS_CAP_LIBC_MALLOC)");
	else
		as_context_addf(ctx, "libc_calls_probe",
		                "n/a: %s; libc_calls counts the executable's wrappers alone "
		                "(dlsym(RTLD_NEXT), dlvsym, RTLD_DEEPBIND unseen)",
		                why);
}

static void measurement_context(as_buf_t *ctx, const as_run_cfg_t *cfg, const as_timer_info_t *ti)
{
	char why[512];
	as_context_add(ctx, "timer_source", ti->source);
	as_context_addf(ctx, "timer_ns_per_tick", "%.6g", ti->ns_per_tick);
	as_context_addf(ctx, "timer_floor_ns", "%.3g", ti->floor_ns);
	as_context_addf(ctx, "timer_jump_ns", "%.3g", ti->jump_ns);
	as_context_addf(ctx, "timer_read_ns", "%.3g", ti->read_cost_ns);
	if (!strcmp(ti->source, "rdtsc")) {
		as_context_addf(ctx, "timer_calibration_ms", "%.1f", ti->span_ms);
		as_context_addf(ctx, "timer_calibration_wait_ms", "%.1f", ti->wait_ms);
	}
	if (ti->why[0])
		as_context_add(ctx, "warning_timer", ti->why);
	if (!cfg->latency_every)
		as_context_add(ctx, "latency_every", "off (--latency 0)");
	else
		as_context_addf(ctx, "latency_every", "%llu",
		                (unsigned long long)cfg->latency_every);
	if (cfg->sample_every == AS_SAMPLE_AUTO)
		as_context_addf(ctx, "sample_every",
		                "auto (about 256 points per trial, at least %d ops apart)",
		                AS_SAMPLE_AUTO_MIN_GAP);
	else
		as_context_addf(ctx, "sample_every", "%llu", (unsigned long long)cfg->sample_every);
	as_context_addf(ctx, "sample_interval_ms", "%llu",
	                (unsigned long long)cfg->sample_interval_ms);
	as_context_addf(ctx, "warmup_runs", "%u", cfg->warmup);
	as_context_add(ctx, "quick_checks",
	               cfg->no_quick_check ? "off (--no-quick-check)"
	                                   : "on: each module's probe ran the alignment, overlap, "
	                                     "free, realloc and calloc checks before its trials");
	as_context_addf(ctx, "jobs", "%d", cfg->jobs > 1 ? cfg->jobs : 1);
	if (cfg->jobs > 1)
		as_context_addf(ctx, "timing_figures",
		                "not written: trials ran %d at a time (--jobs), sharing the cores; "
		                "ns_per_op, ops_per_sec, canary_ns, wait_ns, handoff_ns, "
		                "handoff_end_ns, pass_ns_max, "
		                "pass_ns_median, latency.csv and "
		                "histogram.csv are empty, elapsed_ns is wall time, not a speed",
		                cfg->jobs);
	else if (cfg->validate)
		/* the figures are written (what validating costs is worth
		 * seeing), but they are no allocator's speed: compare says so */
		as_context_add(ctx, "timing_figures",
		               "the validator's: --validate checked every returned block in the "
		               "timed region (alignment, no overlap with live blocks), so "
		               "ns_per_op, ops_per_sec and the latencies are the checks' as much "
		               "as the module's, no allocator's speed");
	as_context_add(ctx, "pinning", as_pin_name((as_pin_t)cfg->pin));
	if (as_syscount_probe((as_syscount_method_t)cfg->syscalls, why, sizeof(why)) == 0) {
		as_context_add(ctx, "syscall_counting",
		               cfg->syscalls == AS_SYSCOUNT_PERF
		                   ? "perf (syscall tracepoints, perf_event_open, inherit=1)"
		                   : "seccomp (SECCOMP_RET_TRACE + ptrace counter in the parent)");
		/* each counted call is a ptrace stop inside the timed region:
		 * 15x the ns/op of 256 KiB glibc blocks (an mmap each) here, and
		 * the user perf refuses is told to take this method */
		if (cfg->syscalls == AS_SYSCOUNT_SECCOMP)
			as_context_add(
			    ctx, "warning_timing",
			    "--syscalls seccomp: every counted call stops the worker for "
			    "its ptrace tracer (about 20 us) inside the timed region, so "
			    "ns_per_op, ops_per_sec and the latencies of trials that make "
			    "such calls are slowed by it; time with --syscalls perf or off");
	} else {
		if (cfg->no_syscalls_option)
			as_syscount_drop_remedy(why);
		as_context_addf(ctx, "syscall_counting", "n/a: %s", why);
	}
	libc_calls_probe(ctx);
	{
		FILE *f = fopen("/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor", "r");
		char gov[64] = "";
		if (f) {
			if (!fgets(gov, sizeof(gov), f))
				gov[0] = '\0';
			fclose(f);
			gov[strcspn(gov, "\n")] = '\0';
		}
		if (!gov[0])
			as_context_add(
			    ctx, "warning_frequency",
			    "CPU frequency scaling unknown (no cpufreq governor visible)");
		else if (strcmp(gov, "performance"))
			as_context_addf(ctx, "warning_frequency",
			                "cpufreq governor is '%s', not 'performance'", gov);
	}
}

/* "<size> bytes, crc32c <8 hex>" of the file at PATH into id; 0, or -1
 * when it cannot be read. */
static int file_id(const char *path, char *id, size_t idlen)
{
	char buf[1 << 16];
	uint32_t crc = 0;
	long long size = 0;
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		crc = as_crc32c(crc, buf, (size_t)n);
		size += n;
	}
	close(fd);
	if (n < 0)
		return -1;
	snprintf(id, idlen, "%lld bytes, crc32c %08x", size, crc);
	return 0;
}

/* The file module spec M resolves to (absolute) and what it holds, and
 * the allocator library the module binds (its preload_library, when it
 * has one: libjemalloc.so.2 upgraded under the same module file is
 * another build too): "<size> bytes, crc32c <hex>[; LIB <size> bytes,
 * crc32c <hex>]", so a rebuilt module is told apart from the one a run
 * began with (--resume). 0, or -1 when the spec does not resolve or a
 * file cannot be read. */
static int module_file(const as_spec_t *m, char *path, size_t pathlen, char *id, size_t idlen)
{
	char found[4096], err[512], lib[PATH_MAX], libid[64];
	as_modenv_t me;
	size_t n;
	if (as_module_resolve(m->name, found, sizeof(found), err, sizeof(err)) != AS_OK)
		return -1;
	if (!realpath(found, path))
		snprintf(path, pathlen, "%s", found);
	if (file_id(path, id, idlen) != 0)
		return -1;
	if (as_module_env_status(m, &me, err, sizeof(err)) != AS_OK || !me.preload[0])
		return 0;
	if (!realpath(me.preload, lib))
		snprintf(lib, sizeof(lib), "%s", me.preload);
	n = strlen(id);
	if (file_id(lib, libid, sizeof(libid)) == 0 && n < idlen)
		snprintf(id + n, idlen - n, "; %s %s", lib, libid);
	return 0;
}

/* module_path.<spec> and module_file.<spec>: the file a module spec
 * resolved to, so a name is tied to the file that ran (the worker resolves
 * it the same way, in the same environment), and its size and checksum;
 * nothing when it does not resolve (its rows say why). */
static void module_path(as_buf_t *ctx, const as_spec_t *m)
{
	char path[PATH_MAX], id[PATH_MAX + 128], *key = NULL;
	if (module_file(m, path, sizeof(path), id, sizeof(id)) != 0)
		return;
	if (asprintf(&key, "module_path.%s", m->label) > 0)
		as_context_add(ctx, key, path);
	free(key);
	key = NULL;
	if (asprintf(&key, "module_file.%s", m->label) > 0)
		as_context_add(ctx, key, id);
	free(key);
}

/* Whether two module_file ids ("<size> bytes, crc32c <hex>[; LIB <size>
 * bytes, crc32c <hex>]") name the same content: every size and checksum
 * equal, in order, whatever the paths. */
static int same_content(const char *a, const char *b)
{
	static const char mark[] = " bytes, crc32c ";
	for (;;) {
		const char *ma = strstr(a, mark), *mb = strstr(b, mark);
		const char *sa, *sb;
		if (!ma || !mb)
			return !ma && !mb;
		for (sa = ma; sa > a && isdigit((unsigned char)sa[-1]); sa--)
			;
		for (sb = mb; sb > b && isdigit((unsigned char)sb[-1]); sb--)
			;
		if (ma - sa != mb - sb || ma == sa || strncmp(sa, sb, (size_t)(ma - sa)) ||
		    strncmp(ma + sizeof(mark) - 1, mb + sizeof(mark) - 1, 8))
			return 0;
		a = ma + sizeof(mark) - 1 + 8;
		b = mb + sizeof(mark) - 1 + 8;
	}
}

/* 0 when the machine is the one context.csv t recorded when the run
 * began (a key it lacks is not checked), else -1 with err naming the
 * first that changed: an outside review edited host and kernel and the
 * resume relabelled 11 earlier rows with this machine's context without
 * a word. */
static int machine_unchanged(const as_table_t *t, char *err, size_t errlen)
{
	char host[256] = "", kernel[300] = "", model[512];
	struct utsname u;
	struct {
		const char *key, *now, *what;
	} k[] = {
	    {"host", host, "machines"},
	    {"kernel", kernel, "kernels"},
	    {"cpu_model", model, "machines"},
	    {"glibc", gnu_get_libc_version(), "glibc versions"},
	};
	if (gethostname(host, sizeof(host)) != 0)
		host[0] = '\0';
	if (uname(&u) == 0)
		snprintf(kernel, sizeof(kernel), "%s %s", u.sysname, u.release);
	cpu_model(model, sizeof(model));
	for (size_t i = 0; i < sizeof(k) / sizeof(k[0]); i++)
		for (size_t r = 0; r < t->nrows; r++) {
			const char *was = as_table_str(t, r, "value");
			if (strcmp(as_table_str(t, r, "key"), k[i].key) || !strcmp(was, k[i].now))
				continue;
			snprintf(
			    err, errlen,
			    "the run began with %s '%s' and would resume with '%s': its rows would "
			    "mix two %s",
			    k[i].key, was, k[i].now, k[i].what);
			return -1;
		}
	/* another build of allocscope on the same machine is let through: a
	 * finished run is re-judged by resuming a copy with a newer build
	 * (docs/measure.md), which adds no row; where it does add rows, the
	 * revision they began with stays in context.csv and is said */
	for (size_t r = 0; r < t->nrows; r++)
		if (!strcmp(as_table_str(t, r, "key"), "git_revision_began"))
			snprintf(began_revision, sizeof(began_revision), "%s",
			         as_table_str(t, r, "value")); /* an earlier resume's */
		else if (!strcmp(as_table_str(t, r, "key"), "git_revision") &&
		         strcmp(as_table_str(t, r, "value"), as_version_git()) &&
		         !began_revision[0]) {
			snprintf(began_revision, sizeof(began_revision), "%s",
			         as_table_str(t, r, "value"));
			fprintf(stderr,
			        "allocscope: note: the run began with allocscope %s and is resumed "
			        "with %s: rows added now come from another build (context.csv "
			        "git_revision_began)\n",
			        began_revision, as_version_git());
		}
	return 0;
}

int as_context_modules_unchanged(const char *dir, const as_run_cfg_t *cfg, char *err, size_t errlen)
{
	char *ctx_path = NULL;
	as_table_t t;
	int rc = 0;
	if (asprintf(&ctx_path, "%s/context.csv", dir) < 0)
		as_oom("a file's path", strlen(dir) + sizeof("/context.csv"));
	if (access(ctx_path, F_OK) != 0) {
		free(ctx_path);
		return 0; /* stopped before it wrote one: nothing ran */
	}
	if (as_table_read(ctx_path, &t, err, errlen) != 0) {
		free(ctx_path);
		return -1;
	}
	rc = machine_unchanged(&t, err, errlen);
	/* the module list itself: a suite without -a finds its modules on
	 * the module path, and one removed since would make the rows not
	 * line up ("row 9 ... does not belong to the matrix") */
	if (rc == 0) {
		as_buf_t was = {0}, now = {0};
		for (size_t r = 0; r < t.nrows; r++)
			if (!strcmp(as_table_str(&t, r, "key"), "module"))
				as_buf_printf(&was, "%s%s", was.len ? "," : "",
				              as_table_str(&t, r, "value"));
		for (int i = 0; i < cfg->nmodules; i++)
			as_buf_printf(&now, "%s%s", now.len ? "," : "", cfg->modules[i].label);
		if (was.len && (!now.len || strcmp(was.data, now.data))) {
			snprintf(err, errlen,
			         "the run began with modules %s and would resume with %s (a module "
			         "not found now, or another module path)",
			         was.data, now.len ? now.data : "none");
			rc = -1;
		}
		as_buf_free(&was);
		as_buf_free(&now);
	}
	for (int i = 0; i < cfg->nmodules && !rc; i++) {
		const as_spec_t *m = &cfg->modules[i];
		char path[PATH_MAX], id[PATH_MAX + 128];
		const char *was_path = NULL, *was_id = NULL;
		for (size_t r = 0; r < t.nrows; r++) {
			const char *k = as_table_str(&t, r, "key");
			if (!strncmp(k, "module_path.", 12) && !strcmp(k + 12, m->label))
				was_path = as_table_str(&t, r, "value");
			else if (!strncmp(k, "module_file.", 12) && !strcmp(k + 12, m->label))
				was_id = as_table_str(&t, r, "value");
		}
		if (!was_path) /* did not resolve then, or an older allocscope */
			continue;
		if (module_file(m, path, sizeof(path), id, sizeof(id)) != 0) {
			snprintf(err, errlen,
			         "module %s: %s, which the run began with, cannot be read now: its "
			         "rows would mix two modules",
			         m->label, was_path);
			rc = -1;
		} else if (strcmp(path, was_path) && was_id && same_content(id, was_id)) {
			/* moved, or found on another module path, byte for byte the
			 * same module and library: its rows do not mix two builds */
			fprintf(stderr,
			        "allocscope: module %s is %s now, %s when the run began: the same "
			        "content (%s), resuming\n",
			        m->label, path, was_path, id);
		} else if (strcmp(path, was_path)) {
			snprintf(
			    err, errlen,
			    "module %s is %s now, %s when the run began, with other content: "
			    "its rows would mix two modules (put the first one's folder first in "
			    "ALLOCSCOPE_MODULE_PATH)",
			    m->label, path, was_path);
			rc = -1;
		} else if (was_id && strcmp(id, was_id)) {
			snprintf(err, errlen,
			         "module %s: %s changed since the run began (%s then, %s now): its "
			         "rows would mix two builds",
			         m->label, path, was_id, id);
			rc = -1;
		}
	}
	as_table_free(&t);
	free(ctx_path);
	return rc;
}

void as_context_run(as_buf_t *ctx, const as_run_cfg_t *cfg, const as_timer_info_t *ti,
                    unsigned max_threads)
{
	as_buf_t cmd = {0};
	as_context_begin(ctx);
	as_context_addf(ctx, "results_format", "%d", AS_RESULTS_FORMAT);
	as_context_machine(ctx, max_threads);
	as_context_add(ctx, "label", cfg->label ? cfg->label : "run");
	as_context_addf(ctx, "seed", "%llu", (unsigned long long)cfg->seed);
	if (cfg->reps_auto)
		as_context_addf(
		    ctx, "repetitions",
		    "auto: %d..%u per trial, until the ns/op median's 95 %% CI is within "
		    "+-%g %% or its repetitions took %g s",
		    AS_AUTO_MIN_REPS, cfg->reps, cfg->ci_rel * 100, cfg->group_max_s);
	else
		as_context_addf(ctx, "repetitions", "%u", cfg->reps);
	/* readers judge a group of fewer rows complete by it (reps_agree.h) */
	if (cfg->reps_agree > 0)
		as_context_addf(ctx, "repetitions_agree",
		                "%d: a group stops there when those repetitions are ok and agree "
		                "on every memory column",
		                cfg->reps_agree);
	as_context_addf(ctx, "timeout_s", "%g", cfg->timeout_s);
	as_context_addf(ctx, "min_time_s", "%g", cfg->min_time_s);
	as_context_add(ctx, "environment_left_out",
	               *as_allocenv_left_out() ? as_allocenv_left_out() : "none");
	{
		char kept[4096];
		as_allocenv_kept(kept, sizeof(kept));
		as_context_add(ctx, "environment_kept", kept);
	}
	for (int i = 0; i < cfg->nmodules; i++)
		as_context_add(ctx, "module", cfg->modules[i].label);
	for (int i = 0; i < cfg->nmodules; i++)
		module_path(ctx, &cfg->modules[i]);
	for (int i = 0; i < cfg->nworkloads; i++)
		as_context_add(ctx, "workload", cfg->workloads[i].label);
	measurement_context(ctx, cfg, ti);
	/* run.args as one shell line: an argument with a space or a newline
	 * (-o 'my dir') is one word, and the row one line in report.md */
	for (int i = 0; i < cfg->argc; i++) {
		if (i)
			as_buf_add(&cmd, " ", 1);
		as_buf_shell_word(&cmd, cfg->argv[i]);
	}
	as_context_add(ctx, "command", cmd.data ? cmd.data : "");
	as_buf_free(&cmd);
}
