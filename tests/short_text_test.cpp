// The short-text helpers of the span path (runtime/short_text.h): equality without memcmp, and
// the copy of a name into a queue slot. Both switch on the length, so every length from 0 to 40
// is tried, with a difference in every position.
#include <algorithm>
#include <iterator>
#include <string>

#include <gtest/gtest.h>

#include "export/queued_span.h"
#include "runtime/short_text.h"

namespace weft {
namespace {

std::string text_of_length(std::size_t size) {
  std::string text;
  for (std::size_t i = 0; i < size; ++i) text.push_back(static_cast<char>('a' + i % 26));
  return text;
}

TEST(ShortTextTest, EqualOnlyWhenEveryByteAndTheLengthAreEqual) {
  for (std::size_t size = 0; size <= 40; ++size) {
    const std::string text = text_of_length(size);
    const std::string copy = text;  // another buffer
    EXPECT_TRUE(detail::same_text(text, copy)) << size;
    EXPECT_FALSE(detail::same_text(text, text + "x")) << size;
    EXPECT_FALSE(detail::same_text(text + "x", text)) << size;
    for (std::size_t position = 0; position < size; ++position) {
      std::string changed = text;
      changed[position] = 'Z';
      EXPECT_FALSE(detail::same_text(text, changed)) << size << " at " << position;
      EXPECT_FALSE(detail::same_text(changed, text)) << size << " at " << position;
    }
  }
}

TEST(ShortTextTest, ShortTextIsCopiedExactlyAndNothingAroundItIsTouched) {
  for (std::size_t size = 0; size <= detail::QueuedSpan::kInlineName; ++size) {
    const std::string text = text_of_length(size);
    char buffer[detail::QueuedSpan::kInlineName + 2];
    std::fill(std::begin(buffer), std::end(buffer), '#');
    detail::copy_short_text(text.data(), size, buffer + 1);
    EXPECT_EQ(std::string(buffer + 1, size), text) << size;
    EXPECT_EQ(buffer[0], '#') << size;
    EXPECT_EQ(buffer[size + 1], '#') << size;
  }
}

}  // namespace
}  // namespace weft
