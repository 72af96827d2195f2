// W3C traceparent: every parsing rule of the Trace Context specification.
#include <gtest/gtest.h>

#include "weft/propagation.h"

namespace weft {
namespace {

constexpr const char* kValid = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

TEST(TraceparentTest, ParsesAValidHeader) {
  auto context = parse_traceparent(kValid);
  ASSERT_TRUE(context);
  EXPECT_EQ(context->trace_id.to_hex(), "4bf92f3577b34da6a3ce929d0e0e4736");
  EXPECT_EQ(context->span_id.to_hex(), "00f067aa0ba902b7");
  EXPECT_TRUE(context->is_sampled());
  EXPECT_TRUE(context->is_remote);
  EXPECT_EQ(format_traceparent(*context), kValid);
}

TEST(TraceparentTest, RejectsMalformedHeaders) {
  const char* invalid[] = {
      "",
      "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-0",       // short
      "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-",     // 00 must be exactly 55
      "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-011",
      "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",      // version ff
      "0g-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",      // non-hex version
      "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",      // uppercase
      "00-4bf92f3577b34da6a3ce929d0e0e4736-00F067AA0BA902B7-01",
      "00-00000000000000000000000000000000-00f067aa0ba902b7-01",      // zero trace id
      "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",      // zero parent id
      "00_4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",      // wrong separator
      "00-4bf92f3577b34da6a3ce929d0e0e4736_00f067aa0ba902b7-01",
      "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7_01",
      "00-4bf92f3577b34da6a3ce929d0e0e473x-00f067aa0ba902b7-01",
      "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-0x",
      " 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
      "01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01x",    // future: extra needs '-'
  };
  for (const char* header : invalid) EXPECT_FALSE(parse_traceparent(header)) << header;
}

TEST(TraceparentTest, AcceptsFutureVersionsAndIgnoresTheirExtraFields) {
  auto plain = parse_traceparent("cc-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
  ASSERT_TRUE(plain);
  auto extended =
      parse_traceparent("cc-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-what-the-future");
  ASSERT_TRUE(extended);
  EXPECT_EQ(extended->span_id, plain->span_id);
  EXPECT_EQ(format_traceparent(*extended).substr(0, 3), "00-") << "re-emitted as version 00";
}

TEST(TraceparentTest, KeepsSampledAndRandomFlagsOnly) {
  auto context = parse_traceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-ff");
  ASSERT_TRUE(context);
  EXPECT_EQ(context->flags.value(), 0x03);
  auto unsampled = parse_traceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00");
  ASSERT_TRUE(unsampled);
  EXPECT_FALSE(unsampled->is_sampled());
}

TEST(TraceparentTest, InvalidContextFormatsAsEmpty) {
  EXPECT_EQ(format_traceparent(SpanContext()), "");
}

}  // namespace
}  // namespace weft
