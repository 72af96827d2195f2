// The random numbers behind trace and span ids: wyrand over a per-thread, randomly seeded state.
// Inline, so the span start path makes its ids without a call: no lock, no shared cache line. The
// child of a fork() re-seeds the forking thread's generator, so parent and child never produce the
// same sequence.
//
// wyrand replaced splitmix64 here: one 64x64->128 multiply per number instead of two dependent
// multiplies and three shifts (a non-sampled root, which needs three numbers, went from 6.5 to
// 5.6 ns). Its output passes the same statistical batteries. Unlike splitmix64's it is not a
// bijection of the state, so two states can give the same number, as two draws from any random
// source can: ids stay unique with the probability of random 64- and 128-bit numbers, which is
// what W3C Trace Context and OpenTelemetry ask for (neither asks for unpredictable ids).
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

// wyrand's output function: the state times itself with half its bits flipped, the product's two
// halves folded together.
__extension__ typedef unsigned __int128 RandomProduct;  // GCC and Clang on 64-bit targets

inline std::uint64_t mix_state(std::uint64_t z) noexcept {
  const RandomProduct product = static_cast<RandomProduct>(z) * (z ^ 0xe7037ed1a0b428dbULL);
  return static_cast<std::uint64_t>(product >> 64) ^ static_cast<std::uint64_t>(product);
}

// What one step adds to the state (odd, so the state runs through all 2^64 values).
constexpr std::uint64_t kStep = 0xa0761d6478bd642fULL;

// Advances `generator` by `count` steps and returns its state before them: the numbers are
// mix_state(state + k * kStep) for k = 1..count, which the caller computes side by side
// instead of one after the other through memory.
inline std::uint64_t advance(ThreadGenerator& generator, std::uint64_t count) noexcept {
  const std::uint64_t state = generator.state;
  generator.state = state + count * kStep;
  return state;
}

// advance() on the calling thread's generator, seeding it first if need be.
inline std::uint64_t take_steps(std::uint64_t count) noexcept {
  ThreadGenerator& generator = tls_generator;
  if (__builtin_expect(!generator.seeded, 0)) seed_this_thread();
  return advance(generator, count);
}

inline std::uint64_t next_random() noexcept { return mix_state(take_steps(1) + kStep); }

// take_steps() for a path that must not make a call: false, and no step taken, if the generator
// is not seeded yet (the caller then takes its general path, which seeds it).
inline bool try_take_steps(std::uint64_t count, std::uint64_t& state) noexcept {
  ThreadGenerator& generator = tls_generator;
  if (__builtin_expect(!generator.seeded, 0)) return false;
  state = advance(generator, count);
  return true;
}

// Ids are never all zero (that is the invalid id): the zero output of a step is skipped.
inline TraceId next_trace_id() noexcept {
  for (;;) {
    const std::uint64_t state = take_steps(2);
    const std::uint64_t high = mix_state(state + kStep);
    const std::uint64_t low = mix_state(state + 2 * kStep);
    if (__builtin_expect(high != 0 || low != 0, 1)) return TraceId::from_words(high, low);
  }
}

inline SpanId next_span_id() noexcept {
  for (;;) {
    const std::uint64_t value = next_random();
    if (__builtin_expect(value != 0, 1)) return SpanId::from_word(value);
  }
}

// A new root's two ids from the three numbers after `state` (three steps taken); false, once in
// 2^64, when one of them would be the invalid all-zero id.
inline bool root_ids_after(std::uint64_t state, TraceId& trace_id, SpanId& span_id) noexcept {
  const std::uint64_t high = mix_state(state + kStep);
  const std::uint64_t low = mix_state(state + 2 * kStep);
  const std::uint64_t span = mix_state(state + 3 * kStep);
  if (__builtin_expect((high == 0 && low == 0) || span == 0, 0)) return false;
  trace_id = TraceId::from_words(high, low);
  span_id = SpanId::from_word(span);
  return true;
}

// A new root's two ids in one step of the generator.
inline void next_root_ids(TraceId& trace_id, SpanId& span_id) noexcept {
  if (!root_ids_after(take_steps(3), trace_id, span_id)) {
    trace_id = next_trace_id();
    span_id = next_span_id();
  }
}

}  // namespace weft::detail
