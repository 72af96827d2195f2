#include "trace/attribute_limits.h"

namespace weft::detail {

std::size_t utf8_prefix_bytes(std::string_view text, std::size_t max_characters) noexcept {
  std::size_t at = 0;
  for (std::size_t characters = 0; at < text.size(); ++characters) {
    if (characters == max_characters) return at;
    const auto lead = static_cast<unsigned char>(text[at]);
    // A lead byte says how many continuation bytes (10xxxxxx) follow it; only those that are
    // there belong to its character. Any other byte is a character of its own.
    const std::size_t continuation = lead >= 0xf0 && lead <= 0xf7   ? 3
                                     : lead >= 0xe0 && lead <= 0xef ? 2
                                     : lead >= 0xc0 && lead <= 0xdf ? 1
                                                                    : 0;
    ++at;
    for (std::size_t i = 0; i < continuation && at < text.size() &&
                            (static_cast<unsigned char>(text[at]) & 0xc0) == 0x80;
         ++i) {
      ++at;
    }
  }
  return at;
}

void truncate_strings(AttributeValue& value, std::size_t max_length) {
  if (auto* text = std::get_if<std::string>(&value)) {
    text->resize(truncated_text(*text, max_length).size());
  } else if (auto* texts = std::get_if<std::vector<std::string>>(&value)) {
    for (std::string& element : *texts) element.resize(truncated_text(element, max_length).size());
  }
}

}  // namespace weft::detail
