// The span clock against clock_gettime(CLOCK_REALTIME): every reading must fall between two
// system readings taken around it (with a small allowance for the calibration), on several
// threads at once, across the calibration's 10 ms refreshes, and in a fork()ed child.
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "runtime/clock.h"

namespace {

using weft::detail::now_unix_nano;
using weft::detail::system_now_unix_nano;

// The calibration may lag the system clock by the rate error over one 10 ms refresh (well under
// a microsecond) plus NTP's slew over the same time (at most 500 ppm: 5 us).
constexpr std::uint64_t kAllowedNanos = 20'000;

// Returns how many readings fell outside [before - allowance, after + allowance].
int count_bad_readings(std::chrono::milliseconds duration) {
  int bad = 0;
  const auto until = std::chrono::steady_clock::now() + duration;
  while (std::chrono::steady_clock::now() < until) {
    const std::uint64_t before = system_now_unix_nano();
    const std::uint64_t reading = now_unix_nano();
    const std::uint64_t after = system_now_unix_nano();
    if (reading + kAllowedNanos < before || reading > after + kAllowedNanos) ++bad;
  }
  return bad;
}

TEST(SpanClockTest, AgreesWithTheSystemClockAcrossRefreshes) {
  EXPECT_EQ(count_bad_readings(std::chrono::milliseconds(60)), 0);
}

TEST(SpanClockTest, AgreesOnSeveralThreadsAtOnce) {
  std::atomic<int> bad{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 3; ++i) {
    threads.emplace_back([&] { bad += count_bad_readings(std::chrono::milliseconds(40)); });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(bad.load(), 0);
}

TEST(SpanClockTest, AgreesInAForkedChild) {
  now_unix_nano();  // calibrated in the parent first
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) _exit(count_bad_readings(std::chrono::milliseconds(30)) == 0 ? 0 : 1);
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

TEST(SpanClockTest, AdvancesWithTime) {
  const std::uint64_t first = now_unix_nano();
  std::this_thread::sleep_for(std::chrono::milliseconds(15));
  const std::uint64_t second = now_unix_nano();
  EXPECT_GE(second - first, 14'000'000u);
  EXPECT_LT(second - first, 1'000'000'000u);
}

}  // namespace
