/* sampler.c - see sampler.h. */
#include "sampler.h"

#include <string.h>

#include "procstat.h"
#include "syscount.h"

static int layout_changed(const uint64_t *a, const uint64_t *b)
{
	return a[AS_SYS_brk_calls] != b[AS_SYS_brk_calls] ||
	       a[AS_SYS_mmap_calls] != b[AS_SYS_mmap_calls] ||
	       a[AS_SYS_munmap_calls] != b[AS_SYS_munmap_calls] ||
	       a[AS_SYS_mremap_calls] != b[AS_SYS_mremap_calls] ||
	       a[AS_SYS_mprotect_calls] != b[AS_SYS_mprotect_calls];
}

void as_point_take(as_point_t *out, const as_point_t *prev)
{
	int layout = 1, resid = 1;
	out->have_sys = as_syscount_read(out->sys) == 0;
	as_faults(&out->minflt, &out->majflt);
	out->rss_kib = as_rss_kib();
	if (prev && prev->have_sys && out->have_sys) {
		layout = layout_changed(prev->sys, out->sys);
		resid = layout ||
		        prev->sys[AS_SYS_madvise_calls] != out->sys[AS_SYS_madvise_calls] ||
		        prev->minflt != out->minflt || prev->majflt != out->majflt ||
		        prev->rss_kib != out->rss_kib;
	}
	out->split_read = resid;
	if (resid)
		as_memmap_read(&out->mm, layout);
	else
		out->mm = prev->mm;
}
