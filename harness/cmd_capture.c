/* cmd_capture.c - `allocscope capture -o TRACE -- PROG ARGS`: runs PROG with
 * allocscope_capture.so preloaded, waits for it, then turns each spool the
 * library wrote (the program, and with --fork follow each child process and
 * each exec'd image) into a trace: records placed by their global sequence
 * number, addresses renamed to object numbers, thread ids to indexes, cycle
 * counts to ns. Reports lost records and repairs, which should both be 0. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../workloads/trace.h"
#include "capture/spool.h"
#include "commands.h"
#include "loader.h"
#include "trace_out.h"
#include "util.h"

#ifndef AS_INSTALL_MODULE_DIR
#define AS_INSTALL_MODULE_DIR "/usr/local/lib/allocscope"
#endif

enum { OPT_FORK = 400, OPT_KEEP, OPT_TIME_EVERY };

static const as_opt_t capture_opts[] = {
    {'o', "out", "TRACE", NULL,
     "trace of the program's last image (required); children and earlier images "
     "(before an exec) go to TRACE.PID.GEN"},
    {OPT_FORK, "fork", "follow|exclude", "follow",
     "child processes: traced each to its own file, or not traced"},
    {'f', "format", "bin|csv", "from TRACE's extension", "format of the traces"},
    {OPT_TIME_EVERY, "time-every", "N", "16",
     "read the clock every Nth call per thread, interpolate between (1 = every call)"},
    {OPT_KEEP, "keep-spool", NULL, NULL, "keep the raw spool folder (debugging)"},
};

typedef struct {
	const char *out, *format;
	int exclude, keep;
	uint64_t time_every;
} cap_ctx_t;

static int on_capture_opt(int key, const char *arg, void *vctx)
{
	cap_ctx_t *c = vctx;
	switch (key) {
	case 'o': c->out = arg; return 0;
	case 'f': c->format = arg; return 0;
	case OPT_KEEP: c->keep = 1; return 0;
	case OPT_TIME_EVERY: {
		char err[256];
		if (as_parse_u64("--time-every", arg, 1, 100000, &c->time_every, err,
		                 sizeof(err)) != 0) {
			fprintf(stderr, "allocscope capture: %s\n", err);
			return -1;
		}
		return 0;
	}
	case OPT_FORK:
		if (!strcmp(arg, "follow"))
			c->exclude = 0;
		else if (!strcmp(arg, "exclude"))
			c->exclude = 1;
		else {
			fprintf(stderr,
			        "allocscope capture: --fork: '%s' is not follow or exclude\n", arg);
			return -1;
		}
		return 0;
	}
	return -1;
}

/* $ALLOCSCOPE_CAPTURE_LIB overrides the library shipped with the CLI. */
static int find_lib(char *path, size_t len)
{
	const char *env = getenv("ALLOCSCOPE_CAPTURE_LIB");
	if (env && *env) {
		snprintf(path, len, "%s", env);
		return access(path, R_OK) == 0 ? 0 : -1;
	}
	return as_find_preload("allocscope_capture.so", path, len);
}

typedef struct {
	uint64_t records, lost, torn, bad, events, threads;
	as_trace_norm_t norm;
} conv_report_t;

typedef struct {
	as_trace_writer_t *w;
	uint64_t *events;
} count_ctx_t;

static int get_varint(const uint8_t **p, const uint8_t *end, uint64_t *out)
{
	uint64_t v = 0;
	for (unsigned shift = 0; shift < 64; shift += 7) {
		if (*p >= end)
			return -1;
		uint8_t b = *(*p)++;
		v |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80)) {
			*out = v;
			return 0;
		}
	}
	return -1;
}

/* Decode every chunk into fixed records (malloc'd *out, *n). A damaged
 * chunk ends decoding (counted in *bad); what came before is kept. */
static int decode_spool(const uint8_t *p, const uint8_t *end, as_spool_rec_t **out, uint64_t *n,
                        uint64_t *bad)
{
	struct tstate {
		uint64_t seq, tsc, addr;
		uint64_t last;    /* index + 1 of the thread's previous record */
		uint64_t untimed; /* records since the last timed one */
	} *st = NULL;
	as_u64map_t slot = {0}; /* tid -> index in st */
	uint64_t nst = 0, cap = 0;
	*out = NULL;
	*n = 0;
	while (p < end) {
		as_spool_chunk_t h;
		const uint8_t *ce;
		uint64_t k;
		struct tstate *s;
		if ((size_t)(end - p) < sizeof(h)) {
			(*bad)++;
			break;
		}
		memcpy(&h, p, sizeof(h));
		p += sizeof(h);
		if (h.magic != AS_SPOOL_CHUNK_MAGIC || h.len > (size_t)(end - p)) {
			(*bad)++;
			break;
		}
		ce = p + h.len;
		if (!as_u64map_get(&slot, h.tid, &k)) {
			k = nst++;
			st = realloc(st, nst * sizeof(*st));
			if (!st || as_u64map_put(&slot, h.tid, k) != 0)
				goto out_nomem;
			memset(&st[k], 0, sizeof(*st));
		}
		s = &st[k];
		if (h.flags & AS_SPOOL_CHUNK_FIRST) /* a new thread under a reused tid */
			memset(s, 0, sizeof(*s));
		while (p < ce) {
			as_spool_rec_t r;
			uint64_t ds, dt, za;
			memset(&r, 0, sizeof(r));
			r.op = *p & 7;
			int has_align = *p & 8;
			p++;
			if (get_varint(&p, ce, &ds) || get_varint(&p, ce, &dt) ||
			    get_varint(&p, ce, &za) ||
			    ((r.op == AS_SPOOL_MALLOC || r.op == AS_SPOOL_CALLOC ||
			      r.op == AS_SPOOL_REND) &&
			     get_varint(&p, ce, &r.size)) ||
			    (has_align && p >= ce)) {
				(*bad)++;
				p = ce;
				break;
			}
			if (has_align)
				r.align_log2 = *p++;
			s->seq += ds;
			if (dt == 0 && s->last) {
				s->untimed++; /* the clock was not read: filled in below */
			} else if (s->untimed) {
				/* spread the untimed records evenly since the last reading */
				uint64_t t0 = s->tsc, parts = s->untimed + 1, idx = s->last;
				for (uint64_t j = s->untimed; j >= 1 && idx; j--) {
					as_spool_rec_t *u = &(*out)[idx - 1];
					u->tsc = t0 + dt * j / parts;
					idx = u->prev;
				}
				s->untimed = 0;
			}
			s->tsc += dt;
			s->addr += (za >> 1) ^ (uint64_t) - (int64_t)(za & 1);
			r.seq = s->seq;
			r.tsc = s->tsc;
			r.addr = s->addr;
			r.tid = h.tid;
			r.prev = s->last;
			if (*n == cap) {
				cap = cap ? cap * 2 : 65536;
				as_spool_rec_t *nr = realloc(*out, cap * sizeof(**out));
				if (!nr)
					goto out_nomem;
				*out = nr;
			}
			(*out)[(*n)++] = r;
			s->last = *n;
		}
	}
	free(st);
	as_u64map_free(&slot);
	return 0;
out_nomem:
	free(st);
	as_u64map_free(&slot);
	return -1;
}

static int count_write(void *vctx, const as_tev_t *ev, as_trace_err_t *err)
{
	count_ctx_t *c = vctx;
	(*c->events)++;
	return as_trace_writer_put(c->w, ev, err);
}

/* Turn one spool into a trace at out. Returns 0, or -1 after printing. */
static int convert_spool(const char *spool, const char *out, as_trace_fmt_t fmt, double ns_per_tick,
                         conv_report_t *rep)
{
	const void *buf;
	size_t len;
	char msg[1024];
	const as_spool_hdr_t *h;
	as_spool_rec_t *recs = NULL;
	uint64_t n, maxseq = 0, *at = NULL, tsc_first = 0, last_ns = 0;
	as_u64map_t tids = {0};
	struct {
		int state; /* 0 none, 1 known object, 2 unknown */
		uint64_t old, obj;
	} pend[AS_TRACE_MAX_THREADS];
	as_trace_out_t o;
	as_trace_err_t err;
	count_ctx_t cc;
	int r = -1, have_first = 0;

	memset(rep, 0, sizeof(*rep));
	memset(pend, 0, sizeof(pend));
	memset(&err, 0, sizeof(err));
	if (as_trace_map_file(spool, &buf, &len, msg, sizeof(msg)) != 0) {
		fprintf(stderr, "allocscope capture: %s\n", msg);
		return -1;
	}
	h = buf;
	if (len < sizeof(*h) || memcmp(h->magic, AS_SPOOL_MAGIC, 8) != 0) {
		fprintf(stderr, "allocscope capture: %s: not a capture spool\n", spool);
		goto out_unmap;
	}
	if (decode_spool((const uint8_t *)(h + 1), (const uint8_t *)buf + len, &recs, &n,
	                 &rep->torn) != 0) {
		fprintf(stderr, "allocscope capture: %s: out of memory\n", spool);
		goto out_unmap;
	}
	rep->records = n;
	/* one thread, nothing lost: already in order, no placement needed */
	int in_order = 1;
	for (uint64_t i = 0; i < n && in_order; i++)
		in_order = recs[i].seq == i && recs[i].op >= AS_SPOOL_MALLOC &&
		           recs[i].op <= AS_SPOOL_REND;
	if (in_order && n)
		maxseq = n - 1;
	for (uint64_t i = 0; i < n && !in_order; i++)
		if (recs[i].op >= AS_SPOOL_MALLOC && recs[i].op <= AS_SPOOL_REND &&
		    recs[i].seq > maxseq && recs[i].seq < n * 4 + 1024)
			maxseq = recs[i].seq;
	at = n && !in_order ? calloc(maxseq + 1, sizeof(uint64_t)) : NULL;
	if (n && !in_order && !at) {
		fprintf(stderr, "allocscope capture: %s: out of memory\n", spool);
		goto out_free;
	}
	for (uint64_t i = 0; i < n && !in_order; i++) {
		const as_spool_rec_t *rc = &recs[i];
		if (rc->op < AS_SPOOL_MALLOC || rc->op > AS_SPOOL_REND || rc->seq > maxseq ||
		    at[rc->seq]) {
			rep->bad++;
			continue;
		}
		at[rc->seq] = i + 1;
	}
	if (as_trace_out_open(&o, out, fmt) != 0)
		goto out_free;
	cc.w = &o.w;
	cc.events = &rep->events;
	as_trace_norm_init(&rep->norm, 1, count_write, &cc);
	rep->norm.live.shift = 4; /* keys are malloc pointers */
	for (uint64_t s = 0; n && s <= maxseq; s++) {
		const as_spool_rec_t *rc;
		as_tev_t ev;
		uint64_t t, ns;
		int rr = 0;
		if (in_order) {
			rc = &recs[s];
		} else if (!at[s]) {
			rep->lost++;
			continue;
		} else {
			rc = &recs[at[s] - 1];
		}
		if (!as_u64map_get(&tids, rc->tid, &t)) {
			t = tids.count;
			if (t >= AS_TRACE_MAX_THREADS) {
				fprintf(stderr,
				        "allocscope capture: %s: more than %d threads; the trace "
				        "format holds %d\n",
				        spool, AS_TRACE_MAX_THREADS, AS_TRACE_MAX_THREADS);
				goto out_close;
			}
			as_u64map_put(&tids, rc->tid, t);
		}
		if (!have_first) {
			tsc_first = rc->tsc;
			have_first = 1;
		}
		ns = rc->tsc > tsc_first ? (uint64_t)((double)(rc->tsc - tsc_first) * ns_per_tick)
		                         : 0;
		if (ns < last_ns)
			ns = last_ns; /* the clock is read just after the sequence number */
		last_ns = ns;
		memset(&ev, 0, sizeof(ev));
		ev.thread = (uint16_t)t;
		ev.time_ns = ns;
		ev.size = rc->size;
		ev.align_log2 = rc->align_log2;
		switch (rc->op) {
		case AS_SPOOL_MALLOC:
		case AS_SPOOL_CALLOC:
			ev.op = rc->op == AS_SPOOL_MALLOC ? AS_TEV_ALLOC : AS_TEV_CALLOC;
			rr = as_trace_norm_event(&rep->norm, &ev, rc->addr, rc->addr, &err);
			break;
		case AS_SPOOL_FREE:
			ev.op = AS_TEV_FREE;
			rr = as_trace_norm_event(&rep->norm, &ev, rc->addr, rc->addr, &err);
			break;
		case AS_SPOOL_RBEGIN:
			/* the old address is released now: another thread may get it
			 * before our realloc returns */
			pend[t].old = rc->addr;
			pend[t].state =
			    as_trace_norm_unbind(&rep->norm, rc->addr, &pend[t].obj) ? 1 : 2;
			break;
		case AS_SPOOL_REND:
			if (pend[t].state == 0) {
				rep->bad++;
				break;
			}
			if (rc->addr == 0) { /* failed: the old block stays */
				if (pend[t].state == 1)
					as_trace_norm_bind(&rep->norm, pend[t].old, pend[t].obj);
			} else if (pend[t].state == 2) {
				ev.op = AS_TEV_ALLOC;
				rep->norm.unknown_realloc++;
				rr = as_trace_norm_event(&rep->norm, &ev, rc->addr, rc->addr, &err);
			} else {
				/* bind the object under a temporary raw id, then realloc it
				 * onto the new address through the normaliser */
				uint64_t tmp = UINT64_MAX - t;
				as_trace_norm_bind(&rep->norm, tmp, pend[t].obj);
				ev.op = AS_TEV_REALLOC;
				rr = as_trace_norm_event(&rep->norm, &ev, tmp, rc->addr, &err);
			}
			pend[t].state = 0;
			break;
		}
		if (rr != 0) {
			fprintf(stderr, "allocscope capture: %s: record %llu: %s\n", spool,
			        (unsigned long long)s, err.msg);
			goto out_close;
		}
	}
	rep->threads = tids.count;
	r = 0;
out_close:
	if (as_trace_out_close(&o, r == 0) != 0)
		r = -1;
	as_trace_norm_free(&rep->norm);
out_free:
	free(at);
	as_u64map_free(&tids);
out_unmap:
	as_trace_unmap_file(buf, len);
	free(recs);
	return r;
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int capture_main(int argc, char **argv)
{
	cap_ctx_t c = {.time_every = 16};
	char lib[PATH_MAX], dir[PATH_MAX + 64], env[PATH_MAX * 2], *slash;
	as_trace_fmt_t fmt;
	pid_t pid;
	int r, status = 0, ret = 0, nspool = 0;
	uint64_t tick0, tick1, ns0, ns1;
	struct sigaction ign, old_int, old_quit;
	DIR *d;
	struct dirent *e;
	char *names[1024];

	r = as_cli_parse(&as_cmd_capture, argc, argv, on_capture_opt, &c);
	if (r == -2)
		return 0;
	if (r < 0)
		return 2;
	if (!c.out) {
		fprintf(stderr, "allocscope capture: option -o TRACE is required\n");
		return 2;
	}
	if (r >= argc) {
		fprintf(stderr, "allocscope capture: no program given (capture -o TRACE -- PROG "
		                "ARGS)\n");
		return 2;
	}
	if (as_trace_fmt_for(c.out, c.format, &fmt) != 0)
		return 2;
	if (find_lib(lib, sizeof(lib)) != 0) {
		fprintf(stderr,
		        "allocscope capture: allocscope_capture.so not found (last looked at %s; "
		        "set ALLOCSCOPE_CAPTURE_LIB)\n",
		        AS_INSTALL_MODULE_DIR);
		return 2;
	}
	/* the spool folder sits next to the output: same filesystem, and
	 * traces of long runs do not fill a small /tmp */
	snprintf(dir, sizeof(dir), "%s", c.out);
	slash = strrchr(dir, '/');
	snprintf(slash ? slash + 1 : dir, sizeof(dir) - (size_t)(slash ? slash + 1 - dir : 0),
	         ".allocscope-capture-XXXXXX");
	if (!mkdtemp(dir)) {
		fprintf(stderr, "allocscope capture: cannot create a spool folder %s: %s\n", dir,
		        strerror(errno));
		return 2;
	}

	memset(&ign, 0, sizeof(ign));
	ign.sa_handler = SIG_IGN;
	sigaction(SIGINT, &ign, &old_int); /* like system(): ^C is the program's */
	sigaction(SIGQUIT, &ign, &old_quit);
	fflush(NULL);
	ns0 = as_now_ns();
	tick0 = as_spool_ticks();
	pid = fork();
	if (pid < 0) {
		fprintf(stderr, "allocscope capture: fork: %s\n", strerror(errno));
		rmdir(dir);
		return 2;
	}
	if (pid == 0) {
		const char *pre = getenv("LD_PRELOAD");
		char me[32];
		sigaction(SIGINT, &old_int, NULL);
		sigaction(SIGQUIT, &old_quit, NULL);
		snprintf(env, sizeof(env), "%s%s%s", lib, pre && *pre ? ":" : "", pre ? pre : "");
		snprintf(me, sizeof(me), "%d", (int)getpid());
		setenv("LD_PRELOAD", env, 1);
		setenv(AS_CAPTURE_ENV_DIR, dir, 1);
		setenv(AS_CAPTURE_ENV_ROOT, me, 1);
		setenv(AS_CAPTURE_ENV_FORK, c.exclude ? "exclude" : "follow", 1);
		snprintf(me, sizeof(me), "%llu", (unsigned long long)c.time_every);
		setenv(AS_CAPTURE_ENV_TIME_EVERY, me, 1);
		execvp(argv[r], argv + r);
		fprintf(stderr, "allocscope capture: %s: %s\n", argv[r], strerror(errno));
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	tick1 = as_spool_ticks();
	ns1 = as_now_ns();
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGQUIT, &old_quit, NULL);
	if (WIFEXITED(status) && WEXITSTATUS(status) != 0) {
		fprintf(stderr, "allocscope capture: %s exited with status %d\n", argv[r],
		        WEXITSTATUS(status));
		ret = 1;
	} else if (WIFSIGNALED(status)) {
		fprintf(stderr, "allocscope capture: %s died on signal %d (%s)\n", argv[r],
		        WTERMSIG(status), strsignal(WTERMSIG(status)));
		ret = 1;
	}

	d = opendir(dir);
	while (d && (e = readdir(d)) && nspool < 1024)
		if (strstr(e->d_name, ".spool"))
			names[nspool++] = strdup(e->d_name);
	if (d)
		closedir(d);
	qsort(names, (size_t)nspool, sizeof(names[0]), name_cmp);
	if (nspool == 0) {
		fprintf(stderr,
		        "allocscope capture: no trace was recorded (did %s start? is it "
		        "statically linked?)\n",
		        argv[r]);
		ret = 2;
	}
	/* TRACE is the program's last image (after `env X prog` or a shell
	 * wrapper exec'd it); earlier images and children get TRACE.PID.GEN */
	unsigned root_gen = 0;
	for (int i = 0; i < nspool; i++) {
		unsigned spid = 0, gen = 0;
		if (sscanf(names[i], "%u.%u", &spid, &gen) == 2 && spid == (unsigned)pid &&
		    gen > root_gen)
			root_gen = gen;
	}
	for (int i = 0; i < nspool; i++) {
		char spool[PATH_MAX * 2], out[PATH_MAX + 64];
		conv_report_t rep;
		unsigned spid = 0, gen = 0;
		struct stat st;
		double tpn = tick1 > tick0 ? (double)(ns1 - ns0) / (double)(tick1 - tick0) : 1.0;
		sscanf(names[i], "%u.%u", &spid, &gen);
		snprintf(spool, sizeof(spool), "%s/%s", dir, names[i]);
		if (spid == (unsigned)pid && gen == root_gen)
			snprintf(out, sizeof(out), "%s", c.out);
		else
			snprintf(out, sizeof(out), "%s.%u.%u", c.out, spid, gen);
		if (convert_spool(spool, out, fmt, tpn, &rep) != 0) {
			ret = 2;
		} else {
			stat(out, &st);
			printf("%s: %llu events, %llu threads, %lld bytes (%.2f bytes/event)%s\n",
			       out, (unsigned long long)rep.events, (unsigned long long)rep.threads,
			       (long long)st.st_size,
			       rep.events ? (double)st.st_size / (double)rep.events : 0.0,
			       spid == (unsigned)pid ? "" : " (child process)");
			printf(
			    "  lost records %llu, torn %llu, bad %llu; repaired: %llu allocations "
			    "at a live address, %llu reallocs of unknown blocks; unknown frees "
			    "%llu\n",
			    (unsigned long long)rep.lost, (unsigned long long)rep.torn,
			    (unsigned long long)rep.bad,
			    (unsigned long long)rep.norm.live_realloc_as_free,
			    (unsigned long long)rep.norm.unknown_realloc,
			    (unsigned long long)rep.norm.unknown_frees);
		}
		if (!c.keep)
			unlink(spool);
		free(names[i]);
	}
	if (!c.keep)
		rmdir(dir);
	else
		printf("spool kept in %s\n", dir);
	printf("program ran %.3f s; writing the traces took %.3f s\n", (double)(ns1 - ns0) / 1e9,
	       (double)(as_now_ns() - ns1) / 1e9);
	return ret;
}

const as_cmd_t as_cmd_capture = {
    .name = "capture",
    .synopsis = "capture -o TRACE [--fork follow|exclude] -- PROG [ARGS...]",
    .summary = "run a program and record every malloc-family call into a trace",
    .opts = capture_opts,
    .nopts = sizeof(capture_opts) / sizeof(capture_opts[0]),
    .examples = "  allocscope capture -o ls.ast -- ls -l /\n"
                "  allocscope capture -o py.ast --fork exclude -- env PYTHONMALLOC=malloc "
                "python3 x.py\n"
                "  allocscope trace stats ls.ast && allocscope replay ls.ast -a glibc,null\n",
    .main = capture_main,
};
