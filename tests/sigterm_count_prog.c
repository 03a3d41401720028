/* sigterm_count_prog.c - the program test_prog_signals runs under exec and
 * capture: it counts the SIGTERMs it receives, and those of them its
 * parent (allocscope) sent. It creates READY once its handler is set,
 * waits for the first SIGTERM (30 s at most), creates READY.got, waits 1.5 s
 * more for a second one, and writes "COUNT FROM_PARENT" to OUT. Not a test
 * by itself.
 * usage: sigterm_count_prog OUT READY */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t count, from_parent;

static void on_term(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)uc;
	count++;
	from_parent += si->si_pid == getppid();
}

/* Sleep ms milliseconds of wall time, signals or not; stop early when
 * until_signal and a SIGTERM has come. */
static void nap(long ms, int until_signal)
{
	struct timespec end, now;
	clock_gettime(CLOCK_MONOTONIC, &end);
	end.tv_sec += ms / 1000;
	end.tv_nsec += (ms % 1000) * 1000000L;
	if (end.tv_nsec >= 1000000000L) {
		end.tv_sec++;
		end.tv_nsec -= 1000000000L;
	}
	do {
		struct timespec step = {0, 10000000L};
		if (until_signal && count)
			return;
		/* spinning, not sleeping, until the first: a running process
		 * takes a signal at once, so a second one sent right after
		 * is not merged into the first while that is still pending */
		if (!until_signal)
			nanosleep(&step, NULL);
		clock_gettime(CLOCK_MONOTONIC, &now);
	} while (now.tv_sec < end.tv_sec ||
	         (now.tv_sec == end.tv_sec && now.tv_nsec < end.tv_nsec));
}

int main(int argc, char **argv)
{
	struct sigaction sa;
	FILE *f;
	if (argc != 3) {
		fprintf(stderr, "usage: sigterm_count_prog OUT READY\n");
		return 2;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_term;
	sa.sa_flags = SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	if (!(f = fopen(argv[2], "w")) || fclose(f) != 0)
		return 2;
	nap(30000, 1);
	if (count) {
		/* READY.got: the first has come (the test may send more) */
		char got[4096];
		snprintf(got, sizeof(got), "%s.got", argv[2]);
		if ((f = fopen(got, "w")))
			fclose(f);
	}
	nap(1500, 0); /* a second SIGTERM, if one comes, comes now */
	if (!(f = fopen(argv[1], "w")))
		return 2;
	fprintf(f, "%d %d\n", (int)count, (int)from_parent);
	return fclose(f) == 0 ? 0 : 2;
}
