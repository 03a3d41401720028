/* latency.h - log-linear latency histogram in the style of HdrHistogram:
 * values below 256 are exact, above that each power of two is split into
 * 128 buckets, so every recorded value is known to within 1/128 (better than
 * two significant digits). Fixed size, no allocation: the engine keeps one
 * per thread and op kind in pre-faulted memory. Not thread-safe: one writer.
 * Also the remainder without a division that the engine's latency timing
 * uses to pick and round its timed ops. */
#ifndef AS_LATENCY_H
#define AS_LATENCY_H

#include <stdint.h>

#define AS_HIST_SUB_BITS 8 /* 2^8 exact values, 2^7 buckets per octave */
#define AS_HIST_MAX_LOG2 47
#define AS_HIST_BUCKETS  ((AS_HIST_MAX_LOG2 - AS_HIST_SUB_BITS + 3) << (AS_HIST_SUB_BITS - 1))

typedef struct as_hist {
	uint64_t total;
	uint64_t max;
	uint64_t counts[AS_HIST_BUCKETS];
} as_hist_t;

/* Bucket index of a value (values beyond 2^47 land in the last bucket). */
static inline uint32_t as_hist_index(uint64_t v)
{
	const unsigned s = AS_HIST_SUB_BITS;
	unsigned e, shift;
	if (v < (1u << s))
		return (uint32_t)v;
	if (v >> (AS_HIST_MAX_LOG2 + 1))
		v = (1ULL << (AS_HIST_MAX_LOG2 + 1)) - 1;
	e = 63u - (unsigned)__builtin_clzll(v);
	shift = e - s + 1;
	return (uint32_t)((shift << (s - 1)) + (v >> shift));
}

static inline void as_hist_record(as_hist_t *h, uint64_t v)
{
	h->counts[as_hist_index(v)]++;
	h->total++;
	if (v > h->max)
		h->max = v;
}

/* x % d for a d fixed in advance, without a division instruction (a timed
 * op needs two: ~15 ns of it on the project's VM, one op in 64 timed):
 * with c = ceil(2^128 / d), x % d == ((c * x mod 2^128) * d) >> 128 for
 * every 64-bit x and d >= 1 (Lemire, Kaser and Kurz, "Faster remainder by
 * direct computation", 2019). d == 1 gives c == 0 (2^128 wraps): 0, right. */
typedef struct as_fastmod {
	unsigned __int128 c;
	uint64_t d;
} as_fastmod_t;

static inline as_fastmod_t as_fastmod_init(uint64_t d)
{
	as_fastmod_t f = {~(unsigned __int128)0 / d + 1, d};
	return f;
}

static inline uint64_t as_fastmod(const as_fastmod_t *f, uint64_t x)
{
	unsigned __int128 low = f->c * x; /* mod 2^128 */
	unsigned __int128 plo = (unsigned __int128)(uint64_t)low * f->d;
	unsigned __int128 phi = (unsigned __int128)(uint64_t)(low >> 64) * f->d;
	return (uint64_t)((phi + (plo >> 64)) >> 64);
}

/* Smallest and largest value that map to bucket i. */
uint64_t as_hist_bucket_low(uint32_t i);
uint64_t as_hist_bucket_high(uint32_t i);

/* Add every count of src into dst. */
void as_hist_merge(as_hist_t *dst, const as_hist_t *src);

/* Value at quantile q (0..1): the highest value equivalent to the bucket
 * holding the ceil(q * total)-th smallest value (HdrHistogram's
 * convention), never above max. 0 when empty. */
uint64_t as_hist_quantile(const as_hist_t *h, double q);

/* Mean of the recorded values (bucket midpoints); 0 when empty. */
double as_hist_mean(const as_hist_t *h);

#endif /* AS_LATENCY_H */
