/* version.h - what this allocscope binary is: the project version, the git
 * revision of the tree it was built from (taken at build time), the build
 * type. `--version`, `list` and context.csv print the same string. */
#ifndef AS_VERSION_H
#define AS_VERSION_H

/* "0.1.0 (git 0170607abcde, RelWithDebInfo)"; static storage, thread-safe. */
const char *as_version(void);

/* The git revision alone ("unknown" outside a git checkout). */
const char *as_version_git(void);

/* The CMake build type alone. */
const char *as_version_build_type(void);

#endif /* AS_VERSION_H */
