// Seeding the per-thread id generators of ids/random.h, and the public id functions.
#include <pthread.h>
#include <sys/random.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>

#include "ids/random.h"

namespace weft {
namespace detail {
namespace {

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

}  // namespace

void seed_this_thread() noexcept {
  static const bool fork_handler_installed = [] {
    pthread_atfork(nullptr, nullptr, &reseed_in_child);
    return true;
  }();
  (void)fork_handler_installed;
  tls_generator.state = random_seed();
  tls_generator.seeded = true;
}

}  // namespace detail

TraceId generate_trace_id() noexcept { return detail::next_trace_id(); }

SpanId generate_span_id() noexcept { return detail::next_span_id(); }

}  // namespace weft
