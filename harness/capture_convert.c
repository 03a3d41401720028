/* capture_convert.c - see capture_convert.h: each spool of `allocscope
 * capture` turned into its trace, while the program runs (live) and after
 * it ended, and the one report a trace. Not the command (cmd_capture.c),
 * not the spool's decoding (capture/spool_read.c). */
#define _GNU_SOURCE
#include "capture_convert.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "capture/spool_read.h"
#include "trace_out.h"
#include "util.h"

/* The trace of process image PID.GEN that is not the program's last:
 * TRACE.PID.GEN, or NAME.PID.GEN.zst for TRACE = NAME.zst (compressed like
 * TRACE, and named so). malloc'd; NULL when out of memory. */
static char *other_name(const char *out, unsigned pid, unsigned gen)
{
	char *name = NULL;
	int n = as_trace_zst(out) ? (int)strlen(out) - 4 : -1;
	if ((n < 0 ? asprintf(&name, "%s.%u.%u", out, pid, gen)
	           : asprintf(&name, "%.*s.%u.%u.zst", n, out, pid, gen)) < 0)
		return NULL;
	return name;
}

/* A spool converted while its program runs (into a trace named
 * TRACE.PID.GEN until the end says which image was the last), so that
 * only the tail is left to convert when the program exits. */
struct as_live {
	char *name, *path; /* PID.GEN.spool; its path */
	as_spool_t sp;
	as_trace_out_t out;
	uint64_t synced; /* events when the trace's disk writes were last started */
	int failed;      /* msg says why ("" when already printed) */
	char msg[1024];
};

/* Start converting spool `name` of dir (once its header is written).
 * Returns 1 when started, 0 when not yet, -1 when out of memory. */
static int live_add(as_live_set_t *ls, const as_capture_opts_t *c, as_trace_fmt_t fmt,
                    const char *dir, const char *name)
{
	as_live_t *e = calloc(1, sizeof(*e));
	unsigned spid = 0, gen = 0;
	char *out = NULL;
	if (!e)
		return -1;
	/* room in ls first: once the spool and the trace are open, nothing
	 * can fail (until the review of 2026-12-06 a failed grow here freed
	 * `out` twice and left both open) */
	if (ls->n == ls->cap) {
		int nc = ls->cap ? ls->cap * 2 : 8;
		as_live_t **nv = realloc(ls->v, (size_t)nc * sizeof(*nv));
		if (!nv)
			goto out_nomem;
		ls->v = nv;
		ls->cap = nc;
	}
	sscanf(name, "%u.%u", &spid, &gen);
	if (!(e->name = strdup(name)) || asprintf(&e->path, "%s/%s", dir, name) < 0 ||
	    !(out = other_name(c->out, spid, gen)))
		goto out_nomem;
	if (as_spool_open_live(e->path, &e->sp, e->msg, sizeof(e->msg)) != 0) {
		free(out);
		free(e->path);
		free(e->name);
		free(e);
		return 0; /* not written yet (or an older library's): after the run */
	}
	if (as_trace_out_open(&e->out, out, fmt, as_trace_zst(c->out)) != 0) {
		e->failed = 1; /* printed */
		e->msg[0] = '\0';
	} else if (as_spool_convert_begin(&e->sp, as_trace_writer_fn, &e->out.w, e->msg,
	                                  sizeof(e->msg)) != 0) {
		as_trace_out_close(&e->out, 0);
		e->failed = 1;
	}
	free(out);
	ls->v[ls->n++] = e;
	return 1;
out_nomem: /* nothing opened yet: e->sp is all zeroes, and closing it
            * would close fd 0 */
	free(out);
	free(e->path);
	free(e->name);
	free(e);
	return -1;
}

/* One round of converting beside the program: new spools every 100 ms
 * (every round while there is none),
 * then what each spool has made certain. Returns 1 when something moved,
 * else 0 (then the caller sleeps). */
int as_capture_live_step(as_live_set_t *ls, const as_capture_opts_t *c, as_trace_fmt_t fmt,
                         const char *dir, const uint64_t t0[2])
{
	uint64_t now = as_now_ns(), ticks = as_spool_ticks();
	double tpn = ticks > t0[0] ? (double)(now - t0[1]) / (double)(ticks - t0[0]) : 1.0;
	int moved = 0;
	/* until the first spool appears, every round: the program's first
	 * records are converted from its first ms on, not 100 ms late */
	if (ls->n == 0 || now - ls->scanned_ns > 100 * 1000000ull) {
		char **names = NULL;
		int n = 0;
		ls->scanned_ns = now;
		as_capture_list_spools(dir, &names, &n);
		for (int i = 0; i < n; i++) {
			int known = 0;
			for (int k = 0; k < ls->n && !known; k++)
				known = !strcmp(ls->v[k]->name, names[i]);
			if (!known && live_add(ls, c, fmt, dir, names[i]) > 0)
				moved = 1;
			free(names[i]);
		}
		free(names);
	}
	for (int k = 0; k < ls->n; k++) {
		as_live_t *e = ls->v[k];
		uint64_t before = e->sp.rep.records + e->sp.index_off;
		if (e->failed)
			continue;
		if (as_spool_convert_more(&e->sp, tpn, e->msg, sizeof(e->msg)) != 0) {
			/* its trace is not written: its temp file goes now (it was
			 * left, a full disk's worth, beside the trace) */
			as_trace_out_close(&e->out, 0);
			e->failed = 1;
		}
		/* every ~1 MiB of trace: its disk writes start now, so that the
		 * fsync after the program has little left to wait for */
		if (!e->failed && e->sp.rep.events - e->synced >= 250000) {
			e->synced = e->sp.rep.events;
			as_trace_out_writeback(&e->out);
		}
		moved |= e->sp.rep.records + e->sp.index_off != before;
	}
	return moved;
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The spool files in dir, sorted (malloc'd names). Returns 0, or -1 when
 * out of memory (*names then holds what was read). */
int as_capture_list_spools(const char *dir, char ***names, int *n)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int cap = 0, r = 0;
	*names = NULL;
	*n = 0;
	while (d && (e = readdir(d))) {
		if (!strstr(e->d_name, ".spool"))
			continue;
		if (*n == cap) {
			char **grown;
			cap = cap ? cap * 2 : 64;
			if (!(grown = realloc(*names, (size_t)cap * sizeof(**names)))) {
				r = -1;
				break;
			}
			*names = grown;
		}
		if (!((*names)[*n] = strdup(e->d_name))) {
			r = -1;
			break;
		}
		(*n)++;
	}
	if (d)
		closedir(d);
	if (*n)
		qsort(*names, (size_t)*n, sizeof(**names), name_cmp);
	return r;
}

/* "allocscope capture: OUT not written: WHY", OUT one shell word. */
static void not_written(const char *out, const char *why)
{
	char *w = as_shell_word(out);
	fprintf(stderr, "allocscope capture: %s not written: %s\n", w, why);
	free(w);
}

/* Turn one spool into a trace at out. Returns 0, or -1 after printing. */
static int convert_one(const char *spool, const char *out, as_trace_fmt_t fmt, double ns_per_tick,
                       as_spool_report_t *rep)
{
	as_spool_t sp;
	as_trace_out_t o;
	char msg[1024];
	int r = -1;

	if (as_spool_open(spool, &sp, msg, sizeof(msg)) != 0) {
		fprintf(stderr, "allocscope capture: %s\n", msg);
		return -1;
	}
	if (as_trace_out_open(&o, out, fmt, as_trace_zst(out)) != 0)
		goto out_close;
	r = as_spool_convert(&sp, ns_per_tick, as_trace_writer_fn, &o.w, msg, sizeof(msg));
	if (r != 0)
		not_written(out, msg);
	if (as_trace_out_close(&o, r == 0) != 0)
		r = -1;
	*rep = sp.rep;
out_close:
	as_spool_close(&sp);
	return r;
}

/* A spool read to its end, closed and (unless kept) removed. */
typedef struct {
	as_spool_t *sp;
	const char *path;
	int keep;
} drop_t;

static void *drop_spool(void *v)
{
	drop_t *d = v;
	as_spool_close(d->sp);
	if (!d->keep)
		unlink(d->path);
	return NULL;
}

/* Finish a spool converted while its program ran: the tail, then the
 * trace renamed to out; the spool at path is closed and removed (unless
 * keep) meanwhile: freeing its page cache (~1 ms for a 1 M-event spool)
 * runs beside the trace's fsync, which mostly waits for the disk.
 * Returns 0, or -1 after printing. */
static int convert_rest(as_live_t *e, const char *out, const char *path, int keep,
                        double ns_per_tick, as_spool_report_t *rep)
{
	int r = -1;
	drop_t d = {&e->sp, path, keep};
	pthread_t th;
	int dropping = 0;
	if (!e->failed) {
		snprintf(e->out.path, sizeof(e->out.path), "%s", out); /* shorter or equal */
		r = as_spool_convert_end(&e->sp, ns_per_tick, e->msg, sizeof(e->msg));
		*rep = e->sp.rep; /* final: the conversion has ended */
		dropping = pthread_create(&th, NULL, drop_spool, &d) == 0;
		/* a failed conversion's trace is discarded (close says -1, prints
		 * nothing): its reason in e->msg is still to be printed */
		if (as_trace_out_close(&e->out, r == 0) != 0 && r == 0)
			r = -1, e->msg[0] = '\0'; /* printed */
		e->failed = r != 0;
		if (dropping)
			pthread_join(th, NULL);
	}
	if (e->failed && e->msg[0])
		not_written(out, e->msg);
	if (!dropping) {
		*rep = e->sp.rep;
		drop_spool(&d);
	}
	return r;
}

uint64_t as_capture_live_events(const as_live_set_t *ls)
{
	uint64_t n = 0;
	for (int k = 0; k < ls->n; k++)
		n += ls->v[k]->sp.rep.events;
	return n;
}

void as_capture_live_free(as_live_set_t *ls)
{
	for (int k = 0; k < ls->n; k++) {
		as_live_t *e = ls->v[k];
		if (e->sp.cv && !e->failed) /* never finished: its spool vanished */
			as_trace_out_close(&e->out, 0);
		as_spool_close(&e->sp);
		free(e->name);
		free(e->path);
		free(e);
	}
	free(ls->v);
}

static void print_report(const char *out, const as_spool_report_t *rep, int child)
{
	struct stat st;
	char *w = as_shell_word(out);
	if (stat(out, &st) != 0)
		st.st_size = 0;
	fprintf(stderr, "%s: %llu events, %llu thread%s, %lld bytes (%.2f bytes/event)%s\n", w,
	        (unsigned long long)rep->events, (unsigned long long)rep->threads,
	        rep->threads == 1 ? "" : "s", (long long)st.st_size,
	        rep->events ? (double)st.st_size / (double)rep->events : 0.0,
	        child ? " (child process)" : "");
	free(w);
	fprintf(stderr,
	        "  lost records %llu, torn %llu, bad %llu; repaired: %llu allocations "
	        "at a live address, %llu reallocs of unknown blocks; unknown frees "
	        "%llu\n",
	        (unsigned long long)rep->lost, (unsigned long long)rep->torn,
	        (unsigned long long)rep->bad, (unsigned long long)rep->live_realloc_as_free,
	        (unsigned long long)rep->unknown_realloc, (unsigned long long)rep->unknown_frees);
}

/* Count a child's trace into sum; new_pid: the first image of its process
 * (names are sorted, so a child's images PID.0, PID.1, ... are adjacent);
 * ended: that image exited (an image that exec'd, env's before env -i
 * PROG, is not the one to tune: not the biggest). */
static void count_child(as_capture_summary_t *sum, const char *trace, int new_pid, uint64_t events,
                        int ended)
{
	sum->children += new_pid;
	sum->child_events += events;
	if (ended && (events > sum->biggest_events || !sum->biggest[0])) {
		snprintf(sum->biggest, sizeof(sum->biggest), "%s", trace);
		sum->biggest_events = events;
	}
}

/* 1 when spool dir/name says its process left that image by exiting
 * (spool.h's ended), 0 when it exec'd (or died on a signal). */
static int spool_ended(const char *dir, const char *name)
{
	as_spool_hdr_t h;
	char path[PATH_MAX];
	int fd, r = 0;
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0 && pread(fd, &h, sizeof(h), 0) == (ssize_t)sizeof(h) &&
	    !memcmp(h.magic, AS_SPOOL_MAGIC, 8))
		r = h.ended != 0;
	if (fd >= 0)
		close(fd);
	return r;
}

/* Convert every spool in dir: TRACE is the program's last image (after `env
 * X prog` or a shell wrapper exec'd it); earlier images and children get
 * TRACE.PID.GEN. When the program exited (exited: 1) from an image that
 * did not load the library (its last spool was left by an exec, or it has
 * none: comm names that image), no spool is its last image's: TRACE is not
 * written, and one line says why. Removes the spools unless kept. Returns
 * 0, or 2 when one failed or TRACE is not the program's. */
int as_capture_convert_all(const as_capture_opts_t *c, as_trace_fmt_t fmt, const char *dir,
                           char **names, int nspool, pid_t pid, double ns_per_tick,
                           as_live_set_t *ls, uint64_t *events, int exited, const char *prog,
                           const char *comm)
{
	unsigned root_gen = 0, prev_child = 0;
	int ret = 0, root = -1, escaped;
	for (int i = 0; i < nspool; i++) {
		unsigned spid = 0, gen = 0;
		if (sscanf(names[i], "%u.%u", &spid, &gen) == 2 && spid == (unsigned)pid &&
		    (root < 0 || gen > root_gen)) {
			root_gen = gen;
			root = i;
		}
	}
	escaped = exited && nspool > 0 && (root < 0 || !spool_ended(dir, names[root]));
	/* the children's last images the same way (tune says how many) */
	for (int i = 0; c->sum && i < nspool; i++) {
		unsigned spid = 0, gen = 0, last = 1;
		if (sscanf(names[i], "%u.%u", &spid, &gen) != 2 || spid == (unsigned)pid)
			continue;
		for (int k = 0; k < nspool && last; k++) {
			unsigned kp = 0, kg = 0;
			last =
			    !(sscanf(names[k], "%u.%u", &kp, &kg) == 2 && kp == spid && kg > gen);
		}
		if (last && !spool_ended(dir, names[i]))
			c->sum->escaped++;
	}
	if (escaped) {
		char *before = root >= 0 ? other_name(c->out, (unsigned)pid, root_gen) : NULL;
		char *wprog = as_shell_word(prog), *wout = as_shell_word(c->out);
		char *wbefore = before ? as_shell_word(before) : NULL;
		fprintf(stderr,
		        "allocscope capture: %s ended as %s (pid %d), an image that did not load "
		        "the capture library (an exec that dropped LD_PRELOAD, e.g. env -i, a "
		        "set-user-ID or a statically linked program): its calls are not recorded "
		        "and %s is not "
		        "written%s%s%s\n",
		        wprog, comm, (int)pid, wout, before ? " (the image before the exec: " : "",
		        before ? wbefore : "", before ? ")" : "");
		free(before);
		free(wbefore);
		free(wprog);
		free(wout);
		root = -1;
		ret = 2;
	}
	for (int i = 0; i < nspool; i++) {
		char *spool = NULL, *out = NULL;
		as_spool_report_t rep;
		unsigned spid = 0, gen = 0;
		sscanf(names[i], "%u.%u", &spid, &gen);
		if (i == root)
			out = strdup(c->out);
		else
			out = other_name(c->out, spid, gen);
		if (!out || asprintf(&spool, "%s/%s", dir, names[i]) < 0) {
			fprintf(stderr, "allocscope capture: out of memory\n");
			free(out);
			return 2;
		}
		as_live_t *e = NULL;
		int ended = spid != (unsigned)pid && c->sum && spool_ended(dir, names[i]);
		for (int k = 0; k < ls->n && !e; k++)
			if (!strcmp(ls->v[k]->name, names[i]))
				e = ls->v[k];
		if (e ? convert_rest(e, out, spool, c->keep, ns_per_tick, &rep) != 0
		      : convert_one(spool, out, fmt, ns_per_tick, &rep) != 0)
			ret = 2;
		else {
			print_report(out, &rep, spid != (unsigned)pid);
			*events += rep.events;
			if (c->sum && spid != (unsigned)pid) {
				count_child(c->sum, out, !c->sum->children || spid != prev_child,
				            rep.events, ended);
				prev_child = spid;
			}
		}
		if (!c->keep && !e) /* a live one's went with convert_rest */
			unlink(spool);
		free(spool);
		free(out);
	}
	return ret;
}
