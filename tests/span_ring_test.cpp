// The per-thread span queue (export/span_ring.h): it holds at most its limit, keeps spans in order
// across the segments it grows into, stays small for a thread that queues little, gives memory
// back once a burst is drained, and hands spans over intact between two real threads.
#include <algorithm>
#include <atomic>
#include <cstdint>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <thread>

#include <gtest/gtest.h>

#include "export/span_ring.h"
#include "runtime/prefetch.h"
#include "weft/diagnostics.h"

namespace weft::detail {
namespace {

// Queues span number `sequence` (in its start time); false when the ring is full.
bool push(SpanRing& ring, std::uint64_t sequence) {
  QueuedSpan* slot = ring.claim();
  if (slot == nullptr) return false;
  slot->record = nullptr;
  slot->extension_slots = 0;
  slot->start_time_unix_nano = sequence;
  ring.publish(1 + slot->extension_slots);
  return true;
}

// Consumes up to `max` spans, checking that they come in order from `next`.
std::size_t pop(SpanRing& ring, std::size_t max, std::uint64_t& next) {
  return ring.consume(max, [&](const QueuedSpan& slot, const SlotRun&) {
    EXPECT_EQ(slot.start_time_unix_nano, next);
    ++next;
  });
}

TEST(SpanRingTest, HoldsExactlyItsLimitAcrossTheSegmentsItGrowsInto) {
  for (std::size_t limit : {1u, 5u, 64u, 100u, 1000u, 2048u}) {
    SpanRing ring(limit);
    std::uint64_t pushed = 0;
    while (push(ring, pushed)) ++pushed;
    EXPECT_EQ(pushed, limit);
    EXPECT_EQ(ring.size(), limit);
    EXPECT_EQ(ring.allocated_slots(), limit) << "filled from empty, no slot beyond the limit";
    std::uint64_t next = 0;
    EXPECT_EQ(pop(ring, limit + 10, next), limit);
    EXPECT_EQ(ring.size(), 0u);
    EXPECT_TRUE(push(ring, next)) << "room again once drained";
  }
}

TEST(SpanRingTest, AThreadThatQueuesLittleKeepsOneSmallSegment) {
  SpanRing ring(2048);
  std::uint64_t pushed = 0, next = 0;
  for (int round = 0; round < 5000; ++round) {
    for (int i = 0; i < 40; ++i) ASSERT_TRUE(push(ring, pushed++));
    ASSERT_EQ(pop(ring, 2048, next), 40u);
  }
  EXPECT_EQ(ring.allocated_slots(), SpanRing::kFirstSegment);
}

// A consumer that drains the queue each time a backlog of the same size builds up (an export
// thread woken at a batch's worth, a little late each time): once the queue has grown to hold
// that backlog, it stops allocating segments.
TEST(SpanRingTest, ARecurringBacklogStopsAllocatingOnceTheQueueHoldsIt) {
  SpanRing ring(2048);
  std::uint64_t pushed = 0, next = 0;
  std::size_t added_after_warm_up = 0;
  for (int round = 0; round < 200; ++round) {
    for (int i = 0; i < 1200; ++i) ASSERT_TRUE(push(ring, pushed++));
    ASSERT_EQ(pop(ring, 2048, next), 1200u);
    if (round == 2) added_after_warm_up = ring.segments_added();
  }
  EXPECT_EQ(ring.segments_added(), added_after_warm_up);
  EXPECT_LE(ring.allocated_slots(), 2048u);
}

TEST(SpanRingTest, ABurstGrowsTheQueueAndDrainingItFreesTheOldSegments) {
  SpanRing ring(4096);
  std::uint64_t pushed = 0, next = 0;
  while (pushed < 3000) ASSERT_TRUE(push(ring, pushed++));
  const std::size_t at_peak = ring.allocated_slots();
  EXPECT_GE(at_peak, 3000u);
  // Drained in pieces, with spans queued in between: order is kept across segment boundaries.
  while (next < pushed) {
    pop(ring, 77, next);
    if (pushed < 3500) {
      ASSERT_TRUE(push(ring, pushed++));
    }
  }
  EXPECT_EQ(next, 3500u);
  EXPECT_LT(ring.allocated_slots(), at_peak) << "drained segments are freed";
  EXPECT_LE(ring.allocated_slots(), 2048u) << "only the segment in use is left";
}

// Any mix of pushes and partial drains: never more than the limit waiting, never more than
// twice the limit allocated (an old segment being drained plus new ones sized to the room left),
// and every span in order.
TEST(SpanRingTest, UnderAnyMixOfPushesAndDrainsTheBoundsHold) {
  std::mt19937 random(20261125);
  for (std::size_t limit : {7u, 100u, 2048u}) {
    SpanRing ring(limit);
    std::uint64_t pushed = 0, next = 0;
    std::size_t most_allocated = 0;
    for (int step = 0; step < 4000; ++step) {
      const std::size_t pushes = random() % (limit + 1);
      for (std::size_t i = 0; i < pushes; ++i) {
        const bool room = pushed - next < limit;
        ASSERT_EQ(push(ring, pushed), room) << "refused only at the limit";
        if (room) ++pushed;
      }
      pop(ring, random() % (limit + 1), next);
      ASSERT_LE(ring.size(), limit);
      ASSERT_EQ(ring.size(), pushed - next);
      most_allocated = std::max(most_allocated, ring.allocated_slots());
      ASSERT_LE(ring.allocated_slots(), 2 * limit);
    }
    EXPECT_GT(most_allocated, limit) << "the sequence did reach the case with old segments";
  }
}

// The reviewer's sequence: a half-drained old segment while the next ones fill.
TEST(SpanRingTest, MemoryStaysUnderTwiceTheLimitWhileAnOldSegmentDrains) {
  SpanRing ring(2048);
  std::uint64_t pushed = 0, next = 0;
  const auto push_n = [&](int count) {
    for (int i = 0; i < count; ++i) ASSERT_TRUE(push(ring, pushed++));
  };
  push_n(1984);
  pop(ring, 960, next);
  push_n(1);
  pop(ring, 1023, next);
  push_n(1024);
  EXPECT_LE(ring.allocated_slots(), 2 * 2048u);
  EXPECT_EQ(ring.size(), pushed - next);
}

TEST(SpanRingTest, SpansStillQueuedAcrossSegmentsWhenTheQueueGoesAreCounted) {
  const std::uint64_t before = diagnostics().spans_dropped_after_shutdown;
  {
    SpanRing ring(1000);
    for (std::uint64_t i = 0; i < 500; ++i) ASSERT_TRUE(push(ring, i));
    std::uint64_t next = 0;
    pop(ring, 100, next);
  }
  EXPECT_EQ(diagnostics().spans_dropped_after_shutdown, before + 400);
}

TEST(SpanRingTest, SpansPassIntactBetweenAProducerAndAConsumerThread) {
  constexpr std::uint64_t kSpans = 300000;
  SpanRing ring(1024);
  std::atomic<bool> done{false};
  std::uint64_t refused = 0;
  std::thread producer([&] {
    for (std::uint64_t sequence = 0; sequence < kSpans;) {
      if (push(ring, sequence)) {
        ++sequence;
      } else {
        ++refused;
        std::this_thread::yield();
      }
    }
    done.store(true);
  });
  std::uint64_t next = 0;
  while (next < kSpans) {
    if (pop(ring, 100, next) == 0) {
      if (done.load() && ring.size() == 0) break;
      std::this_thread::yield();
    }
  }
  producer.join();
  EXPECT_EQ(next, kSpans) << refused << " pushes were refused by a full queue and retried";
  EXPECT_EQ(ring.size(), 0u);
}

// The queue asks for its slots with PREFETCHW only where the CPU has it (else a plain prefetch);
// Linux lists the CPUID bit (0x80000001 ECX bit 8) as "3dnowprefetch".
TEST(SpanRingTest, PrefetchwIsDetectedExactlyWhereTheCpuHasIt) {
#if defined(__x86_64__) || defined(__i386__)
  std::ifstream cpuinfo("/proc/cpuinfo");
  std::string line;
  bool listed = false, read_flags = false;
  while (!read_flags && std::getline(cpuinfo, line)) {
    if (line.rfind("flags", 0) != 0) continue;
    read_flags = true;
    std::istringstream flags(line.substr(line.find(':') + 1));
    for (std::string flag; flags >> flag;) listed = listed || flag == "3dnowprefetch";
  }
  if (!read_flags) GTEST_SKIP() << "no flags line in /proc/cpuinfo";
  EXPECT_EQ(cpu_has_prefetchw.load(), listed);
#else
  EXPECT_FALSE(cpu_has_prefetchw.load());
#endif
}

}  // namespace
}  // namespace weft::detail
