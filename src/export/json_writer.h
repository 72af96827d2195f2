// A minimal JSON text builder for the exporters: appends to one std::string, escapes strings, and
// replaces invalid UTF-8 with U+FFFD so the output is always valid JSON.
#pragma once

#include <charconv>
#include <cstdint>
#include <string>
#include <string_view>

namespace weft::detail {

class JsonWriter {
 public:
  explicit JsonWriter(std::string& out) : out_(out) {}

  void begin_object() { separate(); out_.push_back('{'); first_ = true; }
  void end_object() { out_.push_back('}'); first_ = false; }
  void begin_array() { separate(); out_.push_back('['); first_ = true; }
  void end_array() { out_.push_back(']'); first_ = false; }
  // A member name; the next value written is its value.
  void key(std::string_view name);

  void string(std::string_view text);
  void boolean(bool value) { separate(); out_.append(value ? "true" : "false"); }
  void number(std::int64_t value);
  void number(std::uint64_t value);
  void number(double value);  // NaN and infinities as the strings protobuf's JSON mapping uses
  // A 64-bit integer as a decimal string (protobuf's JSON mapping of int64/uint64/fixed64).
  void quoted_number(std::uint64_t value);
  void quoted_number(std::int64_t value);

 private:
  void separate() {
    if (!first_) out_.push_back(',');
    first_ = false;
  }
  void append_escaped(std::string_view text);
  template <class Integer>
  void quoted(Integer value) {
    separate();
    char buffer[24];
    auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
    out_.push_back('"');
    out_.append(buffer, result.ptr);
    out_.push_back('"');
  }

  std::string& out_;
  bool first_ = true;
};

}  // namespace weft::detail
