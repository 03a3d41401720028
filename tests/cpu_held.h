/* cpu_held.h - whether another task holds a CPU right now, for the tests
 * whose claims need a CPU to themselves (a handoff probe answers within
 * 20 ms only when both its threads get their CPUs): the calling thread,
 * pinned on the CPU, spins for a while and counts the time it was kept
 * off it: its scheduler run_delay (runnable, another task of this machine
 * on the CPU: /proc/thread-self/schedstat) plus the CPU's steal time (the
 * host ran something else on it: /proc/stat, in clock ticks). A test that
 * finds a CPU held skips its check (77) instead of failing it. Used by
 * test_handoff and, through tests/cpu_held.c, by the shell tests. */
#ifndef AS_CPU_HELD_H
#define AS_CPU_HELD_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* before any system header: pthread_setaffinity_np */
#endif
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

/* a share of a CPU at or over this is held (a trial's threads wait for a
 * CPU about 1 % of their time on an idle machine; one busy loop beside
 * them on the CPU takes about half) */
#define AS_CPU_HELD_SHARE 0.2

static inline long long as_cpu_held_now_ns(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000000000LL + t.tv_nsec;
}

/* this thread's run_delay in ns, or -1 */
static inline long long as_cpu_held_delay_ns(void)
{
	unsigned long long run, delay;
	FILE *f = fopen("/proc/thread-self/schedstat", "r");
	int n = f ? fscanf(f, "%llu %llu", &run, &delay) : 0;
	if (f)
		fclose(f);
	return n == 2 ? (long long)delay : -1;
}

/* CPU cpu's steal time in ns (0 when the kernel does not say), or -1 */
static inline long long as_cpu_held_steal_ns(int cpu)
{
	char name[32];
	unsigned long long v[8];
	FILE *f = fopen("/proc/stat", "r");
	long long r = -1;
	if (!f)
		return -1;
	while (fscanf(f, "%31s", name) == 1) {
		int c;
		if (sscanf(name, "cpu%d", &c) == 1 && c == cpu) {
			int n = fscanf(f, "%llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1],
			               &v[2], &v[3], &v[4], &v[5], &v[6], &v[7]);
			r = n == 8 ? (long long)(v[7] * (1000000000.0 / sysconf(_SC_CLK_TCK))) : 0;
			break;
		}
		if (fscanf(f, "%*[^\n]") < 0)
			break;
	}
	fclose(f);
	return r;
}

/* The share of ms milliseconds that others held CPU cpu, spinning on it
 * (the calling thread's affinity is restored after); -1 when it cannot
 * tell (no such CPU, no schedstat). */
static inline double as_cpu_held(int cpu, int ms)
{
	cpu_set_t old, one;
	long long d0, s0, t0, d1, s1, t1;
	if (pthread_getaffinity_np(pthread_self(), sizeof(old), &old) != 0)
		return -1;
	CPU_ZERO(&one);
	CPU_SET(cpu, &one);
	if (pthread_setaffinity_np(pthread_self(), sizeof(one), &one) != 0)
		return -1;
	sched_yield(); /* move there before the first reading */
	d0 = as_cpu_held_delay_ns();
	s0 = as_cpu_held_steal_ns(cpu);
	t0 = as_cpu_held_now_ns();
	do
		t1 = as_cpu_held_now_ns();
	while (t1 - t0 < ms * 1000000LL);
	d1 = as_cpu_held_delay_ns();
	s1 = as_cpu_held_steal_ns(cpu);
	pthread_setaffinity_np(pthread_self(), sizeof(old), &old);
	if (d0 < 0 || d1 < 0 || s0 < 0 || s1 < 0)
		return -1;
	return (double)((d1 - d0) + (s1 - s0)) / (double)(t1 - t0);
}

#endif /* AS_CPU_HELD_H */
