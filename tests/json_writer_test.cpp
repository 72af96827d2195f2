// The exporters' JSON writer against independent references: numbers against std::to_string,
// strings against nlohmann::json's parser (what was written must read back as the same text, or as
// the text with U+FFFD for invalid UTF-8), at every length around the 16-byte scan and the
// staging buffer's size.
#include "export/json_writer.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

namespace weft::detail {
namespace {

template <class Integer>
std::string written_number(Integer value, bool quoted) {
  std::string out;
  {
    JsonWriter json(out);
    if (quoted) {
      json.quoted_number(value);
    } else {
      json.number(value);
    }
  }
  return out;
}

TEST(JsonWriterTest, IntegersAreWrittenAsStdToStringWritesThem) {
  std::vector<std::uint64_t> unsigned_values = {0, 1, 9, 10, 99, 100, 101, 999, 1000, 9999, 10000,
                                                99999999, 100000000, 100000001, 1234567890123,
                                                1796174709873589088ULL,
                                                std::numeric_limits<std::uint64_t>::max()};
  std::uint64_t power = 1;
  for (int digits = 1; digits <= 19; ++digits) {
    unsigned_values.push_back(power);
    unsigned_values.push_back(power * 10 - 1);
    power *= 10;
  }
  std::mt19937_64 random(42);
  for (int i = 0; i < 2000; ++i) unsigned_values.push_back(random() >> (random() % 64));
  for (const std::uint64_t value : unsigned_values) {
    EXPECT_EQ(written_number(value, false), std::to_string(value));
    EXPECT_EQ(written_number(value, true), '"' + std::to_string(value) + '"');
  }
  std::vector<std::int64_t> signed_values = {0, -1, 1, -9, -10, -100000000,
                                             std::numeric_limits<std::int64_t>::min(),
                                             std::numeric_limits<std::int64_t>::max()};
  for (int i = 0; i < 2000; ++i) signed_values.push_back(static_cast<std::int64_t>(random()));
  for (const std::int64_t value : signed_values) {
    EXPECT_EQ(written_number(value, false), std::to_string(value));
    EXPECT_EQ(written_number(value, true), '"' + std::to_string(value) + '"');
  }
}

// Every length from 0 to 40 (the 16-byte windows, their rest, and the rest's copy), with a
// character that must be escaped at each position, and text much longer than the staging buffer.
TEST(JsonWriterTest, StringsReadBackAsWrittenAtEveryLengthAndEscapePosition) {
  std::vector<std::string> texts;
  for (std::size_t length = 0; length <= 40; ++length) {
    texts.push_back(std::string(length, 'a'));
    for (std::size_t at = 0; at < length; ++at) {
      for (const char special : {'"', '\\', '\n', '\x01', '\x1f', '\x7f'}) {
        std::string text(length, 'b');
        text[at] = special;
        texts.push_back(text);
      }
    }
  }
  texts.push_back(std::string(5000, 'x'));
  texts.push_back(std::string(3000, '"'));
  texts.push_back("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80");  // UTF-8 kept as it is
  std::string out;
  {
    JsonWriter json(out);
    json.begin_array();
    for (const std::string& text : texts) json.string(text);
    json.end_array();
  }
  const auto parsed = nlohmann::json::parse(out, nullptr, false);
  ASSERT_TRUE(parsed.is_array()) << out.substr(0, 200);
  ASSERT_EQ(parsed.size(), texts.size());
  for (std::size_t i = 0; i < texts.size(); ++i) {
    EXPECT_EQ(parsed[i].get<std::string>(), texts[i]) << "text " << i;
  }
}

TEST(JsonWriterTest, InvalidUtf8BecomesTheReplacementCharacter) {
  std::string out;
  {
    JsonWriter json(out);
    json.string("ok \xff end \xc3");
  }
  EXPECT_EQ(nlohmann::json::parse(out).get<std::string>(), "ok \xef\xbf\xbd end \xef\xbf\xbd");
}

// Members and values across many staging buffers' worth of output: one document, in order.
TEST(JsonWriterTest, ALargeDocumentIsWholeOnceTheWriterIsGone) {
  std::string out;
  {
    JsonWriter json(out);
    json.begin_object();
    json.key("values");
    json.begin_array();
    for (std::uint64_t i = 0; i < 10000; ++i) {
      json.begin_object();
      json.key("index");
      json.quoted_number(i);
      json.key("even");
      json.boolean(i % 2 == 0);
      json.key("half");
      json.number(static_cast<double>(i) / 2);
      json.end_object();
    }
    json.end_array();
    json.end_object();
  }
  const auto parsed = nlohmann::json::parse(out, nullptr, false);
  ASSERT_TRUE(parsed.is_object());
  ASSERT_EQ(parsed["values"].size(), 10000u);
  for (std::uint64_t i = 0; i < 10000; i += 997) {
    const auto& value = parsed["values"][i];
    EXPECT_EQ(value["index"].get<std::string>(), std::to_string(i));
    EXPECT_EQ(value["even"].get<bool>(), i % 2 == 0);
    EXPECT_DOUBLE_EQ(value["half"].get<double>(), static_cast<double>(i) / 2);
  }
}

}  // namespace
}  // namespace weft::detail
