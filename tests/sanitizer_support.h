// Test support: what the sanitizer a test runs under cannot follow.
#pragma once

#include <gtest/gtest.h>

#if defined(__SANITIZE_THREAD__)
#define WEFT_UNDER_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define WEFT_UNDER_TSAN 1
#endif
#endif

// ThreadSanitizer does not support starting threads in the child of a multi-threaded fork()
// (its thread registry still holds the parent's threads and it aborts on a reused thread id).
// Tests whose forked children start threads run in the normal and ASan builds only.
#ifdef WEFT_UNDER_TSAN
#define WEFT_SKIP_WHEN_CHILD_THREADS_UNDER_TSAN() \
  GTEST_SKIP() << "ThreadSanitizer cannot follow threads started in a fork()ed child"
#else
#define WEFT_SKIP_WHEN_CHILD_THREADS_UNDER_TSAN() static_cast<void>(0)
#endif
