/* suggest.h - "did you mean": the nearest known name to a mistyped one, by
 * edit distance (insertions, deletions, substitutions and swaps of two
 * neighbours, case ignored), offered only when it is close. Every "unknown
 * X" error of the CLI (commands, options, modules, workloads, suites, param
 * keys) feeds its known names through the same accumulator. */
#ifndef AS_SUGGEST_H
#define AS_SUGGEST_H

#include <stddef.h>

typedef struct as_suggest {
	const char *given; /* the unknown name (not copied) */
	char best[64];     /* nearest close candidate so far, "" if none */
	size_t best_dist;
} as_suggest_t;

/* Start looking for names close to `given` (which must outlive `s`). */
void as_suggest_init(as_suggest_t *s, const char *given);

/* Offer one known name (copied if it is the closest so far; the first of
 * equally close names wins). NULL and "" are ignored. */
void as_suggest_add(as_suggest_t *s, const char *candidate);

/* Write "; did you mean 'NAME'?" (with `prefix` before NAME, e.g. "--") to
 * out when a candidate is close enough, else "". Returns out. */
char *as_suggest_fmt(const as_suggest_t *s, const char *prefix, char *out, size_t len);

/* Optimal-string-alignment distance of a and b, case ignored; strings
 * longer than 63 bytes compare as far apart (SIZE_MAX). */
size_t as_suggest_distance(const char *a, const char *b);

#endif /* AS_SUGGEST_H */
