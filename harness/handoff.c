/* handoff.c - see handoff.h. */
#define _GNU_SOURCE
#include "handoff.h"

#include <sched.h>

#include "util.h"

/* Side `side` says where it runs; 1 when the other side is on the same
 * CPU or has not said yet (it may be waiting for this one's CPU). */
static int sharing(as_handoff_t *h, int side)
{
	int me = sched_getcpu() + 1, other;
	atomic_store_explicit(&h->cpu[side], me, memory_order_relaxed);
	other = atomic_load_explicit(&h->cpu[!side], memory_order_relaxed);
	return other == 0 || other == me || me == 0;
}

/* Side `side` waits until the line holds `want` (or the stop mark).
 * Returns 0, or -1 at the stop mark or, when deadline is set, past it. */
static int await(as_handoff_t *h, int side, uint64_t want, uint64_t deadline)
{
	for (uint32_t spins = 0;; spins++) {
		uint64_t v = atomic_load_explicit(&h->seq, memory_order_acquire);
		if (v == want)
			return 0;
		if (v == AS_HANDOFF_STOP)
			return -1;
		if (spins >= AS_HANDOFF_SPINS) {
			spins = 0;
			if (sharing(h, side))
				sched_yield();
			if (deadline && as_now_ns() > deadline)
				return -1;
		}
	}
}

/* the median of v[0..n) (sorted in place: an insertion sort, since
 * glibc's qsort may allocate and the after-probe precedes the end sample) */
static uint64_t median(uint64_t *v, int n)
{
	for (int i = 1; i < n; i++) {
		uint64_t x = v[i];
		int j = i;
		for (; j > 0 && v[j - 1] > x; j--)
			v[j] = v[j - 1];
		v[j] = x;
	}
	return v[n / 2];
}

uint64_t as_handoff_ping(as_handoff_t *h)
{
	uint64_t burst[AS_HANDOFF_BURSTS], seq = 0;
	uint64_t deadline = as_now_ns() + AS_HANDOFF_MAX_NS;
	sharing(h, 0);
	for (int b = 0; b < AS_HANDOFF_BURSTS; b++) {
		uint64_t t0 = as_now_ns();
		for (int k = 0; k < AS_HANDOFF_TRIPS; k++, seq += 2) {
			uint64_t have = seq;
			/* the ping replaces the last answer (0 at the start) only:
			 * over the stop mark of an answering side that gave up it
			 * would wait its whole AS_HANDOFF_MAX_NS for no one */
			if (!atomic_compare_exchange_strong_explicit(&h->seq, &have, seq + 1,
			                                             memory_order_acq_rel,
			                                             memory_order_acquire) ||
			    await(h, 0, seq + 2, deadline) != 0) {
				atomic_store_explicit(&h->seq, AS_HANDOFF_STOP,
				                      memory_order_release);
				return 0;
			}
		}
		burst[b] = (as_now_ns() - t0) / AS_HANDOFF_TRIPS;
	}
	atomic_store_explicit(&h->seq, AS_HANDOFF_STOP, memory_order_release);
	seq = median(burst, AS_HANDOFF_BURSTS);
	return seq ? seq : 1;
}

/* The answer replaces `seq` only: a plain store could land after the
 * ping side gave up and wrote the stop mark (it saw `seq` just before),
 * erase it, and leave this side waiting for a ping that never comes (a
 * worker hung so in test_suite_budget under load: thread 1 in this loop,
 * thread 0 at the start barrier, until the trial's timeout). Past its own
 * deadline this side writes the stop mark, as the ping side does past its
 * one: a ping side that stopped answering (or never came) ends the probe
 * on both sides (test_handoff_deadline). */
void as_handoff_pong(as_handoff_t *h)
{
	uint64_t deadline = as_now_ns() + AS_HANDOFF_PONG_MAX_NS;
	sharing(h, 1);
	for (uint64_t seq = 1;; seq += 2) {
		uint64_t want = seq;
		if (await(h, 1, seq, deadline) != 0) {
			atomic_store_explicit(&h->seq, AS_HANDOFF_STOP, memory_order_release);
			return;
		}
		if (!atomic_compare_exchange_strong_explicit(
		        &h->seq, &want, seq + 1, memory_order_acq_rel, memory_order_acquire))
			return;
	}
}
