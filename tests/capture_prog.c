/* capture_prog.c - the program test_capture traces: known numbers of
 * malloc-family calls with sizes nothing else uses (1001..1010, 2001), on
 * one thread or several with cross-thread frees and address reuse, and
 * optionally 300 threads in turn, threads from C11's thrd_create, a fork,
 * an exec, an _exit, a fatal signal, a sleep or odd alignments at the
 * end. Not a test by itself: test_capture checks its trace. */
#define _GNU_SOURCE
#include <malloc.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <threads.h>
#include <time.h>
#include <unistd.h>

#define N     200
#define QSIZE 64

static void *queue[QSIZE];
static int qhead, qtail, qcount, producers_done;
static pthread_mutex_t qlock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t qcond = PTHREAD_COND_INITIALIZER;
static void *volatile sink;

static void single_ops(void)
{
	for (int i = 0; i < N; i++) {
		void *a = malloc(1001);
		void *b = calloc(1, 1002);
		void *c = realloc(NULL, 1003);
		void *d = NULL, *e, *f, *g;
		if (posix_memalign(&d, 64, 1004) != 0)
			abort();
		e = aligned_alloc(128, 1024);
		f = memalign(256, 1005);
		g = valloc(1006);
		c = realloc(c, 1007);         /* grow */
		a = reallocarray(a, 1, 1008); /* grow through reallocarray */
		memset(b, 1, malloc_usable_size(b) < 1002 ? 0 : 1002);
		free(a);
		free(b);
		free(c);
		free(d);
		free(e);
		free(f);
		free(g);
		free(NULL);
	}
}

static void *producer(void *arg)
{
	(void)arg;
	for (int i = 0; i < N; i++) {
		void *p = malloc(2001);
		void *tmp = malloc(1009); /* freed at once: its address gets reused */
		free(tmp);
		pthread_mutex_lock(&qlock);
		while (qcount == QSIZE)
			pthread_cond_wait(&qcond, &qlock);
		queue[qtail] = p;
		qtail = (qtail + 1) % QSIZE;
		qcount++;
		pthread_cond_broadcast(&qcond);
		pthread_mutex_unlock(&qlock);
	}
	return NULL;
}

static void *consumer(void *arg)
{
	(void)arg;
	free(malloc(2002)); /* every consumer records something, even if starved */
	for (;;) {
		void *p;
		pthread_mutex_lock(&qlock);
		while (qcount == 0 && producers_done < 2)
			pthread_cond_wait(&qcond, &qlock);
		if (qcount == 0) {
			pthread_mutex_unlock(&qlock);
			return NULL;
		}
		p = queue[qhead];
		qhead = (qhead + 1) % QSIZE;
		qcount--;
		pthread_cond_broadcast(&qcond);
		pthread_mutex_unlock(&qlock);
		free(p); /* allocated on a producer thread */
		free(malloc(1009));
	}
}

/* c11threads: threads from thrd_create (glibc calls its pthread_create
 * internally, past an interposed one), all allocating at once */
#define C11_THREADS 2
#define C11_CALLS   100000
static atomic_int c11_waiting;

static int c11_body(void *arg)
{
	(void)arg;
	atomic_fetch_sub(&c11_waiting, 1);
	while (atomic_load(&c11_waiting) > 0)
		;
	for (int i = 0; i < C11_CALLS; i++)
		free(malloc(1010));
	return 0;
}

static void *one_call(void *arg)
{
	(void)arg;
	free(malloc(2003));
	return NULL;
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "single";
	pthread_t p[2], c[2];

	single_ops();
	if (!strcmp(mode, "threads")) {
		for (int i = 0; i < 2; i++) {
			pthread_create(&c[i], NULL, consumer, NULL);
			pthread_create(&p[i], NULL, producer, NULL);
		}
		for (int i = 0; i < 2; i++)
			pthread_join(p[i], NULL);
		pthread_mutex_lock(&qlock);
		producers_done = 2;
		pthread_cond_broadcast(&qcond);
		pthread_mutex_unlock(&qlock);
		for (int i = 0; i < 2; i++)
			pthread_join(c[i], NULL);
	} else if (!strcmp(mode, "c11threads")) {
		thrd_t t[C11_THREADS];
		atomic_store(&c11_waiting, C11_THREADS + 1);
		for (int i = 0; i < C11_THREADS; i++)
			if (thrd_create(&t[i], c11_body, NULL) != thrd_success)
				abort();
		c11_body(NULL);
		for (int i = 0; i < C11_THREADS; i++)
			thrd_join(t[i], NULL);
	} else if (!strcmp(mode, "manythreads")) {
		/* 300 threads one after another, each with one call: more than a
		 * trace holds (256) */
		for (int i = 0; i < 300; i++) {
			pthread_t t;
			pthread_create(&t, NULL, one_call, NULL);
			pthread_join(t, NULL);
		}
	} else if (!strcmp(mode, "fork")) {
		pid_t pid = fork();
		if (pid == 0) {
			for (int i = 0; i < 7; i++)
				free(malloc(3001));
			exit(0);
		}
		waitpid(pid, NULL, 0);
	} else if (!strcmp(mode, "forkexec")) {
		/* a child that execs a program: traced with --fork follow, not
		 * with exclude (its parent is the program, not the capture) */
		pid_t pid = fork();
		if (pid == 0) {
			execl("/proc/self/exe", argv[0], "child", (char *)NULL);
			_exit(127);
		}
		waitpid(pid, NULL, 0);
	} else if (!strcmp(mode, "child")) {
		for (int i = 0; i < 7; i++)
			free(malloc(3001));
	} else if (!strcmp(mode, "_exit")) {
		sink = malloc(4001); /* still buffered: _exit must flush it */
		fflush(stdout);
		_exit(0);
	} else if (!strcmp(mode, "exec")) {
		sink = malloc(4002); /* still buffered: exec must flush it */
		execl("/proc/self/exe", argv[0], "single", (char *)NULL);
		return 1;
	} else if (!strcmp(mode, "kill")) {
		/* several segments' worth, then SIGKILL: nothing of it may
		 * be lost */
		for (int i = 0; i < 50000; i++)
			free(malloc(6001));
		raise(SIGKILL);
	} else if (!strcmp(mode, "sleep") || !strcmp(mode, "nap")) {
		/* several buffers' worth, then a second (nap: 60 ms) of
		 * nothing: the capture command converts what was appended
		 * meanwhile */
		struct timespec t = {mode[0] == 's' ? 1 : 0, mode[0] == 's' ? 0 : 60000000};
		for (int i = 0; i < 50000; i++)
			free(malloc(6001));
		nanosleep(&t, NULL);
	} else if (!strcmp(mode, "oddalign")) {
		/* alignments that are not powers of two, as glibc takes them:
		 * memalign rounds up (24 -> 32), aligned_alloc is memalign
		 * before glibc 2.38 (48 -> 64) and EINVAL since,
		 * posix_memalign is EINVAL (nothing to record) */
		void *q = NULL;
		volatile size_t a24 = 24, a48 = 48; /* not constants: clang warns of them */
		sink = memalign(a24, 1010);
		sink = aligned_alloc(a48, 1011);
		if (posix_memalign(&q, a24, 1012) == 0)
			abort();
	} else if (!strcmp(mode, "abort")) {
		sink = malloc(4001);
		abort();
	}
	return 0;
}
