/* cpu_held.c - cpu_held CPU...: whether another task holds each CPU named
 * (cpu_held.h), for the shell tests: spins 100 ms on each and prints
 * "cpuN: P % held" per CPU. Exit 0 when none is held (under
 * AS_CPU_HELD_SHARE), 1 when one is, 2 when it cannot tell. */
#include "cpu_held.h"

#include <stdlib.h>

int main(int argc, char **argv)
{
	int rc = 0;
	if (argc < 2) {
		fprintf(stderr, "usage: cpu_held CPU...\n");
		return 2;
	}
	for (int i = 1; i < argc; i++) {
		int cpu = atoi(argv[i]);
		double h = as_cpu_held(cpu, 100);
		if (h < 0) {
			printf("cpu%d: cannot tell\n", cpu);
			rc = 2;
			continue;
		}
		printf("cpu%d: %.0f %% held\n", cpu, 100 * h);
		if (h >= AS_CPU_HELD_SHARE && rc == 0)
			rc = 1;
	}
	return rc;
}
