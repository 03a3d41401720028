/* capture_c11_prog.c - the program test_capture_c11 traces: four C11
 * threads (thrd_create, which glibc starts with its internal
 * pthread_create, not the public one) allocating at the same time, with
 * every malloc-family call a C program makes: malloc, calloc, realloc
 * (grow, NULL, 0), reallocarray, strdup, posix_memalign, aligned_alloc,
 * memalign, valloc, malloc_usable_size and free(NULL); then threads 0
 * and 1 in lock-step bursts of malloc/free; then a timer_create
 * SIGEV_THREAD callback (glibc's own thread) allocating while main does.
 * Each thread keeps one block at the end, main one more. Not a test by
 * itself. */
#define _GNU_SOURCE
#include <malloc.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <threads.h>
#include <time.h>
#define NT     4
#define N      2000
#define ROUNDS 1000 /* lock-step bursts of threads 0 and 1 */
#define BURST  40   /* malloc/free pairs in each */
static atomic_int started, bar_count, bar_gen;
static void *kept[NT + 1];
/* threads 0 and 1 meet here: both are running when they leave it, so
 * their bursts overlap even on a loaded machine (spinning, no yield) */
static void meet(void)
{
	int g = atomic_load(&bar_gen);
	if (atomic_fetch_add(&bar_count, 1) == 1) {
		atomic_store(&bar_count, 0);
		atomic_fetch_add(&bar_gen, 1);
	} else {
		while (atomic_load(&bar_gen) == g)
			;
	}
}

static int work(void *arg)
{
	int t = (int)(long)arg;
	void *volatile p, *volatile q, *volatile r;
	atomic_fetch_add(&started, 1);
	while (atomic_load(&started) < NT) /* all at once: they race */
		thrd_yield();
	for (int i = 0; i < N; i++) {
		p = malloc(16 + (size_t)(i % 200));
		q = calloc(3, 8 + (size_t)(i % 50));
		p = realloc(p, 300 + (size_t)(i % 100));
		r = realloc(NULL, 40);
		r = reallocarray(r, 5, 16);
		q = realloc(q, 0); /* glibc frees q, returns NULL */
		free(NULL);
		q = strdup("c11 thread block");
		if (i % 16 == 0) {
			void *a = NULL;
			if (posix_memalign(&a, 64, 100) == 0)
				free(a);
			free(aligned_alloc(256, 512));
			free(memalign(128, 200));
			free(valloc(300));
			(void)malloc_usable_size(p);
		}
		free(p);
		free(q);
		free(r);
	}
	for (int k = 0; t < 2 && k < ROUNDS; k++) {
		meet();
		for (int i = 0; i < BURST; i++) {
			p = malloc(8 + (size_t)(i % 8));
			free(p);
		}
	}
	kept[t] = malloc(1000 + (size_t)t);
	return 0;
}
/* timer_create's SIGEV_THREAD: glibc's own thread runs it, started as
 * thrd_create's are */
static atomic_int fired;
static void on_timer(union sigval v)
{
	void *volatile p;
	(void)v;
	for (int i = 0; i < 20000; i++) {
		p = malloc(56 + (size_t)(i % 8));
		free(p);
	}
	atomic_store(&fired, 1);
}

int main(void)
{
	struct sigevent sev = {.sigev_notify = SIGEV_THREAD, .sigev_notify_function = on_timer};
	struct itimerspec its = {{0, 0}, {0, 1000000}};
	timer_t timer;
	void *volatile p;
	thrd_t th[NT];
	for (int t = 0; t < NT; t++)
		if (thrd_create(&th[t], work, (void *)(long)t) != thrd_success)
			return 1;
	for (int t = 0; t < NT; t++)
		thrd_join(th[t], NULL);
	if (timer_create(CLOCK_MONOTONIC, &sev, &timer) != 0 || timer_settime(timer, 0, &its, NULL))
		return 1;
	while (!atomic_load(&fired)) { /* allocating while the timer's thread does */
		p = malloc(72);
		free(p);
	}
	kept[NT] = malloc(2000);
	return kept[NT] ? 0 : 1;
}
