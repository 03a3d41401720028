/* registry.c - the table of built-in workloads and the "name:params" parser
 * shared by the CLI, `list` and the worker. Add a workload by declaring it
 * here and adding it to as_workloads[]. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dist.h"
#include "spec.h"
#include "suggest.h"
#include "workload.h"

extern const as_workload_t as_wl_random;
extern const as_workload_t as_wl_synth;
extern const as_workload_t as_wl_threshold;
extern const as_workload_t as_wl_leak;
extern const as_workload_t as_wl_larson;
extern const as_workload_t as_wl_xmalloc;
extern const as_workload_t as_wl_cache_thrash;
extern const as_workload_t as_wl_cache_scratch;
extern const as_workload_t as_wl_benchmt;
extern const as_workload_t as_wl_trace;

const as_workload_t *const as_workloads[] = {
    &as_wl_random,  &as_wl_synth,        &as_wl_threshold,     &as_wl_leak,    &as_wl_larson,
    &as_wl_xmalloc, &as_wl_cache_thrash, &as_wl_cache_scratch, &as_wl_benchmt, &as_wl_trace,
    NULL,
};

const as_workload_t *as_workload_find(const char *name)
{
	for (size_t i = 0; as_workloads[i]; i++)
		if (!strcmp(as_workloads[i]->name, name))
			return as_workloads[i];
	return NULL;
}

#define SEEN_MAX 64 /* params whose repetition is caught: more than any workload has */

/* Apply one key=value to the params struct; key "" is the first param.
 * seen[i] marks param i given already (a key given twice is refused, also
 * as the first param's value and by its name). */
static int set_param(const as_workload_t *w, const char *key, const char *val, void *pbuf,
                     unsigned char *seen, char *err, size_t errlen)
{
	const char *k = *key ? key : w->nparams ? w->params[0].key : "";
	char shown[AS_SHOW_MAX];
	if (!*key)
		for (uint32_t i = 0; i < w->nparams; i++)
			if (!strcmp(w->params[i].key, val)) {
				/* "random:ops": a key without its value, not the value
				 * of the first key */
				snprintf(err, errlen, "key '%s' has no '=value'", val);
				return -1;
			}
	for (uint32_t i = 0; i < w->nparams; i++)
		if (!strcmp(w->params[i].key, k)) {
			if (i < SEEN_MAX && seen[i]) {
				snprintf(err, errlen, "key '%s' given twice", k);
				return -1;
			}
			if (i < SEEN_MAX)
				seen[i] = 1;
			return as_param_set_(&w->params[i], val, strlen(val), pbuf, err, errlen);
		}
	if (!*key) {
		snprintf(err, errlen, "'%s' is not key=value", as_show(val, shown));
		return -1;
	}
	{
		as_suggest_t sg;
		char dym[96];
		int n = snprintf(err, errlen, "unknown key '%s' (known:", as_show(key, shown));
		as_suggest_init(&sg, key);
		for (uint32_t i = 0; i < w->nparams && n > 0 && (size_t)n < errlen; i++) {
			n += snprintf(err + n, errlen - (size_t)n, " %s", w->params[i].key);
			as_suggest_add(&sg, w->params[i].key);
		}
		if (n > 0 && (size_t)n < errlen)
			snprintf(err + n, errlen - (size_t)n, ")%s",
			         as_suggest_fmt(&sg, NULL, dym, sizeof(dym)));
	}
	return -1;
}

/* A workload with AS_DIST_SPECS: every size key given is one its dist
 * reads (as_dist_key_read). */
static int dist_keys_read(const as_workload_t *w, const void *pbuf, const unsigned char *seen,
                          char *err, size_t errlen)
{
	int kind = -1;
	for (uint32_t i = 0; i < w->nparams; i++)
		if (!strcmp(w->params[i].key, "dist") && w->params[i].type == AS_PARAM_ENUM &&
		    w->params[i].choices && !strcmp(w->params[i].choices, AS_DIST_CHOICES))
			memcpy(&kind, (const char *)pbuf + w->params[i].offset, sizeof(kind));
	for (uint32_t i = 0; kind >= 0 && i < w->nparams && i < SEEN_MAX; i++)
		if (seen[i] && as_dist_key_read(kind, w->params[i].key, err, errlen) != 0)
			return -1;
	return 0;
}

int as_workload_configure(const char *name, const char *const *keys, const char *const *values,
                          size_t n, const as_workload_t **wl, void *pbuf, size_t pbuf_len,
                          char *err, size_t errlen)
{
	char perr[512], shown[AS_SHOW_MAX];
	const as_workload_t *w = as_workload_find(name);
	unsigned char seen[SEEN_MAX] = {0};

	if (!w) {
		as_suggest_t sg;
		char dym[96];
		as_suggest_init(&sg, name);
		for (size_t i = 0; as_workloads[i]; i++)
			as_suggest_add(&sg, as_workloads[i]->name);
		snprintf(err, errlen, "workload '%s': no such workload (see 'allocscope list')%s",
		         as_show(name, shown), as_suggest_fmt(&sg, NULL, dym, sizeof(dym)));
		return -1;
	}
	if (w->params_size > pbuf_len) {
		snprintf(err, errlen, "workload %s: params struct too large", name);
		return -1;
	}
	/* defaults first, checked by the same code as user values */
	if (as_params_parse(w->params, w->nparams, NULL, pbuf, perr, sizeof(perr)) != 0)
		goto out_bad;
	for (size_t i = 0; i < n; i++)
		if (set_param(w, keys[i], values[i], pbuf, seen, perr, sizeof(perr)) != 0)
			goto out_bad;
	if (dist_keys_read(w, pbuf, seen, perr, sizeof(perr)) != 0)
		goto out_bad;
	if (w->check && w->check(pbuf, perr, sizeof(perr)) != 0)
		goto out_bad;
	*wl = w;
	return 0;
out_bad:
	snprintf(err, errlen, "workload %s: %s", name, perr);
	return -1;
}

int as_workload_parse(const char *text, const as_workload_t **wl, void *pbuf, size_t pbuf_len,
                      char *err, size_t errlen)
{
	as_spec_t s;
	int rc;
	if (as_spec_parse(text, AS_SPEC_WORKLOAD, &s, err, errlen) != 0)
		return -1;
	rc = as_workload_configure_spec(&s, wl, pbuf, pbuf_len, err, errlen);
	as_spec_free(&s);
	return rc;
}

int as_workload_configure_spec(const as_spec_t *s, const as_workload_t **wl, void *pbuf,
                               size_t pbuf_len, char *err, size_t errlen)
{
	const char **keys = calloc(s->nkv + 1, sizeof(char *));
	const char **vals = calloc(s->nkv + 1, sizeof(char *));
	int rc = -1;
	if (!keys || !vals) {
		snprintf(err, errlen, "workload %s: out of memory", s->name);
		goto out;
	}
	for (size_t i = 0; i < s->nkv; i++) {
		keys[i] = s->kv[i].key;
		vals[i] = s->kv[i].value;
	}
	rc = as_workload_configure(s->name, keys, vals, s->nkv, wl, pbuf, pbuf_len, err, errlen);
out:
	free(keys);
	free(vals);
	return rc;
}

int as_workload_check_threads(const as_workload_t *wl, uint32_t threads, char *err, size_t errlen)
{
	if (!wl->max_threads || threads <= wl->max_threads)
		return 0;
	if (wl->max_threads == 1)
		snprintf(err, errlen,
		         "workload %s: runs on one thread only (asked for %u; use -t 1)", wl->name,
		         threads);
	else
		snprintf(err, errlen, "workload %s: runs on at most %u threads (asked for %u)",
		         wl->name, wl->max_threads, threads);
	return -1;
}
