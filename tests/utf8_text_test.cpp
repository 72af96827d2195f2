// The UTF-8 rules both OTLP encoders apply to the application's text.
#include "export/utf8_text.h"

#include <gtest/gtest.h>

#include <string>

namespace weft {
namespace {

// The word-at-a-time check must see a high byte wherever it is, for every length it handles
// differently (1-3 bytes, 4-7, 8 and over with an overlapping last word).
TEST(Utf8Text, ANonAsciiByteIsSeenAtEveryPositionOfEveryLength) {
  for (std::size_t size = 0; size <= 40; ++size) {
    const std::string ascii(size, 'a');
    EXPECT_FALSE(detail::has_non_ascii(ascii)) << size;
    EXPECT_TRUE(detail::is_valid_utf8(ascii)) << size;
    for (std::size_t at = 0; at < size; ++at) {
      std::string text = ascii;
      text[at] = '\xff';
      EXPECT_TRUE(detail::has_non_ascii(text)) << size << " at " << at;
      EXPECT_FALSE(detail::is_valid_utf8(text)) << size << " at " << at;
    }
  }
}

TEST(Utf8Text, ValidSequencesPassAndMalformedOnesDoNot) {
  for (const char* valid : {"\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x99\x82", "a\xc3\xa9z",
                            "\xef\xbf\xbd", "\xf4\x8f\xbf\xbf"}) {
    EXPECT_TRUE(detail::is_valid_utf8(valid)) << valid;
  }
  for (const char* invalid : {"\x80", "\xc3", "\xc0\xaf",  // stray, cut, overlong
                              "\xe0\x80\xaf", "\xed\xa0\x80",  // overlong, a surrogate
                              "\xf4\x90\x80\x80", "\xf8\x88\x80\x80\x80"}) {  // past U+10FFFF
    EXPECT_FALSE(detail::is_valid_utf8(invalid)) << invalid;
  }
}

TEST(Utf8Text, EachByteThatStartsNoSequenceBecomesOneReplacementCharacter) {
  EXPECT_EQ(detail::with_replacement_characters("a\xff\xfe" "b\xc3"),
            "a\xef\xbf\xbd\xef\xbf\xbd" "b\xef\xbf\xbd");
  EXPECT_EQ(detail::with_replacement_characters("ok \xc3\xa9"), "ok \xc3\xa9");
  std::string seen;
  detail::use_as_valid_utf8("x\x80", [&](std::string_view text) { seen = std::string(text); });
  EXPECT_EQ(seen, "x\xef\xbf\xbd");
}

}  // namespace
}  // namespace weft
