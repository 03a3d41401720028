/* statictls.c - see statictls.h: one re-exec at startup so that modules
 * whose library needs static TLS (jemalloc) can be dlopen()ed, and what
 * keeps that need out of the programs `exec` runs. */
#define _GNU_SOURCE
#include "statictls.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static const char key[] = "glibc.rtld.optional_static_tls=";
/* set (to "1") by the re-exec when it added the item: only then is it ours */
static const char added[] = "ALLOCSCOPE_STATIC_TLS_ADDED";

int as_static_tls_reexec(char **argv)
{
	const char *cur = getenv("GLIBC_TUNABLES");
	const char *off = getenv("ALLOCSCOPE_NO_REEXEC");
	char buf[2048];
	int n;

	if ((off && *off && strcmp(off, "0")) || (cur && strstr(cur, key)))
		return 0;
	n = snprintf(buf, sizeof(buf), "%s%s%s%d", cur ? cur : "", cur && *cur ? ":" : "", key,
	             AS_STATIC_TLS_BYTES);
	if (n < 0 || (size_t)n >= sizeof(buf) || setenv("GLIBC_TUNABLES", buf, 1) != 0 ||
	    setenv(added, "1", 1) != 0)
		return -1;
	execv("/proc/self/exe", argv);
	unsetenv(added);
	return -1;
}

int as_static_tls_strip(void)
{
	const char *cur = getenv("GLIBC_TUNABLES"), *at;
	char item[64], buf[2048];
	size_t il, before, after;

	if (!getenv(added))
		return 0;
	unsetenv(added);
	snprintf(item, sizeof(item), "%s%d", key, AS_STATIC_TLS_BYTES);
	il = strlen(item);
	/* the item as a whole list entry: between ':' separators or the ends */
	for (at = cur ? strstr(cur, item) : NULL; at; at = strstr(at + 1, item))
		if ((at == cur || at[-1] == ':') && (at[il] == ':' || at[il] == '\0'))
			break;
	if (!at)
		return 0;
	before = (size_t)(at - cur);
	after = strlen(at + il);
	if (before + after >= sizeof(buf))
		return -1;
	/* the entries before it and those after it, one separator between */
	if (at[il] == ':')
		snprintf(buf, sizeof(buf), "%.*s%s", (int)before, cur, at + il + 1);
	else
		snprintf(buf, sizeof(buf), "%.*s", before ? (int)before - 1 : 0, cur);
	if (!buf[0])
		return unsetenv("GLIBC_TUNABLES");
	return setenv("GLIBC_TUNABLES", buf, 1);
}

int as_static_tls_fits(const char *path)
{
	int status;
	pid_t pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		int devnull = open("/dev/null", O_WRONLY);
		if (devnull >= 0)
			dup2(devnull, 2);
		setenv("ALLOCSCOPE_NO_REEXEC", "1", 1);
		execl("/proc/self/exe", "allocscope", "__dlopen", path, (char *)NULL);
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	if (!WIFEXITED(status) || WEXITSTATUS(status) > 1)
		return -1;
	return WEXITSTATUS(status) == 0;
}

int as_static_tls_probe_main(const char *path)
{
	return dlopen(path, RTLD_NOW | RTLD_LOCAL) ? 0 : 1;
}
