/* test_memmap.c - the brk-heap / anonymous-mmap split: a mapping of known
 * size and touched pages shows up exactly in mmap size and resident, is gone
 * once excluded, and moving the program break shows up in the heap. A read
 * told that the layout is unchanged reuses the previous ranges. maps is
 * read a buffer at a time: thousands of mappings (a file far larger than
 * the buffer, lines split across reads) are all counted. */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdlib.h>
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
	/* (first: a later region could reuse the excluded one's addresses)
	 * 4096 mappings: one region whose every other page is read-only, a
	 * line of maps each (~300 KiB of maps, the buffer holds 64 KiB) */
	{
		size_t pages = 4096, pg = 4096;
		char *r = mmap(NULL, pages * pg, PROT_READ | PROT_WRITE,
		               MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		as_memmap_t e, f;
		int refused = 0;
		CHECK(r != MAP_FAILED);
		CHECK(as_memmap_read(&e, 1) == 0);
		madvise(r, pages * pg, MADV_NOHUGEPAGE);
		for (size_t i = 0; i < pages; i++)
			r[i * pg] = 1;
		for (size_t i = 0; i < pages; i += 2)
			refused += mprotect(r + i * pg, pg, PROT_READ) != 0;
		CHECK(refused == 0);
		CHECK(as_memmap_read(&f, 1) == 0);
		/* e counted the region untouched; f: all of it resident (and up to
		 * a few pages the process touched meanwhile, e.g. stdio's) */
		CHECKF(f.mmap_size_kib == e.mmap_size_kib, "size %lld KiB, was %lld",
		       (long long)f.mmap_size_kib, (long long)e.mmap_size_kib);
		CHECKF(f.mmap_rss_kib - e.mmap_rss_kib >= (int64_t)(pages * pg / 1024) &&
		           f.mmap_rss_kib - e.mmap_rss_kib <= (int64_t)(pages * pg / 1024) + 256,
		       "resident grew by %lld KiB over %zu one-page mappings, want %zu",
		       (long long)(f.mmap_rss_kib - e.mmap_rss_kib), pages, pages * pg / 1024);
		munmap(r, pages * pg);
	}
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
	/* p's 16 MiB are gone from the count; other mappings may have taken a
	 * few pages meanwhile (stdio's buffer, a sanitizer's allocator: the
	 * ASan build failed this as an exact equality in CI, 5 runs of 5) */
	CHECKF(llabs((long long)(c.mmap_rss_kib - a.mmap_rss_kib)) <= 256,
	       "resident %lld KiB after the exclusion, %lld before the mapping",
	       (long long)c.mmap_rss_kib, (long long)a.mmap_rss_kib);

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
