/* test_program_env.c - a program allocscope runs for the user sees the
 * user's environment, not the GLIBC_TUNABLES item allocscope re-executes
 * itself with (statictls.h) nor its marker: `capture` through the CLI, and
 * `tune --verify`'s runs through as_tune_verify (glibc configurations run
 * the program directly) after the re-exec the CLI does. `exec`:
 * test_exec.sh. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "statictls.h"
#include "tune.h"

/* 0 when the `env` output in path is clean, 1 when it holds the harness's
 * tunable or marker (the line in what), -1 when there is none. */
static int leaked(const char *path, char *what, size_t len)
{
	FILE *f = fopen(path, "r");
	char line[4096];
	int n = 0, found = 0;
	snprintf(what, len, "%s: no environment written", path);
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		n++;
		if ((!strncmp(line, "GLIBC_TUNABLES=", 15) &&
		     strstr(line, "glibc.rtld.optional_static_tls")) ||
		    !strncmp(line, "ALLOCSCOPE_STATIC_TLS_ADDED=", 28)) {
			snprintf(what, len, "%s", line);
			found = 1;
		}
	}
	fclose(f);
	return n ? found : -1;
}

int main(int argc, char **argv)
{
	char tmp[] = "/tmp/progenv-test-XXXXXX", cmd[8192], path[4200], what[4096], err[512];
	const char *cli = getenv("ALLOCSCOPE"), *tun;
	char *prog[] = {"sh", "-c", cmd, NULL};
	as_spec_t base, rec;
	as_tune_point_t rp;
	as_tune_verified_t vf;
	(void)argc;
	as_static_tls_reexec(argv); /* as the CLI does */
	tun = getenv("GLIBC_TUNABLES");
	if (!tun || !strstr(tun, "glibc.rtld.optional_static_tls")) {
		printf("skipped: no re-exec with the static TLS tunable here "
		       "(ALLOCSCOPE_NO_REEXEC set?)\n");
		return 77;
	}
	if (!cli || !mkdtemp(tmp))
		return 1;

	/* capture, as a user starts it (the CLI re-executes itself) */
	snprintf(path, sizeof(path), "%s/capture.env", tmp);
	snprintf(cmd, sizeof(cmd),
	         "env -u GLIBC_TUNABLES -u ALLOCSCOPE_STATIC_TLS_ADDED %s capture -o %s/t.bin "
	         "-- sh -c 'env > %s' >/dev/null",
	         cli, tmp, path);
	CHECK(system(cmd) == 0);
	CHECKF(leaked(path, what, sizeof(what)) == 0, "capture: %s", what);

	/* tune --verify: the program under the baseline and a recommendation */
	snprintf(path, sizeof(path), "%s/verify.env", tmp);
	snprintf(cmd, sizeof(cmd), "env >> %s", path);
	memset(&rp, 0, sizeof(rp));
	rp.t_ratio = rp.r_ratio = 1;
	rp.t_lo = rp.r_lo = 0.99;
	rp.t_hi = rp.r_hi = 1.01;
	CHECK(as_spec_parse("glibc", AS_SPEC_MODULE, &base, err, sizeof(err)) == 0);
	CHECK(as_spec_parse("glibc:top_pad=8M", AS_SPEC_MODULE, &rec, err, sizeof(err)) == 0);
	CHECK(as_tune_verify(&base, &rec, &rp, prog, NULL, 2, tmp, &vf) == 0);
	CHECKF(leaked(path, what, sizeof(what)) == 0, "tune --verify: %s", what);
	as_spec_free(&base);
	as_spec_free(&rec);

	if (!as_checks_failed) {
		snprintf(cmd, sizeof(cmd), "rm -rf %s", tmp);
		CHECK(system(cmd) == 0);
	} else {
		fprintf(stderr, "kept %s\n", tmp);
	}
	return as_check_done();
}
