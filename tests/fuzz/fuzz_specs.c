/* fuzz_specs.c - libFuzzer target for the CLI's list parsers: comma lists
 * (-t) and module/workload spec lists whose params may contain commas
 * (-a, -w), then the module spec split. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../harness/loader.h"
#include "../../harness/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *a = malloc(size + 1), *b = malloc(size + 1);
	char *items[64];
	char name[256];
	const char *params;
	int n;

	memcpy(a, data, size);
	a[size] = '\0';
	memcpy(b, a, size + 1);
	as_split_list(a, items, 64);
	n = as_split_specs(b, items, 64);
	for (int i = 0; i < n; i++) {
		as_module_spec_split(items[i], name, sizeof(name), &params);
		if (strlen(name) >= sizeof(name) || !params)
			abort();
	}
	free(a);
	free(b);
	return 0;
}
