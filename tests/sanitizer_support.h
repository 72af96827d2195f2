// Test support: what the sanitizer a test runs under cannot follow.
#pragma once

#include <gtest/gtest.h>

#if defined(__SANITIZE_THREAD__) || defined(__SANITIZE_ADDRESS__)
#define WEFT_UNDER_THREAD_OR_ADDRESS_SANITIZER 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer) || __has_feature(address_sanitizer)
#define WEFT_UNDER_THREAD_OR_ADDRESS_SANITIZER 1
#endif
#endif

// Starting threads in the child of a multi-threaded fork() is beyond both sanitizers' runtimes:
// ThreadSanitizer aborts ("dup thread with used id": its registry still holds the parent's
// threads), and AddressSanitizer's thread start in such a child can block on a runtime lock that
// a parent thread held at the fork (seen: new threads stuck in pthread_getattr_np). Tests whose
// forked children start threads run in the normal build only; the fork paths without child
// threads (relaying children, spawn, the process pool's workers) still run under both.
#ifdef WEFT_UNDER_THREAD_OR_ADDRESS_SANITIZER
#define WEFT_SKIP_WHEN_FORKED_CHILDREN_START_THREADS() \
  GTEST_SKIP() << "the sanitizer's runtime cannot follow threads started in a fork()ed child"
#else
#define WEFT_SKIP_WHEN_FORKED_CHILDREN_START_THREADS() static_cast<void>(0)
#endif

// AddressSanitizer's allocator (GCC 12's libasan) takes no locks around fork(): a child forked
// while another thread is inside it can block on its first allocation. Tests that fork() a
// process with other threads running (weft::fork_process, the process pool) run in the normal and
// TSan builds only.
#if defined(__SANITIZE_ADDRESS__)
#define WEFT_UNDER_ADDRESS_SANITIZER 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define WEFT_UNDER_ADDRESS_SANITIZER 1
#endif
#endif
#ifdef WEFT_UNDER_ADDRESS_SANITIZER
#define WEFT_SKIP_FORK_OF_THREADED_PROCESS_UNDER_ASAN() \
  GTEST_SKIP() << "AddressSanitizer's allocator is not fork-safe with other threads running"
#else
#define WEFT_SKIP_FORK_OF_THREADED_PROCESS_UNDER_ASAN() static_cast<void>(0)
#endif
