// Attributes: key/value pairs on spans, events, links and resources. Values are the OTLP scalar
// types (bool, 64-bit integer, double, string) and homogeneous arrays of them.
//
//   span.set_attribute("http.request.method", "GET");
//   span.set_attribute("retry.count", 3);
//   span.add_event("cache.miss", {{"cache.key", "user:42"}, {"cache.tier", 2}});
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

namespace weft {

using AttributeValue =
    std::variant<bool, std::int64_t, double, std::string, std::vector<bool>,
                 std::vector<std::int64_t>, std::vector<double>, std::vector<std::string>>;

namespace detail {
template <class T>
using Bare = std::remove_cv_t<std::remove_reference_t<T>>;
}  // namespace detail

// Turns a C++ value into an AttributeValue: integers of any width become int64 (unsigned values
// above INT64_MAX wrap, as in other OpenTelemetry SDKs), floats become double, and anything
// string-like becomes a string. Containers of those become the matching array type.
template <class T>
AttributeValue to_attribute_value(T&& value) {
  using V = detail::Bare<T>;
  if constexpr (std::is_same_v<V, AttributeValue>) {
    return std::forward<T>(value);
  } else if constexpr (std::is_same_v<V, bool>) {
    return AttributeValue(std::in_place_type<bool>, value);
  } else if constexpr (std::is_integral_v<V>) {
    return AttributeValue(std::in_place_type<std::int64_t>, static_cast<std::int64_t>(value));
  } else if constexpr (std::is_floating_point_v<V>) {
    return AttributeValue(std::in_place_type<double>, static_cast<double>(value));
  } else if constexpr (std::is_convertible_v<T, std::string_view>) {
    return AttributeValue(std::in_place_type<std::string>, std::string_view(value));
  } else if constexpr (std::is_same_v<V, std::vector<bool>> ||
                       std::is_same_v<V, std::vector<std::int64_t>> ||
                       std::is_same_v<V, std::vector<double>> ||
                       std::is_same_v<V, std::vector<std::string>>) {
    return AttributeValue(std::forward<T>(value));
  } else {
    // Any other container of integers, floats or strings.
    using Element = detail::Bare<decltype(*std::begin(value))>;
    if constexpr (std::is_same_v<Element, bool>) {
      return AttributeValue(std::vector<bool>(std::begin(value), std::end(value)));
    } else if constexpr (std::is_integral_v<Element>) {
      return AttributeValue(std::vector<std::int64_t>(std::begin(value), std::end(value)));
    } else if constexpr (std::is_floating_point_v<Element>) {
      return AttributeValue(std::vector<double>(std::begin(value), std::end(value)));
    } else {
      std::vector<std::string> strings;
      for (const auto& element : value) strings.emplace_back(std::string_view(element));
      return AttributeValue(std::move(strings));
    }
  }
}

struct KeyValue {
  std::string key;
  AttributeValue value;

  KeyValue() = default;
  template <class T>
  KeyValue(std::string_view key_, T&& value_)
      : key(key_), value(to_attribute_value(std::forward<T>(value_))) {}
  // Builds the value in place as a T (one of AttributeValue's types) from `arguments`.
  template <class T, class... Arguments>
  KeyValue(std::string_view key_, std::in_place_type_t<T> type, Arguments&&... arguments)
      : key(key_), value(type, std::forward<Arguments>(arguments)...) {}

  friend bool operator==(const KeyValue& a, const KeyValue& b) {
    return a.key == b.key && a.value == b.value;
  }
};

using Attributes = std::vector<KeyValue>;

// The value of `key` in `attributes`, or nullptr.
const AttributeValue* find_attribute(const Attributes& attributes, std::string_view key) noexcept;

}  // namespace weft
