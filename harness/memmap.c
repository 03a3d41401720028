/* memmap.c - see memmap.h. smaps_rollup would give one total, and full
 * smaps costs milliseconds on a large process; maps + mincore on the
 * ranges of interest costs a read of maps and one byte per page, and the
 * read of maps (the larger part on a small process) is skipped while the
 * caller knows no mapping syscall happened. */
#define _GNU_SOURCE
#include "memmap.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "util.h"

/* maps is read and parsed a buffer at a time (a partial last line carried
 * over), so the buffer need not hold the whole file: 4 MiB, pre-faulted in
 * every worker, cost ~1,000 page faults and their unmap per trial. Holds
 * any one line (a path is at most PATH_MAX). */
#define MAPS_BUF_BYTES (64u << 10)
#define VEC_PAGES      (1u << 16)
#define MAX_EXCL       4096

static char *maps_buf;
static unsigned char *vec;
static int maps_fd = -1;
static size_t page;
static struct {
	uintptr_t lo, hi;
} excl[MAX_EXCL];
static int nexcl;
/* ranges (after exclusion) found by the last parse of maps, for reuse while
 * the layout cannot have changed */
#define MAX_RANGES 16384
static struct {
	uintptr_t lo, hi;
	int heap;
} rng[MAX_RANGES];
static int nrng, have_layout;

int as_memmap_init(void)
{
	page = (size_t)sysconf(_SC_PAGESIZE);
	if (!maps_buf)
		maps_buf = as_map(MAPS_BUF_BYTES);
	if (!vec)
		vec = as_map(VEC_PAGES);
	if (maps_fd < 0)
		maps_fd = open("/proc/self/maps", O_RDONLY | O_CLOEXEC);
	if (!maps_buf || !vec || maps_fd < 0)
		return -1;
	as_memmap_exclude(maps_buf, MAPS_BUF_BYTES);
	as_memmap_exclude(vec, VEC_PAGES);
	return 0;
}

void as_memmap_exclude(const void *p, size_t len)
{
	if (!p || !len || nexcl == MAX_EXCL)
		return;
	excl[nexcl].lo = (uintptr_t)p & ~(uintptr_t)4095;
	excl[nexcl].hi = ((uintptr_t)p + len + 4095) & ~(uintptr_t)4095;
	nexcl++;
}

/* Resident pages in [lo, hi). */
static uint64_t resident(uintptr_t lo, uintptr_t hi)
{
	uint64_t n = 0;
	while (lo < hi) {
		size_t pages = (hi - lo) / page;
		if (pages > VEC_PAGES)
			pages = VEC_PAGES;
		if (mincore((void *)lo, pages * page, vec) != 0)
			return n;
		/* bit 0 of each byte: eight pages per 64-bit word */
		size_t i = 0;
		for (; i + 8 <= pages; i += 8) {
			uint64_t w;
			memcpy(&w, vec + i, 8);
			n += (uint64_t)__builtin_popcountll(w & 0x0101010101010101ULL);
		}
		for (; i < pages; i++)
			n += vec[i] & 1;
		lo += pages * page;
	}
	return n;
}

/* Mappings this large are reservations (sanitizer shadow memory, an
 * allocator's address-space reserve): mincore would walk billions of pages,
 * so their resident size comes from the mapping's Rss line in smaps. */
#define LARGE_BYTES (1ULL << 30)

#include "asan.h"

static uint64_t resident_large(uintptr_t lo, uintptr_t hi)
{
#if AS_UNDER_ASAN
	/* a sanitizer build's shadow memory is terabytes of reservations that
	 * are the sanitizer's, not the module's: not counted (and smaps of such
	 * a process costs tens of ms per read) */
	(void)lo;
	(void)hi;
	return 0;
#endif
	/* read(2) into a static buffer, no stdio: fopen's FILE is a malloc,
	 * and a sample in the timed region must not call the process's
	 * malloc (libc_count.h: that count is the module's) */
	static char buf[65536];
	char key[64];
	size_t have = 0, klen;
	int in = 0, fd = open("/proc/self/smaps", O_RDONLY | O_CLOEXEC);
	uint64_t kib = 0;
	int found = 0;
	if (fd < 0)
		return 0;
	klen = (size_t)snprintf(key, sizeof(key), "%lx-", (unsigned long)lo);
	while (!found) {
		ssize_t r = read(fd, buf + have, sizeof(buf) - 1 - have);
		char *line = buf, *nl;
		if (r <= 0)
			break;
		have += (size_t)r;
		buf[have] = '\0';
		while (!found && (nl = memchr(line, '\n', (size_t)(buf + have - line))) != NULL) {
			*nl = '\0';
			if (!in)
				in = !strncmp(line, key, klen);
			else if (!strncmp(line, "Rss:", 4)) {
				kib = strtoull(line + 4, NULL, 10);
				found = 1;
			}
			line = nl + 1;
		}
		have = (size_t)(buf + have - line);
		memmove(buf, line, have);
		if (have == sizeof(buf) - 1) /* a line longer than the buffer */
			have = 0;
	}
	close(fd);
	(void)hi;
	return kib * 1024 / page;
}

/* Record [lo, hi) minus the excluded ranges. */
static void add_range(uintptr_t lo, uintptr_t hi, int heap)
{
	for (int i = 0; i < nexcl && lo < hi; i++) {
		if (excl[i].hi <= lo || excl[i].lo >= hi)
			continue;
		if (excl[i].lo > lo)
			add_range(lo, excl[i].lo, heap);
		lo = excl[i].hi;
	}
	if (lo >= hi || nrng == MAX_RANGES)
		return;
	rng[nrng].lo = lo;
	rng[nrng].hi = hi;
	rng[nrng].heap = heap;
	nrng++;
}

/* Record the heap and anonymous ranges of the complete lines in buf. */
static void parse_lines(char *buf)
{
	for (char *line = buf; line && *line;) {
		char *next = strchr(line, '\n');
		unsigned long lo, hi, inode;
		char perms[8];
		int pathpos = 0;
		if (next)
			*next++ = '\0';
		if (sscanf(line, "%lx-%lx %7s %*x %*x:%*x %lu %n", &lo, &hi, perms, &inode,
		           &pathpos) >= 4) {
			const char *path = pathpos ? line + pathpos : "";
			if (!strcmp(path, "[heap]"))
				add_range(lo, hi, 1);
			else if (inode == 0 && (!*path || !strncmp(path, "[anon:", 6)))
				add_range(lo, hi, 0);
		}
		line = next;
	}
}

static int parse_maps(void)
{
	size_t len = 0;
	ssize_t n;

	nrng = 0;
	if (maps_fd < 0 || lseek(maps_fd, 0, SEEK_SET) != 0)
		return -1;
	/* the kernel returns whole lines per read (seq_file), as it did into
	 * one large buffer: the same snapshot, line by line */
	while (len < MAPS_BUF_BYTES - 1 &&
	       (n = read(maps_fd, maps_buf + len, MAPS_BUF_BYTES - 1 - len)) > 0) {
		char *end;
		len += (size_t)n;
		maps_buf[len] = '\0';
		end = strrchr(maps_buf, '\n');
		if (!end)
			continue;
		*end = '\0';
		parse_lines(maps_buf);
		len -= (size_t)(end + 1 - maps_buf);
		memmove(maps_buf, end + 1, len);
	}
	maps_buf[len] = '\0';
	parse_lines(maps_buf);
	return n < 0 ? -1 : 0;
}

int as_memmap_read(as_memmap_t *out, int layout_changed)
{
	uint64_t hs = 0, hp = 0, ms = 0, mp = 0;

	out->heap_size_kib = out->heap_rss_kib = out->mmap_size_kib = out->mmap_rss_kib = -1;
	if (layout_changed || !have_layout) {
		have_layout = parse_maps() == 0;
		if (!have_layout)
			return -1;
	}
	for (int i = 0; i < nrng; i++) {
		uint64_t size = rng[i].hi - rng[i].lo;
		uint64_t pages = size >= LARGE_BYTES ? resident_large(rng[i].lo, rng[i].hi)
		                                     : resident(rng[i].lo, rng[i].hi);
		if (rng[i].heap) {
			hs += size;
			hp += pages;
		} else {
			ms += size;
			mp += pages;
		}
	}
	out->heap_size_kib = (int64_t)(hs / 1024);
	out->heap_rss_kib = (int64_t)(hp * page / 1024);
	out->mmap_size_kib = (int64_t)(ms / 1024);
	out->mmap_rss_kib = (int64_t)(mp * page / 1024);
	return 0;
}
