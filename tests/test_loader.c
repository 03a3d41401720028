/* test_loader.c - every refusal of the module loader, each against a
 * deliberately broken module, with its own status and a one-line message
 * naming the file and the reason; plus lookup by name and search path. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
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

	CHECK(load("broken_no_entry.so", err, sizeof(err)) == AS_ERR_NO_ENTRY);
	CHECK(strstr(err, "broken_no_entry.so") && strstr(err, "allocscope_module"));

	CHECK(load("broken_abi.so", err, sizeof(err)) == AS_ERR_ABI_VERSION);
	CHECK(strstr(err, "broken_abi.so") && strstr(err, "ABI version 99"));

	CHECK(load("broken_small.so", err, sizeof(err)) == AS_ERR_STRUCT_SIZE);
	CHECK(strstr(err, "broken_small.so") && strstr(err, "16 bytes"));

	CHECK(load("broken_no_alloc.so", err, sizeof(err)) == AS_ERR_MISSING_OP);
	CHECK(strstr(err, "broken_no_alloc.so") && strstr(err, "'alloc'"));

	/* every message is one line */
	CHECK(strchr(err, '\n') == NULL);

	/* by name from the build's module folder, and from the search path */
	CHECK(as_module_load("glibc", &lm, err, sizeof(err)) == AS_OK);
	CHECK(lm.mod && !strcmp(lm.mod->name, "glibc"));
	CHECK(as_module_load("broken_ok", &lm, err, sizeof(err)) == AS_ERR_NOT_FOUND);
	setenv("ALLOCSCOPE_MODULE_PATH", mods, 1);
	CHECK(as_module_load("broken_ok", &lm, err, sizeof(err)) == AS_OK);
	CHECK(as_module_load("nosuchmodule", &lm, err, sizeof(err)) == AS_ERR_NOT_FOUND);
	CHECK(strstr(err, "nosuchmodule") && strstr(err, mods));
	return as_check_done();
}
