// W3C Baggage: members, properties, percent-encoding, invalid members and limits.
#include <gtest/gtest.h>

#include "weft/baggage.h"

namespace weft {
namespace {

TEST(BaggageTest, ParsesMembersPropertiesAndWhiteSpace) {
  Baggage baggage = Baggage::parse(" user.id = 42 ; prop1;prop2=x , tenant=acme");
  ASSERT_EQ(baggage.size(), 2u);
  EXPECT_EQ(baggage.get("user.id"), std::optional<std::string_view>("42"));
  EXPECT_EQ(baggage.entries()[0].metadata, " prop1;prop2=x");
  EXPECT_EQ(baggage.get("tenant"), std::optional<std::string_view>("acme"));
}

TEST(BaggageTest, PercentEncodingRoundTripsIncludingUtf8) {
  Baggage baggage = Baggage().set("greeting", "hello, wörld;=%");
  const std::string header = baggage.to_header();
  EXPECT_EQ(header.find(' '), std::string::npos);
  EXPECT_EQ(header.find(';'), std::string::npos);
  EXPECT_EQ(Baggage::parse(header).get("greeting"),
            std::optional<std::string_view>("hello, wörld;=%"));
  EXPECT_EQ(Baggage::parse("k=a%20b").get("k"), std::optional<std::string_view>("a b"));
}

TEST(BaggageTest, InvalidMembersAreSkippedNotTheWholeHeader) {
  Baggage baggage = Baggage::parse("good=1,novalue,bad key=2,=3,pct=%zz,quote=\"x\",also=ok");
  EXPECT_EQ(baggage.size(), 2u);
  EXPECT_EQ(baggage.get("good"), std::optional<std::string_view>("1"));
  EXPECT_EQ(baggage.get("also"), std::optional<std::string_view>("ok"));
}

TEST(BaggageTest, RepeatedKeyKeepsTheLastValue) {
  EXPECT_EQ(Baggage::parse("k=1,k=2").get("k"), std::optional<std::string_view>("2"));
}

TEST(BaggageTest, LimitsOnMembersAndBytes) {
  std::string header;
  for (int i = 0; i < 100; ++i) header += (i ? "," : "") + std::string("k") + std::to_string(i) + "=v";
  EXPECT_EQ(Baggage::parse(header).size(), Baggage::kMaxMembers);
  Baggage big;
  for (int i = 0; i < 60; ++i) big = big.set("k" + std::to_string(i), std::string(200, 'v'));
  EXPECT_LE(big.to_header().size(), Baggage::kMaxHeaderBytes);
  EXPECT_LT(Baggage::parse(big.to_header()).size(), 60u);
}

TEST(BaggageTest, SetReplaceRemoveAreImmutable) {
  Baggage first = Baggage().set("a", "1");
  Baggage second = first.set("a", "2").set("b", "3");
  EXPECT_EQ(first.get("a"), std::optional<std::string_view>("1"));
  EXPECT_EQ(second.get("a"), std::optional<std::string_view>("2"));
  EXPECT_FALSE(second.remove("b").get("b"));
  EXPECT_EQ(first.set("bad key", "x"), first);
}

}  // namespace
}  // namespace weft
