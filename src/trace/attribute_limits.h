// Adding an attribute under the span limits: a key that is already there gets the new value; a new
// key beyond the count limit is dropped and counted; strings longer than the length limit are cut.
#pragma once

#include <cstdint>

#include "weft/attributes.h"

namespace weft::detail {

void truncate_strings(AttributeValue& value, std::size_t max_length);

inline void put_attribute(Attributes& attributes, std::uint32_t& dropped, std::string_view key,
                          AttributeValue value, std::size_t max_count, std::size_t max_length) {
  if (max_length != SIZE_MAX) truncate_strings(value, max_length);
  for (KeyValue& existing : attributes) {
    if (existing.key == key) {
      existing.value = std::move(value);
      return;
    }
  }
  if (attributes.size() >= max_count) {
    ++dropped;
    return;
  }
  attributes.emplace_back(key, std::move(value));  // built in place: no default value to replace
}

// The same for a scalar or string value given as its T (one of AttributeValue's types): built in
// place, with no AttributeValue to move. Strings must already fit the length limit.
template <class T, class Argument>
void put_attribute_as(Attributes& attributes, std::uint32_t& dropped, std::string_view key,
                      Argument&& argument, std::size_t max_count) {
  for (KeyValue& existing : attributes) {
    if (existing.key == key) {
      // Built aside first: if that throws, the old value stays (emplace would leave none).
      existing.value = AttributeValue(std::in_place_type<T>, std::forward<Argument>(argument));
      return;
    }
  }
  if (attributes.size() >= max_count) {
    ++dropped;
    return;
  }
  attributes.emplace_back(key, std::in_place_type<T>, std::forward<Argument>(argument));
}

}  // namespace weft::detail
