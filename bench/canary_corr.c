/* canary_corr.c - which canary sees the machine's slow spells: for SECS
 * seconds, over and over, time a malloc/free loop (random replacement of
 * 10,000 live blocks of 16..1024 B, 200,000 ops: an allocator-bound
 * workload like larson), then the disturbed-trial rule's L1 canary (40,000
 * xorshift steps updating a 512-byte table, as harness/engine.c runs it),
 * then a memory canary (20,000 dependent loads chasing a random cycle over
 * MIB MiB). Prints, over all rounds, the correlation of each canary's time
 * with the loop's ns/op, and each canary's median in the slow rounds
 * (loop > 1.3 x its median) over the rest. A canary that slows when the
 * workload does is one the rule could use.
 * usage: canary_corr [SECS [MIB]]   (default 60 s, 8 MiB) */
#define _GNU_SOURCE
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { LIVE = 10000, OPS = 200000, L1_STEPS = 40000, CHASE = 20000, MAXR = 1 << 20 };

static uint64_t now_ns(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

static uint64_t xs = 88172645463325252u;
static uint64_t xr(void)
{
	xs ^= xs << 13;
	xs ^= xs >> 7;
	xs ^= xs << 17;
	return xs;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp);
	return n == 0 ? NAN : n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static double corr(const double *a, const double *b, int n)
{
	double ma = 0, mb = 0, sab = 0, saa = 0, sbb = 0;
	for (int i = 0; i < n; i++) {
		ma += a[i] / n;
		mb += b[i] / n;
	}
	for (int i = 0; i < n; i++) {
		sab += (a[i] - ma) * (b[i] - mb);
		saa += (a[i] - ma) * (a[i] - ma);
		sbb += (b[i] - mb) * (b[i] - mb);
	}
	return sab / sqrt(saa * sbb);
}

int main(int argc, char **argv)
{
	int secs = argc > 1 ? atoi(argv[1]) : 60, mib = argc > 2 ? atoi(argv[2]) : 8, n = 0;
	size_t nslots = (size_t)(mib > 0 ? mib : 8) * 1048576 / sizeof(size_t), p = 0;
	size_t *next = malloc(nslots * sizeof(size_t)), *perm = malloc(nslots * sizeof(size_t));
	double *w = malloc(MAXR * sizeof(double)), *l1 = malloc(MAXR * sizeof(double)),
	       *mem = malloc(MAXR * sizeof(double)), *tmp = malloc(MAXR * sizeof(double));
	static void *live[LIVE];
	static volatile unsigned char tab[512];
	uint64_t end;
	if (secs <= 0 || !next || !perm || !w || !l1 || !mem || !tmp) {
		fprintf(stderr, "usage: canary_corr [SECS [MIB]]\n");
		return 2;
	}
	/* one random cycle through every slot: each load depends on the last */
	for (size_t i = 0; i < nslots; i++)
		perm[i] = i;
	for (size_t i = nslots - 1; i > 0; i--) {
		size_t j = xr() % (i + 1), t = perm[i];
		perm[i] = perm[j];
		perm[j] = t;
	}
	for (size_t i = 0; i < nslots; i++)
		next[perm[i]] = perm[(i + 1) % nslots];
	free(perm);
	end = now_ns() + (uint64_t)secs * 1000000000u;
	while (now_ns() < end && n < MAXR) {
		uint64_t a = now_ns(), b, c, d, s = 1;
		for (int i = 0; i < OPS; i++) {
			size_t k = xr() % LIVE;
			free(live[k]);
			live[k] = malloc(16 + xr() % 1009);
			((volatile char *)live[k])[0] = 1;
		}
		b = now_ns();
		for (int i = 0; i < L1_STEPS; i++) {
			s ^= s << 13;
			s ^= s >> 7;
			s ^= s << 17;
			tab[s & 511] += (unsigned char)s;
		}
		c = now_ns();
		for (int i = 0; i < CHASE; i++)
			p = next[p];
		d = now_ns();
		w[n] = (double)(b - a) / OPS;
		l1[n] = (double)(c - b);
		mem[n] = (double)(d - c) / CHASE;
		n++;
	}
	{
		double mw, slow_l1, rest_l1, slow_m, rest_m;
		int ns = 0, nr = 0;
		memcpy(tmp, w, (size_t)n * sizeof(double));
		mw = median(tmp, n);
		for (int pass = 0; pass < 2; pass++) {
			double *v = pass ? mem : l1, *sv = tmp, *rv = tmp + n / 2 + 1;
			ns = nr = 0;
			for (int i = 0; i < n; i++) {
				if (w[i] > 1.3 * mw && ns < n / 2)
					sv[ns++] = v[i];
				else if (nr < n - n / 2 - 1)
					rv[nr++] = v[i];
			}
			if (pass) {
				slow_m = median(sv, ns);
				rest_m = median(rv, nr);
			} else {
				slow_l1 = median(sv, ns);
				rest_l1 = median(rv, nr);
			}
		}
		printf("canary_corr: %d rounds in %d s, loop median %.2f ns/op, %d slow rounds (> "
		       "1.3 x)\n",
		       n, secs, mw, ns);
		printf("  L1 canary:     corr with the loop %.2f; slow rounds / the rest %.2f\n",
		       corr(w, l1, n), slow_l1 / rest_l1);
		printf("  memory canary: corr with the loop %.2f; slow rounds / the rest %.2f (%d "
		       "MiB)\n",
		       corr(w, mem, n), slow_m / rest_m, mib);
	}
	return p == (size_t)-1;
}
