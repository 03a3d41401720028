/* modenv.c - see modenv.h. The module is asked in a forked child: dlopen of
 * jemalloc or mimalloc starts the allocator, and it must start in the
 * process that uses it only after the variables are set. */
#define _GNU_SOURCE
#include "modenv.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "guard.h"
#include "loader.h"
#include "util.h"

typedef struct {
	char *key; /* name '\0' params */
	size_t keylen;
	as_status_t st; /* AS_OK: val; else err, the failure's line */
	as_modenv_t val;
	char *err;
} cached_t;

static cached_t *cache;
static size_t ncache;

/* Where the child was when it died, for the parent's line: in the load
 * (the module's and its libraries' constructors, then its entry function)
 * or past it, in the module's params_env or preload_library. */
enum { STAGE_LOAD, STAGE_ASK };

/* The child's exit status when its answer could not be written. */
#define PIPE_LOST 3

/* The child's answer: status byte, then env and preload, NUL-terminated,
 * or the error text. *stage (a page shared with the parent) says how far
 * it got. */
static void ask_child(const as_spec_t *m, int fd, volatile unsigned char *stage)
{
	static as_modenv_t me;
	static char err[1024];
	as_loaded_t lm;
	char ok = 0;
	memset(&me, 0, sizeof(me));
	if (as_module_load(m->name, &lm, err, sizeof(err)) == AS_OK) {
		if (stage)
			*stage = STAGE_ASK;
		ok = 1;
		if (as_module_keys_declared(lm.mod, m, err, sizeof(err)) != 0 ||
		    (AS_MODULE_HAS(lm.mod, params_env) &&
		     lm.mod->params_env(m->params, me.env, sizeof(me.env), err, sizeof(err)) !=
		         0)) {
			char tmp[1024], dym[96];
			snprintf(tmp, sizeof(tmp), "module %s (%s): %s%s", lm.mod->name, lm.path,
			         err, as_module_suggest_param(lm.mod, m, dym, sizeof(dym)));
			snprintf(err, sizeof(err), "%s", tmp);
			ok = 0;
		}
		if (ok && AS_MODULE_HAS(lm.mod, preload_library)) {
			const char *p = lm.mod->preload_library();
			snprintf(me.preload, sizeof(me.preload), "%s", p ? p : "");
		}
	}
	/* 3: the answer could not be written (a constructor closed fd) */
	if (as_write_all(fd, &ok, 1) != 0 ||
	    (ok ? as_write_all(fd, me.env, strlen(me.env) + 1) != 0 ||
	              as_write_all(fd, me.preload, strlen(me.preload) + 1) != 0
	        : as_write_all(fd, err, strlen(err) + 1) != 0))
		_exit(PIPE_LOST);
	_exit(0);
}

static long load_timeout_ms = AS_MODENV_TIMEOUT_MS;

void as_module_env_timeout(double seconds)
{
	load_timeout_ms = seconds > 0 && seconds * 1000 < AS_MODENV_TIMEOUT_MS
	                      ? (long)(seconds * 1000)
	                      : AS_MODENV_TIMEOUT_MS;
}

/* The child's answer is whole: status 1 and two NUL-ended strings (env,
 * preload), or another status and one (the reason). Read up to that, not
 * to EOF: a process the module's constructor forked holds the pipe open. */
static int answered(const char *buf, size_t n)
{
	int nul = 0;
	for (size_t i = 1; i < n; i++)
		nul += buf[i] == '\0';
	return n >= 1 && nul >= (buf[0] == 1 ? 2 : 1);
}

static long ms_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

/* 0, or the status of a failure with its line in err: AS_ERR_PARAMS (the
 * module or its params refused), AS_ERR_CRASH, AS_ERR_TIMEOUT or
 * AS_ERR_WORKER (loading it crashed, hung or exited: the module's fault) */
static as_status_t ask(const as_spec_t *m, as_modenv_t *out, char *err, size_t errlen)
{
	static char buf[2 * AS_MODENV_MAX + 2];
	size_t n = 0;
	int pfd[2], status = 0, timed_out = 0, stage;
	long deadline = ms_now() + load_timeout_ms;
	ssize_t r;
	pid_t pid;
	/* without it the line names both stages' suspects */
	volatile unsigned char *shared =
	    mmap(NULL, 1, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	const char *in;
	if (shared == MAP_FAILED)
		shared = NULL;
	else
		*shared = STAGE_LOAD;
	if (pipe2(pfd, O_CLOEXEC) != 0) {
		snprintf(err, errlen, "pipe: %s", strerror(errno));
		if (shared)
			munmap((void *)shared, 1);
		return AS_ERR_WORKER;
	}
	fflush(NULL);
	as_guard_std_save();
	pid = fork();
	if (pid == 0) {
		/* a group of its own: what its constructors start goes with it */
		setpgid(0, 0);
		close(pfd[0]);
		ask_child(m, pfd[1], shared);
	}
	if (pid > 0)
		setpgid(pid, pid);
	close(pfd[1]);
	if (pid < 0) {
		close(pfd[0]);
		if (shared)
			munmap((void *)shared, 1);
		snprintf(err, errlen, "fork: %s", strerror(errno));
		return AS_ERR_WORKER;
	}
	/* a constructor that hangs must not hang the command: poll with a
	 * deadline, then kill the child */
	while (n < sizeof(buf) && !answered(buf, n)) {
		struct pollfd pf = {pfd[0], POLLIN, 0};
		long left = deadline - ms_now();
		int pr = left > 0 ? poll(&pf, 1, (int)left) : 0;
		if (pr < 0 && errno == EINTR)
			continue;
		if (pr <= 0) {
			timed_out = pr == 0;
			break;
		}
		r = read(pfd[0], buf + n, sizeof(buf) - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		n += (size_t)r;
	}
	close(pfd[0]);
	/* EOF without an answer: the child exits (or its pipe was closed
	 * under it); its status, not the kill below, says which (until now
	 * a race: "crashed (signal 9)" or "exit status 0") */
	if (!timed_out && !answered(buf, n) && !as_guard_wait_exit(pid, (int)(deadline - ms_now())))
		timed_out = 1;
	/* answered or not, nothing of it runs on: the child (a hung one, or
	 * one that answered) and whatever its constructors forked */
	kill(-pid, SIGKILL);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	as_guard_std_restore(); /* a constructor's O_NONBLOCK on the run's stdio */
	stage = shared ? *shared : -1;
	if (shared)
		munmap((void *)shared, 1);
	in = stage == STAGE_LOAD  ? "a constructor of it or of its libraries, or its entry "
	                            "function " AS_MODULE_ENTRY_NAME "()"
	     : stage == STAGE_ASK ? "its params_env() or preload_library(), after it loaded"
	                          : "a constructor of it or of its libraries, its entry function "
	                            "" AS_MODULE_ENTRY_NAME "(), params_env() or preload_library()";
	if (timed_out) {
		snprintf(err, errlen,
		         "module %s: loading it did not finish in %.3g s (hung in %s?)", m->name,
		         load_timeout_ms / 1000.0, in);
		return AS_ERR_TIMEOUT;
	}
	if (!answered(buf, n)) {
		if (WIFSIGNALED(status)) {
			snprintf(err, errlen,
			         "module %s: loading it crashed (signal %d, %s): in %s", m->name,
			         WTERMSIG(status), strsignal(WTERMSIG(status)), in);
			return AS_ERR_CRASH;
		}
		if (WIFEXITED(status) && WEXITSTATUS(status) == PIPE_LOST) {
			snprintf(
			    err, errlen,
			    "module %s: loading it closed the pipe it answers on (fd %d): did a "
			    "constructor of it or of its libraries, its entry function, "
			    "params_env() or preload_library() close descriptors it did not "
			    "open?",
			    m->name, pfd[1]);
			return AS_ERR_WORKER;
		}
		snprintf(err, errlen,
		         "module %s: loading it ended the process (exit status %d) before it "
		         "answered: %s exits",
		         m->name, WIFEXITED(status) ? WEXITSTATUS(status) : -1, in);
		return AS_ERR_WORKER;
	}
	if (buf[0] != 1) {
		snprintf(err, errlen, "%s", buf + 1);
		return AS_ERR_PARAMS;
	}
	snprintf(out->env, sizeof(out->env), "%s", buf + 1);
	snprintf(out->preload, sizeof(out->preload), "%s", buf + 2 + strlen(buf + 1));
	return AS_OK;
}

int as_module_load_safely(const char *name, as_loaded_t *out, char *err, size_t errlen)
{
	as_spec_t spec = {.name = (char *)name, .params = (char *)"", .label = (char *)name};
	as_modenv_t env;
	if (as_module_env(&spec, &env, err, errlen) != 0)
		return -1;
	return as_module_load(name, out, err, errlen) == AS_OK ? 0 : -1;
}

int as_module_env(const as_spec_t *module, as_modenv_t *out, char *err, size_t errlen)
{
	return as_module_env_status(module, out, err, errlen) == AS_OK ? 0 : -1;
}

as_status_t as_module_env_status(const as_spec_t *module, as_modenv_t *out, char *err,
                                 size_t errlen)
{
	size_t nl = strlen(module->name), pl = strlen(module->params ? module->params : "");
	cached_t *c;
	as_status_t st;
	for (size_t i = 0; i < ncache; i++)
		if (cache[i].keylen == nl + pl + 1 && !memcmp(cache[i].key, module->name, nl + 1) &&
		    !memcmp(cache[i].key + nl + 1, module->params ? module->params : "", pl)) {
			if (cache[i].st != AS_OK) {
				snprintf(err, errlen, "%s", cache[i].err);
				return cache[i].st;
			}
			*out = cache[i].val;
			return AS_OK;
		}
	/* a failure is remembered too: a module whose load hung cost a
	 * second --timeout when the run asked again for context.csv (until
	 * session 33: a run of broken_ctor_hang waited twice) */
	st = ask(module, out, err, errlen);
	c = realloc(cache, (ncache + 1) * sizeof(*cache));
	if (!c)
		return st; /* answered, just not remembered */
	cache = c;
	c = &cache[ncache];
	c->keylen = nl + pl + 1;
	c->key = malloc(c->keylen);
	c->err = st != AS_OK ? strdup(err) : NULL;
	if (!c->key || (st != AS_OK && !c->err)) {
		free(c->key);
		free(c->err);
		return st;
	}
	memcpy(c->key, module->name, nl + 1);
	memcpy(c->key + nl + 1, module->params ? module->params : "", pl);
	c->st = st;
	if (st == AS_OK)
		c->val = *out;
	ncache++;
	return st;
}

/* Variables that hold a list whose later items override earlier ones: a
 * module's value is appended, so what the user (or statictls.c) set stays. */
static const struct {
	const char *name;
	char sep;
} lists[] = {{"GLIBC_TUNABLES", ':'}, {"MALLOC_CONF", ','}};

static int set_one(const char *name, const char *value)
{
	const char *cur = getenv(name);
	for (size_t i = 0; cur && *cur && i < sizeof(lists) / sizeof(lists[0]); i++) {
		char *both = NULL;
		int r;
		if (strcmp(name, lists[i].name))
			continue;
		if (asprintf(&both, "%s%c%s", cur, lists[i].sep, value) < 0)
			return -1;
		r = setenv(name, both, 1);
		free(both);
		return r;
	}
	return setenv(name, value, 1);
}

int as_env_apply(const char *lines)
{
	char line[AS_MODENV_MAX];
	for (const char *p = lines; p && *p;) {
		size_t n = strcspn(p, "\n");
		char *eq;
		if (n >= sizeof(line))
			return -1;
		memcpy(line, p, n);
		line[n] = '\0';
		p += n + (p[n] == '\n');
		if (!n)
			continue;
		eq = strchr(line, '=');
		if (!eq || eq == line)
			return -1;
		*eq = '\0';
		if (set_one(line, eq + 1) != 0)
			return -1;
	}
	return 0;
}
