// The quick reader of trace_line.h: RapidJSON's SAX parser feeds a handler that knows where in an
// ExportTraceServiceRequest each value sits and writes it straight into the span records. No JSON
// document is built, and values of unknown fields are skipped without being stored.
//
// RapidJSON, not nlohmann (which the thorough reader uses): nlohmann's lexer takes a string a
// byte at a time and was two thirds of weft check's time; RapidJSON scans strings 16 bytes at a
// time. Where RapidJSON 1.1.0 is laxer than nlohmann (see rapidjson_reads_as_json), the line is
// checked first and left to the thorough reader, and numbers are read from their text as nlohmann
// reads them (RawNumber).
//
// It accepts exactly the lines the thorough reader accepts, with the same result, or gives up:
// it checks every value the thorough reader checks, by the same rules (trace_line_values.h), and
// leaves the rare shapes whose reading depends on more than one value at a time (a field given
// twice, several kinds in one AnyValue, nested array and kvlist values) to the thorough reader.
#if defined(__SSE2__)
#define RAPIDJSON_SSE2  // strings and white space scanned 16 bytes at a time
#endif
#include <rapidjson/reader.h>

#include <cstdint>
#include <cstring>
#include <memory>
#include <nlohmann/json.hpp>
#include <string_view>

#include "export/utf8_text.h"

#include "trace_line.h"
#include "trace_line_values.h"

namespace weft::cli {
namespace {

using nlohmann::json;

// Each place in a request the reader reads: a message, a list of them, or a field.
enum class Slot : std::uint8_t {
  kIgnored,  // an unknown field: its value is skipped, whatever it holds
  kRequest,
  kResourceSpansList,
  kResourceSpans,
  kResource,
  kScopeSpansList,
  kScopeSpans,
  kScope,
  kScopeName,
  kSpanList,
  kSpan,
  kTraceId,
  kSpanId,
  kParentSpanId,
  kSpanName,
  kKind,
  kStartTime,
  kEndTime,
  kFlags,
  kAttributeList,
  kAttribute,
  kAttributeKey,
  kAnyValue,
  kStringValue,
  kBoolValue,
  kIntValue,
  kDoubleValue,
  kBytesValue,
  kNestedValue,  // arrayValue, kvlistValue: left to the thorough reader
  kEventList,
  kEvent,
  kEventName,
  kEventTime,
  kLinkList,
  kLink,
  kLinkTraceId,
  kLinkSpanId,
  kStatus,
  kStatusCode,
  kStatusMessage,
};

// A field as OTLP/JSON writes it (lowerCamelCase), as the .proto file spells it (which receivers
// must accept too), and the slot of its value.
struct Member {
  std::string_view camel;
  std::string_view snake;
  Slot slot;
};

constexpr Member kRequestMembers[] = {
    {"resourceSpans", "resource_spans", Slot::kResourceSpansList}};
constexpr Member kResourceSpansMembers[] = {{"resource", "resource", Slot::kResource},
                                            {"scopeSpans", "scope_spans", Slot::kScopeSpansList}};
constexpr Member kResourceMembers[] = {{"attributes", "attributes", Slot::kAttributeList}};
constexpr Member kScopeSpansMembers[] = {{"scope", "scope", Slot::kScope},
                                         {"spans", "spans", Slot::kSpanList}};
constexpr Member kScopeMembers[] = {{"name", "name", Slot::kScopeName}};
constexpr Member kSpanMembers[] = {{"traceId", "trace_id", Slot::kTraceId},
                                   {"spanId", "span_id", Slot::kSpanId},
                                   {"parentSpanId", "parent_span_id", Slot::kParentSpanId},
                                   {"name", "name", Slot::kSpanName},
                                   {"kind", "kind", Slot::kKind},
                                   {"startTimeUnixNano", "start_time_unix_nano", Slot::kStartTime},
                                   {"endTimeUnixNano", "end_time_unix_nano", Slot::kEndTime},
                                   {"flags", "flags", Slot::kFlags},
                                   {"attributes", "attributes", Slot::kAttributeList},
                                   {"events", "events", Slot::kEventList},
                                   {"links", "links", Slot::kLinkList},
                                   {"status", "status", Slot::kStatus}};
constexpr Member kAttributeMembers[] = {{"key", "key", Slot::kAttributeKey},
                                        {"value", "value", Slot::kAnyValue}};
constexpr Member kAnyValueMembers[] = {{"stringValue", "string_value", Slot::kStringValue},
                                       {"boolValue", "bool_value", Slot::kBoolValue},
                                       {"intValue", "int_value", Slot::kIntValue},
                                       {"doubleValue", "double_value", Slot::kDoubleValue},
                                       {"bytesValue", "bytes_value", Slot::kBytesValue},
                                       {"arrayValue", "array_value", Slot::kNestedValue},
                                       {"kvlistValue", "kvlist_value", Slot::kNestedValue}};
constexpr Member kEventMembers[] = {{"name", "name", Slot::kEventName},
                                    {"timeUnixNano", "time_unix_nano", Slot::kEventTime},
                                    {"attributes", "attributes", Slot::kAttributeList}};
constexpr Member kLinkMembers[] = {{"traceId", "trace_id", Slot::kLinkTraceId},
                                   {"spanId", "span_id", Slot::kLinkSpanId},
                                   {"attributes", "attributes", Slot::kAttributeList}};
constexpr Member kStatusMembers[] = {{"code", "code", Slot::kStatusCode},
                                     {"message", "message", Slot::kStatusMessage}};

struct Members {
  const Member* begin = nullptr;
  const Member* end = nullptr;
};

template <std::size_t N>
constexpr Members members(const Member (&list)[N]) {
  return {list, list + N};
}

// The fields read of a message; none for a slot that is not a message.
Members members_of(Slot message) {
  switch (message) {
    case Slot::kRequest:
      return members(kRequestMembers);
    case Slot::kResourceSpans:
      return members(kResourceSpansMembers);
    case Slot::kResource:
      return members(kResourceMembers);
    case Slot::kScopeSpans:
      return members(kScopeSpansMembers);
    case Slot::kScope:
      return members(kScopeMembers);
    case Slot::kSpan:
      return members(kSpanMembers);
    case Slot::kAttribute:
      return members(kAttributeMembers);
    case Slot::kAnyValue:
      return members(kAnyValueMembers);
    case Slot::kEvent:
      return members(kEventMembers);
    case Slot::kLink:
      return members(kLinkMembers);
    case Slot::kStatus:
      return members(kStatusMembers);
    default:
      return {};
  }
}

bool is_message(Slot slot) { return members_of(slot).begin != nullptr; }

// The slot of a list's elements, or kIgnored for a slot that is not a list.
Slot element_of(Slot list) {
  switch (list) {
    case Slot::kResourceSpansList:
      return Slot::kResourceSpans;
    case Slot::kScopeSpansList:
      return Slot::kScopeSpans;
    case Slot::kSpanList:
      return Slot::kSpan;
    case Slot::kAttributeList:
      return Slot::kAttribute;
    case Slot::kEventList:
      return Slot::kEvent;
    case Slot::kLinkList:
      return Slot::kLink;
    default:
      return Slot::kIgnored;
  }
}

bool is_list(Slot slot) { return element_of(slot) != Slot::kIgnored; }

// An open object or array of the request.
struct Frame {
  Slot slot;
  Slot member = Slot::kIgnored;  // in a message: the slot of the value after the last key
  std::uint32_t seen = 0;        // in a message: its members met so far, one bit each
};

// What RapidJSON's reader calls (through RapidJsonEvents). Each callback returns false to stop
// the parse: that is how the line is left to the thorough reader.
class SpanLineHandler {
 public:
  SpanLineHandler(const std::string& location, std::vector<SpanRecord>& spans,
                  std::vector<SpanRecord>* spare)
      : location_(location), spans_(spans), spare_(spare) {
    stack_.reserve(8);
  }

  bool null() {
    if (ignored_depth_ > 0) return true;
    // A null field means "absent"; null where a message must be (the request, a list element)
    // is wrong.
    return !stack_.empty() && !is_list(stack_.back().slot);
  }

  bool boolean(bool value) {
    switch (value_slot()) {
      case Slot::kIgnored:
        return true;
      case Slot::kBoolValue:
        return set_value(value ? "true" : "false");
      default:
        return false;
    }
  }

  bool number_integer(std::int64_t value) {
    return number(integer_from_signed(value), static_cast<double>(value));
  }
  bool number_unsigned(std::uint64_t value) {
    return number(Integer{false, value}, static_cast<double>(value));
  }
  bool number_float(double value) { return number(integer_from_double(value), value); }

  bool string(std::string_view value) {
    const Slot slot = value_slot();
    switch (slot) {
      case Slot::kIgnored:
        return true;
      case Slot::kTraceId:
        return set_id(span().trace_id, value, 32, true);
      case Slot::kSpanId:
        return set_id(span().span_id, value, 16, true);
      case Slot::kParentSpanId:
        return set_id(span().parent_span_id, value, 16, false);
      case Slot::kLinkTraceId:
        return set_id(span().links.back().trace_id, value, 32, true);
      case Slot::kLinkSpanId:
        return set_id(span().links.back().span_id, value, 16, true);
      case Slot::kSpanName:
        span().name = value;
        return true;
      case Slot::kScopeName:
        scope_name_ = value;
        return true;
      case Slot::kEventName:
        span().events.back().name = value;
        return true;
      case Slot::kStatusMessage:
        span().status_message = value;
        return true;
      case Slot::kAttributeKey:
        key_ = value;
        return true;
      case Slot::kStringValue:
        return set_value(value);
      case Slot::kDoubleValue:
        // "NaN", "Infinity", "-Infinity", or a number written as a string.
        if (const std::optional<DoubleText> parsed = double_from_text(value)) {
          return set_value(parsed->number ? json(*parsed->number).dump() : std::string(value));
        }
        return false;  // the thorough reader says what is wrong
      case Slot::kBytesValue:
        return set_value(std::string("base64:").append(value));
      case Slot::kKind:
        return set_enum_name(span().kind, value, kSpanKindNames);
      case Slot::kStatusCode:
        return set_enum_name(span().status_code, value, kStatusCodeNames);
      default:
        return set_integer(slot, integer_from_text(value));
    }
  }

  bool start_object() {
    if (ignored_depth_ > 0 || value_slot() == Slot::kIgnored) {
      ++ignored_depth_;
      return true;
    }
    const Slot slot = value_slot();
    if (!is_message(slot)) return false;
    stack_.push_back(Frame{slot});
    switch (slot) {
      case Slot::kResourceSpans:
        resource_ = std::make_shared<Attributes>();
        resource_first_span_ = spans_.size();
        break;
      case Slot::kScopeSpans:
        scope_name_.clear();
        scope_first_span_ = spans_.size();
        break;
      case Slot::kSpan:
        add_span();
        span().location = location_;
        break;
      case Slot::kEvent:
        span().events.emplace_back();
        break;
      case Slot::kLink:
        span().links.emplace_back();
        break;
      case Slot::kAttribute:
        key_.clear();
        value_text_.clear();
        value_kinds_ = 0;
        break;
      default:
        break;
    }
    return true;
  }

  bool key(std::string_view name) {
    if (ignored_depth_ > 0) return true;
    Frame& message = stack_.back();
    const Members known = members_of(message.slot);
    for (const Member* member = known.begin; member != known.end; ++member) {
      if (name != member->camel && name != member->snake) continue;
      const std::uint32_t bit = 1U << (member - known.begin);
      if ((message.seen & bit) != 0)
        return false;  // which one counts is the thorough reader's call
      message.seen |= bit;
      message.member = member->slot;
      return true;
    }
    message.member = Slot::kIgnored;
    return true;
  }

  bool end_object() {
    if (ignored_depth_ > 0) {
      --ignored_depth_;
      return true;
    }
    const Slot slot = stack_.back().slot;
    stack_.pop_back();
    switch (slot) {
      case Slot::kSpan:
        return !span().trace_id.empty() && !span().span_id.empty();
      case Slot::kLink:
        return !span().links.back().trace_id.empty() && !span().links.back().span_id.empty();
      case Slot::kAttribute:
        attributes_->emplace_back(std::move(key_), std::move(value_text_));
        return true;
      case Slot::kScopeSpans:
        for (std::size_t i = scope_first_span_; i < spans_.size(); ++i) {
          spans_[i].scope_name = scope_name_;
        }
        return true;
      case Slot::kResourceSpans:
        for (std::size_t i = resource_first_span_; i < spans_.size(); ++i) {
          spans_[i].resource = resource_;
        }
        return true;
      default:
        return true;
    }
  }

  bool start_array() {
    if (ignored_depth_ > 0 || value_slot() == Slot::kIgnored) {
      ++ignored_depth_;
      return true;
    }
    const Slot slot = value_slot();
    if (!is_list(slot)) return false;
    if (slot == Slot::kAttributeList) attributes_ = attributes_of(stack_.back().slot);
    stack_.push_back(Frame{slot});
    return true;
  }

  bool end_array() {
    if (ignored_depth_ > 0) {
      --ignored_depth_;
    } else {
      stack_.pop_back();
    }
    return true;
  }

 private:
  // The slot of the next value: the element of the open list, or the field of the open message
  // whose key came last.
  Slot value_slot() const {
    if (ignored_depth_ > 0) return Slot::kIgnored;
    if (stack_.empty()) return Slot::kRequest;
    const Frame& top = stack_.back();
    return is_list(top.slot) ? element_of(top.slot) : top.member;
  }

  SpanRecord& span() { return spans_.back(); }

  void add_span() {
    if (spare_ == nullptr || spare_->empty()) {
      spans_.emplace_back();
      return;
    }
    spans_.push_back(std::move(spare_->back()));
    spare_->pop_back();
    spans_.back().clear();
  }

  Attributes* attributes_of(Slot message) {
    switch (message) {
      case Slot::kResource:
        return resource_.get();
      case Slot::kEvent:
        return &span().events.back().attributes;
      case Slot::kLink:
        return &span().links.back().attributes;
      default:
        return &span().attributes;  // kSpan: the only other message with attributes
    }
  }

  bool number(std::optional<Integer> integer, double as_double) {
    if (value_slot() == Slot::kDoubleValue) return set_value(json(as_double).dump());
    return set_integer(value_slot(), integer);
  }

  // An integer field, from a number or a decimal string.
  bool set_integer(Slot slot, std::optional<Integer> integer) {
    switch (slot) {
      case Slot::kIgnored:
        return true;
      case Slot::kStartTime:
        return set_uint64(span().start_ns, integer);
      case Slot::kEndTime:
        return set_uint64(span().end_ns, integer);
      case Slot::kEventTime:
        return set_uint64(span().events.back().time_ns, integer);
      case Slot::kFlags: {
        const std::optional<std::uint64_t> flags = as_uint64(integer);
        if (!flags || *flags > UINT32_MAX) return false;
        span().flags = static_cast<std::uint32_t>(*flags);
        return true;
      }
      case Slot::kIntValue: {
        const std::optional<std::int64_t> number = as_int64(integer);
        return number && set_value(std::to_string(*number));
      }
      case Slot::kKind:
        return set_enum_number(span().kind, integer);
      case Slot::kStatusCode:
        return set_enum_number(span().status_code, integer);
      default:
        return false;
    }
  }

  static bool set_uint64(std::uint64_t& field, std::optional<Integer> integer) {
    const std::optional<std::uint64_t> number = as_uint64(integer);
    if (number) field = *number;
    return number.has_value();
  }

  // Protobuf enums are open: any number that fits in 32 bits is kept.
  static bool set_enum_number(int& field, std::optional<Integer> integer) {
    const std::optional<std::int64_t> number = as_int64(integer);
    if (!number || *number < INT32_MIN || *number > INT32_MAX) return false;
    field = static_cast<int>(*number);
    return true;
  }

  template <std::size_t N>
  static bool set_enum_name(int& field, std::string_view name,
                            const std::array<std::string_view, N>& names) {
    for (std::size_t i = 0; i < N; ++i) {
      if (names[i] == name) {
        field = static_cast<int>(i);
        return true;
      }
    }
    return false;
  }

  static bool set_id(std::string& field, std::string_view id, std::size_t digits, bool required) {
    field.assign(id);
    switch (normalize_id(field, digits)) {
      case IdForm::kValid:
        return true;
      case IdForm::kEmpty:
      case IdForm::kAllZeros:
        field.clear();
        return !required;
      case IdForm::kNotHex:
        return false;
    }
    return false;
  }

  // The display text of the attribute value being read; only one kind may be set.
  bool set_value(std::string_view text) {
    if (++value_kinds_ > 1) return false;
    value_text_ = text;
    return true;
  }

  const std::string& location_;
  std::vector<SpanRecord>& spans_;
  std::vector<SpanRecord>* spare_;
  std::vector<Frame> stack_;
  std::size_t ignored_depth_ = 0;         // how deep inside the value of an unknown field
  std::shared_ptr<Attributes> resource_;  // of the resourceSpans entry being read
  std::size_t resource_first_span_ = 0;
  std::string scope_name_;  // of the scopeSpans entry being read
  std::size_t scope_first_span_ = 0;
  Attributes* attributes_ = nullptr;  // where the attribute list being read goes
  std::string key_;                   // of the attribute being read
  std::string value_text_;
  int value_kinds_ = 0;
};

// The longest line whose copy each thread keeps for the next one (weft collect reads requests of
// up to 16 MiB on a thread per connection).
constexpr std::size_t kLongestKeptLine = std::size_t{1} << 20;

// RapidJSON's handler interface, passed on to the SpanLineHandler.
class RapidJsonEvents {
 public:
  explicit RapidJsonEvents(SpanLineHandler& handler) : handler_(handler) {}

  bool Null() { return handler_.null(); }
  bool Bool(bool value) { return handler_.boolean(value); }
  // Numbers come as their text (RawNumber), read below as nlohmann reads them.
  bool Int(int) { return false; }
  bool Uint(unsigned) { return false; }
  bool Int64(std::int64_t) { return false; }
  bool Uint64(std::uint64_t) { return false; }
  bool Double(double) { return false; }
  // A number in JSON's syntax (RapidJSON checked it). As nlohmann: an integer that fits 64 bits
  // (signed when negative) is one; anything else (a fraction, an exponent, a bigger integer) is
  // the double strtod makes of it, so that both readers see the same value.
  bool RawNumber(const char* text, rapidjson::SizeType size, bool /*copy*/) {
    const std::string_view number(text, size);
    if (number.find_first_of(".eE") == std::string_view::npos) {
      if (const std::optional<Integer> integer = integer_from_text(number)) {
        constexpr std::uint64_t kMostNegative = std::uint64_t{1} << 63;  // of INT64_MIN
        if (!integer->negative) return handler_.number_unsigned(integer->magnitude);
        if (integer->magnitude <= kMostNegative) {
          return handler_.number_integer(
              static_cast<std::int64_t>(std::uint64_t{0} - integer->magnitude));
        }
      }
    }
    // Beyond a double's range (2e308) there is none: nlohmann refuses the line, and RapidJSON
    // checks the exponent alone, not what it comes to with the digits before it.
    const std::optional<double> value = double_from_number(number);
    return value && handler_.number_float(*value);
  }
  bool String(const char* text, rapidjson::SizeType size, bool /*copy*/) {
    return handler_.string(std::string_view(text, size));
  }
  bool StartObject() { return handler_.start_object(); }
  bool Key(const char* text, rapidjson::SizeType size, bool /*copy*/) {
    return handler_.key(std::string_view(text, size));
  }
  bool EndObject(rapidjson::SizeType /*members*/) { return handler_.end_object(); }
  bool StartArray() { return handler_.start_array(); }
  bool EndArray(rapidjson::SizeType /*elements*/) { return handler_.end_array(); }

 private:
  SpanLineHandler& handler_;
};

// The value of the four hex digits at `at` in `text`, or -1.
int hex4_at(const std::string& text, std::size_t at) {
  if (at + 4 > text.size()) return -1;
  int value = 0;
  for (std::size_t i = at; i < at + 4; ++i) {
    const char c = text[i];
    const int digit = c >= '0' && c <= '9'   ? c - '0'
                      : c >= 'a' && c <= 'f' ? c - 'a' + 10
                      : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                             : -1;
    if (digit < 0) return -1;
    value = value * 16 + digit;
  }
  return value;
}

// Whether `text` holds a byte below 0x20, looked for a word at a time (a compact JSON line has
// none: its strings escape them).
bool has_control_byte(std::string_view text) {
  constexpr std::uint64_t kOnes = 0x0101010101010101ULL;
  constexpr std::uint64_t kHighBits = 0x8080808080808080ULL;
  std::size_t at = 0;
  for (; at + 8 <= text.size(); at += 8) {
    std::uint64_t word;
    std::memcpy(&word, text.data() + at, sizeof word);
    if (((word - 0x20 * kOnes) & ~word & kHighBits) != 0) return true;
  }
  for (; at < text.size(); ++at) {
    if (static_cast<unsigned char>(text[at]) < 0x20) return true;
  }
  return false;
}

// Whether RapidJSON reads `line` as nlohmann does. It checks no UTF-8 here (done at once for the
// line instead, a word at a time while it is ASCII); it takes an escaped low surrogate (\udc00
// to \udfff) that follows no escaped high one; and its 16-byte string scan lets the control
// characters 0x1a to 0x1f through unescaped (it compares with 0x19). (Both end the input at a
// NUL byte.)
bool rapidjson_reads_as_json(const std::string& line) {
  if (has_control_byte(line)) {
    for (const char c : line) {
      if (c >= 0x1a && c <= 0x1f) return false;
    }
  }
  if (!detail::is_valid_utf8(line)) return false;
  // Escapes, left to right, so that an escaped backslash is never taken for the start of one.
  std::size_t high_surrogate_end = std::string::npos;  // where the last \ud800-\udbff ended
  for (std::size_t at = line.find('\\'); at != std::string::npos;) {
    if (at + 1 < line.size() && line[at + 1] == 'u') {
      const int code = hex4_at(line, at + 2);
      if (code >= 0xDC00 && code <= 0xDFFF && high_surrogate_end != at) return false;
      high_surrogate_end = code >= 0xD800 && code <= 0xDBFF ? at + 6 : std::string::npos;
    } else {
      high_surrogate_end = std::string::npos;
    }
    at = line.find('\\', at + 2);  // past the escaped character (an escaped backslash too)
  }
  return true;
}

}  // namespace

bool read_line_quickly(const std::string& line, const std::string& location,
                       std::vector<SpanRecord>& spans, std::vector<SpanRecord>* spare) {
  if (!rapidjson_reads_as_json(line)) return false;
  const std::size_t first_new = spans.size();
  SpanLineHandler handler(location, spans, spare);
  RapidJsonEvents events(handler);
  rapidjson::Reader reader;
  // RapidJSON reads strings and white space in aligned 16-byte blocks, up to 15 bytes past the
  // line's terminating NUL: it reads a copy with that room after it (reused while lines are
  // short, so that reading a file allocates nothing per line).
  thread_local std::string padded;
  padded.reserve(line.size() + 16);
  padded.assign(line);
  rapidjson::StringStream input(padded.c_str());
  // Iterative: no recursion however deep the line nests. Numbers as text: see RawNumber.
  constexpr unsigned kFlags =
      rapidjson::kParseIterativeFlag | rapidjson::kParseNumbersAsStringsFlag;
  const bool read = !reader.Parse<kFlags>(input, events).IsError();
  if (padded.capacity() > kLongestKeptLine) std::string().swap(padded);
  if (read) return true;
  spans.erase(spans.begin() + static_cast<std::ptrdiff_t>(first_new), spans.end());
  return false;
}

}  // namespace weft::cli
