#include "runtime/clock.h"

#if WEFT_TSC_CLOCK

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "runtime/fork_hooks.h"

namespace weft::detail {

TscCalibration tsc_calibration;

namespace {

constexpr std::uint64_t kRefreshNanos = 10'000'000;      // the offset is renewed this often
constexpr std::uint64_t kMinBaselineNanos = 20'000'000;  // the rate needs at least this much
constexpr std::uint64_t kRetryTicks = 1'000'000;  // between tries while warming up (~1 ms or less)
constexpr int kSampleTries = 3;
constexpr std::uint64_t kRotateNanos = 1'000'000'000;   // the rate's baseline: 1 to 2 s

std::uint64_t to_nanos(const timespec& time) {
  return static_cast<std::uint64_t>(time.tv_sec) * 1000000000ULL +
         static_cast<std::uint64_t>(time.tv_nsec);
}

// The counter is only as good as the kernel thinks: it keeps time with it only when it found it
// invariant and synchronized across CPUs.
bool kernel_keeps_time_with_tsc() {
  const char* choice = std::getenv("WEFT_CLOCK");
  if (choice != nullptr && std::strcmp(choice, "system") == 0) return false;
  std::FILE* file =
      std::fopen("/sys/devices/system/clocksource/clocksource0/current_clocksource", "r");
  if (file == nullptr) return false;
  char name[32] = {};
  const bool read = std::fgets(name, sizeof name, file) != nullptr;
  std::fclose(file);
  return read && std::strcmp(name, "tsc\n") == 0;
}

struct Sample {
  std::uint64_t tsc;
  std::uint64_t monotonic;
  std::uint64_t realtime;
};

// The narrowest of a few tries: a thread preempted between the counter and the clock reads would
// otherwise pair them microseconds (or more) apart, and the rate and offset would be off as much.
Sample take_sample() {
  Sample best{};
  std::uint64_t best_width = UINT64_MAX;
  for (int attempt = 0; attempt < kSampleTries; ++attempt) {
    timespec monotonic;
    timespec realtime;
    const std::uint64_t before = __rdtsc();
    clock_gettime(CLOCK_MONOTONIC, &monotonic);
    clock_gettime(CLOCK_REALTIME, &realtime);
    const std::uint64_t after = __rdtsc();
    if (after - before < best_width) {
      best_width = after - before;
      best = {before + (after - before) / 2, to_nanos(monotonic), to_nanos(realtime)};
    }
  }
  return best;
}

// Only the thread that holds `updating` touches the reference samples.
std::atomic<bool> updating{false};
bool have_reference = false;
std::uint64_t next_try_tsc = 0;  // while warming up, not every slow read samples again
Sample older{};  // the rate is measured from here: one to two seconds ago once running
Sample newer{};

void publish(const Sample& now, std::uint64_t rate, std::uint64_t valid_ticks) {
  TscCalibration& calibration = tsc_calibration;
  const std::uint64_t sequence = calibration.sequence.load(std::memory_order_relaxed);
  calibration.sequence.store(sequence + 1, std::memory_order_relaxed);
  // Release stores (plain stores on x86): a reader that sees any new field also sees the odd
  // sequence written before it, and retries.
  calibration.tsc_base.store(now.tsc, std::memory_order_release);
  calibration.unix_base.store(now.realtime, std::memory_order_release);
  calibration.ns_per_tick_q32.store(rate, std::memory_order_release);
  calibration.valid_ticks.store(valid_ticks, std::memory_order_release);
  calibration.sequence.store(sequence + 2, std::memory_order_release);
}

void recalibrate(std::uint64_t tsc) {
  if (tsc < next_try_tsc) return;
  next_try_tsc = tsc + kRetryTicks;
  const Sample now = take_sample();
  if (!have_reference || now.tsc <= older.tsc || now.monotonic <= older.monotonic) {
    older = newer = now;  // the first sample (or a counter that went back: start over)
    have_reference = true;
    return;
  }
  const std::uint64_t nanos = now.monotonic - older.monotonic;
  if (nanos < kMinBaselineNanos) return;
  const std::uint64_t rate = static_cast<std::uint64_t>(
      (static_cast<Uint128>(nanos) << 32) / (now.tsc - older.tsc));
  if (rate == 0) return;
  const std::uint64_t valid_ticks =
      static_cast<std::uint64_t>((static_cast<Uint128>(kRefreshNanos) << 32) / rate);
  publish(now, rate, valid_ticks);
  if (now.monotonic - newer.monotonic >= kRotateNanos) {
    older = newer;
    newer = now;
  }
}

// A fork() while another thread recalibrated leaves that thread's claim (and maybe an odd
// sequence) in the child, where the thread does not exist.
void reset_in_child() noexcept {
  updating.store(false, std::memory_order_relaxed);
  have_reference = false;  // the reference samples may have been half written
  next_try_tsc = 0;
  TscCalibration& calibration = tsc_calibration;
  const std::uint64_t sequence = calibration.sequence.load(std::memory_order_relaxed);
  if ((sequence & 1) != 0) {
    calibration.valid_ticks.store(0, std::memory_order_relaxed);
    calibration.sequence.store(sequence + 1, std::memory_order_release);
  }
}

bool tsc_clock_usable() noexcept {
  static const bool usable = [] {
    if (!kernel_keeps_time_with_tsc()) {
      tsc_calibration.unusable.store(true, std::memory_order_relaxed);
      return false;
    }
    install_fork_handlers(ForkStage::kClock, {nullptr, nullptr, &reset_in_child});
    return true;
  }();
  return usable;
}

}  // namespace

std::uint64_t now_unix_nano_slowly() noexcept {
  if (tsc_clock_usable() && !updating.exchange(true, std::memory_order_acquire)) {
    recalibrate(__rdtsc());
    updating.store(false, std::memory_order_release);
  }
  return system_now_unix_nano();
}

}  // namespace weft::detail

#endif
