/* test_oom.c - an allocation the harness cannot go on without fails
 * (oom.h): one line on stderr naming what and how many bytes, stdout's
 * buffered text kept, exit status AS_EXIT_OOM; never SIGABRT and a core
 * (until session 30 every such place called abort()). In a worker the
 * parent gets a worker_error STATUS with the line instead. Each case runs
 * in a child; the sizes asked for are past what any address space holds,
 * so no limit is needed. Skipped under ASan (its allocator reports a size
 * that large itself). */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "buf.h"
#include "check.h"
#include "oom.h"
#include "trial.h"
#include "trial_wire.h"

#define HUGE_BYTES (SIZE_MAX / 4)

/* What a child wrote on out (stdout) and err (stderr), and its status. */
typedef struct {
	char out[512], err[512];
	int wstatus;
} ran_t;

static void read_all(int fd, char *buf, size_t cap)
{
	size_t n = 0;
	ssize_t r;
	while (n + 1 < cap && (r = read(fd, buf + n, cap - 1 - n)) > 0)
		n += (size_t)r;
	buf[n] = '\0';
}

/* Run fn in a child, stdout and stderr into pipes (stdout fully buffered:
 * what fn printed before it ran out reaches the pipe only if flushed). */
static void run(void (*fn)(void), ran_t *r)
{
	int po[2], pe[2];
	pid_t pid;
	memset(r, 0, sizeof(*r));
	if (pipe(po) != 0 || pipe(pe) != 0) {
		CHECK(!"pipe");
		return;
	}
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		dup2(po[1], 1);
		dup2(pe[1], 2);
		close(po[0]);
		close(pe[0]);
		setvbuf(stdout, NULL, _IOFBF, 4096);
		fn();
		_exit(0); /* not reached */
	}
	close(po[1]);
	close(pe[1]);
	read_all(po[0], r->out, sizeof(r->out));
	read_all(pe[0], r->err, sizeof(r->err));
	close(po[0]);
	close(pe[0]);
	waitpid(pid, &r->wstatus, 0);
}

static void xmalloc_huge(void)
{
	printf("a row printed before");
	as_xmalloc(HUGE_BYTES, "a test block");
}

/* as_buf's reserve(), which every results file and chart grows through */
static void buf_huge(void)
{
	as_buf_t b = {0};
	printf("a row printed before");
	as_buf_add(&b, "x", 1);
	as_buf_add(&b, "", HUGE_BYTES);
}

static void check_line(const ran_t *r, const char *what)
{
	char want[256];
	snprintf(want, sizeof(want), "allocscope: out of memory: %s (", what);
	CHECKF(WIFEXITED(r->wstatus) && WEXITSTATUS(r->wstatus) == AS_EXIT_OOM,
	       "%s: wait status %#x, not exit %d", what, (unsigned)r->wstatus, AS_EXIT_OOM);
	CHECKF(!strncmp(r->err, want, strlen(want)) && strstr(r->err, " bytes)\n") &&
	           strchr(r->err, '\n') == r->err + strlen(r->err) - 1,
	       "%s: stderr is not one line '%s... bytes)': '%s'", what, want, r->err);
	CHECKF(!strcmp(r->out, "a row printed before"), "%s: stdout lost: '%s'", what, r->out);
}

/* A worker (as_worker_main sets this hook): the parent decodes a
 * worker_error STATUS naming what ran out. */
static void worker_huge(void)
{
	as_oom_hook(as_wire_send_oom);
	as_xrealloc(NULL, HUGE_BYTES, "a worker's test block");
}

static void worker_case(void)
{
	int p[2];
	pid_t pid;
	int st = 0;
	as_trial_result_t res;
	as_wire_inbox_t in = {0};
	char want[128];
	if (pipe(p) != 0) {
		CHECK(!"pipe");
		return;
	}
	pid = fork();
	if (pid == 0) {
		dup2(p[1], AS_WIRE_FD_RESULT);
		worker_huge();
		_exit(0);
	}
	close(p[1]);
	as_trial_result_none(&res, AS_OK);
	while (as_wire_inbox_read(&in, p[0], &res) > 0)
		;
	close(p[0]);
	waitpid(pid, &st, 0);
	snprintf(want, sizeof(want), "out of memory: a worker's test block (%zu bytes)",
	         (size_t)HUGE_BYTES);
	CHECKF(WIFEXITED(st) && WEXITSTATUS(st) == AS_EXIT_OOM, "worker: wait status %#x",
	       (unsigned)st);
	CHECK(in.got_status);
	CHECK(res.status == AS_ERR_WORKER);
	CHECKF(!strcmp(res.reason, want), "worker: reason '%s'", res.reason);
	as_wire_inbox_free(&in);
	as_trial_result_free(&res);
}

int main(void)
{
	ran_t r;
	if (AS_UNDER_ASAN)
		return as_check_skip("ASan's allocator reports a size this large itself");
	run(xmalloc_huge, &r);
	check_line(&r, "a test block");
	run(buf_huge, &r);
	check_line(&r, "a text buffer");
	worker_case();
	return as_check_done();
}
