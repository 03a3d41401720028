/* libc_helper.c - a plain library that imports malloc, linked by the test
 * module libc_route.c (LIBC_HELPER): the calls a module makes through a
 * library it links reach the process's malloc as if the module made them. */
#include <stdlib.h>

void *libc_helper_alloc(size_t size, size_t align);
void libc_helper_free(void *p);

void *libc_helper_alloc(size_t size, size_t align)
{
	void *p = NULL;
	if (align <= 16)
		return malloc(size ? size : 1);
	return posix_memalign(&p, align, size ? size : 1) ? NULL : p;
}

void libc_helper_free(void *p)
{
	free(p);
}
