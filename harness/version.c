/* version.c - see version.h. as_version.h is written into the build tree by
 * cmake/AllocscopeVersion.cmake at every build. */
#include "version.h"

#include "as_version.h"

#ifndef AS_PROJECT_VERSION
#define AS_PROJECT_VERSION "unknown"
#endif
#ifndef AS_BUILD_TYPE
#define AS_BUILD_TYPE "unknown"
#endif

const char *as_version(void)
{
	return AS_PROJECT_VERSION " (git " AS_GIT_REVISION ", " AS_BUILD_TYPE ")";
}

const char *as_version_git(void)
{
	return AS_GIT_REVISION;
}

const char *as_version_build_type(void)
{
	return AS_BUILD_TYPE;
}
