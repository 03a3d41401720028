/* fuzz_params.c - libFuzzer target for the params grammar
 * (allocscope_params.h) with every value type, and for the workload spec
 * parser ("name:k=v,...") on top of it. Must never crash or read out of
 * bounds; errors are fine. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../allocators/allocscope_params.h"
#include "../../workloads/workload.h"

typedef struct {
	uint64_t n, sz;
	double d;
	int b, e;
	char s[AS_PARAM_STR_MAX];
} p_t;

static const as_param_spec_t spec[] = {
    {"n", AS_PARAM_U64, "5", 1, 100, NULL, "", offsetof(p_t, n)},
    {"sz", AS_PARAM_SIZE, "4k", 0, 0, NULL, "", offsetof(p_t, sz)},
    {"d", AS_PARAM_DOUBLE, "0.5", 0, 1, NULL, "", offsetof(p_t, d)},
    {"b", AS_PARAM_BOOL, "no", 0, 0, NULL, "", offsetof(p_t, b)},
    {"e", AS_PARAM_ENUM, "fifo", 0, 0, "lifo|fifo|random", "", offsetof(p_t, e)},
    {"s", AS_PARAM_STR, "", 0, 0, NULL, "", offsetof(p_t, s)},
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char pbuf[AS_WL_PARAMS_MAX];
	char *str = malloc(size + 1);
	char err[256];
	p_t p;
	const as_workload_t *wl;

	memcpy(str, data, size);
	str[size] = '\0';
	as_params_parse(spec, sizeof(spec) / sizeof(spec[0]), str, &p, err, sizeof(err));
	memset(pbuf, 0, sizeof(pbuf));
	as_workload_parse(str, &wl, pbuf, sizeof(pbuf), err, sizeof(err));
	free(str);
	return 0;
}
