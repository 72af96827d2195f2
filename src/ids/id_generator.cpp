// Random ids from a per-thread generator: splitmix64 over a per-thread, randomly seeded state. No
// lock and no shared cache line on the span path. The child of a fork() re-seeds the forking
// thread's generator (pthread_atfork), so parent and child never produce the same sequence.
#include <pthread.h>
#include <sys/random.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>

#include "weft/ids.h"

namespace weft {
namespace {

struct ThreadGenerator {
  std::uint64_t state;
  bool seeded;
};

thread_local ThreadGenerator tls_generator{0, false};

std::uint64_t random_seed() noexcept {
  std::uint64_t seed = 0;
  if (getrandom(&seed, sizeof seed, GRND_NONBLOCK) == static_cast<ssize_t>(sizeof seed)) {
    return seed;
  }
  // No entropy yet (very early boot): mix what differs between threads and processes.
  const auto now = static_cast<std::uint64_t>(
      std::chrono::high_resolution_clock::now().time_since_epoch().count());
  return now ^ (static_cast<std::uint64_t>(getpid()) << 32) ^
         reinterpret_cast<std::uintptr_t>(&tls_generator);
}

void reseed_in_child() noexcept {
  tls_generator.state = random_seed();
  tls_generator.seeded = true;
}

void seed_this_thread() noexcept {
  static const bool fork_handler_installed = [] {
    pthread_atfork(nullptr, nullptr, &reseed_in_child);
    return true;
  }();
  (void)fork_handler_installed;
  tls_generator.state = random_seed();
  tls_generator.seeded = true;
}

inline std::uint64_t next_random() noexcept {
  ThreadGenerator& generator = tls_generator;
  if (__builtin_expect(!generator.seeded, 0)) seed_this_thread();
  std::uint64_t z = (generator.state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

}  // namespace

TraceId generate_trace_id() noexcept {
  for (;;) {
    const std::uint64_t high = next_random();
    const std::uint64_t low = next_random();
    if (high != 0 || low != 0) return TraceId::from_words(high, low);
  }
}

SpanId generate_span_id() noexcept {
  for (;;) {
    const std::uint64_t value = next_random();
    if (value != 0) return SpanId::from_word(value);
  }
}

}  // namespace weft
