// Test support for the fuzz targets: a property that must hold aborts the run with a message, so
// libFuzzer records the input that broke it (assert() would vanish under NDEBUG).
#pragma once

#include <cstdio>
#include <cstdlib>

#define WEFT_FUZZ_CHECK(condition)                                                          \
  do {                                                                                      \
    if (!(condition)) {                                                                     \
      std::fprintf(stderr, "%s:%d: property failed: %s\n", __FILE__, __LINE__, #condition); \
      std::abort();                                                                         \
    }                                                                                       \
  } while (false)
