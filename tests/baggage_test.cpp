// W3C Baggage: members, white space, properties, percent-encoding, invalid members and limits.
#include "weft/baggage.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

namespace weft {
namespace {

using Entry = Baggage::Entry;

std::optional<std::string_view> text(const char* value) { return std::string_view(value); }

TEST(BaggageTest, ParsesMembersInOrder) {
  const Baggage baggage = Baggage::parse("userId=alice,serverNode=DF%2028,isProduction=false");
  ASSERT_EQ(baggage.size(), 3u);
  EXPECT_EQ(baggage.entries()[0], (Entry{"userId", "alice", ""}));
  EXPECT_EQ(baggage.entries()[1], (Entry{"serverNode", "DF 28", ""}));
  EXPECT_EQ(baggage.entries()[2], (Entry{"isProduction", "false", ""}));
  EXPECT_EQ(baggage.get("serverNode"), text("DF 28"));
  EXPECT_FALSE(baggage.get("userid")) << "keys are case-sensitive";
  EXPECT_EQ(baggage.to_header(), "userId=alice,serverNode=DF%2028,isProduction=false");
}

TEST(BaggageTest, OptionalWhiteSpaceAroundMembersKeysAndValues) {
  const Baggage baggage = Baggage::parse(" userId =   alice\t,\tserverNode = DF%2028 , a=b ");
  ASSERT_EQ(baggage.size(), 3u);
  EXPECT_EQ(baggage.get("userId"), text("alice"));
  EXPECT_EQ(baggage.get("serverNode"), text("DF 28"));
  EXPECT_EQ(baggage.get("a"), text("b"));
  EXPECT_EQ(baggage.to_header(), "userId=alice,serverNode=DF%2028,a=b");
}

TEST(BaggageTest, PropertiesAreKeptAsReceived) {
  const Baggage baggage = Baggage::parse(
      "key1=value1;property1;property2, key2 = value2, key3=value3; propertyKey=propertyValue");
  ASSERT_EQ(baggage.size(), 3u);
  EXPECT_EQ(baggage.entries()[0], (Entry{"key1", "value1", "property1;property2"}));
  EXPECT_EQ(baggage.entries()[1], (Entry{"key2", "value2", ""}));
  EXPECT_EQ(baggage.entries()[2], (Entry{"key3", "value3", "propertyKey=propertyValue"}));
  EXPECT_EQ(baggage.to_header(),
            "key1=value1;property1;property2,key2=value2,key3=value3;propertyKey=propertyValue");

  const Baggage spaced = Baggage::parse("k=v ; p1 ; p2 = x%20y ");
  ASSERT_EQ(spaced.size(), 1u);
  EXPECT_EQ(spaced.entries()[0].value, "v");
  EXPECT_EQ(spaced.entries()[0].metadata, "p1;p2=x%20y") << "not decoded, every OWS trimmed";
  EXPECT_EQ(Baggage::parse(spaced.to_header()), spaced);
  EXPECT_EQ(spaced.to_header(), "k=v;p1;p2=x%20y");

  // The W3C suite's multi-property case, with tabs as well as spaces.
  const Baggage tabbed = Baggage::parse(
      "SomeKey \t = \t SomeValue \t ; \t SomeProp \t ; \t SecondProp \t = \t PropValue");
  ASSERT_EQ(tabbed.size(), 1u);
  EXPECT_EQ(tabbed.entries()[0], (Entry{"SomeKey", "SomeValue", "SomeProp;SecondProp=PropValue"}));
}

TEST(BaggageTest, ValuesMayContainEqualSignsAndBeEmpty) {
  const Baggage baggage = Baggage::parse("a=b=c,empty=,spaces=   ;p");
  ASSERT_EQ(baggage.size(), 3u);
  EXPECT_EQ(baggage.get("a"), text("b=c"));
  EXPECT_EQ(baggage.get("empty"), text(""));
  EXPECT_EQ(baggage.get("spaces"), text(""));
  EXPECT_EQ(baggage.to_header(), "a=b=c,empty=,spaces=;p");
}

TEST(BaggageTest, KeysAreTokens) {
  const Baggage baggage = Baggage::parse("!#$%&'*+-.^_`|~09azAZ=1");
  EXPECT_EQ(baggage.get("!#$%&'*+-.^_`|~09azAZ"), text("1"));
  for (const char* header : {"a b=1", "a(b=1", "a)b=1", "a/b=1", "a:b=1", "a?b=1", "a@b=1", "a[b=1",
                             "a{b=1", "a\"b=1", "a\\b=1", "k\xc3\xa9=1", "=1"}) {
    EXPECT_TRUE(Baggage::parse(header).empty()) << header;
  }
}

TEST(BaggageTest, InvalidMembersAreSkippedNotTheWholeHeader) {
  const Baggage baggage = Baggage::parse(
      "good=1,novalue,bad key=2,=3,quote=\"x\",back=a\\b,space=a b,tab=a\tb,"
      "emptyprop=1;,badprop=1;p q,badpropvalue=1;p=\"q\",utf8=\xc3\xa9,also=ok;p");
  ASSERT_EQ(baggage.size(), 2u);
  EXPECT_EQ(baggage.get("good"), text("1"));
  EXPECT_EQ(baggage.get("also"), text("ok"));
  EXPECT_EQ(baggage.entries()[1].metadata, "p");
}

TEST(BaggageTest, EmptyHeadersAndEmptyMembersGiveNothing) {
  for (const char* header : {"", " ", ",", " , ,", ";", "=", "k"}) {
    EXPECT_TRUE(Baggage::parse(header).empty()) << "[" << header << "]";
  }
  EXPECT_EQ(Baggage::parse(",a=1,,b=2,").size(), 2u);
}

TEST(BaggageTest, PercentDecodingAcceptsEitherCase) {
  EXPECT_EQ(Baggage::parse("k=a%20b").get("k"), text("a b"));
  EXPECT_EQ(Baggage::parse("k=%2c%2C%3b%3B").get("k"), text(",,;;"));
  EXPECT_EQ(Baggage::parse("k=Am%C3%A9lie").get("k"), text("Am\xc3\xa9lie"));
  EXPECT_EQ(Baggage::parse("k=%41%62c").get("k"), text("Abc")) << "optional escapes";
}

TEST(BaggageTest, MalformedEscapesAreKeptLiterally) {
  EXPECT_EQ(Baggage::parse("k=100%").get("k"), text("100%"));
  EXPECT_EQ(Baggage::parse("k=%zz").get("k"), text("%zz"));
  EXPECT_EQ(Baggage::parse("k=%2").get("k"), text("%2"));
  EXPECT_EQ(Baggage::parse("k=%%41").get("k"), text("%A"));
  EXPECT_EQ(Baggage::parse("k=%").to_header(), "k=%25");
}

TEST(BaggageTest, InvalidUtf8IsReplacedWithTheReplacementCharacter) {
  const std::string fffd = "\xef\xbf\xbd";
  EXPECT_EQ(Baggage::parse("k=aa%ffcc").get("k"), "aa" + fffd + "cc");
  EXPECT_EQ(Baggage::parse("k=%C3").get("k"), fffd) << "truncated sequence";
  EXPECT_EQ(Baggage::parse("k=%C3A").get("k"), fffd + "A") << "the breaking byte is kept";
  EXPECT_EQ(Baggage::parse("k=%C0%AF").get("k"), fffd + fffd) << "overlong";
  EXPECT_EQ(Baggage::parse("k=%ED%A0%80").get("k"), fffd + fffd + fffd) << "surrogate";
  EXPECT_EQ(Baggage::parse("k=%F4%90%80%80").get("k"), fffd + fffd + fffd + fffd)
      << "above U+10FFFF";
  EXPECT_EQ(Baggage::parse("k=%E2%82").get("k"), fffd) << "one maximal subpart";
  EXPECT_EQ(Baggage::parse("k=%F0%9F%98%80").get("k"), text("\xf0\x9f\x98\x80"));
  EXPECT_EQ(Baggage::parse("k=%E2%82%AC").get("k"), text("\xe2\x82\xac"));
}

TEST(BaggageTest, PercentEncodingRoundTripsIncludingUtf8) {
  const std::string value = "hello, w\xc3\xb6rld; \"100%\" \\ =\t\x01\x7f \xf0\x9f\x98\x80";
  const Baggage baggage = Baggage().set("greeting", value);
  const std::string header = baggage.to_header();
  for (char c : std::string(" ,;\"\\\t")) {
    EXPECT_EQ(header.find(c, 9), std::string::npos) << "[" << c << "] in " << header;
  }
  EXPECT_EQ(header.substr(0, 22), "greeting=hello%2C%20w%");
  EXPECT_NE(header.find("%25"), std::string::npos) << "'%' itself is encoded";
  EXPECT_NE(header.find("%C3%B6"), std::string::npos) << "uppercase hex";
  EXPECT_EQ(Baggage::parse(header).get("greeting"), std::optional<std::string_view>(value));
  EXPECT_EQ(Baggage().set("k", "Am\xc3\xa9lie").to_header(), "k=Am%C3%A9lie");
  EXPECT_EQ(Baggage().set("k", "a=b/c:d?").to_header(), "k=a=b/c:d?") << "octets stay";
}

TEST(BaggageTest, RepeatedKeyKeepsTheLastValueAtTheFirstPosition) {
  const Baggage baggage = Baggage::parse("k=1;p,other=x,k=2");
  ASSERT_EQ(baggage.size(), 2u);
  EXPECT_EQ(baggage.entries()[0], (Entry{"k", "2", ""}));
  EXPECT_EQ(baggage.to_header(), "k=2,other=x");
  EXPECT_EQ(Baggage::parse("k=1,k=2,bad key=3").get("k"), text("2"));
}

// The W3C grammar allows up to 180 list-members (list-member 0*179( OWS "," OWS list-member )),
// and a platform MUST propagate a baggage-string of at least 8192 bytes: 180 short members are well
// within that, so all of them are propagated (as OpenTelemetry's other SDKs do).
TEST(BaggageTest, ShortMembersUpToTheGrammarsMaximumOf180AreAllPropagated) {
  std::string header;
  for (int i = 0; i < 180; ++i) header += (i ? "," : "") + ("k" + std::to_string(i)) + "=v";
  ASSERT_LT(header.size(), Baggage::kMaxHeaderBytes);
  const Baggage baggage = Baggage::parse(header);
  EXPECT_EQ(baggage.size(), 180u);
  EXPECT_TRUE(baggage.get("k179"));
  EXPECT_EQ(baggage.to_header(), header) << "and written on whole";
}

TEST(BaggageTest, ParsingKeepsAtMost180Members) {
  std::string header;
  for (int i = 0; i < 250; ++i) header += (i ? "," : "") + ("k" + std::to_string(i)) + "=v";
  const Baggage baggage = Baggage::parse(header);
  EXPECT_EQ(baggage.size(), Baggage::kMaxMembers);
  EXPECT_EQ(Baggage::kMaxMembers, 180u);
  EXPECT_TRUE(baggage.get("k179"));
  EXPECT_FALSE(baggage.get("k180")) << "the first 180 are kept";
  EXPECT_EQ(Baggage::parse(header + ",k0=last").get("k0"), text("last"))
      << "a repeated key still replaces";
}

TEST(BaggageTest, ParsingDropsWholeMembersBeyond8192Bytes) {
  // Four members of 2000 bytes, a fifth that would pass 8192, then a small one that still fits.
  std::string header;
  for (int i = 0; i < 4; ++i) {
    header += "k" + std::to_string(i) + "=" + std::string(1997, 'v') + ",";
  }
  header += "big=" + std::string(1000, 'x') + ",small=1";
  const Baggage baggage = Baggage::parse(header);
  EXPECT_EQ(baggage.size(), 5u);
  EXPECT_FALSE(baggage.get("big")) << "never a partial member";
  EXPECT_EQ(baggage.get("small"), text("1"));
  EXPECT_LE(baggage.to_header().size(), Baggage::kMaxHeaderBytes);
  EXPECT_EQ(Baggage::parse(baggage.to_header()), baggage) << "nothing more is lost on output";

  const Baggage huge = Baggage::parse("huge=" + std::string(9000, 'x') + ",after=1");
  EXPECT_EQ(huge.size(), 1u);
  EXPECT_EQ(huge.get("after"), text("1"));
}

TEST(BaggageTest, SerializingOmitsMembersBeyondTheLimits) {
  Baggage many;
  for (int i = 0; i < 190; ++i) many = many.set("k" + std::to_string(i), "v");
  EXPECT_EQ(many.size(), 190u) << "set does not enforce the limits";
  const Baggage written = Baggage::parse(many.to_header());
  EXPECT_EQ(written.size(), 180u);
  EXPECT_TRUE(written.get("k179"));
  EXPECT_FALSE(written.get("k180"));

  Baggage big;
  for (int i = 0; i < 60; ++i) big = big.set("k" + std::to_string(i), std::string(200, 'v'));
  const std::string header = big.to_header();
  EXPECT_LE(header.size(), Baggage::kMaxHeaderBytes);
  EXPECT_EQ(Baggage::parse(header).size(), 40u) << "k0-k9: 2039 bytes, then 30 x 205";

  // The encoded size counts: 3000 spaces are 9000 bytes once encoded.
  EXPECT_EQ(Baggage().set("a", std::string(3000, ' ')).set("b", "1").to_header(), "b=1");
}

TEST(BaggageTest, SetReplaceRemoveAreImmutable) {
  const Baggage first = Baggage().set("a", "1");
  const Baggage second = first.set("a", "2", "p=1").set("b", "3");
  EXPECT_EQ(first.get("a"), text("1"));
  EXPECT_EQ(second.get("a"), text("2"));
  EXPECT_EQ(second.entries()[0], (Entry{"a", "2", "p=1"}));
  EXPECT_EQ(second.to_header(), "a=2;p=1,b=3");
  EXPECT_FALSE(second.remove("b").get("b"));
  EXPECT_EQ(second.remove("missing"), second);
  EXPECT_TRUE(second.remove("a").remove("b").empty());
}

TEST(BaggageTest, InvalidKeysOrMetadataLeaveTheBaggageUnchanged) {
  const Baggage baggage = Baggage().set("a", "1");
  EXPECT_EQ(baggage.set("", "x"), baggage);
  EXPECT_EQ(baggage.set("bad key", "x"), baggage);
  EXPECT_EQ(baggage.set("k", "v", "a,b"), baggage) << "would split the member";
  EXPECT_EQ(baggage.set("k", "v", "p;"), baggage);
  EXPECT_EQ(baggage.set("k", "v", "p=\"q\""), baggage);
  EXPECT_EQ(baggage.set("k", "v", " p1; p2=x ").entries()[1].metadata, "p1;p2=x");
  EXPECT_EQ(baggage.set("k", "v", "p1 ;\tp2 =  x").entries()[1].metadata, "p1;p2=x");
}

TEST(BaggageTest, HugeInputsAreHandledInLinearTime) {
  std::string header;
  for (int i = 0; i < 200000; ++i) header += "k" + std::to_string(i % 1000) + "=v,";
  EXPECT_EQ(Baggage::parse(header).size(), 180u);
  EXPECT_TRUE(Baggage::parse(std::string(1 << 20, ',')).empty());
  EXPECT_TRUE(Baggage::parse(std::string(1 << 20, '%')).empty()) << "no '='";
  EXPECT_EQ(Baggage::parse("k=" + std::string(1 << 20, '%')).size(), 0u) << "too big";
}

// Random headers built from the characters that matter: parsing never fails badly, stays within
// the limits, and what it returns survives serializing and parsing again unchanged.
TEST(BaggageTest, RandomHeadersKeepTheInvariants) {
  const std::vector<std::string> pieces = {
      "k",   "K2", "=", "v",  "%20", "%C3%A9", "%ff", "%E2%82", "%",    ";",       "p",
      "p=1", ",",  " ", "\t", "\"",  "\\",     "a b", "=x",     "\x01", "\xc3\xa9"};
  std::mt19937 random(54321);
  for (int round = 0; round < 20000; ++round) {
    std::string header;
    for (std::size_t i = random() % 16; i > 0; --i) header += pieces[random() % pieces.size()];
    const Baggage baggage = Baggage::parse(header);
    EXPECT_LE(baggage.size(), Baggage::kMaxMembers);
    const std::string written = baggage.to_header();
    EXPECT_LE(written.size(), Baggage::kMaxHeaderBytes);
    EXPECT_EQ(Baggage::parse(written), baggage) << header << " -> " << written;
  }
}

}  // namespace
}  // namespace weft
