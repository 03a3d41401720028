/* handoff.h - how far apart the trial's threads run: two threads hand a
 * cache line back and forth and thread 0 times the round trip. On this
 * project's 2-vCPU EPYC VM the host moves the vCPUs between its cores now
 * and then; with them close a round trip took about 100 ns, far apart
 * about 500 ns, and a 2-thread xmalloc with glibc ran 3.7x slower in the
 * far placement while every 1-thread figure stayed put (docs/measure.md
 * "Two threads: where the host put the CPUs"). The engine probes before the
 * start barrier and after the end barrier (trials.csv handoff_ns,
 * handoff_end_ns), outside the timed region; the disturbed-trial rule
 * (disturb.h) judges by them. */
#ifndef AS_HANDOFF_H
#define AS_HANDOFF_H

#include <stdalign.h>
#include <stdatomic.h>
#include <stdint.h>

/* A probe's round trips: AS_HANDOFF_BURSTS bursts of AS_HANDOFF_TRIPS,
 * each burst timed; the figure is the median burst's time per round trip,
 * so a burst broken by an interrupt does not move it. About 50 us with the
 * threads close, 250 us far apart. */
#define AS_HANDOFF_TRIPS  16
#define AS_HANDOFF_BURSTS 31
/* A thread spins this many times on the line before it looks where the
 * other runs: it yields its CPU only when they share one (the other runs
 * only then), never when they are apart (a yield there hands the CPU to
 * whatever else wants it, for a whole time slice) */
#define AS_HANDOFF_SPINS 4096
/* A probe that has not finished after this long stops (its figure: 0) */
#define AS_HANDOFF_MAX_NS 20000000ULL
/* The answering side gives up this long after it started when the probe
 * has not ended by then. It may start well before the timing side (the
 * engine's thread 0 starts the other threads first), hence 50 probes'
 * time; but a timing side that never comes, or stops in the middle, no
 * longer keeps it waiting for ever (test_handoff_deadline) */
#define AS_HANDOFF_PONG_MAX_NS (50 * AS_HANDOFF_MAX_NS)

/* One probe's cache line; zeroed before its two threads use it (each
 * probe gets its own: a stopped probe leaves its line at AS_HANDOFF_STOP). */
typedef struct as_handoff {
	alignas(64) _Atomic uint64_t seq;
	char pad[64 - sizeof(uint64_t)];
	_Atomic int cpu[2]; /* each side's CPU + 1 when last seen (0: not yet) */
} as_handoff_t;

#define AS_HANDOFF_STOP UINT64_MAX

/* The timing side, run by one thread while another runs as_handoff_pong
 * on the same line: the median round trip in ns, or 0 when the other
 * thread did not answer within AS_HANDOFF_MAX_NS (it is told to stop), or
 * at once when the line holds the stop mark (the other gave up already).
 * No allocation, no system call but sched_yield and getcpu. */
uint64_t as_handoff_ping(as_handoff_t *h);

/* The answering side: returns when the probe is over or stopped, or
 * AS_HANDOFF_PONG_MAX_NS after its start, then leaving the stop mark (a
 * ping that comes later gets no answer: 0 at once). */
void as_handoff_pong(as_handoff_t *h);

#endif
