// Adding an attribute under the span limits: a key that is already there gets the new value; a new
// key beyond the count limit is dropped and counted; strings longer than the length limit are cut.
#pragma once

#include <cstdint>
#include <string_view>
#include <utility>

#include "runtime/short_text.h"
#include "weft/attributes.h"

namespace weft::detail {

// The byte length of the first `max_characters` characters of UTF-8 `text` (all of it when it has
// no more). The specification counts a string's length in characters, and a cut inside one would
// leave invalid UTF-8 that strict receivers refuse. A byte that continues no character (invalid
// UTF-8) counts as one.
std::size_t utf8_prefix_bytes(std::string_view text, std::size_t max_characters) noexcept;

// `text` cut to at most `max_characters` characters. A text of no more bytes than that is returned
// as it is without being looked at (the common case, and the only one without a limit).
inline std::string_view truncated_text(std::string_view text, std::size_t max_characters) noexcept {
  if (__builtin_expect(text.size() <= max_characters, 1)) return text;
  return text.substr(0, utf8_prefix_bytes(text, max_characters));
}

// Cuts a string value, or each string of an array value, to `max_length` characters.
void truncate_strings(AttributeValue& value, std::size_t max_length);

// Puts the value built from `value` (an AttributeValue, or std::in_place_type<T> and what a T is
// made of) under `key`, in place. An existing key's new value is built aside first: if that
// throws, the old value stays (building it in place would leave none).
template <class... ValueArguments>
void put_attribute_built(Attributes& attributes, std::uint32_t& dropped, std::string_view key,
                         std::size_t max_count, ValueArguments&&... value) {
  // Keys up to 16 bytes are compared inline (a size check, then a word or two), not by memcmp.
  for (KeyValue& existing : attributes) {
    if (same_text(existing.key, key)) {
      existing.value = AttributeValue(std::forward<ValueArguments>(value)...);
      return;
    }
  }
  if (attributes.size() >= max_count) {
    ++dropped;
    return;
  }
  attributes.emplace_back(key, std::forward<ValueArguments>(value)...);
}

inline void put_attribute(Attributes& attributes, std::uint32_t& dropped, std::string_view key,
                          AttributeValue value, std::size_t max_count, std::size_t max_length) {
  if (max_length != SIZE_MAX) truncate_strings(value, max_length);
  put_attribute_built(attributes, dropped, key, max_count, std::move(value));
}

// The same for a scalar or string value given as its T (one of AttributeValue's types): built in
// place, with no AttributeValue to move. Strings must already fit the length limit.
template <class T, class Argument>
void put_attribute_as(Attributes& attributes, std::uint32_t& dropped, std::string_view key,
                      Argument&& argument, std::size_t max_count) {
  put_attribute_built(attributes, dropped, key, max_count, std::in_place_type<T>,
                      std::forward<Argument>(argument));
}

}  // namespace weft::detail
