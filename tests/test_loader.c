/* test_loader.c - every refusal of the module loader, each against a
 * deliberately broken module, with its own status and a one-line message
 * naming the file and the reason; plus lookup by name and search path, the
 * ABI's growth rules (AS_MODULE_HAS, param spec entry size, a module built
 * against the frozen v1 header) and AS_CAP_SINGLE_INSTANCE being honoured. */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "conformance.h"
#include "loader.h"

static char mods[4096];

static as_status_t load(const char *file, char *err, size_t errlen)
{
	char path[8192];
	as_loaded_t lm;
	as_status_t st;
	snprintf(path, sizeof(path), "%s/%s", mods, file);
	st = as_module_load(path, &lm, err, errlen);
	if (st == AS_OK) {
		char perr[256];
		void *inst;
		/* bad params: the module names the key */
		CHECK(lm.mod->create("nosuchkey=1", &inst, perr, sizeof(perr)) != 0);
		CHECK(strstr(perr, "nosuchkey") != NULL);
	}
	return st;
}

/* AS_MODULE_HAS and entry stepping on hand-made vtables: a struct that ends
 * before a field does not have it, a zero field is absent, and entries of a
 * larger (future) as_param_spec_t are read at the module's stride. */
static void abi_growth(void)
{
	typedef struct {
		as_param_spec_t s;
		uint64_t later_field; /* what a later params version might append */
	} spec_v2_t;
	static const spec_v2_t big[2] = {
	    {{"a", AS_PARAM_U64, "1", 0, 0, NULL, "first", 0}, 7},
	    {{"b", AS_PARAM_SIZE, "2k", 0, 0, NULL, "second", 0}, 8},
	};
	as_module_t m;
	as_param_spec_t p;

	memset(&m, 0, sizeof(m));
	m.param_spec_size = sizeof(spec_v2_t);
	m.params_version = 2;
	m.struct_size = (uint32_t)offsetof(as_module_t, param_spec_size);
	CHECK(!AS_MODULE_HAS(&m, param_spec_size) && !AS_MODULE_HAS(&m, params_version));
	CHECK(as_module_param_spec_size(&m) == AS_PARAM_SPEC_SIZE_V1);
	CHECK(as_module_params_version(&m) == 1);
	m.struct_size = (uint32_t)sizeof(m);
	CHECK(AS_MODULE_HAS(&m, param_spec_size) && AS_MODULE_HAS(&m, params_version));
	CHECK(AS_MODULE_HAS(&m, struct_size) && !AS_MODULE_HAS(&m, trim));
	m.param_spec_size = 0; /* present but unset: the v1 size */
	CHECK(as_module_param_spec_size(&m) == AS_PARAM_SPEC_SIZE_V1);
	m.param_spec_size = sizeof(spec_v2_t);
	m.nparams = 2;
	m.params = &big[0].s;
	as_module_param(&m, 1, &p);
	CHECK(!strcmp(p.key, "b") && p.type == AS_PARAM_SIZE && !strcmp(p.help, "second"));
}

/* A module built against tests/mods/abi_v1 (the header as version 1 first
 * shipped): loads, its params read at the v1 stride, it passes `check`. */
/* The conformance suite on a module file, through a parsed spec. */
static int check_path(const char *path, FILE *out)
{
	as_spec_t spec;
	int rc;
	if (as_spec_make(path, NULL, NULL, 0, &spec) != 0)
		return -1;
	rc = as_conformance_run(&spec, out, 0, 20, NULL);
	as_spec_free(&spec);
	return rc;
}

static void old_module(void)
{
	char path[8192], err[1024];
	as_loaded_t lm;
	as_param_spec_t p;
	FILE *null = fopen("/dev/null", "w");

	snprintf(path, sizeof(path), "%s/testmod_v1.so", mods);
	CHECKF(as_module_load(path, &lm, err, sizeof(err)) == AS_OK, "%s", err);
	if (!lm.mod)
		return;
	CHECK(lm.mod->struct_size < sizeof(as_module_t));
	CHECK(!AS_MODULE_HAS(lm.mod, param_spec_size));
	CHECK(as_module_param_spec_size(lm.mod) == AS_PARAM_SPEC_SIZE_V1);
	CHECK(lm.mod->nparams == 2);
	as_module_param(lm.mod, 1, &p);
	CHECK(!strcmp(p.key, "gap") && p.type == AS_PARAM_SIZE && !strcmp(p.defval, "0"));
	CHECK(check_path(path, null) == 0);

	snprintf(path, sizeof(path), "%s/testmod_single.so", mods);
	CHECKF(as_module_load(path, &lm, err, sizeof(err)) == AS_OK, "%s", err);
	CHECK(lm.mod && AS_MODULE_HAS(lm.mod, param_spec_size));
	CHECK(lm.mod && as_module_param_spec_size(lm.mod) == sizeof(as_param_spec_t));
	CHECK(lm.mod && (lm.mod->caps & AS_CAP_SINGLE_INSTANCE));
	/* the suite never creates a second live instance of a flagged module
	 * (this one aborts if it does) ... */
	CHECK(check_path(path, null) == 0);
	/* ... and catches the same module when it does not say so */
	snprintf(path, sizeof(path), "%s/testmod_single_unflagged.so", mods);
	CHECK(check_path(path, null) == 1);
	fclose(null);
}

/* `allocscope list` shows the flag with the other capabilities. */
static void list_shows_flag(void)
{
	char cmd[8192], line[4096];
	const char *cli = getenv("ALLOCSCOPE");
	int in_ref = 0, flagged = 0;
	FILE *f;
	if (!cli)
		return;
	snprintf(cmd, sizeof(cmd), "ALLOCSCOPE_MODULE_PATH= '%s' list", cli);
	f = popen(cmd, "r");
	CHECK(f != NULL);
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, "  ", 2) && line[2] != ' ')
			in_ref = !strncmp(line + 2, "refmalloc ", 10);
		if (in_ref && strstr(line, "capabilities:") && strstr(line, "single-instance"))
			flagged = 1;
	}
	CHECK(pclose(f) == 0);
	CHECK(flagged);
}

int main(void)
{
	char err[1024], path[8192];
	const char *build = getenv("ALLOCSCOPE_BUILD");
	as_loaded_t lm;
	FILE *f;

	if (!build) {
		fprintf(stderr, "ALLOCSCOPE_BUILD is not set (run through ctest)\n");
		return 2;
	}
	snprintf(mods, sizeof(mods), "%s/tests/mods", build);

	CHECK(load("broken_ok.so", err, sizeof(err)) == AS_OK);

	CHECK(load("does_not_exist.so", err, sizeof(err)) == AS_ERR_NOT_FOUND);
	CHECK(strstr(err, "does_not_exist.so") && strstr(err, "not found"));

	snprintf(path, sizeof(path), "%s/not_elf.so", mods);
	f = fopen(path, "w");
	CHECK(f != NULL);
	if (f) {
		fputs("this is not a shared object\n", f);
		fclose(f);
	}
	CHECK(load("not_elf.so", err, sizeof(err)) == AS_ERR_NOT_SO);
	CHECK(strstr(err, "not_elf.so") && strstr(err, "not a shared object"));
	unlink(path);

	/* another machine's, class's or byte order's module: the header says
	 * which (dlopen said "No such file or directory" for an aarch64 one) */
	{
#if defined(__aarch64__)
		const uint16_t other = 62; /* EM_X86_64 */
		const char *other_name = "built for x86-64, this allocscope runs on aarch64";
#else
		const uint16_t other = 183; /* EM_AARCH64 */
		const char *other_name = "built for aarch64, this allocscope runs on ";
#endif
		static const struct {
			long off;
			unsigned char byte;
			const char *why;
		} patch[] = {
		    {18, 0, NULL}, {4, 1, "a 32-bit ELF file for "}, {5, 2, "a big-endian ELF"}};
		for (int k = 0; k < 3; k++) {
			char cmd[17000];
			FILE *g;
			snprintf(cmd, sizeof(cmd), "cp '%s/broken_ok.so' '%s/other_%d.so'", mods,
			         mods, k);
			CHECK(system(cmd) == 0);
			snprintf(path, sizeof(path), "%s/other_%d.so", mods, k);
			g = fopen(path, "r+b");
			CHECK(g && fseek(g, patch[k].off, SEEK_SET) == 0 &&
			      (k == 0 ? fwrite(&other, 2, 1, g)
			              : fwrite(&patch[k].byte, 1, 1, g)) == 1);
			if (g)
				fclose(g);
			snprintf(cmd, sizeof(cmd), "other_%d.so", k);
			CHECKF(load(cmd, err, sizeof(err)) == AS_ERR_NOT_SO &&
			           strstr(err, k ? patch[k].why : other_name) &&
			           strstr(err, "other_") && !strchr(err, '\n'),
			       "%s", err);
			unlink(path);
		}
	}

	CHECK(load("broken_no_entry.so", err, sizeof(err)) == AS_ERR_NO_ENTRY);
	CHECK(strstr(err, "broken_no_entry.so") && strstr(err, "allocscope_module"));
	/* a file without the entry is not a module, whatever else it does: a
	 * library or a PIE program imports malloc too, and that is not the
	 * reason to give (the import check came first and blamed RTLD_LOCAL) */
	CHECK(load("broken_no_entry_imports.so", err, sizeof(err)) == AS_ERR_NO_ENTRY);
	CHECKF(strstr(err, "broken_no_entry_imports.so: entry symbol 'allocscope_module' not "
	                   "found: not an allocscope module"),
	       "%s", err);
	if (getenv("ALLOCSCOPE")) {
		/* the CLI itself: a PIE executable, ET_DYN as a library is */
		CHECK(as_module_load(getenv("ALLOCSCOPE"), &lm, err, sizeof(err)) ==
		      AS_ERR_NO_ENTRY);
		CHECKF(strstr(err, "not an allocscope module"), "%s", err);
	}

	CHECK(load("broken_abi.so", err, sizeof(err)) == AS_ERR_ABI_VERSION);
	CHECK(strstr(err, "broken_abi.so") && strstr(err, "ABI version 99"));

	CHECK(load("broken_small.so", err, sizeof(err)) == AS_ERR_STRUCT_SIZE);
	CHECK(strstr(err, "broken_small.so") && strstr(err, "16 bytes"));

	CHECK(load("broken_no_alloc.so", err, sizeof(err)) == AS_ERR_MISSING_OP);
	CHECK(strstr(err, "broken_no_alloc.so") && strstr(err, "'alloc'"));
	CHECK(strchr(err, '\n') == NULL);

	CHECK(load("broken_spec_size.so", err, sizeof(err)) == AS_ERR_STRUCT_SIZE);
	CHECK(strstr(err, "broken_spec_size.so") && strstr(err, "param spec entries are 8 bytes"));

	/* the import check reads the file's section headers: hostile offsets
	 * (wrapping past 2^64, unaligned) are not followed (the sanitizer
	 * build would see a read outside the mapping); dlopen needs none of
	 * them, so the module still loads */
	{
		static const uint64_t bad[] = {0xfffffffffffffff8ULL, 3};
		for (int k = 0; k < 2; k++) {
			char src[8300], dst[8300], cmd[17000];
			FILE *g;
			snprintf(src, sizeof(src), "%s/broken_ok.so", mods);
			snprintf(dst, sizeof(dst), "%s/hostile_%d.so", mods, k);
			snprintf(cmd, sizeof(cmd), "cp '%s' '%s'", src, dst);
			CHECK(system(cmd) == 0);
			g = fopen(dst, "r+b");
			CHECK(g && fseek(g, 0x28, SEEK_SET) == 0 && fwrite(&bad[k], 8, 1, g) == 1);
			if (g)
				fclose(g);
			snprintf(dst, sizeof(dst), "hostile_%d.so", k);
			CHECKF(load(dst, err, sizeof(err)) == AS_OK, "e_shoff %llu: %s",
			       (unsigned long long)bad[k], err);
			snprintf(cmd, sizeof(cmd), "rm -f '%s/hostile_%d.so'", mods, k);
			CHECK(system(cmd) == 0);
		}
	}
	/* a module cut short (an interrupted copy): its loadable segments
	 * pass the end of the file, and dlopen's mapping would die of a bus
	 * error, which read as a crash in a constructor (an outside review) */
	{
		char src[8300], dst[8300], cmd[17000];
		snprintf(src, sizeof(src), "%s/broken_ok.so", mods);
		snprintf(dst, sizeof(dst), "%s/cut_short.so", mods);
		snprintf(cmd, sizeof(cmd), "head -c 1000 '%s' > '%s'", src, dst);
		CHECK(system(cmd) == 0);
		CHECKF(load("cut_short.so", err, sizeof(err)) != AS_OK &&
		           strstr(err, "cut_short.so: truncated: the file has 1000 bytes"),
		       "%s", err);
		/* cut inside its program header table: the table's end, not
		 * UINT64_MAX (18446744073709551615 bytes, until a review) */
		snprintf(cmd, sizeof(cmd), "head -c 200 '%s' > '%s'", src, dst);
		CHECK(system(cmd) == 0);
		CHECKF(load("cut_short.so", err, sizeof(err)) != AS_OK &&
		           strstr(err, "cut_short.so: truncated: the file has 200 bytes") &&
		           !strstr(err, "18446744073709551615"),
		       "%s", err);
		unlink(dst);
	}
	/* the import check reads what dlopen reads (PT_DYNAMIC), so a module
	 * stripped of its section headers is checked too (until session 19's
	 * review it was not: e_shoff and e_shnum 0 loaded broken_imports) */
	{
		char cmd[17000];
		const uint64_t zero = 0;
		const uint16_t zero16 = 0;
		FILE *g;
		snprintf(cmd, sizeof(cmd), "cp '%s/broken_imports.so' '%s/noshdr_imports.so'", mods,
		         mods);
		CHECK(system(cmd) == 0);
		snprintf(path, sizeof(path), "%s/noshdr_imports.so", mods);
		g = fopen(path, "r+b");
		CHECK(g && fseek(g, 0x28, SEEK_SET) == 0 && fwrite(&zero, 8, 1, g) == 1 &&
		      fseek(g, 0x3c, SEEK_SET) == 0 && fwrite(&zero16, 2, 1, g) == 1 &&
		      fwrite(&zero16, 2, 1, g) == 1);
		if (g)
			fclose(g);
		CHECKF(load("noshdr_imports.so", err, sizeof(err)) == AS_ERR_IMPORTS &&
		           strstr(err, "imports malloc"),
		       "no section headers: %s", err);
		unlink(path);
	}

	/* a module that calls plain malloc: glibc's under RTLD_LOCAL, a row
	 * that measures glibc in its name (until session 19 it loaded) */
	CHECK(load("broken_imports.so", err, sizeof(err)) == AS_ERR_IMPORTS);
	CHECKF(
	    strstr(
	        err,
	        "broken_imports.so: imports malloc: under RTLD_LOCAL those calls go to glibc's") !=
	        NULL,
	    "%s", err);

	/* every message is one line */
	CHECK(strchr(err, '\n') == NULL);
	/* ... and by glibc's internal names, which reach the same heap (an
	 * outside review's module imported __libc_malloc and was measured as
	 * itself until session 20) */
	CHECK(load("broken_imports_libc.so", err, sizeof(err)) == AS_ERR_IMPORTS);
	CHECKF(strstr(err, "imports __libc_malloc") != NULL, "%s", err);

	/* by name from the build's module folder, and from the search path */
	CHECK(as_module_load("glibc", &lm, err, sizeof(err)) == AS_OK);
	CHECK(lm.mod && !strcmp(lm.mod->name, "glibc"));
	CHECK(as_module_load("broken_ok", &lm, err, sizeof(err)) == AS_ERR_NOT_FOUND);
	setenv("ALLOCSCOPE_MODULE_PATH", mods, 1);
	CHECK(as_module_load("testmod_v1", &lm, err, sizeof(err)) == AS_OK);
	/* found by the name broken_ok, but it calls itself "broken": refused,
	 * so a file named after another module cannot pass for it */
	CHECK(as_module_load("broken_ok", &lm, err, sizeof(err)) == AS_ERR_NAME_MISMATCH);
	CHECKF(strstr(err, "/broken_ok.so: found by the name 'broken_ok' but its vtable calls "
	                   "it 'broken'") &&
	           !strchr(err, '\n'),
	       "%s", err);
	CHECK(as_module_load("nosuchmodule", &lm, err, sizeof(err)) == AS_ERR_NOT_FOUND);
	CHECK(strstr(err, "nosuchmodule") && strstr(err, mods));
	unsetenv("ALLOCSCOPE_MODULE_PATH");

	/* a bare "NAME.so" is a path, the file in the current folder: dlopen
	 * alone would search the library path for it and not find it */
	{
		char here[4096];
		CHECK(getcwd(here, sizeof(here)) != NULL);
		CHECK(chdir(mods) == 0);
		CHECKF(as_module_load("testmod_v1.so", &lm, err, sizeof(err)) == AS_OK, "%s", err);
		CHECK(chdir(here) == 0);
	}

	abi_growth();
	old_module();
	list_shows_flag();
	return as_check_done();
}
