/* labels.c - short labels for things a run compares: the shortest form of
 * each "name:k=v,..." spec label that still tells a set of them apart (a
 * path's file name without .so, only the params whose value differs
 * between labels of one name, and a trace's file name always). Charts,
 * the report and the console table use it; the full spec stays in the CSV
 * files. */
#define _GNU_SOURCE
#include "labels.h"
#include "oom.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int as_label_param(const char *params, const char *key, char *out, size_t outlen)
{
	size_t kl = strlen(key);
	const char *p = params;
	while (p && *p) {
		size_t len = strcspn(p, ",");
		if (len > kl && !strncmp(p, key, kl) && p[kl] == '=') {
			snprintf(out, outlen, "%.*s", (int)(len - kl - 1), p + kl + 1);
			return 0;
		}
		p += len;
		if (*p == ',')
			p++;
	}
	return -1;
}

void as_label_name(const char *label, char *out, size_t len)
{
	size_t n = strcspn(label, ":");
	const char *s = label, *slash;
	while ((slash = memchr(s, '/', n - (size_t)(s - label))) != NULL)
		s = slash + 1;
	n -= (size_t)(s - label);
	if (n > 3 && !strncmp(s + n - 3, ".so", 3))
		n -= 3;
	snprintf(out, len, "%.*s", (int)n, s);
}

/* Whether param KEY has the same value (or is absent) in every label of
 * `in` whose name is NAME. */
static int param_constant(char *const *in, int n, const char *name, const char *key)
{
	char first[AS_LABEL_MAX] = "", v[AS_LABEL_MAX];
	int seen = 0;
	for (int i = 0; i < n; i++) {
		char nm[AS_LABEL_MAX];
		const char *p = strchr(in[i], ':');
		as_label_name(in[i], nm, sizeof(nm));
		if (strcmp(nm, name))
			continue;
		if (!p || as_label_param(p + 1, key, v, sizeof(v)) != 0)
			snprintf(v, sizeof(v), "%s",
			         "\x01"
			         "absent");
		if (!seen)
			snprintf(first, sizeof(first), "%s", v);
		else if (strcmp(first, v))
			return 0;
		seen = 1;
	}
	return 1;
}

/* param_constant's answers so far, by name and key: each pair is asked of
 * every label that has it, and its answer reads every label (10^8 names
 * parsed at 10,000 workload labels). Few pairs: a linear list. */
typedef struct {
	char *name, *key;
	int constant;
} const_seen_t;

typedef struct {
	const_seen_t *v;
	size_t n, cap;
} const_memo_t;

static int param_constant_memo(const_memo_t *m, char *const *in, int n, const char *name,
                               const char *key)
{
	for (size_t k = 0; k < m->n; k++)
		if (!strcmp(m->v[k].name, name) && !strcmp(m->v[k].key, key))
			return m->v[k].constant;
	if (m->n == m->cap) {
		m->cap = m->cap ? 2 * m->cap : 16;
		m->v = realloc(m->v, m->cap * sizeof(*m->v));
		if (!m->v)
			as_oom("labels", 0);
	}
	m->v[m->n] = (const_seen_t){as_xstrdup(name, "a label"), as_xstrdup(key, "a label"),
	                            param_constant(in, n, name, key)};
	return m->v[m->n++].constant;
}

static int cmp_label(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Whether two of out[0..n-1] are equal: sorted copies side by side. */
static int any_equal(char *const *out, int n)
{
	char **s = malloc(((size_t)n + 1) * sizeof(char *));
	int eq = 0;
	if (!s)
		as_oom("labels", 0);
	memcpy(s, out, (size_t)n * sizeof(char *));
	qsort(s, (size_t)n, sizeof(char *), cmp_label);
	for (int i = 1; i < n && !eq; i++)
		eq = !strcmp(s[i - 1], s[i]);
	free(s);
	return eq;
}

void as_short_labels(char *const *in, int n, char **out)
{
	const_memo_t memo = {0};
	for (int i = 0; i < n; i++) {
		char name[AS_LABEL_MAX], buf[2 * AS_LABEL_MAX];
		const char *p = strchr(in[i], ':');
		size_t w;
		as_label_name(in[i], name, sizeof(name));
		w = (size_t)snprintf(buf, sizeof(buf), "%s", name);
		/* only the params that differ between labels of this name, and a
		 * trace's file by its file name: "trace" alone does not say what
		 * was replayed */
		for (p = p ? p + 1 : NULL; p && *p && w < sizeof(buf);) {
			size_t len = strcspn(p, ","), kl = strcspn(p, "=,");
			char key[AS_LABEL_MAX];
			const char sep = strchr(buf, ':') ? ',' : ':';
			snprintf(key, sizeof(key), "%.*s", (int)kl, p);
			if (!strcmp(key, "file") && kl < len) {
				const char *f = p + kl + 1, *e = p + len, *slash;
				while ((slash = memchr(f, '/', (size_t)(e - f))) != NULL)
					f = slash + 1;
				w += (size_t)snprintf(buf + w, sizeof(buf) - w, "%cfile=%.*s", sep,
				                      (int)(e - f), f);
			} else if (!param_constant_memo(&memo, in, n, name, key)) {
				w += (size_t)snprintf(buf + w, sizeof(buf) - w, "%c%.*s", sep,
				                      (int)len, p);
			}
			p += len + (p[len] == ',');
		}
		out[i] = as_xstrdup(buf, "a label");
	}
	for (size_t k = 0; k < memo.n; k++) {
		free(memo.v[k].name);
		free(memo.v[k].key);
	}
	free(memo.v);
	/* two labels that shorten alike (a path and a name) keep their full
	 * form; pairwise only where there are such (in this order, as a full
	 * form may equal another's short one) */
	if (n < 2 || !any_equal(out, n))
		return;
	for (int i = 0; i < n; i++)
		for (int j = i + 1; j < n; j++)
			if (!strcmp(out[i], out[j])) {
				free(out[i]);
				free(out[j]);
				out[i] = as_xstrdup(in[i], "a label");
				out[j] = as_xstrdup(in[j], "a label");
			}
}
