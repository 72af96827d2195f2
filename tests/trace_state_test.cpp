// W3C tracestate: keys, values, limits, duplicates, white space, mutation and the 512-character
// rule (including the cases of the W3C test suite).
#include <gtest/gtest.h>

#include <optional>
#include <random>
#include <string_view>
#include <string>
#include <thread>
#include <vector>

#include "weft/trace_state.h"

namespace weft {
namespace {

std::string members(int count, const std::string& prefix = "k") {
  std::string header;
  for (int i = 0; i < count; ++i) {
    header += (i > 0 ? "," : "") + prefix + std::to_string(i) + "=v" + std::to_string(i);
  }
  return header;
}

TEST(TraceStateTest, ParsesMembersInOrder) {
  const auto state = TraceState::parse("rojo=00f067aa0ba902b7,congo=t61rcWkgMzE");
  ASSERT_TRUE(state);
  ASSERT_EQ(state->size(), 2u);
  EXPECT_EQ(state->entries()[0], TraceState::Entry("rojo", "00f067aa0ba902b7"));
  EXPECT_EQ(state->entries()[1], TraceState::Entry("congo", "t61rcWkgMzE"));
  EXPECT_EQ(state->get("congo"), std::optional<std::string_view>("t61rcWkgMzE"));
  EXPECT_FALSE(state->get("missing"));
  EXPECT_EQ(state->to_header(), "rojo=00f067aa0ba902b7,congo=t61rcWkgMzE");
}

TEST(TraceStateTest, OptionalWhiteSpaceAroundMembersIsIgnored) {
  for (const char* header : {"foo=1 \t , \t bar=2, \t baz=3", "foo=1\t \t,\t \tbar=2,\t \tbaz=3"}) {
    const auto state = TraceState::parse(header);
    ASSERT_TRUE(state) << header;
    EXPECT_EQ(state->to_header(), "foo=1,bar=2,baz=3");
  }
  for (const char* header : {" foo=1", "\tfoo=1", "foo=1 ", "foo=1\t", "\t foo=1 \t"}) {
    const auto state = TraceState::parse(header);
    ASSERT_TRUE(state) << header;
    EXPECT_EQ(state->get("foo"), std::optional<std::string_view>("1")) << header;
  }
}

TEST(TraceStateTest, EmptyHeadersAndEmptyMembersAreAccepted) {
  for (const char* header : {"", " ", "\t", ",", " , ,\t,"}) {
    const auto state = TraceState::parse(header);
    ASSERT_TRUE(state) << "[" << header << "]";
    EXPECT_TRUE(state->empty());
    EXPECT_EQ(state->to_header(), "");
  }
  const auto state = TraceState::parse(",foo=1,,  ,bar=2,");
  ASSERT_TRUE(state);
  EXPECT_EQ(state->to_header(), "foo=1,bar=2");
}

TEST(TraceStateTest, SeveralHeadersJoinedWithCommasKeepTheirOrder) {
  const auto state = TraceState::parse("foo=1,bar=2,rojo=1,congo=2,baz=3");
  ASSERT_TRUE(state);
  EXPECT_EQ(state->to_header(), "foo=1,bar=2,rojo=1,congo=2,baz=3");
}

// A header whose members stand one after the other is copied whole; any other is rebuilt member
// by member. Both must give the same members, at the same places.
TEST(TraceStateTest, WhiteSpaceAndEmptyMembersGiveTheSameMembersAsTheCompactForm) {
  const std::vector<std::string> headers{
      "rojo=00f067aa0ba902b7,congo=t61rcWkgMzE",  "rojo=00f067aa0ba902b7 ,congo=t61rcWkgMzE",
      "rojo=00f067aa0ba902b7,\tcongo=t61rcWkgMzE", " rojo=00f067aa0ba902b7,congo=t61rcWkgMzE ",
      "rojo=00f067aa0ba902b7,congo=t61rcWkgMzE,", ",rojo=00f067aa0ba902b7,,congo=t61rcWkgMzE",
      "rojo=00f067aa0ba902b7\t,congo=t61rcWkgMzE\t"};
  for (const std::string& header : headers) {
    const auto state = TraceState::parse(header);
    ASSERT_TRUE(state) << "[" << header << "]";
    EXPECT_EQ(state->to_header(), "rojo=00f067aa0ba902b7,congo=t61rcWkgMzE") << "[" << header << "]";
    EXPECT_EQ(state->get("rojo"), std::optional<std::string_view>("00f067aa0ba902b7"));
    EXPECT_EQ(state->get("congo"), std::optional<std::string_view>("t61rcWkgMzE"));
    EXPECT_EQ(state->size(), 2u);
  }
  // A leading space is part of a value: kept, and the text around it is still one piece.
  const auto spaced = TraceState::parse("a= 1,b=2");
  ASSERT_TRUE(spaced);
  EXPECT_EQ(spaced->get("a"), std::optional<std::string_view>(" 1"));
  EXPECT_EQ(spaced->get("b"), std::optional<std::string_view>("2"));
  EXPECT_EQ(spaced->to_header(), "a= 1,b=2");
}

TEST(TraceStateTest, SimpleKeyRules) {
  EXPECT_TRUE(TraceState::is_valid_key("a"));
  EXPECT_TRUE(TraceState::is_valid_key("abcdefghijklmnopqrstuvwxyz0123456789_-*/"));
  EXPECT_TRUE(TraceState::is_valid_key(std::string(256, 'z')));
  EXPECT_FALSE(TraceState::is_valid_key(std::string(257, 'z')));
  EXPECT_FALSE(TraceState::is_valid_key(""));
  EXPECT_FALSE(TraceState::is_valid_key("0abc")) << "a simple key starts with a letter";
  EXPECT_FALSE(TraceState::is_valid_key("_abc"));
  EXPECT_FALSE(TraceState::is_valid_key("FOO"));
  EXPECT_FALSE(TraceState::is_valid_key("fOo"));
  EXPECT_FALSE(TraceState::is_valid_key("foo.bar"));
  EXPECT_FALSE(TraceState::is_valid_key("foo "));
  EXPECT_FALSE(TraceState::is_valid_key("foo=bar"));
  EXPECT_FALSE(TraceState::is_valid_key("f\xc3\xa9"));
}

TEST(TraceStateTest, MultiTenantKeyRules) {
  EXPECT_TRUE(TraceState::is_valid_key("tenant@system"));
  EXPECT_TRUE(TraceState::is_valid_key("0tenant@system")) << "a tenant may start with a digit";
  EXPECT_TRUE(TraceState::is_valid_key("abcdefghijklmnopqrstuvwxyz0123456789_-*/@a-z0-9_-*/"));
  EXPECT_TRUE(TraceState::is_valid_key(std::string(241, 't') + "@" + std::string(14, 'v')));
  EXPECT_FALSE(TraceState::is_valid_key(std::string(242, 't') + "@v"));
  EXPECT_FALSE(TraceState::is_valid_key("t@" + std::string(15, 'v')));
  EXPECT_FALSE(TraceState::is_valid_key("tenant@0system")) << "a system starts with a letter";
  EXPECT_FALSE(TraceState::is_valid_key("foo@"));
  EXPECT_FALSE(TraceState::is_valid_key("@foo"));
  EXPECT_FALSE(TraceState::is_valid_key("foo@@bar"));
  EXPECT_FALSE(TraceState::is_valid_key("foo@bar@baz"));
  EXPECT_FALSE(TraceState::is_valid_key("_t@s"));
}

TEST(TraceStateTest, ValueRules) {
  std::string all_allowed;
  for (int c = 0x20; c <= 0x7e; ++c) {
    if (c != ',' && c != '=') all_allowed.push_back(static_cast<char>(c));
  }
  EXPECT_TRUE(TraceState::is_valid_value(all_allowed));
  EXPECT_TRUE(TraceState::is_valid_value("x"));
  EXPECT_TRUE(TraceState::is_valid_value("value with spaces"));
  EXPECT_TRUE(TraceState::is_valid_value(" leading spaces are part of the value"));
  EXPECT_TRUE(TraceState::is_valid_value(std::string(256, 'v')));
  EXPECT_FALSE(TraceState::is_valid_value(std::string(257, 'v')));
  EXPECT_FALSE(TraceState::is_valid_value(""));
  EXPECT_FALSE(TraceState::is_valid_value(" "));
  EXPECT_FALSE(TraceState::is_valid_value("trailing "));
  EXPECT_FALSE(TraceState::is_valid_value("a,b"));
  EXPECT_FALSE(TraceState::is_valid_value("a=b"));
  EXPECT_FALSE(TraceState::is_valid_value("tab\tinside"));
  EXPECT_FALSE(TraceState::is_valid_value("new\nline"));
  EXPECT_FALSE(TraceState::is_valid_value("del\x7f"));
  EXPECT_FALSE(TraceState::is_valid_value("caf\xc3\xa9"));
  EXPECT_FALSE(TraceState::is_valid_value(std::string("nul\0", 4)));
}

TEST(TraceStateTest, AllAllowedCharactersRoundTrip) {
  const std::string key = "abcdefghijklmnopqrstuvwxyz0123456789_-*/";
  std::string value;
  for (int c = 0x20; c <= 0x7e; ++c) {
    if (c != ',' && c != '=') value.push_back(static_cast<char>(c));
  }
  for (const std::string& k : {key, key + "@a-z0-9_-*/"}) {
    const auto state = TraceState::parse(k + "=" + value);
    ASSERT_TRUE(state) << k;
    EXPECT_EQ(state->get(k), std::optional<std::string_view>(value));
    EXPECT_EQ(state->to_header(), k + "=" + value);
  }
}

TEST(TraceStateTest, LeadingSpacesOfAValueArePreserved) {
  const auto state = TraceState::parse("foo=  bar");
  ASSERT_TRUE(state);
  EXPECT_EQ(state->get("foo"), std::optional<std::string_view>("  bar"));
  EXPECT_EQ(state->to_header(), "foo=  bar");
}

TEST(TraceStateTest, AnInvalidMemberInvalidatesTheWholeHeader) {
  const char* invalid[] = {
      "foo=1,bar",        // no '='
      "foo =1",           // space in the key
      "FOO=1",            // uppercase key
      "foo.bar=1",        // '.' in the key
      "=1",               // empty key
      "foo=",             // empty value
      "foo=,bar=3",       // the W3C test suite: both are lost
      "foo=bar=baz",      // '=' in the value
      "foo=1,bar=2\x01",  // control character
      "foo@=1,bar=2",     // illegal multi-tenant keys
      "@foo=1,bar=2",
      "foo@@bar=1,bar=2",
      "foo@bar@baz=1,bar=2",
      "foo=\t1",  // a tab is not part of a value
  };
  for (const char* header : invalid) EXPECT_FALSE(TraceState::parse(header)) << header;
}

TEST(TraceStateTest, KeyAndValueLengthLimitsInHeaders) {
  EXPECT_TRUE(TraceState::parse("foo=1," + std::string(256, 'z') + "=1"));
  EXPECT_FALSE(TraceState::parse("foo=1," + std::string(257, 'z') + "=1"));
  EXPECT_TRUE(
      TraceState::parse("foo=1," + std::string(241, 't') + "@" + std::string(14, 'v') + "=1"));
  EXPECT_FALSE(TraceState::parse("foo=1," + std::string(242, 't') + "@v=1"));
  EXPECT_FALSE(TraceState::parse("foo=1,t@" + std::string(15, 'v') + "=1"));
  EXPECT_TRUE(TraceState::parse("foo=" + std::string(256, 'v')));
  EXPECT_FALSE(TraceState::parse("foo=" + std::string(257, 'v')));
}

TEST(TraceStateTest, DuplicateKeysInvalidateTheHeader) {
  EXPECT_FALSE(TraceState::parse("foo=1,foo=1"));
  EXPECT_FALSE(TraceState::parse("foo=1,foo=2"));
  EXPECT_FALSE(TraceState::parse("foo=1,bar=2,foo=3"));
  EXPECT_TRUE(TraceState::parse("foo=1,foo@t=2")) << "different keys";
}

TEST(TraceStateTest, ThirtyTwoMembersAreFineThirtyThreeAreNot) {
  const auto state = TraceState::parse(members(32));
  ASSERT_TRUE(state);
  EXPECT_EQ(state->size(), TraceState::kMaxMembers);
  EXPECT_EQ(state->get("k0"), std::optional<std::string_view>("v0"));
  EXPECT_FALSE(TraceState::parse(members(33)));
  EXPECT_TRUE(TraceState::parse(members(32) + ",,, ,")) << "empty members are not counted";
}

TEST(TraceStateTest, ShortHeadersAreWrittenWhole) {
  std::string header;  // exactly 512 characters
  for (int i = 0; header.size() + 1 + 24 <= 512; ++i) {
    header += (header.empty() ? "" : ",") + std::string("k") + std::to_string(i % 10) +
              std::string(1, static_cast<char>('a' + i / 10)) + "=" + std::string(20, 'v');
  }
  header += "," + std::string(512 - header.size() - 3, 'z') + "=1";
  ASSERT_EQ(header.size(), 512u);
  const auto state = TraceState::parse(header);
  ASSERT_TRUE(state);
  EXPECT_EQ(state->to_header(), header);
}

TEST(TraceStateTest, LongMembersAreDroppedFirstWhenOver512) {
  std::string header = "big=" + std::string(200, 'x');  // 204 characters, over 128
  for (int i = 0; i < 15; ++i) header += ",k" + std::to_string(i) + "=" + std::string(20, 'v');
  const auto state = TraceState::parse(header);
  ASSERT_TRUE(state);
  ASSERT_GT(header.size(), 512u);
  const std::string shortened = state->to_header();
  EXPECT_LE(shortened.size(), 512u);
  EXPECT_EQ(shortened, header.substr(205)) << "only the long member goes, the rest fits";
}

TEST(TraceStateTest, OnlyAsManyLongMembersAsNeededAreDroppedFromTheEnd) {
  const std::string long1 = "aa=" + std::string(200, '1');
  const std::string long2 = "bb=" + std::string(200, '2');
  const std::string long3 = "cc=" + std::string(200, '3');
  const auto state = TraceState::parse(long1 + ",small=1," + long2 + "," + long3);
  ASSERT_TRUE(state);
  EXPECT_EQ(state->to_header(), long1 + ",small=1," + long2) << "619 -> 415 characters";
}

TEST(TraceStateTest, ThenMembersAreDroppedFromTheEnd) {
  std::string header;
  for (int i = 0; i < 32; ++i) {
    header += (i > 0 ? "," : "") + std::string("k") + std::to_string(100 + i) + "=" +
              std::string(20, 'v');  // 25 characters each
  }
  const auto state = TraceState::parse(header);
  ASSERT_TRUE(state);
  const std::string shortened = state->to_header();
  EXPECT_EQ(shortened, header.substr(0, 18 * 26 + 25)) << "20 members: 519 > 512, 19: 493";
  EXPECT_EQ(TraceState::parse(shortened)->size(), 19u);
}

TEST(TraceStateTest, SetAddsOrMovesTheKeyToTheFront) {
  const TraceState state = *TraceState::parse("a=1,b=2,c=3");
  EXPECT_EQ(state.set("c", "9").to_header(), "c=9,a=1,b=2");
  EXPECT_EQ(state.set("a", "0").to_header(), "a=0,b=2,c=3");
  EXPECT_EQ(state.set("new", "x").to_header(), "new=x,a=1,b=2,c=3");
  EXPECT_EQ(state.to_header(), "a=1,b=2,c=3") << "immutable";
  EXPECT_EQ(TraceState().set("k", "v").to_header(), "k=v");
}

TEST(TraceStateTest, SetOnAFullListDropsTheLastMember) {
  const TraceState full = *TraceState::parse(members(32));
  const TraceState added = full.set("new", "x");
  EXPECT_EQ(added.size(), 32u);
  EXPECT_EQ(added.entries().front(), TraceState::Entry("new", "x"));
  EXPECT_FALSE(added.get("k31"));
  EXPECT_TRUE(added.get("k30"));

  const TraceState updated = full.set("k31", "x");
  EXPECT_EQ(updated.size(), 32u) << "updating an existing key drops nothing";
  EXPECT_EQ(updated.entries().front(), TraceState::Entry("k31", "x"));
  EXPECT_EQ(updated.entries().back(), TraceState::Entry("k30", "v30"));
}

TEST(TraceStateTest, InvalidSetsLeaveTheStateUnchanged) {
  const TraceState state = *TraceState::parse("a=1");
  EXPECT_EQ(state.set("Bad", "x"), state);
  EXPECT_EQ(state.set("a", ""), state);
  EXPECT_EQ(state.set("a", "x,y"), state);
  EXPECT_EQ(state.set("a", "trailing "), state);
}

TEST(TraceStateTest, RemoveKeepsTheOrderOfTheOthers) {
  const TraceState state = *TraceState::parse("a=1,b=2,c=3");
  EXPECT_EQ(state.remove("b").to_header(), "a=1,c=3");
  EXPECT_EQ(state.remove("missing"), state);
  EXPECT_TRUE(state.remove("a").remove("b").remove("c").empty());
}

TEST(TraceStateTest, EqualityComparesEntriesInOrder) {
  EXPECT_EQ(*TraceState::parse("a=1, b=2"), *TraceState::parse("a=1,b=2"));
  EXPECT_NE(*TraceState::parse("a=1,b=2"), *TraceState::parse("b=2,a=1"));
  EXPECT_EQ(*TraceState::parse(""), TraceState());
}

TEST(TraceStateTest, HugeInputsAreHandledInLinearTime) {
  EXPECT_TRUE(TraceState::parse(std::string(1 << 20, ',')));
  EXPECT_FALSE(TraceState::parse(members(100000)));
  EXPECT_FALSE(TraceState::parse("k=" + std::string(1 << 20, 'v')));
}

// Random headers built from the characters that matter: parsing never fails badly, and whatever
// parses re-parses to the same state from its header.
TEST(TraceStateTest, RandomHeadersKeepTheInvariants) {
  const std::vector<std::string> pieces = {"a",   "b",  "k1", "t@s", "0t@s", "=",  "=v",
                                           "= v", "v",  ",",  ", ",  " ",    "\t", "A",
                                           "@",   "*/", "~",  "x y", ";"};
  std::mt19937 random(12345);
  for (int round = 0; round < 20000; ++round) {
    std::string header;
    for (std::size_t i = random() % 16; i > 0; --i) header += pieces[random() % pieces.size()];
    const auto state = TraceState::parse(header);
    if (!state) continue;
    EXPECT_LE(state->size(), TraceState::kMaxMembers);
    const std::string written = state->to_header();
    EXPECT_LE(written.size(), TraceState::kMaxHeaderLength);
    EXPECT_EQ(TraceState::parse(written), state) << header;
  }
}

// The parser splits and checks a header in one pass. A reference built the plain way (split on
// ',', trim, split at the first '=', check key and value) must agree with it on every header:
// valid or not, and the same members in the same order.
std::optional<std::vector<TraceState::Entry>> parse_by_splitting(std::string_view header) {
  const auto trim = [](std::string_view text) {
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
    return text;
  };
  std::vector<TraceState::Entry> entries;
  for (;;) {
    const std::size_t comma = header.find(',');
    const std::string_view member = trim(header.substr(0, comma));
    if (!member.empty()) {
      const std::size_t equals = member.find('=');
      if (equals == std::string_view::npos) return std::nullopt;
      const std::string key(member.substr(0, equals));
      const std::string value(member.substr(equals + 1));
      if (!TraceState::is_valid_key(key) || !TraceState::is_valid_value(value)) return std::nullopt;
      for (const auto& entry : entries) {
        if (entry.first == key) return std::nullopt;
      }
      if (entries.size() == TraceState::kMaxMembers) return std::nullopt;
      entries.emplace_back(key, value);
    }
    if (comma == std::string_view::npos) break;
    header.remove_prefix(comma + 1);
  }
  return entries;
}

TEST(TraceStateTest, OnePassParserAgreesWithSplittingTheHeader) {
  const std::vector<std::string> pieces = {"a", "b", "k1", "t@s", "0t@s", "@x", "a@b@c", "=", "=v",
                                           "= v", "v ", "v\t", ",", ", ", " ", "\t", "A", "@",
                                           "*/", "~", "x y", ";", "\x7f", "\xc3\xa9", "_-",
                                           // long enough for the 16-character value scan
                                           "=0123456789abcdef0123", "0123456789ABCDEF~!",
                                           "x=y               "};
  std::mt19937 random(2026);
  int valid = 0;
  for (int round = 0; round < 50000; ++round) {
    std::string header;
    for (std::size_t i = random() % 12; i > 0; --i) header += pieces[random() % pieces.size()];
    const auto parsed = TraceState::parse(header);
    const auto expected = parse_by_splitting(header);
    ASSERT_EQ(parsed.has_value(), expected.has_value()) << "[" << header << "]";
    if (!parsed) continue;
    ++valid;
    EXPECT_EQ(parsed->entries(), *expected) << "[" << header << "]";
  }
  EXPECT_GT(valid, 1000);  // the pieces make valid headers often enough to compare members
}

// Most received headers are compact ("k1=v1,k2=v2": one comma between members, no white space),
// and the parser reads those 16 characters at a time. Headers of that shape, of every length
// across several 16-character blocks, with now and then one character that breaks a rule (in a
// key, in a value, a separator out of place, white space, a byte outside ASCII), must get the
// same verdict and members as splitting them the plain way.
TEST(TraceStateTest, CompactHeadersAgreeWithSplittingTheHeader) {
  const std::string key_chars = "abcxyz0189_-*/";
  const std::string value_chars = "!\"#$%&'()*+-./09:;<>?@AZ[\\]^_`az{|}~";
  const std::string breakers = std::string("=, \t@A\x7f\x01") + "\xc3";
  std::mt19937 random(7);
  const auto pick = [&](const std::string& from) { return from[random() % from.size()]; };
  int valid = 0;
  int invalid = 0;
  for (int round = 0; round < 50000; ++round) {
    std::string header;
    const std::size_t member_count = 1 + random() % 6;
    for (std::size_t m = 0; m < member_count; ++m) {
      if (m != 0) header += ',';
      header += static_cast<char>('a' + random() % 26);
      for (std::size_t i = random() % 6; i > 0; --i) header += pick(key_chars);
      if (random() % 4 == 0) {
        header += '@';
        header += static_cast<char>('a' + random() % 26);
        for (std::size_t i = random() % 3; i > 0; --i) header += pick(key_chars);
      }
      header += '=';
      for (std::size_t i = 1 + random() % 24; i > 0; --i) header += pick(value_chars);
    }
    if (random() % 3 == 0) header[random() % header.size()] = pick(breakers);
    if (random() % 50 == 0) header += ',';
    const auto parsed = TraceState::parse(header);
    const auto expected = parse_by_splitting(header);
    ASSERT_EQ(parsed.has_value(), expected.has_value()) << "[" << header << "]";
    if (!parsed) {
      ++invalid;
      continue;
    }
    ++valid;
    EXPECT_EQ(parsed->entries(), *expected) << "[" << header << "]";
    // Kept as it came, when it came compact (white space and empty members are left out).
    if (header.find_first_of(" \t") == std::string::npos && header.find(",,") == std::string::npos &&
        header.front() != ',' && header.back() != ',') {
      EXPECT_EQ(parsed->to_header(), header);
    }
  }
  EXPECT_GT(valid, 10000);
  EXPECT_GT(invalid, 2000);
}

// Keys and values are scanned 16 characters at a time, the last few of a header through its last
// 16 characters read again, and the character classes are found by range comparisons. Every byte
// value, put at every position of headers of several lengths (so that each position is once early
// in a block, once late and once in the re-read end), must get the verdict and members that
// splitting the header the plain way gives.
TEST(TraceStateTest, EveryByteAtEveryPositionAgreesWithSplittingTheHeader) {
  const std::vector<std::string> headers{
      "ab=c",
      "congo=t61rcWkgMzE",
      "congo=t61rcWkgMzE,rojo=00f067aa0ba902b7",
      "t@s=1,0t@sys=v v,k-_*/9=x,long0123456789abcdefghij=0123456789abcdef0123456789"};
  int valid = 0;
  for (const std::string& base : headers) {
    for (std::size_t at = 0; at < base.size(); ++at) {
      for (int byte = 0; byte < 256; ++byte) {
        std::string header = base;
        header[at] = static_cast<char>(byte);
        const auto parsed = TraceState::parse(header);
        const auto expected = parse_by_splitting(header);
        ASSERT_EQ(parsed.has_value(), expected.has_value())
            << "[" << header << "] byte " << byte << " at " << at;
        if (!parsed) continue;
        ++valid;
        EXPECT_EQ(parsed->entries(), *expected) << "[" << header << "]";
      }
    }
  }
  EXPECT_GT(valid, 5000);
}

// Each thread keeps one freed block of the usual size for the next state: states made and dropped
// one after the other, of sizes on both sides of that size, on one thread and across threads,
// each keep their own members.
TEST(TraceStateTest, StatesMadeFromFreedBlocksKeepTheirOwnMembers) {
  std::vector<std::string> headers;
  for (int length : {1, 10, 40, 60, 80, 90, 100, 110, 120, 200, 250}) {
    headers.push_back("k=" + std::string(static_cast<std::size_t>(length), 'a' + length % 26));
    headers.push_back(members(length / 10 + 1) + ",z=" + std::to_string(length));
  }
  for (int round = 0; round < 3; ++round) {
    for (const std::string& header : headers) {
      const auto state = TraceState::parse(header);
      ASSERT_TRUE(state) << header;
      EXPECT_EQ(state->to_header(), header);
      const TraceState changed = state->set("new", "1");
      EXPECT_EQ(changed.to_header(), "new=1," + header);
    }
  }
  // Made on one thread, dropped on another, while both make more.
  std::vector<TraceState> made;
  for (const std::string& header : headers) made.push_back(*TraceState::parse(header));
  std::thread other([&] {
    for (const std::string& header : headers) {
      made.pop_back();  // frees on this thread
      const auto state = TraceState::parse(header);
      ASSERT_TRUE(state);
      EXPECT_EQ(state->to_header(), header);
    }
  });
  other.join();
  EXPECT_TRUE(made.empty());
  for (const std::string& header : headers) EXPECT_EQ(TraceState::parse(header)->to_header(), header);
}

}  // namespace
}  // namespace weft
