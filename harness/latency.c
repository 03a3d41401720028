/* latency.c - see latency.h. */
#include "latency.h"

uint64_t as_hist_bucket_low(uint32_t i)
{
	const unsigned s = AS_HIST_SUB_BITS;
	unsigned shift;
	if (i < (1u << s))
		return i;
	shift = (i >> (s - 1)) - 1;
	return ((uint64_t)((i & ((1u << (s - 1)) - 1)) + (1u << (s - 1)))) << shift;
}

uint64_t as_hist_bucket_high(uint32_t i)
{
	const unsigned s = AS_HIST_SUB_BITS;
	if (i < (1u << s))
		return i;
	return as_hist_bucket_low(i) + (1ULL << ((i >> (s - 1)) - 1)) - 1;
}

void as_hist_merge(as_hist_t *dst, const as_hist_t *src)
{
	for (uint32_t i = 0; i < AS_HIST_BUCKETS; i++)
		dst->counts[i] += src->counts[i];
	dst->total += src->total;
	if (src->max > dst->max)
		dst->max = src->max;
}

uint64_t as_hist_quantile(const as_hist_t *h, double q)
{
	uint64_t rank, seen = 0;
	if (!h->total)
		return 0;
	if (q <= 0)
		q = 0;
	rank = (uint64_t)(q * (double)h->total + 0.999999999);
	if (rank < 1)
		rank = 1;
	if (rank > h->total)
		rank = h->total;
	for (uint32_t i = 0; i < AS_HIST_BUCKETS; i++) {
		seen += h->counts[i];
		if (seen >= rank) {
			uint64_t v = as_hist_bucket_high(i);
			return v < h->max ? v : h->max;
		}
	}
	return h->max;
}

double as_hist_mean(const as_hist_t *h)
{
	double sum = 0;
	if (!h->total)
		return 0;
	for (uint32_t i = 0; i < AS_HIST_BUCKETS; i++)
		if (h->counts[i])
			sum += (double)h->counts[i] *
			       ((double)as_hist_bucket_low(i) + (double)as_hist_bucket_high(i)) / 2;
	return sum / (double)h->total;
}
