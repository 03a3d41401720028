/* loader.c - see loader.h. The module folder is found relative to the
 * running executable (build tree: <build>/allocators; install tree:
 * <prefix>/lib/allocscope), so the CLI works from anywhere without env. */
#define _GNU_SOURCE
#include "loader.h"

#include <dirent.h>
#include <dlfcn.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "../workloads/shell_word.h"
#include "../workloads/spec.h"
#include "../workloads/workload.h"
#include "suggest.h"

/* Weak: the exec shim (as_exec.so) compiles this file without the
 * workloads, and its "module not found" line must not end the user's
 * program in a symbol lookup error; there the workload hint is left out. */
#pragma weak as_workload_find

#ifndef AS_INSTALL_PRELOAD_DIR
#define AS_INSTALL_PRELOAD_DIR "/usr/local/lib/allocscope-preload"
#endif
#ifndef AS_INSTALL_MODULE_DIR
#define AS_INSTALL_MODULE_DIR "/usr/local/lib/allocscope"
#endif

static char module_dirs[8192];

const char *as_module_dir(void)
{
	char exe[PATH_MAX];
	ssize_t n;
	char *slash;

	if (module_dirs[0])
		return module_dirs;
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		exe[n] = '\0';
		slash = strrchr(exe, '/');
		if (slash)
			*slash = '\0';
		/* build tree: <build>/harness/allocscope -> <build>/allocators;
		 * install: <prefix>/bin/allocscope -> <prefix>/lib/allocscope */
		snprintf(module_dirs, sizeof(module_dirs),
		         "%s/../allocators:%s/../lib/allocscope:%s", exe, exe,
		         AS_INSTALL_MODULE_DIR);
	} else {
		snprintf(module_dirs, sizeof(module_dirs), "%s", AS_INSTALL_MODULE_DIR);
	}
	return module_dirs;
}

static int is_file(const char *p)
{
	struct stat st;
	return stat(p, &st) == 0 && S_ISREG(st.st_mode);
}

/* Try NAME.so and libas_NAME.so in each folder of a ':' list. */
static int search_dirs(const char *dirs, const char *name, char *path, size_t pathlen)
{
	const char *p = dirs;
	while (p && *p) {
		size_t len = strcspn(p, ":");
		if (len > 0) {
			snprintf(path, pathlen, "%.*s/%s.so", (int)len, p, name);
			if (is_file(path))
				return 1;
			snprintf(path, pathlen, "%.*s/libas_%s.so", (int)len, p, name);
			if (is_file(path))
				return 1;
		}
		p += len;
		if (*p == ':')
			p++;
	}
	return 0;
}

int as_module_file_name(const char *path, char *name, size_t len)
{
	const char *base = strrchr(path, '/');
	size_t n;
	base = base ? base + 1 : path;
	if (!strncmp(base, "libas_", 6))
		base += 6;
	n = strlen(base);
	if (n < 4 || strcmp(base + n - 3, ".so") || n - 3 >= len)
		return -1;
	snprintf(name, len, "%.*s", (int)(n - 3), base);
	return 0;
}

/* as_module_foreach callback: offer the name a file on the search path is
 * found by, without loading it. */
void as_module_suggest(const char *path, void *ctx)
{
	char name[64];
	if (as_module_file_name(path, name, sizeof(name)) == 0)
		as_suggest_add(ctx, name);
}

int as_module_is_path(const char *name)
{
	size_t nlen = strlen(name);
	return strchr(name, '/') || (nlen > 3 && !strcmp(name + nlen - 3, ".so"));
}

/* A module file as an error names it: one shell word (as_shell_word_to),
 * as the errors naming other files do, so a path with a space or a newline
 * pastes back into a shell; one too long for buf (AS_SHOW_WORD) shortened
 * by as_show instead, so the reason after it still fits. Returns the text
 * to print (buf, or path itself). */
#define AS_SHOW_WORD (2 * AS_SHOW_MAX)
static const char *path_word(const char *path, char *buf)
{
	if (as_shell_word_to(buf, AS_SHOW_WORD, path) < AS_SHOW_WORD)
		return buf;
	return as_show(path, buf);
}

as_status_t as_module_resolve(const char *name, char *path, size_t pathlen, char *err,
                              size_t errlen)
{
	const char *env = getenv("ALLOCSCOPE_MODULE_PATH");
	char shown[AS_SHOW_WORD];

	if (as_module_is_path(name)) {
		struct stat st;
		if (!is_file(name)) {
			snprintf(err, errlen, "%s: %s", path_word(name, shown),
			         stat(name, &st) == 0
			             ? "not a module file (a folder or special file)"
			             : "module file not found");
			return AS_ERR_NOT_FOUND;
		}
		/* "mod.so" is a file here, as the README says; dlopen would look
		 * a slash-less name up in the library path instead (a system
		 * library of that name, or "cannot open shared object file") */
		snprintf(path, pathlen, "%s%s", strchr(name, '/') ? "" : "./", name);
		return AS_OK;
	}
	if ((env && search_dirs(env, name, path, pathlen)) ||
	    search_dirs(as_module_dir(), name, path, pathlen))
		return AS_OK;
	{
		as_suggest_t sg;
		char dym[96];
		as_suggest_init(&sg, name);
		as_module_foreach(as_module_suggest, &sg);
		as_suggest_fmt(&sg, NULL, dym, sizeof(dym));
		/* a workload's name given as a module (-a larson): say which it is,
		 * the nearest module name would only mislead */
		char env_shown[AS_SHOW_WORD], dir_shown[AS_SHOW_WORD];
		if (as_workload_find && as_workload_find(name))
			snprintf(dym, sizeof(dym), "; '%s' is a workload (-w %s)", name, name);
		snprintf(err, errlen,
		         "%s: module not found (searched ALLOCSCOPE_MODULE_PATH=%s and %s)%s",
		         as_show(name, shown), env ? path_word(env, env_shown) : "",
		         path_word(as_module_dir(), dir_shown), dym);
	}
	return AS_ERR_NOT_FOUND;
}

/* The ELF machine, class and byte order of this build: a module must match
 * them. dlopen says "cannot open shared object file: No such file or
 * directory" for another machine's file, which sends its author looking
 * for a missing file. */
#if defined(__x86_64__)
#define HOST_MACHINE EM_X86_64
#elif defined(__aarch64__)
#define HOST_MACHINE EM_AARCH64
#elif defined(__i386__)
#define HOST_MACHINE EM_386
#elif defined(__arm__)
#define HOST_MACHINE EM_ARM
#elif defined(__riscv)
#define HOST_MACHINE EM_RISCV
#elif defined(__powerpc64__)
#define HOST_MACHINE EM_PPC64
#elif defined(__s390x__)
#define HOST_MACHINE EM_S390
#else
#define HOST_MACHINE EM_NONE /* not checked: dlopen says */
#endif
#define HOST_CLASS (sizeof(void *) == 8 ? ELFCLASS64 : ELFCLASS32)
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
#define HOST_DATA ELFDATA2MSB
#else
#define HOST_DATA ELFDATA2LSB
#endif

/* A name for an ELF e_machine, as `uname -m` says it where one exists. */
static const char *machine_name(unsigned em, char *buf, size_t len)
{
	static const struct {
		unsigned em;
		const char *name;
	} names[] = {{EM_X86_64, "x86-64"},  {EM_AARCH64, "aarch64"}, {EM_386, "i386"},
	             {EM_ARM, "arm"},        {EM_RISCV, "riscv"},     {EM_PPC64, "ppc64"},
	             {EM_PPC, "ppc"},        {EM_S390, "s390x"},      {EM_MIPS, "mips"},
	             {EM_SPARCV9, "sparc64"}};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].em == em)
			return names[i].name;
	snprintf(buf, len, "ELF machine %u", em);
	return buf;
}

/* [off, off + len) lies inside a file of size bytes (no wrap-around: the
 * header's numbers are the file's, whatever they hold) */
static int in_file(uint64_t off, uint64_t len, off_t size)
{
	return off <= (uint64_t)size && len <= (uint64_t)size - off;
}

/* The bytes a 64-bit ELF file H (open at fd, SIZE bytes) must have for
 * dlopen to map it: the end of its program header table when that passes
 * the end of the file (a file cut inside it), else the end of its PT_LOAD
 * segments' file parts (0 when its program headers cannot be read;
 * UINT64_MAX on an overflowing number). The section headers are not
 * counted: dlopen needs none. */
static uint64_t elf_extent(int fd, const Elf64_Ehdr *h, off_t size)
{
	uint64_t end = 0, e;
	if (h->e_ident[EI_CLASS] != ELFCLASS64 || h->e_phentsize != sizeof(Elf64_Phdr) ||
	    h->e_phnum == 0 || h->e_phnum > 4096)
		return 0;
	if (!in_file(h->e_phoff, (uint64_t)h->e_phnum * sizeof(Elf64_Phdr), size))
		return __builtin_add_overflow(h->e_phoff, (uint64_t)h->e_phnum * sizeof(Elf64_Phdr),
		                              &e)
		           ? UINT64_MAX
		           : e;
	for (unsigned i = 0; i < h->e_phnum; i++) {
		Elf64_Phdr ph;
		if (pread(fd, &ph, sizeof(ph), (off_t)(h->e_phoff + i * sizeof(ph))) !=
		    (ssize_t)sizeof(ph))
			return 0;
		if (ph.p_type == PT_LOAD)
			end = __builtin_add_overflow(ph.p_offset, ph.p_filesz, &e) ? UINT64_MAX
			      : e > end                                            ? e
			                                                           : end;
	}
	return end;
}

/* dlerror() text for a file that is not an ELF shared object of this
 * machine is long, varies, or (another machine's) misleads; check the
 * header ourselves so the reason is stable and short. 0, or -1 with the
 * reason in why. The class and byte order are read from e_ident before
 * anything else: the rest of the header is laid out by them. */
static int elf_header_check(const char *path, char *why, size_t len)
{
	Elf64_Ehdr h;
	char mb[32], hb[32];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n = fd < 0 ? -1 : read(fd, &h, sizeof(h));
	int read_errno = errno;
	const char *host = machine_name(HOST_MACHINE, hb, sizeof(hb));
	uint64_t need = 0;
	struct stat st;
	if (n < 0) {
		/* a file the user may not read (another user's module, mode
		 * 0600) was "not a shared object": the reason is the open's */
		snprintf(why, len, "cannot read it: %s", strerror(read_errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	if (fd >= 0 && n == (ssize_t)sizeof(h) && fstat(fd, &st) == 0)
		need = elf_extent(fd, &h, st.st_size);
	if (fd >= 0)
		close(fd);
	if (n < EI_NIDENT || memcmp(h.e_ident, ELFMAG, SELFMAG)) {
		snprintf(why, len, "not a shared object (no ELF shared-library header)");
		return -1;
	}
	if (h.e_ident[EI_CLASS] != HOST_CLASS) {
		/* e_machine is at the same offset in both classes */
		snprintf(why, len, "a %s ELF file for %s, this allocscope runs on %s (%d-bit)",
		         h.e_ident[EI_CLASS] == ELFCLASS32   ? "32-bit"
		         : h.e_ident[EI_CLASS] == ELFCLASS64 ? "64-bit"
		                                             : "bad-class",
		         n >= 20 && h.e_ident[EI_DATA] == HOST_DATA
		             ? machine_name(h.e_machine, mb, sizeof(mb))
		             : "another machine",
		         host, (int)sizeof(void *) * 8);
		return -1;
	}
	if (h.e_ident[EI_DATA] != HOST_DATA) {
		snprintf(why, len, "a %s ELF file, this allocscope runs on %s (%s-endian)",
		         h.e_ident[EI_DATA] == ELFDATA2MSB   ? "big-endian"
		         : h.e_ident[EI_DATA] == ELFDATA2LSB ? "little-endian"
		                                             : "bad-byte-order",
		         host, HOST_DATA == ELFDATA2LSB ? "little" : "big");
		return -1;
	}
	if (n != (ssize_t)sizeof(h) || h.e_type != ET_DYN) {
		snprintf(why, len, "not a shared object (no ELF shared-library header)");
		return -1;
	}
	if (HOST_MACHINE != EM_NONE && h.e_machine != HOST_MACHINE) {
		snprintf(why, len, "built for %s, this allocscope runs on %s",
		         machine_name(h.e_machine, mb, sizeof(mb)), host);
		return -1;
	}
	if (need == UINT64_MAX) {
		/* a number no file holds: said without it (it printed as
		 * 18446744073709551615 bytes) */
		snprintf(why, len,
		         "damaged: its ELF headers point past the end of the file (%llu bytes)",
		         (unsigned long long)st.st_size);
		return -1;
	}
	if (need > (uint64_t)st.st_size) {
		/* dlopen would map past the end: a bus error in the probe, which
		 * read as a crash in a constructor (an outside review) */
		snprintf(
		    why, len,
		    "truncated: the file has %llu bytes, its ELF headers describe %llu (a copy "
		    "or build cut short?)",
		    (unsigned long long)st.st_size, (unsigned long long)need);
		return -1;
	}
	return 0;
}

/* The file offset of virtual address a (len bytes there) through the
 * PT_LOAD segments, or UINT64_MAX when no segment holds it in the file. */
static uint64_t vaddr_off(const Elf64_Phdr *ph, unsigned nph, uint64_t a, uint64_t len, off_t size)
{
	for (unsigned i = 0; i < nph; i++)
		if (ph[i].p_type == PT_LOAD && a >= ph[i].p_vaddr &&
		    a - ph[i].p_vaddr < ph[i].p_filesz &&
		    len <= ph[i].p_filesz - (a - ph[i].p_vaddr)) {
			uint64_t off = ph[i].p_offset + (a - ph[i].p_vaddr);
			return in_file(off, len, size) ? off : UINT64_MAX;
		}
	return UINT64_MAX;
}

/* How many entries .dynsym has: DT_HASH's nchain, else the highest symbol
 * DT_GNU_HASH reaches + 1, else the room between DT_SYMTAB and DT_STRTAB
 * (the linker puts them in that order). 0 when none says. */
static uint64_t dynsym_count(const unsigned char *f, const Elf64_Phdr *ph, unsigned nph, off_t size,
                             uint64_t hash, uint64_t gnu, uint64_t symtab, uint64_t strtab)
{
	uint64_t o;
	if (hash && (o = vaddr_off(ph, nph, hash, 8, size)) != UINT64_MAX)
		return ((const uint32_t *)(f + o))[1];
	if (gnu && (o = vaddr_off(ph, nph, gnu, 16, size)) != UINT64_MAX) {
		const uint32_t *g = (const uint32_t *)(f + o);
		uint32_t nb = g[0], symoff = g[1], bloom = g[2], top = 0;
		uint64_t b0 = gnu + 16 + (uint64_t)bloom * 8, ob, oc;
		if ((ob = vaddr_off(ph, nph, b0, (uint64_t)nb * 4, size)) == UINT64_MAX)
			return 0;
		for (uint32_t k = 0; k < nb; k++)
			if (((const uint32_t *)(f + ob))[k] > top)
				top = ((const uint32_t *)(f + ob))[k];
		if (top < symoff)
			return symoff;
		/* the chain of the highest bucket ends at an entry with bit 0 */
		for (;; top++) {
			oc = vaddr_off(
			    ph, nph, b0 + (uint64_t)nb * 4 + (uint64_t)(top - symoff) * 4, 4, size);
			if (oc == UINT64_MAX)
				return 0;
			if (*(const uint32_t *)(f + oc) & 1)
				return (uint64_t)top + 1;
		}
	}
	return strtab > symtab ? (strtab - symtab) / sizeof(Elf64_Sym) : 0;
}

/* One walk of the module's dynamic symbol table, found as dlopen finds it
 * (PT_DYNAMIC, not section headers, which a stripped file may lack):
 * *entry is 1 when it defines the entry symbol, 0 when it does not (not a
 * module: reported before anything else the table shows), -1 when the file
 * cannot be read as a 64-bit ELF (dlopen then says why). Returns how many
 * malloc-family symbols it imports (undefined there), space-separated into
 * out (len > 0). Under RTLD_LOCAL such a call resolves to the process's
 * malloc, glibc's (or whatever `exec` preloads), not to the allocator the
 * module wraps: the row would measure glibc for it, silently. C++'s
 * operator new and delete reach the same malloc. The glibc module looks
 * glibc's functions up in libc.so.6 (dlsym): no import. */
static int scan_dynsym(const char *path, int *entry, char *out, size_t len)
{
	static const char *const banned[] = {
	    "malloc", "free", "calloc", "realloc", "reallocarray", "posix_memalign",
	    "aligned_alloc", "memalign", "valloc", "pvalloc", "malloc_usable_size",
	    /* glibc's internal entries, the same heap under other names */
	    "__libc_malloc", "__libc_free", "__libc_calloc", "__libc_realloc", "__libc_memalign",
	    "__libc_valloc", "__libc_pvalloc"};
	static const char *const banned_prefix[] = {"_Znw", "_Zna", "_Zdl", "_Zda"};
	struct stat st;
	const unsigned char *f;
	const Elf64_Ehdr *h;
	const Elf64_Phdr *ph;
	uint64_t symtab = 0, strtab = 0, strsz = 0, hash = 0, gnu = 0, dyn = UINT64_MAX, ndyn = 0;
	uint64_t osym, ostr, nsym;
	int fd = open(path, O_RDONLY | O_CLOEXEC), n = 0;
	size_t w = 0;
	out[0] = '\0';
	*entry = -1;
	if (fd < 0)
		return 0;
	if (fstat(fd, &st) != 0 || st.st_size < (off_t)sizeof(Elf64_Ehdr) ||
	    (f = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0)) == MAP_FAILED) {
		close(fd);
		return 0;
	}
	close(fd);
	h = (const Elf64_Ehdr *)f;
	if (h->e_ident[EI_CLASS] != ELFCLASS64 || h->e_phentsize != sizeof(Elf64_Phdr) ||
	    h->e_phoff % 8 != 0 ||
	    !in_file(h->e_phoff, (uint64_t)h->e_phnum * sizeof(Elf64_Phdr), st.st_size))
		goto out;
	ph = (const Elf64_Phdr *)(f + h->e_phoff);
	for (unsigned i = 0; i < h->e_phnum; i++)
		if (ph[i].p_type == PT_DYNAMIC && ph[i].p_offset % 8 == 0 &&
		    in_file(ph[i].p_offset, ph[i].p_filesz, st.st_size)) {
			dyn = ph[i].p_offset;
			ndyn = ph[i].p_filesz / sizeof(Elf64_Dyn);
		}
	for (uint64_t k = 0; dyn != UINT64_MAX && k < ndyn; k++) {
		const Elf64_Dyn *d = (const Elf64_Dyn *)(f + dyn) + k;
		if (d->d_tag == DT_NULL)
			break;
		symtab = d->d_tag == DT_SYMTAB ? d->d_un.d_ptr : symtab;
		strtab = d->d_tag == DT_STRTAB ? d->d_un.d_ptr : strtab;
		strsz = d->d_tag == DT_STRSZ ? d->d_un.d_val : strsz;
		hash = d->d_tag == DT_HASH ? d->d_un.d_ptr : hash;
		gnu = d->d_tag == DT_GNU_HASH ? d->d_un.d_ptr : gnu;
	}
	if (!symtab || !strtab || symtab % 8 != 0 ||
	    (ostr = vaddr_off(ph, h->e_phnum, strtab, strsz, st.st_size)) == UINT64_MAX)
		goto out;
	nsym = dynsym_count(f, ph, h->e_phnum, st.st_size, hash, gnu, symtab, strtab);
	if (nsym > (uint64_t)st.st_size / sizeof(Elf64_Sym) ||
	    (osym = vaddr_off(ph, h->e_phnum, symtab, nsym * sizeof(Elf64_Sym), st.st_size)) ==
	        UINT64_MAX)
		goto out;
	/* only a hash table's count is sure to cover every defined symbol;
	 * without one, dlsym decides */
	*entry = hash || gnu ? 0 : -1;
	for (uint64_t k = 0; k < nsym; k++) {
		const Elf64_Sym *sym = (const Elf64_Sym *)(f + osym) + k;
		const char *nm = (const char *)f + ostr + sym->st_name;
		int hit = 0;
		if (sym->st_name >= strsz || !memchr(nm, '\0', strsz - sym->st_name))
			continue;
		if (sym->st_shndx != SHN_UNDEF) {
			/* dlsym finds a defined global or weak symbol of default
			 * or protected visibility */
			if (!strcmp(nm, AS_MODULE_ENTRY_NAME) &&
			    ELF64_ST_BIND(sym->st_info) != STB_LOCAL &&
			    (ELF64_ST_VISIBILITY(sym->st_other) == STV_DEFAULT ||
			     ELF64_ST_VISIBILITY(sym->st_other) == STV_PROTECTED))
				*entry = 1;
			continue;
		}
		for (size_t b = 0; b < sizeof(banned) / sizeof(banned[0]); b++)
			hit |= !strcmp(nm, banned[b]);
		for (size_t b = 0; b < sizeof(banned_prefix) / sizeof(banned_prefix[0]); b++)
			hit |= !strncmp(nm, banned_prefix[b], 4);
		if (hit && w < len) {
			w += (size_t)snprintf(out + w, len - w, "%s%s", n ? " " : "", nm);
			n++;
		}
	}
out:
	munmap((void *)f, (size_t)st.st_size);
	return n;
}

as_status_t as_module_load(const char *name, as_loaded_t *out, char *err, size_t errlen)
{
	as_status_t st;
	as_module_entry_fn entry;
	const as_module_t *m;
	const char *missing = NULL;
	uint32_t spec_size;
	/* fields of ABI v1 end at `trim` */
	const size_t need = offsetof(as_module_t, trim) + sizeof(m->trim);
	char shown[AS_SHOW_WORD];
	const char *who;

	memset(out, 0, sizeof(*out));
	st = as_module_resolve(name, out->path, sizeof(out->path), err, errlen);
	if (st != AS_OK)
		return st;
	who = path_word(out->path, shown); /* messages end with their reason */
	{
		char why[160];
		if (elf_header_check(out->path, why, sizeof(why)) != 0) {
			snprintf(err, errlen, "%s: %s", who, why);
			return AS_ERR_NOT_SO;
		}
	}
	{
		char names[256];
		int entry_found;
		int nimports = scan_dynsym(out->path, &entry_found, names, sizeof(names));
		/* a library or program that is not a module at all imports malloc
		 * too: that it lacks the entry is the reason to give */
		if (entry_found == 0) {
			snprintf(
			    err, errlen,
			    "%s: entry symbol '%s' not found: not an allocscope module (or its "
			    "entry is not exported)",
			    who, AS_MODULE_ENTRY_NAME);
			return AS_ERR_NO_ENTRY;
		}
		if (nimports) {
			snprintf(
			    err, errlen,
			    "%s: imports %s: under RTLD_LOCAL those calls go to glibc's malloc, "
			    "not to the allocator the module wraps (call its own functions; a "
			    "module "
			    "meaning glibc looks them up in libc.so.6, as allocators/glibc.c does)",
			    who, names);
			return AS_ERR_IMPORTS;
		}
	}
	out->handle = dlopen(out->path, RTLD_NOW | RTLD_LOCAL);
	if (!out->handle) {
		const char *e = dlerror();
		char es[AS_SHOW_MAX];
		struct statvfs vfs;
		snprintf(err, errlen, "%s: cannot be loaded: %s", who,
		         e ? as_show(e, es) : "dlopen failed");
		/* ld.so's "failed to map segment" does not say why: a module
		 * built in a /tmp or home mounted noexec, as hardened
		 * machines mount them for their users */
		if (statvfs(out->path, &vfs) == 0 && (vfs.f_flag & ST_NOEXEC)) {
			size_t n = strlen(err);
			snprintf(err + n, errlen - n,
			         " (its file system is mounted noexec: put the module elsewhere)");
		}
		return AS_ERR_NOT_SO;
	}
	*(void **)&entry = dlsym(out->handle, AS_MODULE_ENTRY_NAME);
	if (!entry) {
		snprintf(err, errlen,
		         "%s: entry symbol '%s' not found: not an allocscope module (or its "
		         "entry is not exported)",
		         who, AS_MODULE_ENTRY_NAME);
		st = AS_ERR_NO_ENTRY;
		goto out_close;
	}
	m = entry();
	if (!m) {
		snprintf(err, errlen, "%s: entry symbol returned NULL", who);
		st = AS_ERR_NO_ENTRY;
		goto out_close;
	}
	if (m->abi_version != AS_MODULE_ABI_VERSION) {
		snprintf(err, errlen, "%s: ABI version %u, this allocscope speaks %u", who,
		         m->abi_version, AS_MODULE_ABI_VERSION);
		st = AS_ERR_ABI_VERSION;
		goto out_close;
	}
	if (m->struct_size < need) {
		snprintf(err, errlen, "%s: vtable struct is %u bytes, ABI %u needs at least %zu",
		         who, m->struct_size, AS_MODULE_ABI_VERSION, need);
		st = AS_ERR_STRUCT_SIZE;
		goto out_close;
	}
	if (!m->name || !*m->name)
		missing = "name";
	else if (!m->create)
		missing = "create";
	else if (!m->destroy)
		missing = "destroy";
	else if (!m->alloc)
		missing = "alloc";
	else if (!m->free)
		missing = "free";
	else if ((m->caps & AS_CAP_RESET) && !m->reset)
		missing = "reset (AS_CAP_RESET is set)";
	else if (m->nparams > 0 && !m->params)
		missing = "params (nparams > 0)";
	if (missing) {
		snprintf(err, errlen, "%s: required operation '%s' is missing", who, missing);
		st = AS_ERR_MISSING_OP;
		goto out_close;
	}
	/* a file found by name stands for that name in every result: one named
	 * after another module (a glibc.so earlier on the search path) must not
	 * pass for it */
	if (!as_module_is_path(name) && strcmp(m->name, name)) {
		char ms[AS_SHOW_MAX], ns[AS_SHOW_MAX];
		snprintf(err, errlen,
		         "%s: found by the name '%s' but its vtable calls it '%s' (a module "
		         "looked up by name must carry that name; rename the file or give "
		         "its path)",
		         who, as_show(name, ns), as_show(m->name, ms));
		st = AS_ERR_NAME_MISMATCH;
		goto out_close;
	}
	spec_size = as_module_param_spec_size(m);
	if (m->nparams > 0 &&
	    (spec_size < AS_PARAM_SPEC_SIZE_V1 || spec_size % _Alignof(as_param_spec_t))) {
		snprintf(err, errlen,
		         "%s: param spec entries are %u bytes, params version 1 needs a multiple "
		         "of %zu and at least %u",
		         who, spec_size, _Alignof(as_param_spec_t), AS_PARAM_SPEC_SIZE_V1);
		st = AS_ERR_STRUCT_SIZE;
		goto out_close;
	}
	out->mod = m;
	return AS_OK;

out_close:
	dlclose(out->handle);
	out->handle = NULL;
	return st;
}

uint32_t as_module_param_spec_size(const as_module_t *m)
{
	return AS_MODULE_HAS(m, param_spec_size) ? m->param_spec_size : AS_PARAM_SPEC_SIZE_V1;
}

uint32_t as_module_params_version(const as_module_t *m)
{
	return AS_MODULE_HAS(m, params_version) ? m->params_version : 1;
}

void as_module_param(const as_module_t *m, uint32_t i, as_param_spec_t *out)
{
	size_t step = as_module_param_spec_size(m);
	memset(out, 0, sizeof(*out));
	memcpy(out, (const char *)m->params + (size_t)i * step,
	       step < sizeof(*out) ? step : sizeof(*out));
}

int as_module_keys_declared(const as_module_t *mod, const struct as_spec *module, char *err,
                            size_t errlen)
{
	for (size_t k = 0; k < module->nkv; k++) {
		const char *key = module->kv[k].key;
		size_t klen = strlen(key);
		int w, known = 0;
		for (uint32_t i = 0; i < mod->nparams && !known; i++) {
			as_param_spec_t p;
			as_module_param(mod, i, &p);
			known = p.key && !strcmp(p.key, key);
		}
		if (known)
			continue;
		/* as allocscope_params.h words it: a long key cut, the known
		 * keys kept */
		w = snprintf(err, errlen, "unknown key '%.*s%s' (%s", (int)(klen > 64 ? 64 : klen),
		             key, klen > 64 ? "..." : "",
		             mod->nparams ? "known:" : "it declares no params");
		for (uint32_t i = 0; i < mod->nparams && w > 0 && (size_t)w < errlen; i++) {
			as_param_spec_t p;
			as_module_param(mod, i, &p);
			w += snprintf(err + w, errlen - (size_t)w, " %s", p.key ? p.key : "?");
		}
		if (w > 0 && (size_t)w < errlen)
			snprintf(err + w, errlen - (size_t)w, ")");
		return -1;
	}
	return 0;
}

const char *as_module_suggest_param(const as_module_t *mod, const struct as_spec *module, char *out,
                                    size_t len)
{
	out[0] = '\0';
	for (size_t k = 0; k < module->nkv; k++) {
		as_suggest_t sg;
		int known = 0;
		as_suggest_init(&sg, module->kv[k].key);
		for (uint32_t i = 0; i < mod->nparams && !known; i++) {
			as_param_spec_t p;
			as_module_param(mod, i, &p);
			known = !strcmp(p.key, module->kv[k].key);
			as_suggest_add(&sg, p.key);
		}
		if (!known)
			return as_suggest_fmt(&sg, NULL, out, len);
	}
	return out;
}

/* scandir filter: a module file's name (NAME.so) */
static int is_so_name(const struct dirent *e)
{
	size_t l = strlen(e->d_name);
	return l >= 4 && !strcmp(e->d_name + l - 3, ".so");
}

void as_module_foreach(void (*fn)(const char *path, void *ctx), void *ctx)
{
	char dirs[16384];
	const char *env = getenv("ALLOCSCOPE_MODULE_PATH");
	char *save = NULL;
	snprintf(dirs, sizeof(dirs), "%s%s%s", env ? env : "", env ? ":" : "", as_module_dir());
	for (char *d = strtok_r(dirs, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
		/* by name, each folder: `list`, the suite and the suggestions in
		 * one order on every machine (readdir's is the file system's);
		 * only the .so names are copied (the exec shim's bootstrap
		 * memory serves them when a module is not found) */
		struct dirent **e;
		int n = scandir(d, &e, is_so_name, alphasort);
		for (int i = 0; i < n; i++) {
			char p[PATH_MAX];
			snprintf(p, sizeof(p), "%s/%s", d, e[i]->d_name);
			fn(p, ctx);
			free(e[i]);
		}
		if (n > 0)
			free(e);
	}
}

int as_find_preload(const char *name, char *out, size_t len)
{
	char exe[PATH_MAX], real[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		char *slash;
		exe[n] = '\0';
		slash = strrchr(exe, '/');
		if (slash)
			*slash = '\0';
		snprintf(out, len, "%s/../lib/allocscope-preload/%s", exe, name);
		if (is_file(out)) {
			if (realpath(out, real))
				snprintf(out, len, "%s", real);
			return 0;
		}
	}
	snprintf(out, len, "%s/%s", AS_INSTALL_PRELOAD_DIR, name);
	return is_file(out) ? 0 : -1;
}
