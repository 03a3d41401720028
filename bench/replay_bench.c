/* replay_bench.c - what replaying a trace costs, in one process:
 *   setup: the trace workload's build (read, ids resolved to dense slots,
 *     op arrays) plus the engine's preparation, as a trial's worker does
 *     it, in a fresh child per round: seconds and peak memory added, per
 *     event;
 *   speed: the engine replaying the op arrays into the glibc module against
 *     a hand-written loop replaying the same op arrays straight into
 *     malloc/calloc/realloc/aligned_alloc/free, all four variants
 *     interleaved in every round (the order rotating), ns/op medians and
 *     min-max, and per-round ratios hand/engine (1.0: as fast as the hand
 *     loop): the engine with every measurement off against the hand loop,
 *     both writing the first byte of each new block (touch=first); and
 *     the engine as `allocscope replay` runs by default (touch=pages:
 *     a byte in every page of each new block; latency of every 64th op on
 *     the clock the worker picks, rdtsc where trusted; about 256 series
 *     samples whose time is left out as the worker does; perf syscall
 *     counters open) against the hand loop writing the same bytes. Thread
 *     CPU time too, which a busy machine leaves comparable where wall time
 *     is not (for the measuring engine less the CPU of its samples), and
 *     what one of those sample points costs in CPU time; and each
 *     variant's minor page faults per run (the same ops writing the same
 *     bytes should fault the same pages; on the warm heap of the rounds
 *     both fault none, where a trial's fresh worker faults its heap in).
 * The trace is replayed as one stream (serialize=1), so one hand loop is the
 * whole program. Not a test: it asserts nothing; docs/traces.md records the
 * figures with the command (bench/replay_speed).
 *   replay_bench TRACE [ROUNDS [SETUP_ROUNDS]]    (defaults 9, 3)
 *   replay_bench --make EVENTS OUT.ast            a synthetic trace */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench_sample.h"
#include "engine.h"
#include "loader.h"
#include "memmap.h"
#include "procstat.h"
#include "stats.h"
#include "syscount.h"
#include "timer.h"
#include "trace.h"
#include "util.h"
#include "workload.h"

#define MAX_ROUNDS 64

/* The variants of a speed round: the hand loop and the engine with every
 * measurement off (touch=first); the engine as replay runs by default
 * (touch=pages, latency every 64th op, series samples, perf counters) and
 * the hand loop writing the same bytes (touch=pages); and, to split the
 * default's cost, the engine with touch=pages and nothing measured, with
 * only the latency, with only the samples and perf counters. */
enum { V_HAND, V_OFF, V_HAND_PAGES, V_DEFAULT, V_PAGES, V_LAT, V_SAMPLES, NV };
static const char *const vname[NV] = {
    "  hand-written loop",           "  engine, measurements off",
    "  hand loop, touch=pages",      "  engine, replay's default measuring",
    "  engine, touch=pages, off",    "  engine, pages + latency only",
    "  engine, pages + samples only"};

typedef struct {
	void *p;
	uint64_t size;
} hand_slot_t;

/* New memory [p, p + n) written as the engine's touch policy first (the
 * first byte) or pages (the first byte and each page start inside). */
static inline void hand_touch(char *p, uint64_t n, int pages)
{
	if (!n)
		return;
	*(volatile char *)p = 1;
	if (pages)
		for (uint64_t off = 4096 - ((uintptr_t)p & 4095); off < n; off += 4096)
			((volatile char *)p)[off] = 1;
}

/* One op as a careful person would replay it: a pointer and a size per
 * object, the libc call, new memory written (see hand_touch). */
static uint64_t hand_loop(const as_opthread_t *th, hand_slot_t *slot, int pages)
{
	uint64_t t0 = as_now_ns();
	for (uint64_t i = 0; i < th->nops; i++) {
		const as_op_t *op = &th->ops[i];
		hand_slot_t *sl = &slot[op->id];
		void **pp = &sl->p;
		switch (op->kind & AS_OP_KIND_MASK) {
		case AS_OP_ALLOC:
			if (op->align_log2) {
				size_t a = (size_t)1 << op->align_log2;
				*pp = aligned_alloc(a, (op->size + a - 1) & ~(a - 1));
			} else {
				*pp = malloc(op->size);
			}
			hand_touch(*pp, op->size, pages);
			break;
		case AS_OP_CALLOC:
			*pp = calloc(1, op->size);
			hand_touch(*pp, op->size, pages);
			break;
		case AS_OP_REALLOC:
			*pp = realloc(*pp, op->size);
			if (op->size > sl->size)
				hand_touch((char *)*pp + sl->size, op->size - sl->size, pages);
			break;
		case AS_OP_FREE:
			free(*pp);
			*pp = NULL;
			break;
		default: break;
		}
		sl->size = op->size; /* a free's size is 0 */
	}
	return as_now_ns() - t0;
}

static void hand_drain(hand_slot_t *slot, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++) {
		free(slot[i].p);
		slot[i].p = NULL;
		slot[i].size = 0;
	}
}

static long status_kb(const char *key)
{
	char line[256];
	long v = -1;
	size_t n = strlen(key);
	FILE *f = fopen("/proc/self/status", "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, n) && line[n] == ':')
			v = atol(line + n + 1);
	fclose(f);
	return v;
}

/* The spec parsed as the CLI does, once a run: the trace workload's check
 * reads and validates the whole trace (so that a bad trace is one line and
 * exit 2, not a failed row per trial). pbuf: AS_WL_PARAMS_MAX bytes. */
static int parse(const char *path, const as_workload_t **wl, char *pbuf)
{
	char spec[4200], err[1024];
	snprintf(spec, sizeof(spec), "trace:file=%s,serialize=1,touch=first", path);
	memset(pbuf, 0, AS_WL_PARAMS_MAX);
	if (as_workload_parse(spec, wl, pbuf, AS_WL_PARAMS_MAX, err, sizeof(err)) != 0) {
		fprintf(stderr, "replay_bench: %s\n", err);
		return -1;
	}
	return 0;
}

/* The op stream, as a trial's worker builds it from the parsed params. */
static int build_parsed(const as_workload_t *wl, const char *pbuf, as_opstream_t *s)
{
	char err[1024];
	as_wl_ctx_t ctx = {1, 42};
	if (as_opstream_init(s, 1) != 0 || wl->build(pbuf, &ctx, s, err, sizeof(err)) != 0) {
		fprintf(stderr, "replay_bench: %s\n", err);
		return -1;
	}
	return 0;
}

static int build(const char *path, as_opstream_t *s)
{
	static char pbuf[AS_WL_PARAMS_MAX];
	const as_workload_t *wl;
	return parse(path, &wl, pbuf) != 0 || build_parsed(wl, pbuf, s) != 0 ? -1 : 0;
}

/* One setup round in a child: seconds and peak memory added (kB) through
 * the build, the prefault and the engine's slot table (a worker's set-up,
 * per trial), and apart from them the CLI's check of the trace before it
 * (once a run; the worker does not repeat it). Before 5 December 07:50
 * (session 8) the set-up figures included the check. */
static double cpu_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* This thread's CPU time: a round descheduled by other jobs on the machine
 * does not count, as it does in wall time. */
static double thread_cpu_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static int setup_round(const char *path, double *sec, double *cpu, double *kb, double *held,
                       double check[2], uint64_t *events, double *tcpu)
{
	int fd[2], st;
	double out[8];
	pid_t pid;
	if (pipe(fd) != 0)
		return -1;
	pid = fork();
	if (pid == 0) {
		static as_opstream_t s;
		static char pbuf[AS_WL_PARAMS_MAX];
		const as_workload_t *wl;
		uint64_t k0 = as_now_ns(), t0;
		double kc0 = cpu_s(), c0, tc0;
		long rss0;
		close(fd[0]);
		if (parse(path, &wl, pbuf) != 0)
			_exit(1);
		out[5] = (double)(as_now_ns() - k0) / 1e9;
		out[6] = cpu_s() - kc0;
		rss0 = status_kb("VmRSS");
		t0 = as_now_ns();
		c0 = cpu_s();
		tc0 = thread_cpu_ns();
		if (build_parsed(wl, pbuf, &s) != 0 || as_engine_prepare(&s) != 0)
			_exit(1);
		as_opstream_prefault(&s);
		out[7] = (thread_cpu_ns() - tc0) / 1e9;
		out[0] = (double)(as_now_ns() - t0) / 1e9;
		out[1] = (double)(status_kb("VmHWM") - rss0);
		out[2] = (double)as_opstream_total(&s);
		out[3] = cpu_s() - c0;
		out[4] = (double)(status_kb("VmRSS") - rss0);
		_exit(as_write_all(fd[1], out, sizeof(out)) == 0 ? 0 : 1);
	}
	close(fd[1]);
	if (pid < 0 || as_read_full(fd[0], out, sizeof(out)) != (long)sizeof(out)) {
		close(fd[0]);
		return -1;
	}
	close(fd[0]);
	waitpid(pid, &st, 0);
	*sec = out[0];
	*cpu = out[3];
	*held = out[4];
	*kb = out[1];
	*events = (uint64_t)out[2];
	check[0] = out[5];
	check[1] = out[6];
	*tcpu = out[7];
	return 0;
}

/* The worker's sample, its thread CPU time counted apart (left out of the
 * measuring engine's CPU time, as the worker leaves its wall time out).
 * The two thread-CPU clock reads around it are system calls (no vDSO for
 * CPU-time clocks; ~1-3 us each in this VM): the part of the first before
 * its reading and of the second after it, about one read, falls outside
 * and would count as the ops' (the worker has no such reads: it times its
 * samples on the vDSO clock). That one read per sample (clock_read_ns, the
 * median of back-to-back reads) is left out too. */
static double sample_cpu;
static uint64_t sample_n;
static double clock_read_ns;

/* Median CPU time between two back-to-back thread-CPU clock reads. */
static double thread_clock_read_ns(void)
{
	static double d[1001];
	for (int i = 0; i < 1001; i++) {
		double a = thread_cpu_ns();
		d[i] = thread_cpu_ns() - a;
	}
	return as_median(d, 1001);
}

/* REPLAY_BENCH_POINT (experiments on what a point costs the ops after it):
 * full (default) the worker's point; syscall: getppid() alone between the
 * two thread-CPU clock reads (system calls too); none: no system call at
 * all, the point is only counted (its CPU time then reads 0). */
enum { POINT_FULL, POINT_SYSCALL, POINT_NONE };
static int point_kind;

/* The engine calls the sample function at the start of a run (before its
 * clock starts) and at the end (after it stops) too, so the thread-CPU
 * reads of the first call's exit and the last call's entry bracket the
 * timed region: what as_engine_run does outside it (the op loop's warm-up,
 * the latency calibration, the two canary runs, the run-queue reads) is
 * not the replay's. Since 5 December 11:00 the CPU figures are of that
 * region (less the points inside, and one clock read per gap between two
 * calls); before, they were of the whole as_engine_run call, which put
 * ~0.3 ns/op of that fixed work on a 1 M-op trace into the engine's CPU
 * and none into its wall time (docs/traces.md). Variants that sample
 * nothing get mark_only: the start and end calls alone (sample_every 0:
 * the op loop is the same). */
static double first_exit, last_entry, first_cpu, last_cpu;

static void timed_sample(void *ctx, uint64_t ops, int64_t live, uint64_t ns)
{
	double c0, c1;
	sample_n++;
	if (point_kind == POINT_NONE)
		return;
	c0 = thread_cpu_ns();
	if (point_kind == POINT_SYSCALL)
		(void)getppid();
	else
		bench_on_sample(ctx, ops, live, ns);
	c1 = thread_cpu_ns();
	sample_cpu += c1 - c0;
	if (sample_n == 1) {
		first_exit = c1;
		first_cpu = c1 - c0;
	}
	last_entry = c0;
	last_cpu = c1 - c0;
}

static void mark_only(void *ctx, uint64_t ops, int64_t live, uint64_t ns)
{
	double c = thread_cpu_ns();
	(void)ctx;
	(void)ops;
	(void)live;
	(void)ns;
	if (++sample_n == 1)
		first_exit = c;
	last_entry = c;
	first_cpu = last_cpu = 0;
}

/* This thread's minor page faults so far: the hand loop and the engine
 * replay the same ops writing the same bytes (touch=pages), so they should
 * fault the same pages; the bench shows that they do. */
static double thread_minflt(void)
{
	struct rusage ru;
	getrusage(RUSAGE_THREAD, &ru);
	return (double)ru.ru_minflt;
}

static void print_stat(const char *what, double *v, int n, const char *unit)
{
	double med = as_median(v, n); /* sorts v */
	printf("%-34s median %9.3f %-9s min %9.3f  max %9.3f\n", what, med, unit, v[0], v[n - 1]);
}

/* A synthetic single-thread trace: the live set grows to `live` objects
 * and churns (free a random live object, allocate, now and then realloc),
 * sizes 8 B .. 4 KiB on a log scale. */
static int make_trace(uint64_t n, const char *out)
{
	static as_trace_writer_t w;
	uint64_t live = n / 30 < 1000 ? 1000 : n / 30 > (1u << 20) ? (1u << 20) : n / 30;
	uint64_t *objs = as_map(live * sizeof(uint64_t)), nlive = 0, next = 0,
	         x = 88172645463325252ULL;
	as_trace_err_t err;
	FILE *f = fopen(out, "wb");
	if (!f || !objs || as_trace_writer_open(&w, f, AS_TRACE_BIN) != 0) {
		perror(out);
		return 2;
	}
	for (uint64_t i = 0; i < n; i++) {
		as_tev_t ev = {0};
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		ev.time_ns = i;
		if (nlive < live && (nlive == 0 || (x & 3) != 0 || nlive < live / 2)) {
			ev.op = (x >> 8) % 16 == 0 ? AS_TEV_CALLOC : AS_TEV_ALLOC;
			ev.obj = next++;
			ev.size = (8u << ((x >> 12) % 10)) + (x >> 20) % 64;
			objs[nlive++] = ev.obj;
		} else {
			uint64_t k = (x >> 16) % nlive;
			ev.obj = objs[k];
			if ((x >> 40) % 8 == 0) {
				ev.op = AS_TEV_REALLOC;
				ev.size = (8u << ((x >> 44) % 10)) + (x >> 50) % 64;
			} else {
				ev.op = AS_TEV_FREE;
				objs[k] = objs[--nlive];
			}
		}
		if (as_trace_writer_put(&w, &ev, &err) != 0) {
			fprintf(stderr, "replay_bench: %s: %s\n", out, err.msg);
			return 2;
		}
	}
	if (as_trace_writer_close(&w) != 0 || fclose(f) != 0) {
		perror(out);
		return 2;
	}
	printf("%s: %llu events, live set up to %llu objects\n", out, (unsigned long long)n,
	       (unsigned long long)live);
	return 0;
}

int main(int argc, char **argv)
{
	static as_opstream_t s;
	static double ratio[MAX_ROUNDS], ratiom[MAX_ROUNDS];
	static double wall[NV][MAX_ROUNDS], cpu[NV][MAX_ROUNDS], cratio[MAX_ROUNDS];
	static double cpuw[NV][MAX_ROUNDS], outside[NV][MAX_ROUNDS], cratiow[MAX_ROUNDS];
	static double cratiom[MAX_ROUNDS], cratiomf[MAX_ROUNDS], point_us[MAX_ROUNDS];
	static double flt[NV][MAX_ROUNDS];
	static double ssec[MAX_ROUNDS], scpu[MAX_ROUNDS], skb[MAX_ROUNDS], sbpe[MAX_ROUNDS];
	static double ksec[MAX_ROUNDS], kcpu[MAX_ROUNDS], tcpu[MAX_ROUNDS];
	static double shold[MAX_ROUNDS], shbpe[MAX_ROUNDS], sbcpu[MAX_ROUNDS];
	uint64_t rounds = 9, srounds = 3, events = 0, npoints = 256;
	int reverse = 0;
	const char *e;
	int perf_ok = 1;
	char err[1024];
	as_loaded_t lm;
	as_timer_info_t ti;
	hand_slot_t *slot;

	if (argc >= 2 && !strcmp(argv[1], "--make")) {
		uint64_t n;
		if (argc != 4 ||
		    as_parse_u64("EVENTS", argv[2], 1, UINT64_MAX / 2, &n, err, sizeof(err)) != 0) {
			fprintf(stderr, "usage: replay_bench --make EVENTS OUT.ast\n");
			return 2;
		}
		return make_trace(n, argv[3]);
	}
	if (argc < 2 || argc > 4 || !strcmp(argv[1], "--help") ||
	    (argc > 2 &&
	     as_parse_u64("ROUNDS", argv[2], 0, MAX_ROUNDS, &rounds, err, sizeof(err)) != 0) ||
	    (argc > 3 && as_parse_u64("SETUP_ROUNDS", argv[3], 0, MAX_ROUNDS, &srounds, err,
	                              sizeof(err)) != 0)) {
		fprintf(stderr, "usage: replay_bench TRACE [ROUNDS [SETUP_ROUNDS]]  (defaults 9 3, "
		                "at most 64)\n       replay_bench --make EVENTS OUT.ast\n");
		return 2;
	}
	for (uint64_t r = 0; r < srounds; r++) {
		double check[2];
		if (setup_round(argv[1], &ssec[r], &scpu[r], &skb[r], &shold[r], check, &events,
		                &sbcpu[r]) != 0) {
			fprintf(stderr, "replay_bench: setup round failed\n");
			return 1;
		}
		ksec[r] = check[0];
		kcpu[r] = check[1];
		tcpu[r] = check[1] + scpu[r];
		sbpe[r] = skb[r] * 1024.0 / (double)events;
		shbpe[r] = shold[r] * 1024.0 / (double)events;
	}
	if (srounds) {
		printf("setup, a trial's worker (build + prefault + slot table), %llu rounds, %llu "
		       "events:\n",
		       (unsigned long long)srounds, (unsigned long long)events);
		print_stat("  wall seconds", ssec, (int)srounds, "s");
		print_stat("  CPU seconds (user+sys)", scpu, (int)srounds, "s");
		/* the process's CPU less the trace workload's fill-ahead thread
		 * (wl_trace.c): what bounds the wall time on an idle machine */
		print_stat("  CPU seconds, building thread", sbcpu, (int)srounds, "s");
		print_stat("  peak memory added (VmHWM)", skb, (int)srounds, "kB");
		print_stat("  peak memory added per event", sbpe, (int)srounds, "B/event");
		print_stat("  held after setup (VmRSS)", shold, (int)srounds, "kB");
		print_stat("  held after setup per event", shbpe, (int)srounds, "B/event");
		printf("the CLI's check of the trace before the trials (once a run), and both:\n");
		print_stat("  check, wall s", ksec, (int)srounds, "s");
		print_stat("  check, CPU s (user+sys)", kcpu, (int)srounds, "s");
		print_stat("  check + setup, CPU s", tcpu, (int)srounds, "s");
	}
	if (!rounds)
		return 0;
	/* experiments, docs/traces.md "Session 7": what a point does
	 * (REPLAY_BENCH_POINT), how many (REPLAY_BENCH_POINTS, default 256)
	 * and the rotation's direction (REPLAY_BENCH_REVERSE=1) */
	if ((e = getenv("REPLAY_BENCH_POINT")) != NULL)
		point_kind = !strcmp(e, "none")      ? POINT_NONE
		             : !strcmp(e, "syscall") ? POINT_SYSCALL
		                                     : POINT_FULL;
	if ((e = getenv("REPLAY_BENCH_POINTS")) != NULL && atoll(e) > 0)
		npoints = (uint64_t)atoll(e);
	reverse = (e = getenv("REPLAY_BENCH_REVERSE")) != NULL && !strcmp(e, "1");
	if (build(argv[1], &s) != 0)
		return 1;
	as_timer_calibrate(&ti); /* the clock a worker's timed ops use */
	if (as_module_load("glibc", &lm, err, sizeof(err)) != AS_OK) {
		fprintf(stderr, "replay_bench: %s\n", err);
		return 1;
	}
	slot = as_map(((size_t)s.nslots + 1) * sizeof(*slot));
	if (!slot || as_engine_prepare(&s) != 0 || as_engine_prepare_latency(1) != 0 ||
	    as_memmap_init() != 0 || as_procstat_open() != 0) {
		fprintf(stderr, "replay_bench: cannot map the slot tables\n");
		return 1;
	}
	as_opstream_prefault(&s);
	clock_read_ns = thread_clock_read_ns();
	/* one untimed warm-up, so the first round's first variant does not
	 * alone pay for growing the heap */
	hand_loop(&s.thread[0], slot, 1);
	hand_drain(slot, s.nslots);
	for (uint64_t r = 0; r < rounds; r++) {
		for (int k = 0; k < NV; k++) {
			int v = reverse ? (NV - 1 - k + (int)r) % NV : (k + (int)r) % NV;
			int hand_v = v == V_HAND || v == V_HAND_PAGES;
			int lat = v == V_DEFAULT || v == V_LAT,
			    samp = v == V_DEFAULT || v == V_SAMPLES;
			as_engine_cfg_t cfg;
			as_engine_result_t er;
			void *inst;
			double c0 = thread_cpu_ns(), f0 = thread_minflt();
			if (hand_v) {
				wall[v][r] =
				    (double)hand_loop(&s.thread[0], slot, v == V_HAND_PAGES) /
				    (double)s.thread[0].nops;
				cpu[v][r] = (thread_cpu_ns() - c0) / (double)s.thread[0].nops;
				flt[v][r] = thread_minflt() - f0;
				hand_drain(slot, s.nslots);
				continue;
			}
			memset(&cfg, 0, sizeof(cfg));
			s.touch = v == V_OFF ? AS_TOUCH_FIRST : AS_TOUCH_PAGES;
			sample_cpu = 0;
			sample_n = 0;
			if (samp) {
				if (perf_ok && as_syscount_start_perf(err, sizeof(err)) != 0) {
					printf("(perf syscall counters unavailable: %s)\n", err);
					perf_ok = 0;
				}
				bench_sample_reset();
				cfg.sample = timed_sample;
				cfg.sample_every =
				    s.thread[0].nops / npoints ? s.thread[0].nops / npoints : 1;
			} else {
				cfg.sample = mark_only; /* the start and end calls only */
			}
			if (lat)
				cfg.latency_every = 64;
			if (lm.mod->create("", &inst, err, sizeof(err)) != 0) {
				fprintf(stderr, "replay_bench: %s\n", err);
				return 1;
			}
			cfg.mod = lm.mod;
			cfg.inst = inst;
			c0 = thread_cpu_ns();
			f0 = thread_minflt();
			as_engine_run(&s, &cfg, &er);
			c0 = thread_cpu_ns() - c0;
			/* the whole call: its sample points' faults too */
			flt[v][r] = thread_minflt() - f0;
			if (er.status != AS_OK) {
				fprintf(stderr, "replay_bench: engine: %s\n", er.reason);
				return 1;
			}
			/* sampling time left out, as in the row's ns_per_op */
			wall[v][r] = (double)er.elapsed_ns / (double)er.ops;
			/* the whole call, as before 5 December 11:00 */
			cpuw[v][r] =
			    (c0 - sample_cpu -
			     (point_kind == POINT_NONE ? 0 : (double)sample_n * clock_read_ns)) /
			    (double)er.ops;
			/* its timed region: from the start call's exit to the end
			 * call's entry, less the points between */
			cpu[v][r] =
			    point_kind == POINT_NONE
			        ? cpuw[v][r]
			        : (last_entry - first_exit - (sample_cpu - first_cpu - last_cpu) -
			           (double)(sample_n - 1) * clock_read_ns) /
			              (double)er.ops;
			outside[v][r] = (cpuw[v][r] - cpu[v][r]) * (double)er.ops / 1e3;
			if (v == V_DEFAULT)
				point_us[r] = sample_n ? sample_cpu / (double)sample_n / 1e3 : 0;
			as_engine_drain(&s, &cfg);
			lm.mod->destroy(inst);
			as_syscount_stop();
		}
		ratio[r] = wall[V_HAND][r] / wall[V_OFF][r];
		ratiom[r] = wall[V_HAND_PAGES][r] / wall[V_DEFAULT][r];
		cratio[r] = cpu[V_HAND][r] / cpu[V_OFF][r];
		cratiom[r] = cpu[V_HAND_PAGES][r] / cpu[V_DEFAULT][r];
		cratiomf[r] = cpu[V_HAND][r] / cpu[V_DEFAULT][r];
		cratiow[r] = cpu[V_HAND_PAGES][r] / cpuw[V_DEFAULT][r];
	}
	printf("speed, %llu ops, %llu interleaved rounds (glibc; timed ops on %s):\n",
	       (unsigned long long)s.thread[0].nops, (unsigned long long)rounds, ti.source);
	for (int v = 0; v < NV; v++)
		if (v == V_HAND || v == V_OFF || v == V_HAND_PAGES || v == V_DEFAULT)
			print_stat(vname[v], wall[v], (int)rounds, "ns/op");
	print_stat("  hand/engine (off) per round", ratio, (int)rounds, "x");
	print_stat("  hand(pages)/engine (default)", ratiom, (int)rounds, "x");
	printf("the same in thread CPU time (what a busy machine leaves comparable):\n");
	for (int v = 0; v < NV; v++) {
		char what[64];
		snprintf(what, sizeof(what), "%s, CPU", vname[v]);
		print_stat(what, cpu[v], (int)rounds, "ns/op");
	}
	print_stat("  hand/engine (off) per round, CPU", cratio, (int)rounds, "x");
	print_stat("  hand(pages)/engine (default), CPU", cratiom, (int)rounds, "x");
	print_stat("  hand(first)/engine (default), CPU", cratiomf, (int)rounds, "x");
	/* the CPU figures above are of the engine's timed region (see
	 * mark_only); what the engine's call does around it, per run */
	print_stat("  engine (off): outside its timed region", outside[V_OFF], (int)rounds, "us");
	print_stat("  engine (default): outside its region", outside[V_DEFAULT], (int)rounds, "us");
	/* the ratio as figured before 5 December 11:00 (the whole call) */
	print_stat("  hand(pages)/engine (default), CPU, whole call", cratiow, (int)rounds, "x");
	/* like with like: the same ops fault the same pages */
	print_stat("  minor faults, hand loop (first)", flt[V_HAND], (int)rounds, "");
	print_stat("  minor faults, engine off (first)", flt[V_OFF], (int)rounds, "");
	print_stat("  minor faults, hand loop (pages)", flt[V_HAND_PAGES], (int)rounds, "");
	print_stat("  minor faults, engine default", flt[V_DEFAULT], (int)rounds, "");
	/* left out above; what each point costs itself (statm, getrusage, the
	 * counters' read, mincore or maps when something changed) */
	print_stat("  one sample point (default), CPU", point_us, (int)rounds, "us");
	printf("  thread CPU clock read %.0f ns: one per sample point left out of the ops' CPU "
	       "too\n",
	       clock_read_ns);
	/* what timing every 64th op must cost: two clock reads per timed op */
	printf("  clock read %.1f ns (as_timer_calibrate): 2 per timed op, 1 op in 64 timed = "
	       "%.2f ns/op\n",
	       ti.read_cost_ns, 2.0 * ti.read_cost_ns / 64.0);
	return 0;
}
