/* test_dir_lock_race.c - a results folder's lock when a refused claim
 * unlinks the lock file between another claim's open and its flock (a
 * review of session 24's unlink-on-refusal): flock wrapped at link time
 * unlinks the file just before the first lock is taken, as the refusing
 * process would. The claim must end holding the file the folder's path
 * names, not an unlinked inode a third run would never see. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../harness/results_dir.h"
#include "check.h"

int __real_flock(int fd, int op);
int __wrap_flock(int fd, int op);

static const char *unlink_once; /* the path to unlink at the next flock */

int __wrap_flock(int fd, int op)
{
	if (unlink_once) {
		unlink(unlink_once);
		unlink_once = NULL;
	}
	return __real_flock(fd, op);
}

int main(void)
{
	char dir[] = "/tmp/as_test_dir_lock_race.XXXXXX", lock[64], err[512];
	struct stat a, b;
	int fd;
	CHECK(mkdtemp(dir) != NULL);
	snprintf(lock, sizeof(lock), "%s/%s", dir, AS_DIR_LOCK);
	unlink_once = lock;
	fd = as_results_dir_claim(dir, AS_DIR_NEW, err, sizeof(err));
	CHECKF(fd >= 0, "claim: %s", err);
	CHECKF(fd >= 0 && fstat(fd, &a) == 0 && stat(lock, &b) == 0 && a.st_ino == b.st_ino &&
	           a.st_dev == b.st_dev,
	       "the lock held is not the file %s names", lock);
	/* a second claim sees the folder as taken */
	CHECK(as_results_dir_claim(dir, AS_DIR_NEW, err, sizeof(err)) < 0 &&
	      strstr(err, "another allocscope run is writing there"));
	as_results_dir_release(fd);
	unlink(lock);
	rmdir(dir);
	return as_check_done();
}
