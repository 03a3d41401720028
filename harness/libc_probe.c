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
#include <poll.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "guard.h"
#include "syscount.h"
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

static int event_id(const char *dir, const char *group, const char *name, long long *id)
{
	char p[256];
	FILE *f;
	int ok;
	snprintf(p, sizeof(p), "%s/events/%s/%s/id", dir, group, name);
	if (!(f = fopen(p, "re")))
		return -1;
	ok = fscanf(f, "%lld", id) == 1;
	fclose(f);
	return ok ? 0 : -1;
}

/* The events' group, shared by every run on this libc.so.6:
 * ALLOCSCOPE_LIBC_PROBE_GROUP when set (letters, digits, '_'), else
 * allocscope_libc_<hash of the path, the offsets and the fetch>: another
 * libc gets other events, never a second probe on one. Not
 * allocscope_<digits> (remove_stale's per-run names). */
static void group_of(const libc_t *l, char *g, size_t n)
{
	const char *e = getenv("ALLOCSCOPE_LIBC_PROBE_GROUP");
	uint32_t h = 2166136261u;
	if (e && e[0] && strlen(e) < 48 &&
	    strspn(e, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLM"
	              "NOPQRSTUVWXYZ0123456789_") == strlen(e)) {
		snprintf(g, n, "%s", e);
		return;
	}
	for (const char *c = l->path; *c; c++)
		h = (h ^ (uint8_t)*c) * 16777619u;
	for (int i = 0; i < NNAMES; i++)
		for (int b = 0; b < 64; b += 8)
			h = (h ^ (uint8_t)(l->off[i] >> b)) * 16777619u;
	for (const char *c = FETCH_RET; *c; c++)
		h = (h ^ (uint8_t)*c) * 16777619u;
	snprintf(g, n, "allocscope_libc_%08x", h);
}

/* The events' counters, all threads; fds[0] leads the group when grouped. */
static int fds[NNAMES];
static int nfds, grouped;

/* The holder's: the syscall tracepoints the workers count, held with the
 * uprobes for the next run (the run's own are released at its end). */
static int sys_fds[AS_SYS_NCOLS] = {-1, -1, -1, -1, -1, -1, -1, -1};

static void close_fds(void)
{
	while (nfds > 0)
		close(fds[--nfds]);
	for (int i = 0; i < AS_SYS_NCOLS; i++) {
		if (sys_fds[i] >= 0)
			close(sys_fds[i]);
		sys_fds[i] = -1;
	}
}

/* Open a counter on each defined event of group ev on this process.
 * filter: a perf filter for each, or NULL. */
static int open_counters(const char *dir, const libc_t *l, const char *ev, int inherit, int group,
                         const char *filter, char *why, size_t len)
{
	for (int i = 0; i < NNAMES; i++) {
		struct perf_event_attr a;
		long long id;
		int fd;
		if (!l->off[i])
			continue;
		if (event_id(dir, ev, names[i], &id) != 0) {
			snprintf(why, len, "%s/events/%s/%s: %s (the run's uprobe events)", dir, ev,
			         names[i], strerror(errno));
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

/* Holders of one group meet at a lock file and an abstract socket named
 * after it. Each holds a shared flock on the lock file while it has
 * counters; the one that gets it exclusive once its own are closed is the
 * last and removes the events (a holder that starts meanwhile waits in
 * flock, then defines them again). */
static int lock_group(const char *group, char *why, size_t len)
{
	char p[160];
	const char *d = "/run/allocscope";
	int fd;
	if (mkdir(d, 0755) != 0 && errno != EEXIST)
		d = "/tmp";
	snprintf(p, sizeof(p), "%s/%s.lock", d, group);
	if ((fd = open(p, O_RDWR | O_CREAT | O_CLOEXEC, 0644)) < 0) {
		snprintf(why, len, "%s: %s (the uprobe holders' lock)", p, strerror(errno));
		return -1;
	}
	while (flock(fd, LOCK_SH) != 0)
		if (errno != EINTR) {
			snprintf(why, len, "flock %s: %s", p, strerror(errno));
			close(fd);
			return -1;
		}
	return fd;
}

/* Define the group's events; one defined already (another run's, or one
 * that starts at the same time: EEXIST) is used as it is. */
static int define_events(const char *dir, const libc_t *l, const char *group, char *why, size_t len)
{
	char line[PATH_MAX + 128];
	for (int i = 0; i < NNAMES; i++) {
		long long id;
		if (!l->off[i] || event_id(dir, group, names[i], &id) == 0)
			continue;
		snprintf(line, sizeof(line), "p:%s/%s %s:0x%llx ret=%s\n", group, names[i], l->path,
		         (unsigned long long)l->off[i], FETCH_RET);
		if (uprobe_line(dir, line) != 0 && errno != EEXIST) {
			snprintf(why, len, "defining uprobe %s at %s:0x%llx: %s", names[i], l->path,
			         (unsigned long long)l->off[i], strerror(errno));
			return -1;
		}
	}
	return 0;
}

/* The last holder removes the events: exclusive on the lock (no other
 * holder) and no worker's counter left on them (EBUSY: a worker still
 * closing; tried again for 5 s, the lock let go between). */
static void remove_events(const char *dir, const libc_t *l, const char *group, int lock)
{
	char line[160];
	for (int tries = 0; tries < 50; tries++) {
		int left = 0;
		if (flock(lock, LOCK_EX | LOCK_NB) != 0)
			return; /* another holder has them now */
		for (int i = 0; i < NNAMES; i++) {
			snprintf(line, sizeof(line), "-:%s/%s\n", group, names[i]);
			if (l->off[i] && uprobe_line(dir, line) != 0 && errno == EBUSY)
				left++;
		}
		flock(lock, LOCK_UN);
		if (!left)
			return;
		usleep(100000);
	}
}

/* An abstract unix socket's address (gone with its process: no stale
 * name): "allocscope/<group>/linger", the group's lingering holder, or
 * "allocscope/held/<run's pid>", a run's holder while the run lives. */
static socklen_t sock_addr(const char *a1, const char *a2, struct sockaddr_un *a)
{
	int n;
	memset(a, 0, sizeof(*a));
	a->sun_family = AF_UNIX;
	n = snprintf(a->sun_path + 1, sizeof(a->sun_path) - 1, "allocscope/%s/%s", a1, a2);
	return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + (size_t)n);
}

/* Connect to a1/a2 and hang up: 0 when one listens there. */
static int knock(const char *a1, const char *a2)
{
	struct sockaddr_un a;
	socklen_t n = sock_addr(a1, a2, &a);
	int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0), r = -1;
	if (s >= 0) {
		r = connect(s, (const struct sockaddr *)&a, n);
		close(s);
	}
	return r;
}

/* Listen at a1/a2: the socket, or -1. */
static int listen_at(const char *a1, const char *a2)
{
	struct sockaddr_un a;
	socklen_t n = sock_addr(a1, a2, &a);
	int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s >= 0 && (bind(s, (const struct sockaddr *)&a, n) != 0 || listen(s, 64) != 0)) {
		close(s);
		s = -1;
	}
	return s;
}

/* After the run: keep the counters ms milliseconds, or until a newer
 * holder dismisses this one (it opened its counters first: the events stay
 * registered and nobody waits for their release). One lingers per group:
 * a second dismisses the first and takes the name. */
static void linger(const char *group, int ms)
{
	struct pollfd p = {.fd = -1, .events = POLLIN};
	if (ms <= 0)
		return;
	for (int tries = 0; (p.fd = listen_at(group, "linger")) < 0; tries++) {
		if (errno != EADDRINUSE || tries == 100)
			return;
		(void)knock(group, "linger");
		usleep(2000);
	}
	while (poll(&p, 1, ms) < 0 && errno == EINTR)
		;
	close(p.fd);
}

/* Wait for EOF on life_fd (the run gone), answering the run's workers'
 * knocks at mark (as_libc_probe_start: does the run hold?). */
static void wait_run(int life_fd, int mark)
{
	char c;
	for (;;) {
		struct pollfd p[2] = {{.fd = life_fd, .events = POLLIN},
		                      {.fd = mark, .events = POLLIN}};
		if (poll(p, mark >= 0 ? 2 : 1, -1) < 0) {
			if (errno == EINTR)
				continue;
			return;
		}
		if (mark >= 0 && (p[1].revents & POLLIN)) {
			int k = accept4(mark, NULL, NULL, SOCK_CLOEXEC);
			if (k >= 0)
				close(k);
		}
		if (p[0].revents) {
			ssize_t r = read(life_fd, &c, 1);
			if (r == 0 || (r < 0 && errno != EINTR))
				return;
		}
	}
}

/* The detached holder: defines the group's events (or finds them), opens a
 * counter on each (on itself: it calls no malloc while it waits),
 * dismisses the group's lingering holder, says ready on ready_fd (an empty
 * line, or the reason), and waits for EOF on life_fd, which only the run
 * (and what it forks) holds; then lingers (linger_ms, or until the next
 * run's holder has taken over) and releases its counters: the slow part
 * (RCU grace periods) when it is the last, nobody waiting then; the last
 * removes the events. */
static void holder(const char *dir, const libc_t *l, const char *group, int linger_ms, pid_t run,
                   int ready_fd, int life_fd)
{
	char line[PATH_MAX + 128], why[512] = "";
	int lock, mark = -1;
	/* the run's end is EOF on life_fd, whatever kills it: no terminal's
	 * or group's signal ends the holder before it released the events */
	setpgid(0, 0);
	signal(SIGINT, SIG_IGN);
	signal(SIGTERM, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	signal(SIGPIPE, SIG_IGN);
	prctl(PR_SET_NAME, "as_probe_holder");
	as_close_fds_but(ready_fd, life_fd);
	remove_stale(dir);
	if ((lock = lock_group(group, why, sizeof(why))) >= 0 &&
	    define_events(dir, l, group, why, sizeof(why)) == 0 &&
	    open_counters(dir, l, group, 0, 0, NULL, why, sizeof(why)) == 0) {
		char e[256]; /* no syscall tracepoints: only the slower hand-over */
		(void)as_syscount_open_self(sys_fds, e, sizeof(e));
		(void)knock(group, "linger"); /* the last run's holder: go */
		snprintf(line, sizeof(line), "%ld", (long)run);
		if ((mark = listen_at("held", line)) < 0)
			snprintf(why, sizeof(why), "listening at @allocscope/held/%ld: %s",
			         (long)run, strerror(errno));
	}
	snprintf(line, sizeof(line), "%s\n", why);
	if (write(ready_fd, line, strlen(line)) < 0 && !why[0]) {
		why[0] = 'x';
		close_fds();
	}
	close(ready_fd);
	if (!why[0])
		wait_run(life_fd, mark);
	if (mark >= 0)
		close(mark);
	if (!why[0])
		linger(group, linger_ms);
	close_fds();
	if (lock >= 0)
		remove_events(dir, l, group, lock);
	_exit(0);
}

/* ALLOCSCOPE_LIBC_PROBE_LINGER: seconds a holder keeps the events after its
 * run (0-60, default 2). */
static int linger_ms(void)
{
	const char *e = getenv("ALLOCSCOPE_LIBC_PROBE_LINGER");
	char *end;
	double s = e ? strtod(e, &end) : 2.0;
	if (e && (end == e || *end || !(s >= 0 && s <= 60)))
		s = 2.0;
	return (int)(s * 1000);
}

int as_libc_probe_hold(char *why, size_t len)
{
	static int tried, held;
	static char reason[512];
	char group[64];
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
	group_of(&l, group, sizeof(group));
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
		holder(dir, &l, group, linger_ms(), getppid(), ready[1], life[0]);
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
	char ev[64];
	pid_t run;
	libc_t l;
	size_t n;
	int ng;
	if (getenv("ALLOCSCOPE_NO_LIBC_PROBE"))
		return 1; /* nor for the run: no lookup of its events */
	if (!(dir = tracefs(why, len)))
		return 1; /* no tracefs here: nor for the run */
	/* the run (the parent, or the parent's parent: a fork server's or a
	 * job process's worker) holds when its holder answers */
	run = getppid();
	snprintf(ev, sizeof(ev), "%ld", (long)run);
	if (knock("held", ev) != 0) {
		run = as_guard_parent(run);
		snprintf(ev, sizeof(ev), "%ld", (long)run);
		if (run <= 0 || knock("held", ev) != 0)
			return 1;
	}
	if (find_libc(&l, why, len))
		return -1;
	group_of(&l, ev, sizeof(ev));
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
	if (open_counters(dir, &l, ev, 1, 1, filter, why, len) != 0 &&
	    open_counters(dir, &l, ev, 1, 0, filter, why, len) != 0)
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
