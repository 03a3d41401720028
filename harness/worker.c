/* worker.c - the trial's child process: load the module, build the op
 * stream, take the baseline, run the engine, measure, and report over the
 * result pipe. The harness's own memory (op stream, slot table, histograms,
 * sample buffer, thread stacks) is mapped and pre-faulted before the
 * baseline and excluded from the heap/mmap split, so deltas belong to the
 * module. The baseline is the engine's first sample, taken after the
 * engine's threads exist. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <link.h>
#include <math.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../workloads/workload.h"
#include "asan.h"
#include "conformance.h"
#include "engine.h"
#include "heapstart.h"
#include "libc_count.h"
#include "libc_probe.h"
#include "loader.h"
#include "memmap.h"
#include "oom.h"
#include "pin.h"
#include "procstat.h"
#include "sampler.h"
#include "suggest.h"
#include "syscount.h"
#include "timer.h"
#include "trial.h"
#include "trial_wire.h"
#include "validate.h"
#include "util.h"

/* Every message goes to AS_WIRE_FD_RESULT; when the parent is gone there
 * is no one to report to, so the worker ends. */
static void send_msg(as_wire_msg_t type, const void *payload, size_t len)
{
	if (as_wire_send(AS_WIRE_FD_RESULT, type, payload, len) != 0)
		_exit(3);
}

static void send_status(as_status_t st, const char *reason)
{
	if (as_wire_send_status(AS_WIRE_FD_RESULT, st, reason) != 0)
		_exit(3);
}

static void send_info(const char *key, const char *value)
{
	if (as_wire_send_info(AS_WIRE_FD_RESULT, key, value) != 0)
		_exit(3);
}

#define SERIES_MAX_ROWS 16384

/* State the sample callback fills; all of it lives in mapped memory or in
 * this static struct, never in the allocator under test. */
static struct {
	double (*rows)[AS_SERIES_NCOLS];
	uint64_t nrows, dropped, cap; /* cap: rows mapped (series_cap) */
	as_point_t base, last;        /* baseline and latest point */
	as_memmap_t peak;
	int64_t rss_peak_kib;          /* largest RSS of any sample point */
	int64_t hwm_reset_kib;         /* VmHWM right after its reset at the baseline */
	uint64_t sampling_ns, sent_ns; /* time in on_sample; how much the parent knows */
	uint64_t unread;               /* points whose statm or maps read failed */
} smp;

static void peak_of(int64_t *peak, int64_t v)
{
	if (v > *peak)
		*peak = v;
}

static void take_sample(uint64_t ops_done, int64_t live, uint64_t elapsed_ns)
{
	as_point_t pt;
	double *r;
	int first = smp.nrows == 0 && smp.dropped == 0;

	/* VmHWM is raised from the global part of the RSS counters: the
	 * set-up's pending parts folded in first, or a peak of the trial
	 * came out pages above its samples with the same faults, 4-156 KiB
	 * in about 1 run of 40 of test_rss_repeat's 256k row under load */
	if (first)
		as_rss_fold();
	as_point_take(&pt, first ? NULL : &smp.last);
	if (pt.rss_kib < 0 || (pt.split_read && pt.mm.heap_size_kib < 0))
		smp.unread++;
	if (first) {
		smp.base = pt;
		/* the reset sets VmHWM from the global part of the kernel's
		 * per-CPU RSS counter, without what some CPU has not folded in
		 * yet: it can start pages above the RSS (up to 124 KiB seen).
		 * Its value now tells a later VmHWM that rose in the timed
		 * region from that start (measure) */
		as_rss_peak_reset();
		smp.hwm_reset_kib = as_rss_peak_kib();
		smp.peak = pt.mm;
	}
	smp.last = pt;
	peak_of(&smp.rss_peak_kib, pt.rss_kib);
	peak_of(&smp.peak.heap_rss_kib, pt.mm.heap_rss_kib);
	peak_of(&smp.peak.heap_size_kib, pt.mm.heap_size_kib);
	peak_of(&smp.peak.mmap_rss_kib, pt.mm.mmap_rss_kib);
	peak_of(&smp.peak.mmap_size_kib, pt.mm.mmap_size_kib);
	if (smp.nrows == smp.cap) {
		smp.dropped++;
		return;
	}
	r = smp.rows[smp.nrows];
	r[AS_SC_sample] = (double)smp.nrows;
	r[AS_SC_ops_done] = (double)ops_done;
	r[AS_SC_elapsed_ns] = (double)elapsed_ns;
	r[AS_SC_rss_kib] = (double)pt.rss_kib;
	r[AS_SC_heap_rss_kib] = (double)pt.mm.heap_rss_kib;
	r[AS_SC_heap_size_kib] = (double)pt.mm.heap_size_kib;
	r[AS_SC_mmap_rss_kib] = (double)pt.mm.mmap_rss_kib;
	r[AS_SC_mmap_size_kib] = (double)pt.mm.mmap_size_kib;
	r[AS_SC_live_bytes] = (double)live;
	for (int i = 0; i < AS_SYS_NCOLS; i++)
		r[AS_SC_brk_calls + i] =
		    pt.have_sys && smp.base.have_sys ? (double)(pt.sys[i] - smp.base.sys[i]) : NAN;
	r[AS_SC_minflt] = (double)(pt.minflt - smp.base.minflt);
	smp.nrows++;
}

/* Every sample point, timed: the parent's --timeout does not count the
 * harness's sampling (on a module holding 1 GiB it takes seconds), so the
 * time goes to the parent whenever another 10 ms has added up. The
 * message's write is sampling time too (the engine counts all of this
 * function as such), told in the next message: it wakes the parent, which
 * under load can take this CPU, and the worker then waits its turn behind
 * every other task. Left out, it was 13 of 77 s of sampling at load 25
 * (glibc holding 1 GiB, sampled after every op), and test_faults' sampling
 * case, killed at its 3 s --timeout, failed at load 10 and over. */
static void on_sample(void *ctx, uint64_t ops_done, int64_t live, uint64_t elapsed_ns)
{
	uint64_t t0 = as_now_ns(), t1;
	(void)ctx;
	take_sample(ops_done, live, elapsed_ns);
	t1 = as_now_ns();
	smp.sampling_ns += t1 - t0;
	if (smp.sampling_ns - smp.sent_ns >= 10000000ULL) {
		send_msg(AS_MSG_SAMPLING, &smp.sampling_ns, sizeof(smp.sampling_ns));
		smp.sent_ns = smp.sampling_ns;
		smp.sampling_ns += as_now_ns() - t1; /* the write's time */
	}
}

static void on_thread_start(void *ctx, uint32_t t)
{
	(void)ctx;
	as_pin_apply(t);
}

static void exclude_mapping(const void *p, size_t len)
{
	as_memmap_exclude(p, len);
}

/* Replay fidelity at every sample point (single-threaded streams, where a
 * sample's op count is a position in the one stream): the live requested
 * bytes the engine saw must equal the stream's own running total there,
 * recomputed here from the ops after the run. Returns 0, or -1 with the
 * first mismatch in why. */
static int check_series_fidelity(const as_opstream_t *s, char *why, size_t len)
{
	const as_opthread_t *th = &s->thread[0];
	size_t bytes = ((size_t)s->nslots + 1) * sizeof(uint64_t);
	uint64_t *size = as_map(bytes);
	int64_t live = 0;
	uint64_t j = 0;
	int rc = 0;
	if (!size)
		return 0; /* cannot check: not a mismatch */
	for (uint32_t k = 0; k < smp.nrows && !rc; k++) {
		uint64_t upto = (uint64_t)smp.rows[k][AS_SC_ops_done];
		for (; j < upto && j < th->nops; j++) {
			const as_op_t *op = &th->ops[j];
			switch (op->kind & AS_OP_KIND_MASK) {
			case AS_OP_ALLOC:
			case AS_OP_CALLOC:
			case AS_OP_REALLOC:
				live += (int64_t)op->size - (int64_t)size[op->id];
				size[op->id] = op->size;
				break;
			case AS_OP_FREE:
				live -= (int64_t)size[op->id];
				size[op->id] = 0;
				break;
			case AS_OP_RESET:
				for (uint64_t i = 0; i < op->size; i++) {
					live -= (int64_t)size[op->id + i];
					size[op->id + i] = 0;
				}
				break;
			default: break;
			}
		}
		if ((int64_t)smp.rows[k][AS_SC_live_bytes] != live) {
			snprintf(why, len, "sample %u (op %llu): live bytes %lld, the trace's %lld",
			         k, (unsigned long long)upto,
			         (long long)smp.rows[k][AS_SC_live_bytes], (long long)live);
			rc = -1;
		}
	}
	as_unmap(size, bytes);
	return rc;
}

/* One worker's state: the loaded module, its instance, the op stream. */
typedef struct {
	const as_trial_spec_t *spec;
	void *wl_params; /* mapped, not .bss: see prepare_memory */
	as_loaded_t lm;
	void *inst;
	as_opstream_t *stream;
	as_engine_cfg_t cfg;
	as_engine_result_t er;
	char note[256];
	double start_kib; /* RSS the module added as it loaded and created its
	                     instance (trials.csv module_start_rss_kib); NaN: unread */
} worker_t;

static void send_latency(const worker_t *w, double ns_per_tick)
{
	as_hist_t *all = as_map(sizeof(as_hist_t));
	if (!all)
		return;
	for (unsigned k = 0; k < AS_OP_KIND_COUNT; k++) {
		double row[AS_LATENCY_NCOLS], hrow[AS_HIST_NCOLS];
		uint64_t cum = 0;
		memset(all, 0, sizeof(*all));
		for (uint32_t t = 0; t < AS_MAX_THREADS && as_engine_hist(t, k); t++)
			as_hist_merge(all, as_engine_hist(t, k));
		if (!all->total)
			continue;
		row[AS_LC_kind] = k;
		row[AS_LC_timed_ops] = (double)all->total;
		row[AS_LC_mean_ns] = as_hist_mean(all) * ns_per_tick;
		row[AS_LC_p50_ns] = (double)as_hist_quantile(all, 0.50) * ns_per_tick;
		row[AS_LC_p90_ns] = (double)as_hist_quantile(all, 0.90) * ns_per_tick;
		row[AS_LC_p99_ns] = (double)as_hist_quantile(all, 0.99) * ns_per_tick;
		row[AS_LC_p99_9_ns] = (double)as_hist_quantile(all, 0.999) * ns_per_tick;
		row[AS_LC_p99_99_ns] = (double)as_hist_quantile(all, 0.9999) * ns_per_tick;
		row[AS_LC_max_ns] = (double)all->max * ns_per_tick;
		row[AS_LC_harness_ns] = (double)w->er.lat_cal_ticks * ns_per_tick;
		row[AS_LC_step_ns] = (double)w->er.lat_res_ticks * ns_per_tick;
		send_msg(AS_MSG_LATENCY, row, sizeof(row));
		for (uint32_t i = 0; i < AS_HIST_BUCKETS; i++) {
			if (!all->counts[i])
				continue;
			cum += all->counts[i];
			hrow[AS_HC_kind] = k;
			hrow[AS_HC_bucket_low_ns] = (double)as_hist_bucket_low(i) * ns_per_tick;
			hrow[AS_HC_bucket_high_ns] = (double)as_hist_bucket_high(i) * ns_per_tick;
			hrow[AS_HC_count] = (double)all->counts[i];
			hrow[AS_HC_cum_fraction] = (double)cum / (double)all->total;
			send_msg(AS_MSG_HIST, hrow, sizeof(hrow));
		}
	}
	as_unmap(all, sizeof(as_hist_t));
}

/* create() with the spec's params; a refusal's reason names the module, its
 * file, and a close declared key for a misspelt one. */
static as_status_t create(worker_t *w, char *err, size_t errlen)
{
	char e[512], dym[96], shown[AS_SHOW_MAX];
	const as_spec_t *m = w->spec->module;
	if (as_module_keys_declared(w->lm.mod, m, e, sizeof(e)) == 0 &&
	    w->lm.mod->create(m->params, &w->inst, e, sizeof(e)) == 0)
		return AS_OK;
	snprintf(err, errlen, "module %s (%s): %s%s", w->lm.mod->name, as_show(w->lm.path, shown),
	         e, as_module_suggest_param(w->lm.mod, m, dym, sizeof(dym)));
	return AS_ERR_PARAMS;
}

/* The module's probe (trial.h): load, create, the quick checks
 * (conformance.h), report, destroy. The status
 * goes out before destroy, so the parent can tell a crash there from one
 * in create. */
static void probe(worker_t *w)
{
	char err[700], why[400];
	as_status_t st = as_module_load(w->spec->module->name, &w->lm, err, sizeof(err));
	if (st == AS_OK)
		st = create(w, err, sizeof(err));
	/* the quick checks: a module that misaligns, overlaps, loses a
	 * realloc's contents or a calloc's zeroes is not measured (until
	 * session 20 such a module's rows were ok without --validate) */
	if (st == AS_OK && w->spec->probe == AS_PROBE_CHECKS)
		send_info("stage", "quick_checks"); /* AS_WIRE_QUICK_CHECKS */
	if (st == AS_OK && w->spec->probe == AS_PROBE_CHECKS &&
	    as_conformance_quick(w->lm.mod, w->inst, why, sizeof(why)) != 0) {
		st = AS_ERR_INVALID;
		snprintf(err, sizeof(err),
		         "%s failed a quick check of the blocks it returns (%s); 'allocscope "
		         "check' runs "
		         "them all",
		         w->spec->module->label, why);
	}
	send_status(st, st == AS_OK ? "" : err);
	if (st == AS_OK)
		w->lm.mod->destroy(w->inst);
}

/* The op stream: from the record the parent gave on AS_WIRE_FD_STREAM
 * when it holds one (another worker of the run built the same stream),
 * else built here, and written there when the parent gave an empty file
 * for it (trial.c). Nothing open there: built here. */
static as_status_t stream(worker_t *w, const as_workload_t *wl, const as_wl_ctx_t *ctx, char *err,
                          size_t errlen)
{
	struct stat st;
	char e[512];
	int given = fstat(AS_WIRE_FD_STREAM, &st) == 0;
	if (given && st.st_size > 0 && as_opstream_load(w->stream, AS_WIRE_FD_STREAM) == 0) {
		close(AS_WIRE_FD_STREAM);
		return AS_OK;
	}
	as_opstream_init(w->stream, ctx->threads);
	if (wl->build(w->wl_params, ctx, w->stream, e, sizeof(e)) != 0) {
		snprintf(err, errlen, "workload %s: %s", wl->name, e);
		return AS_ERR_WORKLOAD;
	}
	/* a failed write leaves no whole record: the parent drops it */
	if (given && st.st_size == 0)
		(void)as_opstream_write(w->stream, AS_WIRE_FD_STREAM);
	if (given)
		close(AS_WIRE_FD_STREAM);
	return AS_OK;
}

/* The uprobes on glibc's malloc family (libc_probe.h), opened with the
 * syscall counters for the same reason (threads a module's constructor
 * starts), where the run holds them and this program has the counting
 * wrappers (libc_count.h; not in a sanitizer build). A run that holds
 * them and a worker that cannot open them: a warning, the trial counted
 * by the wrappers alone. */
static void libc_probe_start(void)
{
	uintptr_t lo, hi;
	char e[512];
	if (!as_libc_wrap_range)
		return;
	as_libc_wrap_range(&lo, &hi);
	if (as_libc_probe_start(lo, hi, e, sizeof(e)) < 0) {
		char m[600];
		snprintf(m, sizeof(m), "libc_calls counted without the uprobes: %s", e);
		send_info("warning", m);
	}
}

/* The resident set, read a second time: the first read runs statm's
 * parser, whose faults in libc's code (64 KiB each, the kernel's
 * fault-around) are the harness's, not the module's that is loaded next.
 * No descriptor kept: the op stream's is still to come (stream()). */
static int64_t rss_settled(void)
{
	(void)as_rss_kib_unheld();
	return as_rss_kib_unheld();
}

/* Load the module, build the op stream, check they fit, create the
 * instance. Returns AS_OK, or a status with the reason in err. */
static as_status_t setup(worker_t *w, char *err, size_t errlen)
{
	const as_trial_spec_t *spec = w->spec;
	const as_workload_t *wl;
	as_wl_ctx_t ctx;
	char e[512];
	as_status_t st;
	int cwd;
	int64_t rss0, rss1, rss2, rss3;
	/* the counters first: they count the threads created after they open
	 * (inherit), and a module may start one when it loads (a constructor):
	 * opened after the dlopen, its 701 calls in the timed region read 0
	 * (an outside review); the load's own calls fall before the baseline */
	if (spec->syscalls == AS_SYSCOUNT_PERF && as_syscount_start_perf(e, sizeof(e)) != 0)
		send_info("syscalls_na", e);
	libc_probe_start();
	/* the directory the run gave, back after the module's constructors:
	 * one that changes it made a replay's relative trace path another
	 * file (or none: "workload trace: t.csv: No such file", blamed on the
	 * trace) */
	cwd = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC);
	/* the module's start-up: the RSS its load adds, here, and its
	 * create's, below; between them the harness's own work (the workload,
	 * the op stream: 1.8 MiB apart between trials of a large trace) */
	rss0 = rss_settled();
	st = as_module_load(spec->module->name, &w->lm, err, errlen);
	rss1 = as_rss_kib_unheld();
	if (cwd >= 0 && fchdir(cwd) != 0)
		send_info("warning",
		          "cannot return to the run's directory after loading the module");
	if (cwd >= 0)
		close(cwd);
	if (st != AS_OK)
		return st;
	/* glibc's module calls glibc's malloc on purpose, and says so: its
	 * trials uncounted by the uprobes (context.csv libc_calls_probe) */
	if (w->lm.mod->caps & AS_CAP_LIBC_MALLOC)
		as_libc_probe_stop();
	send_info("module_version", w->lm.mod->version);
	w->wl_params = as_map(AS_WL_PARAMS_MAX);
	if (!w->wl_params) {
		snprintf(err, errlen, "cannot map the workload's params");
		return AS_ERR_WORKER;
	}
	if (as_workload_configure_spec(spec->workload, &wl, w->wl_params, AS_WL_PARAMS_MAX, err,
	                               errlen))
		return AS_ERR_WORKLOAD;
	ctx.threads = spec->threads;
	ctx.seed = spec->seed;
	st = stream(w, wl, &ctx, err, errlen);
	if (st != AS_OK)
		return st;
	if (w->stream->nthreads != ctx.threads) {
		/* the row's threads column: what ran (or would have run: a skipped
		 * row's too), not what -t asked for */
		char n[16];
		snprintf(n, sizeof(n), "%u", w->stream->nthreads);
		send_info("threads", n);
	}
	if (w->stream->nthreads > 1 && !(w->lm.mod->caps & AS_CAP_THREAD_SAFE)) {
		char own[80] = "";
		if (w->stream->nthreads != ctx.threads) { /* the note --resume needs */
			own[0] = ';', own[1] = ' ';
			as_wire_own_threads(own + 2, sizeof(own) - 2, w->stream->nthreads,
			                    ctx.threads);
		}
		snprintf(err, errlen,
		         "module %s is not thread-safe and the workload shares one instance "
		         "across %u threads%s%s",
		         w->lm.mod->name, w->stream->nthreads,
		         !strcmp(wl->name, "trace") ? " (trace:FILE,serialize=1 replays on one)"
		                                    : "",
		         own);
		return AS_ERR_UNSUPPORTED;
	}
	if (w->stream->needs_free && !(w->lm.mod->caps & AS_CAP_FREE))
		snprintf(w->note, sizeof(w->note),
		         "note: %s has no individual free, so freed memory is never reused",
		         w->lm.mod->name);
	if (w->stream->nthreads != ctx.threads) {
		/* always there when threads differ from -t: --resume matches rows
		 * to the matrix by it */
		size_t l = strlen(w->note);
		l += (size_t)snprintf(w->note + l, sizeof(w->note) - l, "%s", l ? "; " : "note: ");
		if (l < sizeof(w->note))
			as_wire_own_threads(w->note + l, sizeof(w->note) - l, w->stream->nthreads,
			                    ctx.threads);
	}
	if (as_pin_plan((as_pin_t)spec->pin, w->stream->nthreads, err, errlen) != 0)
		return AS_ERR_WORKER;
	rss2 = as_rss_kib_unheld();
	st = create(w, err, errlen);
	rss3 = as_rss_kib_unheld();
	if (rss0 >= 0 && rss1 >= 0 && rss2 >= 0 && rss3 >= 0)
		w->start_kib = (double)(rss1 - rss0 + rss3 - rss2);
	return st;
}

/* Series rows the trial can take (engine_cfg first): the start, one per
 * `every` ops of thread 0 on the first pass, the end; with a wall-clock
 * interval there is no bound known before the run, so the most. Mapping
 * and faulting in all 16,384 rows (2.25 MiB) cost every tiny trial ~560
 * page faults and their unmap. */
static uint64_t series_cap(const worker_t *w)
{
	uint64_t every = w->cfg.sample_every, n;
	if (w->cfg.sample_interval_ns)
		return SERIES_MAX_ROWS;
	n = (every ? w->stream->thread[0].nops / every : 0) + 4;
	return n < SERIES_MAX_ROWS ? n : SERIES_MAX_ROWS;
}

/* The harness's own code and data, faulted in before the baseline. A
 * worker is a fork: a page of the executable's code or read-only data
 * first read in the timed region, or of its .data/.bss first written
 * there, is a fault and RSS charged to the module (4 KiB of .rodata, or
 * 64 KiB of code by the kernel's fault-around), and which page that is
 * moved with every build: adding a scenario's claims (read-only data) gave
 * null a fault and 4 KiB in some of its repetitions
 * (tests/test_rss_repeat.sh); an outside review saw libc's and the
 * executable's code faulted in by 2-thread trials of a module that
 * allocates nothing. So every segment of the executable, and the code of
 * libc and ld.so the engine calls, is faulted in here; the writable
 * segments past their RELRO pages (read-only by then) written. Not a
 * module's: its own code and static memory are its cost. */
static int own_pages(struct dl_phdr_info *info, size_t size, void *data)
{
	uintptr_t pg = (uintptr_t)sysconf(_SC_PAGESIZE), relro_end = 0;
	const char *n = info->dlpi_name;
	int exe = !n || !*n;
	(void)size;
	(void)data;
	if (!exe && !strstr(n, "/libc.so.6") && !strstr(n, "/ld-linux"))
		return 0;
	for (int i = 0; i < info->dlpi_phnum; i++)
		if (info->dlpi_phdr[i].p_type == PT_GNU_RELRO)
			relro_end = (info->dlpi_addr + info->dlpi_phdr[i].p_vaddr +
			             info->dlpi_phdr[i].p_memsz) &
			            ~(pg - 1);
	for (int i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		uintptr_t lo = (info->dlpi_addr + ph->p_vaddr) & ~(pg - 1);
		uintptr_t hi = (info->dlpi_addr + ph->p_vaddr + ph->p_memsz + pg - 1) & ~(pg - 1);
		uintptr_t w = relro_end > lo ? (relro_end < hi ? relro_end : hi) : lo;
		if (ph->p_type != PT_LOAD || (!exe && !(ph->p_flags & PF_X)))
			continue;
		if (!(ph->p_flags & PF_W)) {
			as_populate(lo, hi, 0);
			continue;
		}
		as_populate(lo, w, 0);
		as_populate(w, hi, 1);
	}
	return 0;
}

/* Harness memory, all mapped and faulted in before the baseline and kept
 * out of the heap/mmap split. Returns 0, or -1. */
static int prepare_memory(worker_t *w)
{
	const as_opstream_t *s = w->stream;
	smp.cap = series_cap(w);
	if (as_engine_prepare(w->stream) != 0 ||
	    (w->spec->latency_every && as_engine_prepare_latency(s->nthreads) != 0) ||
	    (w->spec->validate && as_validate_init(s->nslots) != 0) || as_memmap_init() != 0 ||
	    !(smp.rows = as_map(smp.cap * sizeof(*smp.rows))))
		return -1;
	as_opstream_prefault(w->stream);
	dl_iterate_phdr(own_pages, NULL);
	/* without /proc/self/statm every RSS figure read -1 (a module that
	 * lowered RLIMIT_NOFILE in create: the row was ok with rss -1) */
	if (as_procstat_open() != 0)
		return -1;
	/* One point read and thrown away: the first run of its parsers (sscanf
	 * of statm and maps) faults in libc's code, 64 KiB a fault (the
	 * kernel's fault-around), and whether an earlier fault had mapped it
	 * depends on where ASLR put libc: after the baseline, that was 0, 1 or
	 * 2 faults and 0-128 KiB of RSS between repetitions of one row. */
	{
		as_point_t warm;
		as_point_take(&warm, NULL);
	}
	as_memmap_exclude(smp.rows, smp.cap * sizeof(*smp.rows));
	as_memmap_exclude(w->wl_params, AS_WL_PARAMS_MAX);
	as_opstream_mappings(s, exclude_mapping);
	as_engine_mappings(exclude_mapping);
	return 0;
}

static void engine_cfg(worker_t *w)
{
	const as_trial_spec_t *spec = w->spec;
	uint64_t every = spec->sample_every;
	memset(&w->cfg, 0, sizeof(w->cfg));
	w->cfg.mod = w->lm.mod;
	w->cfg.inst = w->inst;
	w->cfg.validate = spec->validate;
	w->cfg.sample = on_sample;
	if (every == AS_SAMPLE_AUTO) { /* about 256 points per trial, not too dense */
		every = w->stream->thread[0].nops / 256;
		if (every < AS_SAMPLE_AUTO_MIN_GAP)
			every = AS_SAMPLE_AUTO_MIN_GAP;
	}
	w->cfg.sample_every = every;
	w->cfg.sample_interval_ns = spec->sample_interval_ms * 1000000ULL;
	w->cfg.latency_every = spec->latency_every;
	/* --min-time: only a stream that ends empty can run again on the same
	 * slots, and only a module that frees keeps its memory bounded doing
	 * so, or one whose reset releases every object of a stream that frees
	 * none one by one (order=phase on bump and arena: their rows were one
	 * cold pass against glibc's warm ones, an outside review) - on one
	 * thread, where the engine calls the reset (engine.c: at more, a reset
	 * is each object's free, which a module without free ignores: a review's
	 * thread-safe bump grew 530 MB in 10 passes) */
	if (as_opstream_ends_empty(w->stream) &&
	    ((w->lm.mod->caps & AS_CAP_FREE) ||
	     ((w->lm.mod->caps & AS_CAP_RESET) && w->lm.mod->reset && !w->stream->needs_free &&
	      w->stream->nthreads == 1)))
		w->cfg.min_time_ns = (uint64_t)(spec->min_time_s * 1e9);
	w->cfg.thread_start = on_thread_start;
}

/* Ops the latency histograms hold, every thread and kind: what
 * send_latency's rows add up to (trials.csv timed_ops). */
static uint64_t timed_ops(void)
{
	uint64_t n = 0;
	for (unsigned k = 0; k < AS_OP_KIND_COUNT; k++)
		for (uint32_t t = 0; t < AS_MAX_THREADS && as_engine_hist(t, k); t++)
			n += as_engine_hist(t, k)->total;
	return n;
}

/* The timed region's columns, from the engine's result and the samples. */
static void measure(const worker_t *w, double *v)
{
	const as_engine_result_t *er = &w->er;
	uint64_t min1, maj1;
	int64_t rss_end, rss_peak, peak;
	as_faults(&min1, &maj1);
	rss_end = as_rss_kib();
	/* VmHWM can trail a sample (seen up to 144 kB below): the larger;
	 * and only when it rose above its value at the reset, which may be
	 * the counter's error, not a peak (a module that grew nothing showed
	 * 40-44 KiB of peak growth in half its repetitions:
	 * tests/mods/hwm_drift.c) */
	rss_peak = as_rss_peak_kib();
	if (rss_peak <= smp.hwm_reset_kib)
		rss_peak = -1;
	peak_of(&rss_peak, smp.rss_peak_kib);
	peak_of(&rss_peak, rss_end);
	v[AS_TC_ops] = (double)er->ops;
	v[AS_TC_passes] = (double)er->passes;
	v[AS_TC_canary_ns] = (double)er->canary_ns;
	v[AS_TC_wait_ns] = er->wait_ns == UINT64_MAX ? NAN : (double)er->wait_ns;
	v[AS_TC_handoff_ns] = er->handoff_ns ? (double)er->handoff_ns : NAN;
	v[AS_TC_handoff_end_ns] = er->handoff_end_ns ? (double)er->handoff_end_ns : NAN;
	v[AS_TC_pass_ns_max] = er->passes >= 2 ? (double)er->pass_ns_max : NAN;
	v[AS_TC_pass_ns_median] = er->passes >= 2 ? (double)er->pass_ns_median : NAN;
	v[AS_TC_handovers] = er->handovers ? (double)er->handovers : NAN;
	v[AS_TC_handovers_waited] = er->handovers ? (double)er->handovers_waited : NAN;
	v[AS_TC_cpu_start] = er->cpu_start >= 0 ? (double)er->cpu_start : NAN;
	v[AS_TC_cpu_end] = er->cpu_end >= 0 ? (double)er->cpu_end : NAN;
	v[AS_TC_libc_calls] =
	    er->libc_calls == AS_LIBC_CALLS_UNCOUNTED ? NAN : (double)er->libc_calls;
	v[AS_TC_module_start_rss_kib] = w->start_kib;
	v[AS_TC_elapsed_ns] = (double)er->elapsed_ns;
	v[AS_TC_ns_per_op] = er->ops ? (double)er->elapsed_ns / (double)er->ops : NAN;
	v[AS_TC_ops_per_sec] =
	    er->elapsed_ns ? (double)er->ops * 1e9 / (double)er->elapsed_ns : NAN;
	v[AS_TC_sampling_ns] = (double)er->sampling_ns;
	/* a trace's peak is its recorded global order's: threads replayed side
	 * by side have no one order, and their count is checked per thread */
	peak = w->stream->expect_live_bytes_peak >= 0 ? w->stream->expect_live_bytes_peak
	                                              : er->live_bytes_peak;
	v[AS_TC_live_bytes_peak] = (double)peak;
	v[AS_TC_rss_before_kib] = (double)smp.base.rss_kib;
	v[AS_TC_rss_peak_kib] = (double)rss_peak;
	v[AS_TC_rss_end_kib] = (double)rss_end;
	v[AS_TC_overhead_ratio] =
	    peak > 0 ? (double)(rss_peak - smp.base.rss_kib) * 1024.0 / (double)peak : NAN;
	v[AS_TC_heap_rss_peak_kib] = (double)smp.peak.heap_rss_kib;
	v[AS_TC_heap_size_peak_kib] = (double)smp.peak.heap_size_kib;
	v[AS_TC_heap_size_end_kib] = (double)smp.last.mm.heap_size_kib;
	v[AS_TC_mmap_rss_peak_kib] = (double)smp.peak.mmap_rss_kib;
	v[AS_TC_mmap_size_peak_kib] = (double)smp.peak.mmap_size_kib;
	v[AS_TC_minflt] = (double)(min1 - smp.base.minflt);
	v[AS_TC_majflt] = (double)(maj1 - smp.base.majflt);
	if (smp.base.have_sys && smp.last.have_sys) {
		for (int i = 0; i < AS_SYS_NCOLS; i++)
			v[AS_TC_brk_calls + i] = (double)(smp.last.sys[i] - smp.base.sys[i]);
		v[AS_TC_syscalls_total] = v[AS_TC_brk_calls] + v[AS_TC_mmap_calls] +
		                          v[AS_TC_munmap_calls] + v[AS_TC_mremap_calls] +
		                          v[AS_TC_madvise_calls] + v[AS_TC_mprotect_calls];
	}
	v[AS_TC_samples] = (double)smp.nrows;
	v[AS_TC_timed_ops] = w->spec->latency_every ? (double)timed_ops() : NAN;
}

/* Every RSS and heap/mmap figure comes from /proc/self/statm and maps,
 * opened before the baseline. A module that closes descriptors it did not
 * open (every one from 4 up) took them away in the timed region: the row
 * was ok with an RSS at the end of -1 and peaks from before the close. */
static void check_proc_reads(as_engine_result_t *er, const double *v)
{
	if (er->status != AS_OK || (!smp.unread && v[AS_TC_rss_end_kib] >= 0))
		return;
	er->status = AS_ERR_WORKER;
	snprintf(er->reason, sizeof(er->reason),
	         "the harness could not read its /proc files (statm, maps) at %llu of %llu "
	         "sample points and the end: did the module close descriptors it did not "
	         "open? its memory figures would be wrong",
	         (unsigned long long)smp.unread, (unsigned long long)(smp.nrows + smp.dropped));
}

/* Calls into the process's malloc in the timed region (libc_count.h): the
 * harness makes none there, so they are the module's, which reached glibc
 * without importing it; its figures would be glibc's as much as its own. */
static void check_libc_calls(as_engine_result_t *er)
{
	if (er->status != AS_OK || !er->libc_calls || er->libc_calls == AS_LIBC_CALLS_UNCOUNTED)
		return;
	er->status = AS_ERR_LIBC_MALLOC;
	snprintf(er->reason, sizeof(er->reason),
	         "%llu calls to the process's malloc family (glibc's) in the timed region, "
	         "through dlsym, dlvsym or a library the module links or opens: its figures "
	         "would be glibc's as much as its own (trials.csv libc_calls)",
	         (unsigned long long)er->libc_calls);
}

/* A replay must reproduce its trace: live bytes at the end, each stream
 * thread's own peak, and (one thread) the live bytes at every sample point. */
static void check_fidelity(worker_t *w, double *v)
{
	const as_opstream_t *s = w->stream;
	as_engine_result_t *er = &w->er;
	if (s->expect_live_bytes_peak < 0)
		return;
	v[AS_TC_trace_live_bytes_peak] = (double)s->expect_live_bytes_peak;
	if (er->status != AS_OK)
		return;
	if (s->expect_live_bytes_end >= 0 && er->live_bytes_end != s->expect_live_bytes_end) {
		er->status = AS_ERR_FIDELITY;
		snprintf(er->reason, sizeof(er->reason),
		         "live bytes at the end %lld differ from the trace's %lld",
		         (long long)er->live_bytes_end, (long long)s->expect_live_bytes_end);
	} else if (s->expect_thread_live_bytes_peak >= 0 &&
	           er->thread_live_bytes_peak != s->expect_thread_live_bytes_peak) {
		/* like with like: each thread's own count against the same count
		 * over the trace's ops of that thread in recorded order */
		er->status = AS_ERR_FIDELITY;
		snprintf(er->reason, sizeof(er->reason),
		         "live bytes peak of a thread %lld differs from the trace's %lld",
		         (long long)er->thread_live_bytes_peak,
		         (long long)s->expect_thread_live_bytes_peak);
	} else if (s->nthreads == 1 && check_series_fidelity(s, er->reason, sizeof(er->reason))) {
		er->status = AS_ERR_FIDELITY;
	}
}

/* What the module gives back: RSS after every object is freed, and after
 * the module's trim() where it has one. */
static void after_free(worker_t *w, double *v)
{
	as_memmap_t mm;
	as_engine_drain(w->stream, &w->cfg);
	v[AS_TC_rss_after_free_kib] = (double)as_rss_kib();
	as_memmap_read(&mm, 1);
	v[AS_TC_heap_rss_after_free_kib] = (double)mm.heap_rss_kib;
	v[AS_TC_mmap_rss_after_free_kib] = (double)mm.mmap_rss_kib;
	if (w->lm.mod->trim) {
		w->lm.mod->trim(w->inst);
		v[AS_TC_rss_after_trim_kib] = (double)as_rss_kib();
		as_memmap_read(&mm, 1);
		v[AS_TC_heap_rss_after_trim_kib] = (double)mm.heap_rss_kib;
		v[AS_TC_mmap_rss_after_trim_kib] = (double)mm.mmap_rss_kib;
	}
}

/* Bindings, series rows, latency, the trial row, then the status last:
 * the parent counts a trial as reported once the status arrived. */
static void report_msgs(const worker_t *w, const double *v)
{
	for (uint32_t t = 0; t < w->stream->nthreads; t++) {
		char key[32];
		snprintf(key, sizeof(key), "binding.%u", t);
		send_info(key, as_pin_desc(t));
	}
	for (uint64_t i = 0; i < smp.nrows; i++)
		send_msg(AS_MSG_SERIES, smp.rows[i], sizeof(smp.rows[i]));
	if (smp.dropped) {
		char m[96];
		snprintf(m, sizeof(m), "%llu samples beyond %llu dropped",
		         (unsigned long long)smp.dropped, (unsigned long long)smp.cap);
		send_info("warning", m);
	}
	if (w->spec->latency_every)
		send_latency(w, as_timer_tsc ? w->spec->ns_per_tick : 1.0);
	send_msg(AS_MSG_TRIAL, v, sizeof(double) * AS_TRIAL_NCOLS);
	if (w->er.status != AS_OK && w->stream->nthreads != w->spec->threads) {
		/* the failure's reason, and the threads note --resume needs */
		char own[80], r[sizeof(w->er.reason) + sizeof(own) + 4];
		as_wire_own_threads(own, sizeof(own), w->stream->nthreads, w->spec->threads);
		snprintf(r, sizeof(r), "%s (%s)", w->er.reason, own);
		send_status(w->er.status, r);
		return;
	}
	send_status(w->er.status, w->er.status == AS_OK ? w->note : w->er.reason);
}

/* The report in pipe-sized writes (64 KiB, the pipe's default capacity),
 * mapped now: after the timed region and every figure, so neither the
 * baseline nor a count sees it. Each message sent on its own woke the
 * parent once: ~1 ms of the worker's wall time per trial waiting its turn
 * on a loaded machine (the per-trial timeline in docs/measure.md). */
#define REPORT_BATCH (64u << 10)
static void report(const worker_t *w, const double *v)
{
	void *buf = as_map(REPORT_BATCH);
	if (buf)
		as_wire_batch_begin(buf, REPORT_BATCH);
	report_msgs(w, v);
	if (buf) {
		if (as_wire_batch_end(AS_WIRE_FD_RESULT) != 0)
			_exit(3);
		as_unmap(buf, REPORT_BATCH);
	}
}

int as_worker_main(int argc, char **argv)
{
	static as_opstream_t stream;
	as_wire_trial_t t; /* on the stack: a larger .bss would shift the */
	worker_t w;        /* anonymous-mmap baseline of every trial */
	char err[700];
	double v[AS_TRIAL_NCOLS];
	as_status_t st;

	(void)argv;
	/* its exit status after the report is the module's (trial.c: an
	 * exit(7) in destroy fails the row): LeakSanitizer's check at exit
	 * would add its own (under `ulimit -u` its thread cannot start: exit
	 * 1, "exited with status 1 in destroy", test_nproc_limit) */
	as_lsan_off();
	/* out of memory in the harness's code here: the row says so */
	as_oom_hook(as_wire_send_oom);
	if (argc != 1 || as_wire_spec_read(&t, err, sizeof(err)) != 0) {
		/* no spec: tell the parent on the result fd if there is one */
		if (argc != 1)
			snprintf(err, sizeof(err), "internal command, wrong arguments");
		if (as_wire_send_status(AS_WIRE_FD_RESULT, AS_ERR_USAGE, err) != 0)
			fprintf(stderr, "allocscope __worker: %s\n", err);
		return 2;
	}
	memset(&w, 0, sizeof(w));
	w.spec = &t.spec;
	w.start_kib = NAN;
	w.stream = &stream;
	as_timer_use(t.spec.ns_per_tick);
	if (t.spec.probe) {
		probe(&w);
		goto out;
	}
	for (int i = 0; i < AS_TRIAL_NCOLS; i++)
		v[i] = NAN;
	st = setup(&w, err, sizeof(err));
	if (st != AS_OK) {
		send_status(st, err);
		goto out;
	}
	engine_cfg(&w);
	if (prepare_memory(&w) != 0) {
		snprintf(err, sizeof(err),
		         "cannot map the harness's buffers or open its /proc files: %s (RLIMIT_AS "
		         "or RLIMIT_NOFILE too low: ulimit's, or the module's in create?)",
		         strerror(errno));
		send_status(AS_ERR_WORKER, err);
		goto out;
	}
	if (t.spec.syscalls == AS_SYSCOUNT_SECCOMP) {
		void *shm = mmap(NULL, AS_SYSCOUNT_SHARED_BYTES, PROT_READ | PROT_WRITE, MAP_SHARED,
		                 AS_WIRE_FD_COUNTERS, 0);
		if (shm == MAP_FAILED || as_syscount_start_seccomp(shm, err, sizeof(err)) != 0)
			send_info("syscalls_na",
			          shm == MAP_FAILED ? "cannot map shared counters" : err);
	}
	/* last before the engine, which allocates nothing of its own: no block
	 * the harness freed is left in glibc's bins for the trial */
	if ((w.lm.mod->caps & AS_CAP_LIBC_MALLOC) && as_heapstart_fresh(err, sizeof(err)) != 0)
		send_info("warning", err);
	as_engine_run(&stream, &w.cfg, &w.er);
	measure(&w, v);
	check_proc_reads(&w.er, v);
	check_libc_calls(&w.er);
	check_fidelity(&w, v);
	if (w.er.status == AS_OK)
		after_free(&w, v);
	report(&w, v);
	/* destroy after reporting: a module that crashes in destroy has still
	 * produced its numbers, but the crash is reported by the parent */
	w.lm.mod->destroy(w.inst);
out:
	as_wire_trial_free(&t);
	return 0;
}
