// W3C traceparent: every parsing rule of the Trace Context specification (and the cases of the
// W3C test suite), and formatting as version 00.
#include <gtest/gtest.h>

#include <cstdio>
#include <random>
#include <string>

#include "weft/propagation.h"

namespace weft {
namespace {

constexpr const char* kValid = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
constexpr const char* kTraceHex = "4bf92f3577b34da6a3ce929d0e0e4736";
constexpr const char* kSpanHex = "00f067aa0ba902b7";

std::string with_version(const std::string& version) {
  return version + "-" + kTraceHex + "-" + kSpanHex + "-01";
}

TEST(TraceparentTest, ParsesAValidHeader) {
  const auto context = parse_traceparent(kValid);
  ASSERT_TRUE(context);
  EXPECT_EQ(context->trace_id.to_hex(), kTraceHex);
  EXPECT_EQ(context->span_id.to_hex(), kSpanHex);
  EXPECT_EQ(context->flags.value(), 0x01);
  EXPECT_TRUE(context->is_sampled());
  EXPECT_TRUE(context->is_remote);
  EXPECT_TRUE(context->trace_state.empty());
}

TEST(TraceparentTest, FormatsVersion00AndRoundTrips) {
  EXPECT_EQ(format_traceparent(*parse_traceparent(kValid)), kValid);
  const std::string unsampled = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00";
  EXPECT_EQ(format_traceparent(*parse_traceparent(unsampled)), unsampled);

  SpanContext context;
  context.trace_id = TraceId::from_words(0x0123456789abcdefULL, 0xfedcba9876543210ULL);
  context.span_id = SpanId::from_word(0x1);
  context.flags = TraceFlags(TraceFlags::kSampled | TraceFlags::kRandom);
  const std::string text = format_traceparent(context);
  EXPECT_EQ(text, "00-0123456789abcdeffedcba9876543210-0000000000000001-03");
  const auto parsed = parse_traceparent(text);
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->trace_id, context.trace_id);
  EXPECT_EQ(parsed->span_id, context.span_id);
  EXPECT_EQ(parsed->flags, context.flags);
}

TEST(TraceparentTest, InvalidContextsFormatAsEmpty) {
  EXPECT_EQ(format_traceparent(SpanContext()), "");
  SpanContext no_span;
  no_span.trace_id = TraceId::from_words(1, 2);
  EXPECT_EQ(format_traceparent(no_span), "");
  SpanContext no_trace;
  no_trace.span_id = SpanId::from_word(3);
  EXPECT_EQ(format_traceparent(no_trace), "");
}

TEST(TraceparentTest, RejectsInvalidVersions) {
  EXPECT_FALSE(parse_traceparent(with_version("ff"))) << "version ff is forbidden";
  EXPECT_FALSE(parse_traceparent(with_version("FF")));
  EXPECT_FALSE(parse_traceparent(with_version("0A"))) << "uppercase hex";
  EXPECT_FALSE(parse_traceparent(with_version("0g")));
  EXPECT_FALSE(parse_traceparent(with_version(".0")));
  EXPECT_FALSE(parse_traceparent(with_version("0.")));
  EXPECT_FALSE(parse_traceparent(with_version("0"))) << "version too short";
  EXPECT_FALSE(parse_traceparent(with_version("000"))) << "version too long";
  EXPECT_FALSE(parse_traceparent(with_version("0000")));
}

TEST(TraceparentTest, RejectsWrongFieldLengths) {
  const char* invalid[] = {
      "",
      "00",
      "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-0",    // flags too short
      "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-001",  // flags too long
      "00-4bf92f3577b34da6a3ce929d0e0e473-00f067aa0ba902b7-01",    // trace id 31 digits
      "00-4bf92f3577b34da6a3ce929d0e0e47361-00f067aa0ba902b7-01",  // trace id 33 digits
      "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b-01",    // parent id 15 digits
      "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b71-01",  // parent id 17 digits
      "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7",      // no flags
      "00-4bf92f3577b34da6a3ce929d0e0e4736",
  };
  for (const char* header : invalid) EXPECT_FALSE(parse_traceparent(header)) << header;
}

TEST(TraceparentTest, Version00MustBeExactly55Characters) {
  EXPECT_FALSE(parse_traceparent(std::string(kValid) + "-"));
  EXPECT_FALSE(parse_traceparent(std::string(kValid) + "."));
  EXPECT_FALSE(parse_traceparent(std::string(kValid) + "-what-the-future-will-be-like"));
  EXPECT_FALSE(parse_traceparent(std::string(kValid) + "," + kValid)) << "two headers joined";
}

TEST(TraceparentTest, RejectsMissingOrWrongSeparators) {
  const char* invalid[] = {
      "00_4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
      "00-4bf92f3577b34da6a3ce929d0e0e4736_00f067aa0ba902b7-01",
      "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7_01",
      "004bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-",
      "00-4bf92f3577b34da6a3ce929d0e0e473600f067aa0ba902b7-01-",
      "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b701-",
  };
  for (const char* header : invalid) EXPECT_FALSE(parse_traceparent(header)) << header;
}

TEST(TraceparentTest, RejectsNonLowercaseHex) {
  const char* invalid[] = {
      "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",  // uppercase trace id
      "00-4bf92f3577b34da6a3ce929d0e0e4736-00F067AA0BA902B7-01",  // uppercase parent id
      "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-0A",  // uppercase flags
      "00-.bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
      "00-4bf92f3577b34da6a3ce929d0e0e473g-00f067aa0ba902b7-01",
      "00-4bf92f3577b34da6a3ce929d0e0e4736-.0f067aa0ba902b7-01",
      "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902bz-01",
      "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-.0",
      "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-0.",
      "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7- 1",
      "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-+1",
  };
  for (const char* header : invalid) EXPECT_FALSE(parse_traceparent(header)) << header;
}

TEST(TraceparentTest, RejectsAllZeroIds) {
  EXPECT_FALSE(parse_traceparent("00-00000000000000000000000000000000-00f067aa0ba902b7-01"));
  EXPECT_FALSE(parse_traceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01"));
  EXPECT_FALSE(parse_traceparent("cc-00000000000000000000000000000000-00f067aa0ba902b7-01"));
  EXPECT_TRUE(parse_traceparent("00-00000000000000000000000000000001-0000000000000001-00"))
      << "one non-zero bit is enough";
}

TEST(TraceparentTest, AcceptsFutureVersionsAndIgnoresTheirExtraFields) {
  const auto plain = parse_traceparent(with_version("cc"));
  ASSERT_TRUE(plain);
  EXPECT_EQ(plain->trace_id.to_hex(), kTraceHex);
  EXPECT_EQ(plain->span_id.to_hex(), kSpanHex);
  EXPECT_TRUE(plain->is_remote);
  EXPECT_TRUE(parse_traceparent(with_version("01")));
  EXPECT_TRUE(parse_traceparent(with_version("fe")));

  const auto extended = parse_traceparent(with_version("cc") + "-what-the-future-will-be-like");
  ASSERT_TRUE(extended);
  EXPECT_EQ(*extended, *plain);
  EXPECT_TRUE(parse_traceparent(with_version("cc") + "-")) << "flags followed by a dash";
  EXPECT_EQ(format_traceparent(*extended), kValid) << "re-emitted as version 00";
}

TEST(TraceparentTest, FutureVersionsStillFollowTheVersion00Layout) {
  EXPECT_FALSE(parse_traceparent(with_version("cc") + ".what-the-future-will-be-like"))
      << "after the flags, a dash or the end";
  EXPECT_FALSE(parse_traceparent(with_version("cc") + "0"));
  EXPECT_FALSE(parse_traceparent("cc-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7"))
      << "shorter than 55";
  EXPECT_FALSE(parse_traceparent("cc-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01"));
  EXPECT_FALSE(parse_traceparent("cc-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-0x-"));
  EXPECT_FALSE(parse_traceparent("cc-4bf92f3577b34da6a3ce929d0e0e47-3600f067aa0ba902b7-01-"));
}

TEST(TraceparentTest, KeepsSampledAndRandomFlagsAndClearsReservedOnes) {
  const std::string prefix = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-";
  EXPECT_EQ(parse_traceparent(prefix + "00")->flags.value(), 0x00);
  EXPECT_EQ(parse_traceparent(prefix + "01")->flags.value(), 0x01);
  EXPECT_EQ(parse_traceparent(prefix + "02")->flags.value(), 0x02);
  EXPECT_TRUE(parse_traceparent(prefix + "02")->flags.random());
  EXPECT_FALSE(parse_traceparent(prefix + "02")->is_sampled());
  EXPECT_EQ(parse_traceparent(prefix + "03")->flags.value(), 0x03);
  EXPECT_EQ(parse_traceparent(prefix + "ff")->flags.value(), 0x03);
  EXPECT_EQ(parse_traceparent(prefix + "09")->flags.value(), 0x01) << "mask, don't compare";
  EXPECT_EQ(parse_traceparent(prefix + "fc")->flags.value(), 0x00);

  SpanContext context = *parse_traceparent(kValid);
  context.flags = TraceFlags(0xff);
  EXPECT_EQ(format_traceparent(context), prefix + "03") << "reserved bits are never written";
}

TEST(TraceparentTest, IgnoresOptionalWhiteSpaceAroundTheValue) {
  const std::string valid = kValid;
  for (const std::string& header :
       {" " + valid, "\t" + valid, valid + " ", valid + "\t", "\t " + valid + " \t"}) {
    const auto context = parse_traceparent(header);
    ASSERT_TRUE(context) << "[" << header << "]";
    EXPECT_EQ(context->trace_id.to_hex(), kTraceHex);
  }
  EXPECT_FALSE(parse_traceparent("\n" + valid)) << "only spaces and tabs are OWS";
  EXPECT_FALSE(parse_traceparent(valid + "\r\n"));
  EXPECT_FALSE(parse_traceparent("00- 4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"));
  EXPECT_FALSE(parse_traceparent("   "));
}

TEST(TraceparentTest, NeverReadsOutsideTheGivenView) {
  // The view ends before the flags although the buffer continues: must be rejected, not read on.
  const std::string buffer = kValid;
  EXPECT_FALSE(parse_traceparent(std::string_view(buffer.data(), 54)));
  EXPECT_TRUE(parse_traceparent(std::string_view(buffer.data(), 55)));
  const std::string with_nul = std::string(kValid).replace(53, 1, std::string(1, '\0'));
  EXPECT_FALSE(parse_traceparent(with_nul));
}

// The layout is checked 16 characters at a time, and the ids decoded from digits already checked:
// every byte value in every position of a valid header must get the grammar's verdict, and a
// digit that is accepted must be decoded to its value.
TEST(TraceparentTest, EveryByteInEveryPositionGetsTheGrammarsVerdict) {
  const std::string valid = kValid;
  const auto is_lower_hex = [](int c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); };
  for (std::size_t at = 0; at < valid.size(); ++at) {
    for (int c = 0; c < 256; ++c) {
      std::string header = valid;
      header[at] = static_cast<char>(c);
      const bool dash_position = at == 2 || at == 35 || at == 52;
      // (A changed version digit makes a later version, which may be 55 characters long too.)
      const bool expected = dash_position ? c == '-' : is_lower_hex(c);
      const auto context = parse_traceparent(header);
      ASSERT_EQ(context.has_value(), expected) << "byte " << c << " at " << at;
      if (!context) continue;
      // What was accepted reads back as the same header (flags: only the known bits).
      const std::string written = format_traceparent(*context);
      if (at >= 53) {
        const int flags = std::stoi(header.substr(53), nullptr, 16);
        char hex[3];
        std::snprintf(hex, sizeof hex, "%02x", flags & 0x03);
        header.replace(53, 2, hex);
      }
      header.replace(0, 2, "00");
      EXPECT_EQ(written, header) << "byte " << c << " at " << at;
    }
  }
}

// Valid headers with random characters changed: parsing never reads out of bounds (the sanitizer
// builds check that), and whatever parses formats back to the same version-00 header.
TEST(TraceparentTest, MutatedHeadersKeepTheInvariants) {
  const std::string alphabet = "0123456789abcdefABF-. \t\xff";
  std::mt19937 random(777);
  for (int round = 0; round < 20000; ++round) {
    std::string header = round % 2 == 0 ? kValid : with_version("cc") + "-x";
    for (int changes = 1 + static_cast<int>(random() % 3); changes > 0; --changes) {
      const std::size_t at = random() % header.size();
      switch (random() % 3) {
        case 0:
          header[at] = alphabet[random() % alphabet.size()];
          break;
        case 1:
          header.erase(at, 1);
          break;
        default:
          header.insert(at, 1, alphabet[random() % alphabet.size()]);
          break;
      }
    }
    const auto context = parse_traceparent(header);
    if (!context) continue;
    EXPECT_TRUE(context->is_valid()) << header;
    EXPECT_TRUE(context->is_remote);
    EXPECT_EQ(parse_traceparent(format_traceparent(*context)), context) << header;
  }
}

}  // namespace
}  // namespace weft
