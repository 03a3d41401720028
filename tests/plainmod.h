/* plainmod.h - for engine tests: `plain`, a thread-safe module with free
 * whose blocks are the process's malloc's. */
#ifndef AS_PLAINMOD_H
#define AS_PLAINMOD_H

#include <stdlib.h>

#include "../allocators/allocscope_module.h"

static void *plain_alloc(void *inst, size_t size, size_t align)
{
	(void)inst;
	(void)align;
	return malloc(size ? size : 1);
}

static void plain_free(void *inst, void *p, size_t size)
{
	(void)inst;
	(void)size;
	free(p);
}

static const as_module_t plain = {
    .abi_version = AS_MODULE_ABI_VERSION,
    .struct_size = sizeof(as_module_t),
    .name = "plain",
    .version = "1",
    .caps = AS_CAP_FREE | AS_CAP_THREAD_SAFE,
    .alloc = plain_alloc,
    .free = plain_free,
};

#endif
