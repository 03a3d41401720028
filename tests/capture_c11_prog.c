/* capture_c11_prog.c - the program test_capture_c11 traces: four C11
 * threads (thrd_create, which glibc starts with its internal
 * pthread_create, not the public one) allocating at the same time, with
 * every malloc-family call a C program makes: malloc, calloc, realloc
 * (grow, NULL, 0), reallocarray, strdup, posix_memalign, aligned_alloc,
 * memalign, valloc, malloc_usable_size and free(NULL); then threads 0
 * and 1 in lock-step bursts of malloc/free. Each thread keeps one block at
 * the end, main one more. Not a test by itself. */
#define _GNU_SOURCE
#include <malloc.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <threads.h>
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
int main(void)
{
	thrd_t th[NT];
	for (int t = 0; t < NT; t++)
		if (thrd_create(&th[t], work, (void *)(long)t) != thrd_success)
			return 1;
	for (int t = 0; t < NT; t++)
		thrd_join(th[t], NULL);
	kept[NT] = malloc(2000);
	return kept[NT] ? 0 : 1;
}
