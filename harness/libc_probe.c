/* libc_probe.c - see libc_probe.h. The run's side defines and holds the
 * tracefs uprobe events (a holder process); the worker's side counts them,
 * filtered by return address. Reading the count calls no malloc. */
#define _GNU_SOURCE
#include "libc_probe.h"

#include <dlfcn.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <link.h>
#include <linux/perf_event.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "guard.h"
#include "trial_wire.h"

/* The entries a module can reach; names at one address (memalign and
 * aligned_alloc in glibc 2.36) get the first name's event. */
static const char *const names[] = {"malloc",   "free",          "calloc",         "realloc",
                                    "memalign", "aligned_alloc", "posix_memalign", "valloc",
                                    "pvalloc",  "reallocarray"};
#define NNAMES ((int)(sizeof(names) / sizeof(names[0])))

/* The return address at a function's first instruction. */
#if defined(__x86_64__)
#define FETCH_RET "+0(%sp):u64"
#elif defined(__aarch64__)
#define FETCH_RET "%x30:u64"
#else
#define FETCH_RET    ""
#define NO_FETCH_RET 1
#endif

static const char *const tracefs_dirs[] = {"/sys/kernel/tracing", "/sys/kernel/debug/tracing"};

typedef struct {
	char path[PATH_MAX]; /* libc.so.6 as loaded */
	uintptr_t base;
	const ElfW(Phdr) * phdr;
	int phnum;
	uint64_t off[NNAMES]; /* file offset; 0: shares an earlier name's */
} libc_t;

static int find_libc_cb(struct dl_phdr_info *info, size_t size, void *data)
{
	libc_t *l = data;
	(void)size;
	if (!info->dlpi_name || !strstr(info->dlpi_name, "/libc.so.6"))
		return 0;
	snprintf(l->path, sizeof(l->path), "%s", info->dlpi_name);
	l->base = info->dlpi_addr;
	l->phdr = info->dlpi_phdr;
	l->phnum = info->dlpi_phnum;
	return 1;
}

/* libc.so.6's path and each entry's file offset (a uprobe's address),
 * from libc.so.6's own dynamic symbol table (dlsym on its handle). */
static int find_libc(libc_t *l, char *why, size_t len)
{
	void *h, *addr[NNAMES];
	memset(l, 0, sizeof(*l));
	h = dlopen("libc.so.6", RTLD_NOW | RTLD_NOLOAD);
	if (!h || !dl_iterate_phdr(find_libc_cb, l)) {
		snprintf(why, len, "libc.so.6 not found among the loaded objects");
		if (h)
			dlclose(h);
		return -1;
	}
	for (int i = 0; i < NNAMES; i++) {
		uintptr_t v;
		addr[i] = dlsym(h, names[i]);
		for (int j = 0; j < i && addr[i]; j++)
			if (addr[j] == addr[i])
				addr[i] = NULL; /* one event per address */
		if (!addr[i])
			continue;
		v = (uintptr_t)addr[i] - l->base;
		for (int k = 0; k < l->phnum; k++) {
			const ElfW(Phdr) *p = &l->phdr[k];
			if (p->p_type == PT_LOAD && v >= p->p_vaddr && v < p->p_vaddr + p->p_memsz)
				l->off[i] = v - p->p_vaddr + p->p_offset;
		}
		if (!l->off[i]) {
			snprintf(why, len, "%s: %s not in a loaded segment", l->path, names[i]);
			dlclose(h);
			return -1;
		}
	}
	dlclose(h);
	return 0;
}

static int glibc_text_cb(struct dl_phdr_info *info, size_t size, void *data)
{
	struct {
		uintptr_t *lo, *hi;
		int max, n;
	} *r = data;
	const char *n = info->dlpi_name;
	(void)size;
	if (!n || (!strstr(n, "/libc.so.6") && !strstr(n, "/ld-linux")))
		return 0;
	for (int i = 0; i < info->dlpi_phnum && r->n < r->max; i++)
		if (info->dlpi_phdr[i].p_type == PT_LOAD && (info->dlpi_phdr[i].p_flags & PF_X)) {
			r->lo[r->n] = info->dlpi_addr + info->dlpi_phdr[i].p_vaddr;
			r->hi[r->n] = r->lo[r->n] + info->dlpi_phdr[i].p_memsz;
			r->n++;
		}
	return 0;
}

int as_glibc_text(uintptr_t *lo, uintptr_t *hi, int max)
{
	struct {
		uintptr_t *lo, *hi;
		int max, n;
	} r = {lo, hi, max, 0};
	dl_iterate_phdr(glibc_text_cb, &r);
	return r.n;
}

static const char *tracefs(char *why, size_t len)
{
	char p[128];
	int err = 0;
	for (size_t i = 0; i < sizeof(tracefs_dirs) / sizeof(tracefs_dirs[0]); i++) {
		snprintf(p, sizeof(p), "%s/uprobe_events", tracefs_dirs[i]);
		if (access(p, W_OK) == 0)
			return tracefs_dirs[i];
		if (!err || err == ENOENT)
			err = errno; /* the first that is not "no such file" */
	}
	snprintf(why, len,
	         "cannot write %s/uprobe_events: %s (needs root, tracefs mounted and a kernel "
	         "with CONFIG_UPROBE_EVENTS)",
	         tracefs_dirs[0], strerror(err));
	return NULL;
}

/* One line to uprobe_events: a definition or a removal. */
static int uprobe_line(const char *dir, const char *line)
{
	char p[128];
	int fd, ok;
	snprintf(p, sizeof(p), "%s/uprobe_events", dir);
	fd = open(p, O_WRONLY | O_APPEND | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ok = write(fd, line, strlen(line)) == (ssize_t)strlen(line);
	close(fd);
	return ok ? 0 : -1;
}

/* Events of runs that are gone (killed before their holder removed them). */
static void remove_stale(const char *dir)
{
	char p[128], line[512];
	FILE *f;
	snprintf(p, sizeof(p), "%s/uprobe_events", dir);
	if (!(f = fopen(p, "re")))
		return;
	while (fgets(line, sizeof(line), f)) {
		char ev[128], rm[160];
		long pid;
		/* "p:allocscope_<pid>/<name> <path>:0x<offset> ..." */
		if (sscanf(line, "p:%127s", ev) != 1 || strncmp(ev, "allocscope_", 11))
			continue;
		pid = strtol(ev + 11, NULL, 10);
		if (pid <= 0 || kill((pid_t)pid, 0) == 0 || errno != ESRCH)
			continue;
		snprintf(rm, sizeof(rm), "-:%s\n", ev);
		(void)uprobe_line(dir, rm);
	}
	fclose(f);
}

static int event_id(const char *dir, pid_t run, const char *name, long long *id)
{
	char p[256];
	FILE *f;
	int ok;
	snprintf(p, sizeof(p), "%s/events/allocscope_%ld/%s/id", dir, (long)run, name);
	if (!(f = fopen(p, "re")))
		return -1;
	ok = fscanf(f, "%lld", id) == 1;
	fclose(f);
	return ok ? 0 : -1;
}

/* The events' counters, all threads; fds[0] leads the group when grouped. */
static int fds[NNAMES];
static int nfds, grouped;

static void close_fds(void)
{
	while (nfds > 0)
		close(fds[--nfds]);
}

/* Open a counter on each defined event of run's group for pid (0: this
 * process). filter: a perf filter for each, or NULL. */
static int open_counters(const char *dir, const libc_t *l, pid_t run, int inherit, int group,
                         const char *filter, char *why, size_t len)
{
	for (int i = 0; i < NNAMES; i++) {
		struct perf_event_attr a;
		long long id;
		int fd;
		if (!l->off[i])
			continue;
		if (event_id(dir, run, names[i], &id) != 0) {
			snprintf(why, len,
			         "%s/events/allocscope_%ld/%s: %s (the run's uprobe events)", dir,
			         (long)run, names[i], strerror(errno));
			goto out_fail;
		}
		memset(&a, 0, sizeof(a));
		a.type = PERF_TYPE_TRACEPOINT;
		a.size = sizeof(a);
		a.config = (uint64_t)id;
		a.inherit = (unsigned)inherit;
		if (group && !nfds)
			a.read_format = PERF_FORMAT_GROUP;
		fd = (int)syscall(SYS_perf_event_open, &a, 0, -1, group && nfds ? fds[0] : -1,
		                  PERF_FLAG_FD_CLOEXEC);
		if (fd < 0) {
			snprintf(why, len, "perf_event_open(uprobe %s): %s (perf_event_paranoid?)",
			         names[i], strerror(errno));
			goto out_fail;
		}
		/* above the worker's wire descriptors, as syscount.c's counters */
		if (fd < AS_WIRE_FD_ABOVE) {
			int hi = fcntl(fd, F_DUPFD_CLOEXEC, AS_WIRE_FD_ABOVE);
			close(fd);
			fd = hi;
		}
		if (fd < 0) {
			snprintf(why, len, "uprobe counter descriptor: %s", strerror(errno));
			goto out_fail;
		}
		fds[nfds++] = fd;
		if (filter && ioctl(fd, PERF_EVENT_IOC_SET_FILTER, filter) != 0) {
			snprintf(why, len, "perf filter on uprobe %s: %s", names[i],
			         strerror(errno));
			goto out_fail;
		}
	}
	grouped = group;
	return 0;
out_fail:
	close_fds();
	return -1;
}

/* The detached holder: defines the run's events, opens a counter on each
 * (on itself: it calls no malloc while it waits), says ready on ready_fd
 * (an empty line, or the reason), and waits for EOF on life_fd, which only
 * the run (and what it forks) holds; then releases the events (the slow
 * part: RCU grace periods, nobody waiting) and removes them. */
static void holder(const char *dir, const libc_t *l, pid_t run, int ready_fd, int life_fd)
{
	char line[PATH_MAX + 128], why[512] = "";
	int lo = ready_fd < life_fd ? ready_fd : life_fd, hi = ready_fd ^ life_fd ^ lo;
	/* the run's end is EOF on life_fd, whatever kills it: no terminal's
	 * or group's signal ends the holder before it released the events */
	setpgid(0, 0);
	signal(SIGINT, SIG_IGN);
	signal(SIGTERM, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	signal(SIGPIPE, SIG_IGN);
	if (lo > 0)
		close_range(0, (unsigned)lo - 1, 0);
	if (hi > lo + 1)
		close_range((unsigned)lo + 1, (unsigned)hi - 1, 0);
	close_range((unsigned)hi + 1, ~0U, 0);
	remove_stale(dir);
	for (int i = 0; i < NNAMES && !why[0]; i++) {
		if (!l->off[i])
			continue;
		snprintf(line, sizeof(line), "p:allocscope_%ld/%s %s:0x%llx ret=%s\n", (long)run,
		         names[i], l->path, (unsigned long long)l->off[i], FETCH_RET);
		if (uprobe_line(dir, line) != 0)
			snprintf(why, sizeof(why), "defining uprobe %s at %s:0x%llx: %s", names[i],
			         l->path, (unsigned long long)l->off[i], strerror(errno));
	}
	if (!why[0])
		(void)open_counters(dir, l, run, 0, 0, NULL, why, sizeof(why));
	snprintf(line, sizeof(line), "%s\n", why);
	if (write(ready_fd, line, strlen(line)) < 0)
		why[0] = 'x';
	close(ready_fd);
	while (!why[0]) {
		ssize_t r = read(life_fd, line, 1);
		if (r == 0 || (r < 0 && errno != EINTR))
			break;
	}
	close_fds();
	/* a worker of the run may still hold its counters a moment */
	for (int tries = 0; tries < 50; tries++) {
		int left = 0;
		for (int i = 0; i < NNAMES; i++) {
			snprintf(line, sizeof(line), "-:allocscope_%ld/%s\n", (long)run, names[i]);
			if (l->off[i] && uprobe_line(dir, line) != 0 && errno == EBUSY)
				left++;
		}
		if (!left)
			break;
		usleep(100000);
	}
	_exit(0);
}

int as_libc_probe_hold(char *why, size_t len)
{
	static int tried, held;
	static char reason[512];
	int ready[2], life[2];
	const char *dir;
	libc_t l;
	pid_t pid;
	ssize_t n = 0;
	if (tried)
		goto out;
	tried = 1;
	if (getenv("ALLOCSCOPE_NO_LIBC_PROBE")) {
		snprintf(reason, sizeof(reason), "off: ALLOCSCOPE_NO_LIBC_PROBE is set");
		goto out;
	}
#ifdef NO_FETCH_RET
	snprintf(reason, sizeof(reason), "no uprobe return-address fetch for this architecture");
	goto out;
#endif
	if (!(dir = tracefs(reason, sizeof(reason))) || find_libc(&l, reason, sizeof(reason)))
		goto out;
	if (pipe2(ready, O_CLOEXEC) != 0) {
		snprintf(reason, sizeof(reason), "pipe: %s", strerror(errno));
		goto out;
	}
	if (pipe2(life, O_CLOEXEC) != 0) {
		snprintf(reason, sizeof(reason), "pipe: %s", strerror(errno));
		close(ready[0]);
		close(ready[1]);
		goto out;
	}
	fflush(NULL);
	pid = fork();
	if (pid == 0)
		holder(dir, &l, getppid(), ready[1], life[0]);
	close(ready[1]);
	close(life[0]);
	/* the run's child for good (a child subreaper's grandchild would come
	 * back to it anyway): no trial's leftover, outliving the run */
	if (pid > 0 && as_guard_keep(pid, 1) == 0)
		n = read(ready[0], reason, sizeof(reason) - 1);
	close(ready[0]);
	reason[n > 0 ? n : 0] = '\0';
	reason[strcspn(reason, "\n")] = '\0';
	if (pid < 0 || n <= 0)
		snprintf(reason, sizeof(reason), "the uprobe holder did not start: %s",
		         pid < 0 ? strerror(errno) : "no answer");
	if (pid > 0 && n <= 0)
		kill(pid, SIGKILL); /* kept by the guard or not: not to be left */
	held = !reason[0];
	if (!held)
		close(life[1]); /* the holder, if any, cleans up and goes */
	                        /* held: life[1] stays open (close-on-exec) for the run's life */
out:
	if (!held)
		snprintf(why, len, "%s", reason);
	return held ? 0 : -1;
}

int as_libc_probe_start(uintptr_t wrap_lo, uintptr_t wrap_hi, char *why, size_t len)
{
	char filter[1024];
	uintptr_t lo[8], hi[8];
	const char *dir;
	char held[256];
	pid_t run;
	libc_t l;
	size_t n;
	int ng;
	if (getenv("ALLOCSCOPE_NO_LIBC_PROBE"))
		return 1; /* nor for the run: no lookup of its events */
	if (!(dir = tracefs(why, len)))
		return 1; /* no tracefs here: nor for the run */
	run = getppid();
	snprintf(held, sizeof(held), "%s/events/allocscope_%ld", dir, (long)run);
	if (access(held, F_OK) != 0) { /* --jobs: a job process's worker */
		run = as_guard_parent(run);
		snprintf(held, sizeof(held), "%s/events/allocscope_%ld", dir, (long)run);
		if (run <= 0 || access(held, F_OK) != 0)
			return 1;
	}
	if (find_libc(&l, why, len))
		return -1;
	/* left out: the wrappers' own forwarding, glibc's calls to itself */
	n = (size_t)snprintf(filter, sizeof(filter), "(ret < 0x%llx || ret >= 0x%llx)",
	                     (unsigned long long)wrap_lo, (unsigned long long)wrap_hi);
	ng = as_glibc_text(lo, hi, 8);
	for (int i = 0; i < ng && n < sizeof(filter); i++)
		n += (size_t)snprintf(filter + n, sizeof(filter) - n,
		                      " && (ret < 0x%llx || ret >= 0x%llx)",
		                      (unsigned long long)lo[i], (unsigned long long)hi[i]);
	if (n >= sizeof(filter)) {
		snprintf(why, len, "uprobe filter too long");
		return -1;
	}
	/* a kernel that refuses the group (with inherit) still counts alone */
	if (open_counters(dir, &l, run, 1, 1, filter, why, len) != 0 &&
	    open_counters(dir, &l, run, 1, 0, filter, why, len) != 0)
		return -1;
	return 0;
}

void as_libc_probe_stop(void)
{
	close_fds();
}

uint64_t as_libc_probe_hits(void)
{
	uint64_t g[1 + NNAMES], sum = 0;
	if (!nfds)
		return AS_LIBC_PROBE_OFF;
	if (grouped) {
		ssize_t want = (ssize_t)((1 + (size_t)nfds) * sizeof(g[0]));
		if (read(fds[0], g, sizeof(g)) != want || g[0] != (uint64_t)nfds)
			return AS_LIBC_PROBE_OFF;
		for (int i = 0; i < nfds; i++)
			sum += g[1 + i];
		return sum;
	}
	for (int i = 0; i < nfds; i++) {
		if (read(fds[i], &g[0], sizeof(g[0])) != (ssize_t)sizeof(g[0]))
			return AS_LIBC_PROBE_OFF;
		sum += g[0];
	}
	return sum;
}
