/* mymodule.c - a complete, minimal allocscope module to copy from: power-of-
 * two size classes (16 B .. 64 KiB) with one intrusive free list each, carved
 * from 1 MiB chunks obtained with mmap; larger requests get their own mmap.
 * Not thread-safe (it does not claim AS_CAP_THREAD_SAFE, so the harness never
 * shares it between threads). Build it against the installed header alone,
 * with pkg-config:
 *   cc -O2 -shared -fPIC -fvisibility=hidden $(pkg-config --cflags allocscope) \
 *      mymodule.c -o mymodule.so
 * or with CMake (find_package(allocscope), the CMakeLists.txt beside this):
 *   cmake -S . -B build -DCMAKE_PREFIX_PATH=PREFIX && cmake --build build
 * then: allocscope check ./mymodule.so && allocscope run -a glibc,./mymodule.so */
#define _GNU_SOURCE
#include <allocscope_module.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>

#define NCLASSES    13 /* 16 << 12 = 64 KiB */
#define CHUNK_BYTES (1u << 20)

typedef struct {
	uint64_t chunk_bytes;
} my_params_t;

static const as_param_spec_t my_spec[] = {
    {"chunk", AS_PARAM_SIZE, "1M", 1 << 16, 1ULL << 32, NULL,
     "bytes mapped at a time for small blocks", offsetof(my_params_t, chunk_bytes)},
};

typedef struct chunk {
	struct chunk *next;
	size_t bytes;
} chunk_t;

typedef struct {
	void *free_list[NCLASSES];
	char *cur, *end; /* bump region of the newest chunk */
	chunk_t *chunks;
	size_t chunk_bytes;
} my_t;

static int class_of(size_t size, size_t align)
{
	size_t need = size > align ? size : align;
	int c = 0;
	if (need > ((size_t)16 << (NCLASSES - 1)))
		return NCLASSES;
	while (((size_t)16 << c) < need)
		c++;
	return c; /* a block of class c is 16<<c bytes and aligned to it */
}

static int my_create(const char *params, void **out, char *err, size_t errlen)
{
	my_params_t p;
	my_t *m;
	if (as_params_parse(my_spec, 1, params, &p, err, errlen) != 0)
		return -1;
	m = mmap(NULL, sizeof(*m), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED) {
		strncpy(err, "out of memory", errlen);
		return -1;
	}
	m->chunk_bytes = p.chunk_bytes;
	*out = m;
	return 0;
}

static void my_destroy(void *inst)
{
	my_t *m = inst;
	for (chunk_t *c = m->chunks, *n; c; c = n) {
		n = c->next;
		munmap(c, c->bytes);
	}
	munmap(m, sizeof(*m));
}

static void *big_alloc(size_t size)
{
	void *p;
	if (size > ((size_t)1 << 46))
		return NULL;
	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	return p == MAP_FAILED ? NULL : p;
}

static void *my_alloc(void *inst, size_t size, size_t align)
{
	my_t *m = inst;
	int c = class_of(size ? size : 1, align ? align : 16);
	size_t bytes = (size_t)16 << c;
	char *p;
	if (c >= NCLASSES)
		return align > 4096 ? NULL : big_alloc(size);
	if (m->free_list[c]) {
		p = m->free_list[c];
		m->free_list[c] = *(void **)p;
		return p;
	}
	p = (char *)(((uintptr_t)m->cur + bytes - 1) & ~(uintptr_t)(bytes - 1));
	if (!m->cur || p + bytes > m->end) {
		/* rounding up to the class's alignment skips up to bytes - 1 after
		 * the header: a chunk of the smallest sizes allowed (64 KiB) cannot
		 * hold a 64 KiB block so aligned, so map one that can */
		size_t want = sizeof(chunk_t) + 2 * bytes;
		size_t cb = m->chunk_bytes > want ? m->chunk_bytes : want;
		chunk_t *ch = big_alloc(cb);
		if (!ch)
			return NULL;
		ch->bytes = cb;
		ch->next = m->chunks;
		m->chunks = ch;
		m->cur = (char *)(ch + 1);
		m->end = (char *)ch + cb;
		p = (char *)(((uintptr_t)m->cur + bytes - 1) & ~(uintptr_t)(bytes - 1));
	}
	m->cur = p + bytes;
	return p;
}

static void my_free(void *inst, void *ptr, size_t size)
{
	my_t *m = inst;
	int c = class_of(size ? size : 1, 16);
	if (c >= NCLASSES) {
		munmap(ptr, size);
		return;
	}
	/* a block aligned above its class was allocated in a larger class */
	*(void **)ptr = m->free_list[c];
	m->free_list[c] = ptr;
}

static const as_module_t my_module = {
    .abi_version = AS_MODULE_ABI_VERSION,
    .struct_size = sizeof(as_module_t),
    .param_spec_size = sizeof(as_param_spec_t),
    .params_version = AS_PARAMS_VERSION,
    .name = "mymodule",
    .version = "1.0",
    .description = "example: power-of-two free lists over mmap'd chunks",
    .caps = AS_CAP_FREE | AS_CAP_ANY_SIZE,
    .nparams = 1,
    .params = my_spec,
    .create = my_create,
    .destroy = my_destroy,
    .alloc = my_alloc,
    .free = my_free,
};

AS_MODULE_EXPORT(my_module)
