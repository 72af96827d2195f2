// The random numbers behind trace and span ids: splitmix64 over a per-thread, randomly seeded
// state. Inline, so the span start path makes its ids without a call: no lock, no shared cache
// line. The child of a fork() re-seeds the forking thread's generator, so parent and child never
// produce the same sequence.
#pragma once

#include <cstdint>

#include "weft/ids.h"

namespace weft::detail {

struct ThreadGenerator {
  std::uint64_t state;
  bool seeded;
};

inline thread_local ThreadGenerator tls_generator{0, false};

void seed_this_thread() noexcept;

inline std::uint64_t next_random() noexcept {
  ThreadGenerator& generator = tls_generator;
  if (__builtin_expect(!generator.seeded, 0)) seed_this_thread();
  std::uint64_t z = (generator.state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

// Ids are never all zero (that is the invalid id).
inline TraceId next_trace_id() noexcept {
  for (;;) {
    const std::uint64_t high = next_random();
    const std::uint64_t low = next_random();
    if (high != 0 || low != 0) return TraceId::from_words(high, low);
  }
}

inline SpanId next_span_id() noexcept {
  for (;;) {
    const std::uint64_t value = next_random();
    if (value != 0) return SpanId::from_word(value);
  }
}

}  // namespace weft::detail
