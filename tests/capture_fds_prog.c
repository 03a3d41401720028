/* capture_fds_prog.c - the program test_capture_fds traces: it allocates,
 * then does what daemons and tools such as ssh do with file descriptors:
 * closes every one from 3 up (closefrom), opens files of its own on the
 * numbers the capture library had taken (900 and up), changes directory,
 * and allocates on: on this thread, on a new one and in a forked child.
 * Not a test by itself. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#define N 30000

static void churn(size_t size)
{
	void *volatile p;
	for (int i = 0; i < N; i++) {
		p = malloc(size + (size_t)(i % 16));
		free(p);
	}
}

static void *thread_main(void *arg)
{
	(void)arg;
	churn(48);
	return NULL;
}

int main(void)
{
	pthread_t t;
	pid_t pid;
	int fd;
	churn(24);
	closefrom(3);
	fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
	for (int n = 900; fd >= 0 && n < 916; n++)
		dup2(fd, n); /* the program's own files on the library's numbers */
	if (chdir("/") != 0)
		return 1;
	churn(32);
	if (pthread_create(&t, NULL, thread_main, NULL) != 0 || pthread_join(t, NULL) != 0)
		return 1;
	pid = fork();
	if (pid == 0) {
		churn(64);
		_exit(0);
	}
	if (pid < 0 || waitpid(pid, NULL, 0) != pid)
		return 1;
	churn(40);
	return 0;
}
