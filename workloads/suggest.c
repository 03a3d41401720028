/* suggest.c - see suggest.h. */
#include "suggest.h"

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define MAXLEN 63

static size_t min3(size_t a, size_t b, size_t c)
{
	size_t m = a < b ? a : b;
	return m < c ? m : c;
}

size_t as_suggest_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	size_t d[MAXLEN + 1][MAXLEN + 1];

	if (la > MAXLEN || lb > MAXLEN)
		return SIZE_MAX;
	for (size_t i = 0; i <= la; i++)
		d[i][0] = i;
	for (size_t j = 0; j <= lb; j++)
		d[0][j] = j;
	for (size_t i = 1; i <= la; i++) {
		for (size_t j = 1; j <= lb; j++) {
			int ca = tolower((unsigned char)a[i - 1]),
			    cb = tolower((unsigned char)b[j - 1]);
			size_t cost = ca != cb;
			d[i][j] = min3(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
			if (i > 1 && j > 1 && ca == tolower((unsigned char)b[j - 2]) &&
			    tolower((unsigned char)a[i - 2]) == cb && d[i - 2][j - 2] + 1 < d[i][j])
				d[i][j] = d[i - 2][j - 2] + 1; /* two neighbours swapped */
		}
	}
	return d[la][lb];
}

void as_suggest_init(as_suggest_t *s, const char *given)
{
	s->given = given ? given : "";
	s->best[0] = '\0';
	s->best_dist = SIZE_MAX;
}

/* Close: at most one edit per three characters of the given name, and at
 * least one (git's "did you mean" is in the same spirit); never the whole
 * name replaced. */
static int close_enough(const char *given, size_t dist)
{
	size_t len = strlen(given), limit = (len + 2) / 3;
	return dist > 0 && dist <= (limit ? limit : 1) && dist < len;
}

void as_suggest_add(as_suggest_t *s, const char *candidate)
{
	size_t dist;
	if (!candidate || !*candidate || strlen(candidate) >= sizeof(s->best))
		return;
	dist = as_suggest_distance(s->given, candidate);
	if (dist < s->best_dist && close_enough(s->given, dist)) {
		snprintf(s->best, sizeof(s->best), "%s", candidate);
		s->best_dist = dist;
	}
}

char *as_suggest_fmt(const as_suggest_t *s, const char *prefix, char *out, size_t len)
{
	if (len == 0)
		return out;
	out[0] = '\0';
	if (s->best[0])
		snprintf(out, len, "; did you mean '%s%s'?", prefix ? prefix : "", s->best);
	return out;
}
