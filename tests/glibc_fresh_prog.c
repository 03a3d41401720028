/* glibc_fresh_prog.c - the outside reference of test_glibc_fresh: glibc's
 * malloc in a fresh process on a random stream of mallocs and frees (LIVE
 * slots, each op frees the slot's block and allocates one of MIN..MAX
 * bytes), written to stdout as an mtrace log for allocscope to import and
 * replay. The log is built in memory mapped ahead, so that nothing but the
 * stream touches the heap; a getppid() marks, for strace, where the stream
 * starts. Usage: glibc_fresh_prog OPS MIN MAX */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define LIVE 200

static uint64_t next(uint64_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return *x;
}

int main(int argc, char **argv)
{
	long ops = argc == 4 ? atol(argv[1]) : 0;
	size_t lo = argc == 4 ? strtoul(argv[2], NULL, 0) : 0;
	size_t hi = argc == 4 ? strtoul(argv[3], NULL, 0) : 0;
	size_t cap = (size_t)(ops + LIVE) * 2 * 48 + 64, n = 0;
	void *live[LIVE] = {0};
	uint64_t x = 88172645463325252ull;
	char *log;
	if (ops <= 0 || lo == 0 || hi < lo) {
		fprintf(stderr, "usage: glibc_fresh_prog OPS MIN MAX\n");
		return 2;
	}
	log = mmap(NULL, cap, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (log == MAP_FAILED)
		return 1;
	n += (size_t)sprintf(log + n, "= Start\n");
	(void)getppid(); /* strace's mark: the stream starts here */
	for (long i = 0; i < ops + LIVE; i++) {
		int k = (int)(next(&x) % LIVE);
		size_t sz = lo + next(&x) % (hi - lo + 1);
		if (live[k]) {
			n += (size_t)sprintf(log + n, "- %p\n", live[k]);
			free(live[k]);
		}
		live[k] = malloc(sz);
		if (!live[k])
			return 1;
		memset(live[k], 1, 1); /* used, as a program would */
		n += (size_t)sprintf(log + n, "+ %p %#zx\n", live[k], sz);
	}
	n += (size_t)sprintf(log + n, "= End\n");
	return write(1, log, n) == (ssize_t)n ? 0 : 1;
}
