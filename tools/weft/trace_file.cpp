#include "trace_file.h"

#include <array>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>

namespace weft::cli {
namespace {

using nlohmann::json;

// A line that is not an ExportTraceServiceRequest. `path` says where in the line, as in
// "resourceSpans[0].scopeSpans[1].spans[2].spanId"; it is filled in from the inside out as the
// exception passes each level, so reading good lines never pays for building it.
struct Malformed {
  std::string path;
  std::string reason;
};

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

// An integer as the protobuf JSON mapping allows it: a decimal string (how OTLP/JSON writes
// 64-bit integers) or a JSON number without a fraction.
struct Integer {
  bool negative = false;
  std::uint64_t magnitude = 0;
};

std::optional<Integer> parse_integer(const json& value) {
  if (value.is_number_unsigned()) return Integer{false, value.get<std::uint64_t>()};
  if (value.is_number_integer()) {
    const std::int64_t number = value.get<std::int64_t>();
    if (number >= 0) return Integer{false, static_cast<std::uint64_t>(number)};
    // Unsigned negation is defined for the most negative value too.
    return Integer{true, 0 - static_cast<std::uint64_t>(number)};
  }
  if (value.is_number_float()) {
    const double number = value.get<double>();
    if (!std::isfinite(number) || number != std::trunc(number) ||
        std::fabs(number) >= 18446744073709551616.0) {
      return std::nullopt;
    }
    return Integer{number < 0, static_cast<std::uint64_t>(std::fabs(number))};
  }
  if (!value.is_string()) return std::nullopt;
  const std::string& text = value.get_ref<const std::string&>();
  Integer integer;
  std::size_t position = 0;
  if (!text.empty() && text[0] == '-') {
    integer.negative = true;
    position = 1;
  }
  if (position == text.size()) return std::nullopt;
  for (; position < text.size(); ++position) {
    const char c = text[position];
    if (c < '0' || c > '9') return std::nullopt;
    const auto digit = static_cast<std::uint64_t>(c - '0');
    if (integer.magnitude > (UINT64_MAX - digit) / 10) return std::nullopt;  // overflow
    integer.magnitude = integer.magnitude * 10 + digit;
  }
  return integer;
}

std::uint64_t to_uint64(const json& value, const Field& field) {
  const std::optional<Integer> integer = parse_integer(value);
  if (!integer || (integer->negative && integer->magnitude != 0)) {
    fail(field.camel, "expected an unsigned 64-bit integer, got " + describe(value));
  }
  return integer->magnitude;
}

std::int64_t to_int64(const json& value, const Field& field) {
  const std::optional<Integer> integer = parse_integer(value);
  const std::uint64_t limit = integer && integer->negative ? 1ULL << 63 : (1ULL << 63) - 1;
  if (!integer || integer->magnitude > limit) {
    fail(field.camel, "expected a signed 64-bit integer, got " + describe(value));
  }
  return integer->negative ? static_cast<std::int64_t>(0 - integer->magnitude)
                           : static_cast<std::int64_t>(integer->magnitude);
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

bool is_hex_digit(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

// A trace or span id: `digits` hex digits, either case, returned in lowercase. An absent, empty
// or all-zero id is "no id" (the OTLP meaning of an invalid id), allowed only where optional.
std::string read_id(const json& object, const Field& field, std::size_t digits, bool required) {
  const json* value = find(object, field);
  if (value != nullptr && !value->is_string()) {
    fail(field.camel, "expected a hex string, got " + describe(*value));
  }
  std::string id = value != nullptr ? value->get<std::string>() : std::string();
  if (id.empty()) {
    if (required) fail(field.camel, "missing");
    return id;
  }
  bool hex = id.size() == digits;
  for (std::size_t i = 0; hex && i < id.size(); ++i) hex = is_hex_digit(id[i]);
  if (!hex) {
    // The generic protobuf JSON mapping writes bytes as base64; OTLP/JSON does not.
    const bool looks_base64 = id.size() == (digits / 2 + 2) / 3 * 4;
    fail(field.camel, "expected " + std::to_string(digits) + " hex digits, got " +
                          describe(*value) +
                          (looks_base64 ? " (OTLP/JSON ids are hex, not base64)" : ""));
  }
  for (char& c : id) {
    if (c >= 'A' && c <= 'F') c = static_cast<char>(c - 'A' + 'a');
  }
  if (id.find_first_not_of('0') == std::string::npos) {
    if (required) fail(field.camel, "all zeros, which is not a valid id");
    return {};
  }
  return id;
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
    // The protobuf JSON mapping writes NaN and the infinities as strings.
    if (number->is_string()) return read_string(value, kDoubleValue);
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

constexpr std::array<std::string_view, 6> kSpanKindNames = {
    "SPAN_KIND_UNSPECIFIED", "SPAN_KIND_INTERNAL", "SPAN_KIND_SERVER",
    "SPAN_KIND_CLIENT",      "SPAN_KIND_PRODUCER", "SPAN_KIND_CONSUMER"};
constexpr std::array<std::string_view, 3> kStatusCodeNames = {"STATUS_CODE_UNSET", "STATUS_CODE_OK",
                                                              "STATUS_CODE_ERROR"};

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

// Reads one line; its spans are added only when all of it is well formed.
void read_request_line(const std::string& line, const std::string& location,
                       std::vector<SpanRecord>& spans) {
  std::vector<SpanRecord> line_spans;
  try {
    const json request = json::parse(line);
    if (!request.is_object()) {
      throw Malformed{
          "", "expected a JSON object (an ExportTraceServiceRequest), got " + describe(request)};
    }
    for_each_element(request, {"resourceSpans", "resource_spans"},
                     [&](const json& entry) { read_resource_spans(entry, location, line_spans); });
  } catch (const json::exception& error) {
    throw Malformed{"", "not valid JSON: " + json_error_text(error)};
  }
  spans.insert(spans.end(), std::make_move_iterator(line_spans.begin()),
               std::make_move_iterator(line_spans.end()));
}

bool is_blank(const std::string& line) {
  return line.find_first_not_of(" \t\r\n") == std::string::npos;
}

}  // namespace

const std::string* find_attribute(const Attributes& attributes, std::string_view key) {
  for (const auto& [name, value] : attributes) {
    if (name == key) return &value;
  }
  return nullptr;
}

std::string SpanRecord::attribute(std::string_view key) const {
  const std::string* value = find_attribute(attributes, key);
  return value != nullptr ? *value : std::string();
}

std::string SpanRecord::resource_attribute(std::string_view key) const {
  const std::string* value = resource ? find_attribute(*resource, key) : nullptr;
  return value != nullptr ? *value : std::string();
}

void stream_trace_stream(std::istream& input, const std::string& name, const SpanSink& on_span,
                         TraceFileContents& contents) {
  std::size_t malformed = 0;
  std::string line;
  std::vector<SpanRecord> line_spans;
  for (std::size_t number = 1; std::getline(input, line); ++number) {
    if (is_blank(line)) continue;
    const std::string location = name + ':' + std::to_string(number);
    line_spans.clear();
    try {
      read_request_line(line, location, line_spans);
    } catch (const Malformed& error) {
      ++contents.malformed_lines;
      if (++malformed <= kMaxListedProblems) {
        contents.problems.push_back(location + ": " +
                                    (error.path.empty() ? "" : error.path + ": ") + error.reason);
      }
      continue;
    }
    for (SpanRecord& span : line_spans) on_span(std::move(span));
  }
  if (malformed > kMaxListedProblems) {
    contents.problems.push_back(name + ": " + std::to_string(malformed - kMaxListedProblems) +
                                " more malformed lines not listed");
  }
  if (input.bad()) {
    contents.problems.push_back(name + ": read error");
    contents.unreadable = true;
  }
}

void stream_trace_files(const std::vector<std::string>& paths, const SpanSink& on_span,
                        TraceFileContents& contents) {
  for (const std::string& path : paths) {
    std::error_code ignored;
    if (std::filesystem::is_directory(path, ignored)) {
      contents.problems.push_back(path + ": is a directory");
      contents.unreadable = true;
      continue;
    }
    std::ifstream input(path, std::ios::binary);
    if (!input) {
      contents.problems.push_back(path + ": cannot open: " + std::strerror(errno));
      contents.unreadable = true;
      continue;
    }
    stream_trace_stream(input, path, on_span, contents);
  }
}

void read_trace_stream(std::istream& input, const std::string& name, TraceFileContents& contents) {
  stream_trace_stream(
      input, name, [&](SpanRecord&& span) { contents.spans.push_back(std::move(span)); },
      contents);
}

TraceFileContents read_trace_files(const std::vector<std::string>& paths) {
  TraceFileContents contents;
  stream_trace_files(
      paths, [&](SpanRecord&& span) { contents.spans.push_back(std::move(span)); }, contents);
  return contents;
}

}  // namespace weft::cli
