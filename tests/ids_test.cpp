// Trace and span ids: hex round trips, validity, and generation (unique, never zero, and different
// in a fork()ed child than in its parent).
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <optional>
#include <set>
#include <string>

#include <gtest/gtest.h>

#include "weft/ids.h"

namespace weft {
namespace {

TEST(TraceIdTest, DefaultIsAllZeroAndInvalid) {
  TraceId id;
  EXPECT_FALSE(id.is_valid());
  EXPECT_EQ(id.to_hex(), std::string(32, '0'));
}

TEST(TraceIdTest, HexRoundTripKeepsWireOrder) {
  auto id = TraceId::from_hex("4bf92f3577b34da6a3ce929d0e0e4736");
  ASSERT_TRUE(id.has_value());
  EXPECT_TRUE(id->is_valid());
  EXPECT_EQ(id->bytes()[0], 0x4b);
  EXPECT_EQ(id->bytes()[15], 0x36);
  EXPECT_EQ(id->high(), 0x4bf92f3577b34da6ULL);
  EXPECT_EQ(id->low(), 0xa3ce929d0e0e4736ULL);
  EXPECT_EQ(id->to_hex(), "4bf92f3577b34da6a3ce929d0e0e4736");
  EXPECT_EQ(TraceId::from_words(id->high(), id->low()), *id);
}

TEST(TraceIdTest, RejectsUppercaseWrongLengthAndNonHex) {
  EXPECT_FALSE(TraceId::from_hex("4BF92F3577B34DA6A3CE929D0E0E4736").has_value());
  EXPECT_FALSE(TraceId::from_hex("4bf92f3577b34da6a3ce929d0e0e473").has_value());
  EXPECT_FALSE(TraceId::from_hex("4bf92f3577b34da6a3ce929d0e0e47366").has_value());
  EXPECT_FALSE(TraceId::from_hex("4bf92f3577b34da6a3ce929d0e0e473g").has_value());
  auto zero = TraceId::from_hex(std::string(32, '0'));
  ASSERT_TRUE(zero.has_value());
  EXPECT_FALSE(zero->is_valid());
}

TEST(SpanIdTest, HexRoundTripAndValidity) {
  auto id = SpanId::from_hex("00f067aa0ba902b7");
  ASSERT_TRUE(id.has_value());
  EXPECT_EQ(id->word(), 0x00f067aa0ba902b7ULL);
  EXPECT_EQ(id->to_hex(), "00f067aa0ba902b7");
  EXPECT_TRUE(id->is_valid());
  EXPECT_FALSE(SpanId::from_hex("0000000000000000")->is_valid());
  EXPECT_FALSE(SpanId::from_hex("00F067AA0BA902B7").has_value());
}

TEST(TraceFlagsTest, SampledAndRandomBits) {
  TraceFlags flags(0x03);
  EXPECT_TRUE(flags.sampled());
  EXPECT_TRUE(flags.random());
  EXPECT_EQ(flags.with_sampled(false).value(), 0x02);
  EXPECT_EQ(TraceFlags().with_sampled(true).value(), 0x01);
}

TEST(IdGenerationTest, GeneratedIdsAreValidAndDistinct) {
  std::set<TraceId> traces;
  std::set<SpanId> spans;
  for (int i = 0; i < 10000; ++i) {
    TraceId trace = generate_trace_id();
    SpanId span = generate_span_id();
    EXPECT_TRUE(trace.is_valid());
    EXPECT_TRUE(span.is_valid());
    traces.insert(trace);
    spans.insert(span);
  }
  EXPECT_EQ(traces.size(), 10000u);
  EXPECT_EQ(spans.size(), 10000u);
}

// Every bit of a trace id, and every bit of the difference (XOR) between one id and the next, is
// set in half of many ids: a generator whose output follows its state (a counter, a weak mix)
// leaves some bit of the difference fixed. 100,000 ids: a bit set in 50% +- 0.8% (5 standard
// deviations) passes.
TEST(IdGenerationTest, EveryBitOfTheIdsAndOfTheirDifferencesIsSetHalfTheTime) {
  constexpr int kIds = 100000;
  std::array<int, 128> set_in_id{};
  std::array<int, 128> set_in_difference{};
  std::array<int, 64> set_in_span_difference{};
  TraceId previous = generate_trace_id();
  SpanId previous_span = generate_span_id();
  for (int i = 0; i < kIds; ++i) {
    const TraceId id = generate_trace_id();
    const SpanId span = generate_span_id();
    for (int bit = 0; bit < 64; ++bit) {
      set_in_id[bit] += static_cast<int>((id.high() >> bit) & 1);
      set_in_id[64 + bit] += static_cast<int>((id.low() >> bit) & 1);
      set_in_difference[bit] += static_cast<int>(((id.high() ^ previous.high()) >> bit) & 1);
      set_in_difference[64 + bit] += static_cast<int>(((id.low() ^ previous.low()) >> bit) & 1);
      set_in_span_difference[bit] +=
          static_cast<int>(((span.word() ^ previous_span.word()) >> bit) & 1);
    }
    previous = id;
    previous_span = span;
  }
  constexpr int kLow = kIds / 2 - 800;
  constexpr int kHigh = kIds / 2 + 800;
  for (int bit = 0; bit < 128; ++bit) {
    EXPECT_TRUE(set_in_id[bit] > kLow && set_in_id[bit] < kHigh)
        << "trace id bit " << bit << ": " << set_in_id[bit];
    EXPECT_TRUE(set_in_difference[bit] > kLow && set_in_difference[bit] < kHigh)
        << "trace id difference bit " << bit << ": " << set_in_difference[bit];
  }
  for (int bit = 0; bit < 64; ++bit) {
    EXPECT_TRUE(set_in_span_difference[bit] > kLow && set_in_span_difference[bit] < kHigh)
        << "span id difference bit " << bit << ": " << set_in_span_difference[bit];
  }
}

TEST(IdGenerationTest, ForkedChildGeneratesDifferentIdsThanParent) {
  generate_span_id();  // the generator of this thread is seeded before the fork
  int pipe_fds[2];
  ASSERT_EQ(pipe(pipe_fds), 0);
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    std::uint64_t ids[64];
    for (auto& id : ids) id = generate_span_id().word();
    ssize_t written = write(pipe_fds[1], ids, sizeof ids);
    _exit(written == static_cast<ssize_t>(sizeof ids) ? 0 : 1);
  }
  close(pipe_fds[1]);
  std::uint64_t parent_ids[64];
  for (auto& id : parent_ids) id = generate_span_id().word();
  std::uint64_t child_ids[64];
  size_t received = 0;
  while (received < sizeof child_ids) {
    ssize_t n = read(pipe_fds[0], reinterpret_cast<char*>(child_ids) + received,
                     sizeof child_ids - received);
    ASSERT_GT(n, 0);
    received += static_cast<size_t>(n);
  }
  close(pipe_fds[0]);
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  std::set<std::uint64_t> parent_set(std::begin(parent_ids), std::end(parent_ids));
  for (std::uint64_t id : child_ids) EXPECT_EQ(parent_set.count(id), 0u) << std::hex << id;
}

// The ids' hex goes through 16-digit SIMD blocks: every byte value, in every position of a block,
// must be accepted or rejected exactly as the W3C grammar says (lowercase hex only), and every
// byte value must encode to its two digits.
TEST(HexTest, EveryCharacterInEveryPositionIsJudgedByTheGrammar) {
  const auto is_lower_hex = [](int c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); };
  for (std::size_t position = 0; position < 16; ++position) {
    for (int c = 0; c < 256; ++c) {
      std::string hex = "0123456789abcdef";
      hex[position] = static_cast<char>(c);
      const std::optional<SpanId> id = SpanId::from_hex(hex);
      ASSERT_EQ(id.has_value(), is_lower_hex(c)) << "byte " << c << " at " << position;
      if (id) {
        EXPECT_EQ(id->to_hex(), hex);
        const int digit = c <= '9' ? c - '0' : c - 'a' + 10;
        const std::uint8_t byte = id->bytes()[position / 2];
        EXPECT_EQ(position % 2 == 0 ? byte >> 4 : byte & 0x0f, digit);
      }
    }
  }
}

TEST(HexTest, EveryByteValueEncodesToItsTwoDigits) {
  const char* const digits = "0123456789abcdef";
  for (int value = 0; value < 256; ++value) {
    std::array<std::uint8_t, TraceId::kSize> bytes{};
    for (std::size_t i = 0; i < bytes.size(); ++i) {
      bytes[i] = static_cast<std::uint8_t>(value + 37 * i);
    }
    const std::string hex = TraceId(bytes).to_hex();
    ASSERT_EQ(hex.size(), 32u);
    for (std::size_t i = 0; i < bytes.size(); ++i) {
      EXPECT_EQ(hex[2 * i], digits[bytes[i] >> 4]);
      EXPECT_EQ(hex[2 * i + 1], digits[bytes[i] & 0x0f]);
    }
    EXPECT_EQ(TraceId::from_hex(hex), TraceId(bytes));
  }
}

}  // namespace
}  // namespace weft
