/* test_memmap.c - the brk-heap / anonymous-mmap split: a mapping of known
 * size and touched pages shows up exactly in mmap size and resident, is gone
 * once excluded, and moving the program break shows up in the heap. A read
 * told that the layout is unchanged reuses the previous ranges. */
#define _GNU_SOURCE
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "check.h"
#include "memmap.h"

int main(void)
{
	as_memmap_t a, b, c, d;
	size_t len = 64 << 20;
	char *p;

	CHECK(as_memmap_init() == 0);
	CHECK(as_memmap_read(&a, 1) == 0);
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(p != MAP_FAILED);
	madvise(p, len, MADV_NOHUGEPAGE); /* so touched pages are exactly 4 KiB each */
	/* "layout unchanged" reuses the ranges of the previous read */
	CHECK(as_memmap_read(&b, 0) == 0);
	CHECK(b.mmap_size_kib == a.mmap_size_kib);
	for (size_t off = 0; off < len / 4; off += 4096)
		p[off] = 1; /* 16 MiB resident */
	CHECK(as_memmap_read(&b, 1) == 0);
	CHECKF(b.mmap_size_kib - a.mmap_size_kib == 64 * 1024, "size grew by %lld KiB",
	       (long long)(b.mmap_size_kib - a.mmap_size_kib));
	CHECKF(b.mmap_rss_kib - a.mmap_rss_kib == 16 * 1024, "resident grew by %lld KiB",
	       (long long)(b.mmap_rss_kib - a.mmap_rss_kib));

	as_memmap_exclude(p, len);
	CHECK(as_memmap_read(&c, 1) == 0);
	CHECK(c.mmap_size_kib == a.mmap_size_kib);
	CHECK(c.mmap_rss_kib == a.mmap_rss_kib);

	/* the program break: 1 MiB more heap, half of it touched */
	{
		char *h = sbrk(1 << 20);
		CHECK(h != (void *)-1);
		memset(h, 1, 1 << 19);
		CHECK(as_memmap_read(&d, 1) == 0);
		CHECKF(d.heap_size_kib - c.heap_size_kib == 1024, "heap grew by %lld KiB",
		       (long long)(d.heap_size_kib - c.heap_size_kib));
		CHECK(d.heap_rss_kib - c.heap_rss_kib >= 512 &&
		      d.heap_rss_kib - c.heap_rss_kib <= 516);
		sbrk(-(1 << 20));
	}
	munmap(p, len);
	return as_check_done();
}
