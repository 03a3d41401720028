/* test_capture.c - capture -> trace -> replay round trips on capture_prog:
 * single-threaded and multi-threaded (cross-thread frees, address reuse),
 * fork (child to its own file, or excluded), _exit and abort flushing. Op
 * counts of the program's own calls must be exact, nothing lost or
 * repaired, and replays must reproduce the trace's peak live bytes. */
#include <stdint.h>
#include <unistd.h>

#include "check.h"
#include "trace_util.h"

static const char *cli, *prog;
static char dir[256];

typedef struct {
	uint64_t alloc_by_size[8192], calloc_by_size[8192], realloc_by_size[8192];
	uint64_t free_by_size[8192], aligned[8192], unknown, threads, cross_thread_frees;
	uint64_t n;
} counts_t;

/* Load TRACE and count the program's own calls by their unique sizes. */
static int count_trace(const char *path, counts_t *c)
{
	evvec_t v = {0};
	char msg[512];
	uint64_t *size, *thread, maxobj = 0;
	memset(c, 0, sizeof(*c));
	if (as_trace_read_file(path, evvec_push, &v, NULL, msg, sizeof(msg)) != 0) {
		fprintf(stderr, "%s\n", msg);
		return -1;
	}
	for (size_t i = 0; i < v.n; i++)
		if (v.ev[i].obj + 1 > maxobj)
			maxobj = v.ev[i].obj + 1;
	size = calloc(maxobj + 1, 8);
	thread = calloc(maxobj + 1, 8);
	for (size_t i = 0; i < v.n; i++) {
		const as_tev_t *e = &v.ev[i];
		uint64_t s = e->size < 8192 ? e->size : 0;
		if (e->thread + 1u > c->threads)
			c->threads = e->thread + 1u;
		switch (e->op) {
		case AS_TEV_ALLOC:
			c->alloc_by_size[s]++;
			if (e->align_log2)
				c->aligned[s] += 1;
			size[e->obj] = s;
			thread[e->obj] = e->thread;
			break;
		case AS_TEV_CALLOC:
			c->calloc_by_size[s]++;
			size[e->obj] = s;
			thread[e->obj] = e->thread;
			break;
		case AS_TEV_REALLOC:
			c->realloc_by_size[s]++;
			size[e->obj] = s;
			break;
		case AS_TEV_FREE:
			c->free_by_size[size[e->obj]]++;
			if (thread[e->obj] != e->thread)
				c->cross_thread_frees++;
			break;
		case AS_TEV_FREE_UNKNOWN: c->unknown++; break;
		}
	}
	c->n = v.n;
	free(size);
	free(thread);
	free(v.ev);
	return 0;
}

static char *capture(const char *mode, const char *extra, const char *out, int *rc)
{
	char cmd[2048], log[300];
	snprintf(log, sizeof(log), "%s/%s.log", dir, out);
	snprintf(cmd, sizeof(cmd), "cd %s && '%s' capture -o %s %s -- '%s' %s > %s 2>&1", dir, cli,
	         out, extra, prog, mode, log);
	*rc = run_sh(cmd);
	return slurp(log);
}

static void check_single_ops(const counts_t *c, uint64_t n)
{
	CHECKF(c->alloc_by_size[1001] == n, "%llu", (unsigned long long)c->alloc_by_size[1001]);
	CHECK(c->calloc_by_size[1002] == n);
	CHECK(c->alloc_by_size[1003] == n); /* realloc(NULL, n) is an allocation */
	CHECK(c->aligned[1004] == n && c->aligned[1005] == n && c->aligned[1006] == n);
	CHECK(c->aligned[1024] == n);
	CHECK(c->realloc_by_size[1007] == n && c->realloc_by_size[1008] == n);
	CHECK(c->free_by_size[1002] == n && c->free_by_size[1007] == n &&
	      c->free_by_size[1008] == n && c->free_by_size[1006] == n);
	CHECK(c->unknown == 0);
}

/* Replay TRACE against MODULE; returns the trials.csv text. */
static char *replay(const char *trace, const char *module, const char *extra, int *rc)
{
	char cmd[2048], path[300];
	snprintf(cmd, sizeof(cmd),
	         "cd %s && '%s' replay %s -a %s %s -q --no-plot -o r_%s > /dev/null 2>&1", dir, cli,
	         trace, module, extra, module);
	*rc = run_sh(cmd);
	snprintf(path, sizeof(path), "%s/r_%s/trials.csv", dir, module);
	return slurp(path);
}

int main(int argc, char **argv)
{
	counts_t c;
	char *out, *csv, path[400];
	int rc;

	cli = getenv("ALLOCSCOPE");
	if (!cli || argc < 2) {
		fprintf(stderr, "test_capture: needs $ALLOCSCOPE and the capture_prog path\n");
		return 1;
	}
	prog = argv[1];
	snprintf(dir, sizeof(dir), "/tmp/as_test_capture.XXXXXX");
	if (!mkdtemp(dir))
		return 1;

	/* single thread: every call of the program is there, nothing repaired */
	out = capture("single", "", "single.ast", &rc);
	CHECKF(rc == 0, "capture exit %d: %s", rc, out ? out : "");
	CHECKF(out && strstr(out, "lost records 0, torn 0, bad 0; repaired: 0 allocations at a "
	                          "live address, 0 reallocs of unknown blocks; unknown frees 0"),
	       "%s", out ? out : "");
	free(out);
	snprintf(path, sizeof(path), "%s/single.ast", dir);
	CHECK(count_trace(path, &c) == 0);
	check_single_ops(&c, 200);
	CHECK(c.threads == 1);
	csv = replay("single.ast", "glibc", "", &rc);
	CHECKF(rc == 0 && csv && strstr(csv, ",glibc,") && strstr(csv, ",ok,"), "rc %d: %s", rc,
	       csv ? csv : "");
	free(csv);
	csv = replay("single.ast", "null", "", &rc);
	CHECKF(rc == 0 && csv && strstr(csv, ",ok,"), "%s", csv ? csv : "");
	free(csv);

	/* threads: cross-thread frees, addresses reused across threads */
	out = capture("threads", "", "threads.ast", &rc);
	CHECKF(rc == 0 && out &&
	           strstr(out, "lost records 0, torn 0, bad 0; repaired: 0 "
	                       "allocations at a live address, 0 reallocs"),
	       "%s", out ? out : "");
	free(out);
	snprintf(path, sizeof(path), "%s/threads.ast", dir);
	CHECK(count_trace(path, &c) == 0);
	check_single_ops(&c, 200);
	CHECKF(c.threads == 5, "%llu threads", (unsigned long long)c.threads);
	CHECK(c.alloc_by_size[2001] == 400 && c.free_by_size[2001] == 400);
	CHECK(c.alloc_by_size[2002] == 2 && c.free_by_size[2002] == 2);
	CHECK(c.alloc_by_size[1009] == 800 && c.free_by_size[1009] == 800);
	CHECK(c.cross_thread_frees >= 400);
	/* multi-threaded replay on a thread-safe module: fidelity holds */
	csv = replay("threads.ast", "glibc", "", &rc);
	CHECKF(rc == 0 && csv && strstr(csv, ",ok,"), "rc %d: %s", rc, csv ? csv : "");
	free(csv);
	/* null is not thread-safe: skipped with a reason, or serialised */
	csv = replay("threads.ast", "null", "", &rc);
	CHECKF(csv && strstr(csv, ",skipped,") && strstr(csv, "serialize=1"), "%s", csv ? csv : "");
	free(csv);
	csv = replay("threads.ast", "null", "--serialize", &rc);
	CHECKF(rc == 0 && csv && strstr(csv, ",ok,"), "%s", csv ? csv : "");
	free(csv);

	/* fork: the child gets its own trace, or none */
	out = capture("fork", "--fork follow", "fork.ast", &rc);
	CHECKF(rc == 0 && out && strstr(out, "(child process)"), "%s", out ? out : "");
	free(out);
	{
		char cmd[600];
		snprintf(cmd, sizeof(cmd), "ls %s/fork.ast.*.0 > %s/forkname 2>/dev/null", dir,
		         dir);
		CHECK(run_sh(cmd) == 0);
		snprintf(path, sizeof(path), "%s/forkname", dir);
		char *name = slurp(path);
		if (name) {
			name[strcspn(name, "\n")] = '\0';
			CHECK(count_trace(name, &c) == 0);
			CHECK(c.alloc_by_size[3001] == 7 && c.free_by_size[3001] == 7);
			CHECK(c.alloc_by_size[1001] ==
			      0); /* the parent's calls stay the parent's */
			free(name);
		}
		snprintf(path, sizeof(path), "%s/fork.ast", dir);
		CHECK(count_trace(path, &c) == 0);
		check_single_ops(&c, 200);
		CHECK(c.alloc_by_size[3001] == 0);
	}
	out = capture("fork", "--fork exclude", "forkx.ast", &rc);
	CHECKF(rc == 0 && out && !strstr(out, "(child process)"), "%s", out ? out : "");
	free(out);

	/* exec: the image before it is flushed to TRACE.PID.0, TRACE is the last */
	out = capture("exec", "", "exec.ast", &rc);
	CHECKF(rc == 0 && out && strstr(out, "exec.ast: "), "%s", out ? out : "");
	free(out);
	snprintf(path, sizeof(path), "%s/exec.ast", dir);
	CHECK(count_trace(path, &c) == 0);
	check_single_ops(&c, 200);
	CHECK(c.alloc_by_size[4002] == 0);
	{
		char cmd[600], *name;
		snprintf(cmd, sizeof(cmd), "ls %s/exec.ast.*.0 > %s/execname 2>/dev/null", dir,
		         dir);
		CHECK(run_sh(cmd) == 0);
		snprintf(path, sizeof(path), "%s/execname", dir);
		name = slurp(path);
		if (name) {
			name[strcspn(name, "\n")] = '\0';
			CHECK(count_trace(name, &c) == 0);
			check_single_ops(&c, 200);
			CHECK(c.alloc_by_size[4002] == 1);
			free(name);
		}
	}

	/* _exit and abort: what was recorded is flushed */
	out = capture("_exit", "", "exit.ast", &rc);
	CHECK(rc == 0);
	free(out);
	snprintf(path, sizeof(path), "%s/exit.ast", dir);
	CHECK(count_trace(path, &c) == 0);
	check_single_ops(&c, 200);
	CHECK(c.alloc_by_size[4001] == 1);
	out = capture("abort", "", "abort.ast", &rc);
	CHECKF(rc == 1 && out && strstr(out, "signal 6"), "rc %d %s", rc, out ? out : "");
	free(out);
	snprintf(path, sizeof(path), "%s/abort.ast", dir);
	CHECK(count_trace(path, &c) == 0);
	check_single_ops(&c, 200);
	CHECK(c.alloc_by_size[4001] == 1);

	/* bad usage: one line, exit 2 */
	CHECK(run_sh("\"$ALLOCSCOPE\" replay /nonexistent.ast -a glibc 2>/dev/null") == 2);
	CHECK(run_sh("\"$ALLOCSCOPE\" capture -- true 2>/dev/null") == 2);
	CHECK(run_sh("\"$ALLOCSCOPE\" capture -o /tmp/x.ast --fork sideways -- true 2>/dev/null") ==
	      2);
	CHECK(run_sh("\"$ALLOCSCOPE\" capture -o /tmp/x.ast --time-every 0 -- true 2>/dev/null") ==
	      2);

	{
		char cmd[300];
		snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
		run_sh(cmd);
	}
	return as_check_done();
}
