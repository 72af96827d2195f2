// The span clock: wall-clock time in nanoseconds since the Unix epoch, as OTLP wants it.
//
// Every span reads it twice, and clock_gettime(CLOCK_REALTIME) costs 20-30 ns even through the
// vDSO (in a VM it serializes the time-stamp counter read and scales it). Where the kernel itself
// keeps time with the TSC (so the counter is invariant and synchronized across CPUs), weft reads
// the counter directly and scales it with a calibration it refreshes every 10 ms from
// CLOCK_REALTIME (the offset) and CLOCK_MONOTONIC (the rate, over a baseline of 20 ms at first,
// then one to two seconds): within a fraction of a microsecond of clock_gettime, following NTP's rate changes and
// clock steps within 10 ms, at about a third of the cost. Elsewhere, and with WEFT_CLOCK=system,
// it is clock_gettime.
#pragma once

#include <time.h>

#include <atomic>
#include <chrono>
#include <cstdint>

#if defined(__x86_64__)
#include <x86intrin.h>
#define WEFT_TSC_CLOCK 1
#endif

namespace weft::detail {

inline std::uint64_t system_now_unix_nano() noexcept {
  timespec now;
  clock_gettime(CLOCK_REALTIME, &now);
  return static_cast<std::uint64_t>(now.tv_sec) * 1000000000ULL +
         static_cast<std::uint64_t>(now.tv_nsec);
}

#if WEFT_TSC_CLOCK
__extension__ typedef unsigned __int128 Uint128;  // for products of 64-bit values

// Published as a sequence lock: readers retry through the slow path when `sequence` is odd or
// changed while they read. All fields are atomics, so a torn read is impossible, only stale.
struct TscCalibration {
  std::atomic<std::uint64_t> sequence{0};
  std::atomic<std::uint64_t> tsc_base{0};
  std::atomic<std::uint64_t> unix_base{0};       // CLOCK_REALTIME at tsc_base
  std::atomic<std::uint64_t> ns_per_tick_q32{0};  // nanoseconds per tick, 32.32 fixed point
  std::atomic<std::uint64_t> valid_ticks{0};      // from tsc_base; 0 until calibrated
  std::atomic<bool> unusable{false};  // set once the TSC is found unfit: clock_gettime directly
};
extern TscCalibration tsc_calibration;

// The counter's time, when the calibration is usable and current; false otherwise (then
// now_unix_nano_slowly() has the time). Separate, so that a caller can keep that call out of its
// common path: a call in the middle of a function makes it save registers on every run.
inline bool try_now_unix_nano(std::uint64_t& now) noexcept {
  TscCalibration& calibration = tsc_calibration;
  if (__builtin_expect(calibration.unusable.load(std::memory_order_relaxed), 0)) return false;
  const std::uint64_t tsc = __rdtsc();
  // Acquire loads (plain loads on x86) keep the second read of `sequence` after the fields, with
  // no fence: ThreadSanitizer does not model fences.
  const std::uint64_t sequence = calibration.sequence.load(std::memory_order_acquire);
  const std::uint64_t base = calibration.tsc_base.load(std::memory_order_acquire);
  const std::uint64_t unix_base = calibration.unix_base.load(std::memory_order_acquire);
  const std::uint64_t rate = calibration.ns_per_tick_q32.load(std::memory_order_acquire);
  const std::uint64_t valid = calibration.valid_ticks.load(std::memory_order_acquire);
  const std::uint64_t elapsed = tsc - base;  // huge when tsc < base: slow path
  if (__builtin_expect(elapsed < valid && (sequence & 1) == 0 &&
                           calibration.sequence.load(std::memory_order_relaxed) == sequence,
                       1)) {
    now = unix_base + static_cast<std::uint64_t>((static_cast<Uint128>(elapsed) * rate) >> 32);
    return true;
  }
  return false;
}

// clock_gettime, refreshing the calibration when it is due.
std::uint64_t now_unix_nano_slowly() noexcept;

inline std::uint64_t now_unix_nano() noexcept {
  std::uint64_t now;
  return try_now_unix_nano(now) ? now : now_unix_nano_slowly();
}
#else
inline bool try_now_unix_nano(std::uint64_t& now) noexcept {
  now = system_now_unix_nano();
  return true;
}
inline std::uint64_t now_unix_nano_slowly() noexcept { return system_now_unix_nano(); }
inline std::uint64_t now_unix_nano() noexcept { return system_now_unix_nano(); }
#endif

inline std::uint64_t to_unix_nano(std::chrono::system_clock::time_point time) noexcept {
  const auto since_epoch =
      std::chrono::duration_cast<std::chrono::nanoseconds>(time.time_since_epoch()).count();
  return since_epoch < 0 ? 0 : static_cast<std::uint64_t>(since_epoch);
}

}  // namespace weft::detail
