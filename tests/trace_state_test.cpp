// W3C tracestate: keys, values, limits, duplicates, white space and the 512-character rule.
#include <gtest/gtest.h>

#include "weft/trace_state.h"

namespace weft {
namespace {

TEST(TraceStateTest, ParsesMembersInOrderWithOptionalWhiteSpace) {
  auto state = TraceState::parse("rojo=00f067aa0ba902b7 ,\tcongo=t61rcWkgMzE,, ");
  ASSERT_TRUE(state);
  ASSERT_EQ(state->size(), 2u);
  EXPECT_EQ(state->entries()[0].first, "rojo");
  EXPECT_EQ(state->get("congo"), std::optional<std::string_view>("t61rcWkgMzE"));
  EXPECT_EQ(state->to_header(), "rojo=00f067aa0ba902b7,congo=t61rcWkgMzE");
}

TEST(TraceStateTest, KeyRules) {
  EXPECT_TRUE(TraceState::is_valid_key("a"));
  EXPECT_TRUE(TraceState::is_valid_key("a0_-*/"));
  EXPECT_TRUE(TraceState::is_valid_key("0tenant@system"));
  EXPECT_TRUE(TraceState::is_valid_key(std::string(256, 'a')));
  EXPECT_FALSE(TraceState::is_valid_key(std::string(257, 'a')));
  EXPECT_FALSE(TraceState::is_valid_key("0abc")) << "a simple key starts with a letter";
  EXPECT_FALSE(TraceState::is_valid_key("Upper"));
  EXPECT_FALSE(TraceState::is_valid_key("tenant@0system"));
  EXPECT_FALSE(TraceState::is_valid_key("tenant@" + std::string(15, 's')));
  EXPECT_TRUE(TraceState::is_valid_key(std::string(241, 't') + "@" + std::string(14, 's')));
  EXPECT_FALSE(TraceState::is_valid_key(std::string(242, 't') + "@s"));
  EXPECT_FALSE(TraceState::is_valid_key(""));
}

TEST(TraceStateTest, ValueRules) {
  EXPECT_TRUE(TraceState::is_valid_value("value with spaces"));
  EXPECT_TRUE(TraceState::is_valid_value(std::string(256, 'v')));
  EXPECT_FALSE(TraceState::is_valid_value(std::string(257, 'v')));
  EXPECT_FALSE(TraceState::is_valid_value("trailing "));
  EXPECT_FALSE(TraceState::is_valid_value("a,b"));
  EXPECT_FALSE(TraceState::is_valid_value("a=b"));
  EXPECT_FALSE(TraceState::is_valid_value(""));
  EXPECT_FALSE(TraceState::is_valid_value("tab\t"));
}

TEST(TraceStateTest, InvalidHeadersAreRejectedWhole) {
  EXPECT_FALSE(TraceState::parse("a=1,b"));
  EXPECT_FALSE(TraceState::parse("a=1,a=2")) << "duplicate keys";
  EXPECT_FALSE(TraceState::parse("A=1"));
  EXPECT_FALSE(TraceState::parse("a=1,b=,"));
}

TEST(TraceStateTest, ThirtyTwoMembersAreFineThirtyThreeAreNot) {
  std::string header;
  for (int i = 0; i < 32; ++i) header += (i ? "," : "") + std::string("k") + std::to_string(i) + "=v";
  ASSERT_TRUE(TraceState::parse(header));
  EXPECT_EQ(TraceState::parse(header)->size(), 32u);
  EXPECT_FALSE(TraceState::parse(header + ",k32=v"));
}

TEST(TraceStateTest, LongHeadersAreShortenedToFiveHundredTwelve) {
  std::string header = "big=" + std::string(200, 'x');
  for (int i = 0; i < 20; ++i) header += ",k" + std::to_string(i) + "=" + std::string(20, 'v');
  auto state = TraceState::parse(header);
  ASSERT_TRUE(state);
  const std::string shortened = state->to_header();
  EXPECT_LE(shortened.size(), 512u);
  EXPECT_EQ(shortened.find("big="), std::string::npos) << "long members go first";
  EXPECT_EQ(shortened.rfind("k0=", 0), 0u);
}

TEST(TraceStateTest, SetMovesTheKeyToTheFront) {
  TraceState state = *TraceState::parse("a=1,b=2,c=3");
  TraceState updated = state.set("c", "9");
  EXPECT_EQ(updated.to_header(), "c=9,a=1,b=2");
  EXPECT_EQ(state.to_header(), "a=1,b=2,c=3") << "immutable";
  EXPECT_EQ(updated.remove("a").to_header(), "c=9,b=2");
  EXPECT_EQ(state.set("Bad", "x"), state);
}

}  // namespace
}  // namespace weft
