/* fuzz_specs.c - libFuzzer target for the CLI's list parsers: comma lists
 * (-t) and the one spec parser (-a, -w: spec lists whose params may contain
 * commas), with the invariants every parsed spec keeps: the label is the
 * name, or name:params, and the pairs are as many as the params' items. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../harness/util.h"
#include "../../workloads/spec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *a = malloc(size + 1), *items[64], err[512];
	static as_spec_t specs[64];
	int n;

	memcpy(a, data, size);
	a[size] = '\0';
	for (int kind = 0; kind < 2; kind++) {
		n = as_spec_parse_list(a, kind ? AS_SPEC_WORKLOAD : AS_SPEC_MODULE, specs, 64, err,
		                       sizeof(err));
		for (int i = 0; i < n; i++) {
			const as_spec_t *s = &specs[i];
			size_t nl = strlen(s->name);
			if (!nl || strncmp(s->label, s->name, nl) ||
			    (*s->params
			         ? s->label[nl] != ':' || strcmp(s->label + nl + 1, s->params)
			         : s->label[nl] != '\0'))
				abort();
			if (*s->params && !s->nkv)
				abort();
			as_spec_free(&specs[i]);
		}
	}
	as_split_list(a, items, 64);
	free(a);
	return 0;
}
