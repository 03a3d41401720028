/* dist.h - request-size distributions shared by every generator: fixed,
 * uniform, log-normal, power law (glibc bench-malloc-thread's inverse
 * square by default) and an empirical table read from a CSV file (size,
 * weight) through libcsv. A generator embeds as_dist_params_t in its params
 * struct and AS_DIST_SPECS() in its spec table, so every generator takes the
 * same keys. Sampling is deterministic for a given as_rng_t. Not thread-safe
 * per as_dist_t (one per generator call). dist=trace turns a trace's request
 * sizes (trace.h's histogram) into such a table: one sampler for both. */
#ifndef AS_DIST_H
#define AS_DIST_H

#include <stddef.h>
#include <stdint.h>

#include "../allocators/allocscope_params.h"
#include "prng.h"

typedef enum as_dist_kind {
	AS_DIST_FIXED = 0,
	AS_DIST_UNIFORM,
	AS_DIST_LOGNORMAL,
	AS_DIST_POWER,
	AS_DIST_TABLE,
	AS_DIST_TRACE,
} as_dist_kind_t;

#define AS_DIST_CHOICES "fixed|uniform|lognormal|power|table|trace"

/* Parsed from params (see AS_DIST_SPECS for the keys and their meaning). */
typedef struct as_dist_params {
	int kind;                      /* as_dist_kind_t */
	uint64_t size;                 /* fixed: the size; lognormal: the median */
	uint64_t min;                  /* uniform/lognormal/power: smallest size */
	uint64_t max;                  /* uniform/lognormal/power: largest size */
	double sigma;                  /* lognormal: standard deviation of ln(size) */
	double alpha;                  /* power: density ~ size^-alpha */
	char table[AS_PARAM_PATH_MAX]; /* table: CSV of size,weight rows; trace: a trace */
} as_dist_params_t;

/* Spec entries for a params struct TYPE holding an as_dist_params_t MEMBER;
 * DEF is the default distribution name. */
#define AS_DIST_SPECS(TYPE, MEMBER, DEF, DEFSIZE, DEFMIN, DEFMAX)                         \
	{"dist",                                                                          \
	 AS_PARAM_ENUM,                                                                   \
	 DEF,                                                                             \
	 0,                                                                               \
	 0,                                                                               \
	 AS_DIST_CHOICES,                                                                 \
	 "request-size distribution",                                                     \
	 offsetof(TYPE, MEMBER.kind)},                                                    \
	    {"size",                                                                      \
	     AS_PARAM_SIZE,                                                               \
	     DEFSIZE,                                                                     \
	     1,                                                                           \
	     1ULL << 40,                                                                  \
	     NULL,                                                                        \
	     "dist=fixed: the size; dist=lognormal: the median, bytes",                   \
	     offsetof(TYPE, MEMBER.size)},                                                \
	    {"min",                                                                       \
	     AS_PARAM_SIZE,                                                               \
	     DEFMIN,                                                                      \
	     1,                                                                           \
	     1ULL << 40,                                                                  \
	     NULL,                                                                        \
	     "smallest request, bytes",                                                   \
	     offsetof(TYPE, MEMBER.min)},                                                 \
	    {"max",                                                                       \
	     AS_PARAM_SIZE,                                                               \
	     DEFMAX,                                                                      \
	     1,                                                                           \
	     1ULL << 40,                                                                  \
	     NULL,                                                                        \
	     "largest request, bytes",                                                    \
	     offsetof(TYPE, MEMBER.max)},                                                 \
	    {"sigma",                                                                     \
	     AS_PARAM_DOUBLE,                                                             \
	     "1",                                                                         \
	     0.01,                                                                        \
	     10,                                                                          \
	     NULL,                                                                        \
	     "dist=lognormal: standard deviation of ln(size)",                            \
	     offsetof(TYPE, MEMBER.sigma)},                                               \
	    {"alpha",                                                                     \
	     AS_PARAM_DOUBLE,                                                             \
	     "2",                                                                         \
	     0,                                                                           \
	     10,                                                                          \
	     NULL,                                                                        \
	     "dist=power: density ~ size^-alpha (2 = glibc's inverse square)",            \
	     offsetof(TYPE, MEMBER.alpha)},                                               \
	{                                                                                 \
		"table", AS_PARAM_PATH, "", 0, 0, NULL,                                   \
		    "dist=table: CSV of size,weight rows; dist=trace: trace, bin or CSV", \
		    offsetof(TYPE, MEMBER.table)                                          \
	}

/* A ready-to-sample distribution. */
typedef struct as_dist {
	as_dist_kind_t kind;
	uint64_t size, min, max;
	double mu, sigma;    /* lognormal: ln(median), sigma */
	double pa, pb, pexp; /* power: inverse-CDF constants */
	uint64_t *tsize;     /* table, trace: sizes (mapped) */
	double *tcum;        /* table, trace: cumulative weights (mapped) */
	uint64_t tn, tcap;
} as_dist_t;

/* Check the params and prepare the distribution (reads the table or trace
 * file). Returns 0, or -1 with a one-line reason in err naming the key ("key
 * 'min': 600 is larger than max 512", "key 'table': FILE:3: ...", "key
 * 'table': FILE: byte 40: ..." for a malformed trace). */
int as_dist_init(const as_dist_params_t *p, as_dist_t *d, char *err, size_t errlen);

/* as_dist_init + as_dist_release: validates params (and the table file)
 * without keeping anything. Same return and messages as as_dist_init. */
int as_dist_check(const as_dist_params_t *p, char *err, size_t errlen);

/* Whether distribution KIND reads size key KEY (size, min, max, sigma,
 * alpha; other keys are not the distribution's and pass). Returns 0, or -1
 * with "key 'sigma': dist=uniform does not read it (dist=lognormal does)"
 * in err: a key given and then ignored would run another distribution than
 * the one the spec names. */
int as_dist_key_read(int kind, const char *key, char *err, size_t errlen);

/* One size in [min, max] (fixed: size; table, trace: one of the table's sizes). */
uint64_t as_dist_sample(as_dist_t *d, as_rng_t *rng);

/* Theoretical mean of the distribution (for tests and docs). */
double as_dist_mean(const as_dist_t *d);

/* Release what init mapped. */
void as_dist_release(as_dist_t *d);

#endif /* AS_DIST_H */
