/* json.c - see json.h. */
#define _GNU_SOURCE
#include "json.h"

#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compare.h"
#include "files.h"
#include "trials_read.h"
#include "oom.h"
#include "util.h"

json_t *as_json_num(double v, char fmt)
{
	json_t *j;
	if (!isfinite(v))
		j = json_null();
	else if (fmt == 'I' && fabs(v) < 9.0e15 && v == floor(v))
		j = json_integer((json_int_t)v);
	else if (fmt == 'I')
		j = json_real(v); /* a median's x.5: exact, where the CSV rounds */
	else {
		/* the CSV cell's 6 significant digits (as_buf_csv_num): a ratio,
		 * a CI or a p-value means nothing past its third or fourth, and
		 * 17 printed 1.3064516129032258 and a threshold of
		 * 0.050000000000000003 */
		char buf[32];
		snprintf(buf, sizeof(buf), "%.6g", v);
		j = json_real(strtod(buf, NULL));
	}
	if (!j)
		as_oom("a JSON number", 0);
	return j;
}

json_t *as_json_object(void)
{
	json_t *o = json_object();
	if (!o)
		as_oom("a JSON object", 0);
	return o;
}

json_t *as_json_array(void)
{
	json_t *a = json_array();
	if (!a)
		as_oom("a JSON array", 0);
	return a;
}

/* A copy of s with every byte that is not part of a valid UTF-8 character
 * replaced by U+FFFD, or NULL when s is valid UTF-8 (JSON text is UTF-8:
 * jansson refuses such a string, and until session 34 that read as out of
 * memory, exit 71, for a results folder or module named in Latin-1). */
static char *utf8_fixed(const char *s)
{
	size_t n = strlen(s), i = 0;
	as_buf_t t = {0};
	while (i < n && as_utf8_char(s + i))
		i += as_utf8_char(s + i);
	if (i == n)
		return NULL;
	as_buf_add_utf8(&t, s, n);
	return t.data;
}

json_t *as_json_str(const char *s)
{
	char *t = utf8_fixed(s ? s : "");
	json_t *j = json_string(t ? t : s ? s : "");
	free(t);
	if (!j)
		as_oom("a JSON string", 0);
	return j;
}

void as_json_set(json_t *obj, const char *key, json_t *v)
{
	char *t = utf8_fixed(key); /* a key of a damaged context.csv */
	int rc = v ? json_object_set_new(obj, t ? t : key, v) : -1;
	free(t);
	if (rc != 0)
		as_oom("a JSON member", 0);
}

void as_json_push(json_t *arr, json_t *v)
{
	if (!v || json_array_append_new(arr, v) != 0)
		as_oom("a JSON array item", 0);
}

void as_json_set_str(json_t *obj, const char *key, const char *s)
{
	as_json_set(obj, key, as_json_str(s));
}

void as_json_cmp(json_t *o, const as_group_t *g, const char *metric, const as_cmp_t *c)
{
	as_json_set_str(o, "workload", g->workload);
	as_json_set(o, "threads", as_json_num(g->threads, 'I'));
	as_json_set_str(o, "metric", metric);
	as_json_set(o, "ratio", as_json_num(c->ratio, 'F'));
	as_json_set(o, "ci_lo", as_json_num(c->ci_lo, 'F'));
	as_json_set(o, "ci_hi", as_json_num(c->ci_hi, 'F'));
	as_json_set(o, "p_value", as_json_num(c->p, 'F'));
	as_json_set(o, "n", as_json_num(c->n, 'I'));
	as_json_set(o, "n_baseline", as_json_num(c->n_base, 'I'));
	as_json_set_str(o, "outcome", as_cmp_outcome_name(c->outcome));
	as_json_set(o, "significant",
	            json_boolean(c->outcome == AS_CMP_FASTER || c->outcome == AS_CMP_SLOWER));
}

json_t *as_json_context(const char *dir, char *err, size_t errlen)
{
	char path[PATH_MAX];
	as_table_t t;
	json_t *o;
	if ((size_t)snprintf(path, sizeof(path), "%s/context.csv", dir) >= sizeof(path)) {
		snprintf(err, errlen, "%.200s...: path too long", dir);
		return NULL;
	}
	if (as_table_read(path, &t, err, errlen) != 0)
		return NULL;
	o = as_json_object();
	for (size_t r = 0; r < t.nrows; r++) {
		const char *k = as_table_str(&t, r, "key");
		json_t *v = as_json_str(as_table_str(&t, r, "value")), *old = json_object_get(o, k);
		if (!old && (!strcmp(k, "module") || !strcmp(k, "workload"))) {
			/* a list whatever its length: one module is ["glibc"] */
			json_t *a = as_json_array();
			as_json_push(a, v);
			as_json_set(o, k, a);
		} else if (!old) {
			as_json_set(o, k, v);
		} else if (json_is_array(old)) {
			as_json_push(old, v);
		} else {
			json_t *a = as_json_array();
			as_json_push(a, json_incref(old));
			as_json_push(a, v);
			as_json_set(o, k, a);
		}
	}
	as_table_free(&t);
	return o;
}

static char *dump(const json_t *root)
{
	/* %.15g reals (DBL_DIG): a value as_json_num rounded to 6 digits
	 * prints as those digits, not as the double nearest them (17 digits
	 * printed 1.31 as 1.3100000000000001), and an x.5 median whole */
	char *s = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15));
	if (!s)
		as_oom("a JSON file's text", 0);
	return s;
}

int as_json_write(const char *dir, const char *name, const json_t *root, char *err, size_t errlen)
{
	char *s = dump(root);
	as_buf_t b = {0};
	int rc;
	as_buf_add(&b, s, strlen(s));
	as_buf_add(&b, "\n", 1);
	free(s);
	rc = as_write_file_atomic(dir, name, &b, err, errlen);
	as_buf_free(&b);
	return rc;
}

int as_json_print(const json_t *root)
{
	char *s = dump(root);
	int rc = printf("%s\n", s) < 0 || fflush(stdout) != 0 ? -1 : 0;
	free(s);
	return rc;
}
