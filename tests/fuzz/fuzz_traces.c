/* fuzz_traces.c - libFuzzer target for every trace parser: the native binary
 * reader, the CSV reader and the glibc mtrace importer, chosen at build time
 * by FUZZ_PARSER (0, 1, 2), each on raw bytes. They must never crash, hang
 * or read out of bounds; a malformed input is an error with a position. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../workloads/trace.h"

static int on_event(void *ctx, const as_tev_t *ev, as_trace_err_t *err)
{
	(void)err;
	*(uint64_t *)ctx += (uint64_t)ev->op;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	as_trace_err_t err;
	uint64_t sum = 0;
	char msg[512];
	memset(&err, 0, sizeof(err));
#if FUZZ_PARSER == 0
	if (as_trace_bin_read(data, size, on_event, &sum, &err) != 0)
		as_trace_err_format(&err, msg, sizeof(msg));
#elif FUZZ_PARSER == 1
	if (as_trace_csv_read(data, size, on_event, &sum, &err) != 0)
		as_trace_err_format(&err, msg, sizeof(msg));
#else
	{
		as_mtrace_report_t rep;
		memset(&rep, 0, sizeof(rep));
		if (as_trace_mtrace_read(data, size, 0, on_event, &sum, &rep, &err) != 0)
			as_trace_err_format(&err, msg, sizeof(msg));
	}
#endif
	return 0;
}
