// The thorough reader of trace_line.h: the line as an nlohmann::json document, walked field by
// field, so that a problem can be reported with its place in the line.
#include <array>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "trace_line.h"
#include "trace_line_values.h"

namespace weft::cli {
namespace {

using nlohmann::json;

// A line that is not an ExportTraceServiceRequest, thrown from where it is found. Its path is
// filled in from the inside out as the exception passes each level, so reading good lines never
// pays for building it.
using Malformed = LineProblem;

void prepend_step(Malformed& error, const char* field, std::size_t index) {
  std::string step = std::string(field) + '[' + std::to_string(index) + ']';
  if (!error.path.empty()) step += '.';
  error.path.insert(0, step);
}

// A field as OTLP/JSON writes it (lowerCamelCase) and as the .proto file spells it, which
// receivers must accept too.
struct Field {
  const char* camel;
  const char* snake;
};

// Cuts `text` to at most `limit` bytes without splitting a UTF-8 sequence.
std::string truncated(std::string text, std::size_t limit) {
  if (text.size() <= limit) return text;
  std::size_t end = limit;
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
  text.resize(end);
  return text + "...";
}

// A short description of a value for problem reports. Only scalars are serialized: dumping a
// deeply nested value would recurse once per level.
std::string describe(const json& value) {
  if (value.is_string()) {
    return json(truncated(value.get<std::string>(), 40))
        .dump(-1, ' ', false, json::error_handler_t::replace);
  }
  if (value.is_object()) return "an object";
  if (value.is_array()) return "an array";
  return value.dump();
}

[[noreturn]] void fail(const char* field, std::string reason) {
  throw Malformed{field, std::move(reason)};
}

// The member `field` of `object`, or nullptr when it is absent or null (null means "default"
// in the protobuf JSON mapping).
const json* find(const json& object, const Field& field) {
  auto found = object.find(field.camel);
  if (found == object.end()) found = object.find(field.snake);
  if (found == object.end() || found->is_null()) return nullptr;
  return &*found;
}

void expect_object(const json& value) {
  if (!value.is_object()) throw Malformed{"", "expected an object, got " + describe(value)};
}

// Calls `visit` with each element of the array `field` (absent means empty).
template <typename Visit>
void for_each_element(const json& object, const Field& field, Visit&& visit) {
  const json* array = find(object, field);
  if (array == nullptr) return;
  if (!array->is_array()) fail(field.camel, "expected an array, got " + describe(*array));
  for (std::size_t index = 0; index < array->size(); ++index) {
    try {
      visit((*array)[index]);
    } catch (Malformed& error) {
      prepend_step(error, field.camel, index);
      throw;
    }
  }
}

// Calls `visit` with the object `field` when it is there.
template <typename Visit>
void with_object(const json& object, const Field& field, Visit&& visit) {
  const json* member = find(object, field);
  if (member == nullptr) return;
  try {
    expect_object(*member);
    visit(*member);
  } catch (Malformed& error) {
    error.path.insert(0, error.path.empty() ? field.camel : std::string(field.camel) + '.');
    throw;
  }
}

std::string read_string(const json& object, const Field& field) {
  const json* value = find(object, field);
  if (value == nullptr) return {};
  if (!value->is_string()) fail(field.camel, "expected a string, got " + describe(*value));
  return value->get<std::string>();
}

std::optional<Integer> parse_integer(const json& value) {
  if (value.is_number_unsigned()) return Integer{false, value.get<std::uint64_t>()};
  if (value.is_number_integer()) return integer_from_signed(value.get<std::int64_t>());
  if (value.is_number_float()) return integer_from_double(value.get<double>());
  if (!value.is_string()) return std::nullopt;
  return integer_from_text(value.get_ref<const std::string&>());
}

std::uint64_t to_uint64(const json& value, const Field& field) {
  const std::optional<std::uint64_t> number = as_uint64(parse_integer(value));
  if (!number) fail(field.camel, "expected an unsigned 64-bit integer, got " + describe(value));
  return *number;
}

std::int64_t to_int64(const json& value, const Field& field) {
  const std::optional<std::int64_t> number = as_int64(parse_integer(value));
  if (!number) fail(field.camel, "expected a signed 64-bit integer, got " + describe(value));
  return *number;
}

std::uint64_t read_uint64(const json& object, const Field& field) {
  const json* value = find(object, field);
  return value == nullptr ? 0 : to_uint64(*value, field);
}

// Enums are integers in OTLP/JSON; the protobuf JSON mapping's value names are accepted too.
// Protobuf enums are open, so unknown numbers are kept.
template <std::size_t N>
int read_enum(const json& object, const Field& field,
              const std::array<std::string_view, N>& names) {
  const json* value = find(object, field);
  if (value == nullptr) return 0;
  if (value->is_string()) {
    for (std::size_t i = 0; i < N; ++i) {
      if (names[i] == value->get_ref<const std::string&>()) return static_cast<int>(i);
    }
    fail(field.camel, "unknown value " + describe(*value));
  }
  if (!value->is_number()) fail(field.camel, "expected an enum number, got " + describe(*value));
  const std::int64_t number = to_int64(*value, field);
  if (number < INT32_MIN || number > INT32_MAX) {
    fail(field.camel, "enum value out of range: " + describe(*value));
  }
  return static_cast<int>(number);
}

// A trace or span id: `digits` hex digits, either case, returned in lowercase. An absent, empty
// or all-zero id is "no id" (the OTLP meaning of an invalid id), allowed only where optional.
std::string read_id(const json& object, const Field& field, std::size_t digits, bool required) {
  const json* value = find(object, field);
  if (value != nullptr && !value->is_string()) {
    fail(field.camel, "expected a hex string, got " + describe(*value));
  }
  std::string id = value != nullptr ? value->get<std::string>() : std::string();
  switch (normalize_id(id, digits)) {
    case IdForm::kValid:
      return id;
    case IdForm::kEmpty:
      if (required) fail(field.camel, "missing");
      return {};
    case IdForm::kAllZeros:
      if (required) fail(field.camel, "all zeros, which is not a valid id");
      return {};
    case IdForm::kNotHex:
      break;
  }
  // The generic protobuf JSON mapping writes bytes as base64; OTLP/JSON does not.
  const bool looks_base64 = id.size() == (digits / 2 + 2) / 3 * 4;
  fail(field.camel, "expected " + std::to_string(digits) + " hex digits, got " + describe(*value) +
                        (looks_base64 ? " (OTLP/JSON ids are hex, not base64)" : ""));
}

// The members of an AnyValue; at most one is set.
constexpr Field kStringValue{"stringValue", "string_value"};
constexpr Field kBoolValue{"boolValue", "bool_value"};
constexpr Field kIntValue{"intValue", "int_value"};
constexpr Field kDoubleValue{"doubleValue", "double_value"};
constexpr Field kBytesValue{"bytesValue", "bytes_value"};
constexpr Field kArrayValue{"arrayValue", "array_value"};
constexpr Field kKvlistValue{"kvlistValue", "kvlist_value"};
constexpr Field kValues{"values", "values"};
constexpr Field kKey{"key", "key"};
constexpr Field kValue{"value", "value"};

// Values nested deeper than this are shown as "...": that bounds the recursion of
// display_any_value whatever the input.
constexpr int kMaxValueDepth = 16;

// Display text of an AnyValue. Strings inside arrays and lists are quoted (`quote_strings`), so
// that ["a, b"] and ["a", "b"] read differently.
std::string display_any_value(const json& value, int depth, bool quote_strings) {
  expect_object(value);
  if (depth > kMaxValueDepth) return "...";
  if (find(value, kStringValue) != nullptr) {
    std::string text = read_string(value, kStringValue);
    return quote_strings ? json(text).dump(-1, ' ', false, json::error_handler_t::replace) : text;
  }
  if (const json* flag = find(value, kBoolValue)) {
    if (!flag->is_boolean()) {
      fail(kBoolValue.camel, "expected true or false, got " + describe(*flag));
    }
    return flag->get<bool>() ? "true" : "false";
  }
  if (const json* number = find(value, kIntValue)) {
    return std::to_string(to_int64(*number, kIntValue));
  }
  if (const json* number = find(value, kDoubleValue)) {
    if (number->is_number()) return json(number->get<double>()).dump();
    // The protobuf JSON mapping writes NaN and the infinities as strings, and reads numbers
    // from strings too.
    if (number->is_string()) {
      const std::string text = read_string(value, kDoubleValue);
      if (const std::optional<DoubleText> parsed = double_from_text(text)) {
        return parsed->number ? json(*parsed->number).dump() : text;
      }
      fail(kDoubleValue.camel,
           "expected a number, \"NaN\", \"Infinity\" or \"-Infinity\", got " + describe(*number));
    }
    fail(kDoubleValue.camel, "expected a number, got " + describe(*number));
  }
  if (find(value, kBytesValue) != nullptr) return "base64:" + read_string(value, kBytesValue);
  std::string text;
  if (find(value, kArrayValue) != nullptr) {
    with_object(value, kArrayValue, [&](const json& array) {
      for_each_element(array, kValues, [&](const json& element) {
        text += (text.empty() ? "" : ", ") + display_any_value(element, depth + 1, true);
      });
    });
    return '[' + text + ']';
  }
  if (find(value, kKvlistValue) != nullptr) {
    with_object(value, kKvlistValue, [&](const json& list) {
      for_each_element(list, kValues, [&](const json& entry) {
        expect_object(entry);
        text += (text.empty() ? "" : ", ") + read_string(entry, kKey) + ": ";
        with_object(entry, kValue,
                    [&](const json& inner) { text += display_any_value(inner, depth + 1, true); });
      });
    });
    return '{' + text + '}';
  }
  return text;  // an empty AnyValue, or a kind this reader does not know
}

Attributes read_attributes(const json& object) {
  Attributes attributes;
  for_each_element(object, {"attributes", "attributes"}, [&](const json& entry) {
    expect_object(entry);
    // No "key" is the empty key: the protobuf JSON mapping leaves out fields holding their
    // default, and `weft collect` stores protobuf requests that way.
    std::string text;
    with_object(entry, kValue,
                [&](const json& value) { text = display_any_value(value, 0, false); });
    attributes.emplace_back(read_string(entry, kKey), std::move(text));
  });
  return attributes;
}

SpanRecord read_span(const json& span) {
  expect_object(span);
  SpanRecord record;
  record.trace_id = read_id(span, {"traceId", "trace_id"}, 32, true);
  record.span_id = read_id(span, {"spanId", "span_id"}, 16, true);
  record.parent_span_id = read_id(span, {"parentSpanId", "parent_span_id"}, 16, false);
  record.name = read_string(span, {"name", "name"});
  record.kind = read_enum(span, {"kind", "kind"}, kSpanKindNames);
  record.start_ns = read_uint64(span, {"startTimeUnixNano", "start_time_unix_nano"});
  record.end_ns = read_uint64(span, {"endTimeUnixNano", "end_time_unix_nano"});
  const std::uint64_t flags = read_uint64(span, {"flags", "flags"});
  if (flags > UINT32_MAX) fail("flags", "does not fit in 32 bits");
  record.flags = static_cast<std::uint32_t>(flags);
  record.attributes = read_attributes(span);
  for_each_element(span, {"events", "events"}, [&](const json& event) {
    expect_object(event);
    record.events.push_back({read_string(event, {"name", "name"}),
                             read_uint64(event, {"timeUnixNano", "time_unix_nano"}),
                             read_attributes(event)});
  });
  for_each_element(span, {"links", "links"}, [&](const json& link) {
    expect_object(link);
    record.links.push_back({read_id(link, {"traceId", "trace_id"}, 32, true),
                            read_id(link, {"spanId", "span_id"}, 16, true), read_attributes(link)});
  });
  with_object(span, {"status", "status"}, [&](const json& status) {
    record.status_code = read_enum(status, {"code", "code"}, kStatusCodeNames);
    record.status_message = read_string(status, {"message", "message"});
  });
  return record;
}

void read_resource_spans(const json& resource_spans, const std::string& location,
                         std::vector<SpanRecord>& spans) {
  expect_object(resource_spans);
  auto resource = std::make_shared<Attributes>();
  with_object(resource_spans, {"resource", "resource"},
              [&](const json& object) { *resource = read_attributes(object); });
  for_each_element(resource_spans, {"scopeSpans", "scope_spans"}, [&](const json& scope_spans) {
    expect_object(scope_spans);
    std::string scope_name;
    with_object(scope_spans, {"scope", "scope"}, [&](const json& scope) {
      scope_name = read_string(scope, {"name", "name"});
    });
    for_each_element(scope_spans, {"spans", "spans"}, [&](const json& span) {
      SpanRecord record = read_span(span);
      record.resource = resource;
      record.scope_name = scope_name;
      record.location = location;
      spans.push_back(std::move(record));
    });
  });
}

// "[json.exception.parse_error.101] parse error at line 1, column 5: syntax error ..." becomes
// "column 5: syntax error ...": the line number is already in the report. The message quotes the
// bytes last read, which may be anything, so all but printable ASCII is written as \xNN.
std::string json_error_text(const json::exception& error) {
  std::string text = error.what();
  const std::size_t bracket = text.find("] ");
  if (bracket != std::string::npos) text.erase(0, bracket + 2);
  const std::string line_prefix = "parse error at line 1, ";
  if (text.compare(0, line_prefix.size(), line_prefix) == 0) text.erase(0, line_prefix.size());
  if (text.size() > 200) text = text.substr(0, 200) + "...";
  std::string printable;
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte >= 0x20 && byte < 0x7F) {
      printable += c;
    } else {
      char escape[5];
      std::snprintf(escape, sizeof escape, "\\x%02x", byte);
      printable += escape;
    }
  }
  return printable;
}

}  // namespace

std::optional<LineProblem> read_line_thoroughly(const std::string& line,
                                                const std::string& location,
                                                std::vector<SpanRecord>& spans) {
  std::vector<SpanRecord> line_spans;
  try {
    const json request = json::parse(line);
    if (!request.is_object()) {
      return LineProblem{
          "", "expected a JSON object (an ExportTraceServiceRequest), got " + describe(request)};
    }
    for_each_element(request, {"resourceSpans", "resource_spans"},
                     [&](const json& entry) { read_resource_spans(entry, location, line_spans); });
  } catch (const json::exception& error) {
    return LineProblem{"", "not valid JSON: " + json_error_text(error)};
  } catch (Malformed& problem) {
    return std::move(problem);
  }
  spans.insert(spans.end(), std::make_move_iterator(line_spans.begin()),
               std::make_move_iterator(line_spans.end()));
  return std::nullopt;
}

}  // namespace weft::cli
