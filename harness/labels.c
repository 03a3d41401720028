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

void as_short_labels(char *const *in, int n, char **out)
{
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
			} else if (!param_constant(in, n, name, key)) {
				w += (size_t)snprintf(buf + w, sizeof(buf) - w, "%c%.*s", sep,
				                      (int)len, p);
			}
			p += len + (p[len] == ',');
		}
		out[i] = as_xstrdup(buf, "a label");
	}
	/* two labels that shorten alike (a path and a name) keep their full form */
	for (int i = 0; i < n; i++)
		for (int j = i + 1; j < n; j++)
			if (!strcmp(out[i], out[j])) {
				free(out[i]);
				free(out[j]);
				out[i] = as_xstrdup(in[i], "a label");
				out[j] = as_xstrdup(in[j], "a label");
			}
}
