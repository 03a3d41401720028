/* asan.h - AS_UNDER_ASAN: 1 in a build under AddressSanitizer (gcc's
 * __SANITIZE_ADDRESS__ or clang's __has_feature), else 0. The sanitizer
 * owns malloc, adds its own mappings and system calls, and makes some
 * checks minutes long: code and tests that must know test this one macro. */
#ifndef AS_ASAN_H
#define AS_ASAN_H

#if defined(__SANITIZE_ADDRESS__)
#define AS_UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define AS_UNDER_ASAN 1
#endif
#endif
#ifndef AS_UNDER_ASAN
#define AS_UNDER_ASAN 0
#endif

/* AS_UNDER_TSAN: the same for ThreadSanitizer, which owns malloc too */
#if defined(__SANITIZE_THREAD__)
#define AS_UNDER_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define AS_UNDER_TSAN 1
#endif
#endif
#ifndef AS_UNDER_TSAN
#define AS_UNDER_TSAN 0
#endif

/* as_lsan_off: LeakSanitizer's check at exit off in this process (a
 * sanitizer build; nothing otherwise). util.c answers its hook. */
#if AS_UNDER_ASAN
void as_lsan_off(void);
#else
static inline void as_lsan_off(void)
{
}
#endif

#endif /* AS_ASAN_H */
