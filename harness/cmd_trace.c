/* cmd_trace.c - `allocscope trace stats|convert|import`: look inside a trace
 * (events by op, threads, sizes, peak live bytes, lifetimes, unknown frees),
 * convert between the binary and CSV forms, import a glibc mtrace log. The
 * formats themselves live in workloads/trace*.c. Outputs are written to a
 * temporary file and renamed, so a failed command leaves no partial file. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../workloads/spec.h"
#include "../workloads/trace.h"
#include "buf.h"
#include "commands.h"
#include "suggest.h"
#include "trace_out.h"

/* ---- stats ---- */
#define NBUCKETS 65

typedef struct {
	uint64_t n, by_op[AS_TEV_OP_COUNT];
	as_size_hist_t sizes; /* exact; bucketed when printed */
	uint64_t life_hist[NBUCKETS], life_ns_hist[NBUCKETS];
	uint32_t threads_seen[AS_TRACE_MAX_THREADS];
	int64_t live, peak;
	uint64_t peak_event, peak_time_ns, last_time;
	uint64_t *born, *born_ns, *osize; /* by object number */
	uint64_t cap, objs, freed;
} stats_t;

static unsigned bucket(uint64_t v)
{
	return v ? 64u - (unsigned)__builtin_clzll(v) : 0; /* 0, [1], [2,3], [4,7], ... */
}

static int stats_fn(void *vctx, const as_tev_t *ev, as_trace_err_t *err)
{
	stats_t *s = vctx;
	if (as_size_hist_add(&s->sizes, ev) != 0) {
		snprintf(err->msg, sizeof(err->msg), "out of memory");
		return -1;
	}
	s->by_op[ev->op]++;
	s->threads_seen[ev->thread] = 1;
	s->last_time = ev->time_ns;
	if (ev->op == AS_TEV_ALLOC || ev->op == AS_TEV_CALLOC) {
		if (ev->obj >= s->cap) {
			uint64_t nc = s->cap ? s->cap * 2 : 65536;
			uint64_t *a = realloc(s->born, nc * 8), *b, *c;
			if (a)
				s->born = a;
			b = realloc(s->born_ns, nc * 8);
			if (b)
				s->born_ns = b;
			c = realloc(s->osize, nc * 8);
			if (c)
				s->osize = c;
			if (!a || !b || !c) {
				snprintf(err->msg, sizeof(err->msg), "out of memory");
				return -1;
			}
			s->cap = nc;
		}
		s->born[ev->obj] = s->n;
		s->born_ns[ev->obj] = ev->time_ns;
		s->osize[ev->obj] = ev->size;
		s->objs++;
		s->live += (int64_t)ev->size;
	} else if (ev->op == AS_TEV_REALLOC) {
		s->live += (int64_t)ev->size - (int64_t)s->osize[ev->obj];
		s->osize[ev->obj] = ev->size;
	} else if (ev->op == AS_TEV_FREE) {
		s->live -= (int64_t)s->osize[ev->obj];
		s->life_hist[bucket(s->n - s->born[ev->obj])]++;
		s->life_ns_hist[bucket(ev->time_ns - s->born_ns[ev->obj])]++;
		s->freed++;
	}
	if (s->live > s->peak) {
		s->peak = s->live;
		s->peak_event = s->n;
		s->peak_time_ns = ev->time_ns;
	}
	s->n++;
	return 0;
}

static void print_hist(const char *title, const char *unit, const uint64_t *h, uint64_t total)
{
	printf("%s\n", title);
	for (unsigned b = 0; b < NBUCKETS; b++) {
		char range[64];
		if (!h[b])
			continue;
		if (b == 0)
			snprintf(range, sizeof(range), "0");
		else if (b == 1)
			snprintf(range, sizeof(range), "1");
		else
			snprintf(range, sizeof(range), "%llu..%llu", 1ULL << (b - 1),
			         b == 64 ? ~0ULL : (1ULL << b) - 1);
		printf("  %24s %-6s %12llu  %5.1f%%\n", range, unit, (unsigned long long)h[b],
		       total ? 100.0 * (double)h[b] / (double)total : 0.0);
	}
}

static const as_opt_t no_opts[1];

static int stats_main(int argc, char **argv);
static const as_cmd_t cmd_stats = {
    .name = "trace stats",
    .synopsis = "trace stats TRACE",
    .summary = "events by op, threads, size histogram, peak live bytes and when, lifetimes, "
               "unknown frees",
    .opts = no_opts,
    .nopts = 0,
    .examples = "  allocscope trace stats prog.ast\n  allocscope trace stats prog.csv\n"
                "  allocscope trace stats prog.ast.zst     (zstd-compressed: read as it is)\n",
    .main = stats_main,
};

static int stats_main(int argc, char **argv)
{
	stats_t *s;
	uint64_t size_hist[NBUCKETS] = {0};
	char msg[1024];
	as_trace_fmt_t fmt;
	struct stat st;
	const char *path;
	int npos, nthreads = 0,
	          r = as_cli_parse_operands(&cmd_stats, argc, argv, NULL, NULL, &path, 1, &npos);
	if (r == -2)
		return 0;
	if (r < 0)
		return 2;
	if (npos != 1) {
		fprintf(stderr, "allocscope trace stats: expected one TRACE argument\n");
		return 2;
	}
	s = calloc(1, sizeof(*s));
	if (!s)
		return 2;
	if (as_trace_read_file(path, stats_fn, s, &fmt, msg, sizeof(msg)) != 0) {
		fprintf(stderr, "allocscope trace stats: %s\n", msg);
		r = 2;
		goto out;
	}
	for (int t = 0; t < AS_TRACE_MAX_THREADS; t++)
		nthreads += s->threads_seen[t] ? 1 : 0;
	stat(path, &st);
	printf("trace:          %s (%s, %lld bytes, %.2f bytes/event)\n", path,
	       fmt == AS_TRACE_BIN ? "binary" : "csv", (long long)st.st_size,
	       s->n ? (double)st.st_size / (double)s->n : 0.0);
	/* an imported mtrace log (and any trace written without times) has
	 * time 0 on every event: no duration, no lifetimes in time */
	if (s->last_time)
		printf("events:         %llu over %.3f s\n", (unsigned long long)s->n,
		       (double)s->last_time / 1e9);
	else
		printf("events:         %llu (no timestamps: every time_ns is 0)\n",
		       (unsigned long long)s->n);
	for (int o = 0; o < AS_TEV_OP_COUNT; o++)
		printf("  %-13s %llu\n", as_tev_op_names[o], (unsigned long long)s->by_op[o]);
	printf("threads:        %d\n", nthreads);
	printf("objects:        %llu allocated, %llu freed, %llu never freed\n",
	       (unsigned long long)s->objs, (unsigned long long)s->freed,
	       (unsigned long long)(s->objs - s->freed));
	printf("unknown frees:  %llu (objects allocated before tracing began)\n",
	       (unsigned long long)s->by_op[AS_TEV_FREE_UNKNOWN]);
	if (s->last_time)
		printf("peak live:      %lld bytes at event %llu (%.6f s)\n", (long long)s->peak,
		       (unsigned long long)s->peak_event, (double)s->peak_time_ns / 1e9);
	else
		printf("peak live:      %lld bytes at event %llu\n", (long long)s->peak,
		       (unsigned long long)s->peak_event);
	printf("live at end:    %lld bytes\n", (long long)s->live);
	for (uint64_t i = 0; i < s->sizes.n; i++)
		size_hist[bucket(s->sizes.size_bytes[i])] += s->sizes.count[i];
	print_hist("request sizes (alloc, calloc, realloc):", "bytes", size_hist,
	           s->sizes.requests);
	print_hist("lifetimes of freed objects, in events:", "events", s->life_hist, s->freed);
	if (s->last_time)
		print_hist("lifetimes of freed objects, in time:", "ns", s->life_ns_hist, s->freed);
	else
		printf("lifetimes of freed objects, in time: not known (no timestamps)\n");
	r = 0;
out:
	as_size_hist_free(&s->sizes);
	free(s->born);
	free(s->born_ns);
	free(s->osize);
	free(s);
	return r;
}

/* ---- convert ---- */
typedef struct {
	const char *format;
} conv_ctx_t;

static const as_opt_t conv_opts[] = {
    {'f', "format", "bin|csv", "from OUT's extension: .csv = csv, else bin",
     "format of OUT (OUT ending in .zst: written zstd-compressed, x.csv.zst = csv)"},
};

static int on_conv_opt(int key, const char *arg, void *vctx)
{
	conv_ctx_t *c = vctx;
	if (key == 'f' || key == 'o') {
		if (key == 'f')
			c->format = arg;
		return 0;
	}
	return -1;
}

static int convert_main(int argc, char **argv);
static const as_cmd_t cmd_convert = {
    .name = "trace convert",
    .synopsis = "trace convert [-f bin|csv] IN OUT",
    .summary = "convert a trace between the binary and CSV forms (either way)",
    .opts = conv_opts,
    .nopts = 1,
    .examples = "  allocscope trace convert prog.ast prog.csv\n"
                "  allocscope trace convert edited.csv edited.ast\n"
                "  allocscope trace convert prog.ast prog.ast.zst   (zstd-compressed)\n",
    .main = convert_main,
};

static int convert_main(int argc, char **argv)
{
	conv_ctx_t c = {0};
	as_trace_out_t o;
	as_trace_fmt_t fmt;
	char msg[1024];
	const char *pos[2];
	int npos,
	    r = as_cli_parse_operands(&cmd_convert, argc, argv, on_conv_opt, &c, pos, 2, &npos);
	if (r == -2)
		return 0;
	if (r < 0)
		return 2;
	if (npos != 2) {
		fprintf(stderr, "allocscope trace convert: expected IN and OUT\n");
		return 2;
	}
	if (as_trace_fmt_for(pos[1], c.format, &fmt) != 0 ||
	    as_trace_out_open(&o, pos[1], fmt, as_trace_zst(pos[1])) != 0)
		return 2;
	if (as_trace_read_file(pos[0], as_trace_writer_fn, &o.w, NULL, msg, sizeof(msg)) != 0) {
		if (o.w.io_error) /* the output's fault, not the input's */
			as_path_err(msg, sizeof(msg), pos[1], "write failed: %s",
			            strerror(o.w.io_errno));
		fprintf(stderr, "allocscope trace convert: %s\n", msg);
		as_trace_out_close(&o, 0);
		return 2;
	}
	if (as_trace_out_close(&o, 1) != 0)
		return 2;
	printf("%s: %llu events\n", pos[1], (unsigned long long)o.w.n);
	return 0;
}

/* ---- import mtrace ---- */
typedef struct {
	const char *out, *format;
	int strict, lenient;
} imp_ctx_t;

enum { OPT_STRICT = 256, OPT_LENIENT };

static const as_opt_t imp_opts[] = {
    {'o', "out", "TRACE", NULL, "trace to write (required; TRACE.zst: zstd-compressed)"},
    {'f', "format", "bin|csv", "from TRACE's extension", "format of TRACE"},
    {OPT_STRICT, "strict", NULL, NULL,
     "refuse a log with a torn line (exit 2, its line number) instead of skipping it"},
    {OPT_LENIENT, "lenient", NULL, NULL,
     "import a log several processes wrote (lines torn before its end), skipping what does "
     "not parse: the events of all of them mixed, no one program's trace"},
};

static int on_imp_opt(int key, const char *arg, void *vctx)
{
	imp_ctx_t *c = vctx;
	if (key == 'o')
		c->out = arg;
	else if (key == 'f')
		c->format = arg;
	else if (key == OPT_STRICT)
		c->strict = 1;
	else if (key == OPT_LENIENT)
		c->lenient = 1;
	else
		return -1;
	return 0;
}

/* The import summary: one line per repair or drop, "name count what", the
 * torn lines' numbers (the first few) after their count. */
static void import_report(const as_mtrace_report_t *rep)
{
	static const char *const what[] = {
	    "torn lines (cut by a kill or by another process's writes): skipped",
	    "frees of blocks allocated before tracing: kept as free_unknown",
	    "frees of a block freed before, not allocated since: kept as free_unknown",
	    "allocations at a live address (lines out of order): old block freed first",
	    "late frees owed by those: dropped",
	    "reallocs of unknown blocks: made allocations",
	    "'<' without its '>' or the reverse: dropped or made an allocation",
	    "failed allocations '+ (nil)': dropped",
	    "failed reallocs '!': dropped",
	    "free(NULL) '- (nil)': dropped",
	    "markers ('= Start', '= End') and empty lines: dropped",
	};
	const char *const name[] = {"torn_lines",          "unknown_frees", "double_frees",
	                            "live_address_allocs", "late_frees",    "unknown_reallocs",
	                            "unpaired_reallocs",   "failed_allocs", "failed_reallocs",
	                            "null_frees",          "markers"};
	const uint64_t n[] = {rep->torn_lines,           rep->unknown_frees, rep->double_frees,
	                      rep->live_realloc_as_free, rep->late_frees,    rep->unknown_realloc,
	                      rep->unpaired_realloc,     rep->failed_alloc,  rep->failed_realloc,
	                      rep->null_frees,           rep->markers};
	printf("repairs and drops:\n");
	for (size_t i = 0; i < sizeof(n) / sizeof(n[0]); i++) {
		printf("  %-20s %10llu  %s", name[i], (unsigned long long)n[i], what[i]);
		if (i == 0 && n[0]) {
			printf(" (line");
			for (uint64_t k = 0; k < n[0] && k < AS_MTRACE_TORN_LISTED; k++)
				printf("%s %llu", k ? "," : "",
				       (unsigned long long)rep->torn_first[k]);
			printf("%s)", n[0] > AS_MTRACE_TORN_LISTED ? ", ..." : "");
		}
		printf("\n");
	}
}

static int import_main(int argc, char **argv);
static const as_cmd_t cmd_import = {
    .name = "trace import",
    .synopsis = "trace import mtrace LOG -o TRACE [-f bin|csv] [--strict|--lenient]",
    .summary = "import a glibc MALLOC_TRACE log; reports what was repaired or dropped",
    .opts = imp_opts,
    .nopts = 4,
    .examples = "  cc -shared -fPIC -o mtrace_on.so examples/mtrace/mtrace_on.c\n"
                "  MALLOC_TRACE=prog.mtrace \\\n"
                "    LD_PRELOAD=\"libc_malloc_debug.so.0 $PWD/mtrace_on.so\" ./prog\n"
                "  allocscope trace import mtrace prog.mtrace -o prog.ast\n"
                "  allocscope trace import mtrace prog.mtrace -o prog.ast.zst\n",
    .main = import_main,
};

static int import_main(int argc, char **argv)
{
	imp_ctx_t c = {0};
	as_trace_out_t o;
	as_trace_fmt_t fmt;
	as_mtrace_report_t rep;
	as_trace_err_t err;
	const void *buf;
	size_t len;
	char msg[1024], where[300];
	int r, ret, npos;
	const char *pos[2], *log;

	/* `import mtrace LOG -o TRACE`, options anywhere */
	r = as_cli_parse_operands(&cmd_import, argc, argv, on_imp_opt, &c, pos, 2, &npos);
	if (r == -2)
		return 0;
	if (r < 0)
		return 2;
	if (npos != 2 || strcmp(pos[0], "mtrace") != 0) {
		fprintf(stderr, "allocscope trace import: expected 'mtrace LOG' (the only importer "
		                "so far)\n");
		return 2;
	}
	log = pos[1];
	if (c.strict && c.lenient) {
		fprintf(stderr, "allocscope trace import: --strict and --lenient contradict each "
		                "other: give one\n");
		return 2;
	}
	if (!c.out) {
		fprintf(stderr, "allocscope trace import: option -o TRACE is required\n");
		return 2;
	}
	if (as_trace_map_file(log, &buf, &len, msg, sizeof(msg)) != 0 ||
	    (as_trace_compressed(log, buf, len, msg, sizeof(msg)) &&
	     (as_trace_unmap_file(buf, len), 1))) {
		fprintf(stderr, "allocscope trace import: %s\n", msg);
		return 2;
	}
	if (as_trace_fmt_for(c.out, c.format, &fmt) != 0 ||
	    as_trace_out_open(&o, c.out, fmt, as_trace_zst(c.out)) != 0) {
		as_trace_unmap_file(buf, len);
		return 2;
	}
	memset(&err, 0, sizeof(err));
	ret = as_trace_mtrace_read(buf, len, c.strict, as_trace_writer_fn, &o.w, &rep, &err);
	as_trace_unmap_file(buf, len);
	if (ret != 0 && o.w.io_error) {
		as_path_err(msg, sizeof(msg), c.out, "write failed: %s", strerror(o.w.io_errno));
		fprintf(stderr, "allocscope trace import: %s\n", msg);
		as_trace_out_close(&o, 0);
		return 2;
	}
	if (ret != 0) {
		as_trace_err_format(&err, where, sizeof(where));
		as_path_err(msg, sizeof(msg), log, "%s", where);
		fprintf(stderr, "allocscope trace import: %s\n", msg);
		as_trace_out_close(&o, 0);
		return 2;
	}
	if (rep.records == 0) {
		/* binary data or an empty file: every line torn, none a record
		 * ("= Start\n" alone is a log of a program that allocated nothing) */
		as_path_err(msg, sizeof(msg), log,
		            "not a glibc mtrace log (%s; a log starts with '= Start' and has "
		            "'@ ...' lines)",
		            len == 0 ? "empty file" : "no line is an mtrace record");
		fprintf(stderr, "allocscope trace import: %s\n", msg);
		as_trace_out_close(&o, 0);
		return 2;
	}
	if (rep.torn_inside && !c.lenient) {
		if (rep.torn_nul_first)
			/* NUL bytes are a hole: the file was truncated (fopen "w")
			 * while a process went on writing at its own offset. A child
			 * that inherits MALLOC_TRACE and calls mtrace() too (the
			 * preload that starts it, in every image) opens the log
			 * again: python3's subprocess.run(["true"]) did; until
			 * session 32 such a log was blamed on a fork. */
			as_path_err(
			    msg, sizeof(msg), log,
			    "line %llu: NUL bytes, a hole in the log: it was opened again "
			    "(truncated) while a process still wrote it, as a process started "
			    "with MALLOC_TRACE that calls mtrace() too does (a child the program "
			    "ran, with the preload that starts mtrace() in every image), so it is "
			    "no one program's trace; capture the program instead (allocscope "
			    "capture: a trace per process), or --lenient imports what parses",
			    (unsigned long long)rep.torn_nul_first);
		else
			/* a kill cuts only the last line; a line torn before the end
			 * is another process's write cut into it (a fork after
			 * mtrace() started: both write the log through their own
			 * stdio buffer). Pieces of two lines can still parse, and the
			 * records of both processes mix: an outside review's python3
			 * fork log imported with a peak of 243 GB live. */
			as_path_err(
			    msg, sizeof(msg), log,
			    "line %llu: torn before the log's end (%llu such line%s; a kill cuts "
			    "only the last): several processes wrote this log (a fork after "
			    "mtrace() started) or it was altered (that line: %s), so it is no one "
			    "program's trace; capture the program instead (allocscope capture: a "
			    "trace per process), or --lenient imports what parses",
			    (unsigned long long)rep.torn_inside_first,
			    (unsigned long long)rep.torn_inside, rep.torn_inside == 1 ? "" : "s",
			    rep.torn_inside_why);
		fprintf(stderr, "allocscope trace import: %s\n", msg);
		as_trace_out_close(&o, 0);
		return 2;
	}
	if (as_trace_out_close(&o, 1) != 0)
		return 2;
	printf("%s: %llu events from %llu lines\n", c.out, (unsigned long long)rep.events,
	       (unsigned long long)rep.lines);
	import_report(&rep);
	return 0;
}

static const as_cmd_t *const trace_subs[] = {&cmd_stats, &cmd_convert, &cmd_import, NULL};

static int trace_main(int argc, char **argv)
{
	as_suggest_t sg;
	char dym[96];

	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		FILE *f = argc < 2 ? stderr : stdout;
		fprintf(f,
		        "usage: allocscope trace stats|convert|import ...\n\n"
		        "  stats TRACE                        %s\n"
		        "  convert [-f bin|csv] IN OUT        %s\n"
		        "  import mtrace LOG -o TRACE         %s\n\n"
		        "'allocscope trace SUBCOMMAND --help' shows its options and examples.\n",
		        cmd_stats.summary, cmd_convert.summary, cmd_import.summary);
		return argc < 2 ? 2 : 0;
	}
	as_suggest_init(&sg, argv[1]);
	for (int i = 0; trace_subs[i]; i++) {
		const char *word = strchr(trace_subs[i]->name, ' ') + 1; /* "trace WORD" */
		if (!strcmp(argv[1], word))
			return trace_subs[i]->main(argc - 1, argv + 1);
		as_suggest_add(&sg, word);
	}
	fprintf(stderr, "allocscope trace: unknown subcommand '%s' (stats, convert, import)%s\n",
	        argv[1], as_suggest_fmt(&sg, NULL, dym, sizeof(dym)));
	return 2;
}

const as_cmd_t as_cmd_trace = {
    .name = "trace",
    .synopsis = "trace stats|convert|import ...",
    .summary = "trace files: stats, convert binary<->CSV, import glibc mtrace",
    .examples = "  allocscope trace stats prog.ast\n",
    .main = trace_main,
    .subs = trace_subs,
};
