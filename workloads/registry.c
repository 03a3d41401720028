/* registry.c - the table of built-in workloads and the "name:params" parser
 * shared by the CLI, `list` and the worker. Add a workload by declaring it
 * here and adding it to as_workloads[]. */
#include <stdio.h>
#include <string.h>

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

int as_workload_parse(const char *spec, const as_workload_t **wl, void *pbuf, size_t pbuf_len,
                      char *err, size_t errlen)
{
	char name[64];
	char params[1024];
	char perr[512];
	const char *colon = strchr(spec, ':');
	size_t nlen = colon ? (size_t)(colon - spec) : strlen(spec);
	const char *rest = colon ? colon + 1 : "";
	const as_workload_t *w;

	if (nlen == 0 || nlen >= sizeof(name)) {
		snprintf(err, errlen, "workload '%s': bad name", spec);
		return -1;
	}
	memcpy(name, spec, nlen);
	name[nlen] = '\0';
	w = as_workload_find(name);
	if (!w) {
		snprintf(err, errlen, "workload '%s': no such workload (see 'allocscope list')",
		         name);
		return -1;
	}
	if (w->params_size > pbuf_len) {
		snprintf(err, errlen, "workload %s: params struct too large", name);
		return -1;
	}
	/* A bare first value belongs to the first param. */
	if (*rest && w->nparams > 0 && !memchr(rest, '=', strcspn(rest, ",")))
		snprintf(params, sizeof(params), "%s=%s", w->params[0].key, rest);
	else
		snprintf(params, sizeof(params), "%s", rest);
	if (as_params_parse(w->params, w->nparams, params, pbuf, perr, sizeof(perr)) != 0) {
		snprintf(err, errlen, "workload %s: %s", name, perr);
		return -1;
	}
	if (w->check && w->check(pbuf, perr, sizeof(perr)) != 0) {
		snprintf(err, errlen, "workload %s: %s", name, perr);
		return -1;
	}
	*wl = w;
	return 0;
}
