/* prng.h - the seeded PRNG every generator uses (xoshiro256**, seeded through
 * splitmix64, both by Blackman and Vigna). Deterministic across machines; not
 * for cryptography. Header-only so generators inline it. */
#ifndef AS_PRNG_H
#define AS_PRNG_H

#include <math.h>
#include <stdint.h>

typedef struct as_rng {
	uint64_t s[4];
} as_rng_t;

static inline uint64_t as_splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static inline void as_rng_seed(as_rng_t *r, uint64_t seed)
{
	for (int i = 0; i < 4; i++)
		r->s[i] = as_splitmix64(&seed);
}

static inline uint64_t as_rotl64(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

static inline uint64_t as_rng_next(as_rng_t *r)
{
	uint64_t *s = r->s;
	uint64_t result = as_rotl64(s[1] * 5, 7) * 9;
	uint64_t t = s[1] << 17;
	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = as_rotl64(s[3], 45);
	return result;
}

/* Uniform in [0, n) without modulo bias worth measuring (Lemire's method). */
static inline uint64_t as_rng_below(as_rng_t *r, uint64_t n)
{
	return (uint64_t)(((unsigned __int128)as_rng_next(r) * n) >> 64);
}

/* Uniform double in [0, 1). */
static inline double as_rng_unit(as_rng_t *r)
{
	return (double)(as_rng_next(r) >> 11) * 0x1.0p-53;
}

#endif /* AS_PRNG_H */
