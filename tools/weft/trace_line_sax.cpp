// The quick reader of trace_line.h: nlohmann's SAX parser feeds a handler that knows where in an
// ExportTraceServiceRequest each value sits and writes it straight into the span records. No JSON
// document is built, and values of unknown fields are skipped without being stored.
//
// It accepts exactly the lines the thorough reader accepts, with the same result, or gives up:
// it checks every value the thorough reader checks, by the same rules (trace_line_values.h), and
// leaves the rare shapes whose reading depends on more than one value at a time (a field given
// twice, several kinds in one AnyValue, nested array and kvlist values) to the thorough reader.
#include <cstdint>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string_view>

#include "trace_line.h"
#include "trace_line_values.h"

namespace weft::cli {
namespace {

using nlohmann::json;

// nlohmann's lexer appends each byte of a string to its token buffer with push_back. With
// std::string that is a call through the PLT into libstdc++, whose std::string members are
// compiled there (extern template): 18% of weft check's time. A string type of its own, the same
// but for the allocator type, is compiled here with the rest; that took 100k spans from 0.61 s
// to about 0.45 s.
template <typename T>
struct TokenAllocator {
  using value_type = T;
  TokenAllocator() = default;
  template <typename U>
  TokenAllocator(const TokenAllocator<U>& /*other*/) noexcept {}
  T* allocate(std::size_t count) { return std::allocator<T>().allocate(count); }
  void deallocate(T* pointer, std::size_t count) { std::allocator<T>().deallocate(pointer, count); }
  friend bool operator==(const TokenAllocator&, const TokenAllocator&) { return true; }
  friend bool operator!=(const TokenAllocator&, const TokenAllocator&) { return false; }
};
using TokenString = std::basic_string<char, std::char_traits<char>, TokenAllocator<char>>;
// Only its SAX parser is used.
using TokenJson = nlohmann::basic_json<std::map, std::vector, TokenString>;

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

// The handler nlohmann::json::sax_parse calls. Each callback returns false to stop the parse:
// that is how the line is left to the thorough reader.
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

  bool number_integer(TokenJson::number_integer_t value) {
    return number(integer_from_signed(value), static_cast<double>(value));
  }
  bool number_unsigned(TokenJson::number_unsigned_t value) {
    return number(Integer{false, value}, static_cast<double>(value));
  }
  // (A template: nlohmann's binary readers, compiled in but never run here, pass a std::string.)
  template <typename Text>
  bool number_float(TokenJson::number_float_t value, const Text& /*text*/) {
    return number(integer_from_double(value), value);
  }

  bool string(TokenString& token) {
    const std::string_view value(token.data(), token.size());
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

  bool binary(TokenJson::binary_t& /*value*/) { return false; }  // JSON has none

  bool start_object(std::size_t /*elements*/) {
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

  bool key(TokenString& token) {
    if (ignored_depth_ > 0) return true;
    const std::string_view name(token.data(), token.size());
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

  bool start_array(std::size_t /*elements*/) {
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

  bool parse_error(std::size_t /*position*/, const std::string& /*last_token*/,
                   const nlohmann::detail::exception& /*error*/) {
    return false;
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

}  // namespace

bool read_line_quickly(const std::string& line, const std::string& location,
                       std::vector<SpanRecord>& spans, std::vector<SpanRecord>* spare) {
  const std::size_t first_new = spans.size();
  SpanLineHandler handler(location, spans, spare);
  if (TokenJson::sax_parse(line, &handler)) return true;
  spans.erase(spans.begin() + static_cast<std::ptrdiff_t>(first_new), spans.end());
  return false;
}

}  // namespace weft::cli
