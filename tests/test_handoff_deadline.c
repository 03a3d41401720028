/* test_handoff_deadline.c - the handoff probe's answering side
 * (as_handoff_pong, harness/handoff.h) gives up at its deadline when the
 * timing side never comes or stops in the middle of the probe, leaving the
 * stop mark; a timing side that comes later gets no answer (0) and
 * returns at once, not after its own 20 ms (as until session 30). Until
 * session 29 it waited for ever: the engine's thread 1 stayed in it, off
 * the barrier where the trial's --timeout names the hang, and this test
 * hung (each wait below is bounded, so it fails instead). Needs no
 * particular CPU: the answering side spins (yielding when it shares one). */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "handoff.h"
#include "util.h"

/* how long the test waits for the answering side, well past its deadline
 * (a loaded machine may keep its thread off a CPU for seconds) */
#define JOIN_LIMIT_S 30
/* late pings timed; the fastest counts */
#define LATE_TRIES 5

static as_handoff_t line;

/* how long as_handoff_pong took */
static void *pong(void *arg)
{
	uint64_t t0 = as_now_ns();
	as_handoff_pong(&line);
	*(uint64_t *)arg = as_now_ns() - t0;
	return NULL;
}

/* Joins the answering side within JOIN_LIMIT_S; 0, or -1 when it is still
 * waiting (the process then exits: the thread cannot be stopped). */
static int join(pthread_t t)
{
	struct timespec until;
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += JOIN_LIMIT_S;
	return pthread_timedjoin_np(t, NULL, &until) == 0 ? 0 : -1;
}

/* The ping side by hand: round trips until the line holds `upto`, then it
 * stops answering, as a stalled or dead thread would. 0, or -1 when the
 * answering side did not answer within JOIN_LIMIT_S. */
static int ping_until(uint64_t upto)
{
	for (uint64_t seq = 0; seq < upto; seq += 2) {
		uint64_t t0 = as_now_ns();
		atomic_store(&line.seq, seq + 1);
		while (atomic_load(&line.seq) != seq + 2)
			if (as_now_ns() - t0 > (uint64_t)JOIN_LIMIT_S * 1000000000ULL)
				return -1;
	}
	return 0;
}

static void case_stalled(const char *what, uint64_t trips)
{
	pthread_t t;
	uint64_t ns = 0, t0, late, fastest;
	memset(&line, 0, sizeof(line));
	if (pthread_create(&t, NULL, pong, &ns) != 0) {
		CHECKF(0, "%s: cannot start the answering thread", what);
		return;
	}
	CHECKF(ping_until(2 * trips) == 0, "%s: no answer to the first %llu pings", what,
	       (unsigned long long)trips);
	if (join(t) != 0) {
		CHECKF(0, "%s: the answering side still waits after %d s (deadline %.1f s)", what,
		       JOIN_LIMIT_S, AS_HANDOFF_PONG_MAX_NS / 1e9);
		as_check_done();
		fflush(NULL);
		_exit(1); /* the thread spins on: nothing else can end it */
	}
	CHECKF(ns >= AS_HANDOFF_PONG_MAX_NS, "%s: not before its deadline (%llu ns)", what,
	       (unsigned long long)ns);
	CHECKF(atomic_load(&line.seq) == AS_HANDOFF_STOP, "%s: the stop mark left on the line",
	       what);
	/* a ping side that comes now gets no answer, and knows it at once
	 * from the stop mark: 0 well within its own AS_HANDOFF_MAX_NS (until
	 * session 30 its first write replaced the mark and it waited all of
	 * it). The fastest of LATE_TRIES: a loaded machine may take the CPU
	 * from one of them, not from each. */
	fastest = UINT64_MAX;
	for (int i = 0; i < LATE_TRIES; i++) {
		t0 = as_now_ns();
		late = as_handoff_ping(&line);
		t0 = as_now_ns() - t0;
		fastest = t0 < fastest ? t0 : fastest;
		CHECKF(late == 0, "%s: a late ping reads %llu ns", what, (unsigned long long)late);
		CHECKF(atomic_load(&line.seq) == AS_HANDOFF_STOP,
		       "%s: the late ping leaves the stop mark", what);
	}
	CHECKF(fastest < AS_HANDOFF_MAX_NS / 10,
	       "%s: the fastest of %d late pings returned after %llu ns (its limit %llu ns)", what,
	       LATE_TRIES, (unsigned long long)fastest, AS_HANDOFF_MAX_NS);
	printf("%s: gave up after %.2f s\n", what, ns / 1e9);
}

int main(void)
{
	case_stalled("no ping at all", 0);
	case_stalled("ping stopped after 3 round trips", 3);
	return as_check_done();
}
