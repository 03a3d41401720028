/* uprobe_pmu_cost.c - why harness/libc_probe.c defines tracefs uprobe
 * events instead of opening perf's uprobe PMU: N uprobe PMU events
 * (inherit=1, as a worker would open them) on libc.so.6's malloc family,
 * on this process; the time to open them, to start and join one thread
 * (each inherits its own copy of every event), and to close them. Not a
 * test: it prints figures docs/measure.md records. Needs root.
 * usage: uprobe_pmu_cost [N]   (1 to 8 events; 8 by default) */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <link.h>
#include <linux/perf_event.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static const char *const names[] = {"malloc",   "free",           "calloc", "realloc",
                                    "memalign", "posix_memalign", "valloc", "pvalloc"};

static struct dl_phdr_info libc;

static double now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

static int find(struct dl_phdr_info *i, size_t size, void *data)
{
	(void)size;
	(void)data;
	if (!i->dlpi_name || !strstr(i->dlpi_name, "/libc.so.6"))
		return 0;
	libc = *i;
	return 1;
}

static uint64_t file_offset(const void *addr)
{
	uintptr_t v = (uintptr_t)addr - libc.dlpi_addr;
	for (int k = 0; k < libc.dlpi_phnum; k++) {
		const ElfW(Phdr) *p = &libc.dlpi_phdr[k];
		if (p->p_type == PT_LOAD && v >= p->p_vaddr && v < p->p_vaddr + p->p_memsz)
			return v - p->p_vaddr + p->p_offset;
	}
	return 0;
}

static void *idle(void *arg)
{
	return arg;
}

int main(int argc, char **argv)
{
	long n = argc > 1 ? strtol(argv[1], NULL, 10) : 8;
	int fd[8], type;
	void *h = dlopen("libc.so.6", RTLD_NOW | RTLD_NOLOAD);
	FILE *f = fopen("/sys/bus/event_source/devices/uprobe/type", "r");
	pthread_t t;
	double t0, t1, t2, t3;
	if (n < 1 || n > 8 || !h || !f || fscanf(f, "%d", &type) != 1 ||
	    !dl_iterate_phdr(find, NULL)) {
		fprintf(stderr,
		        "usage: uprobe_pmu_cost [1-8] (needs the uprobe PMU and libc.so.6)\n");
		return 2;
	}
	fclose(f);
	t0 = now_ms();
	for (long i = 0; i < n; i++) {
		struct perf_event_attr a;
		memset(&a, 0, sizeof(a));
		a.type = (uint32_t)type;
		a.size = sizeof(a);
		a.config1 = (uint64_t)(uintptr_t)libc.dlpi_name; /* uprobe_path */
		a.config2 = file_offset(dlsym(h, names[i]));     /* probe_offset */
		a.inherit = 1;
		fd[i] = (int)syscall(SYS_perf_event_open, &a, 0, -1, -1, PERF_FLAG_FD_CLOEXEC);
		if (fd[i] < 0) {
			perror("perf_event_open (uprobe PMU; root?)");
			return 1;
		}
	}
	t1 = now_ms();
	pthread_create(&t, NULL, idle, NULL);
	pthread_join(t, NULL);
	t2 = now_ms();
	for (long i = 0; i < n; i++)
		close(fd[i]);
	t3 = now_ms();
	printf("%ld uprobe PMU events: open %.1f ms, one thread started and joined %.1f ms, "
	       "close %.1f ms\n",
	       n, t1 - t0, t2 - t1, t3 - t2);
	return 0;
}
