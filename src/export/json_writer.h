// A minimal JSON text builder for the exporters: appends to one std::string, escapes strings, and
// replaces invalid UTF-8 with U+FFFD so the output is always valid JSON.
//
// Text is staged in a buffer of the writer's own and moved into the string a kilobyte at a time
// (and when the writer is destroyed): a span is some forty small pieces, and appending each one to
// the string on its own (a capacity check and a call) was a fifth of the JSON exporter's time.
// The string holds the whole text only once the writer is gone, or after flush().
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace weft::detail {

class JsonWriter {
 public:
  explicit JsonWriter(std::string& out) : out_(out) {}
  ~JsonWriter() { flush(); }
  JsonWriter(const JsonWriter&) = delete;
  JsonWriter& operator=(const JsonWriter&) = delete;

  void begin_object() { separate(); put('{'); first_ = true; }
  void end_object() { put('}'); first_ = false; }
  void begin_array() { separate(); put('['); first_ = true; }
  void end_array() { put(']'); first_ = false; }
  // A member name; the next value written is its value. Only OTLP's own field names are written
  // as member names (an attribute's key is a string value), so they are taken as literals and
  // copied without escaping: escaping them byte by byte was a third of the JSON exporter's time.
  template <std::size_t N>
  void key(const char (&name)[N]) {
    separate();
    put('"');
    put(name, N - 1);
    put("\":", 2);
    first_ = true;  // the value follows without a comma
  }

  void string(std::string_view text);
  void boolean(bool value) {
    separate();
    if (value) {
      put("true", 4);
    } else {
      put("false", 5);
    }
  }
  void number(std::int64_t value);
  void number(std::uint64_t value);
  void number(double value);  // NaN and infinities as the strings protobuf's JSON mapping uses
  // A 64-bit integer as a decimal string (protobuf's JSON mapping of int64/uint64/fixed64).
  void quoted_number(std::uint64_t value);
  void quoted_number(std::int64_t value);

  // Moves the staged text into the string.
  void flush() {
    out_.append(stage_, used_);
    used_ = 0;
  }

 private:
  static constexpr std::size_t kStageSize = 1024;

  void separate() {
    if (!first_) put(',');
    first_ = false;
  }
  void put(char c) {
    if (__builtin_expect(used_ == kStageSize, 0)) flush();
    stage_[used_++] = c;
  }
  void put(const char* data, std::size_t length) {
    if (__builtin_expect(length > kStageSize - used_, 0)) return put_long(data, length);
    std::memcpy(stage_ + used_, data, length);
    used_ += length;
  }
  void put_long(const char* data, std::size_t length);  // more than the stage has room for
  void append_escaped(std::string_view text);
  void put_number(std::uint64_t value);
  void put_number(std::int64_t value);
  template <class Integer>
  void quoted(Integer value) {
    separate();
    put('"');
    put_number(value);
    put('"');
  }

  std::string& out_;
  bool first_ = true;
  std::size_t used_ = 0;
  char stage_[kStageSize];
};

}  // namespace weft::detail
