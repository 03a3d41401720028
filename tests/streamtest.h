/* streamtest.h - for tests that run the engine on a workload's op stream:
 * build the stream of a workload spec (NAME[:k=v,...]) for a thread count,
 * as the CLI does, checking every step. */
#ifndef AS_STREAMTEST_H
#define AS_STREAMTEST_H

#include <stdint.h>

#include "../workloads/workload.h"
#include "check.h"

static inline void st_build(const char *spec, uint32_t threads, as_opstream_t *s)
{
	static char pbuf[AS_WL_PARAMS_MAX];
	char err[256];
	const as_workload_t *wl;
	as_wl_ctx_t wctx = {threads, 1};
	as_opstream_init(s, threads);
	CHECK(as_workload_parse(spec, &wl, pbuf, sizeof(pbuf), err, sizeof(err)) == 0);
	CHECK(wl->build(pbuf, &wctx, s, err, sizeof(err)) == 0);
}

#endif
