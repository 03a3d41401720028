/* broken_shared.c - a deliberately broken thread-safe test module: a bump
 * allocator over one reserved region that, on every 8th request of 16 bytes
 * or less in a thread, hands out again the block another thread got last
 * (still live, most likely). Every block has 16 bytes of its own reserved
 * past its start, so the block handed out again overlaps nothing but that
 * other thread's block. The stress check must find the overlap and describe
 * the other thread's block (its size and address), which the finding thread
 * cannot read from its own slots. test_check_other_thread.sh runs it. */
#include <stdatomic.h>
#include <stdint.h>
#include <sys/mman.h>

#include "allocscope_module.h"

enum { MAX_THREADS = 16, EVERY = 8, OWN = 16 };

typedef struct {
	char *base, *end;
	_Atomic(uintptr_t) next;
} heap_t;

static const size_t region = (size_t)64 << 30; /* address space, pages on touch */
static _Atomic(uintptr_t) last[MAX_THREADS];   /* each thread's latest block */
static atomic_int nthreads;
static _Thread_local int me = -1;
static _Thread_local unsigned count;

static int s_create(const char *params, void **out, char *err, size_t errlen)
{
	heap_t *h;
	if (as_params_parse(NULL, 0, params, NULL, err, errlen) != 0)
		return -1;
	h = mmap(NULL, region, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
	         -1, 0);
	if (h == MAP_FAILED)
		return -1;
	h->base = (char *)h;
	h->end = h->base + region;
	atomic_init(&h->next, (uintptr_t)(h + 1));
	*out = h;
	return 0;
}

static void s_destroy(void *inst)
{
	munmap(inst, region);
}

static void *s_alloc(void *inst, size_t size, size_t align)
{
	heap_t *h = inst;
	uintptr_t p, a = align > 16 ? align : 16;
	if (me < 0)
		me = atomic_fetch_add(&nthreads, 1) % MAX_THREADS;
	if (size <= OWN && ++count % EVERY == 0)
		for (int t = 0; t < MAX_THREADS; t++) {
			uintptr_t q = atomic_load(&last[t]);
			if (t != me && q && q % a == 0)
				return (void *)q; /* another thread's block, again */
		}
	if (size > region / 4)
		return NULL;
	p = atomic_fetch_add(&h->next, size + a + OWN);
	p = (p + a - 1) & ~(a - 1);
	if (p + size > (uintptr_t)h->end)
		return NULL;
	atomic_store(&last[me], p);
	return (void *)p;
}

static void s_free(void *inst, void *ptr, size_t size)
{
	(void)inst;
	(void)ptr;
	(void)size;
}

static const as_module_t mod = {
    .abi_version = AS_MODULE_ABI_VERSION,
    .struct_size = sizeof(as_module_t),
    .name = "broken_shared",
    .version = "0",
    .description = "test-only: hands another thread's live block out again",
    .caps = AS_CAP_THREAD_SAFE | AS_CAP_FREE | AS_CAP_ANY_SIZE,
    .create = s_create,
    .destroy = s_destroy,
    .alloc = s_alloc,
    .free = s_free,
};

AS_MODULE_EXPORT(mod)
